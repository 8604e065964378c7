//! The app's state: one reducer, changed only through `Action`s.
//!
//! The engine itself is not in here (it runs in a Web Worker: see
//! `engine.rs`); the reducer holds the document the user is editing with its
//! undo history, what is selected, and what the page shows of the engine's
//! reports. Whenever an action changes the document in a way the engine
//! would run differently, `run_rev` moves on and the app sends the engine the
//! document again (see `app/mod.rs`): the document is the truth, the engine a
//! pure function of it.

use crate::components::canvas::camera::Camera;
use crate::editor::History;
use faultline_live::Readout;
use faultline_sim::metrics::Point;
use faultline_sim::report::RunSummary;
use faultline_sim::{Scenario, SimView};
use std::rc::Rc;
use yew::Reducible;

/// Something the user has selected on the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Node(usize),
    Edge(usize),
}

/// The node indices in a selection.
pub fn nodes_of(selection: &[Selection]) -> Vec<usize> {
    selection.iter().filter_map(|s| if let Selection::Node(i) = s { Some(*i) } else { None }).collect()
}

/// The edge indices in a selection.
pub fn edges_of(selection: &[Selection]) -> Vec<usize> {
    selection.iter().filter_map(|s| if let Selection::Edge(i) = s { Some(*i) } else { None }).collect()
}

/// What undo and redo step between: a document and the camera fit that
/// went with it (undoing the opening of a design goes back to the previous
/// design framed as it was; a pan or zoom of the learner's is not kept:
/// opening a design drops it).
#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    pub doc: Rc<Scenario>,
    pub fit: Camera,
}

/// Slowest and fastest simulated seconds per wall-clock second.
pub const SPEED_RANGE: (f64, f64) = (0.1, 1_000.0);

#[derive(Clone, Debug, PartialEq)]
pub struct PlayState {
    pub playing: bool,
    /// Simulated seconds per wall-clock second.
    pub speed: f64,
    /// The speed the engine actually achieves (lower when the topology is
    /// too heavy for the requested one).
    pub achieved: f64,
    pub view: Rc<SimView>,
    /// The charts' series (of the selection, or the whole system).
    pub series: Rc<Vec<Point>>,
    /// The selected node's kind series (a cache's hit ratio, a sharded
    /// database's shards), empty for others; updated with `series`.
    pub kind_series: Rc<Vec<faultline_sim::kind_series::KindPoint>>,
    /// Each operation's series at the clients (while the charts follow the
    /// whole system or a client); updated with `series`.
    pub op_series: Rc<Vec<faultline_live::protocol::OpSeries>>,
    /// The followed subject's failures by cause, a point per window with a
    /// failure; updated with `series`.
    pub cause_series: Rc<Vec<faultline_sim::causes::CausePoint>>,
    /// The run so far, once the engine has reported it.
    pub summary: Option<Rc<RunSummary>>,
    /// The furthest simulated time this run has reached (the scrubber's end).
    pub reached_ms: f64,
    /// Selected nodes and edges; the last one is the one the inspector shows.
    pub selection: Vec<Selection>,
    /// The last thing the user should know (a refused edit, say).
    pub message: Option<String>,
    /// The scenario being edited and run.
    pub doc: Rc<Scenario>,
    /// Where the canvas looks while the learner has not moved the camera:
    /// the fit of the design as it was opened (or as it was when *Fit* was
    /// last pressed). Edits do not move it: a card dragged past the edge, or
    /// added out in the open, must not refit the view under the pointer (and
    /// at 1,000 cards a new viewBox costs a full relayout and repaint). It
    /// lives here, beside the document, so that every edit from anywhere
    /// (canvas, keyboard, inspector, interview, exercise) keeps it, and undo
    /// takes it back with the document it belongs to.
    pub fit: Camera,
    pub history: Rc<History<Version>>,
    /// Moves on whenever the engine must be rebuilt from `doc`.
    pub run_rev: u64,
    /// Why the document cannot run, while it cannot.
    pub blocked: Option<String>,
    /// Moves on whenever the engine was replaced (rebuilt or scrubbed), so
    /// what is derived from its history is derived again.
    pub epoch: u64,
}

