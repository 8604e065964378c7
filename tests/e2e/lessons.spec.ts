// The lesson must be visible: per-operation results on the client card and
// in the run summary, failures by cause as bars, link labels clear of the
// cards, a readable DOWN badge on a crashed node, and a preset's story that
// collapses without taking the before/after switch with it.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openPreset, simTime } from './presets';

const num = async (l: Locator, attr: string) => Number(await l.getAttribute(attr));

/** Opens the cascade preset (its fix when `after`) and plays it at 10x. */
async function play(page: Page, after: boolean) {
  await openPreset(page, 'cascade-before', after);
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
}

/** Pauses, and waits for the engine's last readout to land. */
async function pause(page: Page) {
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('play')).toBeEnabled();
  const run = page.getByTestId('run-summary');
  let last = '';
  await expect.poll(async () => {
    const now = `${await run.getAttribute('data-time')}/${await simTime(page)}`;
    const same = now === last;
    last = now;
    return same;
  }, { intervals: [300] }).toBe(true);
}

/** The cascade preset (its fix when `after`) run at 10x past `ms`, paused. */
async function cascade(page: Page, after: boolean, ms: number) {
  await play(page, after);
  await expect.poll(() => simTime(page), { timeout: 30_000 }).toBeGreaterThan(ms);
  await pause(page);
}

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

for (const after of [false, true]) {
  test(`cascade ${after ? 'after' : 'before'} the fix: results per operation on the users card and in the summary`, async ({ page }) => {
    await cascade(page, after, 25_000);
    // The run summary starts folded to one line (the canvas gets the height): open it.
    await page.getByTestId('fold-summary').click();
    const run = page.getByTestId('run-summary');
    const [ok, failed] = [await num(run, 'data-ok'), await num(run, 'data-failed')];
    const ops: Record<string, { success: number; p99: number; done: number }> = {};
    for (const op of ['orders', 'catalog']) {
      const row = page.getByTestId(`op-${op}`);
      await expect(row).toBeVisible();
      ops[op] = { success: await num(row, 'data-success'), p99: await num(row, 'data-p99'), done: await num(row, 'data-done') };
      // The card shows the same numbers, compactly.
      const card = page.getByTestId(`card-op-users-${op}`);
      await expect(card).toBeVisible();
      expect(await num(card, 'data-success')).toBe(ops[op].success);
      expect(await num(card, 'data-p99')).toBe(ops[op].p99);
      await expect(card).toContainText(op);
      const s = ops[op].success;
      const pct = s >= 0.99 && s < 1 ? (Math.floor(s * 1000) / 10).toFixed(1) : (s * 100).toFixed(0);
      await expect(card).toContainText(`${pct}%`);
    }
    // Every answered request is of one operation or the other.
    expect(ops.orders.done + ops.catalog.done).toBe(ok + failed);
    // Orders go to the slowed B and fail either way.
    expect(ops.orders.success).toBeLessThan(0.9);
    if (after) {
      // With a timeout and a breaker on A -> B, catalog requests (which never
      // reach B) are unaffected: all succeed, at A's own speed (2 ms mean work).
      expect(ops.catalog.success).toBeGreaterThan(0.999);
      expect(ops.catalog.p99).toBeLessThan(50);
      await expect(page.getByTestId('op-catalog')).not.toHaveClass(/bad/);
    } else {
      // Without them, A's workers wait on B and catalog requests queue behind them.
      expect(ops.catalog.p99).toBeGreaterThan(200);
    }
    await expect(page.getByTestId('op-orders')).toHaveClass(/bad/);
  });
}

test('failures by cause are bars sized by their share of the failures', async ({ page }) => {
  await cascade(page, false, 20_000);
  const causes = page.getByTestId('failure-causes');
  // The run summary starts folded to one line (the canvas gets the height): open it.
  await page.getByTestId('fold-summary').click();
  await expect(causes).toBeVisible();
  const rows = causes.locator('[data-testid^=cause-]');
  expect(await rows.count()).toBeGreaterThan(0);
  const total = await num(page.getByTestId('run-summary'), 'data-failed');
  let sum = 0;
  for (const row of await rows.all()) {
    const count = await num(row, 'data-count');
    sum += count;
    // The bar's filled width over its track is the cause's share of the failures.
    const [fill, track] = await row.locator('.meter-fill, .meter').evaluateAll((els) =>
      els.map((e) => e.getBoundingClientRect().width),
    ).then((w) => [w[1], w[0]]);
    expect(track).toBeGreaterThan(40);
    expect(Math.abs(fill / track - count / total)).toBeLessThan(0.03);
  }
  expect(sum).toBe(total);
});

