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

#[cfg(target_arch = "wasm32")]
mod worker;

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

/// The worker only exists in the browser; natively there is nothing to run.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("faultline-worker is a Web Worker: trunk builds it for the playground (see index.html)");
}
