#!/usr/bin/env node
// Frame-time benchmark for the Faultline playground (the built page in dist/).
//
// What: for each requested topology size it opens `/?generate=N` in headless
// Chromium (Playwright, 1280x720), sets the speed, presses play and records
// requestAnimationFrame timestamps inside the page:
//   * phase "running":  S seconds of the simulation running untouched;
//   * phase "dragging": ~2 s of dragging one node back and forth with the
//     mouse (pointer events) while the simulation keeps running (longer on a
//     page too slow to take a move per ~33 ms: it gets at least 8 moves).
// Frame time is the delta between consecutive rAF callbacks. For each phase
// it prints p50/p95/p99/max frame time, the simulation speed actually
// achieved (simulated seconds per wall second, from the `sim-time` readout;
// below the set speed when the engine cannot keep up, since the page
// simulates at most 100 ms of wall time per frame) and the number of DOM
// elements (to show the page does not create an element per request), how
// long each drag move took and whether the node followed the pointer. A
// move is timed three ways: Playwright's round trip (page.mouse.move
// resolving: the CDP command through the browser process and back, which
// on a machine with every core busy is mostly waiting for a core); in the
// page, the wait from the input's time stamp to its first listener (Chrome
// delivers pointer moves once a frame, so half a frame on average even on
// an idle page); and the page's own work: its first listener to the end of
// its last (the canvas's handler included) plus the render the move
// triggers in the next animation frame (the canvas draws a drag step
// there, not in the handler), bracketed by two rAF callbacks the recorder
// registers before and after the page's. The same drag is then made, right
// after, on a blank page whose listener does nothing (the control): its
// round trip and its wait are the harness's and Chrome's floor, printed
// beside the page's. It also prints the press's listeners and render, the
// lift's own work (the first move after the press that leaves its point), and Chrome's
// main-thread breakdown per phase (script / style / layout / other task
// time, from the CDP Performance domain) to show where the frame budget
// goes.
//
// The verdict is issue 18's canvas table: 200 nodes running and dragging
// p95 <= 17 ms, dragging p99 <= 20 ms, <= 8 ms per pointer move; 1,000
// nodes running and dragging p95 <= 17 ms (all at 10x). The per-move
// target is judged on the p95 of the page's own work per move, not on the
// time from the input to its render: that time is mostly the wait for the
// frame that delivers the move, which the control shows on a page with no
// work at all (15-42 ms p95 at load 10-15), so no page could meet 8 ms on
// it; Playwright's round trip is further still from the page (53-113 ms
// mean for the blank page). Both are printed on the verdict's line, marked
// "not judged", so a reader sees what was left out.
//
// Why: the project requires 60 fps while running: p95 frame time at most
// 17 ms with a 200-node topology at 10x speed, and a node can still be
// dragged smoothly while it runs. The verdict is printed, but this is a
// benchmark, not a test: it exits 0 either way, and 1 only when the page
// fails to load (or the benchmark itself breaks).
//
// Sixth round (2026-12-04): the drop. At 1,000 nodes the release was a
// 100-109 ms task (drag-trace, paused): the drop moved a card past the
// design's edge, the camera, still fitting the design, took a new viewBox,
// and Chrome laid out (33-36 ms, from the document, 9,332 objects) and
// painted (28-31 ms) the whole canvas again. `contain: strict` on the SVG
// or its wrapper changed nothing; the viewBox was the cause. Moving cards
// now freezes the camera as adding one already did (app/handlers.rs,
// on_move): release 50 ms at 1,000 nodes (script 25, layout 1.5,
// pre-paint 2.4, paint 20), 16.5-21 ms at 200 (was 44-46); here, the next
// frame after the drop began 10-12 ms (200) and 21-22 ms (1,000) after the
// release, from 29 and 77 ms. Two full runs
// of this bench before it, on an idle machine (load 0.9-1.3): every line of
// the canvas table PASSED; the 1,000-node dragging p99 50.1 ms, max 83.3 ms
// was the drop.
//
// Last measured, fifth round (2026-12-03 evening, four builders on two
// cores, load 10-15 throughout): the control and the lift.
// The control (blank page, same drag right after each size) waits 8-12 ms
// mean, 15-42 ms p95, from the input's stamp to its (empty) listener, and
// Playwright's round trip on it is 53-113 ms mean: that floor is the
// harness's and Chrome's, and it is why the per-move target is judged on
// the page's own work (200 nodes: mean 0.7-3.8, p95 1.7-22.8 ms over
// seven runs, base and new; the blank page's 0.1-0.5 / 0.2-3.5), with the end-to-end
// figures printed beside it. The lift (the first move that leaves the
// press's point) no longer renders the canvas nor mounts the drag layer
// (canvas/drag_layer.rs, use_lifted). benches/drag-trace.mjs, run paused so
// that each window holds its input alone, base | new, counts first (they do
// not depend on the load), alternated:
//   | 200 nodes, lift               | base           | new            |
//   | elements added                | 29             | 17             |
//   | elements styled / dirty objs  | 23 / 22        | 22 / 13        |
//   | task ms (four runs)           | 21-38          | 9.5-25         |
//   | script ms                     | 12.9-30.0      | 6.1-14.0       |
//   | 1,000 nodes, lift: added / dirty | 29 / 22     | 17 / 13        |
// In this script (load 12), the lift's own work: 9.1 ms (render 8.9) base,
// 2.3 (render 2.0) new; one run each, so indicative only. What is left of
// the lift at 1,000 cards is Chrome's paint of the canvas SVG once the card
// hides (paint 18-22 ms at the lift, 0.4 ms a step, paused, load 12-15):
// the next thing to take on, e.g. by hiding the card without a change
// inside the canvas SVG. The press was not changed this round: it adds 42
// elements (the inspector's first rows and the fault bar's ~14) and styles
// 37 at 200 nodes. Frame times were the machine's: 200 dragging p99 66.7,
// 50.0, 66.7 ms base | 49.9, 100.0, 283.2 new, 1,000 dragging p95 50.0,
// 133.3 | 50.0, 33.3; no verdict line could be read from them.
// After the merge, the machine otherwise idle (load 1-2.5), base (before
// the lift change) and new alternated, 200 nodes alone, four runs each:
// dragging p99 16.8 ms in all four new runs (base 16.8, 16.8, 33.4, 16.8);
// own work per move p95 2.0, 1.7, 3.6, 2.3 ms new, 1.3, 1.1, 1.3, 4.1 base;
// the lift's own work 2.0, 1.9, 2.1, 2.6 ms new, 2.3, 2.9, 3.5, 2.2 base;
// main-thread busy running 276-335 ms/s new, 239-328 base (noise at n=4).
// Two full runs (200 then 1,000 in one browser) right after the test
// command, load 1.7-2.9: all PASS but the 200-node dragging p99 (33.4, 33.3
// ms: its two longest frames, neither the press nor the lift; the engine
// ran at 6.9-8.3x of 10x there, 9.1-10.1x in the runs above).
//
// Fourth round (2026-12-03): the press that starts a drag.
// Chrome traces of the first press of a page at 200 nodes, 10x: the press
// is one task (the card's handler, the render in a microtask, then the
// style and layout Chrome's hit test forces before mousedown) of 24-31 ms
// at load 2-3 (script 10-13, style 3-5, layout 7-8; 50-87 ms at load 8-9),
// its paint and commit another 5-13 ms in the next frame, and the first
// move (the lift) 14-20 ms. Performance marks put the inspector first
// (8-15 ms of the press's script, rendered twice: once more to clear an
// empty error map), then the fault bar and the charts (1-1.5 ms each).
// Layout grows with what the press adds (a first press pays Chrome's and
// V8's first-time costs too: a later press of the same page took 2-4 ms
// of layout), not with the canvas: `contain: strict` on the inspector, the
// canvas or the fault bar changed neither the press's layout nor the
// document-wide layouts that follow (readouts relayout from the document).
// The inspector now draws a few rows at the press and the rest in idle
// periods (components/progressive.rs). Counted in the trace (these do not
// depend on the load): nodes added by the press 709 -> 91, elements styled
// 211 -> 36, layout's dirty objects 286 -> 84. Frame times could not show
// it on this machine: three helpers shared two cores (load 7, the engine
// ran at 2.3-9.5x of the 10x asked), and alternated runs gave, base | new:
//   | 200 dragging p99    | 16.8, 50.0 ms  | 66.7, 33.3 ms  |
//   | press's two frames  | 16.7/16.7, 16.6/100.0 | 16.7/50.0, 16.7/33.3 |
//   | 1,000 dragging p95  | 100.1, 50.0 ms | 16.8, 33.3 ms  |
//
// Third round (2026-12-03, load 2.5-4.1, base and new runs
// alternated): where a drag move's time goes. Chrome traces and per-thread
// CPU at 1,000 nodes, 10x: the engine's worker takes a whole core (it runs
// at 4-6x of the 10x asked), the page's main thread 170 ms/s running and
// 270 ms/s dragging, compositing and raster another 150-250 ms/s; the
// browser hands a move to the page 10-20 ms after Playwright sends it, yet
// Playwright sees 30-65 ms: its round trip waits for a core. In the page a
// move waits for its frame (Chrome delivers moves once a frame; mean 6-10
// ms, p95 one frame) and the canvas then takes 0.2-0.5 ms; the frame that
// draws it begins 8-12 ms after the input. Each drag step costs the main
// thread a few ms of page-wide layerize and pre-paint, the same with the
// whole canvas SVG hidden: it is not the canvas's 10,000 elements. Dropping
// a moved card at 1,000 nodes, next frame after the release: 114, 217, 155,
// 175 ms before; 55, 76, 30, 71 ms after skipping validation and the review
// when only positions changed (200 nodes: 68, 30 -> 29, 37 ms, noise).
// Frame times, base | new (two rounds each):
//   | 1,000 nodes          | base           | new            |
//   | running p95          | 16.7, 16.8 ms  | 16.8, 16.7 ms  |
//   | dragging p95 / p99   | 33.3/66.7, 16.7/33.3 | 16.7/33.4, 16.7/50.0 |
//   | 200 dragging p99     | 33.3, 33.3 ms  | 50.0, 50.0 ms  |
// The 200-node drag's p99 is its one or two longest frames: the press
// (selecting the card renders the inspector, about a frame of layout) and
// the lift; both within the noise of these runs.
//
// Second round (2026-12-03, 2 CPUs shared with other builds; frame times
// follow the machine's load more than the page: at load 8-9 even 20 nodes
// gave p95 50 ms): 1,000 nodes fitted on screen, 10x, before and after
// drawing unreadably small cards as their boxes alone (sketch), drawing the
// design review's 940 marks only when they change, and comparing documents
// by address; two runs each, alternated, load 7.5-8.9:
//   | 1,000 nodes          | before         | after          |
//   | running p95          | 33.4, 66.6 ms  | 16.8, 33.4 ms  |
//   | dragging p95         | 100.1, 216.6 ms| 33.3, 33.4 ms  |
//   | per pointer move     | 141, 161 ms    | 64, 78 ms      |
//   | main thread busy     | 653, 673 ms/s  | 379, 566 ms/s  |
//   | DOM elements         | 15,655         | 9,989          |
// At load 2-4 both already ran at p95 16.8 ms (1,000 nodes running). 200
// nodes: within the noise at this load (running p95 16.8 ms before and after
// at load 4; dragging p99 16.8 ms, 22-25 ms per move).
// The round before (load 14-18): culling off-screen cards, batches, no
// layout read per move took 1,000 nodes running from p95 350-433 ms to
// 167-183 ms.
//
// Usage:
//   node benches/frame-time.mjs [--nodes 20,200,1000] [--seconds 8] [--speed 10]
//
// Environment: CHROMIUM overrides the browser (default /usr/bin/chromium).
// The static server (tests/e2e/serve.mjs) is started on a free port and
// stopped at the end. Headless Chromium's rAF runs at the (virtual) display
// rate, i.e. capped at 60 Hz, so ~16.7 ms is the floor for a frame; on a
// machine without a GPU the page is rasterised in software. Frame times also
// depend on whatever else the machine runs: the load average is printed.

