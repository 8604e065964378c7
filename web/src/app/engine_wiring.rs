//! The App's link to the engine: starting it, keeping it on the document,
//! playing and following the selection with the page, and the frame loop.
//!
//! Why a module of its own: this is the one place where the page's state
//! turns into engine commands by itself (no click involved), and the frame
//! loop is the page's hottest path; kept apart, the App's render reads as
//! layout and the engine's side can be checked in one screen. The engine's
//! answers go to `reports.rs`.

use super::reports;
use crate::components::canvas::particle_layer::ParticleLayer;
use crate::editor::layout::{edge_lines, Line};
use crate::engine::Engine;
use crate::hooks::use_latest_callback;
use crate::particles::Particles;
use crate::runner::Runner;
use crate::state::{PlayState, Selection};
use faultline_live::{Command as EngineCommand, Report, Subject};
use faultline_sim::Scenario;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The document the particles were last laid out for, and its link lines.
type LineCache = (Option<Rc<Scenario>>, Vec<Option<Line>>);

/// What the charts follow for a selection.
fn subject(selected: Option<Selection>) -> Subject {
    match selected {
        Some(Selection::Node(i)) => Subject::Node(i),
        Some(Selection::Edge(i)) => Subject::Edge(i),
        None => Subject::System,
    }
}

/// Starts the engine (once) and keeps it following `state`: the document,
/// play and pause, the selection's series; while playing, a frame loop pulls
/// what the engine moved and draws the particles on `layer`.
#[hook]
pub fn use_engine(
    state: &UseReducerHandle<PlayState>,
    particles: &Rc<RefCell<Particles>>,
    layer: &Rc<ParticleLayer>,
    exercise: UseReducerDispatcher<crate::exercises::ExerciseState>,
    compare: UseReducerDispatcher<crate::compare::CompareState>,
) -> Rc<Engine> {
    // The document as of the last render, for the frame loop (it outlives renders).
    let doc_now = use_mut_ref(|| Rc::clone(&state.doc));
    *doc_now.borrow_mut() = Rc::clone(&state.doc);

    // The engine's reports go to the handler of the latest render (it judges
    // them against the document and revision of that moment).
    let on_report = use_latest_callback({
        let (d, doc, run_rev) = (state.dispatcher(), Rc::clone(&state.doc), state.run_rev);
        let (particles, layer) = (Rc::clone(particles), Rc::clone(layer));
        Callback::from(move |report: Report| {
            let now_ms = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
            let (exercise, compare) = (&exercise, &compare);
            let page = reports::Page {
                d: &d,
                doc: &doc,
                run_rev,
                particles: &particles,
                layer: &layer,
                now_ms,
                exercise,
                compare,
            };
            reports::handle(report, &page);
        })
    });
    let engine = use_memo((), move |_| Engine::start(on_report));
    let engine: Rc<Engine> = Rc::clone(&engine);

    // The engine follows the document.
    {
        let engine = Rc::clone(&engine);
        let doc = Rc::clone(&state.doc);
        use_effect_with(state.run_rev, move |&rev| engine.load(rev, &doc));
    }
    // ... plays or pauses with the page ...
    {
        let engine = Rc::clone(&engine);
        use_effect_with((state.playing, state.speed.to_bits()), move |&(playing, speed)| {
            engine.send(if playing {
                EngineCommand::Play { speed: f64::from_bits(speed) }
            } else {
                EngineCommand::Pause
            });
        });
    }
    // ... and its series follow the selection.
    {
        let engine = Rc::clone(&engine);
        use_effect_with(subject(state.primary()), move |&s| engine.send(EngineCommand::Follow(s)));
    }

    // The frame loop, while playing: pull what the engine moved, move the particles.
    {
        let (engine, particles, doc_now) = (Rc::clone(&engine), Rc::clone(particles), Rc::clone(&doc_now));
        let layer = Rc::clone(layer);
        use_effect_with(state.playing, move |&playing| {
            let runner = playing.then(|| {
                // Link geometry, worked out again only when the document changes.
                let lines: RefCell<LineCache> = RefCell::new((None, Vec::new()));
                Runner::start(Callback::from(move |wall_ms: f64| {
                    engine.frame();
                    let doc = Rc::clone(&doc_now.borrow());
                    let mut cache = lines.borrow_mut();
                    if !cache.0.as_ref().is_some_and(|d| Rc::ptr_eq(d, &doc)) {
                        *cache = (Some(Rc::clone(&doc)), edge_lines(&doc));
                    }
                    layer.draw(&particles.borrow(), wall_ms, |i| cache.1.get(i).copied().flatten());
                }))
            });
            move || {
                if let Some(r) = runner {
                    r.stop();
                }
            }
        });
    }
    engine
}

/// A command about the run, sent after making sure the engine has this
/// render's document (a click may land before the effect that loads it).
pub fn runner_for(engine: &Rc<Engine>, state: &PlayState) -> impl Fn(EngineCommand) + Clone + 'static {
    let (engine, doc, rev) = (Rc::clone(engine), Rc::clone(&state.doc), state.run_rev);
    move |cmd: EngineCommand| {
        engine.load(rev, &doc);
        engine.send(cmd);
    }
}
