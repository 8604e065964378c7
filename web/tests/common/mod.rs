//! What the browser tests share: a host element to mount a component in,
//! and finding an element by its `data-testid` (the contract the end-to-end
//! tests use too).
#![allow(dead_code)] // each test crate uses its own part

/// A fresh `<div>` in the page's body to render into.
pub fn mount() -> web_sys::Element {
    let doc = gloo::utils::document();
    let host = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    host
}

/// The element under `root` with `data-testid="id"`; panics naming it when absent.
pub fn by_testid(root: &web_sys::Element, id: &str) -> web_sys::Element {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap().unwrap_or_else(|| panic!("no {id}"))
}
