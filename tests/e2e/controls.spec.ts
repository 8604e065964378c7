// Run controls: single step, the seed, and determinism in the browser.
import { expect, test, type Page } from '@playwright/test';

const value = async (page: Page, testid: string) =>
  Number(await page.getByTestId(testid).getAttribute('data-value'));

// The engine answers in its worker, asynchronously: after the clicks, wait
// until the page shows the moment they lead to.
async function stepTimes(page: Page, n: number, untilMs: number) {
  for (let i = 0; i < n; i++) await page.getByTestId('step').click();
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', String(untilMs));
}

test('step advances 100 ms; the same seed gives the same numbers; a new seed differs', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('seed').fill('7');
  await page.getByTestId('seed').press('Enter');
  await expect(page.getByTestId('seed')).toHaveValue('7');
  // Not a seed: the run keeps its seed, and the page says why.
  await page.getByTestId('seed').fill('-3');
  await page.getByTestId('seed').press('Enter');
  await expect(page.getByTestId('message')).toContainText('-3 is not a seed');
  await expect(page.getByTestId('message')).toContainText('The seed stays 7.');
  await expect(page.getByTestId('seed')).toHaveValue('7');
  await stepTimes(page, 12, 1_200);
  const first = [await value(page, 'metric-requests'), await value(page, 'metric-p99')];
  expect(first[0]).toBeGreaterThan(300);

  await page.getByTestId('reset').click();
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '0');
  await stepTimes(page, 12, 1_200);
  expect([await value(page, 'metric-requests'), await value(page, 'metric-p99')]).toEqual(first);

  await page.getByTestId('new-seed').click();
  await expect(page.getByTestId('seed')).not.toHaveValue('7');
  await stepTimes(page, 12, 1_200);
  expect([await value(page, 'metric-requests'), await value(page, 'metric-p99')]).not.toEqual(first);
});

test('the page and the native CLI give the same numbers for the same seed and time', async ({ page }) => {
  const { execFileSync } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  // Built by the native tests that run before the end-to-end tests.
  const cli = ['target/debug/faultline', 'target/release/faultline'].find((p) => existsSync(p));
  test.skip(!cli, 'the faultline binary is not built');
  const report = JSON.parse(execFileSync(cli!, [
    'run', 'assets/scenarios/slice.json', '--seed', '7', '--until-ms', '1200', '--json',
  ]).toString());

  await page.goto('/');
  await page.getByTestId('seed').fill('7');
  await page.getByTestId('seed').press('Enter');
  await stepTimes(page, 12, 1_200);
  expect(await value(page, 'metric-requests')).toBe(report.requests.generated);
  await expect(page.getByTestId('metric-requests')).toHaveText(
    `${report.requests.ok} ok / ${report.requests.failed.total} failed`);
});

test('at 1280 px the top bar fits on one line, clock included, even when a design runs slow', async ({ page }) => {
  // Everything in the bar ends inside the window, on the bar's one line.
  const fits = async () => {
    const bar = (await page.locator('header.topbar').boundingBox())!;
    const clock = (await page.getByTestId('sim-time').boundingBox())!;
    const play = (await page.getByTestId('play').boundingBox())!;
    return clock.x + clock.width <= 1280 && bar.height < 2 * play.height + 12 &&
      Math.abs(clock.y + clock.height / 2 - (play.y + play.height / 2)) < 4;
  };
  // The slice runs 10 minutes: "0:00.0 / 10:00.0".
  await page.goto('/');
  await expect(page.getByTestId('sim-time')).toContainText('10:00.0');
  expect(await fits()).toBe(true);
  // 200 nodes at 1000x: far too heavy, so the bar also says how fast it really runs.
  await page.goto('/?generate=200');
  await page.getByTestId('speed').fill('3');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('speed-achieved')).toBeVisible({ timeout: 15_000 });
  expect(await fits()).toBe(true);
  await page.getByTestId('pause').click();
});