import { loadavg, cpus } from 'node:os';
import { chromium } from '@playwright/test';
import { startServer } from './serve-dist.mjs';

const TARGET_NODES = 200;
const TARGET_SPEED = 10;
const TARGET_BIG_NODES = 1000;
const TARGET_P95_MS = 17; // running and dragging, 200 and 1,000 nodes
const TARGET_DRAG_P99_MS = 20; // 200 nodes dragging
const TARGET_MOVE_MS = 8; // per pointer move, the page's own work (see the header)
const DRAG_MS = 2000; // length of the drag phase
const DRAG_MOVES = 60; // pointer moves in it, at most (one per ~33 ms)
const DRAG_MIN_MOVES = 8; // pointer moves in it however slow the page (then it lasts longer)
const DRAG_SPAN_PX = 80; // how far the node goes each way
const WARMUP_MS = 1000; // let the first frames after play (JIT, first layout) pass
// Only what is needed to run as root in a container; no GPU or vsync flags,
// so rAF stays capped at the display rate as a user would see it.
const CHROMIUM_ARGS = ['--no-sandbox'];

// ---------------------------------------------------------------- arguments

const USAGE = 'usage: node benches/frame-time.mjs [--nodes 20,200,1000] [--seconds 8] [--speed 10]';

/** The options, or exits with the usage on a bad argument. */
function parseArgs(argv) {
  try {
    return parseArgsOrThrow(argv);
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
}

function parseArgsOrThrow(argv) {
  const opts = { nodes: [20, 200, 1000], seconds: 8, speed: 10 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const next = () => inline ?? argv[++i];
    if (flag === '--nodes') opts.nodes = next().split(',').map((s) => parseInt(s, 10));
    else if (flag === '--seconds') opts.seconds = Number(next());
    else if (flag === '--speed') opts.speed = Number(next());
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (opts.nodes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--nodes: positive integers');
  if (!(opts.seconds > 0)) throw new Error('--seconds: a positive number');
  if (!(opts.speed >= 0.1 && opts.speed <= 1000)) throw new Error('--speed: 0.1..1000 (the slider range)');
  return opts;
}

// --------------------------------------------------------- in-page helpers

/**
 * Installed in every page before it loads: a rAF recorder. start() begins
 * collecting frame deltas; stop() ends it and returns them together with the
 * wall time and the simulated time (sim-time readout) at both ends.
 */
function installRecorder() {
  const simMs = () => Number(document.querySelector('[data-testid="sim-time"]')?.dataset.value ?? NaN);
  // Each pointer move as the page sees it, from the event's time stamp (when
  // the browser took the input): when its first listener ran (the wait for
  // the main thread, and for the next frame: Chrome delivers moves once a
  // frame), when the last one had run (the canvas's handler included), and
  // when the animation frame that draws its effect began.
  const moves = [];
  // A move away from where the press was (the first such move lifts the card).
  const leaves = (e) => {
    const at = window.__frameBench.rec.pressXY;
    return !at || e.clientX !== at[0] || e.clientY !== at[1];
  };
  // Registered before any listener of the page runs, its animation frame
  // callback comes before the one the page's handler asks for; the one the
  // last listener registers comes after it: between the two is the render
  // the move triggered (the canvas draws a drag step in the next frame,
  // and Yew renders in a microtask of that callback, so before the next).
  addEventListener('pointermove', (e) => {
    if (!window.__frameBench?.rec?.running) return;
    const rec = window.__frameBench.rec;
    // The first move after the press that leaves the press's point is the lift.
    const m = { stamp: e.timeStamp, start: performance.now(), lift: rec.pressAt != null && rec.liftAt == null && leaves(e) };
    e.__bench = m;
    requestAnimationFrame(() => { m.raf0 = performance.now(); });
  }, true);
  addEventListener('pointermove', (e) => {
    const m = e.__bench;
    if (!m) return;
    m.end = performance.now();
    requestAnimationFrame(() => {
      m.raf1 = performance.now();
      moves.push(m);
    });
  });
  // The press that starts a drag and its first move: which frame each lands
  // in (the index of the frame delta that the next animation frame ends),
  // to tell the press's frames (selecting the card: its script, style and
  // layout land in the first, its paint in the second) and the lift's from
  // the steps of the drag.
  addEventListener('pointerdown', (e) => {
    const rec = window.__frameBench?.rec;
    if (rec?.running) {
      Object.assign(rec, { pressAt: rec.deltas.length, liftAt: null, press0: performance.now(), pressXY: [e.clientX, e.clientY] });
    }
  }, true);
  // The press's own work: its listeners, the page's among them, and the
  // render they trigger (Yew renders in a microtask of its listener). The
  // card stops the pointerdown's propagation, so its end is taken at the
  // mousedown Chrome dispatches right after it, in the same task.
  addEventListener('mousedown', () => {
    const rec = window.__frameBench?.rec;
    if (rec?.running && rec.press0 != null && rec.pressMs == null) rec.pressMs = performance.now() - rec.press0;
  }, true);
  addEventListener('pointermove', (e) => {
    const rec = window.__frameBench?.rec;
    if (rec?.running && rec.pressAt != null && rec.liftAt == null && leaves(e)) rec.liftAt = rec.deltas.length;
  }, true);
  // The release of a drag that moved the card: when the next animation frame
  // began, from the release's time stamp (the drop's work comes before it).
  addEventListener('pointerup', (e) => {
    const stamp = e.timeStamp;
    requestAnimationFrame(() => { window.__frameBench.dropMs = performance.now() - stamp; });
  }, true);
  window.__frameBench = {
    start() {
      moves.length = 0;
      const rec = { deltas: [], last: null, running: true, wall0: performance.now(), sim0: simMs() };
      const tick = (t) => {
        if (!rec.running) return;
        if (rec.last !== null) rec.deltas.push(t - rec.last);
        rec.last = t;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      this.rec = rec;
    },
    stop() {
      const rec = this.rec;
      rec.running = false;
      return {
        deltas: rec.deltas,
        wallMs: performance.now() - rec.wall0,
        simMs: simMs() - rec.sim0,
        domElements: document.getElementsByTagName('*').length,
        moves: moves.map((m) => ({
          delay: m.start - m.stamp,
          handled: m.end - m.stamp,
          frame: m.raf0 - m.stamp,
          handler: m.end - m.start,
          render: m.raf1 - m.raf0,
          own: m.end - m.start + (m.raf1 - m.raf0),
          drawn: m.raf1 - m.stamp,
          lift: m.lift,
        })),
        pressFrames: rec.pressAt == null ? [] : rec.deltas.slice(rec.pressAt, rec.pressAt + 2),
        liftFrame: rec.liftAt == null ? null : rec.deltas[rec.liftAt] ?? null,
        pressMs: rec.pressMs ?? null,
      };
    },
    /** Records for `ms` milliseconds: resolves with what stop() returns. */
    record(ms) {
      this.start();
      return new Promise((resolve) => setTimeout(() => resolve(this.stop()), ms));
    },
  };
}

// ------------------------------------------------------------------ numbers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Mean, p95 and max of each of the page's per-move times (see
 * installRecorder), and the first move's after the press (the lift's) on
 * their own.
 */
function pageMoves(list) {
  if (!list?.length) return null;
  const stat = (k) => {
    const v = list.map((m) => m[k]).filter(Number.isFinite).sort((a, b) => a - b);
    return { mean: v.reduce((a, b) => a + b, 0) / v.length, p95: percentile(v, 95), max: v.at(-1) ?? NaN };
  };
  const keys = ['delay', 'handled', 'frame', 'handler', 'render', 'own', 'drawn'];
  return { n: list.length, ...Object.fromEntries(keys.map((k) => [k, stat(k)])), lift: list.find((m) => m.lift) };
}

function summarize(nodes, phase, sample, perf) {
  const sorted = [...sample.deltas].sort((a, b) => a - b);
  return {
    nodes,
    phase,
    frames: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    simPerWall: sample.simMs / sample.wallMs,
    domElements: sample.domElements,
    wallMs: sample.wallMs,
    perf,
    followed: sample.followed,
    pageMoves: pageMoves(sample.pageMoves),
    moves: sample.moves,
    ackMean: sample.ackMean,
    ackMax: sample.ackMax,
    pressFrames: sample.pressFrames,
    liftFrame: sample.liftFrame,
    pressMs: sample.pressMs,
    longest: sorted.slice(-3).reverse(),
  };
}

/** CDP main-thread counters (seconds, cumulative) that matter for frames. */
async function perfCounters(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map(({ name, value }) => [name, value]));
  return {
    at: m.Timestamp ?? 0,
    task: m.TaskDuration ?? 0,
    script: m.ScriptDuration ?? 0,
    style: m.RecalcStyleDuration ?? 0,
    layout: m.LayoutDuration ?? 0,
  };
}

/** Main-thread time per wall second (ms/s) between two counter snapshots. */
function perfDelta(a, b) {
  const per = (k) => ((b[k] - a[k]) * 1000) / (b.at - a.at);
  const task = per('task');
  const script = per('script');
  const style = per('style');
  const layout = per('layout');
  return { task, script, style, layout, other: task - script - style - layout };
}

// -------------------------------------------------------------- one size

async function benchOne(browser, base, nodes, opts) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(installRecorder);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    // Load: the canvas and at least one node must show up.
    try {
      await page.goto(`${base}/?generate=${nodes}`, { waitUntil: 'load', timeout: 30_000 });
      await page.getByTestId('canvas').waitFor({ state: 'visible', timeout: 30_000 });
      await page.locator('g.node').first().waitFor({ state: 'attached', timeout: 30_000 });
    } catch (e) {
      const err = new Error(`page failed to load for ${nodes} nodes: ${e.message.split('\n')[0]}` +
        (pageErrors.length ? `\n  page errors: ${pageErrors.join('; ')}` : ''));
      err.loadFailure = true;
      throw err;
    }
    const shown = await page.locator('g.node').count();
    // Where the engine runs: "worker" (its own thread) or "page" (the fallback).
    await page.waitForFunction(() => document.documentElement.dataset.engine !== 'starting', null, { timeout: 10_000 })
      .catch(() => {});
    const engine = await page.evaluate(() => document.documentElement.dataset.engine ?? 'unknown');

    // Speed: the slider holds log10 of the factor.
    await page.getByTestId('speed').fill(String(Math.log10(opts.speed)));
    const factor = await page.getByTestId('speed').getAttribute('data-value');

    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    await page.getByTestId('play').click();
    await sleep(WARMUP_MS);

    // Phase 1: running untouched for S seconds.
    let before = await perfCounters(cdp);
    const running = await page.evaluate((ms) => window.__frameBench.record(ms), opts.seconds * 1000);
    let after = await perfCounters(cdp);
    const runRow = summarize(nodes, 'running', running, perfDelta(before, after));

    // Phase 2: drag a node back and forth while it runs. Pick a node near
    // the middle of the list whose centre is on screen (the layout is fitted
    // to the canvas, so nearly all are).
    const grip = await pickNode(page);
    let dragRow;
    if (!grip) {
      dragRow = { nodes, phase: 'dragging', skipped: 'no node on screen' };
    } else {
      before = await perfCounters(cdp);
      await page.evaluate(() => window.__frameBench.start());
      const drag = await dragBackAndForth(page, grip);
      const { moves: pageMoveList, ...dragging } = await page.evaluate(() => window.__frameBench.stop());
      after = await perfCounters(cdp);
      dragRow = summarize(nodes, 'dragging', { ...dragging, ...drag, pageMoves: pageMoveList },
        perfDelta(before, after));
    }

    // Phase 3: one drag that moves the card (the wave ends where it began,
    // which edits nothing), to time the drop: the page makes the new document.
    let dropMs = null;
    if (grip) {
      await page.evaluate(() => { window.__frameBench.dropMs = null; });
      await page.mouse.move(grip.x, grip.y);
      await page.mouse.down();
      await page.mouse.move(grip.x + DRAG_SPAN_PX / 2, grip.y + DRAG_SPAN_PX / 2, { steps: 4 });
      await sleep(200);
      await page.mouse.up();
      await page.waitForFunction(() => window.__frameBench.dropMs !== null, null, { timeout: 10_000 }).catch(() => {});
      dropMs = await page.evaluate(() => window.__frameBench.dropMs);
    }

    await page.getByTestId('pause').click().catch(() => {});
    return { rows: [runRow, dragRow], shown, factor, pageErrors, engine, dropMs };
  } finally {
    await context.close();
  }
}

