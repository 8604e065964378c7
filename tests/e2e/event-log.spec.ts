// An event log's card, live: the per-partition lag strip, the consumer
// group's assignment under it (which consumer owns which partitions) and
// the group's rebalances. On the consumer-rebalance preset three consumers
// share six partitions; the billing crash at 18.3 s stops the group
// (a rebalance), and consumption resumes with the partitions shared again.
import { expect, test } from '@playwright/test';
import { openPreset, simTime } from './presets';

test('consumer rebalance: the log card shows the assignment and counts the rebalances', async ({ page }) => {
  await openPreset(page, 'consumer-rebalance');
  await page.getByTestId('zoom-in').click();
  await page.getByTestId('zoom-in').click();
  await page.getByTestId('speed').fill('1'); // 10^1: 10x
  await page.getByTestId('play').click();
  const time = () => simTime(page);
  const strip = page.getByTestId('lag-ledger-events');
  const group = page.getByTestId('group-ledger-events');

  // Before the crash: every partition has an owner, three consumers, no rebalance yet.
  await expect.poll(time, { timeout: 20_000 }).toBeGreaterThan(3_000);
  await expect(strip).toHaveAttribute('data-partitions', '6');
  const before = (await strip.getAttribute('data-assignment'))!.split(',');
  expect(before).toHaveLength(6);
  expect(new Set(before).size).toBe(3);
  await expect(group).toHaveText(/^3 consumers · 0 rebalances/);
  // One bar per run of partitions a consumer owns.
  expect(await strip.locator('rect.group-run').count()).toBeGreaterThanOrEqual(3);

  // Past the crash: the group has rebalanced at least once, and says so.
  await expect.poll(time, { timeout: 40_000 }).toBeGreaterThan(24_000);
  const rebalances = Number(await group.getAttribute('data-rebalances'));
  expect(rebalances).toBeGreaterThanOrEqual(1);
  await expect(group).toHaveText(new RegExp(`· ${rebalances} rebalances?`));
  const after = (await strip.getAttribute('data-assignment'))!.split(',');
  expect(after).toHaveLength(6);
  // The run summary totals the log's checkers: the work redone after the
  // rebalance (processed since the last auto-commit) shows as processed twice.
  // The run summary starts folded to one line (the canvas gets the height): open it.
  await page.getByTestId('fold-summary').click();
  await expect(page.getByTestId('log-totals')).toBeVisible();
  // The redone work is counted as it is processed again, which can trail the
  // rebalance by a readout or two on a loaded machine: wait for it.
  const twice = () => page.getByTestId('metric-log-duplicates').getAttribute('data-value').then(Number);
  await expect.poll(twice, { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('metric-log-phantom')).toHaveAttribute('data-value', '0');
});

test('a design without an event log has no log totals in the run summary', async ({ page }) => {
  await openPreset(page, 'cascade-before');
  await page.getByTestId('play').click();
  await page.getByTestId('fold-summary').click();
  await expect(page.getByTestId('run-summary')).toBeVisible();
  await expect(page.getByTestId('log-totals')).toHaveCount(0);
});
