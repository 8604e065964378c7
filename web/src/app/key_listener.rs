//! The keyboard shortcuts' listener on the whole page: which command a key
//! is (`keyboard.rs`), what it does to the design (`keys.rs`), and this, the
//! DOM side: one `keydown` listener, registered once, calling the handler of
//! the latest render.
//!
//! Why a module of its own: the listener must skip keys typed into fields
//! and replace some of the browser's own shortcuts (Ctrl+A); that is page
//! plumbing, apart from the App's layout and from the pure `keys.rs`.

use super::{keys, Ui};
use crate::hooks::use_latest_callback;
use crate::keyboard::{command, Command};
use crate::state::PlayState;
use yew::prelude::*;

#[hook]
pub(super) fn use_shortcuts(
    state: &UseReducerHandle<PlayState>,
    ui: &Ui,
    embed: bool,
    on_fault_delete: Callback<usize>,
) {
    let clipboard = use_mut_ref(|| -> keys::Clipboard { None });
    let on_key = {
        let (d, doc, help) = (state.dispatcher(), std::rc::Rc::clone(&state.doc), ui.help.clone());
        let selection = state.selection.clone();
        let playing = state.playing;
        let (panel, connect, context, fault) =
            (ui.panel.clone(), ui.connect.clone(), ui.context.clone(), ui.fault.clone());
        let (drawer, compare) = (ui.drawer.clone(), ui.compare.clone());
        Callback::from(move |ev: web_sys::KeyboardEvent| {
            if embed {
                return; // read-only
            }
            let typing = ev.target().and_then(|t| {
                use wasm_bindgen::JsCast;
                t.dyn_into::<web_sys::Element>().ok()
            });
            let typing = typing.is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            let Some(cmd) = command(&ev.key(), ev.ctrl_key() || ev.meta_key(), ev.shift_key()) else { return };
            if typing && cmd != Command::Escape {
                return;
            }
            // Escape closes what is open over the page first, the innermost
            // first; the selection stays.
            if cmd == Command::Escape {
                let open: [(bool, Box<dyn Fn()>); 5] = [
                    (connect.is_some(), Box::new(|| connect.set(None))),
                    (context.is_some(), Box::new(|| context.set(None))),
                    (panel.is_some(), Box::new(|| panel.set(None))),
                    (compare.open.is_some(), Box::new(|| compare.dispatch(crate::compare::CompareAction::Close))),
                    (drawer.is_some(), Box::new(|| drawer.set(None))),
                ];
                if let Some((_, close)) = open.iter().find(|(is_open, _)| *is_open) {
                    close();
                    ev.prevent_default();
                    return;
                }
            }
            // While the connect list is open its own keys (arrows, Enter) are
            // its own; while the compare view is, the design is out of reach.
            if connect.is_some() || compare.open.is_some() {
                return;
            }
            // Delete acts on what looks selected: a fault block picked on the
            // timeline (shown only while the canvas has no selection).
            if cmd == Command::Delete && selection.is_empty() {
                if let Some(i) = *fault {
                    fault.set(None);
                    on_fault_delete.emit(i);
                    ev.prevent_default();
                    return;
                }
            }
            let Some(reactions) = keys::react(cmd, &doc, &selection, playing, &mut clipboard.borrow_mut()) else {
                return;
            };
            for r in reactions {
                match r {
                    keys::Reaction::Act(a) => d.dispatch(a),
                    keys::Reaction::ToggleHelp => help.set(!*help),
                    keys::Reaction::CloseHelp => help.set(false),
                    keys::Reaction::Connect(from) => connect.set(Some(from)),
                }
            }
            ev.prevent_default();
        })
    };
    let on_key = use_latest_callback(on_key);
    use_effect_with((), move |_| {
        let listener = gloo::events::EventListener::new_with_options(
            &gloo::utils::document(),
            "keydown",
            // Not passive: shortcuts such as Ctrl+A replace the browser's own.
            gloo::events::EventListenerOptions::enable_prevent_default(),
            move |ev| {
                use wasm_bindgen::JsCast;
                if let Some(ev) = ev.dyn_ref::<web_sys::KeyboardEvent>() {
                    on_key.emit(ev.clone());
                }
            },
        );
        move || drop(listener)
    });
}