pub enum Action {
    Play,
    Pause,
    /// The engine is at a new moment (a step, a fault); here are its numbers.
    Frame(Box<Readout>),
    /// While playing, the numbers are due for a redraw: the engine's readout
    /// and the speed it achieves. (Particles are drawn straight into the
    /// canvas every frame, without a render: see `app/mod.rs`.)
    Tick(Box<Readout>, f64),
    /// Start the run again from the document.
    Reset,
    /// The engine runs the document from t = 0; its numbers there.
    Rebuilt(Box<Readout>),
    /// The engine jumped back to an earlier moment (scrubbing).
    Scrubbed(Box<Readout>),
    /// The run reached its end.
    Finished(Box<Readout>),
    /// The document cannot run yet (an unfinished design): why.
    Blocked(String),
    Select(Vec<Selection>),
    SetSpeed(f64),
    Message(Option<String>),
    /// A new document from an edit (undoable); the engine follows it.
    Edit(Scenario),
    /// A new document from an edit, and what to select afterwards.
    EditSelect(Scenario, Vec<Selection>),
    /// A fault the running engine has already taken: the document records
    /// it (undoable) without rebuilding the engine.
    Injected(Scenario),
    /// A whole new document (opened, imported, a preset); undo goes back.
    /// The camera's fit follows it.
    Load(Scenario),
    /// The camera's fit follows the document as it is now (*Fit*).
    Refit,
    Undo,
    Redo,
}

/// Whether the engine would run `a` and `b` identically (positions and
/// display names are the canvas's business only).
pub fn same_run(a: &Scenario, b: &Scenario) -> bool {
    a.seed == b.seed
        && a.duration_ms == b.duration_ms
        && a.nodes.len() == b.nodes.len()
        && a.nodes
            .iter()
            .zip(&b.nodes)
            .all(|(m, n)| m.id == n.id && m.region == n.region && m.zone == n.zone && m.kind == n.kind)
        && a.edges == b.edges
        && a.workloads == b.workloads
        && a.faults == b.faults
}

impl PlayState {
    /// The state before the engine has reported anything: `doc` at t = 0.
    pub fn new(doc: Scenario) -> PlayState {
        PlayState {
            playing: false,
            speed: 1.0,
            achieved: 1.0,
            view: Rc::new(SimView { end_ms: doc.duration_ms as f64, ..SimView::default() }),
            series: Rc::default(),
            kind_series: Rc::default(),
            op_series: Rc::default(),
            cause_series: Rc::default(),
            summary: None,
            reached_ms: 0.0,
            selection: Vec::new(),
            message: None,
            fit: Camera::fit(&doc),
            doc: Rc::new(doc),
            history: Rc::default(),
            run_rev: 0,
            blocked: None,
            epoch: 0,
        }
    }

    pub fn finished(&self) -> bool {
        self.view.now_ms >= self.view.end_ms
    }

    /// The selection the inspector and the fault bar act on.
    pub fn primary(&self) -> Option<Selection> {
        self.selection.last().copied()
    }

    /// The document and its fit, as undo keeps them.
    fn version(&self) -> Version {
        Version { doc: Rc::clone(&self.doc), fit: self.fit }
    }

    /// Records the present for undo, before an edit or a load.
    fn record(&mut self) {
        let now = self.version();
        Rc::make_mut(&mut self.history).record(now);
    }

    fn replace_doc(&mut self, doc: Rc<Scenario>) {
        if !same_run(&self.doc, &doc) {
            self.run_rev += 1;
        }
        self.doc = doc;
        let (nodes, edges) = (self.doc.nodes.len(), self.doc.edges.len());
        self.selection.retain(|s| match *s {
            Selection::Node(i) => i < nodes,
            Selection::Edge(i) => i < edges,
        });
    }

    fn see(&mut self, readout: Readout) {
        self.reached_ms = self.reached_ms.max(readout.view.now_ms);
        self.show(readout);
    }

