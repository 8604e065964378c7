// The linearizability checker's verdict, live under a replicated store's
// card: the flash sale's AP price store serves stale prices while the
// regions are cut off and is caught ("NOT linearizable", final); the CP
// store of the fix stays "linearizable so far" through the partition.
import { expect, test } from '@playwright/test';

for (const [after, verdict, text] of [
  [false, 'not-linearizable', 'NOT linearizable'],
  [true, 'linearizable', 'linearizable so far'],
] as const) {
  test(`flash sale ${after ? 'after' : 'before'} the fix: the store card says ${text}`, async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('library').click();
    await page.getByTestId('preset-flash-sale-before').click();
    if (after) {
      await page.getByTestId('before-after').click();
      await expect(page.getByTestId('before-after')).toHaveAttribute('aria-pressed', 'true');
    }
    // Close enough for the cards' details (the story panel leaves the canvas narrow).
    await page.getByTestId('zoom-in').click();
    await page.getByTestId('zoom-in').click();
    await page.getByTestId('speed').fill('1.5'); // 10^1.5: about 30x
    await page.getByTestId('play').click();
    const label = page.getByTestId('verdict-prices');
    // Past the partition (8 s to 20 s) and its heal.
    const time = async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'));
    await expect.poll(time, { timeout: 30_000 }).toBeGreaterThan(25_000);
    await expect(label).toHaveAttribute('data-verdict', verdict, { timeout: 10_000 });
    await expect(label).toHaveText(new RegExp(`^${text}`)); // then its <title>
  });
}
