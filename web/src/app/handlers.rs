//! The App's callbacks for editing the design and driving the run: what a
//! click, a drag or a typed value on the canvas, the controls, the fault bar
//! or the timeline turns into (an edit, a selection, an engine command).
//!
//! Why a module of its own: these are most of the App's code and none of its
//! layout. Every handler is handed out through `use_latest_callback`: the
//! engine's readouts render the App ten times a second while running, and a
//! handler that is the same object every render lets each child whose own
//! data did not change (palette, inspector, fault bar, cards) skip its render.

use super::engine_wiring::runner_for;
use super::placement::{checked, free_spot, moved_into_regions};
use super::seed::random_seed;
use super::{camera_of, Ui};
use crate::components::canvas::camera::Camera;
use crate::components::Injection;
use crate::editor::edits;
use crate::editor::moved_only::moved_only;
use crate::engine::Engine;
use crate::hooks::use_latest_callback;
use crate::state::{Action, PlayState, Selection};
use faultline_live::Command as EngineCommand;
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

/// Simulated milliseconds one press of "step" advances.
const STEP_MS: u64 = 100;

pub(super) type Dispatcher = UseReducerDispatcher<PlayState>;

/// A callback that dispatches the action `f` makes of its argument.
pub(super) fn act<T: 'static>(d: &Dispatcher, f: impl Fn(T) -> Action + 'static) -> Callback<T> {
    let d = d.clone();
    Callback::from(move |x| d.dispatch(f(x)))
}

/// Applies `next` as an edit, or shows why it was refused.
fn edit_or_say(d: &Dispatcher, next: Result<Scenario, String>) {
    match next {
        Ok(doc) => d.dispatch(Action::Edit(doc)),
        Err(e) => d.dispatch(Action::Message(Some(e))),
    }
}

/// Every handler of editing and running, each stable across renders.
pub(super) struct Handlers {
    pub on_play: Callback<()>,
    pub on_pause: Callback<()>,
    pub on_reset: Callback<()>,
    pub on_undo: Callback<()>,
    pub on_redo: Callback<()>,
    pub on_step: Callback<()>,
    pub on_seed: Callback<Option<u64>>,
    pub on_speed: Callback<f64>,
    pub on_select: Callback<Vec<Selection>>,
    pub on_edit: Callback<Scenario>,
    pub on_add: Callback<String>,
    pub on_drop_kind: Callback<(String, f64, f64)>,
    pub on_move: Callback<(Vec<usize>, f64, f64)>,
    pub on_connect: Callback<(usize, usize)>,
    pub on_inject: Callback<Injection>,
    pub on_fault_move: Callback<(usize, u64)>,
    pub on_fault_delete: Callback<usize>,
    pub on_scrub: Callback<f64>,
    pub on_pick: Callback<Option<u64>>,
    pub on_context: Callback<(Selection, f64, f64)>,
    pub on_camera: Callback<Option<Camera>>,
    pub on_message: Callback<Option<String>>,
}

