// Building a system on the canvas from nothing, editing it, undoing, scrubbing
// and driving it from the keyboard: all through the stable test hooks.
import { expect, test, type Page } from '@playwright/test';
import { linkTo, preset } from './links';
import { screenshotPath } from './screenshot-path';

const value = async (page: Page, testid: string) =>
  Number(await page.getByTestId(testid).getAttribute('data-value'));

async function centre(page: Page, testid: string) {
  const box = await page.getByTestId(testid).boundingBox();
  if (!box) throw new Error(`${testid} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function dragBetween(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
}

async function emptyCanvas(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await expect(page.locator('g.node')).toHaveCount(0);
}

async function connect(page: Page, from: string, to: string) {
  await dragBetween(page, await centre(page, `handle-${from}`), await centre(page, `node-${to}`));
  await expect(page.getByTestId(`edge-${from}-${to}`)).toBeVisible();
}

test('drag a client, a service and a database from the palette, connect them, edit, play', async ({ page }) => {
  await emptyCanvas(page);
  const canvas = page.getByTestId('canvas');
  const box = (await canvas.boundingBox())!;
  // Zoomed to fit an empty design; fix the camera first so drops land where aimed.
  await page.getByTestId('palette-client').dragTo(canvas, { targetPosition: { x: box.width * 0.2, y: box.height * 0.5 } });
  await expect(page.getByTestId('node-client-1')).toHaveAttribute('data-kind', 'client');
  await page.getByTestId('palette-service').dragTo(canvas, { targetPosition: { x: box.width * 0.5, y: box.height * 0.5 } });
  await expect(page.getByTestId('node-service-1')).toHaveAttribute('data-kind', 'service');
  await page.getByTestId('palette-database').dragTo(canvas, { targetPosition: { x: box.width * 0.8, y: box.height * 0.5 } });
  await expect(page.getByTestId('node-database-1')).toHaveAttribute('data-kind', 'database');

  await connect(page, 'client-1', 'service-1');
  await connect(page, 'service-1', 'database-1');
  // A refused connection says why and changes nothing.
  await dragBetween(page, await centre(page, 'handle-service-1'), await centre(page, 'node-client-1'));
  await expect(page.getByTestId('message')).toContainText('client');
  await expect(page.locator('g.edge')).toHaveCount(2);

  // The inspector: an invalid value is refused with the engine's message; a valid one applies.
  await page.getByTestId('node-service-1').click();
  await expect(page.getByTestId('inspector')).toContainText('service-1');
  await page.getByTestId('field-workers').fill('0');
  await page.getByTestId('field-workers').press('Enter');
  await expect(page.getByTestId('error-field-workers')).toContainText('between');
  await page.getByTestId('field-workers').fill('2');
  await page.getByTestId('field-workers').press('Enter');
  await expect(page.getByTestId('error-field-workers')).toHaveCount(0);
  await page.getByTestId('node-client-1').click();
  await expect(page.getByTestId('field-workers')).toHaveCount(0);
  await page.getByTestId('node-service-1').click();
  await expect(page.getByTestId('field-workers')).toHaveValue('2');

  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'metric-throughput'), { timeout: 15_000 }).toBeGreaterThan(50);
  await expect.poll(() => value(page, 'metric-throughput-database-1')).toBeGreaterThan(50);
  await expect.poll(async () => Number(await page.getByTestId('chart-throughput').getAttribute('data-points'))).toBeGreaterThan(1);

  // Partition service -> database: errors rise; heal: they stop.
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('edge-service-1-database-1').click();
  await page.getByTestId('fault-partition').click();
  await expect(page.getByTestId('edge-service-1-database-1')).toHaveClass(/cut/);
  await expect(page.getByTestId('timeline-fault-0')).toBeVisible();
  await expect.poll(() => value(page, 'metric-error-rate'), { timeout: 30_000 }).toBeGreaterThan(0.3);
  await page.getByTestId('fault-heal').click();
  await expect.poll(() => value(page, 'metric-error-rate'), { timeout: 40_000 }).toBe(0);
  await page.getByTestId('pause').click();
});

test('undo and redo, delete, copy and paste, rubber band', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('undo')).toBeDisabled();
  await page.getByTestId('palette-queue').click();
  await expect(page.getByTestId('node-queue-1')).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('node-queue-1')).toHaveCount(0);
  await page.keyboard.press('Control+Shift+z');
  await expect(page.getByTestId('node-queue-1')).toBeVisible();
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('node-queue-1')).toHaveCount(0);
  await page.getByTestId('redo').click();
  await expect(page.getByTestId('node-queue-1')).toBeVisible();

  // Move a node by dragging it: it snaps to the 20 px grid and undo puts it back.
  const card = page.locator('[data-testid=node-db] rect.card');
  const before = await card.boundingBox();
  const c = await centre(page, 'node-db');
  await dragBetween(page, c, { x: c.x + 30, y: c.y + 60 });
  const after = await card.boundingBox();
  expect(Math.abs(after!.y - before!.y)).toBeGreaterThan(10);
  await page.keyboard.press('Control+z');
  // Back where it was (within a pixel: the selection outline changes the layout a hair).
  await expect.poll(async () => Math.abs((await card.boundingBox())!.y - before!.y)).toBeLessThan(3);

  // Copy the database, paste it: a new node with a fresh id.
  await page.getByTestId('node-db').click();
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(page.getByTestId('node-db-1')).toBeVisible();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('node-db-1')).toHaveCount(0);

  // Shift-drag a rectangle around every card, delete them, undo brings them back.
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.keyboard.down('Shift');
  await dragBetween(page, { x: canvas.x + 5, y: canvas.y + 5 }, { x: canvas.x + canvas.width - 5, y: canvas.y + canvas.height - 5 });
  await page.keyboard.up('Shift');
  await expect(page.locator('.node.selected')).toHaveCount(4);
  await page.keyboard.press('Delete');
  await expect(page.locator('g.node')).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(page.locator('g.node')).toHaveCount(4);

  // The shortcuts overlay.
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts')).toContainText('Undo');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcuts')).toHaveCount(0);
});

test('scrub back to an earlier moment and see its readouts again, then play on', async ({ page }) => {
  await page.goto('/');
  for (let i = 0; i < 20; i++) await page.getByTestId('step').click();
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '2000');
  const ids = ['metric-throughput', 'metric-p50', 'metric-p99', 'metric-in-flight', 'metric-throughput-db'];
  const at2s = await Promise.all(ids.map((id) => value(page, id)));
  await page.getByTestId('speed').fill('0.5');
  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(6_000);
  await page.getByTestId('pause').click();
  const later = await Promise.all(ids.map((id) => value(page, id)));
  expect(later).not.toEqual(at2s);

  await page.getByTestId('scrubber').evaluate((el: HTMLInputElement) => {
    el.value = '2000';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '2000');
  expect(await Promise.all(ids.map((id) => value(page, id)))).toEqual(at2s);
  await page.getByTestId('play').click();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(2_500);
});

test('keyboard only: add a node from the palette and start the run', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focused()) === 'palette-service';
  }
  expect(found).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-service-1')).toBeVisible();
  // Arrow keys nudge the new (selected) node by one grid step.
  const x0 = (await page.getByTestId('node-service-1').boundingBox())!.x;
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await page.getByTestId('node-service-1').boundingBox())!.x).toBeGreaterThan(x0);
  found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Shift+Tab');
    found = (await focused()) === 'play';
  }
  expect(found).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('pause')).toBeEnabled();
  await expect.poll(() => value(page, 'sim-time')).toBeGreaterThan(500);
});

test('a fault on the timeline can be deleted, and scheduled at a picked time', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('node-db').click();
  // Pick 5 s on the strip (the run is 10 minutes long), then crash: scheduled, not now.
  const strip = (await page.locator('.strip').boundingBox())!;
  await page.mouse.click(strip.x + strip.width * (5_000 / 600_000), strip.y + strip.height / 2);
  await expect(page.getByTestId('fault-when')).toContainText(/0:0[45]/);
  await page.getByTestId('fault-crash').click();
  await expect(page.getByTestId('timeline-fault-0')).toHaveAttribute('data-at', /^5\d00$|^4\d00$/);
  await expect(page.getByTestId('node-db')).not.toHaveClass(/down/);
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('node-db')).toHaveClass(/down/, { timeout: 15_000 });
  await page.getByTestId('pause').click();
  await page.getByTestId('timeline-fault-0').click();
  await page.getByTestId('timeline-delete').click();
  await expect(page.getByTestId('timeline-fault-0')).toHaveCount(0);
  // Deleting a past fault restarts the run without it.
  await expect(page.getByTestId('sim-time')).toHaveAttribute('data-value', '0');
  await expect(page.getByTestId('node-db')).not.toHaveClass(/down/);
});

test('regions and zones are drawn as boxes and set from the inspector', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('node-db').click();
  await page.getByTestId('field-region').fill('eu-west');
  await page.getByTestId('field-region').press('Enter');
  await expect(page.getByTestId('region-eu-west')).toBeVisible();
  await page.getByTestId('field-zone').fill('eu-west-1a');
  await page.getByTestId('field-zone').press('Enter');
  await expect(page.getByTestId('zone-eu-west-1a')).toBeVisible();
  // The zone's box sits inside the region's.
  const region = (await page.getByTestId('region-eu-west').boundingBox())!;
  const zone = (await page.getByTestId('zone-eu-west-1a').boundingBox())!;
  expect(zone.x).toBeGreaterThan(region.x);
  expect(zone.x + zone.width).toBeLessThan(region.x + region.width);
});

test('a node whose id is "name": its card and the inspector\'s name field have ids of their own', async ({ page }) => {
  // The slice with its api renamed "name" everywhere (node, links, workload).
  const doc = JSON.parse(JSON.stringify(preset('slice')).replaceAll('"api"', '"name"'));
  await page.goto(`/#${linkTo(doc)}`);
  const card = page.getByTestId('node-name');
  await expect(card).toHaveCount(1);
  await card.click();
  await expect(card).toHaveClass(/selected/);
  await expect(card).toHaveCount(1);
  const field = page.getByTestId('field-name');
  await expect(field).toHaveValue('API service');
  await field.fill('Checkout');
  await field.press('Enter');
  await expect(card).toContainText('Checkout');
  await expect(card).toHaveClass(/selected/);
  // No field of the inspector is in the cards' namespace.
  await expect(page.locator('[data-testid=inspector] [data-testid^="node-"]')).toHaveCount(0);
  await expect(page.getByTestId('field-region')).toBeVisible();
  await expect(page.getByTestId('field-zone')).toBeVisible();
});

