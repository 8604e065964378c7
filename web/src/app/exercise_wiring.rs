//! The App's side of the exercises: opening one (the learner's design saved
//! first, the starter onto the canvas), checking the design in the engine's
//! worker, revealing hints, sharing an attempt, and the panels that show it
//! all. An attempt link (`share::attempt_link_for`) opens here too: the page
//! starts with its design on the canvas, and this opens its exercise.
//!
//! Why a module of its own: exercises touch the document (open, start over,
//! the reference), the engine (the check) and storage (My designs, stars),
//! and none of it is the App's layout. The verdict comes back through
//! `reports.rs` into the exercise reducer (`crate::exercises`).

use super::engine_wiring::runner_for;
use super::open_export::loader;
use super::Ui;
use crate::catalog::{self, Shipped};
use crate::components::Panel;
use crate::components::{ExerciseAside, ExercisesPanel};
use crate::engine::Engine;
use crate::exercises::{Brief, ExerciseAction};
use crate::hooks::use_latest_callback;
use crate::state::{Action, PlayState};
use crate::storage::{self, Design};
use faultline_live::Command as EngineCommand;
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

/// An attempt link made: of which design, for which exercise, the link, and
/// whether it reached the clipboard.
type Shared = (Rc<Scenario>, String, String, bool);

pub(super) struct Exercises {
    /// The Exercises menu's panel.
    pub panel: Html,
    /// The open exercise, beside the canvas, and whether it is expanded.
    pub aside: Option<(Html, bool)>,
}

/// Saves `doc` in My designs, unless it is an exercise's own design or
/// already saved: the name it is saved under, if it was.
pub(super) fn keep(doc: &Scenario, briefs: &[Brief]) -> Result<Option<String>, String> {
    if briefs.iter().any(|b| b.starter == *doc || b.reference == *doc) {
        return Ok(None);
    }
    let mut list = storage::designs()?;
    if list.iter().any(|d| d.scenario == *doc) {
        return Ok(None);
    }
    let name = storage::unique_name(&list, &doc.name);
    let saved_ms = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.time_origin() + p.now());
    list.push(Design { name: name.clone(), saved_ms, scenario: doc.clone() });
    storage::save_designs(&list)?;
    Ok(Some(name))
}

