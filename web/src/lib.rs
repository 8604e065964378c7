//! Faultline's playground, the Yew app that trunk builds into the static page.
//!
//! The engine (`faultline-sim`) owns every number; this crate only lays the
//! scenario out, drives the engine (in a Web Worker: `engine.rs`) and shows
//! what it reports.

pub mod app;
pub mod catalog;
pub mod compare;
pub mod components;
pub mod editor;
pub mod engine;
pub mod exercises;
pub mod files;
pub mod format;
pub mod hooks;
pub mod interview;
pub mod keyboard;
pub mod library;
pub mod modal;
pub mod panic;
pub mod particles;
pub mod plain;
pub mod plain_file;
pub mod resize;
pub mod runner;
pub mod same;
pub mod share;
pub mod site;
pub mod startup;
pub mod state;
pub mod storage;

/// Entry point: error reporting first, then the app.
pub fn start() {
    panic::install();
    let root = gloo::utils::document().get_element_by_id("app").expect("index.html has an element with id \"app\"");
    yew::Renderer::<app::App>::with_root(root).render();
}
