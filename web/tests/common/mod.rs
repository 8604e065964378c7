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

/// Waits until the inspector under `root` has drawn all its rows: after the
/// first few they come a chunk per idle period (`components::progressive`).
/// Awaits idle periods, rendering after each, until two in a row add
/// nothing.
pub async fn all_rows(root: &web_sys::Element) {
    let mut quiet = 0;
    while quiet < 2 {
        let before = root.get_elements_by_tag_name("*").length();
        idle().await;
        yew::scheduler::flush().await;
        quiet = if root.get_elements_by_tag_name("*").length() == before { quiet + 1 } else { 0 };
    }
}

/// The browser's next idle period.
async fn idle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = gloo::utils::window().request_idle_callback(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
