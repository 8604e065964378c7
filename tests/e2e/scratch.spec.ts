// Building from scratch: File > New design (undoable), cards added by click
// land in view, and a design that cannot run yet says why in plain words.
import { expect, test } from '@playwright/test';

test('New design starts on a blank canvas; undo brings the design back', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('g.node')).toHaveCount(3);
  await page.getByTestId('file-menu').click();
  await page.getByTestId('new-design').click();
  await expect(page.locator('g.node')).toHaveCount(0);
  await expect(page.locator('.panel-host')).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(page.locator('g.node')).toHaveCount(3);
});

test('cards added by click land in view, and an unfinished design says why in plain words', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-menu').click();
  await page.getByTestId('new-design').click();
  await page.getByTestId('palette-load_balancer').click();
  await expect(page.getByTestId('blocked')).toContainText('has no backends: connect it to a service');
  await expect(page.getByTestId('blocked')).not.toContainText('nodes[');
  for (let i = 1; i <= 6; i++) await page.getByTestId('palette-service').click();
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  for (const id of ['node-load-balancer-1', ...[1, 2, 3, 4, 5, 6].map((i) => `node-service-${i}`)]) {
    const b = (await page.getByTestId(id).locator('rect.card').boundingBox())!;
    const [cx, cy] = [b.x + b.width / 2, b.y + b.height / 2];
    expect(cx, `${id} in view`).toBeGreaterThan(canvas.x);
    expect(cx, `${id} in view`).toBeLessThan(canvas.x + canvas.width);
    expect(cy, `${id} in view`).toBeGreaterThan(canvas.y);
    expect(cy, `${id} in view`).toBeLessThan(canvas.y + canvas.height);
  }
});
