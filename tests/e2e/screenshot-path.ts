// Where the end-to-end tests save their screenshots. A test run writes them to
// test-results/screenshots/ (ignored by git), so running the tests never
// rewrites a tracked file; scripts/screenshots.sh sets
// FAULTLINE_SCREENSHOTS=assets/screenshots to refresh the README's pictures.
import { join } from 'node:path';

export function screenshotPath(name: string): string {
  return join(process.env.FAULTLINE_SCREENSHOTS ?? 'test-results/screenshots', name);
}
