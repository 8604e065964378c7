// Exercises in the page: the list, the starter on the canvas (the design
// before it kept in My designs), Check in the engine's worker with each
// criterion's value, threshold and first breach, hints that cap the stars,
// the reference that passes, stars kept across a reload; and the design
// review's warnings, in its panel and on the canvas.
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath } from './screenshot-path';

const ID = 'flaky-database';

async function openExercise(page: Page) {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-engine', 'worker');
  await page.getByTestId('exercises').click();
  await expect(page.getByTestId(`exercise-${ID}`)).toBeVisible();
  await page.screenshot({ path: screenshotPath('exercises-list.png') });
  await page.getByTestId(`exercise-${ID}`).click();
  await expect(page.getByTestId('exercise')).toBeVisible();
}

test('an exercise opens its starter beside its prompt, and Check shows what fails and when', async ({ page }) => {
  await openExercise(page);
  // The starter is on the canvas; the slice the page opened with is kept.
  for (const id of ['users', 'api', 'db']) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await expect(page.getByTestId('message')).toContainText('saved in My designs');
  await expect(page.getByTestId('exercise')).toContainText('800 reads/s');
  await page.screenshot({ path: screenshotPath('exercise-open.png') });

  await page.getByTestId('check-exercise').click();
  const verdict = page.getByTestId('verdict');
  await expect(verdict).toBeVisible({ timeout: 30_000 });
  await expect(verdict).toHaveAttribute('data-pass', 'false');
  await expect(verdict).toHaveAttribute('data-stars', '0');
  const failing = page.locator('[data-testid^="criterion-"][data-pass="false"]');
  expect(await failing.count()).toBeGreaterThan(0);
  // Each criterion shows its value against its threshold.
  await expect(failing.first()).toContainText(/[≤≥]/);
  await page.getByTestId('exercise').screenshot({ path: screenshotPath('exercise-failing.png') });
  await page.screenshot({ path: screenshotPath('exercise-page.png') });

  // A first breach moves the run to that moment.
  const breach = page.locator('[data-testid^="breach-"]').first();
  const t = Number(await breach.getAttribute('data-ms'));
  await breach.click();
  await expect.poll(async () => Number(await page.getByTestId('sim-time').getAttribute('data-value')), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(t);

  // My designs kept the design from before the exercise.
  await page.getByTestId('designs').click();
  await expect(page.locator('.design-name').first()).toBeVisible();
});

test('hints warn before they cost stars; the reference passes, and the stars stay after a reload', async ({ page }) => {
  await openExercise(page);
  await expect(page.getByTestId('hint-cost')).toContainText('from ★★★ to ★★☆');
  const reveal = page.getByTestId('reveal-hint');
  let n = 0;
  while (await reveal.isVisible()) {
    await reveal.click();
    n += 1;
    await expect(page.getByTestId(`hint-${n - 1}`)).toBeVisible();
  }
  expect(n).toBeGreaterThanOrEqual(3);
  await page.getByTestId('open-reference').click();
  await page.getByTestId('check-exercise').click();
  const verdict = page.getByTestId('verdict');
  await expect(verdict).toBeVisible({ timeout: 30_000 });
  await expect(verdict).toHaveAttribute('data-pass', 'true');
  // Worth three, capped at one by the hints.
  await expect(verdict).toHaveAttribute('data-stars', '1');
  await expect(verdict).toContainText('capped at ★☆☆ by the hints');
  expect(await page.locator('[data-testid^="criterion-"][data-pass="false"]').count()).toBe(0);
  await page.getByTestId('exercise').screenshot({ path: screenshotPath('exercise-passing.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('exercise').screenshot({ path: screenshotPath('exercise-passing-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.reload();
  await page.getByTestId('exercises').click();
  await expect(page.getByTestId(`exercise-${ID}`).locator('.stars')).toHaveAttribute('data-stars', '1');
});

test('the design review warns about a retry without backoff or jitter, in its panel and on the canvas', async ({ page }) => {
  await openExercise(page);
  const review = page.getByTestId('review');
  expect(Number(await review.getAttribute('data-warnings'))).toBeGreaterThan(0);
  await expect(page.getByTestId('lint-mark-api-db')).toBeVisible();
  await review.click();
  const warning = page.locator('[data-rule="retry-without-backoff-or-jitter"]');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('api -> db');
  await page.getByTestId('lint-panel').screenshot({ path: screenshotPath('review-panel.png') });
  await warning.click();
  await expect(page.getByTestId('edge-api-db')).toHaveClass(/selected/);
  await page.screenshot({ path: screenshotPath('review-canvas.png') });
});

test('an attempt is shared as a link that opens the same exercise with the same design; a bad one changes nothing', async ({ page, context }) => {
  await openExercise(page);
  // The learner's own change: 37 workers on the api.
  await page.getByTestId('node-api').click();
  await page.getByTestId('field-workers').fill('37');
  await page.getByTestId('field-workers').press('Enter');
  await expect(page.getByTestId('error-field-workers')).toHaveCount(0);
  // A check is an attempt, counted in this browser.
  await expect(page.getByTestId('exercise-attempts')).toHaveAttribute('data-value', '0');
  await page.getByTestId('check-exercise').click();
  await expect(page.getByTestId('verdict')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('exercise-attempts')).toHaveAttribute('data-value', '1');

  await page.getByTestId('share-attempt').click();
  const link = await page.getByTestId('attempt-link').inputValue();
  expect(link).toContain(`#v2.e.${ID}.`);
  await page.getByTestId('exercise').screenshot({ path: screenshotPath('exercise-share-attempt.png') });

  // A mentor opens it in a new page: the same exercise, beside the same design.
  const mentor = await context.newPage();
  await mentor.goto(link);
  await expect(mentor.getByTestId('exercise')).toBeVisible();
  await expect(mentor.getByTestId('exercise')).toContainText('800 reads/s');
  await mentor.getByTestId('node-api').click();
  await expect(mentor.getByTestId('field-workers')).toHaveValue('37');
  await expect(mentor.getByTestId('exercise-attempts')).toHaveAttribute('data-value', '1');

  // Pasted into a tab already open (no reload), it opens there too.
  const open = await context.newPage();
  await open.goto('/');
  await expect(open.getByTestId('exercise')).toHaveCount(0);
  // The tab's own design differs first (5 workers), so the paste must bring 37 back.
  await open.getByTestId('node-api').click();
  await open.getByTestId('field-workers').fill('5');
  await open.getByTestId('field-workers').press('Enter');
  await expect(open.getByTestId('field-workers')).toHaveValue('5');
  await open.evaluate((f) => (location.hash = f), link.slice(link.indexOf('#')));
  await expect(open.getByTestId('exercise')).toContainText('800 reads/s');
  await open.getByTestId('node-api').click();
  await expect(open.getByTestId('field-workers')).toHaveValue('37');

  // A link to an exercise this build does not have says so and opens nothing.
  const bad = link.replace(`#v2.e.${ID}.`, '#v2.e.no-such-exercise.');
  const other = await context.newPage();
  await other.goto(bad);
  await expect(other.getByTestId('message')).toContainText('"no-such-exercise", which this version of Faultline does not have');
  await expect(other.getByTestId('exercise')).toHaveCount(0);
  // The autosaved design is still there.
  await other.getByTestId('node-api').click();
  await expect(other.getByTestId('field-workers')).toHaveValue('37');
});

test("the review's marks move with the cards and links a drag carries", async ({ page }) => {
  await openExercise(page);
  const mark = page.getByTestId('lint-mark-api-db');
  await expect(mark).toBeVisible();
  const centre = async (el: ReturnType<Page['locator']>) => {
    const b = (await el.boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2, w: b.width };
  };
  const api = page.locator('[data-testid=node-api] rect.card');
  const db = page.locator('[data-testid=node-db] rect.card');
  // Where the mark is from api's card, in card widths (the camera may refit
  // when the cards land, so screen pixels alone would not compare).
  const seen = async () => {
    const [m, a] = [await centre(mark.locator('circle')), await centre(api)];
    return { x: (m.x - a.x) / a.w, y: (m.y - a.y) / a.w };
  };
  const before = await seen();
  const from = await centre(db);
  // Carry db down: the link api -> db goes onto the drag layer, its mark
  // with it (one copy, never the stale one left in the canvas).
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x, from.y + 60, { steps: 4 });
  await page.mouse.move(from.x, from.y + 120, { steps: 4 });
  await expect(page.locator('.drag-layer [data-testid=lint-mark-api-db]')).toHaveCount(1);
  await expect(mark).toHaveCount(1);
  await expect.poll(async () => (await seen()).y - before.y).toBeGreaterThan(0.3);
  const carried = await seen();
  await page.screenshot({ path: screenshotPath('review-mark-carried.png') });
  await page.mouse.up();
  // Landed: back in the canvas, where the drag showed it.
  await expect(page.locator('.drag-layer [data-testid=lint-mark-api-db]')).toHaveCount(0);
  await expect(mark).toHaveCount(1);
  await expect.poll(async () => Math.abs((await seen()).y - carried.y)).toBeLessThan(0.02);
  expect(Math.abs((await seen()).x - carried.x)).toBeLessThan(0.02);
});
