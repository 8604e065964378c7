//! The worker loop on its own (see lib.rs): the playground links the crate
//! into the page's wasm instead.

#[cfg(target_arch = "wasm32")]
fn main() {
    faultline_worker::start();
}

/// The worker only exists in the browser; natively there is nothing to run.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("faultline-worker is a Web Worker: the playground's wasm runs it (see web/src/lib.rs)");
}
