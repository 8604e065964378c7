//! Guided exercises, checked by behaviour.
//!
//! A design linter grades a design by what is drawn on it; an exercise runs
//! it. The learner's design is put under a scripted workload and fault
//! timeline it does not control (`apply`), the run is recorded on a 100 ms
//! grid (`measure`), and criteria over windows of it pass or fail on what
//! happened: a p99 while a node is down, a client's success rate during a
//! flash crowd, a database's peak queue (`criteria`). A pass is confirmed on
//! a hidden variant (another seed, the fault on another node of the same
//! role) before it earns full marks (`check`).
//!
//! Everything here is a pure function of an `Exercise` and a `Scenario`, with
//! serde results, so the page's worker can call it as the CLI does:
//!
//! ```
//! use faultline_sim::exercise::{self, registry};
//! let ex = registry::load("likes-counter").unwrap();
//! let verdict = exercise::check(&ex, &ex.starter).unwrap();
//! assert!(!verdict.pass);
//! ```

pub mod apply;
pub mod check;
pub mod criteria;
pub mod format;
pub mod measure;
pub mod registry;

pub use check::{check, run_variant, units, CheckResult, Cost, RunResult};
pub use criteria::Measured;
pub use format::{
    Budget, Cause, Check, Criterion, Difficulty, Exercise, ExerciseError, Hidden, Hint, HintLevel, Metric, Scope,
    Window, EXERCISE_VERSION,
};

use serde::{Deserialize, Serialize};

/// Which run of the check: the one the learner sees, or the hidden one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    Check,
    Hidden,
}

impl Variant {
    pub fn name(self) -> &'static str {
        match self {
            Variant::Check => "check",
            Variant::Hidden => "hidden",
        }
    }
}
