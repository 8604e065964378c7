// Hosting and failure behaviour of the built page.
import { expect, test } from '@playwright/test';

test('the /faultline/ subpath build runs under that subpath', async ({ page }) => {
  const failed: string[] = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(r.url()); });
  await page.goto('/faultline/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  // The engine's worker loads from the subpath too.
  await expect(page.locator('html')).toHaveAttribute('data-engine', 'worker');
  await page.getByTestId('play').click();
  await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'))).toBeGreaterThan(500);
  expect(failed).toEqual([]);
});

test('a panic reaches the console and shows the error banner', async ({ page }) => {
  const console_errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') console_errors.push(m.text()); });
  await page.goto('/?panic-test');
  const banner = page.getByTestId('fatal-error');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('deliberate panic requested by ?panic-test');
  expect(console_errors.join('\n')).toContain('deliberate panic requested by ?panic-test');
});

test('the page makes no request outside its own origin', async ({ page }) => {
  const foreign: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1')) foreign.push(r.url()); });
  await page.goto('/');
  await expect(page.getByTestId('node-db')).toBeVisible();
  expect(foreign).toEqual([]);
});

test('the engine runs in its Web Worker, and the page says so when the worker cannot start', async ({ page }) => {
  const simTime = async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'));
  const workerFiles: string[] = [];
  page.on('request', (r) => { if (/engine-worker|faultline-worker/.test(r.url())) workerFiles.push(r.url()); });
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-engine', 'worker');
  // Every worker file carries the build's tag (their names have no hash).
  expect(workerFiles.length).toBe(3);
  for (const url of workerFiles) expect(url).toMatch(/\?v=[0-9a-f]{8,}$/);
  await page.getByTestId('play').click();
  await expect.poll(simTime).toBeGreaterThan(500);
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('engine-unavailable')).toBeHidden();

  // The page has no second engine: without the worker it says so, and nothing runs.
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // Its wasm fails to load: the worker starts, then fails asynchronously.
  await page.route('**/faultline-worker_bg.wasm*', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-engine', 'unavailable');
  await expect(page.getByTestId('engine-unavailable')).toBeVisible();
  await expect(page.getByTestId('engine-unavailable')).toContainText('engine could not start');
  expect(errors.join('\n')).toContain('could not start');
  // The editor still shows the design; nothing runs.
  await expect(page.getByTestId('node-api')).toBeVisible();
  expect(await simTime()).toBe(0);
});

test("the engine's worker loads while the page's own wasm does, not after it", async ({ page }) => {
  // Hold the page's wasm until the worker's wasm has been asked for: with the
  // worker started only by the page's wasm, that would never happen.
  let workerWasmAsked: () => void = () => {};
  const asked = new Promise<void>((resolve) => { workerWasmAsked = resolve; });
  page.on('request', (r) => { if (/faultline-worker_bg\.wasm/.test(r.url())) workerWasmAsked(); });
  let heldUntilWorker = false;
  await page.route(/\/faultline-web-[0-9a-f]+_bg\.wasm$/, async (route) => {
    heldUntilWorker = await Promise.race([asked.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000))]);
    await route.continue();
  });
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-engine', 'worker', { timeout: 15_000 });
  expect(heldUntilWorker).toBe(true);
});

test('the library and the exercises come from the site when first opened, under the subpath too', async ({ page }) => {
  const failed: string[] = [];
  const data: string[] = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(r.url()); });
  page.on('request', (r) => { if (/\/(scenarios|exercises)\//.test(r.url())) data.push(new URL(r.url()).pathname); });
  await page.goto('/faultline/');
  await expect(page.locator('html')).toHaveAttribute('data-engine', 'worker');
  // Nothing of the library or the exercises is fetched before it is wanted.
  expect(data).toEqual([]);
  await page.getByTestId('library').click();
  await page.getByTestId('preset-cascade-before').click();
  await expect(page.getByTestId('narrative')).toBeVisible();
  await expect(page.getByTestId('node-b')).toBeVisible();
  expect(data).toContain('/faultline/scenarios/library.json');
  expect(data).toContain('/faultline/scenarios/cascade-after.json');
  await page.getByTestId('exercises').click();
  await page.getByTestId('exercise-url-shortener').click();
  await expect(page.getByTestId('exercise')).toBeVisible();
  expect(data).toContain('/faultline/exercises/url-shortener.json');
  expect(failed).toEqual([]);
});

test('a library that cannot be fetched says why, and is fetched again when its panel reopens', async ({ page }) => {
  await page.route('**/scenarios/library.json*', (route) => route.fulfill({ status: 503, body: 'down' }));
  await page.goto('/');
  await page.getByTestId('library').click();
  await expect(page.getByTestId('library-status')).toHaveText(/Could not load scenarios\/library\.json .*HTTP 503/);
  await expect(page.getByTestId('preset-cascade-before')).toHaveCount(0);
  await page.unroute('**/scenarios/library.json*');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('library')).toHaveAttribute('aria-expanded', 'false');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-cascade-before').click();
  await expect(page.getByTestId('narrative')).toBeVisible();
});
