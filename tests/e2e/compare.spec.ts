// Compare mode: a preset's before and after (or the current design and a
// saved one) run on the same traffic and fault timeline, charts overlaid and
// summaries side by side; the compare travels as a link; a broken compare
// link costs nothing of the user's work.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { openPreset, simTime } from './presets';
import { screenshotPath } from './screenshot-path';

const cli = [process.env.FAULTLINE_CLI ?? '', 'target/debug/faultline', 'target/release/faultline'].find(
  (p) => p && existsSync(p),
);

/** Opens the cascade preset and its compare view, and waits for both runs. */
async function compareCascade(page: Page) {
  await openPreset(page, 'cascade-before');
  await page.getByTestId('compare-before-after').click();
  await expect(page.getByTestId('compare')).toBeVisible();
  await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 30_000 });
}

const row = (page: Page, key: string) => page.getByTestId(`compare-row-${key}`);

test('cascade: before against after, two lines a chart, the catalog better in the table', async ({ page }) => {
  await compareCascade(page);
  await expect(page.getByTestId('compare-title')).toHaveText(
    'Compare: Cascade: B slows down tenfold, A has no breaker and no timeout vs ' +
      "Cascade fixed: a 200 ms timeout and the seed's circuit breaker on A -> B",
  );
  await expect(page.getByTestId('compare-rules')).toContainText('seed 11');
  await expect(page.getByTestId('compare-rules')).toContainText("A's fault timeline (1 fault)");
  // Each chart overlays A (solid) and B (dashed) on one axis, with the fault marker.
  for (const id of ['success', 'p99', 'throughput']) {
    const chart = page.getByTestId(`compare-chart-${id}`);
    await expect(chart.locator('polyline.cmp-a')).not.toHaveCount(0);
    await expect(chart.locator('polyline.cmp-b')).not.toHaveCount(0);
    await expect(chart.locator('.fault-marker')).toHaveCount(1);
  }
  for (const op of ['orders', 'catalog']) {
    await expect(page.getByTestId(`compare-op-${op}-success`).locator('polyline.cmp-b')).not.toHaveCount(0);
  }
  await expect(page.getByTestId('compare-legend')).toContainText('B: Cascade fixed');
  // The catalog, which never calls B, is back to ~100% and ~10 ms after the fix.
  const catalog = row(page, 'op-catalog-success');
  await expect(catalog).toHaveAttribute('data-verdict', 'better');
  expect(Number(await catalog.getAttribute('data-b'))).toBeGreaterThan(0.999);
  await expect(catalog.locator('.diff.better')).toContainText('better');
  await expect(catalog.locator('.diff')).toContainText('+');
  const p99 = row(page, 'op-catalog-p99');
  await expect(p99).toHaveAttribute('data-verdict', 'better');
  expect(Number(await p99.getAttribute('data-b'))).toBeLessThan(20);
  await expect(row(page, 'success')).toHaveAttribute('data-verdict', 'better');
  // Better and worse differ in colour, and not by colour alone.
  const colour = (sel: string) => page.locator(sel).first().evaluate((el) => getComputedStyle(el).color);
  if ((await page.locator('.diff.worse').count()) > 0) {
    expect(await colour('.diff.better')).not.toBe(await colour('.diff.worse'));
    await expect(page.locator('.diff.worse').first()).toContainText('worse');
  }
  // The live run was left alone: still at t = 0, the design still the before.
  expect(await simTime(page)).toBe(0);
  // Escape closes it and focus goes back to the button that opened it.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('compare')).toHaveCount(0);
  await expect(page.getByTestId('compare-before-after')).toBeFocused();
  await expect(page.getByTestId('node-b')).toBeVisible();
});

test('hovering a compare chart reads A and B at that second on every chart', async ({ page }) => {
  await compareCascade(page);
  const success = page.getByTestId('compare-chart-success');
  const box = (await success.locator('svg').boundingBox())!;
  // Three quarters of the way through the 40 s run: 30 s, long after B's slowdown at 10 s.
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
  const reading = page.getByTestId('compare-chart-success-reading');
  await expect(reading).toContainText('30 s');
  // Before the fix the orders (and with them the catalog) fail half the time; after it the catalog is whole.
  const catalog = page.getByTestId('compare-op-catalog-success-reading');
  await expect(catalog).toBeVisible();
  const [a, b] = (await catalog.locator('.reading').allTextContents()).map((t) => Number(t.replace(/[^0-9.]/g, '')));
  expect(a).toBeLessThan(90);
  expect(b).toBeGreaterThan(99.9);
  // Every chart of the view shows the crosshair's line.
  const charts = page.locator('[data-testid="compare"] figure.chart');
  await expect(page.locator('[data-testid="compare"] .hover-line')).toHaveCount(await charts.count());
  await page.mouse.move(1, 1);
  await expect(reading).toHaveCount(0);
});

