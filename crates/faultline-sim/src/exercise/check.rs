//! Checking a design: run it under the check, evaluate the criteria, confirm
//! a pass on the hidden variant, and award stars.
//!
//! Stars, each needing the ones before: 1 for passing; 2 for passing with
//! headroom (every criterion at least 20% inside its threshold) and within
//! the exercise's cost budget, if it has one; 3 for also passing the hidden
//! variant (another seed, role-aimed faults on another node of the role), so
//! a design tuned to the one run it was shown does not get full marks.

use super::apply::{apply, Aim};
use super::criteria::{compile, evaluate, Measured};
use super::format::{Exercise, ExerciseError};
use super::measure::Recording;
use super::Variant;
use crate::scenario::{NodeKind, Scenario};
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

/// One run of a design under the check (or its hidden variant).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub variant: Variant,
    pub seed: u64,
    /// Where the role-aimed faults were aimed.
    pub aims: Vec<Aim>,
    pub criteria: Vec<Measured>,
    /// Every criterion passed.
    pub pass: bool,
    /// Every criterion passed with headroom.
    pub headroom: bool,
    pub trace_hash: String,
}

/// The design's capacity units against the exercise's budget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub units: u64,
    pub budget: Option<u64>,
    pub within: bool,
}

/// The whole verdict on a design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub exercise: String,
    pub title: String,
    pub check: RunResult,
    /// Run only when the check passes.
    pub hidden: Option<RunResult>,
    pub cost: Cost,
    /// 0 to 3 (see the module's doc).
    pub stars: u8,
    /// The check passed (the learner's pass; the hidden run adds a star).
    pub pass: bool,
}

/// What a design costs, in capacity units: a service's workers, a
/// database's connections over all its shards and replicas, a cache's entries per
/// thousand (rounded up), one per load balancer and per queue. A rough
/// stand-in for money, enough to tell "fixed it" from "bought ten times
/// the hardware".
pub fn units(s: &Scenario) -> u64 {
    s.nodes
        .iter()
        .map(|n| match &n.kind {
            NodeKind::Service(c) => u64::from(c.workers),
            NodeKind::Database(d) => {
                u64::from(d.max_connections) * u64::from(d.shards.max(1)) * (1 + u64::from(d.replicas))
            }
            NodeKind::Cache(c) => u64::from(c.capacity).div_ceil(1_000),
            NodeKind::LoadBalancer(_) | NodeKind::Queue(_) => 1,
            NodeKind::Client(_) => 0,
            #[allow(unreachable_patterns)]
            _ => 1,
        })
        .sum()
}

/// Runs `design` under `variant` of the exercise's check.
// Cold: built at the worker's "z" (see `scenario::validate`).
#[cfg_attr(feature = "inline-cold", inline)]
pub fn run_variant(exercise: &Exercise, design: &Scenario, variant: Variant) -> Result<RunResult, ExerciseError> {
    let applied = apply(design, exercise, variant)?;
    let sim = Sim::new(&applied.scenario).map_err(|e| ExerciseError::of_scenario("design (as checked)", e.problems))?;
    let (compiled, plan) = compile(&exercise.criteria, &applied.scenario, &sim.op_names)?;
    let recording = Recording::run(sim, &plan);
    let criteria = evaluate(&compiled, &recording);
    Ok(RunResult {
        variant,
        seed: applied.scenario.seed,
        aims: applied.aims,
        pass: criteria.iter().all(|c| c.pass),
        headroom: criteria.iter().all(|c| c.headroom),
        criteria,
        trace_hash: format!("{:016x}", recording.trace_hash),
    })
}

/// Checks `design` against `exercise`: the check, then (if it passed) the
/// hidden variant, the cost and the stars. An error means the design cannot
/// be checked at all (it lost a client the check sends from, a node a
/// criterion measures, or does not validate): bad input, not a failure.
// Cold: built at the worker's "z" (see `scenario::validate`).
#[cfg_attr(feature = "inline-cold", inline)]
pub fn check(exercise: &Exercise, design: &Scenario) -> Result<CheckResult, ExerciseError> {
    let main = run_variant(exercise, design, Variant::Check)?;
    let hidden = if main.pass { Some(run_variant(exercise, design, Variant::Hidden)?) } else { None };
    let cost = {
        let units = units(design);
        let budget = exercise.budget.map(|b| b.max_units);
        Cost { units, budget, within: budget.is_none_or(|b| units <= b) }
    };
    let stars = match (&main, &hidden) {
        (m, _) if !m.pass => 0,
        (m, _) if !(m.headroom && cost.within) => 1,
        (_, Some(h)) if h.pass => 3,
        _ => 2,
    };
    Ok(CheckResult {
        exercise: exercise.id.clone(),
        title: exercise.title.clone(),
        pass: main.pass,
        check: main,
        hidden,
        cost,
        stars,
    })
}
