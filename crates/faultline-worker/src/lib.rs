//! The engine's Web Worker.
//!
//! The page posts `Command`s as JSON strings; this loop carries them out with
//! `faultline_live::Live` and posts `Report`s back. While playing it runs
//! the engine in slices of `BUDGET_MS` and yields between them, so commands
//! (a pull for the next frame, a fault, a pause) are answered within one
//! slice. It yields through a `MessageChannel` when the engine is behind the
//! wall clock (no timer clamping) and through a short timer when it has
//! caught up. The engine thus has a core to itself and the page's frames are
//! left to drawing.
//!
//! The playground does not ship this as a binary of its own: the page's wasm
//! (`faultline-web`) links it and, started inside a worker, runs [`start`]
//! instead of the app (`web/src/lib.rs`). A first visit then downloads one
//! wasm file that both the page and its worker instantiate, instead of a
//! second binary that repeated the page's scenario parsing, JSON and
//! standard library (issue 18). The `faultline-worker` binary remains for
//! checking this crate on its own.

#[cfg(target_arch = "wasm32")]
mod worker;

#[cfg(target_arch = "wasm32")]
pub use worker::start;
