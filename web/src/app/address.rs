//! What the address brings: the message and the autoplay of the link the
//! page was opened with (`startup.rs`), and a link pasted into a tab that
//! already has the page open.
//!
//! Why this is needed: pasting a share link into an open tab changes only
//! the fragment, so the browser does not reload and `startup` never sees it;
//! without a `hashchange` listener nothing would happen. A link opened this
//! way is loaded like a preset (undo goes back to the design before it, which
//! also goes into "My designs" as at startup); an exercise attempt's link
//! also opens its exercise beside the design; a compare link opens the
//! compare view over the design, which stays; a broken one gets the message
//! a fresh tab would show and the design stays.

use crate::hooks::use_latest_callback;
use crate::share;
use crate::startup::{keep_before_link, linked, Startup};
use crate::state::{Action, PlayState};
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

/// Shows what the page was opened with (a message, a link that plays), and
/// opens every link pasted later through `load` (and an attempt's exercise
/// through `open_exercise`). `doc` is the design open now; a `transient`
/// page never writes to storage or the address bar.
#[hook]
pub fn use_address(
    boot: &Rc<Startup>,
    doc: &Rc<Scenario>,
    d: UseReducerDispatcher<PlayState>,
    load: Callback<Scenario>,
    open_exercise: Callback<String>,
    open_compare: Callback<(Scenario, Scenario)>,
) {
    {
        let (d, boot) = (d.clone(), Rc::clone(boot));
        use_effect_with((), move |_| {
            if let Some(m) = &boot.message {
                d.dispatch(Action::Message(Some(m.clone())));
            }
            if boot.autoplay {
                d.dispatch(Action::Play);
            }
        });
    }
    let transient = boot.transient;
    let on_hash = use_latest_callback({
        let doc = Rc::clone(doc);
        Callback::from(move |()| match share::from_address() {
            None => {}
            // A compare link opens the compare view over the design, which stays.
            Some(Ok(faultline_link::Shared { scenario, compare: Some(b), .. })) => open_compare.emit((scenario, *b)),
            Some(Ok(shared)) => {
                let incoming = linked(shared.scenario);
                if incoming != *doc {
                    if !transient {
                        keep_before_link((*doc).clone(), &incoming);
                    }
                    load.emit(incoming);
                }
                if let Some(id) = shared.exercise {
                    open_exercise.emit(id);
                }
                if shared.autoplay {
                    d.dispatch(Action::Play);
                }
            }
            Some(Err(e)) => {
                d.dispatch(Action::Message(Some(e)));
                // The address bar shows the design again, as it does after edits.
                if !transient {
                    share::follow(&doc);
                }
            }
        })
    });
    use_effect_with((), move |_| {
        let listener = gloo::events::EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
            on_hash.emit(());
        });
        move || drop(listener)
    });
}
