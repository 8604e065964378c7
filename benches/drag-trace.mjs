#!/usr/bin/env node
// Where the press and the lift of a canvas drag go, counted (the built page
// in dist/).
//
// What: opens `/?generate=N` in headless Chromium (1280x720), sets 10x,
// presses play, then presses a card near the middle (the press), waits,
// moves the pointer 40 px (the lift: the first move, when the drag layer
// takes the card), waits, moves again (a step of the drag), waits and
// releases. A Chrome trace (CDP Tracing) and a MutationObserver record each
// of the three; for each it prints, from the trace, the renderer main
// thread's work between that input and the next (script, style recalcs and
// the elements they styled, layouts and their dirty objects, pre-paint,
// paint, layerize, commit) and the raster tasks, and from the observer the
// DOM elements added, removed and the attributes changed. The counts do not
// depend on the machine's load (the times do); run it a few times, base and
// new alternated, to compare builds.
//
// Why: frame times on a machine shared by several builders are mostly its
// load; counts tell which change made less work (see frame-time.mjs's
// header for what they found).
//
// Usage:
//   node benches/drag-trace.mjs [--nodes 200] [--runs 3] [--paused] [--keep trace.json]
//
// --paused leaves the run paused (no readouts: the counts are the input's
// alone). Each phase is the input's task and the next frame (it closes as
// the second animation frame after the input begins).
//
// Environment: CHROMIUM overrides the browser (default /usr/bin/chromium).

import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { chromium } from '@playwright/test';
import { startServer } from './serve-dist.mjs';

const SPEED = 10;
const SETTLE_MS = 400; // after each input, for its frames to pass
const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.invalidationTracking',
  'blink.user_timing',
  'toplevel',
].join(',');

