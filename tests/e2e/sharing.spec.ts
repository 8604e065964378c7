// Sharing and saving: links that replay the same run, the CLI running what the
// page exported, autosave, My designs, import/export, the library, embed
// mode, and the safety of whatever a link or a file carries.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkTo, preset } from './links';
import { screenshotPath } from './screenshot-path';

const cli = ['target/debug/faultline', 'target/release/faultline'].find((p) => existsSync(p));
const value = async (page: Page, testid: string) => Number(await page.getByTestId(testid).getAttribute('data-value'));
const readouts = ['metric-throughput', 'metric-p50', 'metric-p99', 'metric-error-rate', 'metric-in-flight'];
const snapshot = (page: Page) => Promise.all(readouts.map((id) => value(page, id)));

// The engine answers in its worker, asynchronously: after the clicks, wait
// until the page shows the moment they lead to.
async function steps(page: Page, n: number, untilMs: number) {
  for (let i = 0; i < n; i++) await page.getByTestId('step').click();
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', String(untilMs));
}

test('a share link replays the same run, live-injected faults included, in a fresh browser', async ({ page, browser }) => {
  await page.goto('/');
  await steps(page, 12, 1_200);
  await page.getByTestId('node-db').click();
  await page.getByTestId('fault-crash').click();
  // A fault "now" starts at the next millisecond, which the engine runs at once.
  await steps(page, 8, 2_001);
  await page.getByTestId('fault-restart').click();
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '0');
  await steps(page, 30, 3_000);
  const mine = await snapshot(page);
  const trace = await page.getByTestId('run-summary').getAttribute('data-trace');

  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toContain('#v1.');
  expect(await value(page, 'share-length')).toBe(link.length);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other.getByTestId('node-db')).toBeVisible();
  await expect(other.getByTestId('timeline-fault-1')).toBeVisible();
  await steps(other, 30, 3_000);
  expect(await snapshot(other)).toEqual(mine);
  expect(await other.getByTestId('run-summary').getAttribute('data-trace')).toBe(trace);
  await fresh.close();
});

test('the JSON the page exports after live faults runs in the CLI with the same trace and totals', async ({ page }) => {
  test.skip(!cli, 'the faultline binary is not built');
  await page.goto('/');
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(2_000);
  await page.getByTestId('edge-api-db').click();
  await page.getByTestId('fault-latency').click();
  await page.getByTestId('node-api').click();
  await page.getByTestId('fault-errors').click();
  await page.getByTestId('speed').fill('3');
  await expect(page.getByTestId('play')).toBeDisabled();
  await expect.poll(() => value(page, 'sim-time'), { timeout: 40_000 }).toBe(600_000);
  await expect.poll(() => page.getByTestId('run-summary').getAttribute('data-time')).toBe('600000');
  const summary = page.getByTestId('run-summary');
  const shown = {
    trace: await summary.getAttribute('data-trace'),
    generated: Number(await summary.getAttribute('data-generated')),
    ok: Number(await summary.getAttribute('data-ok')),
    failed: Number(await summary.getAttribute('data-failed')),
  };

  await page.getByTestId('file-menu').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-')), 'exported.json');
  await download.saveAs(file);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  expect(doc.faults.length).toBe(2);
  const report = JSON.parse(execFileSync(cli!, ['run', file, '--json'], { encoding: 'utf8' }));
  expect(report.trace_hash).toBe(shown.trace);
  expect(report.requests.generated).toBe(shown.generated);
  expect(report.requests.ok).toBe(shown.ok);
  expect(report.requests.failed.total).toBe(shown.failed);
});

test('a broken or unknown link says why and keeps the current work', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('palette-queue').click();
  await expect(page.getByTestId('node-queue-1')).toBeVisible();
  await page.waitForTimeout(600); // autosave is debounced
  for (const [fragment, why] of [
    ['v1.AAAA', /could not be opened/],
    ['v9.abc', /version/i],
    ['v1.!!!notbase64', /could not be opened/],
  ] as const) {
    await page.goto(`/?again=${fragment.length}#${fragment}`);
    await expect(page.getByTestId('message')).toContainText(why);
    await expect(page.getByTestId('node-queue-1')).toBeVisible();
  }
  // And a reload restores the autosave.
  await page.goto('/');
  await expect(page.getByTestId('node-queue-1')).toBeVisible();
});

