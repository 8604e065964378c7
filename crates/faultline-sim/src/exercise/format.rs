//! The exercise document (`assets/exercises/<id>.json`) and its validation.
//!
//! An exercise is a prompt with numbers, a starter design, a *check* (the
//! workload and fault timeline the learner does not edit), the criteria a
//! run of the check must meet, a ladder of hints and a reference design that
//! passes. Like the scenario document it is plain serde data with a
//! `version`, unknown fields are refused by name, and validation collects
//! every problem with a path into the document (`criteria[2].window.fault`).

use crate::scenario::{Fault, Problem, Scenario, Workload, LIMITS};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The exercise document version this build reads and writes.
pub const EXERCISE_VERSION: u32 = 1;

/// Criteria in one exercise, at most (each one costs a pass over the run's samples).
pub const MAX_CRITERIA: usize = 32;

/// Longest check run, in simulated milliseconds: an exercise is checked on
/// every click of the page's Check button, so it must stay short.
pub const MAX_CHECK_DURATION_MS: u64 = 600_000;

/// One exercise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Document version; must be `EXERCISE_VERSION`.
    pub version: u32,
    /// Stable id, the file's name without `.json`.
    pub id: String,
    pub title: String,
    pub difficulty: Difficulty,
    /// The situation, as an interviewer would put it.
    pub prompt: String,
    /// The numbers the design must meet, one per line (rates, sizes, targets).
    #[serde(default)]
    pub requirements: Vec<String>,
    /// The design the canvas opens with. It fails the check.
    pub starter: Scenario,
    /// The traffic and faults the design is run under.
    pub check: Check,
    /// What the run must show; every criterion must hold to pass.
    pub criteria: Vec<Criterion>,
    /// A ladder of hints, from the symptom to the reference design.
    #[serde(default)]
    pub hints: Vec<Hint>,
    /// A design that passes the check and its hidden variant.
    pub reference: Scenario,
    /// A cost budget for the second star; `null`: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

/// The part of the run the learner does not control.
///
/// Applied to a design (see `apply`): the check's workloads replace the
/// design's workloads of the same clients (sent to wherever the design's
/// client sends), its faults replace the design's faults, and its seed and
/// duration are the run's. A fault's node (`node`, `from`, `to`, the sides
/// of a partition) is either an id the design must have or a role,
/// `role:KIND` or `role:KIND/PREFIX` (`role:database`, `role:service/api`):
/// the nodes of that kind whose id starts with the prefix, in document
/// order. The check aims at the first of them, the hidden variant at the
/// `hidden.pick`-th (wrapping around), so a design fixed for one node only
/// does not pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub seed: u64,
    pub duration_ms: u64,
    pub workloads: Vec<Workload>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    pub hidden: Hidden,
}

/// The variant a pass is confirmed on: another seed, and each role-aimed
/// fault on another node of its role.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Hidden {
    pub seed: u64,
    /// Which node of a role the variant's faults aim at (0 = the first).
    #[serde(default = "one")]
    pub pick: u32,
}

fn one() -> u32 {
    1
}

/// A cost budget: the design's capacity units (see `cost::units`) at most.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub max_units: u64,
}

/// One rung of the hint ladder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Hint {
    pub level: HintLevel,
    pub text: String,
}

/// The rungs, in the order they are revealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HintLevel {
    /// What the failing run shows.
    Symptom,
    /// A question that points at the cause.
    Question,
    /// The pattern's name.
    Pattern,
    /// Which node or link to change, and how.
    Pointer,
    /// The reference design (the page opens it).
    Reference,
}

/// One thing the run must show: a metric of a scope over a window, at most
/// or at least a threshold (exactly one of `at_most`, `at_least`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub id: String,
    /// The criterion in plain words.
    pub label: String,
    pub metric: Metric,
    /// Whose calls are measured.
    pub of: Scope,
    pub window: Window,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
}

