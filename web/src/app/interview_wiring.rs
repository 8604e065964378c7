//! The App's side of interview mode: starting one (on the open exercise or
//! a blank canvas), keeping it in browser storage, and running the failure
//! drill on the page's own run: the drill's faults go into the document
//! (so the timeline, the cards and the charts show them like any fault),
//! the run plays, and the page's readouts become the drill's samples.
//!
//! Why a module of its own: this is the only place the interview touches
//! the document and the engine; the interview itself (`crate::interview`)
//! knows neither. Three things follow the page here, each in an effect:
//! a new engine run (an edit, a scrub, a reload) starts a new sample
//! segment, and after an edit during the drill the new run is moved
//! straight to the moment of the edit, so simulated time goes on; each
//! readout is offered as a sample; each document change that changes the
//! design (not a move, not the faults) is one of the learner's edits.

use super::engine_wiring::runner_for;
use super::exercise_wiring::keep;
use super::open_export::loader;
use super::Ui;
use crate::catalog::{Load, Shipped};
use crate::components::past_interviews::PastInterviews;
use crate::components::InterviewPanel;
use crate::engine::Engine;
use crate::exercises::ExerciseAction;
use crate::hooks::use_latest_callback;
use crate::interview::drill::{self, design_changed, SAMPLE_EVERY_MS};
use crate::interview::schedule::Phase;
use crate::interview::{self, report, Change, Interview};
use crate::state::{Action, PlayState};
use faultline_live::Command as EngineCommand;
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

/// The interview in progress, if any.
#[derive(Default, PartialEq)]
struct Held {
    current: Option<Rc<Interview>>,
}

enum HeldAction {
    Set(Option<Box<Interview>>),
    Change(Change, f64),
}

impl Reducible for Held {
    type Action = HeldAction;

    fn reduce(self: Rc<Self>, action: HeldAction) -> Rc<Self> {
        match action {
            HeldAction::Set(i) => Rc::new(Held { current: i.map(|i| Rc::new(*i)) }),
            HeldAction::Change(change, now) => {
                let Some(current) = &self.current else { return self };
                let mut next = (**current).clone();
                if !next.apply(change, now) {
                    return self;
                }
                Rc::new(Held { current: Some(Rc::new(next)) })
            }
        }
    }
}

pub(super) struct Interviews {
    /// The interview panel, while there is an interview.
    pub panel: Option<Html>,
    /// Start an interview on this exercise (`None`: a blank canvas).
    pub on_start: Callback<Option<String>>,
    pub active: bool,
    /// The panel is expanded (the canvas makes room for it).
    pub expanded: bool,
    /// Show (or hide) the list of past interviews.
    pub on_past: Callback<()>,
    /// The interview is on an exercise: it needs the shipped exercises.
    pub on_exercise: bool,
}