/**
 * The control: the same drag, paced the same way, on a blank page whose
 * pointermove listener does nothing (it captures the pointer at the press,
 * as the canvas does). What it measures is the harness's and Chrome's own
 * floor: Playwright's round trip and the wait for the frame that delivers
 * a move, with no page work to speak of. Run right after each size's drag,
 * so that it sees about the same load.
 */
async function benchControl(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(installRecorder);
  const page = await context.newPage();
  try {
    await page.goto(`data:text/html,${encodeURIComponent(CONTROL_PAGE)}`, { waitUntil: 'load' });
    await page.evaluate(() => window.__frameBench.start());
    const drag = await dragBackAndForth(page, { x: 640, y: 360, locator: null });
    const { moves, ...rest } = await page.evaluate(() => window.__frameBench.stop());
    return { ...drag, pageMoves: pageMoves(moves), pressMs: rest.pressMs };
  } finally {
    await context.close();
  }
}

/** The control's page: a pad over the viewport whose listeners do nothing. */
const CONTROL_PAGE = `<!doctype html><title>control</title><body style="margin:0">
<div id="pad" style="position:fixed;inset:0"></div>
<script>
const pad = document.getElementById('pad');
pad.addEventListener('pointerdown', (e) => pad.setPointerCapture(e.pointerId));
pad.addEventListener('pointermove', () => {});
</script>`;

