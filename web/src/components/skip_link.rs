//! A bypass around the canvas for the keyboard (WCAG 2.4.1, bypass blocks).
//!
//! Every card and link on the canvas is a Tab stop, so with a large design
//! the fault bar after it is dozens of presses away. A skip link is the
//! first stop before the cards ("Skip to the fault bar") and another follows
//! them ("Back to the palette"); each is hidden until it has focus. They are
//! buttons, not `#anchors`: the page's URL fragment carries share links.

use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SkipLinkProps {
    pub label: AttrValue,
    pub testid: AttrValue,
    /// Where focus goes: the first enabled control inside the first element
    /// of these selectors that is shown (else that element itself).
    pub targets: &'static [&'static str],
}

/// What a skip link may land on inside its target.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), [tabindex='0']";

/// Focuses the first shown control of the first shown target; `false` when
/// none is shown.
fn focus_first(targets: &[&str]) -> bool {
    let doc = gloo::utils::document();
    let shown = |el: &web_sys::Element| {
        let r = el.get_bounding_client_rect();
        r.width() > 0.0 || r.height() > 0.0
    };
    for selector in targets {
        let Some(target) = doc.query_selector(selector).ok().flatten().filter(shown) else { continue };
        let inner = target.query_selector_all(FOCUSABLE).ok();
        let first = inner.and_then(|list| {
            (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok()).find(shown)
        });
        let el = first.unwrap_or_else(|| {
            // Nothing to press inside (nothing selected yet): the target
            // itself takes focus, so the next Tab goes on from there.
            let _ = target.set_attribute("tabindex", "-1");
            target
        });
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
            return true;
        }
    }
    false
}

#[component]
pub fn SkipLink(props: &SkipLinkProps) -> Html {
    let onclick = {
        let targets = props.targets;
        Callback::from(move |ev: MouseEvent| {
            if focus_first(targets) {
                ev.prevent_default();
            }
        })
    };
    html! {
        <button type="button" class="skip-link" data-testid={props.testid.clone()} {onclick}>{ props.label.clone() }</button>
    }
}
