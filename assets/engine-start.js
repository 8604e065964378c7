// Starts the engine's Web Worker as soon as the page's HTML is parsed, so the
// worker's files (its glue and wasm) download and compile while the page's
// own wasm does, instead of after it: the first run waits for the slower of
// the two, not for both in turn. index.html loads this classic script at the
// start of <body>, after trunk's <link rel="modulepreload"> for the page's
// module, whose name carries the build's hash.
//
// web/src/engine.rs takes the worker over with `faultlineTakeEngineWorker()`,
// which also hands it the events (the worker's `Ready`, or a failure to
// start) that arrived before the page's wasm was listening. Without this
// script (component tests) the page starts the worker itself, later.
(() => {
  const link = document.querySelector('link[rel=modulepreload]');
  if (!link) return;
  const href = link.href;
  const slash = href.lastIndexOf('/') + 1;
  // The page's module is `faultline-web-<hash>.js`: its hash tags every
  // worker URL (trunk does not hash the worker's own file names).
  const build = href.slice(slash).replace(/\.js$/, '').split('-').pop();
  let worker;
  try {
    worker = new Worker(`${href.slice(0, slash)}engine-worker.js?v=${build}`);
  } catch (e) {
    console.error('Faultline: the engine\'s Web Worker could not start:', e);
    return;
  }
  const early = [];
  const keep = (ev) => {
    if (ev.type === 'error') ev.preventDefault();
    early.push(ev);
  };
  worker.addEventListener('message', keep);
  worker.addEventListener('error', keep);
  window.faultlineTakeEngineWorker = () => {
    delete window.faultlineTakeEngineWorker;
    worker.removeEventListener('message', keep);
    worker.removeEventListener('error', keep);
    return { worker, early };
  };
})();
