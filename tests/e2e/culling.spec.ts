// Culling: zoomed in on a big design, the canvas draws only the cards and
// links on screen; the rest are empty stand-ins that keep their test ids and
// their place in the Tab order. Tab onto one brings the view to it and it is
// drawn; "Fit" shows (and draws) everything again.
import { expect, test } from '@playwright/test';

test('zoomed in, off-screen cards are stand-ins; Tab reaches them and the view follows', async ({ page }) => {
  await page.goto('/?generate=200');
  const cards = page.locator('g.node');
  await expect(cards).toHaveCount(200);
  // At "fit" everything is on screen: nothing is culled.
  await expect(page.locator('g.node.culled')).toHaveCount(0);

  for (let k = 0; k < 8; k++) await page.getByTestId('zoom-in').click();
  // Every card is still in the page (test id and all), most only as a stand-in.
  await expect(cards).toHaveCount(200);
  await expect.poll(() => page.locator('g.node.culled').count()).toBeGreaterThan(100);
  const drawn = await page.locator('g.node:not(.culled)').count();
  expect(drawn).toBeGreaterThan(0);
  // A stand-in is empty (none of the card's drawing) but named and focusable.
  const standIn = page.locator('g.node.culled').first();
  await expect(standIn.locator('*')).toHaveCount(0);
  await expect(standIn).toHaveAttribute('tabindex', '0');
  await expect(standIn).toHaveAttribute('aria-label', /\(/);

  // A drawn card followed (in the Tab order) by a stand-in.
  const next = await page.evaluate(() => {
    const all = [...document.querySelectorAll('g.node')];
    const k = all.findIndex((el, i) => i > 0 && el.classList.contains('culled') && !all[i - 1].classList.contains('culled'));
    return k < 0 ? null : [all[k - 1].getAttribute('data-testid'), all[k].getAttribute('data-testid')];
  });
  expect(next).not.toBeNull();
  const [before, after] = next!;
  await page.getByTestId(before!).focus();
  await page.keyboard.press('Tab');
  const target = page.getByTestId(after!);
  await expect(target).toBeFocused();
  // The view came to it: drawn in full, on the canvas.
  await expect(target).not.toHaveClass(/culled/);
  await expect(target.locator('rect.card')).toHaveCount(1);
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const box = (await target.locator('rect.card').boundingBox())!;
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  expect(cx).toBeGreaterThan(canvas.x);
  expect(cx).toBeLessThan(canvas.x + canvas.width);
  expect(cy).toBeGreaterThan(canvas.y);
  expect(cy).toBeLessThan(canvas.y + canvas.height);

  // Fit: everything drawn again.
  await page.getByTestId('zoom-fit').click();
  await expect(page.locator('g.node.culled')).toHaveCount(0);
  await expect(page.locator('g.edge.culled')).toHaveCount(0);
});

// Level of detail: fitted, a 200-node design's cards are a dozen pixels
// wide, too small to read; they are drawn as their boxes alone (and links as
// plain lines), still named, focusable and selectable. Zoomed in, the text
// comes back.
test('zoomed far out, cards are their boxes and links their lines; zooming in brings the text back', async ({ page }) => {
  await page.goto('/?generate=200');
  await expect(page.locator('g.node')).toHaveCount(200);
  await expect(page.locator('g.node.sketch')).toHaveCount(200);
  await expect(page.locator('g.node .node-title')).toHaveCount(0);
  const card = page.locator('g.node.sketch').nth(100);
  await expect(card.locator('rect.card')).toHaveCount(1);
  await expect(card).toHaveAttribute('tabindex', '0');
  await expect(card).toHaveAttribute('aria-label', /\(service\)/);
  const links = await page.locator('g.edge').count();
  expect(links).toBeGreaterThan(0);
  await expect(page.locator('g.edge.sketch > line')).toHaveCount(links);
  await expect(page.locator('g.edge line.hit')).toHaveCount(0);
  // Selected from the keyboard, as a full card is.
  await card.focus();
  await page.keyboard.press('Enter');
  await expect(card).toHaveClass(/selected/);
  await expect(card).toHaveAttribute('aria-pressed', 'true');

  // Zooming in (each step a fifth closer) passes the threshold within a few steps.
  for (let k = 0; k < 14 && (await page.locator('g.node.sketch').count()) > 0; k++) {
    await page.getByTestId('zoom-in').click();
  }
  await expect(page.locator('g.node.sketch')).toHaveCount(0);
  await expect.poll(() => page.locator('g.node:not(.culled) .node-title').count()).toBeGreaterThan(0);
  await expect.poll(() => page.locator('g.edge:not(.culled) line.hit').count()).toBeGreaterThan(0);
});
