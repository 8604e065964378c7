#!/usr/bin/env bash
# Refreshes the pictures in assets/screenshots/ (the README shows three of them):
# builds the page, then runs the end-to-end specs that take them with
# FAULTLINE_SCREENSHOTS pointing there. `scripts/test.sh` takes the same
# pictures into test-results/screenshots/ (ignored), so a test run never
# changes them; run this on purpose, look at the result, and commit it.
# Written for bash 3.2 (macOS) and up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FAULTLINE_ROOT"

./scripts/setup.sh --test
source scripts/browsers.sh
trunk build --release
FAULTLINE_SCREENSHOTS=assets/screenshots npx playwright test \
  tests/e2e/screenshots.spec.ts tests/e2e/slice.spec.ts tests/e2e/faults.spec.ts
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git status --short assets/screenshots
fi
