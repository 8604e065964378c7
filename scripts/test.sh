#!/usr/bin/env bash
# Sets everything up, then runs every test Faultline has: formatting, lints,
# native tests, wasm tests in headless Chromium, the release builds, the
# bundle report and the Playwright end-to-end tests against the built page,
# and last a check that the run left every tracked file as it found it.
# Each step prints its runner's summary; the script exits non-zero if any fails.
# Written for bash 3.2 (macOS) and up.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FAULTLINE_ROOT" || exit 1

./scripts/setup.sh --test || { echo "setup failed"; exit 1; }
source scripts/browsers.sh

scratch=$(mktemp -d "${TMPDIR:-/tmp}/faultline-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
point_wasm_tests_at_chromium "$scratch/webdriver.json"

# The checkout before the run (see scripts/checkout-state.sh).
./scripts/checkout-state.sh > "$scratch/checkout-before"
checkout_state=$?

passed=0
failed=0
failures=""
step() {
  local name="$1"; shift
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); printf -- '--> %s: ok (%ss)\n' "$name" "$((SECONDS - start))"
  else
    failed=$((failed + 1)); failures="$failures    FAILED: $name
"
    printf -- '--> %s: FAILED (%ss)\n' "$name" "$((SECONDS - start))"
  fi
}

checkout_unchanged() {
  ./scripts/checkout-state.sh > "$scratch/checkout-after"
  if cmp -s "$scratch/checkout-before" "$scratch/checkout-after"; then
    echo "tracked files as they were before the run"
    return 0
  fi
  echo "the run changed the checkout (git status before, after):"
  diff "$scratch/checkout-before" "$scratch/checkout-after"
  echo "tests must write only into ignored folders (test-results/, dist/, target/...)"
  return 1
}

step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy (native, all targets)" cargo clippy --workspace --all-targets -- -D warnings
step "cargo clippy (wasm32: page and worker)" \
  cargo clippy -p faultline-web -p faultline-worker --target wasm32-unknown-unknown -- -D warnings
step "native tests" cargo test --workspace
step "wasm tests in headless Chromium" \
  cargo test --target wasm32-unknown-unknown -p faultline-sim --test determinism --test check_wasm -p faultline-web --test browser --test inspector_forms --test exercises_browser --test interview_browser --test compare_browser
step "share-link decoder fuzz (1,000,000 inputs)" \
  cargo run --quiet --release -p faultline-link --example fuzz -- 1000000
step "trunk build --release" trunk build --release
step "trunk build --release --public-url /faultline/" \
  trunk build --release --public-url /faultline/ --dist dist-sub
step "bundle size" ./scripts/bundle-size.sh dist
step "end-to-end tests (Playwright)" npx playwright test
if [ "$checkout_state" -eq 0 ]; then
  step "the run left tracked files unchanged" checkout_unchanged
else
  printf '\n==> the run left tracked files unchanged: skipped (not a git checkout)\n'
fi

printf '\nsummary: %d passed, %d failed\n' "$passed" "$failed"
printf '%s' "$failures"
[ "$failed" -eq 0 ]