/// Starts the failure drill of interview `i`: its plan (the exercise's own
/// faults first, read from its document among the `shipped` ones, then
/// faults picked by role) into the design, the run from t = 0, then play
/// once the engine has it.
fn start_drill(
    doc: &Scenario,
    i: &Interview,
    shipped: Option<&Shipped>,
    held: &UseReducerDispatcher<Held>,
    d: &UseReducerDispatcher<PlayState>,
    pending_play: &std::cell::RefCell<bool>,
    t: f64,
) {
    let exercise = i.exercise.as_deref().and_then(|id| shipped?.text(id)).and_then(drill::exercise);
    let plan = drill::plan(doc, exercise.as_ref());
    let run = drill::drill_doc(doc, &plan.faults, plan.duration_ms);
    held.dispatch(HeldAction::Change(Change::Drill(plan), t));
    d.dispatch(Action::Edit(run));
    d.dispatch(Action::Reset);
    *pending_play.borrow_mut() = true;
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Ends a copy of `i` at `t` and keeps its report with the past interviews.
fn end_and_keep(i: &Interview, t: f64) -> Result<(), String> {
    let mut ended = i.clone();
    ended.apply(Change::End, t);
    let m = ended.drill.as_ref().map(|d| d.measured());
    interview::keep_past(&ended, report::markdown(&ended, m.as_ref(), t), t)
}

/// A canvas with nothing on it, named `name` (a blank-canvas interview,
/// File > New design).
pub(super) fn blank(name: &str) -> Scenario {
    let mut s = faultline_sim::slice_scenario();
    s.name = name.into();
    s.nodes.clear();
    s.edges.clear();
    s.workloads.clear();
    s.faults.clear();
    s
}

#[hook]
pub(super) fn use_interview(
    state: &UseReducerHandle<PlayState>,
    ui: &Ui,
    engine: &Rc<Engine>,
    transient: bool,
) -> Interviews {
    // A transient page (an embed) shows a design, not the learner's interview.
    let loaded = use_memo((), move |_| if transient { (None, None) } else { interview::load() });
    let held = use_reducer(|| Held { current: loaded.0.clone().map(Rc::new) });
    let d = state.dispatcher();
    // After an edit during the drill (or a reload), the moment the new run moves to.
    let resume_at = use_mut_ref(|| {
        loaded.0.as_ref().filter(|i| i.drilling()).and_then(|i| i.drill.as_ref()?.samples.last()).map(|s| s.t_ms)
    });
    // The drill has just put its faults in: play once the engine has them.
    let pending_play = use_mut_ref(|| false);
    let seen_doc = use_mut_ref(|| Rc::clone(&state.doc));

    // A saved interview that did not read is reported once; every change is saved.
    {
        let (d, notice) = (d.clone(), loaded.1.clone());
        use_effect_with((), move |_| {
            if notice.is_some() {
                d.dispatch(Action::Message(notice));
            }
        });
    }
    {
        let (d, mounted) = (d.clone(), use_mut_ref(|| false));
        use_effect_with(held.current.clone(), move |current| {
            // What was just read needs no writing back.
            if !std::mem::replace(&mut *mounted.borrow_mut(), true) {
                return;
            }
            if let Err(e) = interview::save(current.as_deref()) {
                d.dispatch(Action::Message(Some(format!("The interview is not saved: {e}"))));
            }
        });
    }
    // A new engine run: a new sample segment; the drill's first run plays,
    // a run rebuilt after an edit moves on to the moment of the edit.
    {
        let (held, d, run) = (held.dispatcher(), d.clone(), runner_for(engine, state));
        let (resume_at, pending_play, now_ms) = (resume_at.clone(), pending_play.clone(), state.view.now_ms);
        use_effect_with(state.epoch, move |&epoch| {
            // Before the engine's first answer there is no run to follow.
            if epoch == 0 {
                return;
            }
            held.dispatch(HeldAction::Change(Change::NewRun, now()));
            if std::mem::take(&mut *pending_play.borrow_mut()) {
                d.dispatch(Action::Play);
            }
            if let Some(t) = resume_at.borrow_mut().take() {
                if t > now_ms {
                    run(EngineCommand::Step { ms: (t - now_ms).round() as u64 });
                }
            }
        });
    }
    let current = held.current.clone();
    let drilling = current.as_ref().is_some_and(|i| i.drilling());
    // Each readout is a sample, when it moves the series on.
    {
        let (dispatch, view) = (held.dispatcher(), Rc::clone(&state.view));
        let last = current.as_ref().and_then(|i| i.drill.as_ref()).and_then(|d| d.samples.last().map(|s| s.t_ms));
        use_effect_with(Rc::clone(&state.view), move |_| {
            let due = last.is_none_or(|t| view.now_ms >= t + SAMPLE_EVERY_MS);
            if drilling && due {
                let (t_ms, ok, failed, p99_ms) = (view.now_ms, view.ok, view.failed, view.overall.p99_ms);
                dispatch.dispatch(HeldAction::Change(Change::Sample { t_ms, ok, failed, p99_ms }, now()));
            }
        });
    }
    // Each change of the design during the drill is one of the learner's edits.
    {
        let (dispatch, doc, now_ms) = (held.dispatcher(), Rc::clone(&state.doc), state.view.now_ms);
        let (seen_doc, resume_at) = (seen_doc.clone(), resume_at.clone());
        use_effect_with(Rc::clone(&state.doc), move |_| {
            let before = std::mem::replace(&mut *seen_doc.borrow_mut(), Rc::clone(&doc));
            if drilling && design_changed(&before, &doc) {
                dispatch.dispatch(HeldAction::Change(Change::Edited(now_ms), now()));
                *resume_at.borrow_mut() = Some(now_ms);
            }
        });
    }

    // The shipped exercises, fetched when first needed (`catalog.rs`; asked
    // for in `exercise_wiring`, with `on_exercise` below): an interview on
    // one, kept from before a reload, needs its prompt.
    let shipped = ui.catalog.exercises.ready().cloned();
    let briefs: Rc<Vec<crate::exercises::Brief>> = shipped.as_ref().map(|s| Rc::clone(&s.briefs)).unwrap_or_default();
    let on_start = {
        let (held, d, ex, doc) = (held.dispatcher(), d.clone(), ui.exercise.clone(), Rc::clone(&state.doc));
        let briefs = Rc::clone(&briefs);
        let load = loader(&d, ui);
        let current = current.clone();
        Callback::from(move |exercise: Option<String>| {
            let t = now();
            // One in progress ends first, so its report is kept.
            if let Some(i) = current.as_ref().filter(|i| !i.ended) {
                let _ = end_and_keep(i, t);
            }
            let brief = exercise.as_ref().and_then(|id| briefs.iter().find(|b| &b.id == id));
            let title = brief.map_or_else(|| "Blank canvas".to_string(), |b| b.title.clone());
            let attempt = interview::next_attempt(&interview::past(), exercise.as_deref());
            if exercise.is_none() {
                // A blank canvas: the design on it is kept in My designs first.
                let said = match keep(&doc, &briefs) {
                    Ok(Some(name)) => {
                        Some(format!("Your design is saved in My designs as \"{name}\" (Undo also brings it back)."))
                    }
                    Ok(None) => None,
                    Err(e) => Some(format!("Your design could not be saved in My designs ({e}); Undo brings it back.")),
                };
                ex.dispatch(ExerciseAction::Close);
                load.emit(blank("Interview design"));
                d.dispatch(Action::Message(said));
            } else {
                // The interview shows the prompt; the exercise folds to its strip to leave the canvas room.
                ex.dispatch(ExerciseAction::Expand(false));
            }
            held.dispatch(HeldAction::Set(Some(Box::new(Interview::start(exercise, title, attempt, t)))));
        })
    };
    let on_start = use_latest_callback(on_start);
    let collapsed = use_state(|| false);
    // The exercise's prompt, for the requirements phase.
    // (Again once the exercises have come.)
    let prompt = use_memo((current.as_ref().and_then(|i| i.exercise.clone()), briefs.len()), |(id, _)| {
        let id = id.as_ref()?;
        briefs.iter().find(|b| &b.id == id).map(|b| Rc::new((b.prompt.clone(), b.requirements.clone())))
    });

    // Asked for and not yet here (a failed fetch is not waited for: the drill
    // then picks its faults by role alone).
    let exercises_pending = matches!(ui.catalog.exercises, Load::Idle | Load::Loading);
    let drill_waiting = use_mut_ref(|| false);
    {
        let (held, d, doc, current) = (held.dispatcher(), d.clone(), Rc::clone(&state.doc), current.clone());
        let (pending_play, drill_waiting, shipped) = (pending_play.clone(), drill_waiting.clone(), shipped.clone());
        use_effect_with(exercises_pending, move |pending| {
            let waiting = !*pending && std::mem::take(&mut *drill_waiting.borrow_mut());
            let drilling = current.as_ref().filter(|i| i.phase == Phase::FailureDrill && i.drill.is_none());
            if let (true, Some(i)) = (waiting, drilling) {
                start_drill(&doc, i, shipped.as_deref(), &held, &d, &pending_play, now());
            }
        });
    }
    let on_change = {
        let (held, d, doc, current) = (held.dispatcher(), d.clone(), Rc::clone(&state.doc), current.clone());
        let (pending_play, finished, drill_waiting) = (pending_play.clone(), state.finished(), drill_waiting.clone());
        let shipped = shipped.clone();
        Callback::from(move |change: Change| {
            let Some(i) = current.as_ref() else { return };
            let t = now();
            match &change {
                // The drill starts (again, if it never got going: a design that could
                // not run): its faults into the design, the run from t = 0, then play.
                // On an exercise, the drill opens with the exercise's own faults: if
                // the exercises are still on their way (a reload fetches them
                // again), it starts when they come (see below).
                Change::Go(Phase::FailureDrill) if i.drill.as_ref().is_none_or(|d| d.samples.len() < 2) => {
                    if i.exercise.is_some() && exercises_pending {
                        *drill_waiting.borrow_mut() = true;
                    } else {
                        start_drill(&doc, i, shipped.as_deref(), &held, &d, &pending_play, t);
                    }
                }
                Change::Pause if i.phase == Phase::FailureDrill => d.dispatch(Action::Pause),
                Change::Resume if i.phase == Phase::FailureDrill && i.drill.is_some() && !finished => {
                    d.dispatch(Action::Play)
                }
                Change::End => {
                    d.dispatch(Action::Pause);
                    if let Err(e) = end_and_keep(i, t) {
                        d.dispatch(Action::Message(Some(format!("The report is not kept in this browser: {e}"))));
                    }
                }
                _ => {}
            }
            held.dispatch(HeldAction::Change(change, t));
        })
    };
    // A phase whose time is up moves on by itself (unless paused), as if
    // Next was pressed, with a notice: checked once a second while running.
    let on_tick = {
        let (current, on_change, d) = (current.clone(), on_change.clone(), d.clone());
        use_latest_callback(Callback::from(move |()| {
            let Some(i) = current.as_ref() else { return };
            if let Some(next) = i.time_up(now()) {
                on_change.emit(Change::Go(next));
                d.dispatch(Action::Message(Some(format!(
                    "Time is up for {}: on to {}. Pause the interview to stay in a phase longer, or go back.",
                    i.phase.label(),
                    next.label()
                ))));
            }
        }))
    };
    let running = current.as_ref().is_some_and(|i| !i.ended && !i.clock.paused());
    use_effect_with(running, move |&running| {
        let tick = running.then(|| gloo::timers::callback::Interval::new(1_000, move || on_tick.emit(())));
        move || drop(tick)
    });

    // The past interviews: read when the list opens (a corrupt entry is set
    // aside then, with a notice), and after a deletion.
    let past_open = use_state(|| false);
    let past = use_state(|| Rc::new(interview::PastMap::new()));
    let opened = use_state(|| None::<(String, f64)>);
    let on_past = {
        let (past_open, past, opened, d) = (past_open.clone(), past.clone(), opened.clone(), d.clone());
        use_latest_callback(Callback::from(move |()| {
            if !*past_open {
                let (map, notice) = interview::load_past();
                past.set(Rc::new(map));
                if notice.is_some() {
                    d.dispatch(Action::Message(notice));
                }
            }
            opened.set(None);
            past_open.set(!*past_open);
        }))
    };
    let on_delete = {
        let (past, d) = (past.clone(), d.clone());
        Callback::from(move |(exercise, at): (String, f64)| match interview::delete_past(&exercise, at) {
            Ok(map) => past.set(Rc::new(map)),
            Err(e) => d.dispatch(Action::Message(Some(format!("The report could not be deleted: {e}")))),
        })
    };
    let on_open = {
        let opened = opened.clone();
        Callback::from(move |o: Option<(String, f64)>| opened.set(o))
    };
    let past_panel = past_open.then(|| {
        html! {
            <PastInterviews past={Rc::clone(&*past)} opened={(*opened).clone()} {on_open} {on_delete}
                on_close={on_past.reform(|()| ())} />
        }
    });

    let on_close = {
        let held = held.dispatcher();
        Callback::from(move |()| held.dispatch(HeldAction::Set(None)))
    };
    let on_collapse = {
        let collapsed = collapsed.clone();
        Callback::from(move |c: bool| collapsed.set(c))
    };
    // Stable from render to render, so the panel is not drawn again for a
    // new callback (the page renders ten times a second while running).
    let (on_change, on_close, on_collapse) =
        (use_latest_callback(on_change), use_latest_callback(on_close), use_latest_callback(on_collapse));
    let Some(i) = current else {
        let expanded = past_panel.is_some();
        return Interviews { panel: past_panel, on_start, active: false, expanded, on_past, on_exercise: false };
    };

    // The simulated time matters to the panel only while the drill runs.
    let sim_now_ms = if i.phase == Phase::FailureDrill { state.view.now_ms } else { 0.0 };
    let drill_blocked = (i.phase == Phase::FailureDrill)
        .then(|| state.blocked.as_ref().map(|why| format!("The drill needs a design that runs. {why}")))
        .flatten();
    let panel = html! {
        <InterviewPanel interview={Rc::clone(&i)} prompt={(*prompt).clone()} {sim_now_ms}
            {drill_blocked} {on_change} {on_close} collapsed={*collapsed} {on_collapse} />
    };
    let on_exercise = i.exercise.is_some();
    Interviews { panel: Some(panel), on_start, active: true, expanded: !*collapsed, on_past, on_exercise }
}
