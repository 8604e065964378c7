//! Focus for what opens over the page (the menus' panels, the shortcuts
//! sheet, the connect list): focus moves inside when it opens, Tab and
//! Shift+Tab stay inside while it is open, a press outside closes it, and
//! when it closes focus goes back to the button that opened it.
//!
//! Why a module of its own: every panel needs the same four rules, and a
//! keyboard or screen-reader user is lost as soon as one panel forgets one.
//! Escape is the page's shortcut listener's (`app::key_listener`), which
//! knows what is open.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// What can take focus inside an open panel, in tab order.
const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), \
                         textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// Focuses `el` (an HTML or an SVG element).
pub fn focus(el: &Element) {
    if let Some(h) = el.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    } else if let Some(s) = el.dyn_ref::<web_sys::SvgElement>() {
        let _ = s.focus();
    }
}

/// The focusable elements inside `host`, in document order.
fn focusables(host: &Element) -> Vec<Element> {
    let Ok(list) = host.query_selector_all(FOCUSABLE) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

/// Keeps Tab inside `host`: from the last element to the first, Shift+Tab
/// from the first to the last, and either one back in when focus was lost
/// (the element that held it was replaced). Focus in another open panel is
/// that panel's to move.
fn trap_tab(host: &Element, ev: &web_sys::KeyboardEvent) {
    if ev.key() != "Tab" {
        return;
    }
    let doc = gloo::utils::document();
    let active = doc.active_element();
    let inside = active.as_ref().is_some_and(|a| host.contains(Some(a)));
    if !inside && !focus_lost(&doc, active.as_ref()) {
        return;
    }
    let all = focusables(host);
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        ev.prevent_default();
        return;
    };
    let at = |e: &Element| active.as_ref() == Some(e);
    if ev.shift_key() && (at(first) || !inside) {
        ev.prevent_default();
        focus(last);
    } else if !ev.shift_key() && (at(last) || !inside) {
        ev.prevent_default();
        focus(first);
    }
}

/// Whether focus is nowhere a user could see it: on no element, on the
/// page's body, or on an element no longer in the page. Chrome runs the
/// "focus fixup" (focused element removed → body) only at its next rendering
/// update, so until then `activeElement` is the removed element itself.
fn focus_lost(doc: &web_sys::Document, active: Option<&Element>) -> bool {
    active.is_none_or(|a| !a.is_connected() || doc.body().is_some_and(|b| b.is_same_node(Some(a))))
}

/// Focus back into the panel drawn in `host`, on its first control, when
/// `ready` turns true and focus was lost: the panel's content was replaced
/// under it (a list that arrived in place of the "Loading…" line that held
/// the focus, `crate::catalog`).
#[hook]
pub fn use_refocus_when_ready(host: &NodeRef, ready: bool) {
    let host = host.clone();
    use_effect_with(ready, move |ready| {
        let Some(el) = host.cast::<Element>().filter(|_| *ready) else { return };
        let doc = gloo::utils::document();
        let lost = focus_lost(&doc, doc.active_element().as_ref());
        if let Some(first) = focusables(&el).into_iter().next().filter(|_| lost) {
            focus(&first);
        }
    });
}

/// Manages focus for the panel drawn in `host` while it is mounted.
/// `return_to` is the test id of the button that opened it; `on_close` is
/// called for a press outside (except on another button that opens a panel:
/// that one switches panels itself).
#[hook]
pub fn use_modal(host: &NodeRef, return_to: AttrValue, on_close: Callback<()>) {
    let host = host.clone();
    let on_close = crate::hooks::use_latest_callback(on_close);
    use_effect_with((), move |_| {
        let el = host.cast::<Element>();
        // Into the panel: its own choice ([autofocus]) or its first control.
        if let Some(el) = &el {
            let first = el.query_selector("[autofocus]").ok().flatten().or_else(|| focusables(el).into_iter().next());
            if let Some(first) = first {
                focus(&first);
            }
        }
        // On the document, not the panel: a Tab pressed while focus is lost
        // is the body's, and must come back into the panel all the same.
        let keys = el.clone().map(|el| {
            gloo::events::EventListener::new_with_options(
                &gloo::utils::document(),
                "keydown",
                gloo::events::EventListenerOptions::enable_prevent_default(),
                move |ev| {
                    if let Some(ev) = ev.dyn_ref::<web_sys::KeyboardEvent>() {
                        trap_tab(&el, ev);
                    }
                },
            )
        });
        let outside = el.clone().map(|el| {
            gloo::events::EventListener::new(&gloo::utils::document(), "pointerdown", move |ev| {
                let Some(t) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
                let opener = t.closest("[aria-haspopup]").ok().flatten().is_some();
                if !el.contains(Some(&t)) && !opener {
                    on_close.emit(());
                }
            })
        });
        move || {
            drop((keys, outside));
            // Back to the opener, unless the user has put focus somewhere else
            // (a press outside on a field or a card keeps it there).
            let doc = gloo::utils::document();
            let active = doc.active_element();
            let in_host = matches!((&active, &el), (Some(a), Some(host)) if host.contains(Some(a)));
            let lost = in_host || focus_lost(&doc, active.as_ref());
            if lost {
                if let Ok(Some(button)) = doc.query_selector(&format!("[data-testid=\"{return_to}\"]")) {
                    focus(&button);
                }
            }
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    /// The test id of the button that opened it.
    pub return_to: AttrValue,
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub class: Classes,
    pub children: Html,
}

/// A wrapper that gives what it holds the rules of `use_modal`. A press on
/// the wrapper itself (the dimmed backdrop of an overlay) closes it too.
#[component]
pub fn Modal(props: &ModalProps) -> Html {
    let host = use_node_ref();
    use_modal(&host, props.return_to.clone(), props.on_close.clone());
    let onclick = {
        let (host, on_close) = (host.clone(), props.on_close.clone());
        Callback::from(move |ev: MouseEvent| {
            let on_backdrop = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) == host.cast::<Element>();
            if on_backdrop {
                on_close.emit(());
            }
        })
    };
    html! { <div class={props.class.clone()} ref={host} {onclick}>{ props.children.clone() }</div> }
}
