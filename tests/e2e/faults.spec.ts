// Breaking the running system from the page, and watching it recover.
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath } from './screenshot-path';

const value = async (page: Page, testid: string) =>
  Number(await page.getByTestId(testid).getAttribute('data-value'));

test('partition the service-database link: errors rise; heal: they go away', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('fault-menu')).toContainText('Select a node or a link');
  // 10x speed, so the 30 s call timeouts of the slice play out in seconds.
  await page.getByTestId('speed').fill('1');
  await expect(page.getByTestId('speed')).toHaveAttribute('data-value', '10');
  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(3_000);
  expect(await value(page, 'metric-error-rate')).toBe(0);

  await page.getByTestId('edge-api-db').click();
  await page.getByTestId('fault-partition').click();
  await expect(page.getByTestId('edge-api-db')).toHaveClass(/cut/);
  // Calls into the cut link vanish; the API's workers wait, its queue fills, users get 503s.
  await expect.poll(() => value(page, 'metric-error-rate'), { timeout: 20_000 }).toBeGreaterThan(0.5);

  await page.getByTestId('fault-heal').click();
  await expect(page.getByTestId('edge-api-db')).not.toHaveClass(/cut/);
  // Once the stuck calls time out (30 s simulated), the error rate returns to zero.
  await expect.poll(() => value(page, 'metric-error-rate'), { timeout: 30_000 }).toBe(0);
  await page.getByTestId('pause').click();
});

test('a crashed database is dimmed, restarts, and the faults replay on reset', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(1_500);
  await page.getByTestId('node-db').click();
  await page.getByTestId('fault-crash').click();
  await expect(page.getByTestId('node-db')).toHaveClass(/down/);
  await expect.poll(() => value(page, 'metric-error-rate'), { timeout: 10_000 }).toBeGreaterThan(0.5);
  await page.getByTestId('fault-restart').click();
  await expect(page.getByTestId('node-db')).not.toHaveClass(/down/);
  await page.screenshot({ path: screenshotPath('fault-injection.png') });

  // Reset replays the run with the recorded faults: the crash happens again by itself.
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('node-db')).not.toHaveClass(/down/);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('node-db')).toHaveClass(/down/, { timeout: 15_000 });
});

test('right-click opens the fault menu on a node; strength and duration are set by the user', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('node-api').click({ button: 'right' });
  const menu = page.getByTestId('context-menu');
  await expect(menu).toBeVisible();
  await menu.getByTestId('fault-factor').fill('4');
  await menu.getByTestId('fault-duration').fill('2');
  await expect(menu.getByTestId('fault-slow')).toHaveText('Slow ×4');
  await menu.getByTestId('fault-slow').click();
  await expect(page.getByTestId('context-menu')).toHaveCount(0);
  const block = page.getByTestId('timeline-fault-0');
  await expect(block).toHaveAttribute('title', /slow api ×4/);
  // A 2 s fault draws as a 2 s block on the 10-minute strip, not as a tick.
  const width = (await block.boundingBox())!.width;
  const strip = (await page.locator('.strip').boundingBox())!.width;
  expect(width).toBeGreaterThanOrEqual(4);
  expect(width).toBeLessThan(strip * 0.01);
});

test('short-circuited calls have particles of their own colour', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-cascade-before').click();
  await page.getByTestId('before-after').click();
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  // The breaker on A -> B opens at about 10.3 s; then calls to B are refused at A.
  await expect(page.getByTestId('breaker-a-b')).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  // The particle canvas counts its live dots of each colour in an attribute.
  const particles = page.getByTestId('particles');
  await expect.poll(async () => Number(await particles.getAttribute('data-p-short')), { timeout: 10_000 }).toBeGreaterThan(0);
  await page.getByTestId('pause').click();
  // The run summary counts the calls the breaker refused, though the users
  // see A's 5xx answers rather than short-circuits.
  const refused = Number(await page.getByTestId('metric-short-circuited').getAttribute('data-value'));
  expect(refused).toBeGreaterThan(0);
  await expect(page.getByTestId('failure-causes')).not.toContainText('short-circuited');
});
