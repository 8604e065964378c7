//! Panics must be seen, not leave a frozen canvas.
//!
//! The hook logs the panic with its message to the browser console (through
//! `console_error_panic_hook`) and then reveals the static error banner that
//! index.html carries outside the Yew tree: after a panic the app is gone, so
//! the banner must not depend on it.

use std::panic::PanicHookInfo;

/// Id of the banner element in index.html.
pub const BANNER_ID: &str = "fatal-error";

/// Installs the hook through Yew, which would otherwise replace a plain
/// `std::panic::set_hook` with its own console-only hook when it renders.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info: &PanicHookInfo<'_>| {
        console_error_panic_hook::hook(info);
        show_banner(&message(info));
    }));
}

fn message(info: &PanicHookInfo<'_>) -> String {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    match info.location() {
        Some(l) => format!("{payload} ({}:{})", l.file(), l.line()),
        None => payload,
    }
}

/// Reveals the error banner with `detail`. Safe to call at any time.
pub fn show_banner(detail: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(banner) = doc.get_element_by_id(BANNER_ID) else {
        return;
    };
    if let Some(el) = doc.get_element_by_id("fatal-error-detail") {
        el.set_text_content(Some(detail));
    }
    let _ = banner.remove_attribute("hidden");
}
