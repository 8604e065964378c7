// Shared steps of the end-to-end tests that start from a library preset:
// opening one (and its fix), and reading the simulated time.
import { expect, type Page } from '@playwright/test';

/** The simulated time the page shows, in milliseconds. */
export async function simTime(page: Page): Promise<number> {
  return Number(await page.getByTestId('sim-time').getAttribute('data-value'));
}

/** Opens library preset `name` on a fresh page; with `after`, switches to its fix. */
export async function openPreset(page: Page, name: string, after = false): Promise<void> {
  await page.goto('/');
  await page.getByTestId('library').click();
  await page.getByTestId(`preset-${name}`).click();
  if (after) {
    await page.getByTestId('before-after').click();
    await expect(page.getByTestId('before-after')).toHaveAttribute('aria-pressed', 'true');
  }
}
