#!/usr/bin/env bash
# Installs the tools Faultline needs, from the package registries only.
#
#   scripts/setup.sh          what building and serving the page needs: the
#                             Rust toolchain of rust-toolchain.toml with its
#                             wasm32 target, trunk and the wasm-bindgen CLI
#                             (crates.io), wasm-opt (npm). Needs rustup and npm;
#                             works on Linux and macOS, no root, no browser.
#   scripts/setup.sh --test   that, plus what the tests add: Playwright (npm),
#                             Chromium and ChromeDriver (apt, where there is
#                             apt; elsewhere it says what to install).
#
# Idempotent: what is already there at the right version is skipped, so a
# second run takes about a second. Written for bash 3.2 (macOS) and up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FAULTLINE_ROOT"

mode="serve"
case "${1:-}" in
  "") ;;
  --test) mode="test" ;;
  *) printf 'usage: %s [--test]\n' "$0" >&2; exit 2 ;;
esac

TRUNK_VERSION=0.21.14
# wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
# The toolchain the project is tested with (rust-toolchain.toml).
RUST_TOOLCHAIN=$(awk -F'"' '/^channel *=/ { print $2; exit }' rust-toolchain.toml)

say() { printf '==> setup: %s\n' "$*"; }
fail() { printf '==> setup: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

command -v rustup >/dev/null 2>&1 \
  || fail "rustup is missing: install it from https://rustup.rs (or your package manager), then run this again"
command -v npm >/dev/null 2>&1 \
  || fail "npm is missing: install Node.js 20 or later (https://nodejs.org, or your package manager), then run this again"

# rustup reads rust-toolchain.toml in this directory: every cargo and rustup
# command below uses that toolchain. Each step only goes to the network when
# something is missing.
if ! rustup toolchain list | grep -q "^$RUST_TOOLCHAIN-"; then
  say "installing Rust $RUST_TOOLCHAIN (rust-toolchain.toml)"
  rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal \
    --component rustfmt --component clippy --target wasm32-unknown-unknown
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding $component"
    rustup component add "$component"
  fi
done

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION from crates.io (compiles for several minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io (compiles for several minutes)"
  # No --locked: its lockfile names a crate version this registry lacks.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

# npm: wasm-opt (binaryen) is a dependency, Playwright and the accessibility
# checker (@axe-core/playwright) are devDependencies, so serving installs only
# the first. `npm ci` replaces node_modules whole.
npm_stale() { [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }
if [ "$mode" = test ]; then
  if npm_stale || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/playwright ] \
     || [ ! -f node_modules/@axe-core/playwright/package.json ]; then
    say "installing Playwright, axe-core and binaryen (wasm-opt) from npm"
    npm ci --no-audit --no-fund
  fi
elif npm_stale || [ ! -x node_modules/.bin/wasm-opt ]; then
  say "installing binaryen (wasm-opt) from npm"
  npm ci --omit=dev --no-audit --no-fund
fi

tools="$(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | cut -d' ' -f1-3)"
if [ "$mode" = serve ]; then
  say "ready to serve: rustc $RUST_TOOLCHAIN, $tools"
  exit 0
fi

# The browser and its driver, for the tests only.
source "$FAULTLINE_ROOT/scripts/browsers.sh"
if ! browsers_present && command -v apt-get >/dev/null 2>&1 \
   && [ "$CHROMIUM" = /usr/bin/chromium ] && [ "$CHROMEDRIVER" = /usr/bin/chromedriver ]; then
  say "installing Chromium and ChromeDriver with apt"
  if ! { as_root apt-get update -qq \
         && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }; then
    say "apt could not install chromium and chromium-driver (Debian's package names)"
  fi
fi
if ! browsers_present; then
  browsers_help
  exit 1
fi
say "ready to test: rustc $RUST_TOOLCHAIN, $tools, $("$CHROMIUM" --version 2>/dev/null | head -1), $("$CHROMEDRIVER" --version 2>/dev/null | cut -d' ' -f1-2)"
