// Failures by cause over time: the chart appears once something fails, with
// a legend naming each cause present and a line per cause (its own colour
// and dash pattern). The cascade before its fix turns users away (rejected);
// after it, the link A -> B times out, then its breaker short-circuits, and
// the users get A's 500s. A partitioned link's own charts show the calls it
// stops failing, as timeouts, while it is cut.
import { expect, test, type Page } from '@playwright/test';
import { openPreset, simTime } from './presets';
import { screenshotPath } from './screenshot-path';

/** Plays the open preset at `speed` (log10 of the factor) past `ms`, then pauses. */
async function playPast(page: Page, ms: number, speed = '1') {
  await page.getByTestId('speed').fill(speed);
  await page.getByTestId('play').click();
  await expect.poll(() => simTime(page), { timeout: 40_000 }).toBeGreaterThan(ms);
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('play')).toBeEnabled();
}

/** The causes the legend names, in its order. */
async function legendCauses(page: Page): Promise<string[]> {
  const ids = await page.locator('[data-testid^="legend-cause-"]').evaluateAll((els) =>
    els.map((e) => e.getAttribute('data-testid')!.replace('legend-cause-', '')));
  return ids;
}

test('cascade before its fix: the users are turned away (rejected), from B\'s slow-down on', async ({ page }) => {
  await openPreset(page, 'cascade-before');
  await playPast(page, 22_000);
  const chart = page.getByTestId('chart-causes');
  await expect(chart).toBeVisible();
  await expect(chart.locator('.chart-label')).toContainText('By cause');
  await expect(chart.locator('.chart-label')).toHaveAttribute('title', /^Failures by cause/);
  await expect(chart.locator('.chart-unit')).toHaveText(' (/s)');
  await expect.poll(() => legendCauses(page)).toEqual(['rejected']);
  await expect(chart.locator('polyline.cause-rejected')).not.toHaveCount(0);
  // A value axis with round ticks, a time axis over the run, the fault marked.
  const yTicks = await chart.locator('.y-ticks span').allTextContents();
  expect(Number(yTicks[0])).toBeGreaterThanOrEqual(50);
  expect(await chart.locator('.x-ticks span').allTextContents()).toEqual(['0 s', '10 s', '20 s', '30 s', '40 s']);
  await expect(chart.locator('line.fault-marker')).toHaveCount(1);
  // The crosshair reads it at 20 s: about half of A's 200 req/s turned away.
  const svg = chart.locator('svg');
  const box = (await svg.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  const reading = await page.getByTestId('crosshair-causes').locator('.reading').allTextContents();
  const rejected = Number(/rejected (\d+)\/s/.exec(reading.join(' '))![1]);
  expect(rejected).toBeGreaterThan(50);
  expect(rejected).toBeLessThan(200);
  // Before the slow-down nothing failed: the line sits at 0 there.
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await expect(page.getByTestId('crosshair-causes')).toContainText('rejected 0/s');
  await page.locator('.charts').screenshot({ path: screenshotPath('charts-causes-cascade-before.png') });
});

test('cascade after its fix: A -> B times out, then short-circuits; the users get 5xx', async ({ page }) => {
  await openPreset(page, 'cascade-before', true);
  await playPast(page, 22_000);
  await expect(page.getByTestId('chart-causes')).toBeVisible();
  await expect.poll(() => legendCauses(page)).toEqual(['5xx']);
  await page.getByTestId('edge-a-b').click();
  await expect(page.locator('.charts-title')).toContainText('a → b');
  await expect.poll(() => legendCauses(page)).toEqual(['all', 'timeout', 'short-circuited']);
  const chart = page.getByTestId('chart-causes');
  // Each cause its own colour and dash pattern (not colour alone).
  const looks = await chart.locator('polyline.cause').evaluateAll((els) =>
    [...new Set(els.map((e) => `${getComputedStyle(e).stroke}|${getComputedStyle(e).strokeDasharray}`))]);
  expect(looks).toHaveLength(2);
  expect(new Set(looks.map((l) => l.split('|')[0])).size).toBe(2);
  expect(new Set(looks.map((l) => l.split('|')[1])).size).toBe(2);
  // Timeouts just after B slows down (10 s), short circuits from then on.
  const svg = chart.locator('svg');
  const box = (await svg.boundingBox())!;
  // 11 s: the window from 10 s to 11 s.
  await page.mouse.move(box.x + box.width * 0.275, box.y + box.height / 2);
  await expect(page.getByTestId('crosshair-causes')).toContainText(/timeout [1-9]/);
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  const at20 = (await page.getByTestId('crosshair-causes').locator('.reading').allTextContents()).join(' ');
  expect(at20).toContain('timeout 0/s');
  expect(Number(/short-circuited (\d+)\/s/.exec(at20)![1])).toBeGreaterThan(50);
  await page.locator('.charts').screenshot({ path: screenshotPath('charts-causes-cascade-after-link.png') });
});

test('a partitioned link shows the calls it stops failing, as timeouts, while it is cut', async ({ page }) => {
  // The retry storm: clients -> B is cut from 20 s to 50 s, with a 1 s timeout.
  await openPreset(page, 'retry-storm-before');
  await playPast(page, 30_000);
  await page.getByTestId('edge-clients-b').click();
  await expect(page.getByTestId('edge-clients-b')).toHaveClass(/cut/);
  await expect(page.getByTestId('charts-note')).toContainText('clients gives up on each after its 1 s timeout');
  await expect(page.getByTestId('cut-note-clients-b')).toContainText('timeoutsafter 1 s');
  // The link's own error rate: every attempt fails while it is cut.
  const errors = page.getByTestId('chart-error-rate');
  await expect(errors.locator('.chart-value')).toHaveAttribute('data-value', '1');
  await expect.poll(() => legendCauses(page)).toEqual(['timeout']);
  const causes = page.getByTestId('chart-causes');
  expect(Number(await causes.locator('.chart-value').getAttribute('data-value'))).toBeGreaterThan(500);
  await page.screenshot({ path: screenshotPath('partition-link-causes.png') });
});
