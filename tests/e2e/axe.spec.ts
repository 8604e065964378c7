// The accessibility checker (axe-core, WCAG 2.2 AA rules) on the page's main
// states: no serious or critical violation. Each state is reached the way a
// learner reaches it; what axe finds is printed (rule, impact, how many
// elements) so a failure says what to mend.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The serious and critical violations on the page as it is now. */
async function serious(page: Page, state: string) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of results.violations) {
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
    console.log(`axe ${state}: ${v.impact} ${v.id} x${v.nodes.length}: ${where}`);
  }
  console.log(`axe ${state}: ${bad.length} serious/critical rules, ${bad.reduce((n, v) => n + v.nodes.length, 0)} elements`);
  return bad.map((v) => `${v.id} (${v.impact}) x${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function start(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} theme`, () => {
    test.use({ colorScheme: scheme });

    test('the first view', async ({ page }) => {
      await start(page);
      expect(await serious(page, `${scheme} initial`)).toEqual([]);
    });

    test('a node selected', async ({ page }) => {
      await start(page);
      await page.getByTestId('node-api').click();
      await expect(page.getByTestId('inspector')).toContainText('api');
      expect(await serious(page, `${scheme} node selected`)).toEqual([]);
    });

    test('the Library open', async ({ page }) => {
      await start(page);
      await page.getByTestId('library').click();
      await expect(page.getByTestId('preset-cascade-before')).toBeVisible();
      expect(await serious(page, `${scheme} library`)).toEqual([]);
    });

    test('the Share panel open', async ({ page }) => {
      await start(page);
      await page.getByTestId('share').click();
      await expect(page.getByTestId('share-link')).toBeVisible();
      expect(await serious(page, `${scheme} share`)).toEqual([]);
    });

    test('the connect list open', async ({ page }) => {
      await start(page);
      await page.getByTestId('node-api').click();
      await page.keyboard.press('c');
      await expect(page.getByTestId('connect-picker')).toBeVisible();
      expect(await serious(page, `${scheme} connect list`)).toEqual([]);
    });

    test('a phone', async ({ page }) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await start(page);
      await page.getByTestId('drawer-palette').click();
      await expect(page.getByTestId('palette-service')).toBeVisible();
      expect(await serious(page, `${scheme} phone`)).toEqual([]);
    });

    test('a preset running', async ({ page }) => {
      await start(page);
      await page.getByTestId('library').click();
      await page.getByTestId('preset-cascade-before').click();
      await page.getByTestId('play').click();
      await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value')), { timeout: 20_000 })
        .toBeGreaterThan(5_000);
      await page.getByTestId('pause').click();
      expect(await serious(page, `${scheme} preset running`)).toEqual([]);
    });
  });
}
