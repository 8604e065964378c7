// The walking skeleton's promise: the page runs the engine live.
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath } from './screenshot-path';

const value = async (page: Page, testid: string) =>
  Number(await page.getByTestId(testid).getAttribute('data-value'));

/** Waits until the simulated time stops moving (the engine has paused and said where). */
async function settled(page: Page) {
  let last = NaN;
  await expect.poll(async () => {
    const now = await value(page, 'sim-time');
    const same = now === last;
    last = now;
    return same;
  }, { intervals: [250] }).toBe(true);
}

test('the slice shows three nodes and two edges', async ({ page }) => {
  await page.goto('/');
  for (const [id, kind] of [['client', 'client'], ['api', 'service'], ['db', 'database']]) {
    await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-kind', kind);
  }
  await expect(page.getByTestId('edge-client-api')).toBeVisible();
  await expect(page.getByTestId('edge-api-db')).toBeVisible();
});

test('play moves the readouts, pause freezes them', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const initial = await value(page, 'metric-p99');
  expect(await value(page, 'sim-time')).toBe(0);

  await page.getByTestId('play').click();
  // The p99 readout changes from its initial value as the engine runs.
  await expect.poll(() => value(page, 'metric-p99'), { timeout: 15_000 }).not.toBe(initial);
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(1_500);
  expect(await value(page, 'metric-throughput')).toBeGreaterThan(0);
  expect(await value(page, 'metric-p99-api')).toBeGreaterThan(0);
  expect(await value(page, 'metric-p99-db')).toBeGreaterThan(0);

  await page.getByTestId('pause').click();
  // The engine reports the moment it paused at (asynchronously, from its worker).
  await settled(page);
  const frozenTime = await value(page, 'sim-time');
  const frozenP99 = await value(page, 'metric-p99');
  await page.waitForTimeout(1_000);
  expect(await value(page, 'sim-time')).toBe(frozenTime);
  expect(await value(page, 'metric-p99')).toBe(frozenP99);

  // Screenshot for the README: the live slice after a few seconds.
  await page.screenshot({ path: screenshotPath('playground.png') });
  expect(errors).toEqual([]);
});

test('reset returns to time zero', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(300);
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '0');
  await expect(page.getByTestId('play')).toBeEnabled();
});

test('failed calls get their own latency line; the p99 line is of successes', async ({ page }) => {
  await page.goto('/');
  for (let i = 0; i < 20; i++) await page.getByTestId('step').click();
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '2000');
  await page.getByTestId('node-api').click();
  // Nothing has failed yet: no failed line, no failed readout.
  await expect(page.getByTestId('chart-p99')).toHaveAttribute('data-points', '2');
  await expect(page.getByTestId('chart-p99-failed')).toHaveCount(0);
  await page.getByTestId('node-db').click();
  await page.getByTestId('fault-crash').click();
  for (let i = 0; i < 10; i++) await page.getByTestId('step').click();
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '3001');
  await page.getByTestId('node-api').click();
  const failed = page.getByTestId('chart-p99-failed');
  await expect(failed).toBeVisible();
  await expect(failed).toHaveText(/^failed /);
  expect(Number(await failed.getAttribute('data-value'))).toBeGreaterThanOrEqual(0);
  await expect(page.locator('[data-testid=chart-p99] polyline.series.failed')).toHaveCount(1);
  // The successes' line does not drop to 0 in the second where every call failed.
  const ok = page.locator('[data-testid=chart-p99] polyline.series.p99');
  await expect(ok).toHaveCount(1);
  expect((await ok.getAttribute('points'))!.trim().split(' ').length).toBe(2);
  await page.locator('.charts').screenshot({ path: '/tmp/c-latency-charts.png' });
});
