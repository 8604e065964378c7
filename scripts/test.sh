#!/usr/bin/env bash
# Sets everything up, then runs every test Faultline has: formatting, lints,
# native tests, wasm tests in headless Chromium, the release builds, the
# bundle report and the Playwright end-to-end tests against the built page.
# Each step prints its runner's summary; the script exits non-zero if any fails.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FAULTLINE_ROOT"

./scripts/setup.sh || { echo "setup failed"; exit 1; }

passed=()
failed=()
step() {
  local name="$1"; shift
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed+=("$name"); printf -- '--> %s: ok (%ss)\n' "$name" "$((SECONDS - start))"
  else
    failed+=("$name"); printf -- '--> %s: FAILED (%ss)\n' "$name" "$((SECONDS - start))"
  fi
}

step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy (native, all targets)" cargo clippy --workspace --all-targets -- -D warnings
step "cargo clippy (wasm32, web)" cargo clippy -p faultline-web --target wasm32-unknown-unknown -- -D warnings
step "native tests" cargo test --workspace
step "wasm tests in headless Chromium" \
  cargo test --target wasm32-unknown-unknown -p faultline-sim --test determinism -p faultline-web --test browser --test inspector_forms
step "share-link decoder fuzz (1,000,000 inputs)" \
  cargo run --quiet --release -p faultline-link --example fuzz -- 1000000
step "trunk build --release" trunk build --release
step "trunk build --release --public-url /faultline/" \
  trunk build --release --public-url /faultline/ --dist dist-sub
step "bundle size" ./scripts/bundle-size.sh dist
step "end-to-end tests (Playwright)" npx playwright test

printf '\nsummary: %d passed, %d failed\n' "${#passed[@]}" "${#failed[@]}"
for f in "${failed[@]}"; do printf '    FAILED: %s\n' "$f"; done
[ "${#failed[@]}" -eq 0 ]
