//! Keeping the user's work: the autosave and the address bar follow the
//! document (debounced), and leaving the page saves at once.
//!
//! Why a module of its own: when the page writes to storage is a promise
//! ("a reload or a crashed tab loses nothing") worth finding in one place,
//! apart from the App's layout and the engine's wiring.

use crate::state::{Action, PlayState};
use crate::{share, storage};
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

/// How long the document must stay unchanged before it is saved.
const SAVE_DEBOUNCE_MS: u32 = 400;

/// Autosaves `doc` and puts it in the address bar, debounced; saves at once
/// when the page is left. A `transient` page (a generated topology, an
/// embedded view) is not the user's work and is never saved.
#[hook]
pub fn use_autosave(doc: &Rc<Scenario>, transient: bool, d: UseReducerDispatcher<PlayState>) {
    let storage_warned = use_mut_ref(|| false);
    let save_timer = use_mut_ref(|| None::<gloo::timers::callback::Timeout>);
    // The document as of the last render, for the page-hide listener.
    let doc_now = use_mut_ref(|| Rc::clone(doc));
    *doc_now.borrow_mut() = Rc::clone(doc);

    use_effect_with(Rc::clone(doc), move |doc| {
        let doc = Rc::clone(doc);
        *save_timer.borrow_mut() = (!transient).then(|| {
            gloo::timers::callback::Timeout::new(SAVE_DEBOUNCE_MS, move || {
                if let Err(e) = storage::save_autosave(&doc) {
                    if !std::mem::replace(&mut *storage_warned.borrow_mut(), true) {
                        d.dispatch(Action::Message(Some(e)));
                    }
                }
                share::follow(&doc);
            })
        });
    });

    // Closing or leaving the page saves at once (the debounce must not lose
    // the last edit), and notes the address the design has by then, which
    // the address bar may not have caught up with (`share::leave`).
    use_effect_with((), move |_| {
        let listener = (!transient).then(|| {
            gloo::events::EventListener::new(&gloo::utils::window(), "pagehide", move |_| {
                let doc = doc_now.borrow();
                let _ = storage::save_autosave(&doc);
                share::leave(&doc);
            })
        });
        move || drop(listener)
    });
}
