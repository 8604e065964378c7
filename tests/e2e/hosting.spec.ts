// Hosting and failure behaviour of the built page.
import { expect, test } from '@playwright/test';

test('the /faultline/ subpath build runs under that subpath', async ({ page }) => {
  const failed: string[] = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(r.url()); });
  await page.goto('/faultline/');
  await expect(page.getByTestId('node-api')).toBeVisible();
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