/**
 * Presses on the node, moves it back and forth along a triangle wave (out to
 * +span, back through the start to -span, back) and releases it where it
 * started. The wave is paced by wall time over DRAG_MS with at most
 * DRAG_MOVES moves; but each page.mouse.move resolves only once the page has
 * handled the event, so on a page too slow for that the wave advances by
 * move count instead, DRAG_MIN_MOVES moves for the whole wave (the phase
 * then lasts longer than DRAG_MS). Returns the number of moves, how long the
 * page took to handle them, and whether the node followed the pointer
 * (null: not checked).
 */
async function dragBackAndForth(page, grip) {
  const at = (tri) => [grip.x + tri * DRAG_SPAN_PX, grip.y + tri * DRAG_SPAN_PX * 0.25];
  await page.mouse.move(grip.x, grip.y);
  await page.mouse.down();
  const t0 = Date.now();
  const acks = []; // ms until the page had handled each move
  let followed = null;
  for (;;) {
    const u = Math.min((Date.now() - t0) / DRAG_MS, (acks.length + 1) / DRAG_MIN_MOVES);
    if (u >= 1 || acks.length >= DRAG_MOVES) break;
    const phase = u * 4;
    const tri = phase < 1 ? phase : phase < 3 ? 2 - phase : phase - 4;
    const sent = Date.now();
    await page.mouse.move(...at(tri));
    acks.push(Date.now() - sent);
    if (followed === null && grip.locator && Math.abs(tri) >= 0.5) {
      // Well away from the start: has the node's centre moved with the pointer?
      const box = await grip.locator.boundingBox();
      followed = !!box && (box.x + box.width / 2 - grip.x) * Math.sign(tri) > DRAG_SPAN_PX / 4;
    }
    await sleep(DRAG_MS / DRAG_MOVES);
  }
  const sent = Date.now();
  await page.mouse.move(grip.x, grip.y); // back to the start: the last move of the wave
  acks.push(Date.now() - sent);
  await page.mouse.up();
  const moves = acks.length;
  const ackMean = acks.reduce((a, b) => a + b, 0) / moves;
  return { moves, ackMean, ackMax: Math.max(...acks), followed };
}