/// `linked`: the exercise of the attempt link the page was opened with;
/// `interviewed`: an interview on an exercise is in progress (its prompt
/// and its drill need the exercise).
#[hook]
pub(super) fn use_exercises(
    state: &UseReducerHandle<PlayState>,
    ui: &Ui,
    engine: &Rc<Engine>,
    linked: Option<String>,
    on_interview: &Callback<Option<String>>,
    interviewed: bool,
) -> Exercises {
    let ex = ui.exercise.clone();
    // The exercises come from the site when first needed (`catalog.rs`).
    {
        let catalog = ui.catalog.clone();
        let wanted = *ui.panel == Some(Panel::Exercises) || ex.open.is_some() || interviewed;
        use_effect_with(wanted, move |wanted| {
            if *wanted {
                catalog::want_exercises(&catalog);
            }
        });
    }
    let shipped: Option<Rc<Shipped>> = ui.catalog.exercises.ready().cloned();
    let briefs: Rc<Vec<Brief>> = shipped.as_ref().map(|s| Rc::clone(&s.briefs)).unwrap_or_default();
    let d = state.dispatcher();
    let load = loader(&d, ui);
    let doc = Rc::clone(&state.doc);
    // The attempt link last made, for the design it was made of.
    let shared = use_state(|| None::<Shared>);
    {
        // The link's design is already on the canvas: open its exercise beside it.
        let ex = ex.clone();
        use_effect_with((), move |_| {
            if let Some(id) = linked {
                ex.dispatch(ExerciseAction::Open(id));
            }
        });
    }

    let on_open = {
        let (briefs, ex, d, load, doc, narrative) =
            (Rc::clone(&briefs), ex.clone(), d.clone(), load.clone(), Rc::clone(&doc), ui.narrative.clone());
        Callback::from(move |id: String| {
            let Some(b) = briefs.iter().find(|b| b.id == id) else { return };
            let kept = keep(&doc, &briefs);
            narrative.set(None);
            load.emit(b.starter.clone());
            ex.dispatch(ExerciseAction::Open(id));
            let said = match kept {
                Ok(Some(name)) => {
                    Some(format!("Your design is saved in My designs as \"{name}\" (Undo also brings it back)."))
                }
                Ok(None) => None,
                Err(e) => Some(format!("Your design could not be saved in My designs ({e}); Undo brings it back.")),
            };
            d.dispatch(Action::Message(said));
        })
    };
    let on_open = use_latest_callback(on_open);
    let open = ex.open.as_ref().and_then(|id| briefs.iter().find(|b| &b.id == id)).cloned();
    let panel = html! {
        <ExercisesPanel briefs={Rc::clone(&briefs)} status={ui.catalog.exercises.status("exercises")}
            progress={Rc::clone(&ex.progress)} {on_open} />
    };
    let Some(brief) = open else { return Exercises { panel, aside: None } };

    let run = runner_for(engine, state);
    let on_check = {
        let (ex, doc, id, engine, d) = (ex.clone(), Rc::clone(&doc), brief.id.clone(), Rc::clone(engine), d.clone());
        let exercise = shipped.as_ref().and_then(|s| s.text(&id)).unwrap_or_default().to_string();
        Callback::from(move |()| {
            if engine.place() == crate::engine::Place::Unavailable {
                d.dispatch(Action::Message(Some(
                    "The engine could not start in this browser, so nothing can be checked.".into(),
                )));
                return;
            }
            ex.dispatch(ExerciseAction::Checking(Rc::clone(&doc)));
            engine.send(EngineCommand::CheckExercise {
                id: id.clone(),
                exercise: exercise.clone(),
                design: Box::new((*doc).clone()),
            });
        })
    };
    let on_moment = {
        let now = state.view.now_ms;
        Callback::from(move |t: u64| {
            let t_ms = t as f64;
            // Back: the scrubber's snapshots; forward: run the design up to it.
            if t_ms <= now {
                run(EngineCommand::Scrub { t_ms });
            } else {
                run(EngineCommand::Step { ms: (t_ms - now).ceil() as u64 });
            }
        })
    };
    let open_design = |s: &Scenario| {
        let (load, s) = (load.clone(), s.clone());
        Callback::from(move |()| load.emit(s.clone()))
    };
    let on_hint = {
        let ex = ex.clone();
        Callback::from(move |()| ex.dispatch(ExerciseAction::RevealHint))
    };
    let on_expand = {
        let ex = ex.clone();
        Callback::from(move |open| ex.dispatch(ExerciseAction::Expand(open)))
    };
    let on_close = {
        let ex = ex.clone();
        Callback::from(move |()| ex.dispatch(ExerciseAction::Close))
    };
    let on_share = {
        let (shared, doc, id) = (shared.clone(), Rc::clone(&doc), brief.id.clone());
        Callback::from(move |()| {
            let link = crate::share::attempt_link_for(&doc, &id);
            shared.set(Some((Rc::clone(&doc), id.clone(), link.clone(), false)));
            // Says "copied" only if the browser allowed it.
            let promise = gloo::utils::window().navigator().clipboard().write_text(&link);
            let (shared, doc, id) = (shared.clone(), Rc::clone(&doc), id.clone());
            yew::platform::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    shared.set(Some((doc, id, link, true)));
                }
            });
        })
    };
    // A link made of an earlier version of the design, or for another exercise, is not shown.
    let shared_now = shared
        .as_ref()
        .filter(|(d, id, _, _)| *id == brief.id && (Rc::ptr_eq(d, &doc) || **d == *doc))
        .map(|(_, _, link, copied)| (link.clone(), *copied));
    let on_interview = {
        let id = brief.id.clone();
        on_interview.reform(move |()| Some(id.clone()))
    };
    let stale = ex.verdict.as_ref().is_some_and(|(checked, _)| !Rc::ptr_eq(checked, &doc) && **checked != *doc);
    let aside = html! {
        <ExerciseAside brief={brief.clone()} progress={ex.current()} expanded={ex.expanded} {on_expand}
            checking={ex.checking.is_some()} verdict={ex.verdict.as_ref().map(|(_, v)| Rc::clone(v))} {stale}
            {on_check} {on_hint} on_starter={open_design(&brief.starter)} on_reference={open_design(&brief.reference)}
            {on_moment} {on_close} {on_share} shared={shared_now} {on_interview} />
    };
    Exercises { panel, aside: Some((aside, ex.expanded)) }
}
