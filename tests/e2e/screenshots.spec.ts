// The README's screenshots, in both themes, the compare view, and a check that
// the layout fits a tablet. Saved as playground-{light,dark}.png and
// compare-light.png where screenshotPath says
// (scripts/screenshots.sh refreshes the README's copies).
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath } from './screenshot-path';

async function runningPreset(page: Page) {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-cascade-before').click();
  await page.getByTestId('before-after').click();
  await expect(page.getByTestId('before-after')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value')), { timeout: 20_000 }).toBeGreaterThan(13_000);
  await page.getByTestId('pause').click();
  // The story collapsed to its strip (the before/after switch stays), for a bigger canvas.
  await page.getByTestId('narrative-toggle').click();
  await page.getByTestId('node-a').click();
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} theme`, () => {
    test.use({ colorScheme: scheme });
    test(`screenshot of the running playground (${scheme})`, async ({ page }) => {
      await runningPreset(page);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      // The page follows the system theme.
      expect(scheme === 'dark' ? bg !== 'rgb(245, 246, 248)' : bg === 'rgb(245, 246, 248)').toBe(true);
      await expect(page.locator('[data-testid^=breaker-]').first()).toBeVisible();
      await page.screenshot({ path: screenshotPath(`playground-${scheme}.png`) });
    });
  });
}

test('screenshot of the compare view: the cascade before and after on the same traffic', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-cascade-before').click();
  await page.getByTestId('compare-before-after').click();
  await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('compare-row-op-catalog-success')).toHaveAttribute('data-verdict', 'better');
  await page.screenshot({ path: screenshotPath('compare-light.png') });
});

test('the layout fits a tablet without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto('/');
  for (const id of ['canvas', 'inspector', 'palette-service', 'play', 'timeline', 'scrubber']) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
});
