// The cache: in the palette (from the engine's catalogue), and its hit ratio
// on the card while the cache-aside preset runs.
import { expect, test } from '@playwright/test';

test('the cache is in the palette and its card shows the hit ratio while the preset runs', async ({ page }, info) => {
  await page.goto('/');
  await expect(page.getByTestId('palette-cache')).toBeVisible();
  await page.getByTestId('library').click();
  await page.getByTestId('preset-cache-aside').click();
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value')), { timeout: 20_000 }).toBeGreaterThan(8_000);
  await page.getByTestId('pause').click();
  const hit = page.getByTestId('metric-hit-ratio-cache');
  await expect(hit).toContainText('%');
  // Che's approximation for this cache and popularity: about 0.6 once warm.
  const ratio = Number(await hit.getAttribute('data-value'));
  expect(ratio).toBeGreaterThan(0.4);
  expect(ratio).toBeLessThan(0.75);
  await page.getByTestId('node-cache').click();
  await expect(page.getByTestId('field-eviction')).toHaveValue('lru');
  await page.screenshot({ path: info.outputPath('cache-aside.png') });
  await page.getByTestId('node-cache').screenshot({ path: info.outputPath('cache-card.png') });
});
