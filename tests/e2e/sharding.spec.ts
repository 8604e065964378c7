// A sharded database in the page: the hot-key preset's card shows a heat
// strip with one cell per shard, and "add a shard" in the fault bar puts a
// reshard on the timeline after which the strip has one cell more.
import { expect, test } from '@playwright/test';

test('the hot-key preset shows a shard heat strip and a shard can be added', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-hot-key-before').click();
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value')), { timeout: 20_000 }).toBeGreaterThan(2_000);
  const strip = page.getByTestId('shards-db');
  await expect(strip).toHaveAttribute('data-shards', '8');
  await page.getByTestId('node-db').click();
  await page.getByTestId('fault-add-shard').click();
  await expect(page.getByTestId('timeline-fault-0')).toHaveAttribute('title', /reshard db to 9/);
  await expect(strip).toHaveAttribute('data-shards', '9', { timeout: 10_000 });
});
