// Starts the engine's Web Worker (web/src/engine.rs creates it from this
// file): loads wasm-bindgen's no-modules glue that trunk writes next to it,
// then the worker's wasm. Kept here instead of trunk's generated loader shim,
// which calls the glue with a deprecated argument form (a console warning on
// every page load).
//
// The page starts it as `engine-worker.js?v=<build>`: trunk does not hash
// the worker's file names, so the build's tag goes on every URL instead, and
// a browser never pairs a new page with an old cached engine.
const version = self.location.search;
importScripts('./faultline-worker.js' + version);
// A failed start must reach the page as an error event (a rejected promise
// would not), so that it runs the engine itself instead.
wasm_bindgen({ module_or_path: './faultline-worker_bg.wasm' + version }).catch((e) => {
  setTimeout(() => { throw e; });
});
