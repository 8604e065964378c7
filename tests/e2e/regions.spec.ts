// Region boxes on the canvas: a region a partition cuts off from the rest of
// the design (every link across its border cut) is drawn cut, and drawn
// whole again once the partition heals.
import { expect, test, type Page } from '@playwright/test';

test('a partitioned region is drawn cut until the partition heals', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('library').click();
  // Two regions, us (client, web) and eu (db); the fault cuts us from eu at
  // 20 s for 20 s, and web -> db is the only link across either border.
  await page.getByTestId('preset-region-partition').click();
  const us = page.getByTestId('region-us');
  const eu = page.getByTestId('region-eu');
  for (const region of [us, eu]) {
    await expect(region).toHaveAttribute('data-cut', 'false');
    await expect(region).not.toHaveClass(/\bcut\b/);
  }
  const simMs = async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'));

  await page.getByTestId('speed').fill('1'); // 10x
  await page.getByTestId('play').click();
  // Cut from the partition at 20 s: both boxes, with the link's own cut mark.
  await expect(eu).toHaveAttribute('data-cut', 'true', { timeout: 30_000 });
  await expect(us).toHaveAttribute('data-cut', 'true');
  await expect(eu).toHaveClass(/\bcut\b/);
  await expect(eu).toContainText('partitioned');
  await expect(page.getByTestId('edge-web-db')).toHaveClass(/\bcut\b/);
  expect(await simMs()).toBeGreaterThanOrEqual(20_000);

  // Whole again after the heal at 40 s.
  await expect(eu).toHaveAttribute('data-cut', 'false', { timeout: 30_000 });
  await expect(us).toHaveAttribute('data-cut', 'false');
  await expect(eu).not.toHaveClass(/\bcut\b/);
  await expect(eu).not.toContainText('partitioned');
  expect(await simMs()).toBeGreaterThanOrEqual(40_000);
  await page.getByTestId('pause').click();
});

async function centre(page: Page, testid: string) {
  const b = (await page.locator(`[data-testid=${testid}] rect.card`).boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

test('dragging cards: several at once, into another region, and undo', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-region-partition').click();
  const [client0, web0, db0] = [await centre(page, 'node-client'), await centre(page, 'node-web'), await centre(page, 'node-db')];

  // Select client and web, drag web: both move, and while the pointer is
  // down they follow it (each link is still drawn once under its test id).
  await page.getByTestId('node-client').click();
  await page.getByTestId('node-web').click({ modifiers: ['Shift'] });
  await page.mouse.move(web0.x, web0.y);
  await page.mouse.down();
  await page.mouse.move(web0.x + 10, web0.y + 40, { steps: 4 });
  await page.mouse.move(web0.x + 20, web0.y + 80, { steps: 4 });
  await expect.poll(async () => (await centre(page, 'node-web')).y - web0.y).toBeGreaterThan(40);
  expect((await centre(page, 'node-client')).y - client0.y).toBeGreaterThan(40);
  await expect(page.getByTestId('edge-client-web')).toHaveCount(1);
  await expect(page.getByTestId('edge-web-db')).toHaveCount(1);
  await page.mouse.up();
  const [client1, web1] = [await centre(page, 'node-client'), await centre(page, 'node-web')];
  expect(web1.y - web0.y).toBeGreaterThan(40);
  expect(Math.abs(client1.y - client0.y - (web1.y - web0.y))).toBeLessThan(1); // the same step, on the grid
  // The link between them moved with them; the one to db now leaves from web's new place.
  const line = page.locator('[data-testid=edge-web-db] line:not(.hit)');
  await expect.poll(async () => (await line.boundingBox())!.y + (await line.boundingBox())!.height).toBeGreaterThan(db0.y);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => Math.abs((await centre(page, 'node-web')).y - web0.y)).toBeLessThan(2);
  await expect.poll(async () => Math.abs((await centre(page, 'node-client')).y - client0.y)).toBeLessThan(2);

  // Drop web by db, inside the eu box: it moves to eu (us keeps client);
  // undo puts it back. (db could not leave eu: the partition names eu.)
  await page.getByTestId('node-web').click();
  await page.mouse.move(web0.x, web0.y);
  await page.mouse.down();
  // Just below db's centre: inside eu's box, which grows to take web in.
  await page.mouse.move(db0.x, db0.y + 40, { steps: 8 });
  // While it is carried, each box that will change is outlined as it will
  // be once web lands: eu's takes web in (and us's lets it go).
  const previews = page.locator('.drag-layer rect.region-preview');
  const webInAPreview = async () => {
    const w = await centre(page, 'node-web');
    for (const p of await previews.all()) {
      const r = (await p.boundingBox())!;
      if (w.x > r.x && w.x < r.x + r.width && w.y > r.y && w.y < r.y + r.height) return true;
    }
    return false;
  };
  await expect.poll(webInAPreview).toBe(true);
  await page.mouse.up();
  await expect(previews).toHaveCount(0);
  await expect(page.getByTestId('field-region')).toHaveValue('eu');
  const eu = (await page.getByTestId('region-eu').boundingBox())!;
  const web2 = await centre(page, 'node-web');
  expect(web2.x > eu.x && web2.x < eu.x + eu.width && web2.y > eu.y && web2.y < eu.y + eu.height).toBe(true);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => Math.abs((await centre(page, 'node-web')).x - web0.x)).toBeLessThan(2);
  await page.getByTestId('node-web').click();
  await expect(page.getByTestId('field-region')).toHaveValue('us');
});