test('the title is renamed where it is shown: Enter commits, Escape cancels, never empty, undone, saved, names exports', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  const title = page.getByTestId('title');
  const before = (await title.textContent())!;
  // Escape cancels.
  await title.click();
  await page.getByTestId('title-input').fill('Never kept');
  await page.getByTestId('title-input').press('Escape');
  await expect(title).toHaveText(before);
  // An empty title is refused with a message; the field stays open.
  await title.focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('title-input').fill('   ');
  await page.getByTestId('title-input').press('Enter');
  await expect(page.getByTestId('message')).toContainText('needs a title');
  await expect(page.getByTestId('title-input')).toBeVisible();
  // Enter commits; focus comes back to the title.
  await page.getByTestId('title-input').fill('Checkout flow: v2!');
  await page.getByTestId('title-input').press('Enter');
  await expect(title).toHaveText('Checkout flow: v2!');
  await expect(title).toBeFocused();
  await expect(title).toHaveAttribute('title', /Checkout flow: v2!/);
  await page.screenshot({ path: screenshotPath('title-renamed.png') });
  // Undone and redone like any edit.
  await page.getByTestId('undo').click();
  await expect(title).toHaveText(before);
  await page.getByTestId('redo').click();
  await expect(title).toHaveText('Checkout flow: v2!');
  // Exports are named from it.
  await page.getByTestId('file-menu').click();
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  expect(json.suggestedFilename()).toBe('checkout-flow-v2.json');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(csv.suggestedFilename()).toBe('checkout-flow-v2-series.csv');
  // Saved with the design.
  await page.waitForTimeout(600);
  await page.reload();
  await expect(page.getByTestId('title')).toHaveText('Checkout flow: v2!');
});