test('a link pasted into a tab already open opens it, undo returns; a broken one says why and keeps the design', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('palette-queue').click();
  await expect(page.getByTestId('node-queue-1')).toBeVisible();
  // Only the fragment changes: the browser does not reload the page.
  const threeTier = preset('three-tier');
  await page.evaluate((f) => (location.hash = f), linkTo(threeTier));
  await expect(page.locator('.scenario-name')).toHaveText(threeTier.name);
  await expect(page.getByTestId('node-lb')).toBeVisible();
  await expect(page.getByTestId('node-queue-1')).toHaveCount(0);
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('node-queue-1')).toBeVisible();
  await expect(page.getByTestId('node-lb')).toHaveCount(0);
  await page.getByTestId('redo').click();
  await expect(page.getByTestId('node-lb')).toBeVisible();
  await page.getByTestId('undo').click();
  // The message a fresh tab gives for the same link; the design stays.
  await page.evaluate(() => (location.hash = 'v1.AAAA'));
  await expect(page.getByTestId('message')).toContainText(/could not be opened/);
  await expect(page.getByTestId('node-queue-1')).toBeVisible();
  // ... and the address bar follows the design again.
  await expect.poll(() => page.evaluate(() => location.hash)).not.toBe('#v1.AAAA');
  // An autoplay link plays.
  await page.evaluate((f) => (location.hash = f.replace(/^v1\./, 'v1.p.')), linkTo(preset('slice')));
  await expect(page.getByTestId('node-queue-1')).toHaveCount(0);
  await expect(page.getByTestId('pause')).toBeEnabled();
});

test('names from a link are text, never markup: nothing executes', async ({ page }) => {
  test.skip(!cli, 'the faultline binary is not built');
  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  const doc = JSON.parse(readFileSync('assets/scenarios/slice.json', 'utf8'));
  doc.name = payload;
  doc.nodes[1].name = payload;
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-')), 'evil.json');
  writeFileSync(file, JSON.stringify(doc));
  const fragment = execFileSync(cli!, ['link', file], { encoding: 'utf8' }).trim();
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    d.dismiss();
  });
  await page.goto(`/#${fragment}`);
  await expect(page.getByTestId('node-api')).toContainText('<img src=x');
  await page.getByTestId('play').click();
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('#app img, #app script').count()).toBe(0);
  expect(dialogs).toBe(0);
});

test('the page carries a strict Content-Security-Policy and breaks none of it', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto('/');
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("'wasm-unsafe-eval'");
  expect(policy).not.toContain("'unsafe-eval'");
  expect(policy).toContain("default-src 'none'");
  expect(policy).not.toMatch(/https?:/);
  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(1_000);
  await page.getByTestId('file-menu').click();
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  expect(png.suggestedFilename()).toMatch(/\.png$/);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  const svgText = readFileSync(await svg.path(), 'utf8');
  expect(svgText).toContain('<svg');
  expect(svgText).toContain('node-api');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csvText = readFileSync(await csv.path(), 'utf8');
  expect(csvText.split('\n')[0]).toBe('subject,kind,t_ms,arrivals,ok,failed,p50_ms,p99_ms,in_flight,failed_p50_ms,failed_p99_ms,hit_ratio,shard_arrivals,'
    + 'failed_timeout,failed_rejected,failed_refused,failed_error_status,failed_rate_limited,failed_client_error,'
    + 'failed_short_circuited,failed_bulkhead_full');
  expect(csvText).toContain('system,system,1000,');
  expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
});

test('autosave, My designs, import and the library', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('palette-service').click();
  await page.waitForTimeout(600);
  await page.reload();
  await expect(page.getByTestId('node-service-1')).toBeVisible();

  // My designs: save, rename, duplicate, open, delete.
  await page.getByTestId('designs').click();
  await page.getByTestId('design-name').fill('Shop');
  await page.getByTestId('design-save').click();
  await expect(page.getByTestId('design-0')).toContainText('Shop');
  await page.getByTestId('design-rename-0').click();
  await page.getByTestId('design-rename-input').fill('Shop v2');
  await page.getByTestId('design-rename-input').press('Enter');
  await expect(page.getByTestId('design-0')).toContainText('Shop v2');
  await page.getByTestId('design-duplicate-0').click();
  await expect(page.getByTestId('design-1')).toContainText('Shop v2 (2)');
  await page.getByTestId('design-delete-1').click();
  await expect(page.getByTestId('design-1')).toHaveCount(0);

  // Import a file: the three-tier starter. A broken file changes nothing.
  await page.getByTestId('file-menu').click();
  await page.getByTestId('import-json').setInputFiles('assets/scenarios/three-tier.json');
  await expect(page.locator('g.node')).toHaveCount(6);
  await page.getByTestId('file-menu').click();
  await page.getByTestId('import-json').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, "nodes": [') });
  await expect(page.getByTestId('message')).toContainText('broken.json is not valid JSON (line 1, column');
  await expect(page.locator('g.node')).toHaveCount(6);

  // The saved design opens again.
  await page.getByTestId('designs').click();
  await page.getByTestId('design-open-0').click();
  await expect(page.getByTestId('node-service-1')).toBeVisible();

  // The library: a preset with its narrative, flipped to the fix and back; undo returns to the design.
  await page.getByTestId('library').click();
  await page.getByTestId('preset-retry-storm-before').click();
  await expect(page.getByTestId('narrative')).toContainText('Retry storm');
  const before = await page.locator('.scenario-name').textContent();
  await page.getByTestId('before-after').click();
  await expect(page.locator('.scenario-name')).not.toHaveText(before!);
  await page.getByTestId('before-after').click();
  await expect(page.locator('.scenario-name')).toHaveText(before!);
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('node-service-1')).toBeVisible();
});

