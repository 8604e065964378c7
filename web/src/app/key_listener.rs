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
pub(super) fn use_shortcuts(state: &UseReducerHandle<PlayState>, ui: &Ui, embed: bool) {
    let clipboard = use_mut_ref(|| -> keys::Clipboard { None });
    let on_key = {
        let (d, doc, help) = (state.dispatcher(), std::rc::Rc::clone(&state.doc), ui.help.clone());
        let selection = state.selection.clone();
        let playing = state.playing;
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
            let Some(reactions) = keys::react(cmd, &doc, &selection, playing, &mut clipboard.borrow_mut()) else {
                return;
            };
            for r in reactions {
                match r {
                    keys::Reaction::Act(a) => d.dispatch(a),
                    keys::Reaction::ToggleHelp => help.set(!*help),
                    keys::Reaction::CloseHelp => help.set(false),
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