crate::tagged::tagged_enum! {
    /// What is measured over the window.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Metric {
        /// Percent of the calls completed in the window that succeeded
        /// (fallback answers included).
        SuccessRate,
        /// A quantile (0..1] of the latency of the calls that succeeded in the
        /// window, in milliseconds.
        Latency { quantile: f64 },
        /// Calls that failed in the window, of one cause or of any.
        Failures {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            cause: Option<Cause>,
        },
        /// Percent of the window's successes answered by a fallback.
        DegradedRate,
        /// Calls arriving per second.
        ArrivalRate,
        /// Successful calls per second.
        Throughput,
        /// The most calls waiting at a node (messages held, for a queue),
        /// sampled every 100 ms; the busiest node, for a role.
        MaxQueue,
        /// Calls arriving at the scope per call arriving at `per` (a retry
        /// storm's amplification: database queries per user request).
        Amplification { per: Scope },
        /// Messages a queue dropped or dead-lettered (events a log lost or
        /// dead-lettered).
        LostMessages,
        /// Instances of a service that failed to start (a rolling deploy's new
        /// pods refused their connections, or the version crashed at start).
        FailedStarts,
        /// Reads a store answered with an older version than the newest write
        /// acknowledged before they began (a price sold after it changed), or
        /// a database's replicas with an older version than its primary's.
        StaleReads,
        /// Reads a database with replicas answered without their client's own
        /// earlier write of the key (a user's edit missing from their own page).
        RywViolations,
        /// An event log's side effects applied before the event they require
        /// (`requires`: inventory taken for an order whose payment was not processed).
        PhantomDeductions,
        /// An event log's side effects applied again to an event already processed.
        DuplicatesProcessed,
        /// A service's side effects applied more than once for one request
        /// without an idempotency key to recognise the repeat (a POST retried
        /// after a timeout and charged twice): each repeat counts one.
        DuplicateSideEffects,
    }
}

/// Why a call failed, as criteria name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    Timeout,
    Rejected,
    Refused,
    ErrorStatus,
    RateLimited,
    ClientError,
    ShortCircuited,
    BulkheadFull,
}

impl Cause {
    pub fn reason(self) -> crate::FailReason {
        use crate::FailReason as F;
        match self {
            Cause::Timeout => F::Timeout,
            Cause::Rejected => F::Rejected,
            Cause::Refused => F::Refused,
            Cause::ErrorStatus => F::ErrorStatus,
            Cause::RateLimited => F::RateLimited,
            Cause::ClientError => F::ClientError,
            Cause::ShortCircuited => F::ShortCircuited,
            Cause::BulkheadFull => F::BulkheadFull,
        }
    }
}

/// Whose calls a criterion measures. Node ids may be roles (`role:database`),
/// which take every node of the role (their calls summed; `max_queue` takes
/// the busiest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Scope {
    /// Every user request, end to end.
    All,
    /// The requests of one client node, end to end.
    Client(String),
    /// The calls a node received.
    Node(String),
    /// The calls over one link, as the caller saw them.
    Edge { from: String, to: String },
    /// One operation's requests, end to end.
    Op(String),
}

crate::tagged::tagged_enum! {
    /// The part of the run measured. Times are measured on a 100 ms grid
    /// (bounds are rounded down to it).
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Window {
        /// The whole run after a warm-up.
        Run {
            #[serde(default)]
            skip_ms: u64,
        },
        /// From `from_ms` to `to_ms`.
        Between { from_ms: u64, to_ms: u64 },
        /// While the check's fault number `fault` (from 0) is in force, after
        /// `skip_ms` of it.
        During {
            fault: usize,
            #[serde(default)]
            skip_ms: u64,
        },
        /// From `settle_ms` after fault number `fault` ends to the end of the run.
        After {
            fault: usize,
            #[serde(default)]
            settle_ms: u64,
        },
    }
}

/// A grid of 100 ms: window bounds and queue samples fall on it.
pub const GRID_MS: u64 = 100;

