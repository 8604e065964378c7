// Touch: a two-finger pinch on the canvas zooms it (tablets have no wheel).
import { expect, test, type Page } from '@playwright/test';

test.use({ hasTouch: true });

/** Two fingers on (cx, cy), `from` px either side, moving to `to` px either
 * side: real multi-touch through the DevTools protocol, which Chromium turns
 * into two touch pointers, as a tablet would. */
async function pinch(page: Page, cx: number, cy: number, from: number, to: number) {
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: string, spread: number) => cdp.send('Input.dispatchTouchEvent', {
    type,
    touchPoints: type === 'touchEnd' ? [] : [
      { x: cx - spread, y: cy, id: 1 },
      { x: cx + spread, y: cy, id: 2 },
    ],
  });
  await touch('touchStart', from);
  for (let k = 1; k <= 8; k++) await touch('touchMove', from + ((to - from) * k) / 8);
  await touch('touchEnd', to);
}

/** The canvas's viewBox width: smaller is closer. */
const viewWidth = async (page: Page) =>
  Number((await page.getByTestId('canvas').getAttribute('viewBox'))!.split(' ')[2]);

test('pinching out zooms in around the fingers, pinching in zooms back out', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  const width = () => viewWidth(page);
  const before = await width();
  const box = (await page.getByTestId('canvas').boundingBox())!;
  // Under the cards, on the background.
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height * 0.85];

  await pinch(page, cx, cy, 40, 160);
  // The fingers moved four times further apart: about four times closer.
  await expect.poll(width).toBeLessThan(before / 2.5);
  const zoomed = await width();
  expect(zoomed).toBeGreaterThan(before / 6);
  // Leaving "fit" shows the minimap.
  await expect(page.getByTestId('minimap')).toBeVisible();

  await pinch(page, cx, cy, 160, 40);
  await expect.poll(width).toBeGreaterThan(zoomed * 2.5);
});

test('a pinch that starts on a card zooms too, and leaves the card where it was', async ({ page }) => {
  await page.goto('/');
  const api = page.locator('[data-testid=node-api] rect.card');
  await expect(api).toBeVisible();
  const width = () => viewWidth(page);
  const before = await width();
  const card = (await api.boundingBox())!;
  const [cx, cy] = [card.x + card.width / 2, card.y + card.height / 2];
  await pinch(page, cx, cy, 20, 80);
  await expect.poll(width).toBeLessThan(before / 2);
  // Zoomed around the fingers: the card grew in place instead of being dragged away.
  const after = (await api.boundingBox())!;
  expect(after.width).toBeGreaterThan(card.width * 2);
  expect(Math.abs(after.x + after.width / 2 - cx)).toBeLessThan(card.width);
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('undo')).toBeDisabled();
});
