#!/usr/bin/env bash
# The M/M/1 microbenchmark (rho 0.8, 2 events per request) natively and as
# wasm32 in node, from the same source (benches/wasm-bench), both built with
# the root workspace's release profile (opt-level 3, LTO, one codegen unit).
# Prints best-of-REPEATS events/s of each and the wasm/native time ratio
# (target: at most 1.4), and checks both simulated exactly the same events.
#
# Needs the wasm32-unknown-unknown target and the matching wasm-bindgen CLI
# (scripts/setup.sh installs both) and node.
#
# Usage: benches/compare-wasm.sh [REQUESTS=2000000]   (env: REPEATS=5)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../scripts/env.sh"
REQUESTS="${1:-2000000}"
REPEATS="${REPEATS:-5}"
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
wasm-bindgen --target nodejs --out-dir "$crate/pkg" \
  "$target/wasm32-unknown-unknown/release/faultline_wasm_bench.wasm"

echo "==> M/M/1 rho 0.8, $REQUESTS requests, best of $REPEATS"
native="$("$target/release/native-bench" mm1 "$REQUESTS" "$REPEATS")"
wasm="$(node "$crate/run-wasm.cjs" "$REQUESTS" "$REPEATS")"

node - "$native" "$wasm" <<'JS'
const [native, wasm] = process.argv.slice(2).map((s) => JSON.parse(s));
console.log('\n| M/M/1 rho 0.8 | requests | events | best s | median s | M events/s | M requests/s |');
console.log('|---|--:|--:|--:|--:|--:|--:|');
for (const r of [native, wasm]) {
  const cells = [r.target, r.requests, r.events, r.best_s.toFixed(3), r.median_s.toFixed(3),
    (r.events / r.best_s / 1e6).toFixed(2), (r.requests / r.best_s / 1e6).toFixed(3)];
  console.log(`| ${cells.join(' | ')} |`);
}
const ratio = wasm.best_s / native.best_s;
const same = native.events === wasm.events && native.trace_hash === wasm.trace_hash;
console.log(`\nwasm / native time: ${ratio.toFixed(2)}x (median ${(wasm.median_s / native.median_s).toFixed(2)}x); ` +
  `target <= 1.4x: ${ratio <= 1.4 ? 'met' : 'MISSED'}`);
console.log(`same events and trace hash on both: ${same ? 'yes' : 'NO'} (${native.trace_hash})`);
process.exit(same ? 0 : 1);
JS