impl Window {
    /// The window as `[from, to)` milliseconds on the grid, for a run of
    /// `duration_ms` with the check's `faults`; `None` if it does not resolve.
    pub fn span(&self, duration_ms: u64, faults: &[Fault]) -> Option<(u64, u64)> {
        let fault_end = |f: &Fault| f.duration_ms.map_or(duration_ms, |d| f.at_ms.saturating_add(d).min(duration_ms));
        let (from, to) = match self {
            Window::Run { skip_ms } => (*skip_ms, duration_ms),
            Window::Between { from_ms, to_ms } => (*from_ms, (*to_ms).min(duration_ms)),
            Window::During { fault, skip_ms } => {
                let f = faults.get(*fault)?;
                (f.at_ms.saturating_add(*skip_ms), fault_end(f))
            }
            Window::After { fault, settle_ms } => {
                let f = faults.get(*fault)?;
                (fault_end(f).saturating_add(*settle_ms), duration_ms)
            }
        };
        let grid = |t: u64| t / GRID_MS * GRID_MS;
        let (from, to) = (grid(from), grid(to));
        (from < to).then_some((from, to))
    }
}

/// Why an exercise (or a design checked against it) was refused: every problem found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseError {
    pub problems: Vec<ProblemText>,
}

/// A `Problem` as serde data (for the page's worker).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemText {
    pub path: String,
    pub message: String,
}

impl ExerciseError {
    pub fn one(path: impl Into<String>, message: impl Into<String>) -> ExerciseError {
        ExerciseError { problems: vec![ProblemText { path: path.into(), message: message.into() }] }
    }

    /// The problems of a scenario, under `prefix` (`starter`, `design`).
    pub fn of_scenario(prefix: &str, problems: Vec<Problem>) -> ExerciseError {
        ExerciseError {
            problems: problems
                .into_iter()
                .map(|p| ProblemText { path: join(prefix, &p.path), message: p.message })
                .collect(),
        }
    }
}

pub(crate) fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}.{path}"),
    }
}

