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
