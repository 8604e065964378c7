// The linearizability checker's verdict, live under a replicated store's
// card: the flash sale's AP price store serves stale prices while the
// regions are cut off and is caught ("NOT linearizable", final); the CP
// store of the fix stays "linearizable so far" through the partition.
import { expect, test } from '@playwright/test';

for (const [preset, verdict, text] of [
  ['flash-sale-before', 'not-linearizable', 'NOT linearizable'],
  ['flash-sale-after', 'linearizable', 'linearizable so far'],
] as const) {
  test(`${preset}: the store card says ${text}`, async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('library').click();
    await page.getByTestId(`preset-${preset}`).click();
    await page.getByTestId('speed').fill('1.5'); // 10^1.5: about 30x
    await page.getByTestId('play').click();
    const label = page.getByTestId('verdict-prices');
    // Past the partition (10 s to 20 s) and its heal.
    const time = async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'));
    await expect.poll(time, { timeout: 30_000 }).toBeGreaterThan(25_000);
    await expect(label).toHaveAttribute('data-verdict', verdict, { timeout: 10_000 });
    await expect(label).toHaveText(text);
  });
}
