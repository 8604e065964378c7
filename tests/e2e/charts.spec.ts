// Charts people can read: axes with units, a legend, a line per operation
// (the cascade's lesson: after the fix catalog never fails and stays fast),
// a crosshair shared by every chart, drag to zoom and back, one chart
// expanded, and a time axis that matches the fault strip's.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openPreset, simTime } from './presets';
import { screenshotPath } from './screenshot-path';

const num = async (l: Locator, attr: string) => Number(await l.getAttribute(attr));

/** The cascade preset (its fix when `after`) played at 10x past `ms`, paused. */
async function cascade(page: Page, after: boolean, ms: number) {
  await openPreset(page, 'cascade-before', after);
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect.poll(() => simTime(page), { timeout: 30_000 }).toBeGreaterThan(ms);
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('play')).toBeEnabled();
  // The last readout has landed when the charts stop changing.
  let last = '';
  await expect.poll(async () => {
    const now = `${await page.getByTestId('chart-p99').getAttribute('data-points')}/${await simTime(page)}`;
    const same = now === last;
    last = now;
    return same;
  }, { intervals: [300] }).toBe(true);
}

/** The values (in the chart's unit) the crosshair box reads at `x` (0..1) on `chart`. */
async function readAt(page: Page, id: string, x: number) {
  const svg = page.getByTestId(`chart-${id}`).locator('svg');
  const box = (await svg.boundingBox())!;
  await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
  const crosshair = page.getByTestId(`crosshair-${id}`);
  await expect(crosshair).toBeVisible();
  return (await crosshair.locator('.reading').allTextContents()).join(' | ');
}

for (const after of [false, true]) {
  test(`cascade ${after ? 'after' : 'before'}: each operation has its own line on every chart`, async ({ page }) => {
    await cascade(page, after, 25_000);
    // The legend names every line, the fault markers included.
    const legend = page.getByTestId('chart-legend');
    await expect(legend).toContainText('all requests');
    await expect(page.getByTestId('legend-op-orders')).toBeVisible();
    await expect(page.getByTestId('legend-op-catalog')).toBeVisible();
    await expect(page.getByTestId('legend-fault')).toContainText('a fault starts');
    for (const id of ['throughput', 'error-rate', 'p50', 'p99']) {
      const chart = page.getByTestId(`chart-${id}`);
      // The overall line and one per operation (each drawn in its own colour).
      await expect(chart.locator('polyline.series.op')).not.toHaveCount(0);
      const strokes = await chart.locator('polyline.series').evaluateAll((els) =>
        [...new Set(els.map((e) => getComputedStyle(e).stroke))]);
      // The total, orders and catalog (and failed calls, on the latency charts) each in a colour of its own.
      expect(strokes.length, id).toBeGreaterThanOrEqual(3);
      // A value axis with its unit and round ticks, a time axis in seconds.
      await expect(chart.locator('.chart-unit')).toHaveText(/\((\/s|%|ms)\)/);
      const yTicks = await chart.locator('.y-ticks span').allTextContents();
      expect(yTicks).toHaveLength(3);
      expect(yTicks[2]).toMatch(/^0/);
      const xTicks = await chart.locator('.x-ticks span').allTextContents();
      expect(xTicks).toEqual(['0 s', '10 s', '20 s', '30 s', '40 s']);
      // The cascade's fault (B slows down at 10 s) is marked.
      await expect(chart.locator('line.fault-marker')).toHaveCount(1);
    }
    // The crosshair reads every line of the chart under the pointer at one moment.
    const errors = await readAt(page, 'error-rate', 0.5);
    // The other charts show the crosshair's line at the same moment.
    await expect(page.getByTestId('chart-throughput').locator('line.hover-line')).toHaveCount(1);
    const p99 = await readAt(page, 'p99', 0.5);
    const pct = (s: string, op: string) => Number(new RegExp(`${op} ([0-9.]+)%`).exec(s)![1]);
    const ms = (s: string, op: string) => {
      const m = new RegExp(`${op} ([0-9.]+) (ms|s)`).exec(s)!;
      return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
    };
    // At 20 s, ten seconds into B's slowdown.
    expect(errors).toContain('all requests');
    if (after) {
      // Orders fail fast; catalog is fine: no errors, answered in A's own time.
      expect(pct(errors, 'catalog')).toBe(0);
      expect(pct(errors, 'orders')).toBeGreaterThan(50);
      expect(ms(p99, 'catalog')).toBeLessThan(50);
    } else {
      // Without the fix catalog waits behind orders on A's workers, and fails with them.
      expect(pct(errors, 'catalog')).toBeGreaterThan(20);
      expect(ms(p99, 'catalog')).toBeGreaterThan(200);
    }
    await page.locator('.charts').screenshot({ path: screenshotPath(`charts-cascade-${after ? 'after' : 'before'}.png`) });
  });
}

