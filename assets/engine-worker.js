// Starts the engine's Web Worker, a module worker (see web/src/engine.rs and
// assets/engine-start.js, which create it from this file): imports the page's
// own wasm-bindgen glue and instantiates the page's own wasm, which, finding
// itself in a worker, runs the engine's loop instead of the app
// (web/src/lib.rs). The page and its worker thus share one wasm file, which
// the browser downloads once.
//
// The page starts it as `engine-worker.js?v=<build>`, where <build> is the
// hash in the page's file names (`faultline-web-<build>.js`): this file's own
// name has no hash, so the tag also keeps a browser from pairing a new page
// with an old cached loader.
const build = new URLSearchParams(self.location.search).get('v') ?? '';
// A failed start must reach the page as an error event (a rejected promise
// would not), so that it can say the engine is unavailable.
import(`./faultline-web-${build}.js`)
  .then((glue) => glue.default({ module_or_path: `./faultline-web-${build}_bg.wasm` }))
  .catch((e) => {
    setTimeout(() => { throw e; });
  });
