// The linearizability checker's verdict, live under a replicated store's
// card: the flash sale's AP price store serves stale prices while the
// regions are cut off and is caught ("NOT linearizable", final); the CP
// store of the fix stays "linearizable so far" through the partition.
import { expect, test } from '@playwright/test';
import { openPreset, simTime } from './presets';
import { screenshotPath } from './screenshot-path';

for (const [after, verdict, text] of [
  [false, 'not-linearizable', 'NOT linearizable'],
  [true, 'linearizable', 'linearizable so far'],
] as const) {
  test(`flash sale ${after ? 'after' : 'before'} the fix: the store card says ${text}`, async ({ page }) => {
    await openPreset(page, 'flash-sale-before', after);
    // Close enough for the cards' details (the story panel leaves the canvas narrow).
    await page.getByTestId('zoom-in').click();
    await page.getByTestId('zoom-in').click();
    await page.getByTestId('speed').fill('1.5'); // 10^1.5: about 30x
    await page.getByTestId('play').click();
    const label = page.getByTestId('verdict-prices');
    // Past the partition (8 s to 20 s) and its heal.
    const time = () => simTime(page);
    await expect.poll(time, { timeout: 30_000 }).toBeGreaterThan(25_000);
    await expect(label).toHaveAttribute('data-verdict', verdict, { timeout: 10_000 });
    await expect(label).toHaveText(new RegExp(`^${text}`)); // then its <title>
  });
}

// The violation, drawn: clicking (or Enter on) the NOT-linearizable verdict
// opens a history diagram of the few operations no order fits, bars per
// client over a time axis, the offending read marked and why in a sentence.
// Screenshots in both themes (test-results/screenshots/).
test('flash sale before: the NOT linearizable verdict opens its history diagram', async ({ page }) => {
  await openPreset(page, 'flash-sale-before');
  await page.getByTestId('zoom-in').click();
  await page.getByTestId('zoom-in').click();
  await page.getByTestId('speed').fill('1.5');
  await page.getByTestId('play').click();
  const label = page.getByTestId('verdict-prices');
  await expect(label).toHaveAttribute('data-verdict', 'not-linearizable', { timeout: 40_000 });
  await expect(label).toHaveAttribute('role', 'button');
  // At this zoom the label may sit under the minimap or below the canvas's
  // visible part: pan it to the middle of the canvas (Space held, then
  // drag: pans even from a card), whatever the layout around the canvas.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const box = (await label.boundingBox())!;
  const stage = (await page.getByTestId('canvas').boundingBox())!;
  const [cx, cy] = [stage.x + stage.width / 2, stage.y + stage.height / 2];
  const [dx, dy] = [cx - (box.x + box.width / 2), cy - (box.y + box.height / 2)];
  await page.keyboard.down('Space');
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + dx, cy + dy, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.up('Space');

  // Keyboard first: focus the verdict, Enter opens, Escape closes and gives focus back.
  await label.focus();
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('violation-prices');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('violation-close')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(label).toBeFocused();

  await label.click();
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('dialog')).toHaveCount(0); // the panel is the dialog itself
  await expect(page.getByRole('dialog', { name: /no single-copy order fits/ })).toBeVisible();
  const why = await page.getByTestId('violation-why').textContent();
  expect(why).toMatch(/^The read returned .+ after the write of \d+ had completed/);
  // One offending read, at least one write, drawn as bars with labels.
  const offending = panel.getByTestId('violation-offending');
  await expect(offending).toHaveCount(1);
  await expect(offending.locator('text')).toHaveText(/^r .+ ✗$/);
  await expect(panel.getByTestId('violation-op').locator('text').first()).toHaveText(/^w \d+/);
  // A time axis with units.
  await expect(panel.locator('.vd-axis text').first()).toHaveText(/^\d+(\.\d+)? (µs|ms|s)$/);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await panel.screenshot({ path: screenshotPath(`violation-${scheme}.png`) });
  }
});

// A replica's clock skew from the fault bar: offered on an AP store (its
// last-writer-wins stamps come from the coordinator's clock), not on a CP
// one (which orders writes by its log); it lands on the timeline as a block
// naming the replica and the skew, and plays with the rest of the run.
test('an AP store offers a clock skew on its replica; a CP store does not', async ({ page }) => {
  await openPreset(page, 'cart-vs-inventory');
  await page.getByTestId('node-inventory').click();
  await expect(page.getByTestId('fault-crash-replica-0')).toBeVisible();
  await expect(page.getByTestId('fault-skew-replica-0')).toHaveCount(0);
  await page.getByTestId('node-cart').click();
  const skew = page.getByTestId('fault-skew-replica-0');
  await expect(skew).toHaveText('Clock -500 ms (replica 0)');
  const before = await page.locator('[data-testid^=timeline-fault-]').count();
  await skew.click();
  await expect(page.locator('[data-testid^=timeline-fault-]')).toHaveCount(before + 1);
  await expect(page.locator('[data-testid^=timeline-fault-][title*="cart/0 clock -500 ms"]')).toHaveCount(1);
  await page.getByTestId('speed').fill('1.5');
  await page.getByTestId('play').click();
  const time = () => simTime(page);
  await expect.poll(time, { timeout: 30_000 }).toBeGreaterThan(8_000);
});