    fn show(&mut self, readout: Readout) {
        self.view = Rc::new(readout.view);
        if let Some(series) = readout.series {
            self.series = Rc::new(series);
        }
        if let Some(kind_series) = readout.kind_series {
            self.kind_series = Rc::new(kind_series);
        }
        if let Some(op_series) = readout.op_series {
            self.op_series = Rc::new(op_series);
        }
        if let Some(cause_series) = readout.cause_series {
            self.cause_series = Rc::new(cause_series);
        }
        if let Some(summary) = readout.summary {
            self.summary = Some(Rc::new(summary));
        }
    }
}

impl Reducible for PlayState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Play => {
                if self.finished() || self.blocked.is_some() {
                    return self;
                }
                next.playing = true;
                next.achieved = next.speed;
            }
            Action::Pause => next.playing = false,
            Action::Frame(readout) => next.see(*readout),
            // A frame that was on its way when the run paused: the engine's
            // answer to the pause says where it stopped.
            Action::Tick(..) if !self.playing => return self,
            Action::Tick(readout, achieved) => {
                next.see(*readout);
                next.achieved = achieved;
            }
            Action::Reset => {
                next.playing = false;
                next.run_rev += 1;
            }
            Action::Rebuilt(readout) => {
                next.blocked = None;
                next.epoch += 1;
                next.reached_ms = 0.0;
                next.show(*readout);
            }
            Action::Scrubbed(readout) => {
                next.epoch += 1;
                next.playing = false;
                next.show(*readout);
            }
            Action::Finished(readout) => {
                next.playing = false;
                next.see(*readout);
            }
            Action::Blocked(why) => {
                next.playing = false;
                next.epoch += 1;
                next.reached_ms = 0.0;
                next.view = Rc::new(SimView { end_ms: self.doc.duration_ms as f64, ..SimView::default() });
                next.series = Rc::default();
                next.kind_series = Rc::default();
                next.op_series = Rc::default();
                next.cause_series = Rc::default();
                next.summary = None;
                next.blocked = Some(why);
            }
            Action::Select(selection) => next.selection = selection,
            Action::SetSpeed(speed) => {
                next.speed = if speed.is_finite() { speed.clamp(SPEED_RANGE.0, SPEED_RANGE.1) } else { 1.0 };
            }
            Action::Message(message) => next.message = message,
            Action::Edit(doc) | Action::EditSelect(doc, _) if doc == *self.doc => {}
            Action::Edit(doc) => {
                next.record();
                next.replace_doc(Rc::new(doc));
                next.message = None;
            }
            Action::EditSelect(doc, selection) => {
                next.record();
                next.replace_doc(Rc::new(doc));
                next.selection = selection;
                next.message = None;
            }
            Action::Injected(doc) => {
                next.record();
                next.doc = Rc::new(doc);
                // What happened after this moment is no longer this run's future.
                next.reached_ms = next.view.now_ms;
            }
            Action::Load(doc) => {
                // Undoable, so opening a preset or a file never loses the design before it.
                next.record();
                next.selection.clear();
                next.playing = false;
                // Nothing of the previous run describes this one (its readouts,
                // its end, why it could not run): the new document starts at
                // t = 0 as on opening the page, so a link that plays can play.
                let fresh = PlayState::new(doc);
                (next.view, next.series, next.summary) = (fresh.view, fresh.series, fresh.summary);
                next.kind_series = fresh.kind_series;
                next.op_series = fresh.op_series;
                next.cause_series = fresh.cause_series;
                (next.reached_ms, next.blocked) = (0.0, None);
                (next.doc, next.fit) = (fresh.doc, fresh.fit);
                next.run_rev += 1;
            }
            Action::Refit => {
                let fit = Camera::fit(&self.doc);
                if fit == self.fit {
                    return self;
                }
                next.fit = fit;
            }
            // Indices may mean other nodes in the other document: start afresh.
            Action::Undo => match Rc::make_mut(&mut next.history).undo(self.version()) {
                Some(Version { doc, fit }) => {
                    next.fit = fit;
                    next.replace_doc(doc);
                    next.selection.clear();
                }
                None => return self,
            },
            Action::Redo => match Rc::make_mut(&mut next.history).redo(self.version()) {
                Some(Version { doc, fit }) => {
                    next.fit = fit;
                    next.replace_doc(doc);
                    next.selection.clear();
                }
                None => return self,
            },
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    fn view(now_ms: f64) -> Box<Readout> {
        Box::new(Readout {
            view: SimView { now_ms, end_ms: 1_000.0, ..SimView::default() },
            series: None,
            kind_series: None,
            op_series: None,
            cause_series: None,
            summary: None,
        })
    }

    fn state() -> Rc<PlayState> {
        Rc::new(PlayState::new(slice_scenario())).reduce(Action::Rebuilt(view(0.0)))
    }

    #[test]
    fn play_pause_reset() {
        let s = state().reduce(Action::Play);
        assert!(s.playing);
        let s = s.reduce(Action::Frame(view(500.0)));
        assert_eq!(s.view.now_ms, 500.0);
        assert_eq!(s.reached_ms, 500.0);
        let s = s.reduce(Action::Pause);
        assert!(!s.playing);
        let rev = s.run_rev;
        let s = s.reduce(Action::Play).reduce(Action::Reset);
        assert!(!s.playing);
        assert_eq!(s.run_rev, rev + 1, "reset rebuilds the engine");
    }

    #[test]
    fn a_loaded_design_starts_afresh_and_can_play_even_after_a_blocked_or_finished_one() {
        let blocked = state().reduce(Action::Blocked("a queue needs a consumer".into()));
        let finished = state().reduce(Action::Finished(view(60_000.0)));
        for before in [blocked, finished] {
            assert!(!Rc::clone(&before).reduce(Action::Play).playing, "the run before cannot play");
            let mut other = slice_scenario();
            other.duration_ms = 5_000;
            let s = before.reduce(Action::Load(other)).reduce(Action::Play);
            assert!(s.playing, "a link that plays plays");
            assert_eq!((s.view.now_ms, s.view.end_ms, s.reached_ms), (0.0, 5_000.0, 0.0));
            assert!(s.blocked.is_none() && s.summary.is_none() && s.series.is_empty());
            assert!(s.history.can_undo());
        }
    }

    #[test]
    fn late_frames_after_a_pause_are_dropped_and_unchanged_series_kept() {
        let mut first = view(100.0);
        first.series = Some(vec![faultline_sim::metrics::Point { t_ms: 1_000, ..Default::default() }]);
        let s = state().reduce(Action::Play).reduce(Action::Tick(first, 3.0));
        assert_eq!(s.series.len(), 1);
        assert_eq!(s.achieved, 3.0);
        let s = s.reduce(Action::Tick(view(200.0), 3.0));
        assert_eq!((s.view.now_ms, s.series.len()), (200.0, 1), "no series in a frame: the last ones stay");
        let s = s.reduce(Action::Pause).reduce(Action::Tick(view(300.0), 3.0));
        assert_eq!(s.view.now_ms, 200.0, "a frame sent before the pause does not move the page");
        assert_eq!(s.reduce(Action::Frame(view(310.0))).view.now_ms, 310.0, "the pause's own answer does");
    }

    #[test]
    fn speed_is_clamped_and_selection_kept() {
        let s = state();
        assert_eq!(s.clone().reduce(Action::SetSpeed(5_000.0)).speed, 1_000.0);
        assert_eq!(s.clone().reduce(Action::SetSpeed(f64::NAN)).speed, 1.0);
        let s = s.reduce(Action::Select(vec![Selection::Edge(1)]));
        assert_eq!(s.primary(), Some(Selection::Edge(1)));
        assert_eq!(s.reduce(Action::Select(vec![])).primary(), None);
    }

    #[test]
    fn an_unfinished_design_does_not_play_until_it_can() {
        let s = state().reduce(Action::Blocked("a queue needs its consumer".into()));
        assert!(!s.clone().reduce(Action::Play).playing);
        let s = s.reduce(Action::Rebuilt(view(0.0)));
        assert!(s.blocked.is_none());
        assert!(s.reduce(Action::Play).playing);
    }

    #[test]
    fn a_finished_run_does_not_play() {
        let s = state().reduce(Action::Frame(view(1_000.0)));
        assert!(!s.reduce(Action::Play).playing);
    }

    #[test]
    fn edits_rebuild_only_when_the_run_changes_and_undo_redo_restore() {
        let s = state();
        let mut moved = (*s.doc).clone();
        moved.nodes[0].x += 100.0;
        let s2 = s.clone().reduce(Action::Edit(moved.clone()));
        assert_eq!(s2.run_rev, s.run_rev, "a move does not restart the run");
        let mut faster = moved.clone();
        faster.workloads[0].arrival = faultline_sim::scenario::Arrival::Poisson { rate_rps: 10.0 };
        let s3 = s2.reduce(Action::Select(vec![Selection::Node(2)])).reduce(Action::Edit(faster.clone()));
        assert_eq!(s3.run_rev, s.run_rev + 1);
        let back = s3.reduce(Action::Undo);
        assert_eq!(*back.doc, moved);
        assert_eq!(back.run_rev, s.run_rev + 2, "undoing a load change restarts the run too");
        let fwd = back.reduce(Action::Redo);
        assert_eq!(*fwd.doc, faster);
        let fwd = fwd.clone().reduce(Action::Redo);
        assert_eq!(*fwd.doc, faster, "nothing to redo");
        let none = state().reduce(Action::Undo);
        assert_eq!(*none.doc, slice_scenario());
    }

    #[test]
    fn edits_keep_the_fit_loads_refit_and_undo_takes_it_back() {
        let s = state();
        let opened = s.fit;
        assert_eq!(opened, Camera::fit(&s.doc));
        // A card dragged far past the design's edge: the view stays put.
        let mut far = (*s.doc).clone();
        far.nodes[0].x += 5_000.0;
        let s = s.reduce(Action::Edit(far.clone()));
        assert_eq!(s.fit, opened, "an edit does not refit the view under the pointer");
        assert_ne!(Camera::fit(&s.doc), opened, "(the edit did move the design's bounds)");
        // *Fit* frames the design as it is now; undo goes back to the view of the version before.
        let s = s.reduce(Action::Refit);
        assert_eq!(s.fit, Camera::fit(&far));
        let same = Rc::clone(&s).reduce(Action::Refit);
        assert!(Rc::ptr_eq(&s, &same), "refitting what fits already changes nothing");
        // Opening another design fits it; undoing the opening goes back to the design and its view.
        let mut other = slice_scenario();
        for n in &mut other.nodes {
            (n.x, n.y) = (n.x - 3_000.0, n.y + 2_000.0);
        }
        let loaded = s.clone().reduce(Action::Load(other.clone()));
        assert_eq!(loaded.fit, Camera::fit(&other));
        let back = loaded.reduce(Action::Undo);
        assert_eq!((&*back.doc, back.fit), (&far, Camera::fit(&far)));
        let again = back.reduce(Action::Redo);
        assert_eq!((&*again.doc, again.fit), (&other, Camera::fit(&other)));
    }

    #[test]
    fn deleting_drops_stale_selection_and_injection_keeps_the_engine() {
        let s = state().reduce(Action::Select(vec![Selection::Node(2), Selection::Edge(1)]));
        let next = crate::editor::edits::delete(&s.doc, &[2], &[]).unwrap();
        let s = s.reduce(Action::Edit(next));
        assert!(s.selection.is_empty(), "{:?}", s.selection);
        let mut with_fault = (*s.doc).clone();
        with_fault.faults.push(faultline_sim::scenario::Fault {
            at_ms: 0,
            duration_ms: None,
            action: faultline_sim::scenario::FaultAction::Crash { node: "api".into() },
        });
        let rev = s.run_rev;
        let s = s.reduce(Action::Injected(with_fault));
        assert_eq!(s.run_rev, rev, "the engine already has the injected fault");
        assert_eq!(s.doc.faults.len(), 1);
    }
}
