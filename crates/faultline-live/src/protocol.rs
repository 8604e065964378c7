//! The messages between the page and the engine.
//!
//! The page never touches the engine directly: it sends `Command`s and draws
//! the `Report`s that come back. That is what lets the engine run in a Web
//! Worker, on a core of its own, while the page keeps its frames for drawing;
//! the same messages drive the engine in-page when no worker is available.
//! Both sides are serialised as JSON (floats round-trip exactly), so a run
//! shows the same numbers whichever side of the boundary it ran on.

use faultline_sim::exercise::CheckResult;
use faultline_sim::metrics::Point;
use faultline_sim::report::RunSummary;
use faultline_sim::scenario::{Fault, FaultAction, Scenario};
use faultline_sim::SimView;
use serde::{Deserialize, Serialize};

/// What the charts follow: the whole system, one node or one link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    #[default]
    System,
    Node(usize),
    Edge(usize),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Run this document from t = 0. `rev` comes back with the answer, so the
    /// page can tell an answer about an older document from the current one.
    Load {
        rev: u64,
        doc: Box<Scenario>,
    },
    /// Run in real time times `speed` (simulated seconds per wall second).
    Play {
        speed: f64,
    },
    Pause,
    /// Advance by this many simulated milliseconds, paused or not.
    Step {
        ms: u64,
    },
    /// Faults "now" (`at_ms: None`) or at a chosen simulated millisecond.
    Inject {
        actions: Vec<FaultAction>,
        duration_ms: Option<u64>,
        at_ms: Option<u64>,
    },
    /// Go back to an earlier moment (restore a snapshot, re-simulate).
    Scrub {
        t_ms: f64,
    },
    /// What the series in the readouts are about.
    Follow(Subject),
    /// The page is ready for another `Frame`.
    Pull,
    /// Every series of the run as CSV.
    Csv,
    /// Check `design` against exercise `id`, whose document (JSON) is
    /// `exercise` (see `faultline_sim::exercise`): runs apart from the live
    /// run, which it leaves as it was. The page sends the document (it has
    /// the shipped ones for their prompts), so the worker carries no second
    /// copy of them.
    CheckExercise {
        id: String,
        exercise: String,
        design: Box<Scenario>,
    },
    /// Run `a` and `b` to their end on the same traffic and fault timeline
    /// (see `compare`), apart from the live run, which is left as it was.
    /// `id` comes back with the answer.
    Compare {
        id: u64,
        a: Box<Scenario>,
        b: Box<Scenario>,
    },
}

/// What the page shows of the engine at one moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Readout {
    pub view: SimView,
    /// The followed subject's series; `None` when unchanged since the last
    /// readout that had one (they change once per simulated second).
    pub series: Option<Vec<Point>>,
    /// The followed node's kind series (a cache's hits and misses, a sharded
    /// database's queries per shard), sent with `series`; empty for others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind_series: Option<Vec<faultline_sim::kind_series::KindPoint>>,
    /// Each operation's series at the clients, sent with `series` while the
    /// charts follow the whole system or a client, and the run sends
    /// several operations; empty otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_series: Option<Vec<OpSeries>>,
    /// The followed subject's failures by cause, sent with `series`: a
    /// point per window in which something failed (see
    /// `faultline_sim::causes`), so it is empty while nothing fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause_series: Option<Vec<faultline_sim::causes::CausePoint>>,
    /// The run so far; `None` when unchanged, like `series`.
    pub summary: Option<RunSummary>,
}

/// One operation's results over time, a point per metrics window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpSeries {
    pub name: String,
    pub points: Vec<Point>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Report {
    /// The worker has started and takes commands.
    Ready,
    /// The engine runs the document of `Load { rev }` from t = 0.
    Rebuilt {
        rev: u64,
        readout: Readout,
    },
    /// The document of `Load { rev }` cannot run: why. The engine keeps the
    /// last runnable document, back at t = 0.
    Blocked {
        rev: u64,
        why: String,
    },
    /// Answer to `Pull`: messages moved since the last frame (sampled,
    /// capped and packed: see `sampler::pack`), the speed achieved, and the numbers when due
    /// (about ten times a second).
    Frame {
        moved: Vec<u32>,
        achieved: f64,
        readout: Option<Readout>,
    },
    /// Where the run is after `Step`, `Pause` or `Follow`.
    Moment(Readout),
    /// After `Scrub`.
    Scrubbed(Readout),
    /// The run reached its end and stopped.
    Finished(Readout),
    /// The running engine took these faults (now on its timeline).
    Injected {
        faults: Vec<Fault>,
        readout: Readout,
    },
    /// The faults are for a moment already past: run the document again with them.
    Restart {
        faults: Vec<Fault>,
    },
    /// A command the engine refused, and why.
    Refused(String),
    Csv(String),
    /// The worker panicked: the message.
    Crashed(String),
    /// Answer to `CheckExercise`: the verdict, or why the design could not
    /// be checked at all (it lost a node the check needs, say).
    Checked {
        id: String,
        result: Result<Box<CheckResult>, String>,
    },
    /// Answer to `Compare { id }`: each side's series and summary, or why
    /// it could not run.
    Compared {
        id: u64,
        comparison: Box<crate::compare::Comparison>,
    },
}

impl Command {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("commands serialise")
    }

    pub fn from_json(s: &str) -> Result<Command, String> {
        serde_json::from_str(s).map_err(|e| e.to_string())
    }
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("reports serialise")
    }

    pub fn from_json(s: &str) -> Result<Report, String> {
        serde_json::from_str(s).map_err(|e| e.to_string())
    }
}
