//! The driver: the engine, its snapshots and its pacing behind `Command`s.
//!
//! `Live` is what the Web Worker runs (and the page itself when it has no
//! worker). It is plain Rust with an injected clock, so every behaviour the
//! page relies on is tested natively.

use crate::inject::{inject, Injected};
use crate::pacing::Pacer;
use crate::protocol::{Command, OpSeries, Readout, Report, Subject};
use crate::sampler::Sampler;
use crate::snapshots::Snapshots;
use crate::verdicts::Verdicts;
use faultline_sim::exercise::{self, CheckResult, Exercise};
use faultline_sim::metrics::Point;
use faultline_sim::scenario::NodeKind;
use faultline_sim::{slice_scenario, Sim};

/// How often, in wall milliseconds, a frame carries the numbers: text is
/// the costliest thing the page redraws, and ten times a second reads as live.
const READOUT_EVERY_MS: f64 = 100.0;

pub struct Live {
    sim: Sim,
    snaps: Snapshots,
    sampler: Sampler,
    /// Set while playing.
    pacer: Option<Pacer>,
    /// The speed to play at.
    speed: f64,
    subject: Subject,
    /// The simulated second the last series and summary were sent for.
    series_second: Option<u64>,
    last_readout_ms: f64,
    /// The linearizability checker on each replicated store, live.
    verdicts: Verdicts,
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

impl Live {
    /// A driver holding the slice scenario until the page loads its document.
    pub fn new() -> Live {
        let sim = Sim::new(&slice_scenario()).expect("the slice is valid");
        Live {
            snaps: Snapshots::new(&sim),
            sim,
            sampler: Sampler::default(),
            pacer: None,
            speed: 1.0,
            subject: Subject::System,
            series_second: None,
            last_readout_ms: f64::MIN,
            verdicts: Verdicts::default(),
        }
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    pub fn playing(&self) -> bool {
        self.pacer.is_some()
    }

    /// Carries out `cmd` at wall time `wall_ms`; the reports to send back.
    pub fn handle(&mut self, cmd: Command, wall_ms: f64) -> Vec<Report> {
        match cmd {
            Command::Load { rev, doc } => match Sim::new(&doc) {
                Ok(fresh) => {
                    self.replace(fresh);
                    vec![Report::Rebuilt { rev, readout: self.readout(true) }]
                }
                Err(e) => {
                    // Keep the last runnable document, but back at t = 0, so
                    // nothing shows numbers of a run that is gone.
                    if let Ok(fresh) = Sim::new(self.sim.scenario()) {
                        self.replace(fresh);
                    }
                    self.pacer = None;
                    vec![Report::Blocked { rev, why: e.to_string() }]
                }
            },
            Command::Play { speed } => {
                self.speed = speed;
                if self.sim.is_finished() {
                    self.pacer = None;
                    return vec![Report::Finished(self.readout(true))];
                }
                self.pacer = Some(Pacer::new(speed, Some(wall_ms)));
                Vec::new()
            }
            // Frames already on their way show moments before this one: the
            // page takes this as where the run stopped.
            Command::Pause => {
                self.pacer = None;
                vec![Report::Moment(self.readout(false))]
            }
            Command::Step { ms } => {
                let next = self.sim.now().plus(ms.saturating_mul(1_000));
                self.sim.step_until(next);
                self.after_advance();
                if self.sim.is_finished() {
                    self.pacer = None;
                    vec![Report::Finished(self.readout(true))]
                } else {
                    vec![Report::Moment(self.readout(true))]
                }
            }
            Command::Inject { actions, duration_ms, at_ms } => {
                match inject(&mut self.sim, &mut self.snaps, actions, duration_ms, at_ms) {
                    Ok(Injected::Restart(faults)) => vec![Report::Restart { faults }],
                    Ok(Injected::Live(faults)) => {
                        self.sampler.read(&self.sim);
                        vec![Report::Injected { faults, readout: self.readout(true) }]
                    }
                    Err(e) => vec![Report::Refused(e)],
                }
            }
            Command::Scrub { t_ms } => match self.snaps.restore(t_ms) {
                Some(back) => {
                    self.sim = back;
                    self.sampler.reset(&self.sim);
                    self.pacer = None;
                    vec![Report::Scrubbed(self.readout(true))]
                }
                None => vec![Report::Refused(format!("There is no snapshot before {t_ms} ms."))],
            },
            Command::Follow(subject) => {
                self.subject = subject;
                vec![Report::Moment(self.readout(true))]
            }
            Command::Pull => {
                let due = wall_ms - self.last_readout_ms >= READOUT_EVERY_MS;
                let readout = due.then(|| {
                    self.last_readout_ms = wall_ms;
                    self.readout(false)
                });
                let achieved = self.pacer.as_ref().map_or(0.0, Pacer::achieved);
                vec![Report::Frame { moved: self.sampler.take(), achieved, readout }]
            }
            Command::Csv => vec![Report::Csv(crate::export::series_csv(&self.sim))],
            Command::CheckExercise { id, exercise, design } => {
                vec![Report::Checked { result: check_exercise(&exercise, &design), id }]
            }
            Command::Compare { id, a, b } => {
                vec![Report::Compared { id, comparison: Box::new(crate::compare::compare(&a, &b)) }]
            }
        }
    }

    /// While playing, runs what the wall clock owes at `wall_ms` for up to
    /// `budget_ms` of `clock()`. Reports `Finished` when the run ends.
    pub fn run(&mut self, wall_ms: f64, budget_ms: f64, clock: &dyn Fn() -> f64) -> Option<Report> {
        let pacer = self.pacer.as_mut()?;
        pacer.run(&mut self.sim, wall_ms, budget_ms, clock);
        self.after_advance();
        if self.sim.is_finished() {
            self.pacer = None;
            return Some(Report::Finished(self.readout(true)));
        }
        None
    }

    fn after_advance(&mut self) {
        self.snaps.observe(&self.sim);
        self.sampler.read(&self.sim);
    }

    fn replace(&mut self, fresh: Sim) {
        self.snaps = Snapshots::new(&fresh);
        self.sim = fresh;
        self.sampler.reset(&self.sim);
        self.series_second = None;
        self.verdicts.reset();
        // A playing run goes on playing the new document from t = 0.
        if self.pacer.is_some() {
            self.pacer = Some(Pacer::new(self.speed, None));
        }
    }

    /// The numbers now; the series and summary only when they changed (a
    /// new simulated second) or `full`.
    fn readout(&mut self, full: bool) -> Readout {
        let second = self.sim.now().micros() / 1_000_000;
        let fresh = full || self.series_second != Some(second) || self.sim.is_finished();
        if fresh {
            self.series_second = Some(second);
        }
        self.verdicts.update(&self.sim);
        let mut view = self.sim.view();
        self.verdicts.fill(&mut view);
        Readout {
            view,
            series: fresh.then(|| series_of(&self.sim, self.subject)),
            kind_series: fresh.then(|| kind_series_of(&self.sim, self.subject)),
            op_series: fresh.then(|| op_series_of(&self.sim, self.subject)),
            cause_series: fresh.then(|| metrics_of(&self.sim, self.subject).cause_series().iter().copied().collect()),
            summary: fresh.then(|| self.sim.run_summary()),
        }
    }
}

/// The kind series of `subject` if it is a node that keeps one (see
/// `faultline_sim::kind_series`); empty otherwise.
pub fn kind_series_of(sim: &Sim, subject: Subject) -> Vec<faultline_sim::kind_series::KindPoint> {
    match subject {
        Subject::Node(i) if i < sim.scenario().nodes.len() => sim.kind_series(i).cloned().collect(),
        _ => Vec::new(),
    }
}

/// Each operation's series when `subject` is the whole system or a client
/// (the operations are what the clients see); empty otherwise, and when the
/// run sends a single operation.
pub fn op_series_of(sim: &Sim, subject: Subject) -> Vec<OpSeries> {
    let at_clients = match subject {
        Subject::System => true,
        Subject::Node(i) => sim.scenario().nodes.get(i).is_some_and(|n| matches!(n.kind, NodeKind::Client(_))),
        Subject::Edge(_) => false,
    };
    if !at_clients {
        return Vec::new();
    }
    sim.op_metrics().map(|(name, m)| OpSeries { name: name.to_string(), points: m.series().collect() }).collect()
}

/// Checks `design` against the exercise document `text` (JSON): a run of
/// its own, so the live run (and its snapshots) are untouched.
///
/// The document is read straight from its text, not through
/// `Exercise::from_json`: that goes through `serde_json::Value` (for the
/// paths in its error messages), a second copy of every scenario
/// deserializer, which cost the worker's wasm about 70 KB gzipped.
pub fn check_exercise(text: &str, design: &faultline_sim::Scenario) -> Result<Box<CheckResult>, String> {
    let exercise: Exercise = serde_json::from_str(text).map_err(|e| format!("not a valid exercise: {e}"))?;
    exercise.validate().map_err(|e| e.to_string())?;
    exercise::check(&exercise, design).map(Box::new).map_err(|e| e.to_string())
}

/// The metrics of `subject` (the whole system's when it is not there).
fn metrics_of(sim: &Sim, subject: Subject) -> &faultline_sim::metrics::Metrics {
    match subject {
        Subject::Node(i) if i < sim.scenario().nodes.len() => sim.node_metrics(i),
        Subject::Edge(i) if i < sim.scenario().edges.len() => sim.edge_metrics(i),
        _ => sim.overall_metrics(),
    }
}

/// The metrics series of `subject` (the whole system when it is not there).
pub fn series_of(sim: &Sim, subject: Subject) -> Vec<Point> {
    metrics_of(sim, subject).series().collect()
}