test("a new card's name field shows the name it got", async ({ page }) => {
  await emptyCanvas(page);
  await page.getByTestId('palette-service').click();
  await expect(page.getByTestId('node-service-1')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('field-name')).toHaveValue('service-1');
  await expect(page.getByTestId('node-service-1')).toContainText('service-1');
});

test('a reload right after an edit keeps the edit, though the address bar had not caught up', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-engine', 'worker');
  // The address bar follows the design once it has been still for a moment.
  await expect.poll(() => new URL(page.url()).hash.length).toBeGreaterThan(10);
  const stale = page.url();
  await page.getByTestId('palette-service').click();
  // At once: the address is still the design's link from before the edit.
  expect(page.url()).toBe(stale);
  await page.reload();
  await expect(page.getByTestId('node-service-1')).toBeVisible();
  await expect.poll(() => page.url()).not.toBe(stale);
  // The old link, opened anew, is still that design: only this tab's reload is mended.
  const other = await context.newPage();
  await other.goto(stale);
  await expect(other.getByTestId('node-api')).toBeVisible();
  await expect(other.getByTestId('node-service-1')).toHaveCount(0);
});

test('a card dragged, nudged or duplicated past the edge of the design: the view does not refit, the card lands under the pointer', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-db')).toBeVisible();
  const canvas = page.getByTestId('canvas');
  const before = await canvas.getAttribute('viewBox');
  // The database is the rightmost card: moving it right widens the design,
  // which a camera still fitting the design would follow on the drop.
  const from = await centre(page, 'node-db');
  const to = { x: from.x + 30, y: from.y + 40 };
  await dragBetween(page, from, to);
  await expect(canvas).toHaveAttribute('viewBox', before!);
  // Under the pointer, give or take half of the 20-unit grid a card snaps to.
  const box = (await canvas.boundingBox())!;
  const [, , w, h] = before!.split(' ').map(Number);
  const halfGrid = 10 * Math.min(box.width / w, box.height / h) + 1;
  const landed = await centre(page, 'node-db');
  expect(Math.abs(landed.x - to.x)).toBeLessThan(halfGrid);
  expect(Math.abs(landed.y - to.y)).toBeLessThan(halfGrid);
  // Freezing the camera is not the learner navigating: no minimap.
  await expect(page.getByTestId('minimap')).toHaveCount(0);
  // Fit still refits, now to the moved design.
  await page.getByTestId('zoom-fit').click();
  await expect(canvas).not.toHaveAttribute('viewBox', before!);
  // Edits from the keyboard hold the view too: a nudge and a duplicate of
  // the rightmost card, each widening the design.
  const fitted = (await canvas.getAttribute('viewBox'))!;
  await page.getByTestId('node-db').click();
  const x0 = (await centre(page, 'node-db')).x;
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await centre(page, 'node-db')).x).toBeGreaterThan(x0);
  await expect(canvas).toHaveAttribute('viewBox', fitted);
  await page.keyboard.press('Control+d');
  await expect(page.getByTestId('node-db-1')).toBeVisible();
  await expect(canvas).toHaveAttribute('viewBox', fitted);
  // So do edits from the inspector, right after a Fit: a region drawn as a
  // box around the rightmost card widens the design too. Undo and redo keep
  // the view.
  await page.getByTestId('zoom-fit').click();
  await expect(canvas).not.toHaveAttribute('viewBox', fitted);
  const refitted = (await canvas.getAttribute('viewBox'))!;
  await page.getByTestId('node-db-1').click();
  await page.getByTestId('field-region').fill('eu-west');
  await page.getByTestId('field-region').press('Enter');
  await expect(page.getByTestId('region-eu-west')).toBeVisible();
  await expect(canvas).toHaveAttribute('viewBox', refitted);
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('region-eu-west')).toHaveCount(0);
  await expect(canvas).toHaveAttribute('viewBox', refitted);
  await page.getByTestId('redo').click();
  await expect(page.getByTestId('region-eu-west')).toBeVisible();
  await expect(canvas).toHaveAttribute('viewBox', refitted);
  // Fit takes in the region's box.
  await page.getByTestId('zoom-fit').click();
  await expect(canvas).not.toHaveAttribute('viewBox', refitted);
});