/** A node (locator and centre point) comfortably inside the viewport. */
async function pickNode(page) {
  const all = page.locator('g.node');
  const count = await all.count();
  const order = [...Array(count).keys()].sort((a, b) => Math.abs(a - count / 2) - Math.abs(b - count / 2));
  for (const k of order.slice(0, 50)) {
    const locator = all.nth(k);
    const box = await locator.boundingBox();
    if (!box) continue;
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const margin = DRAG_SPAN_PX + 20;
    if (x > margin && x < 1280 - margin && y > margin && y < 720 - margin) {
      const hit = await page.evaluate(([px, py]) => {
        const el = document.elementFromPoint(px, py);
        return el?.closest('g.node')?.getAttribute('data-testid') ?? null;
      }, [x, y]);
      const id = await locator.getAttribute('data-testid');
      // Found again by its test id: while it is dragged, the card shown
      // moving is a copy on the drag layer, and it carries the id.
      if (hit === id) return { locator: page.getByTestId(id), x, y, id };
    }
  }
  return null;
}

// ------------------------------------------------------------------ output

const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');

const followText = (f) => (f === true ? 'followed the pointer' : f === false ? 'did NOT follow the pointer' : 'not checked');

function printTables(results, opts) {
  const rows = results.flatMap((x) => x.rows);
  console.log('| nodes | phase | frames | p50 ms | p95 ms | p99 ms | max ms | sim s per wall s | DOM elements |');
  console.log('|------:|-------|-------:|-------:|-------:|-------:|-------:|-----------------:|-------------:|');
  for (const r of rows) {
    if (r.skipped) {
      console.log(`| ${r.nodes} | ${r.phase} | - | - | - | - | - | - | - |`);
      continue;
    }
    console.log(`| ${r.nodes} | ${r.phase} | ${r.frames} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ` +
      `${ms(r.max)} | ${r.simPerWall.toFixed(2)} | ${r.domElements} |`);
  }

  console.log('');
  for (const { rows: [run, drag], shown, engine, dropMs, control } of results) {
    const what = drag.skipped
      ? `drag skipped (${drag.skipped})`
      : `drag: ${drag.moves} pointer moves in ${(drag.wallMs / 1000).toFixed(1)} s, node ${followText(drag.followed)}`;
    console.log(`- ${run.nodes} nodes (${shown} drawn, engine in the ${engine}): running ${(run.wallMs / 1000).toFixed(1)} s; ${what}`);
    if (drag.skipped) continue;
    const pm = drag.pageMoves;
    const cm = control?.pageMoves;
    const t = (s) => (s ? `${ms(s.mean)}/${ms(s.p95)}` : '-');
    console.log(`  per move, ms, mean/p95: page | blank page (the control, same drag right after)`);
    console.log(`    Playwright's round trip (page.mouse.move resolving)          ${ms(drag.ackMean)} (max ${ms(drag.ackMax)}) | ` +
      `${ms(control?.ackMean)} (max ${ms(control?.ackMax)})`);
    if (pm) {
      console.log(`    wait: input's time stamp to the first listener (delivery)   ${t(pm.delay)} | ${t(cm?.delay)}`);
      console.log(`    page's own work: first listener to the end of the last      ${t(pm.handler)} | ${t(cm?.handler)}`);
      console.log(`      + the render it triggers (its animation frame callback)   ${t(pm.render)} | ${t(cm?.render)}`);
      console.log(`      = own work per move                                        ${t(pm.own)} (max ${ms(pm.own.max)}) | ` +
        `${t(cm?.own)} (max ${ms(cm?.own.max)})`);
      console.log(`    input's time stamp to that render done (no paint)           ${t(pm.drawn)} | ${t(cm?.drawn)}`);
      console.log(`    (${pm.n} moves seen in the page, ${cm?.n ?? 0} in the control)`);
    }
    const lift = pm?.lift;
    console.log(`  the press: its listeners, render and the style and layout before mousedown ${ms(drag.pressMs)} ms; its frame and the next ` +
      `${drag.pressFrames.map(ms).join(', ')} ms`);
    console.log(`  the lift (first move off the press's point): own work ${ms(lift?.own)} ms (render ${ms(lift?.render)}), its frame ${ms(drag.liftFrame)} ms; ` +
      `longest three frames ${drag.longest.map(ms).join(', ')} ms`);
    if (Number.isFinite(dropMs)) console.log(`  dropping a moved card: the next frame began ${dropMs.toFixed(0)} ms after the release`);
  }

  console.log('\nMain thread, ms per wall second (CDP Performance metrics; "other" = task time not');
  console.log('in script/style/layout: paint, commit, hit testing, GC, input dispatch):\n');
  console.log('| nodes | phase | busy | script | style | layout | other |');
  console.log('|------:|-------|-----:|-------:|------:|-------:|------:|');
  for (const r of rows) {
    if (r.skipped) continue;
    const p = r.perf;
    console.log(`| ${r.nodes} | ${r.phase} | ${p.task.toFixed(0)} | ${p.script.toFixed(0)} | ` +
      `${p.style.toFixed(0)} | ${p.layout.toFixed(0)} | ${p.other.toFixed(0)} |`);
  }

  printVerdict(results, opts);
}

