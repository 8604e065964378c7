//! Sections under the canvas that fold away, remembered in the browser.
//!
//! On a laptop screen the charts, the timeline and the run summary take
//! most of the height; a learner building a design wants the canvas, one
//! watching a run wants the numbers. Each section's head is a toggle
//! (`aria-expanded`); whether it is open is kept in browser storage (per
//! section), so the page comes back the way it was left.

use yew::prelude::*;

/// The storage key of section `name`'s state.
fn key(name: &str) -> String {
    format!("faultline.fold.{name}")
}

/// Whether section `name` is open (`default` until the learner chose), and
/// the callback that opens or folds it.
#[hook]
pub fn use_fold(name: &'static str, default: bool) -> (bool, Callback<MouseEvent>) {
    let open = use_state(move || match crate::storage::read(&key(name)) {
        Ok(Some(v)) if v == "open" => true,
        Ok(Some(v)) if v == "folded" => false,
        _ => default,
    });
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| {
            let next = !*open;
            // Storage unavailable: it folds anyway, for this visit.
            let _ = crate::storage::write(&key(name), if next { "open" } else { "folded" });
            open.set(next);
        })
    };
    (*open, toggle)
}

/// A section's head as its toggle: `label`, and what it folds (`controls`,
/// an element id).
pub fn fold_button(open: bool, toggle: Callback<MouseEvent>, label: Html, testid: &str, controls: &str) -> Html {
    html! {
        <button type="button" class="fold" data-testid={testid.to_string()} aria-expanded={open.to_string()}
            aria-controls={controls.to_string()} onclick={toggle}>
            <span class="fold-mark" aria-hidden="true">{ if open { "▾" } else { "▸" } }</span>
            { label }
        </button>
    }
}