#[hook]
pub(super) fn use_handlers(state: &UseReducerHandle<PlayState>, ui: &Ui, engine: &Rc<Engine>) -> Handlers {
    let d = state.dispatcher();
    let doc = Rc::clone(&state.doc);
    let run = runner_for(engine, state);
    let on_step = {
        let run = run.clone();
        Callback::from(move |_| run(EngineCommand::Step { ms: STEP_MS }))
    };
    let on_seed = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |seed: Option<u64>| {
            let mut next = (*doc).clone();
            next.seed = seed.unwrap_or_else(random_seed);
            edit_or_say(&d, next.validate_draft().map(|_| next.clone()).map_err(|e| format!("Seed refused: {e}")));
        })
    };
    let cam = camera_of(ui, state);
    let add_at = {
        let (d, doc, camera) = (d.clone(), Rc::clone(&doc), ui.camera.clone());
        move |kind: &str, x: f64, y: f64| {
            // Edits leave the camera where it is (`PlayState::fit`); a card
            // that had to land out of view (the middle was taken) is
            // followed there.
            let (x, y) = free_spot(&doc, x, y);
            let seen = x >= cam.x && x <= cam.x + cam.w && y >= cam.y && y <= cam.y + cam.h;
            if !seen {
                camera.set(Some(cam.centred_on(x, y)));
            }
            match edits::add_node(&doc, kind, x, y) {
                Ok((next, i)) => d.dispatch(Action::EditSelect(next, vec![Selection::Node(i)])),
                Err(e) => d.dispatch(Action::Message(Some(e))),
            }
        }
    };
    let on_add = {
        let add_at = add_at.clone();
        Callback::from(move |kind: String| {
            let (x, y) = cam.centre();
            add_at(&kind, x, y);
        })
    };
    let on_drop_kind = Callback::from(move |(kind, x, y): (String, f64, f64)| add_at(&kind, x, y));
    let on_move = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |(nodes, dx, dy): (Vec<usize>, f64, f64)| {
            let next = moved_into_regions(&doc, &nodes, dx, dy);
            // Cards that stay in their regions and zones leave the design as
            // valid as it was (validation reads no positions; see `moved_only`).
            edit_or_say(&d, if moved_only(&doc, &next) { Ok(next) } else { checked(next) });
        })
    };
    let on_connect = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |(from, to): (usize, usize)| match edits::connect(&doc, from, to) {
            Ok(next) => {
                let e = next.edges.len() - 1;
                d.dispatch(Action::EditSelect(next, vec![Selection::Edge(e)]));
            }
            Err(e) => d.dispatch(Action::Message(Some(format!("Cannot connect: {e}")))),
        })
    };
    let on_inject = {
        let (d, run, pick) = (d.clone(), run.clone(), ui.pick.clone());
        let blocked = state.blocked.is_some();
        Callback::from(move |inj: Injection| {
            if blocked {
                d.dispatch(Action::Message(Some("Finish the design first: it cannot run yet.".into())));
                return;
            }
            let at_ms = *pick;
            pick.set(None);
            // The engine answers with the faults as it took them (`reports.rs`).
            run(EngineCommand::Inject { actions: inj.actions, duration_ms: inj.duration_ms, at_ms });
        })
    };
    let on_fault_move = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |(i, at_ms): (usize, u64)| {
            let mut next = (*doc).clone();
            if let Some(f) = next.faults.get_mut(i) {
                f.at_ms = at_ms;
            }
            edit_or_say(&d, next.validate_draft().map(|_| next.clone()).map_err(|e| e.to_string()));
        })
    };
    let on_fault_delete = {
        let (d, doc) = (d.clone(), Rc::clone(&doc));
        Callback::from(move |i: usize| {
            let mut next = (*doc).clone();
            if i < next.faults.len() {
                next.faults.remove(i);
            }
            d.dispatch(Action::Edit(next));
        })
    };
    let on_scrub = Callback::from(move |t_ms: f64| run(EngineCommand::Scrub { t_ms }));
    let on_pick = {
        let pick = ui.pick.clone();
        Callback::from(move |t: Option<u64>| pick.set(t))
    };
    let on_context = {
        let (d, context) = (d.clone(), ui.context.clone());
        Callback::from(move |(item, x, y): (Selection, f64, f64)| {
            d.dispatch(Action::Select(vec![item]));
            context.set(Some((x, y)));
        })
    };
    let on_camera = {
        let (d, camera, navigated) = (d.clone(), ui.camera.clone(), ui.navigated.clone());
        Callback::from(move |c: Option<Camera>| {
            // `None` is *Fit*: the design as it is now, edits and all.
            if c.is_none() {
                d.dispatch(Action::Refit);
            }
            navigated.set(c.is_some());
            camera.set(c)
        })
    };
    Handlers {
        on_play: use_latest_callback(act(&d, |_| Action::Play)),
        on_pause: use_latest_callback(act(&d, |_| Action::Pause)),
        on_reset: use_latest_callback(act(&d, |_| Action::Reset)),
        on_undo: use_latest_callback(act(&d, |_| Action::Undo)),
        on_redo: use_latest_callback(act(&d, |_| Action::Redo)),
        on_step: use_latest_callback(on_step),
        on_seed: use_latest_callback(on_seed),
        on_speed: use_latest_callback(act(&d, Action::SetSpeed)),
        on_select: use_latest_callback(act(&d, Action::Select)),
        on_edit: use_latest_callback(act(&d, Action::Edit)),
        on_add: use_latest_callback(on_add),
        on_drop_kind: use_latest_callback(on_drop_kind),
        on_move: use_latest_callback(on_move),
        on_connect: use_latest_callback(on_connect),
        on_inject: use_latest_callback(on_inject),
        on_fault_move: use_latest_callback(on_fault_move),
        on_fault_delete: use_latest_callback(on_fault_delete),
        on_scrub: use_latest_callback(on_scrub),
        on_pick: use_latest_callback(on_pick),
        on_context: use_latest_callback(on_context),
        on_camera: use_latest_callback(on_camera),
        on_message: use_latest_callback(act(&d, Action::Message)),
    }
}
