// A database with read replicas in the page: the replica-lag preset's card
// shows its members (the primary crowned) and counts the stale reads and
// read-your-writes violations as it runs; "fail over primary" in the fault
// bar kills the primary, a replica is promoted after detection + promotion
// (5 s + 2 s in the preset), and the card crowns another member.
import { expect, test } from '@playwright/test';

test('the replica-lag preset counts stale reads and violations, and the primary fails over', async ({ page }, info) => {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId('preset-replica-lag-before').click();
  await page.getByTestId('speed').fill('0.5'); // 10^0.5: about 3x
  await page.getByTestId('play').click();
  const time = async () => Number(await page.getByTestId('sim-time').getAttribute('data-value'));
  await expect.poll(time, { timeout: 20_000 }).toBeGreaterThan(3_000);
  const strip = page.getByTestId('replicas-db');
  await expect(strip).toHaveAttribute('data-replicas', '2');
  await expect(strip).toHaveAttribute('data-primary', '0');
  // About 45% of the owners' reloads (100 a second) miss their own save.
  await expect.poll(async () => Number(await strip.getAttribute('data-ryw')), { timeout: 10_000 }).toBeGreaterThan(100);
  expect(Number(await page.getByTestId('metric-stale-reads-db').getAttribute('data-value'))).toBeGreaterThan(100);
  await page.getByTestId('node-db').click();
  await page.getByTestId('fault-fail-primary').click();
  await expect(page.getByTestId('timeline-fault-0')).toHaveAttribute('title', /fail over db/);
  await expect(strip).toHaveAttribute('data-failing-over', 'true', { timeout: 10_000 });
  await expect(strip).toHaveAttribute('data-primary', /^[12]$/, { timeout: 20_000 });
  await page.getByTestId('node-db').screenshot({ path: info.outputPath('replicas-card.png') });
});
