// Consistent hashing with bounded loads in the page: the viral-key preset's
// balancer has no bound before the fix (no spill count on its card) and a
// 125% bound after it, which the inspector shows and edits like any field,
// and the card counts the calls the bound sent past their key's backend.
import { expect, test } from '@playwright/test';
import { openPreset } from './presets';
import { screenshotPath } from './screenshot-path';

test('the viral-key preset: the bound shows in the inspector and the card counts its spills', async ({ page }) => {
  await openPreset(page, 'lb-hot-key-before');
  await page.getByTestId('node-lb').click();
  const field = page.getByTestId('field-hash_balance_factor');
  await expect(field).toHaveValue('');
  await expect(page.getByTestId('metric-spilled-lb')).toHaveCount(0);

  await page.getByTestId('before-after').click();
  await expect(page.getByTestId('before-after')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('node-lb').click();
  await expect(field).toHaveValue('125');
  await page.getByTestId('speed').fill('1'); // 10x
  await page.getByTestId('play').click();
  const spilled = page.getByTestId('metric-spilled-lb');
  // About 23% of the calls spill at 125% (16,658 in the minute).
  await expect.poll(async () => Number(await spilled.getAttribute('data-value')), { timeout: 20_000 }).toBeGreaterThan(500);
  // The card shows the share of the calls placed so far.
  await expect(spilled).toHaveText(/^\d+\.\d%$/);
  await page.getByTestId('pause').click();
  await page.screenshot({ path: screenshotPath('bounded-load.png') });

  // Below 100% no backend could take the next call: refused with the range.
  await field.fill('99');
  await field.press('Enter');
  await expect(page.getByTestId('error-field-hash_balance_factor')).toContainText('between 100 and 10000');
  await field.fill('150');
  await field.press('Enter');
  await expect(page.getByTestId('error-field-hash_balance_factor')).toHaveCount(0);
});