/**
 * Issue 18's canvas table, each line with the figure it is judged on. The
 * per-move target is judged on the page's own work (see the header: the
 * wait before a move reaches the page is Chrome's, and the control shows
 * it on a blank page); the end-to-end figure is printed beside it.
 */
function printVerdict(results, opts) {
  console.log('');
  if (opts.speed !== TARGET_SPEED) {
    console.log(`Targets (issue 18, ${TARGET_SPEED}x): not judged at ${opts.speed}x (run with --speed ${TARGET_SPEED}).`);
    return;
  }
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  const rowsOf = (n) => results.find((x) => x.rows[0].nodes === n);
  console.log(`Targets (issue 18's canvas table, ${TARGET_SPEED}x):`);
  const line = (n, text, fn) => {
    const res = rowsOf(n);
    if (!res) {
      console.log(`  ${n} nodes, ${text}: not measured (run with --nodes including ${n})`);
      return;
    }
    const [run, drag] = res.rows;
    if (drag.skipped && text.includes('drag')) {
      console.log(`  ${n} nodes, ${text}: not measured (${drag.skipped})`);
      return;
    }
    const [figure, ok] = fn(run, drag, res);
    console.log(`  ${n} nodes, ${text}: ${figure} -> ${verdict(ok)}`);
  };
  const follows = (d) => (d.followed === false ? ', node did NOT follow' : '');
  line(TARGET_NODES, `running p95 <= ${TARGET_P95_MS} ms`, (r) => [`p95 ${ms(r.p95)} ms`, r.p95 <= TARGET_P95_MS]);
  line(TARGET_NODES, `dragging p95 <= ${TARGET_P95_MS} ms`, (_, d) =>
    [`p95 ${ms(d.p95)} ms${follows(d)}`, d.p95 <= TARGET_P95_MS && d.followed !== false]);
  line(TARGET_NODES, `dragging p99 <= ${TARGET_DRAG_P99_MS} ms`, (_, d) =>
    [`p99 ${ms(d.p99)} ms${follows(d)}`, d.p99 <= TARGET_DRAG_P99_MS && d.followed !== false]);
  line(TARGET_NODES, `per pointer move <= ${TARGET_MOVE_MS} ms of the page's own work (p95)`, (_, d, res) => {
    const pm = d.pageMoves;
    const cm = res.control?.pageMoves;
    if (!pm) return ['no move seen in the page', false];
    return [`p95 ${ms(pm.own.p95)} ms (max ${ms(pm.own.max)}); not judged: input to its render done p95 ` +
      `${ms(pm.drawn.p95)} ms, the blank page's ${ms(cm?.drawn.p95)} ms; Playwright's round trip mean ` +
      `${ms(d.ackMean)} ms, the blank page's ${ms(res.control?.ackMean)} ms`, pm.own.p95 <= TARGET_MOVE_MS];
  });
  line(TARGET_BIG_NODES, `running p95 <= ${TARGET_P95_MS} ms`, (r) => [`p95 ${ms(r.p95)} ms`, r.p95 <= TARGET_P95_MS]);
  line(TARGET_BIG_NODES, `dragging p95 <= ${TARGET_P95_MS} ms`, (_, d) =>
    [`p95 ${ms(d.p95)} ms${follows(d)}`, d.p95 <= TARGET_P95_MS && d.followed !== false]);
}

