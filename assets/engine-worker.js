// Starts the engine's Web Worker (web/src/engine.rs creates it from this
// file): loads wasm-bindgen's no-modules glue that trunk writes next to it
// and the worker's wasm. Kept here instead of trunk's generated loader shim,
// which calls the glue with a deprecated argument form (a console warning on
// every page load).
//
// The page starts it as `engine-worker.js?v=<build>`: trunk does not hash
// the worker's file names, so the build's tag goes on every URL instead, and
// a browser never pairs a new page with an old cached engine.
//
// The wasm's request goes out first, before the glue's synchronous
// importScripts, so the two download together instead of one after the
// other (wasm-bindgen's init takes the pending response).
const version = self.location.search;
const wasm = fetch('./faultline-worker_bg.wasm' + version);
importScripts('./faultline-worker.js' + version);
// A failed start must reach the page as an error event (a rejected promise
// would not), so that it says the engine is unavailable.
wasm_bindgen({ module_or_path: wasm }).catch((e) => {
  setTimeout(() => { throw e; });
});
