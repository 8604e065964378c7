// Small screens: at 1024x768 the top bar and the fault bar keep to one line
// and the minimap can be hidden; on a phone (390x844) nothing scrolls
// sideways, the canvas keeps the width, the panels open as drawers, and a
// shared link views and runs.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { linkTo, preset } from './links';
import { screenshotPath } from './screenshot-path';

/** The page never scrolls sideways. */
async function noOverflow(page: Page) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.scrollingElement!.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll, `page is ${scroll} px wide in a ${inner} px window`).toBeLessThanOrEqual(inner);
}

/** Fully inside the window. */
async function onScreen(page: Page, l: Locator) {
  await expect(l).toBeVisible();
  const b = (await l.boundingBox())!;
  const vp = page.viewportSize()!;
  expect(b.x).toBeGreaterThanOrEqual(0);
  expect(b.y).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width).toBeLessThanOrEqual(vp.width + 0.5);
  expect(b.y + b.height).toBeLessThanOrEqual(vp.height + 0.5);
}

/** The elements' boxes, one line each: all share a row (their vertical centres within `slack` px). */
async function oneLine(l: Locator, slack = 6) {
  const boxes = (await l.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ y: r.y + r.height / 2, h: r.height, w: r.width }))))
    .filter((b) => b.w > 0);
  expect(boxes.length).toBeGreaterThan(0);
  const ys = boxes.map((b) => b.y);
  expect(Math.max(...ys) - Math.min(...ys), `centres at ${ys.join(', ')}`).toBeLessThanOrEqual(slack);
}

test.describe('1024x768', () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test('one line of controls and of fault buttons; the minimap can be hidden', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('node-api')).toBeVisible();
    await noOverflow(page);
    for (const id of ['library', 'share', 'undo', 'play', 'reset', 'speed', 'sim-time']) await onScreen(page, page.getByTestId(id));
    await oneLine(page.locator('.topbar > *:visible'));
    // The fault buttons of a service, and of a link, stay on one line.
    await page.getByTestId('node-api').click();
    await oneLine(page.locator('.fault-bar .btn.fault'));
    await onScreen(page, page.getByTestId('fault-crash'));
    await page.screenshot({ path: screenshotPath('layout-1024.png') });
    // The minimap shows once the camera moves off "fit", and hides on demand.
    await page.getByTestId('zoom-in').click();
    await expect(page.getByTestId('minimap')).toBeVisible();
    await page.getByTestId('minimap-toggle').click();
    await expect(page.getByTestId('minimap')).toHaveCount(0);
    await page.getByTestId('minimap-toggle').click();
    await expect(page.getByTestId('minimap')).toBeVisible();
  });
});

test.describe('a phone, 390x844', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

  test('nothing scrolls sideways, the canvas keeps the width, panels are drawers', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('node-api')).toBeVisible();
    await noOverflow(page);
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    expect(canvas.width).toBeGreaterThan(350);
    expect(canvas.height).toBeGreaterThan(250);
    for (const id of ['play', 'library', 'sim-time']) await onScreen(page, page.getByTestId(id));
    await page.screenshot({ path: screenshotPath('layout-390.png') });
    // The library opens as a drawer inside the window.
    await page.getByTestId('library').click();
    await onScreen(page, page.locator('.library-panel'));
    await noOverflow(page);
    await page.screenshot({ path: screenshotPath('layout-390-library.png') });
    await page.keyboard.press('Escape');
    await expect(page.locator('.library-panel')).toHaveCount(0);
    // The palette and the inspector are drawers too.
    await page.getByTestId('drawer-palette').click();
    await onScreen(page, page.getByTestId('palette-service'));
    await page.getByTestId('palette-service').click();
    await expect(page.getByTestId('node-service-1')).toBeVisible();
    await noOverflow(page);
    await page.getByTestId('drawer-inspector').click();
    await onScreen(page, page.getByTestId('inspector'));
    await expect(page.getByTestId('inspector')).toContainText('service-1');
    await page.screenshot({ path: screenshotPath('layout-390-inspector.png') });
  });

  test('a shared link views and runs on a phone', async ({ page }) => {
    await page.goto(`/#${linkTo(preset('slice'))}`);
    await expect(page.getByTestId('node-api')).toBeVisible();
    await noOverflow(page);
    await page.getByTestId('play').tap();
    await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value')), { timeout: 15_000 })
      .toBeGreaterThan(1_000);
    await onScreen(page, page.getByTestId('node-api'));
    await noOverflow(page);
    await page.screenshot({ path: screenshotPath('layout-390-running.png') });
  });
});