// -------------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { base, child } = await startServer();
  const stopServer = () => { if (child.exitCode === null) child.kill(); };
  process.on('exit', stopServer);
  process.on('SIGINT', () => process.exit(130));

  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  let exitCode = 0;
  const results = [];
  try {
    console.log(`Faultline frame-time benchmark: ${browser.version()} headless, flags ${CHROMIUM_ARGS.join(' ')}, ` +
      `viewport 1280x720, speed ${opts.speed}x, ${opts.seconds} s running + ~${DRAG_MS / 1000} s ` +
      `dragging (at least ${DRAG_MIN_MOVES} moves) per size, after ${WARMUP_MS} ms warm-up.`);
    console.log('Headless rAF runs at the display rate (60 Hz), so ~16.7 ms is the best possible frame time.');
    // Other work on the machine shows up in frame times: say how busy it was.
    console.log(`${cpus().length} CPUs, load average at start ${loadavg()[0].toFixed(2)}\n`);
    for (const n of opts.nodes) {
      const res = await benchOne(browser, base, n, opts);
      res.control = await benchControl(browser);
      if (Math.abs(Number(res.factor) / opts.speed - 1) > 0.01) {
        console.error(`note: ${n} nodes: speed slider reports ${res.factor}x (asked ${opts.speed}x)`);
      }
      if (res.pageErrors.length) console.error(`note: ${n} nodes: page errors: ${res.pageErrors.join('; ')}`);
      console.error(`  ${n} nodes: done`);
      results.push(res);
    }
    printTables(results, opts);
    console.log(`\nLoad average at end ${loadavg()[0].toFixed(2)}.`);
  } catch (e) {
    console.error(e.loadFailure ? e.message : e);
    if (results.length) printTables(results, opts);
    exitCode = 1;
  } finally {
    await browser.close();
    stopServer();
  }
  process.exit(exitCode);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
