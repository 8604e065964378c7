#!/usr/bin/env bash
# SimPy versus the engine, side by side on this machine: the same M/M/8 model
# (rho 0.9, exponential service of mean 1 ms, FIFO, no capacity limit) with
# the same number of requests, best of REPEATS runs each. Prints the time per
# simulated request of each and their ratio (target: engine >= 100x SimPy),
# and checks both mean times in system against Erlang C.
#
# Makes benches/.venv (python3 -m venv) and installs SimPy from PyPI into it
# the first time; builds the engine side from benches/wasm-bench (release,
# the same profile as the root workspace).
#
# Usage: benches/compare-simpy.sh [REQUESTS=200000]   (env: REPEATS=3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../scripts/env.sh"
REQUESTS="${1:-200000}"
REPEATS="${REPEATS:-3}"
SIMPY_VERSION=4.1.1

venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "==> making $venv"
  python3 -m venv "$venv"
fi
if [ "$("$venv/bin/python" -c 'import simpy; print(simpy.__version__)' 2>/dev/null)" != "$SIMPY_VERSION" ]; then
  echo "==> installing simpy $SIMPY_VERSION from PyPI into $venv"
  "$venv/bin/pip" install --quiet "simpy==$SIMPY_VERSION"
fi

echo "==> building the engine benchmark (release)"
cargo build --release --quiet --manifest-path "$here/wasm-bench/Cargo.toml" --bin native-bench
engine="${CARGO_TARGET_DIR:-$here/wasm-bench/target}/release/native-bench"

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
echo "==> M/M/8 rho 0.9, $REQUESTS requests, best of $REPEATS, alternating SimPy and engine"
for _ in $(seq "$REPEATS"); do
  printf 'simpy %s\n' "$("$venv/bin/python" "$here/simpy_mmc.py" --requests "$REQUESTS" --c 8 --rho 0.9)" >> "$results"
  printf 'engine %s\n' "$("$engine" mmc 8 0.9 "$REQUESTS")" >> "$results"
done

"$venv/bin/python" - "$results" <<'PY'
import json, math, sys

runs = {"simpy": [], "engine": []}
for line in open(sys.argv[1]):
    who, doc = line.split(" ", 1)
    runs[who].append(json.loads(doc))

def erlang_c_mean_time(c, rho, mean_service):
    a = rho * c
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) / (1.0 - rho)
    return mean_service * (1.0 + top / (below + top) / (c * (1.0 - rho)))

expected = erlang_c_mean_time(8, 0.9, 1.0)
best = {who: min(rs, key=lambda r: r["wall_s"] / r["requests"]) for who, rs in runs.items()}
per_req = {who: r["wall_s"] / r["requests"] * 1e6 for who, r in best.items()}
print(f"\n| M/M/8 rho 0.9 | requests | wall s | us/request | requests/s | mean ms (Erlang C {expected:.4f}) |")
print("|---|--:|--:|--:|--:|--:|")
ok = True
for who in ("simpy", "engine"):
    r = best[who]
    print(f"| {who} | {r['requests']} | {r['wall_s']:.3f} | {per_req[who]:.3f} | {1e6 / per_req[who]:,.0f} | {r['mean_latency']:.4f} |")
    # The sample mean of a queue at rho 0.9 is noisy: about 3% standard
    # error at 200k requests, shrinking as 1/sqrt(n).
    tolerance = max(0.02, 30.0 / math.sqrt(r["requests"]))
    for run in runs[who]:
        err = run["mean_latency"] / expected - 1.0
        if abs(err) > tolerance:
            ok = False
            print(f"  MISMATCH: {who} mean {run['mean_latency']:.4f} ms is {err:+.1%} from Erlang C (tolerance {tolerance:.1%})")
ratio = per_req["simpy"] / per_req["engine"]
print(f"\nengine / SimPy per simulated request: {ratio:.1f}x (target >= 100x: {'met' if ratio >= 100 else 'MISSED'})")
print(f"means vs Erlang C: {'all within tolerance' if ok else 'MISMATCH'}")
sys.exit(0 if ok else 1)
PY
