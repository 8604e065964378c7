//! What the page does with each report from the engine (see `engine.rs`).
//!
//! Reports arrive asynchronously from the worker, so each is judged against
//! the page as it is when it arrives: an answer about a document the user
//! has since changed (`rev` behind `run_rev`) is dropped, and a fault the
//! engine took is recorded in the current document.

use crate::compare::{CompareAction, CompareState};
use crate::components::canvas::particle_layer::ParticleLayer;
use crate::exercises::{ExerciseAction, ExerciseState};
use crate::particles::Particles;
use crate::state::{Action, PlayState};
use crate::{files, panic};
use faultline_live::Report;
use faultline_sim::Scenario;
use std::cell::RefCell;
use std::rc::Rc;
use yew::UseReducerDispatcher;

/// What a report may touch.
pub struct Page<'a> {
    pub d: &'a UseReducerDispatcher<PlayState>,
    pub doc: &'a Rc<Scenario>,
    pub run_rev: u64,
    pub particles: &'a RefCell<Particles>,
    pub layer: &'a ParticleLayer,
    pub now_ms: f64,
    pub exercise: &'a UseReducerDispatcher<ExerciseState>,
    pub compare: &'a UseReducerDispatcher<CompareState>,
}

pub fn handle(report: Report, page: &Page<'_>) {
    let d = page.d;
    let restart = |page: &Page<'_>| {
        page.particles.borrow_mut().clear();
        page.layer.clear();
    };
    match report {
        Report::Ready => {}
        Report::Rebuilt { rev, readout } if rev == page.run_rev => {
            restart(page);
            d.dispatch(Action::Rebuilt(Box::new(readout)));
        }
        Report::Blocked { rev, why } if rev == page.run_rev => {
            restart(page);
            let why = crate::plain::plain(page.doc, &why);
            d.dispatch(Action::Blocked(format!("This design cannot run yet: {why}")));
        }
        Report::Rebuilt { .. } | Report::Blocked { .. } => {}
        Report::Frame { moved, achieved, readout } => {
            let moved = moved.into_iter().filter_map(faultline_live::sampler::unpack);
            page.particles.borrow_mut().spawn(moved, page.now_ms, page.doc.edges.len());
            if let Some(r) = readout {
                d.dispatch(Action::Tick(Box::new(r), achieved));
            }
        }
        Report::Moment(r) => d.dispatch(Action::Frame(Box::new(r))),
        Report::Scrubbed(r) => {
            restart(page);
            d.dispatch(Action::Scrubbed(Box::new(r)));
        }
        Report::Finished(r) => d.dispatch(Action::Finished(Box::new(r))),
        Report::Injected { faults, readout } => {
            let mut with = (**page.doc).clone();
            with.faults.extend(faults);
            d.dispatch(Action::Injected(with));
            d.dispatch(Action::Frame(Box::new(readout)));
            d.dispatch(Action::Message(None));
        }
        Report::Restart { faults } => {
            let mut with = (**page.doc).clone();
            with.faults.extend(faults);
            match with.validate_draft() {
                Ok(()) => d.dispatch(Action::Edit(with)),
                Err(e) => d.dispatch(Action::Message(Some(format!("Fault refused: {e}")))),
            }
        }
        Report::Refused(why) => d.dispatch(Action::Message(Some(why))),
        Report::Csv(text) => {
            let name = format!("{}-series.csv", files::file_stem(page.doc));
            if let Err(e) = files::download(&name, "text/csv", &text) {
                d.dispatch(Action::Message(Some(e)));
            }
        }
        Report::Checked { id, result } => page.exercise.dispatch(ExerciseAction::Checked(id, result)),
        Report::Compared { id, comparison } => page.compare.dispatch(CompareAction::Answer(id, comparison)),
        Report::Crashed(why) => {
            gloo::console::error!(format!("Faultline's engine stopped: {why}"));
            panic::show_banner(&format!("The engine stopped: {why}"));
        }
    }
}
