//! Faultline's playground, the Yew app that trunk builds into the static page.
//!
//! The engine (`faultline-sim`) owns every number; this crate only lays the
//! scenario out, drives the engine (in a Web Worker: `engine.rs`) and shows
//! what it reports.
//!
//! The same wasm is the engine's worker: started inside a Web Worker
//! (`assets/engine-worker.js`), [`start`] runs `faultline_worker`'s loop
//! instead of the app, so a visit downloads one wasm file, not two.

pub mod app;
pub mod components;
pub mod editor;
pub mod engine;
pub mod files;
pub mod format;
pub mod hooks;
pub mod keyboard;
pub mod library;
pub mod panic;
pub mod particles;
pub mod resize;
pub mod runner;
pub mod same;
pub mod share;
pub mod startup;
pub mod state;
pub mod storage;

/// Entry point: in a worker, the engine's loop; on the page, error
/// reporting first, then the app.
pub fn start() {
    use wasm_bindgen::JsCast;
    if js_sys::global().dyn_ref::<web_sys::Window>().is_none() {
        return faultline_worker::start();
    }
    panic::install();
    let root = gloo::utils::document().get_element_by_id("app").expect("index.html has an element with id \"app\"");
    yew::Renderer::<app::App>::with_root(root).render();
}