test('drag across a chart zooms every chart into that span; double-click goes back', async ({ page }) => {
  await cascade(page, false, 22_000);
  const row = page.locator('.chart-row');
  expect([await num(row, 'data-t0'), await num(row, 'data-t1')]).toEqual([0, 40_000]);
  const svg = page.getByTestId('chart-throughput').locator('svg');
  const box = (await svg.boundingBox())!;
  // From 25% to 50% of the run: 10 s to 20 s.
  await page.mouse.move(box.x + box.width * 0.25, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + 10, { steps: 4 });
  await expect(page.getByTestId('chart-throughput').locator('rect.zoom-select')).toBeVisible();
  await page.mouse.move(box.x + box.width * 0.5, box.y + 10, { steps: 4 });
  await page.mouse.up();
  const [t0, t1] = [await num(row, 'data-t0'), await num(row, 'data-t1')];
  expect(Math.abs(t0 - 10_000)).toBeLessThan(500);
  expect(Math.abs(t1 - 20_000)).toBeLessThan(500);
  // Every chart follows, with ticks in the span.
  const ticks = await page.getByTestId('chart-p99').locator('.x-ticks span').allTextContents();
  expect(ticks[0]).toBe('10 s');
  expect(ticks.at(-1)).toBe('20 s');
  await expect(page.getByTestId('chart-zoom-out')).toBeVisible();
  await page.locator('.charts').screenshot({ path: screenshotPath('charts-zoomed.png') });
  await svg.dblclick();
  expect([await num(row, 'data-t0'), await num(row, 'data-t1')]).toEqual([0, 40_000]);
  await expect(page.getByTestId('chart-zoom-out')).toHaveCount(0);
});

test('one chart expands to a larger view and back', async ({ page }) => {
  await cascade(page, true, 15_000);
  const small = (await page.getByTestId('chart-p99').locator('svg').boundingBox())!;
  await page.getByTestId('expand-p99').click();
  await expect(page.getByTestId('chart-throughput')).toHaveCount(0);
  const big = (await page.getByTestId('chart-p99').locator('svg').boundingBox())!;
  expect(big.height).toBeGreaterThan(small.height * 3);
  expect(big.width).toBeGreaterThan(small.width * 3);
  await expect(page.getByTestId('expand-p99')).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: screenshotPath('chart-expanded.png') });
  await page.getByTestId('expand-p99').click();
  await expect(page.getByTestId('chart-throughput')).toBeVisible();
});

test('the fault strip, the scrubber and the charts put a moment at the same x', async ({ page }) => {
  await cascade(page, false, 12_000);
  // The cascade's fault starts at 10 s: its block on the strip.
  const block = (await page.getByTestId('timeline-fault-0').boundingBox())!;
  const strip = (await page.locator('.strip').boundingBox())!;
  const scrubber = page.getByTestId('scrubber');
  // The scrubber spans the whole run (40 s), like the strip.
  expect(await num(scrubber, 'max')).toBe(40_000);
  await scrubber.evaluate((el: HTMLInputElement) => {
    el.value = '10000';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '10000');
  const s = (await scrubber.boundingBox())!;
  // Chromium's thumb (14 px) runs from 7 px in to 7 px short of the end.
  const thumbX = s.x + 7 + (s.width - 14) * 0.25;
  expect(Math.abs(block.x - thumbX)).toBeLessThan(3);
  expect(Math.abs(block.x - (strip.x + strip.width * 0.25))).toBeLessThan(2);
  // Past the time reached there is nothing to scrub to: it stops there.
  const reached = await num(scrubber, 'data-reached');
  expect(reached).toBeLessThan(39_000);
  await scrubber.evaluate((el: HTMLInputElement) => {
    el.value = '39000';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await expect.poll(() => simTime(page)).toBeGreaterThan(reached - 200);
  expect(await simTime(page)).toBeLessThanOrEqual(reached);
});

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} theme`, () => {
    test.use({ colorScheme: scheme });
    test(`charts of the cascade fix with the crosshair (${scheme})`, async ({ page }) => {
      await cascade(page, true, 22_000);
      await readAt(page, 'p99', 0.45);
      await page.screenshot({ path: screenshotPath(`charts-page-${scheme}.png`) });
      await page.locator('.charts').screenshot({ path: screenshotPath(`charts-crosshair-${scheme}.png`) });
    });
  });
}

test('a partitioned link says when the calls it stops fail, on the canvas and over its charts', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect.poll(() => simTime(page)).toBeGreaterThan(2_000);
  await page.getByTestId('edge-api-db').click();
  await page.getByTestId('fault-partition').click();
  await expect(page.getByTestId('edge-api-db')).toHaveClass(/cut/);
  // Lost: api counts each on the link as a timeout when its 30 s timeout runs out.
  await expect(page.getByTestId('cut-note-api-db')).toContainText('timeoutsafter 30 s');
  await expect(page.getByTestId('charts-note')).toContainText('api gives up on each after its 30 s timeout');
  await page.getByTestId('pause').click();
  await page.screenshot({ path: screenshotPath('partition-note.png') });
  // The note's box is clear of both cards.
  const note = (await page.getByTestId('cut-note-api-db').boundingBox())!;
  for (const id of ['node-api', 'node-db']) {
    const card = (await page.getByTestId(id).locator('rect.card').first().boundingBox())!;
    const apart = note.x >= card.x + card.width || card.x >= note.x + note.width ||
      note.y >= card.y + card.height || card.y >= note.y + note.height;
    expect(apart, id).toBe(true);
  }
});
