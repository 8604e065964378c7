//! Share links: the scenario in the URL fragment (never sent to a server).
//!
//! An exercise attempt's link also names the exercise (a version 2 link); a
//! compare link carries two designs (version 3) and opens the compare view.
//!
//! The encoding itself (versioned, compressed, bounded) is `faultline-link`;
//! this module reads the fragment the page was opened with and keeps the
//! address bar following the design (with `replaceState`, so edits do not
//! flood the history).

use faultline_link::{decode, encode, encode_attempt, encode_compare, Shared};
use faultline_sim::Scenario;

/// Past this many characters a link may not survive chat apps and proxies.
pub const LINK_WARN_CHARS: usize = 8 * 1024;

/// The page's address without its fragment.
fn base_url() -> String {
    let loc = gloo::utils::window().location();
    let href = loc.href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// The full link that opens `doc` (playing at once if `autoplay`).
pub fn link_for(doc: &Scenario, autoplay: bool) -> String {
    format!("{}#{}", base_url(), encode(doc, autoplay))
}

/// The full link that opens exercise `exercise` beside `design` (an attempt,
/// for a mentor to see the same exercise and design).
pub fn attempt_link_for(design: &Scenario, exercise: &str) -> String {
    format!("{}#{}", base_url(), encode_attempt(design, exercise, false))
}

/// The full link that opens the compare view with `a` against `b`.
pub fn compare_link_for(a: &Scenario, b: &Scenario) -> String {
    format!("{}#{}", base_url(), encode_compare(a, b))
}

/// Where a page being left notes the address its design has by then (see
/// [`leave`]), in the tab's session storage: it survives a reload of the tab
/// and no other tab sees it.
const LEFT_KEY: &str = "faultline.address.left";

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Whether this page was loaded by reloading the tab (Navigation Timing's
/// `type`), not by opening an address.
fn reloaded() -> bool {
    let Some(perf) = web_sys::window().and_then(|w| w.performance()) else { return false };
    let entry = perf.get_entries_by_type("navigation").get(0);
    js_sys::Reflect::get(&entry, &"type".into()).ok().and_then(|t| t.as_string()).as_deref() == Some("reload")
}

/// The fragment (with its `#`) that puts `doc` in the address bar, or none
/// while it cannot run (a draft's link would not open).
fn fragment_for(doc: &Scenario) -> String {
    if doc.validate().is_ok() {
        format!("#{}", encode(doc, false))
    } else {
        String::new()
    }
}

/// The page is being left (a reload, a closed tab) with `doc` as its
/// design. The address bar follows the design only once it has stayed
/// unchanged for a moment, and a reload's address is fixed when it is asked
/// for, before the page hears of it: a reload right after an edit would come
/// back with the link of the design as it was before the edit. So the
/// design's address as it is left is noted, and a reload opens that one
/// ([`at_start`]).
pub fn leave(doc: &Scenario) {
    if let Some(session) = session() {
        let _ = session.set_item(LEFT_KEY, &fragment_for(doc));
    }
}

/// The fragment to read at start-up: the address bar's, or after a reload
/// of the tab, the design's as the page was left (see [`leave`]), which
/// then goes back in the address bar too.
fn fresh_hash() -> Option<String> {
    let hash = gloo::utils::window().location().hash().ok()?;
    let left = session().and_then(|s| {
        let left = s.get_item(LEFT_KEY).ok().flatten();
        let _ = s.remove_item(LEFT_KEY);
        left
    });
    match left {
        Some(left) if left != hash && reloaded() => {
            if let Ok(history) = gloo::utils::window().history() {
                let url = format!("{}{left}", base_url());
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
            Some(left)
        }
        _ => Some(hash),
    }
}

/// The scenario in the fragment the page was opened with, if it has one
/// (a reload after an edit: the design as it was left, see [`leave`]).
pub fn at_start() -> Option<Result<Shared, String>> {
    read_fragment(&fresh_hash()?)
}

/// The scenario in the address bar's fragment, if it has one.
pub fn from_address() -> Option<Result<Shared, String>> {
    read_fragment(&gloo::utils::window().location().hash().ok()?)
}

fn read_fragment(hash: &str) -> Option<Result<Shared, String>> {
    let fragment = hash.trim_start_matches('#');
    if fragment.is_empty() {
        return None;
    }
    Some(decode(fragment).map_err(|e| format!("This link could not be opened: {e}")))
}

/// Puts `doc` in the address bar (or clears the fragment while it cannot run).
pub fn follow(doc: &Scenario) {
    let fragment = fragment_for(doc);
    let url = if fragment.is_empty() { base_url() } else { fragment };
    if let Ok(history) = gloo::utils::window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