test('the page shows the numbers faultline compare prints', async ({ page }) => {
  test.skip(!cli, 'the faultline binary is not built');
  await compareCascade(page);
  const out = execFileSync(cli!, ['compare', 'assets/scenarios/cascade-before.json', 'assets/scenarios/cascade-after.json', '--json']);
  const c = JSON.parse(out.toString());
  for (const side of ['a', 'b'] as const) {
    const r = c[side].Ok.summary.requests;
    const shown = Number(await row(page, 'success').getAttribute(`data-${side}`));
    expect(shown).toBe(r.ok / (r.ok + r.failed.total));
    expect(Number(await row(page, 'p99').getAttribute(`data-${side}`))).toBe(c[side].Ok.summary.latency_ms.p99);
  }
});

test('a compare link opens the same view; a garbage one says why and the design survives', async ({ page, browser }) => {
  await compareCascade(page);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-compare-link').inputValue();
  expect(link).toContain('#v3.c.');
  const rows = await page.locator('[data-testid^=compare-row-]').evaluateAll((els) =>
    els.map((e) => [e.getAttribute('data-testid'), e.getAttribute('data-a'), e.getAttribute('data-b')]),
  );

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other.getByTestId('compare-table')).toBeVisible({ timeout: 30_000 });
  await expect(other.getByTestId('compare-title')).toHaveText(await page.getByTestId('compare-title').innerText());
  const again = await other.locator('[data-testid^=compare-row-]').evaluateAll((els) =>
    els.map((e) => [e.getAttribute('data-testid'), e.getAttribute('data-a'), e.getAttribute('data-b')]),
  );
  expect(again).toEqual(rows);
  // Closing it shows the design the page had (the slice here), untouched.
  await other.getByTestId('compare-close').click();
  await expect(other.getByTestId('node-api')).toBeVisible();

  // A garbage compare link pasted into the open tab: a clear error, the design stays.
  await other.getByTestId('node-api').click();
  await other.evaluate(() => { location.hash = 'v3.c.this-is-not-a-payload!'; });
  await expect(other.getByTestId('message')).toContainText('This link could not be opened');
  await expect(other.getByTestId('compare')).toHaveCount(0);
  await expect(other.getByTestId('node-api')).toBeVisible();
  // And opened fresh: the autosaved design is what the page shows.
  await other.goto('/#v3.c.AAAA');
  await expect(other.getByTestId('message')).toContainText('This link could not be opened');
  await expect(other.getByTestId('node-api')).toBeVisible();
  await fresh.close();
});

test('My designs: compare the current design with a saved one', async ({ page }) => {
  await openPreset(page, 'cascade-before');
  await page.getByTestId('designs').click();
  await page.getByTestId('design-name').fill('Before the fix');
  await page.getByTestId('design-save').click();
  await page.keyboard.press('Escape');
  await page.getByTestId('before-after').click();
  await expect(page.getByTestId('before-after')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('designs').click();
  await page.getByTestId('design-compare-0').click();
  await expect(page.getByTestId('compare-title')).toContainText('Compare: Cascade fixed');
  await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 30_000 });
  // A is the current design (the fix): the catalog is worse in B, the saved before.
  await expect(row(page, 'op-catalog-success')).toHaveAttribute('data-verdict', 'worse');
  await page.getByTestId('compare-close').click();
  await expect(page.getByTestId('designs')).toBeFocused();
});

for (const [width, height] of [
  [1024, 768],
  [390, 844],
] as const) {
  test(`the compare view fits ${width}x${height} without sideways scrolling`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await openPreset(page, 'cascade-before');
    // What the page scrolls sideways without the view (its own business),
    // for the view must add nothing to it.
    const before = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.getByTestId('compare-before-after').click();
    await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath(`compare-${width}x${height}.png`), fullPage: false });
    const widths = await page.evaluate(() => {
      const host = document.querySelector('.compare-host')!;
      const wide = [...host.querySelectorAll('*')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map((e) => `${e.tagName}.${e.className}`)
        .slice(0, 5);
      return { page: document.documentElement.scrollWidth, host: host.scrollWidth, wide };
    });
    expect(widths).toEqual({ page: before, host: width, wide: [] });
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe-core finds nothing serious in the compare view (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await compareCascade(page);
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze();
    const bad = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} x${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    expect(bad).toEqual([]);
  });
}
