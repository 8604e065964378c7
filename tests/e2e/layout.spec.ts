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

type Box = { x: number; y: number; width: number; height: number };

/** The two boxes do not overlap (touching is fine). */
function apart(a: Box | null, b: Box | null, what: string) {
  expect(a, `${what}: first box`).not.toBeNull();
  expect(b, `${what}: second box`).not.toBeNull();
  const overlap = a!.x < b!.x + b!.width - 0.5 && b!.x < a!.x + a!.width - 0.5 && a!.y < b!.y + b!.height - 0.5 && b!.y < a!.y + a!.height - 0.5;
  expect(overlap, `${what}: ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`).toBe(false);
}

const LONG_TITLE = 'A three-tier web application with a title far too long for the top bar, to see how it is cut';

for (const viewport of [{ width: 1280, height: 800 }, { width: 1024, height: 768 }]) {
  test.describe(`long names at ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport });

    test('text never collides: card titles and badges, the top bar, the blocked strip and the minimap', async ({ page }) => {
      const doc = preset('three-tier');
      doc.name = LONG_TITLE;
      const named = (id: string, name: string) => (doc.nodes.find((n: { id: string }) => n.id === id).name = name);
      named('lb', 'Regional load balancer for the European checkout');
      named('web-1', 'WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW');
      named('db', 'Ünïcödé database — 主数据库 with a long name');
      await page.goto(`/#${linkTo(doc)}`);
      await expect(page.getByTestId('title-lb')).toBeVisible();
      const wide = viewport.width >= 1280;
      if (wide) {
        // A balancer's title stops short of its "3/3 up". (At 1024 the cards
        // are drawn small, without the badge.)
        await expect(page.getByTestId('backends-lb')).toHaveText('3/3 up');
        apart(await page.getByTestId('title-lb').boundingBox(), await page.getByTestId('backends-lb').boundingBox(), 'balancer title and badge');
      }
      // Every title stays on its card.
      for (const n of doc.nodes as { id: string; name: string }[]) {
        const card = (await page.getByTestId(`node-${n.id}`).locator('rect.card').boundingBox())!;
        const title = (await page.getByTestId(`title-${n.id}`).boundingBox())!;
        expect(title.x + title.width, `${n.id}'s title inside its card`).toBeLessThanOrEqual(card.x + card.width - 4);
        // The full name stays the card's accessible name.
        await expect(page.getByTestId(`node-${n.id}`)).toHaveAttribute('aria-label', new RegExp(`^${n.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`));
      }
      // The title in the top bar: cut with room to read, the full title its
      // name and tooltip, clear of its neighbours, the bar one line inside
      // the window. (Below 1100 px the bar has no room for it: the inspector
      // shows and edits it.)
      const title = page.getByTestId('title');
      if (wide) {
        await expect(title).toBeVisible();
        await expect(title).toHaveAccessibleName(LONG_TITLE);
        await expect(title).toHaveAttribute('title', new RegExp(`^${LONG_TITLE}`));
        const tb = (await title.boundingBox())!;
        expect(tb.width, 'room for the title').toBeGreaterThanOrEqual(180);
        for (const other of ['.edit-controls', '.controls', '.menus']) apart(tb, await page.locator(`.topbar ${other}`).boundingBox(), `title and ${other}`);
      } else {
        await expect(title).toBeHidden();
      }
      await oneLine(page.locator('.topbar > *:visible'));
      await onScreen(page, page.getByTestId('sim-time'));
      await noOverflow(page);
      await page.screenshot({ path: screenshotPath(`long-names-${viewport.width}.png`) });

      // A balancer with no backends yet: why it cannot run is a strip above the canvas, over no card.
      await page.getByTestId('palette-load_balancer').click();
      const strip = page.getByTestId('blocked');
      await expect(strip).toContainText('has no backends');
      const sb = await strip.boundingBox();
      for (const card of await page.locator('g.node rect.card').all()) apart(sb, await card.boundingBox(), 'blocked strip and a card');
      // Adding a card froze the camera, but the minimap waits until the learner pans or zooms.
      await expect(page.getByTestId('minimap')).toHaveCount(0);
      await page.getByTestId('zoom-out').click();
      await expect(page.getByTestId('minimap')).toBeVisible();
      apart(sb, await page.getByTestId('minimap').boundingBox(), 'blocked strip and minimap');
      await page.screenshot({ path: screenshotPath(`blocked-${viewport.width}.png`) });
    });
  });
}

test('at 1280x720 with the story open the canvas has the height; charts and the run summary fold, remembered', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-cascade-before').click();
  await expect(page.getByTestId('narrative')).toBeVisible();
  await page.getByTestId('play').click();
  await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'))).toBeGreaterThan(3_000);
  await page.getByTestId('pause').click();
  const canvas = page.getByTestId('canvas');
  const height = async () => (await canvas.boundingBox())!.height;
  // By default: the run summary is one line, the charts are open and readable (axes and all).
  await expect(page.getByTestId('fold-summary')).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByTestId('fold-charts')).toHaveAttribute('aria-expanded', 'true');
  expect(await height(), 'the canvas by default').toBeGreaterThanOrEqual(360);
  const plot = (await page.locator('.chart svg').first().boundingBox())!;
  expect(plot.height).toBeGreaterThanOrEqual(50);
  await expect(page.locator('.x-ticks').first()).toBeVisible();
  await page.screenshot({ path: screenshotPath('layout-1280x720-story.png') });
  // The run summary opens (the canvas gives it room) and folds again.
  const folded = await height();
  await page.getByTestId('fold-summary').click();
  await expect(page.getByTestId('run-summary')).toBeVisible();
  expect(await height()).toBeLessThan(folded);
  await page.screenshot({ path: screenshotPath('layout-1280x720-summary-open.png') });
  // Folding the charts gives the canvas their height; the choice survives a reload.
  await page.getByTestId('fold-summary').click();
  await page.getByTestId('fold-charts').click();
  await expect(page.locator('.chart')).toHaveCount(0);
  expect(await height()).toBeGreaterThan(folded + 60);
  await page.reload();
  await expect(page.getByTestId('fold-charts')).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('.chart')).toHaveCount(0);
  await page.getByTestId('fold-charts').click();
  await expect(page.locator('.chart').first()).toBeVisible();
});