test('link labels stay clear of the cards: an open breaker reads in full', async ({ page }) => {
  await play(page, true);
  // B slows down at 10 s; the breaker on A -> B opens soon after.
  await expect(page.getByTestId('breaker-a-b')).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('breaker-a-b')).toHaveAttribute('data-state', 'open');
  await page.screenshot({ path: 'test-results/lessons/breaker-open.png' });
  const label = page.getByTestId('breaker-a-b').locator('.breaker-label');
  await expect(label).toContainText(/^open\s*\d/);
  const cards = await page.locator('[data-testid^=node-] rect.card').all();
  expect(cards.length).toBe(3);
  const labels = [label, ...(await page.locator('.edge-label').all())];
  expect(labels.length).toBe(3);
  for (const l of labels) {
    const lb = (await l.boundingBox())!;
    for (const c of cards) {
      const cb = (await c.boundingBox())!;
      expect(overlap(lb, cb), `${await l.textContent()} ${JSON.stringify(lb)} vs card ${JSON.stringify(cb)}`).toBe(false);
    }
  }
  // The label is drawn on top of what is under it: the topmost element at its centre is part of it.
  const lb = (await label.boundingBox())!;
  const top = await page.evaluate(([x, y]) => {
    const el = document.elementFromPoint(x, y);
    return el?.closest('.breaker') !== null;
  }, [lb.x + lb.width / 2, lb.y + lb.height / 2]);
  expect(top).toBe(true);
});

test.describe('dark theme', () => {
  test.use({ colorScheme: 'dark' });
  test('a crashed node has a DOWN badge with enough contrast', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('node-db').click();
    await page.getByTestId('fault-crash').click();
    const badge = page.getByTestId('node-db').getByText('DOWN', { exact: true });
    await expect(badge).toBeVisible();
    const [ratio, opacity] = await badge.evaluate((text) => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r, g, b] = rgb(c).map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      // What is behind the text: the badge's own rect if it has one, else the card.
      const group = text.parentElement!;
      const behind = group.querySelector('rect') ?? text.closest('.node')!.querySelector('rect.card')!;
      const [a, b] = [lum(getComputedStyle(text).fill), lum(getComputedStyle(behind).fill)];
      let opacity = 1;
      for (let el: Element | null = text; el && el.tagName !== 'svg'; el = el.parentElement) {
        opacity *= Number(getComputedStyle(el).opacity);
      }
      return [(Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), opacity];
    });
    expect(opacity).toBe(1);
    expect(ratio).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: 'test-results/lessons/down-dark.png' });
    // And the badge is not hidden behind anything.
    const box = (await badge.boundingBox())!;
    expect(box.width).toBeGreaterThan(20);
  });
});

test('the story collapses to a strip; the before/after switch stays and it opens again', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-cascade-before').click();
  const story = page.getByTestId('narrative');
  await expect(story).toContainText('What happens');
  const canvas = page.getByTestId('canvas');
  const wide = (await canvas.boundingBox())!;
  // Beside the canvas, not over it.
  expect(overlap((await story.boundingBox())!, wide)).toBe(false);

  await page.getByTestId('narrative-toggle').click();
  await expect(page.getByTestId('narrative-toggle')).toHaveAttribute('aria-expanded', 'false');
  await expect(story).not.toContainText('What happens');
  const strip = (await story.boundingBox())!;
  await page.screenshot({ path: 'test-results/lessons/story-collapsed.png' });
  expect(strip.height).toBeLessThan(60);
  const bigger = (await canvas.boundingBox())!;
  // The story's column goes back to the canvas; the strip costs it only its own height.
  expect(bigger.width).toBeGreaterThan(wide.width + 200);
  expect(bigger.height).toBeGreaterThan(wide.height - strip.height - 2);
  expect(bigger.width * bigger.height).toBeGreaterThan(wide.width * wide.height);
  expect(overlap(strip, bigger)).toBe(false);

  // The switch is still there, and works.
  const name = await page.locator('.scenario-name').textContent();
  await expect(page.getByTestId('before-after')).toBeVisible();
  await page.getByTestId('before-after').click();
  await expect(page.locator('.scenario-name')).not.toHaveText(name!);
  await expect(page.getByTestId('before-after')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('narrative-toggle')).toHaveAttribute('aria-expanded', 'false');

  await page.getByTestId('narrative-toggle').click();
  await expect(story).toContainText('What happens');
  await expect(page.getByTestId('before-after')).toBeVisible();
});

// Pictures of the lesson to look at (test-results/ is not committed).
for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} pictures`, () => {
    test.use({ colorScheme: scheme });
    for (const after of [false, true]) {
      test(`cascade ${after ? 'after' : 'before'} (${scheme})`, async ({ page }) => {
        await cascade(page, after, 22_000);
        await page.screenshot({ path: `test-results/lessons/cascade-${after ? 'after' : 'before'}-${scheme}.png` });
      });
    }
  });
}
