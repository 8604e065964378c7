#!/usr/bin/env bash
# The M/M/1 microbenchmark (rho 0.8, 2 events per request) natively and as
# wasm32, from the same source (benches/wasm-bench), both built with the
# root workspace's release profile (opt-level 3, LTO, one codegen unit).
# The wasm build runs where the playground runs its engine, in a Web Worker
# of headless Chromium (the tests' browser, $CHROMIUM), and in node as well.
# ROUNDS rounds, each running every target once in turn (so a slow spell of
# the machine falls on all of them), after an untimed warm-up of each.
# Prints each target's best and median and the wasm/native time ratio
# (target: at most 1.4, judged on the browser, or on node when there is no
# browser), and checks that all of them simulated exactly the same events.
#
# Needs the wasm32-unknown-unknown target and the matching wasm-bindgen CLI
# (scripts/setup.sh installs both), node, and for the browser Chromium and
# Playwright (scripts/setup.sh; scripts/browsers.sh says where).
#
# Usage: benches/compare-wasm.sh [REQUESTS=2000000]   (env: ROUNDS=7)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../scripts/env.sh"
source "$here/../scripts/browsers.sh"
REQUESTS="${1:-2000000}"
ROUNDS="${ROUNDS:-7}"
crate="$here/wasm-bench"
target="${CARGO_TARGET_DIR:-$crate/target}"

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$crate/Cargo.lock")
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
  echo "compare-wasm: needs the wasm-bindgen CLI $want on PATH (scripts/setup.sh installs it)" >&2
  exit 1
fi

echo "==> building native and wasm32 (release)"
cargo build --release --quiet --manifest-path "$crate/Cargo.toml" --bin native-bench
cargo build --release --quiet --manifest-path "$crate/Cargo.toml" --lib --target wasm32-unknown-unknown
wasm="$target/wasm32-unknown-unknown/release/faultline_wasm_bench.wasm"
wasm-bindgen --target nodejs --out-dir "$crate/pkg" "$wasm"
wasm-bindgen --target web --out-dir "$crate/pkg-web" "$wasm"

echo "==> M/M/1 rho 0.8, $REQUESTS requests, $ROUNDS rounds of native, browser and node"
[ -x "$CHROMIUM" ] || echo "compare-wasm: no Chromium at $CHROMIUM (set CHROMIUM): node only" >&2
runs="$(CHROMIUM="$CHROMIUM" node "$crate/compare.mjs" "$target/release/native-bench" "$REQUESTS" "$ROUNDS")"

node - "$runs" <<'JS'
const [native, ...wasms] = JSON.parse(process.argv[2]);
console.log('\n| M/M/1 rho 0.8 | requests | events | best s | median s | M requests/s (best) | best / native best | median of round ratios |');
console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
for (const r of [native, ...wasms]) {
  const cells = [r.target, r.requests, r.events, r.best_s.toFixed(3), r.median_s.toFixed(3),
    (r.requests / r.best_s / 1e6).toFixed(3), `${(r.best_s / native.best_s).toFixed(2)}x`,
    `${r.paired_ratio_median.toFixed(2)}x`];
  console.log(`| ${cells.join(' | ')} |`);
}
const wasm = wasms[0];
const ratio = wasm.best_s / native.best_s;
const same = wasms.every((r) => r.events === native.events && r.trace_hash === native.trace_hash);
console.log(`\nwasm / native time, ${wasm.target}: ${ratio.toFixed(2)}x best to best, ` +
  `${wasm.paired_ratio_median.toFixed(2)}x median of rounds; target <= 1.4x: ${ratio <= 1.4 ? 'met' : 'MISSED'}`);
console.log(`same events and trace hash on all: ${same ? 'yes' : 'NO'} (${native.trace_hash})`);
process.exit(same ? 0 : 1);
JS
