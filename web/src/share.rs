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

/// The scenario in the fragment the page was opened with, if it has one.
pub fn from_address() -> Option<Result<Shared, String>> {
    let hash = gloo::utils::window().location().hash().ok()?;
    let fragment = hash.trim_start_matches('#');
    if fragment.is_empty() {
        return None;
    }
    Some(decode(fragment).map_err(|e| format!("This link could not be opened: {e}")))
}

/// Puts `doc` in the address bar (or clears the fragment when `None`).
pub fn follow(doc: Option<&Scenario>) {
    let url = match doc {
        Some(d) => format!("#{}", encode(d, false)),
        None => base_url(),
    };
    if let Ok(history) = gloo::utils::window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
