// Autoscaling: the autoscale-spike preset's fix, run past its load spike.
// The API card's pips grow from 4 instances as the autoscaler asks for more
// (its "ready of wanted" label under the card), and the run summary prices
// the instance-time.
import { expect, test, type Page } from '@playwright/test';

const num = async (page: Page, testid: string, attr: string) => Number(await page.getByTestId(testid).getAttribute(attr));

test('the autoscaler adds instances during the spike and the summary shows their cost', async ({ page }, info) => {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-autoscale-spike-before').click();
  await page.getByTestId('before-after').click();
  await expect(page.getByTestId('before-after')).toHaveAttribute('aria-pressed', 'true');
  // Before the run: 4 pods, the autoscaler asks for 4.
  await page.getByTestId('speed').fill('1.5');
  await page.getByTestId('play').click();
  await expect.poll(() => num(page, 'scaling-api', 'data-desired'), { timeout: 20_000 }).toBe(4);
  expect(await num(page, 'instances-api', 'data-instances')).toBe(4);
  // The spike starts at 60 s; the syncs at 75 s and 90 s ask for more, and
  // they are ready a start-up (10 s) and their pools later.
  await expect.poll(() => num(page, 'sim-time', 'data-value'), { timeout: 40_000 }).toBeGreaterThan(110_000);
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('play')).toBeEnabled();
  const desired = await num(page, 'scaling-api', 'data-desired');
  expect(desired).toBeGreaterThan(4);
  expect(desired).toBeLessThanOrEqual(12);
  await expect.poll(() => num(page, 'instances-api', 'data-instances')).toBeGreaterThan(4);
  await expect.poll(() => num(page, 'scaling-api', 'data-ready')).toBe(desired);
  // Cost: at least the 4 pods' 110 s at 0.1 per instance-hour.
  const cost = page.getByTestId('metric-cost');
  await expect.poll(async () => Number(await cost.getAttribute('data-value'))).toBeGreaterThan((4 * 110) / 3600 * 0.1);
  await expect(cost).toHaveText(/^\d+\.\d+$/);
  await page.screenshot({ path: info.outputPath('autoscale-spike.png') });
});
