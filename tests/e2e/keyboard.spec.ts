// The page without a mouse: build, connect, select a link, partition it and
// play from the keyboard alone; panels that keep and return focus; Delete on
// what is visibly selected; what a screen reader is told about the sliders
// and a refused value.
import { expect, test, type Page } from '@playwright/test';
import { linkTo, preset } from './links';
import { screenshotPath } from './screenshot-path';

const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');

/** Presses Tab (Shift+Tab when `back`) until `testid` has focus; fails after `max` presses. */
async function tabTo(page: Page, testid: string, back = false, max = 80) {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === testid) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  expect(await focused(page), `Tab never reached ${testid}`).toBe(testid);
}

test('keyboard only: add two nodes, connect them, select the link, partition it, play', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await expect(page.locator('g.node')).toHaveCount(0);

  await tabTo(page, 'palette-client');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-client-1')).toBeVisible();
  await tabTo(page, 'palette-service');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-service-1')).toBeVisible();

  // Select the client (Tab reaches it, Enter selects it), C lists the targets, Enter connects.
  await tabTo(page, 'node-client-1');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-client-1')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('c');
  await expect(page.getByTestId('connect-picker')).toBeVisible();
  await expect(page.getByTestId('connect-to-service-1')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('connect-picker')).toHaveCount(0);
  await expect(page.getByTestId('edge-client-1-service-1')).toBeVisible();
  await expect(page.getByTestId('node-client-1'), 'focus back on the source card').toBeFocused();

  // Clear the selection, then select the link from the keyboard.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('edge-client-1-service-1')).toHaveAttribute('aria-pressed', 'false');
  await tabTo(page, 'edge-client-1-service-1', true);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('edge-client-1-service-1')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('fault-menu')).toContainText('client-1 → service-1');

  // Tab reaches the fault bar after the canvas, and the selection stays.
  await tabTo(page, 'fault-partition');
  await expect(page.getByTestId('edge-client-1-service-1')).toHaveAttribute('aria-pressed', 'true');
  // And Shift+Tab back across the cards does not change it either.
  await tabTo(page, 'node-service-1', true);
  await expect(page.getByTestId('edge-client-1-service-1')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('node-service-1')).toHaveAttribute('aria-pressed', 'false');
  await tabTo(page, 'fault-partition');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('edge-client-1-service-1')).toHaveClass(/cut/);
  await expect(page.getByTestId('timeline-fault-0')).toBeVisible();

  await page.keyboard.press('p');
  await expect(page.getByTestId('pause')).toBeEnabled();
  await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'))).toBeGreaterThan(500);
});

test('arrow keys go between the links of a node', async ({ page }) => {
  // The gateway calls several services.
  const doc = preset('fanout-gateway');
  await page.goto(`/#${linkTo(doc)}`);
  const own = (doc.edges as { from: string; to: string }[]).filter((e) => e.from === 'gateway').map((e) => `edge-${e.from}-${e.to}`);
  expect(own.length).toBeGreaterThan(1);
  await expect(page.getByTestId(own[0])).toBeVisible();
  await page.getByTestId(own[0]).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId(own[1])).toBeFocused();
  await expect(page.getByTestId(own[1])).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId(own[0])).toBeFocused();
});

test('the shortcuts sheet lists connecting from the keyboard', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts')).toContainText('Connect the selected node');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcuts')).toHaveCount(0);
});

for (const [button, inside] of [['library', 'preset-cascade-before'], ['file-menu', null], ['share', 'share-copy'], ['designs', null]] as const) {
  test(`the ${button} panel takes focus, keeps it, closes on Escape and on a press outside`, async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('node-api')).toBeVisible();
    await page.getByTestId(button).focus();
    await page.keyboard.press('Enter');
    const panel = page.locator('.panel-host [role=dialog]');
    await expect(panel).toBeVisible();
    await expect(panel).toHaveAttribute('aria-modal', 'true');
    const inPanel = () => page.evaluate(() => !!document.activeElement?.closest('.panel-host'));
    await expect.poll(inPanel, { message: 'focus moved inside', timeout: 2_000 }).toBe(true);
    if (inside) await expect.poll(() => focused(page)).not.toBe('');
    // Tab around more times than there are controls: focus never leaves.
    // Polled, not read once: when a list arrives in place of the "Loading…"
    // line that held focus, focus is on the removed line until the panel
    // puts it back (a Tab in between is the panel's too: see the next test).
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
      await expect.poll(inPanel, { message: `after ${i + 1} presses`, timeout: 2_000 }).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
    await expect(page.getByTestId(button), 'focus back on its button').toBeFocused();
    // A press outside closes it too.
    await page.getByTestId(button).click();
    await expect(panel).toBeVisible();
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.click(canvas.x + canvas.width - 60, canvas.y + canvas.height / 2);
    await expect(panel).toHaveCount(0);
  });
}