impl fmt::Display for ExerciseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if p.path.is_empty() {
                write!(f, "{}", p.message)?;
            } else {
                write!(f, "{}: {}", p.path, p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ExerciseError {}

impl Exercise {
    /// Parses an exercise document and validates it, the check applied to
    /// its starter and reference included; every problem is reported.
    pub fn from_json(text: &str) -> Result<Exercise, ExerciseError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ExerciseError::one("", format!("not valid JSON: {e}")))?;
        // The scenarios first, each on its own, so their errors carry their path.
        let mut problems = Vec::new();
        for part in ["starter", "reference"] {
            if let Some(v) = value.get(part) {
                if let Err(e) = serde_json::from_value::<Scenario>(v.clone()) {
                    problems.push(ProblemText { path: part.into(), message: format!("not a valid scenario: {e}") });
                }
            }
        }
        if !problems.is_empty() {
            return Err(ExerciseError { problems });
        }
        let exercise: Exercise =
            serde_json::from_value(value).map_err(|e| ExerciseError::one("", format!("not a valid exercise: {e}")))?;
        exercise.validate()?;
        Ok(exercise)
    }

    /// The document as `serde_json::to_string_pretty` writes it (see
    /// `pretty_json`).
    pub fn to_json_pretty(&self) -> String {
        crate::pretty_json::indent(&serde_json::to_string(self).expect("an exercise always serialises"))
    }

    /// The JSON Schema of the exercise document.
    #[cfg(feature = "schema")]
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Exercise);
        serde_json::to_string_pretty(&schema).expect("a schema always serialises") + "\n"
    }

    /// Every problem with the document, or `Ok`.
    // Cold: built at the worker's "z" (see `scenario::validate`).
    #[cfg_attr(feature = "inline-cold", inline)]
    pub fn validate(&self) -> Result<(), ExerciseError> {
        let mut p = Vec::new();
        let mut add = |path: String, message: String| p.push(ProblemText { path, message });
        if self.version != EXERCISE_VERSION {
            add("version".into(), format!("must be {EXERCISE_VERSION} (got {})", self.version));
        }
        for (field, v) in [("id", &self.id), ("title", &self.title), ("prompt", &self.prompt)] {
            if v.trim().is_empty() {
                add(field.into(), "must not be empty".into());
            }
        }
        if !self.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            add("id".into(), "must be lowercase letters, digits and dashes (it names the file)".into());
        }
        for (part, s) in [("starter", &self.starter), ("reference", &self.reference)] {
            if let Err(e) = s.validate() {
                p.extend(ExerciseError::of_scenario(part, e.problems).problems);
            }
        }
        let c = &self.check;
        if c.duration_ms == 0 || c.duration_ms > MAX_CHECK_DURATION_MS {
            p.push(ProblemText {
                path: "check.duration_ms".into(),
                message: format!("must be 1..={MAX_CHECK_DURATION_MS} (got {})", c.duration_ms),
            });
        }
        if c.workloads.is_empty() {
            p.push(ProblemText { path: "check.workloads".into(), message: "the check needs a workload".into() });
        }
        if c.workloads.len() > LIMITS.max_workloads {
            p.push(ProblemText {
                path: "check.workloads".into(),
                message: format!("at most {} workloads", LIMITS.max_workloads),
            });
        }
        if self.criteria.is_empty() {
            p.push(ProblemText { path: "criteria".into(), message: "an exercise needs a criterion".into() });
        }
        if self.criteria.len() > MAX_CRITERIA {
            p.push(ProblemText { path: "criteria".into(), message: format!("at most {MAX_CRITERIA} criteria") });
        }
        for (i, k) in self.criteria.iter().enumerate() {
            self.validate_criterion(&format!("criteria[{i}]"), k, &mut p);
            if self.criteria[..i].iter().any(|o| o.id == k.id) {
                p.push(ProblemText { path: format!("criteria[{i}].id"), message: format!("`{}` is used twice", k.id) });
            }
        }
        if let Some(w) = self.hints.windows(2).position(|w| w[1].level < w[0].level) {
            p.push(ProblemText {
                path: format!("hints[{}].level", w + 1),
                message: "hints go from the symptom to the reference: symptom, question, pattern, pointer, reference"
                    .into(),
            });
        }
        if p.is_empty() {
            // The check must apply to the exercise's own designs, both variants.
            for (part, s) in [("starter", &self.starter), ("reference", &self.reference)] {
                for variant in [super::Variant::Check, super::Variant::Hidden] {
                    let compiled = super::apply::apply(s, self, variant).and_then(|a| {
                        let sim = crate::Sim::new(&a.scenario)
                            .map_err(|e| ExerciseError::of_scenario("design (as checked)", e.problems))?;
                        super::criteria::compile(&self.criteria, &a.scenario, &sim.op_names).map(|_| ())
                    });
                    if let Err(e) = compiled {
                        p.extend(e.problems.into_iter().map(|x| ProblemText {
                            path: x.path,
                            message: format!("{} (the check applied to the {part}, {} run)", x.message, variant.name()),
                        }));
                    }
                }
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(ExerciseError { problems: p })
        }
    }

    // Cold: built at the worker's "z" (see `scenario::validate`).
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_criterion(&self, path: &str, k: &Criterion, p: &mut Vec<ProblemText>) {
        let mut add = |field: &str, message: String| p.push(ProblemText { path: join(path, field), message });
        if k.id.trim().is_empty() {
            add("id", "must not be empty".into());
        }
        match (k.at_most, k.at_least) {
            (Some(t), None) | (None, Some(t)) if t.is_finite() && t >= 0.0 => {}
            (Some(_), None) | (None, Some(_)) => add("", "the threshold must be a finite number >= 0".into()),
            _ => add("", "needs exactly one of `at_most` and `at_least`".into()),
        }
        if let Metric::Latency { quantile } = k.metric {
            if !(quantile > 0.0 && quantile <= 1.0) {
                add("metric.quantile", format!("must be in (0, 1] (got {quantile})"));
            }
        }
        if matches!(
            k.metric,
            Metric::MaxQueue
                | Metric::LostMessages
                | Metric::FailedStarts
                | Metric::StaleReads
                | Metric::RywViolations
                | Metric::PhantomDeductions
                | Metric::DuplicatesProcessed
                | Metric::DuplicateSideEffects
        ) && !matches!(k.of, Scope::Node(_))
        {
            add("of", "this metric is of a node: `{\"node\": ID}`".into());
        }
        if let Window::During { fault, .. } | Window::After { fault, .. } = k.window {
            if fault >= self.check.faults.len() {
                add("window.fault", format!("the check has {} faults (numbered from 0)", self.check.faults.len()));
                return;
            }
        }
        if k.window.span(self.check.duration_ms, &self.check.faults).is_none() {
            add("window", "is empty: it must end after it starts, inside the run".into());
        }
    }
}
