// Wasm side of ../compare-wasm.sh: times the M/M/1 microbenchmark built by
// wasm-bindgen (--target nodejs, into ./pkg) and prints one JSON line shaped
// like `native-bench mm1`. Usage: node run-wasm.cjs REQUESTS [REPEATS]
'use strict';
const { performance } = require('node:perf_hooks');
const { mm1, mmc } = require('./pkg/faultline_wasm_bench.js');

const requests = Number(process.argv[2] || 2000000);
const repeats = Math.max(1, Number(process.argv[3] || 3));
const times = [];
let events = 0;
for (let i = 0; i < repeats; i++) {
  const start = performance.now();
  events = mm1(requests);
  times.push((performance.now() - start) / 1000);
}
// Untimed: the completed-request count and the trace hash, to show that the
// wasm build simulated exactly the events the native one did.
const [, done, , traceHash] = mmc(1, 0.8, requests).split(' ');
const sorted = [...times].sort((a, b) => a - b);
console.log(JSON.stringify({
  target: `wasm32 (node ${process.version})`,
  requests: Number(done),
  events,
  best_s: sorted[0],
  median_s: sorted[Math.floor(sorted.length / 2)],
  runs_s: times,
  trace_hash: traceHash,
}));