test('embed mode is a read-only view that plays', async ({ page }) => {
  await page.goto('/?embed=1');
  await expect(page.getByTestId('node-api')).toBeVisible();
  await expect(page.getByTestId('palette-service')).toHaveCount(0);
  await expect(page.getByTestId('inspector')).toHaveCount(0);
  await expect(page.getByTestId('fault-menu')).toHaveCount(0);
  // Read-only: keys and drags change nothing.
  await page.getByTestId('node-api').click();
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await expect(page.locator('g.node')).toHaveCount(3);
  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(500);
  await page.getByTestId('pause').click();
});

test('a fault injected on a step boundary survives scrubbing back and matches the CLI', async ({ page }) => {
  test.skip(!cli, 'the faultline binary is not built');
  await page.goto('/');
  await steps(page, 20, 2_000);
  await page.getByTestId('node-db').click();
  await page.getByTestId('fault-crash').click();
  await expect(page.getByTestId('node-db')).toHaveClass(/down/);
  await steps(page, 9, 2_901);
  // Back to before the crash, then forward again: it happens again at the same moment.
  await page.getByTestId('scrubber').evaluate((el: HTMLInputElement) => {
    el.value = '1000';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await expect(page.getByTestId('node-db')).not.toHaveClass(/down/);
  await steps(page, 20, 3_000);
  await expect(page.getByTestId('node-db')).toHaveClass(/down/);
  const trace = await page.getByTestId('run-summary').getAttribute('data-trace');
  const ok = Number(await page.getByTestId('run-summary').getAttribute('data-ok'));

  await page.getByTestId('file-menu').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-')), 'stepped.json');
  await download.saveAs(file);
  const report = JSON.parse(execFileSync(cli!, ['run', file, '--json', '--until-ms', '3000'], { encoding: 'utf8' }));
  expect(report.trace_hash).toBe(trace);
  expect(report.requests.ok).toBe(ok);
});

test('a .json file dropped on the page opens; without browser storage the page still works and says so', async ({ page }) => {
  await page.goto('/');
  const text = readFileSync('assets/scenarios/fanout-gateway.json', 'utf8');
  const dt = await page.evaluateHandle((t) => {
    const d = new DataTransfer();
    d.items.add(new File([t], 'fanout-gateway.json', { type: 'application/json' }));
    return d;
  }, text);
  await page.dispatchEvent('.shell', 'drop', { dataTransfer: dt });
  await expect(page.locator('g.node')).toHaveCount(JSON.parse(text).nodes.length);

  const blocked = await page.context().newPage();
  await blocked.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('denied', 'SecurityError');
      },
    });
  });
  await blocked.goto('/');
  await blocked.getByTestId('palette-service').click();
  await expect(blocked.getByTestId('message')).toContainText('storage is unavailable');
  await blocked.getByTestId('play').click();
  await expect.poll(async () => Number(await blocked.getByTestId('sim-time').getAttribute('data-value'))).toBeGreaterThan(300);
});

test('a bad import says what is wrong in plain words, closes the File panel and leaves the design alone', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  const nodes = await page.locator('g.node').count();
  const title = await page.getByTestId('title').textContent();
  const file = (name: string, text: string) => ({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  // Not JSON at all: where and what.
  await page.getByTestId('file-menu').click();
  await page.getByTestId('import-json').setInputFiles(file('design.json', '{\n  "version": 1,\n  "nodes": [,]\n}'));
  await expect(page.getByTestId('message')).toHaveText('design.json is not valid JSON (line 3, column 13): expected a value.');
  await expect(page.locator('.panel-host')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('import-not-json.png') });
  // JSON, but not a design: which node and what it lacks.
  const doc = preset('slice');
  delete doc.nodes[1].kind;
  await page.getByTestId('file-menu').click();
  await page.getByTestId('import-json').setInputFiles(file('design.json', JSON.stringify(doc, null, 2)));
  await expect(page.getByTestId('message')).toHaveText(`design.json is not a Faultline design: node 2 ("${doc.nodes[1].id}") has no kind.`);
  await expect(page.locator('.panel-host')).toHaveCount(0);
  // Some other JSON.
  await page.getByTestId('file-menu').click();
  await page.getByTestId('import-json').setInputFiles(file('package.json', '[1, 2, 3]'));
  await expect(page.getByTestId('message')).toContainText('package.json is not a Faultline design: it holds a list');
  // The design on the canvas is untouched, and nothing was added to undo.
  await expect(page.locator('g.node')).toHaveCount(nodes);
  await expect(page.getByTestId('title')).toHaveText(title!);
  await expect(page.getByTestId('undo')).toBeDisabled();
});
