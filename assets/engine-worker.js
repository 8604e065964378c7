// Starts the engine's Web Worker (web/src/engine.rs creates it from this
// file): loads wasm-bindgen's no-modules glue that trunk writes next to it,
// then the worker's wasm. Kept here instead of trunk's generated loader shim,
// which calls the glue with a deprecated argument form (a console warning on
// every page load).
importScripts('./faultline-worker.js');
// A failed start must reach the page as an error event (a rejected promise
// would not), so that it runs the engine itself instead.
wasm_bindgen({ module_or_path: './faultline-worker_bg.wasm' }).catch((e) => {
  setTimeout(() => { throw e; });
});
