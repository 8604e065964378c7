// The timing side of ../compare-wasm.sh: the M/M/1 microbenchmark natively
// (bin `native-bench`), as wasm in a Web Worker of headless Chromium (how the
// playground runs its engine) and as wasm in node, in rounds: each round runs
// all three once, one after another, so a slow spell of a shared machine
// falls on every target alike instead of on whichever ran during it. Prints
// one JSON document: per target its runs, best and median, plus the median
// of the per-round ratios to native.
//
// Why a browser and not only node: the engine never runs in node, whose V8
// (node 20) is years older than the Chromium the page is tested in.
// Each target does an untimed warm-up run first (the native binary inside
// every run): V8 compiles the event loop
// with its optimising tier only after it has run a while, and never swaps
// it in while the call is running.
//
// Needs ./pkg (wasm-bindgen --target nodejs), ./pkg-web (--target web) and
// the native binary, which compare-wasm.sh builds; Chromium at $CHROMIUM
// (without one, the browser is left out).
// Usage: node compare.mjs NATIVE_BIN REQUESTS ROUNDS
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [nativeBin, requestsArg, roundsArg] = process.argv.slice(2);
const requests = Number(requestsArg || 2000000);
const rounds = Math.max(1, Number(roundsArg || 7));
const warmup = Math.ceil(requests / 10);

// ------------------------------------------------------------------ native

function runNative() {
  const out = execFileSync(nativeBin, ['mm1', String(requests), '1'], { encoding: 'utf8' });
  const r = JSON.parse(out);
  return { seconds: r.best_s, events: r.events, requests: r.requests, traceHash: r.trace_hash };
}

// -------------------------------------------------------------------- node

const nodeWasm = createRequire(import.meta.url)('./pkg/faultline_wasm_bench.js');
function runNode() {
  const start = performance.now();
  const events = nodeWasm.mm1(requests);
  return { seconds: (performance.now() - start) / 1000, events };
}
function nodeOutcome() {
  const [, done, , traceHash] = nodeWasm.mmc(1, 0.8, requests).split(' ');
  return { requests: Number(done), traceHash };
}

// ----------------------------------------------------------------- browser

// The worker runs `mm1` once per message; `mmc` on request, for the
// completed requests and the trace hash.
const WORKER = `
import init, { mm1, mmc } from './pkg-web/faultline_wasm_bench.js';
const ready = init();
onmessage = async ({ data }) => {
  await ready;
  if (data.what === 'mm1') {
    const start = performance.now();
    const events = mm1(data.requests);
    postMessage({ seconds: (performance.now() - start) / 1000, events });
  } else {
    const [, done, , traceHash] = mmc(1, 0.8, data.requests).split(' ');
    postMessage({ requests: Number(done), traceHash, agent: navigator.userAgent });
  }
};`;
const PAGE = `<!doctype html><meta charset="utf-8"><title>compare-wasm</title>
<script type="module">
const worker = new Worker('./worker.js', { type: 'module' });
worker.onerror = (e) => { window.failed = e.message || 'the worker failed to start'; };
// One request at a time, answered in order.
window.ask = (message) => new Promise((resolve) => {
  worker.onmessage = ({ data }) => resolve(data);
  worker.postMessage(message);
});
</script>`;

async function startBrowser() {
  const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) return null;
  const { chromium } = await import('@playwright/test');
  const server = createServer(async (req, res) => {
    const path = normalize(new URL(req.url, 'http://x').pathname);
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (path === '/worker.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(WORKER);
    if (!path.startsWith('/pkg-web/')) return res.writeHead(404).end();
    try {
      const body = await readFile(join(here, path));
      const type = path.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const ask = async (message) => {
    const failed = await page.evaluate(() => window.failed);
    if (failed) throw new Error(failed);
    return page.evaluate((m) => window.ask(m), message);
  };
  const close = async () => {
    await browser.close();
    server.close();
  };
  return { ask, close };
}

// ------------------------------------------------------------------ rounds

const browser = await startBrowser();
try {
  // Warm-ups (untimed; `native-bench mm1` warms itself up in every run).
  nodeWasm.mm1(warmup);
  if (browser) await browser.ask({ what: 'mm1', requests: warmup });

  const runs = { native: [], browser: [], node: [] };
  for (let i = 0; i < rounds; i++) {
    runs.native.push(runNative());
    if (browser) runs.browser.push(await browser.ask({ what: 'mm1', requests }));
    runs.node.push(runNode());
  }

  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
  const summary = (target, list, outcome) => {
    const seconds = list.map((r) => r.seconds);
    const ratios = list.map((r, i) => r.seconds / runs.native[i].seconds);
    return {
      target,
      requests: outcome.requests,
      events: list[0].events,
      trace_hash: outcome.traceHash,
      best_s: sorted(seconds)[0],
      median_s: median(seconds),
      runs_s: seconds,
      paired_ratio_median: median(ratios),
    };
  };
  const targets = [summary('native', runs.native, runs.native[0])];
  if (browser) {
    const b = await browser.ask({ what: 'mmc', requests });
    const version = /Chrome\/(\d+)/.exec(b.agent)?.[1] ?? '?';
    targets.push(summary(`wasm32 (Chromium ${version}, Web Worker)`, runs.browser, b));
  }
  targets.push(summary(`wasm32 (node ${process.version})`, runs.node, nodeOutcome()));
  console.log(JSON.stringify(targets));
} finally {
  if (browser) await browser.close();
}