test('the library list arriving under the focused "Loading" line puts focus on its first preset', async ({ page }) => {
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route(/scenarios\//, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  await page.getByTestId('library').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('library-status')).toBeFocused();
  // Nothing to move to yet: Tab keeps focus on the line.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('library-status')).toBeFocused();
  release();
  await expect(page.getByTestId('preset-cascade-before')).toBeFocused();
});

test('a Tab while focus is lost (on the page body) goes back into the open panel', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-copy')).toBeVisible();
  // Focus lost, with the browser's place for the next Tab outside the panel
  // (a script focused the Play button, then dropped focus).
  await page.evaluate(() => {
    const play = document.querySelector<HTMLElement>('[data-testid="play"]')!;
    play.focus();
    play.blur();
  });
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('.panel-host'))).toBe(true);
  await page.keyboard.press('Shift+Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('.panel-host'))).toBe(true);
});

test('Delete deletes the picked fault block, never a node', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('node-db').click();
  await page.getByTestId('fault-crash').click();
  await expect(page.getByTestId('timeline-fault-0')).toBeVisible();
  // The node is still selected; picking the block moves the selection to it.
  await page.getByTestId('timeline-fault-0').click();
  await expect(page.getByTestId('node-db')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('timeline-delete')).toBeVisible();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('timeline-fault-0')).toHaveCount(0);
  await expect(page.getByTestId('node-db')).toBeVisible();
  await expect(page.locator('g.node')).toHaveCount(3);
});

test('sliders say their values, a refused value is tied to its field, buttons are named by their labels', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-api')).toBeVisible();
  await page.getByTestId('speed').fill('1');
  await expect(page.getByTestId('speed')).toHaveAttribute('aria-valuetext', '10x');
  await expect(page.getByTestId('scrubber')).toHaveAttribute('aria-valuetext', '0:00.0');
  await page.getByTestId('play').click();
  await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'))).toBeGreaterThan(2_000);
  await page.getByTestId('pause').click();
  // The scrubber says the clock's time. Polled: a frame already on its way
  // when pause was pressed, and the engine's answer to the pause, can still
  // move both after the click.
  await expect
    .poll(async () => {
      const now = Number(await page.getByTestId('sim-time').getAttribute('data-value'));
      const tenths = Math.floor(now / 100);
      const clock = `${Math.floor(tenths / 600)}:${String(Math.floor(tenths / 10) % 60).padStart(2, '0')}.${tenths % 10}`;
      return `${clock} vs ${await page.getByTestId('scrubber').getAttribute('aria-valuetext')}`;
    })
    .toMatch(/^(\d+:\d\d\.\d) vs \1$/);

  await page.getByTestId('node-api').click();
  await expect(page.getByRole('button', { name: 'Crash' })).toHaveAttribute('data-testid', 'fault-crash');
  await page.getByTestId('field-workers').fill('0');
  await page.getByTestId('field-workers').press('Enter');
  await expect(page.getByTestId('field-workers')).toHaveAttribute('aria-invalid', 'true');
  const by = (await page.getByTestId('field-workers').getAttribute('aria-describedby'))!.split(' ');
  await expect(page.locator(`[id="${by[0]}"]`)).toContainText('between');
  await page.getByTestId('field-workers').fill('2');
  await page.getByTestId('field-workers').press('Enter');
  await expect(page.getByTestId('field-workers')).not.toHaveAttribute('aria-invalid', 'true');
});

test('a skip link jumps past the cards to the fault bar, and one after them goes back to the palette', async ({ page }) => {
  // Three tiers: six cards and seven links, thirteen Tab stops without the bypass.
  await page.goto(`/#${linkTo(preset('three-tier'))}`);
  await expect(page.getByTestId('node-lb')).toBeVisible();
  const skip = page.getByTestId('skip-to-faults');
  // Out of sight until it has focus.
  expect((await skip.boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
  // Select the balancer first (the fault bar then has its faults), from the keyboard.
  await page.getByTestId('node-lb').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-lb')).toHaveAttribute('aria-pressed', 'true');
  // From the palette's last item the first Tab is the skip link, shown.
  const lastInPalette = page.locator('.palette-side button').last();
  await lastInPalette.focus();
  await tabTo(page, 'skip-to-faults', false, 4);
  const shown = (await skip.boundingBox())!;
  expect(shown.width).toBeGreaterThan(60);
  await expect(skip).toHaveText('Skip to the fault bar');
  await page.screenshot({ path: screenshotPath('skip-link.png') });
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => !!document.activeElement?.closest('.centre > .fault-bar'))).toBe(true);
  expect(await focused(page)).toMatch(/^fault-/);
  await expect(page.getByTestId('node-lb')).toHaveAttribute('aria-pressed', 'true');
  // After the last card and the canvas's buttons: back to the palette.
  await page.getByTestId('node-db').focus();
  await tabTo(page, 'skip-to-palette', false, 12);
  await page.keyboard.press('Enter');
  expect(await focused(page)).toMatch(/^palette-/);
  // With nothing selected the fault bar itself takes focus; Tab goes on from there.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('node-lb')).toHaveAttribute('aria-pressed', 'false');
  await lastInPalette.focus();
  await tabTo(page, 'skip-to-faults', false, 4);
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => document.activeElement?.classList.contains('fault-bar'))).toBe(true);
  // The sheet lists it.
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts')).toContainText('Skip to the fault bar');
});
