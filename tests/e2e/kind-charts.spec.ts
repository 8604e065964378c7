// The charts of a cache and of a sharded database: the hot-key-behind-a-cache
// preset (its fix), played for a few seconds; selecting the cache adds a
// hit-ratio chart near the share of views in the reads (46%), selecting the
// database a load-per-shard chart with a line per shard and its max/mean
// near 1. The screenshots of both go to test-results/screenshots/.
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath } from './screenshot-path';

const num = async (page: Page, id: string, attr = 'data-value') => Number(await page.getByTestId(id).getAttribute(attr));

test('a cache charts its hit ratio and a sharded database its load per shard', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-hot-key-cache-before').click();
  await page.getByTestId('before-after').click();
  await expect(page.getByTestId('before-after')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect.poll(() => num(page, 'sim-time'), { timeout: 30_000 }).toBeGreaterThan(6_000);
  await page.getByTestId('pause').click();

  await page.getByTestId('node-cache').click();
  const hit = page.getByTestId('chart-hit-ratio');
  await expect(hit).toBeVisible();
  await expect.poll(async () => Number(await hit.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(4);
  const ratio = await hit.locator('.chart-value').getAttribute('data-value');
  expect(Number(ratio!.replace('%', ''))).toBeGreaterThan(40);
  expect(Number(ratio!.replace('%', ''))).toBeLessThan(52);
  await expect(page.getByTestId('chart-shard-load')).toHaveCount(0);
  await page.locator('.charts').screenshot({ path: screenshotPath('charts-cache.png') });

  await page.getByTestId('node-db').click();
  const load = page.getByTestId('chart-shard-load');
  await expect(load).toHaveAttribute('data-shards', '8', { timeout: 10_000 });
  await expect(load.locator('polyline.shard-line')).toHaveCount(8);
  const maxMean = (await load.locator('.chart-value').getAttribute('data-value'))!;
  expect(Number(maxMean.replace('max/mean ', ''))).toBeLessThan(1.5);
  await expect(page.getByTestId('chart-hit-ratio')).toHaveCount(0);
  await page.locator('.charts').screenshot({ path: screenshotPath('charts-shards.png') });
  await page.screenshot({ path: screenshotPath('kind-charts-page.png') });
});

test('the hot shard stands apart on the shard load chart of the hot-key incident', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-hot-key-before').click();
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect.poll(() => num(page, 'sim-time'), { timeout: 30_000 }).toBeGreaterThan(6_000);
  await page.getByTestId('pause').click();
  await page.getByTestId('node-db').click();
  const load = page.getByTestId('chart-shard-load');
  await expect(load.locator('polyline.shard-line')).toHaveCount(8, { timeout: 10_000 });
  // (1,000 likes + 1,200/8 reads) / (2,200/8) = 4.2 at the shard; admitted
  // queries, what the chart counts, are close to it.
  const maxMean = (await load.locator('.chart-value').getAttribute('data-value'))!;
  expect(Number(maxMean.replace('max/mean ', ''))).toBeGreaterThan(3);
  await page.locator('.charts').screenshot({ path: screenshotPath('charts-hot-shard.png') });
});
