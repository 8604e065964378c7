# shellcheck shell=bash
# Sourced by the other scripts: puts the project's tools on PATH.
# (cargo-installed tools, and node_modules/.bin for wasm-opt and Playwright)
# The browser the tests use is found by scripts/browsers.sh, for tests only.
FAULTLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$FAULTLINE_ROOT/node_modules/.bin:$PATH"