function parseArgs(argv) {
  const opts = { nodes: 200, runs: 3, keep: null, paused: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const next = () => inline ?? argv[++i];
    if (flag === '--nodes') opts.nodes = parseInt(next(), 10);
    else if (flag === '--runs') opts.runs = parseInt(next(), 10);
    else if (flag === '--keep') opts.keep = next();
    else if (flag === '--paused') opts.paused = true;
    else {
      console.error(`unknown argument ${argv[i]}\nusage: node benches/drag-trace.mjs [--nodes 200] [--runs 3] [--keep trace.json]`);
      process.exit(2);
    }
  }
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * In the page: a MutationObserver counting, per phase, the elements added
 * (with their descendants), removed and the attributes changed, and a
 * user-timing mark at each pointer input so the trace can be cut there.
 */
function installCounter() {
  const counts = {};
  const sizes = {}; // the canvas's size on screen as each phase begins
  let phase = null;
  // A phase is the input's task and the frame after it (where a drag step
  // renders): it closes as the second animation frame after the input
  // begins, so what comes later (a readout, the inspector's idle rows)
  // stays out.
  let closed = false;
  const close = () => requestAnimationFrame(() => requestAnimationFrame(() => {
    // Mutations not yet delivered belong to the phase.
    observer.takeRecords().forEach(record);
    closed = true;
    performance.mark(`drag-trace-close:${phase}`);
  }));
  for (const type of ['pointerdown', 'pointermove', 'pointerup']) {
    addEventListener(type, () => { if (phase && !closed && !window.__dragTrace.armed) { window.__dragTrace.armed = true; close(); } }, true);
  }
  const count = (k, n) => {
    if (!phase || closed) return;
    counts[phase] ??= { added: 0, removed: 0, attributes: 0, text: 0 };
    counts[phase][k] += n;
  };
  const size = (node) => (node.nodeType === 1 ? 1 + node.getElementsByTagName('*').length : 0);
  const record = (m) => {
    if (m.type === 'childList') {
      m.addedNodes.forEach((n) => count('added', size(n)));
      m.removedNodes.forEach((n) => count('removed', size(n)));
    } else if (m.type === 'attributes') count('attributes', 1);
    else count('text', 1);
  };
  const observer = new MutationObserver((list) => list.forEach(record));
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  window.__dragTrace = {
    armed: false,
    phase(name) {
      observer.takeRecords().forEach(record);
      phase = name;
      closed = false;
      this.armed = false;
      const r = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
      sizes[name] = r ? `${r.width.toFixed(0)}x${r.height.toFixed(0)}` : '-';
      performance.mark(`drag-trace:${name}`);
    },
    counts: () => counts,
    sizes: () => sizes,
  };
}

/** A card near the middle of the list whose centre is on screen and hit. */
async function pickNode(page) {
  return page.evaluate(() => {
    const all = [...document.querySelectorAll('g.node')];
    const order = all.map((_, k) => k).sort((a, b) => Math.abs(a - all.length / 2) - Math.abs(b - all.length / 2));
    for (const k of order.slice(0, 50)) {
      const r = all[k].getBoundingClientRect();
      const x = r.x + r.width / 2;
      const y = r.y + r.height / 2;
      if (x > 100 && x < 1180 && y > 100 && y < 620 && document.elementFromPoint(x, y)?.closest('g.node') === all[k]) {
        return { x, y, id: all[k].getAttribute('data-testid') };
      }
    }
    return null;
  });
}

async function readTrace(cdp) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await done;
  let text = '';
  for (;;) {
    const { data, eof, base64Encoded } = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    text += base64Encoded ? Buffer.from(data, 'base64').toString() : data;
    if (eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/** Per phase: the main thread's work and the raster tasks, from the trace. */
function analyse(events, phases) {
  const threadName = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  const marks = events.filter((e) => e.cat?.includes('blink.user_timing') && e.name.startsWith('drag-trace:'));
  const markAt = new Map(marks.map((e) => [e.name.slice('drag-trace:'.length), e.ts]));
  const closeAt = new Map(events.filter((e) => e.cat?.includes('blink.user_timing') && e.name.startsWith('drag-trace-close:'))
    .map((e) => [e.name.slice('drag-trace-close:'.length), e.ts]));
  const main = marks[0] ? `${marks[0].pid}:${marks[0].tid}` : null;
  const out = {};
  phases.forEach((p, k) => {
    const from = markAt.get(p);
    const to = closeAt.get(p) ?? markAt.get(phases[k + 1]) ?? Infinity;
    if (from === undefined) return;
    const r = {
      task: 0, script: 0, styleN: 0, styled: 0, style: 0, layoutN: 0, dirty: 0, layout: 0, prePaint: 0,
      paint: 0, paintN: 0, layerize: 0, commit: 0, rasterN: 0, raster: 0, invalidations: 0, hitTest: 0,
    };
    for (const e of events) {
      if (e.ts < from || e.ts >= to) continue;
      const thread = threadName.get(`${e.pid}:${e.tid}`) ?? '';
      const dur = (e.dur ?? 0) / 1000;
      if (`${e.pid}:${e.tid}` === main) {
        switch (e.name) {
          case 'RunTask': r.task += dur; break;
          case 'FunctionCall': case 'EventDispatch': case 'FireAnimationFrame': case 'V8.Execute':
            if (e.name === 'FunctionCall' || e.name === 'FireAnimationFrame') r.script += dur; break;
          case 'UpdateLayoutTree': r.styleN++; r.style += dur; r.styled += e.args?.elementCount ?? 0; break;
          case 'Layout': r.layoutN++; r.layout += dur; r.dirty += e.args?.beginData?.dirtyObjects ?? 0; break;
          case 'PrePaint': r.prePaint += dur; break;
          case 'Paint': r.paintN++; r.paint += dur; break;
          case 'Layerize': r.layerize += dur; break;
          case 'Commit': r.commit += dur; break;
          case 'HitTest': r.hitTest += dur; break;
          case 'PaintInvalidationTracking': r.invalidations++; break;
          default: break;
        }
      } else if (e.name === 'RasterTask' && /Raster|Compositor/.test(thread)) {
        r.rasterN++;
        r.raster += dur;
      }
    }
    out[p] = r;
  });
  return out;
}

async function once(browser, base, opts, keepPath) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(installCounter);
  const page = await context.newPage();
  try {
    await page.goto(`${base}/?generate=${opts.nodes}`, { waitUntil: 'load', timeout: 30_000 });
    await page.locator('g.node').first().waitFor({ state: 'attached', timeout: 30_000 });
    await page.getByTestId('speed').fill(String(Math.log10(SPEED)));
    if (!opts.paused) {
      await page.getByTestId('play').click();
      await sleep(1000);
    }
    const grip = await pickNode(page);
    if (!grip) throw new Error('no card on screen');
    await page.mouse.move(grip.x, grip.y);
    await sleep(200);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReturnAsStream' });
    await sleep(200);
    const phases = ['press', 'lift', 'step', 'release'];
    const at = (name) => page.evaluate((n) => window.__dragTrace.phase(n), name);
    await at('press');
    await page.mouse.down();
    await sleep(SETTLE_MS);
    await at('lift');
    await page.mouse.move(grip.x + 40, grip.y + 10);
    await sleep(SETTLE_MS);
    await at('step');
    await page.mouse.move(grip.x + 80, grip.y + 20);
    await sleep(SETTLE_MS);
    await at('release');
    await page.mouse.up();
    await sleep(SETTLE_MS);
    await at('end');
    const events = await readTrace(cdp);
    if (keepPath) writeFileSync(keepPath, JSON.stringify({ traceEvents: events }));
    const counts = await page.evaluate(() => window.__dragTrace.counts());
    const sizes = await page.evaluate(() => window.__dragTrace.sizes());
    return { trace: analyse(events, [...phases, 'end']), counts, sizes, id: grip.id };
  } finally {
    await context.close();
  }
}

const f1 = (v) => v.toFixed(1);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { base, child } = await startServer();
  process.on('exit', () => child.exitCode === null && child.kill());
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  console.log(`drag-trace: ${opts.nodes} nodes, ${SPEED}x, ${opts.runs} runs, load ${loadavg()[0].toFixed(2)}`);
  console.log('| run | phase | added | removed | attrs | styles (elements) | layouts (dirty) | task ms | script | style | layout | pre-paint | paint (n) | layerize | commit | raster tasks (ms) | paint invalidations |');
  console.log('|----:|-------|------:|--------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|');
  try {
    for (let k = 0; k < opts.runs; k++) {
      const { trace, counts, sizes, id } = await once(browser, base, opts, k === 0 ? opts.keep : null);
      const seen = [...new Set(Object.values(sizes))];
      console.log(`run ${k + 1}: ${id}; the canvas ${seen.length === 1 ? `stayed ${seen[0]}` : `changed size: ${JSON.stringify(sizes)}`}`);
      for (const [p, r] of Object.entries(trace).filter(([name]) => name !== 'end')) {
        const c = counts[p] ?? { added: 0, removed: 0, attributes: 0 };
        console.log(`| ${k + 1} | ${p} | ${c.added} | ${c.removed} | ${c.attributes} | ${r.styleN} (${r.styled}) | ` +
          `${r.layoutN} (${r.dirty}) | ${f1(r.task)} | ${f1(r.script)} | ${f1(r.style)} | ${f1(r.layout)} | ` +
          `${f1(r.prePaint)} | ${f1(r.paint)} (${r.paintN}) | ${f1(r.layerize)} | ${f1(r.commit)} | ` +
          `${r.rasterN} (${f1(r.raster)}) | ${r.invalidations} |`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`load at end ${loadavg()[0].toFixed(2)}`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
