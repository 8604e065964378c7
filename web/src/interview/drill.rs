//! The failure drill: which two faults hit the learner's design, and what
//! the run shows about them.
//!
//! **The faults.** An exercise's own check timeline comes first: its faults,
//! aimed at the learner's design as the check aims them (a `role:` is the
//! first node of that role, see `faultline_sim::exercise::apply`), at the
//! check's times, the first two of them that the design accepts. What is
//! missing (a blank canvas, an exercise with one fault or none) is picked by
//! role from the design itself, so the same design always gets the same
//! drill:
//! 1. *crash the busiest service or database*: busiest is the most callers
//!    (links into it, a client's among them), a database before a
//!    service on a tie (shared state is the classic single point of
//!    failure), then document order; down for 20 s.
//! 2. *break the critical path*: the path a request of the first workload
//!    takes (client, its target, then each node's first link, no node
//!    twice); its deepest link is the one hit, for 20 s. With a p99 target
//!    it is slowed (+200 ms, or twice the target if that is more), since a
//!    slow dependency is what a latency target is about; without one it is
//!    partitioned (messages dropped, callers time out), which shows up as
//!    errors.
//!
//! A pick is skipped when the drill already has a fault of its kind (a
//! crash and a slow link teach more than two crashes).
//!
//! A picked fault starts 15 s after the previous one ends (10 s into the run
//! for the first). The drill runs the design for exactly as long as it
//! needs, until 20 s after the last fault ends (a fault without an end, like
//! a deploy, counts as 20 s long).
//!
//! **The measurements**, from the whole system's numbers as the run goes on:
//! `Sample`s of the cumulative successes and failures of user requests and
//! the p99 of the last simulated second, about one a simulated second. An
//! *interval* is two consecutive samples of the same engine run; its error
//! rate is its failures over its completed requests.
//! - An interval *breaches* when its error rate is over 1% (the line where
//!   the cards turn amber) or, when the exercise has a p99 target (its first
//!   0.99 latency criterion), when the p99 is over that target.
//! - A fault's *window* runs from its start to the next fault's start (the
//!   last one's to the end of the run).
//! - *First breach*: the end of the first breaching interval in the window.
//! - *First edit*: the simulated time of the learner's first change to the
//!   design (nodes, links or workloads; moving a card does not count) in the
//!   window.
//! - *Recovery*: after the first breach, the start of the first stretch of
//!   5 simulated seconds without a breaching interval, inside the window.
//! - *Time to mitigate* = recovery − fault start.
//! - *Error budget burned*: the SLO (the exercise's first success-rate
//!   target, else 99.9%) allows `(1 − SLO) × requests completed in the whole
//!   drill` failures; a fault's burn is the failures in its window over that
//!   allowance (100% = the drill's whole budget, more is over budget).
//!
//! An edit restarts the engine from t = 0 (the document is the truth); the
//! drill then moves the new run straight to the moment of the edit, so
//! simulated time goes on and the new design takes over from there, as if
//! deployed at that moment (its state then is the new design's own). Samples
//! older than the last one kept are ignored, so the series stays one line.

use faultline_sim::exercise::{apply, Exercise, Metric, Variant};
use faultline_sim::scenario::{Fault, FaultAction, NodeKind};
use faultline_sim::Scenario;
use serde::{Deserialize, Serialize};

/// Faults in a drill.
pub const DRILL_FAULTS: usize = 2;
/// An interval whose error rate is over this breaches.
pub const ERROR_THRESHOLD: f64 = 0.01;
/// Healthy simulated time after a breach that counts as recovered.
pub const RECOVERY_MS: f64 = 5_000.0;
/// The SLO when the exercise states none, in percent.
pub const DEFAULT_SLO_PCT: f64 = 99.9;
const FIRST_AT_MS: u64 = 10_000;
const PICKED_FOR_MS: u64 = 20_000;
const GAP_MS: u64 = 15_000;
const TAIL_MS: u64 = 20_000;
const SLOW_ADD_MS: f64 = 200.0;
/// Samples closer than this in simulated time are not kept.
pub const SAMPLE_EVERY_MS: f64 = 1_000.0;

/// A shipped exercise's document `text` (as fetched, `crate::catalog`), as
/// the drill reads it: parsed only. Its `from_json` also validates it by
/// running the engine, and the page carries no engine (that is the
/// worker's, see `engine.rs`); the engine's tests hold every shipped
/// exercise valid.
pub fn exercise(text: &str) -> Option<Exercise> {
    serde_json::from_str(text).ok()
}

/// What the drill measures against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    /// Error rate (0..1) over which an interval breaches.
    pub error_rate: f64,
    /// p99 of successful requests over which an interval breaches, in ms.
    pub p99_ms: Option<f64>,
    /// Percent of requests that must succeed.
    pub slo_pct: f64,
}

/// The targets of an exercise (its first p99 and first success-rate
/// criteria), or the defaults.
pub fn targets(exercise: Option<&Exercise>) -> Targets {
    let criteria = exercise.map(|e| e.criteria.as_slice()).unwrap_or_default();
    let p99_ms = criteria.iter().find_map(|c| match c.metric {
        Metric::Latency { quantile } if (quantile - 0.99).abs() < 1e-9 => c.at_most,
        _ => None,
    });
    let slo_pct = criteria
        .iter()
        .find_map(|c| if matches!(c.metric, Metric::SuccessRate) { c.at_least } else { None })
        .unwrap_or(DEFAULT_SLO_PCT);
    Targets { error_rate: ERROR_THRESHOLD, p99_ms, slo_pct }
}

/// One fault of the drill and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrillFault {
    pub fault: Fault,
    /// Why this fault (the exercise's timeline, or the role it was picked by).
    pub source: String,
}

/// The drill to run on a design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub faults: Vec<DrillFault>,
    pub duration_ms: u64,
    pub targets: Targets,
}

/// The busiest service or database (see the module doc).
pub fn busiest(design: &Scenario) -> Option<&str> {
    // A workload's traffic arrives over its client's link, so links are the count.
    let callers = |id: &str| design.edges.iter().filter(|e| e.to == id).count();
    design
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.kind, NodeKind::Service(_) | NodeKind::Database(_)))
        // Most callers, then a database, then the first in the document.
        .max_by_key(|(i, n)| (callers(&n.id), matches!(n.kind, NodeKind::Database(_)), usize::MAX - i))
        .map(|(_, n)| n.id.as_str())
}

/// The links a request of the first workload takes: the client's link to
/// its target, then each node's first link, no node twice.
pub fn critical_path(design: &Scenario) -> Vec<(String, String)> {
    let Some(w) = design.workloads.first() else { return Vec::new() };
    let mut path = vec![(w.client.clone(), w.target.clone())];
    let mut seen = vec![w.client.as_str(), w.target.as_str()];
    let mut at = w.target.as_str();
    while let Some(e) = design.edges.iter().find(|e| e.from == at && !seen.contains(&e.to.as_str())) {
        path.push((e.from.clone(), e.to.clone()));
        seen.push(e.to.as_str());
        at = e.to.as_str();
    }
    path
}

/// The faults picked by role, in order (see the module doc), untimed.
fn by_role(design: &Scenario, t: &Targets) -> Vec<(FaultAction, String)> {
    let mut picks = Vec::new();
    if let Some(node) = busiest(design) {
        let kind = design.nodes.iter().find(|n| n.id == node).map_or("node", |n| n.kind.name());
        picks.push((
            FaultAction::Crash { node: node.to_string() },
            format!("picked by role: the busiest {kind} (most callers) crashes"),
        ));
    }
    if let Some((from, to)) = critical_path(design).pop() {
        let pick = match t.p99_ms {
            Some(target) => (
                FaultAction::EdgeLatency { from: from.clone(), to: to.clone(), add_ms: SLOW_ADD_MS.max(2.0 * target) },
                format!("picked by role: the deepest link of the critical path ({from} → {to}) slows down"),
            ),
            None => (
                FaultAction::Partition { id: Some("drill".into()), a: vec![from.clone()], b: vec![to.clone()] },
                format!("picked by role: the deepest link of the critical path ({from} → {to}) is partitioned"),
            ),
        };
        picks.push(pick);
    }
    picks
}

fn end_of(f: &Fault) -> u64 {
    f.at_ms + f.duration_ms.unwrap_or(PICKED_FOR_MS)
}

/// `design` as the drill runs it: the drill's faults in place of its own,
/// long enough for both.
pub fn drill_doc(design: &Scenario, faults: &[DrillFault], duration_ms: u64) -> Scenario {
    let mut doc = design.clone();
    doc.faults = faults.iter().map(|f| f.fault.clone()).collect();
    doc.duration_ms = duration_ms;
    doc
}

/// The drill for `design`, from `exercise`'s timeline and by role.
pub fn plan(design: &Scenario, exercise: Option<&Exercise>) -> Plan {
    let targets = targets(exercise);
    let mut faults: Vec<DrillFault> = Vec::new();
    let fits = |faults: &[DrillFault], extra: DrillFault| {
        let mut all = faults.to_vec();
        all.push(extra);
        let end = all.iter().map(|f| end_of(&f.fault)).max().unwrap_or(0) + TAIL_MS;
        drill_doc(design, &all, end).validate_draft().is_ok()
    };
    if let Some(ex) = exercise {
        let aimed = apply::apply(design, ex, Variant::Check).map(|a| a.scenario.faults).unwrap_or_default();
        for f in aimed {
            let candidate = DrillFault { fault: f, source: format!("from the exercise's check ({})", ex.title) };
            if faults.len() < DRILL_FAULTS && fits(&faults, candidate.clone()) {
                faults.push(candidate);
            }
        }
    }
    for (action, source) in by_role(design, &targets) {
        if faults.len() >= DRILL_FAULTS {
            break;
        }
        // A second fault of the same kind teaches less than one of another kind.
        if faults.iter().any(|f| std::mem::discriminant(&f.fault.action) == std::mem::discriminant(&action)) {
            continue;
        }
        let at_ms = faults.iter().map(|f| end_of(&f.fault) + GAP_MS).max().unwrap_or(FIRST_AT_MS);
        let candidate = DrillFault { fault: Fault { at_ms, duration_ms: Some(PICKED_FOR_MS), action }, source };
        if fits(&faults, candidate.clone()) {
            faults.push(candidate);
        }
    }
    faults.sort_by_key(|f| f.fault.at_ms);
    let end = faults.iter().map(|f| end_of(&f.fault)).max().map_or(design.duration_ms, |e| e + TAIL_MS);
    Plan { faults, duration_ms: end, targets }
}

/// What the run showed at one moment (whole system, user requests).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub t_ms: f64,
    /// Successful requests since the run (`segment`) began.
    pub ok: u64,
    /// Failed requests since the run began.
    pub failed: u64,
    /// p99 of the successful requests of the last simulated second.
    pub p99_ms: f64,
    /// Which engine run (an edit or a scrub starts another).
    pub segment: u32,
}

/// The run between two samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub t0: f64,
    pub t1: f64,
    pub done: u64,
    pub failed: u64,
    pub p99_ms: f64,
}

impl Interval {
    pub fn breaches(&self, t: &Targets) -> bool {
        let errors = self.done > 0 && self.failed as f64 / self.done as f64 > t.error_rate;
        errors || t.p99_ms.is_some_and(|target| self.p99_ms > target)
    }
}

/// Consecutive samples of the same run, as intervals.
pub fn intervals(samples: &[Sample]) -> Vec<Interval> {
    samples
        .windows(2)
        .filter(|w| w[0].segment == w[1].segment && w[1].t_ms > w[0].t_ms)
        .map(|w| {
            let failed = w[1].failed.saturating_sub(w[0].failed);
            let ok = w[1].ok.saturating_sub(w[0].ok);
            Interval { t0: w[0].t_ms, t1: w[1].t_ms, done: ok + failed, failed, p99_ms: w[1].p99_ms }
        })
        .collect()
}

/// Adds `s` to `samples` if it moves the series on: a later moment (by a
/// second, or of another run). Returns whether it was kept.
pub fn record(samples: &mut Vec<Sample>, s: Sample) -> bool {
    let keep = match samples.last() {
        None => true,
        Some(last) if s.segment != last.segment => s.t_ms >= last.t_ms,
        Some(last) => s.t_ms >= last.t_ms + SAMPLE_EVERY_MS,
    };
    if keep {
        samples.push(s);
    }
    keep
}

/// One fault's results.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultResult {
    pub at_ms: f64,
    /// End of its window.
    pub until_ms: f64,
    pub first_breach_ms: Option<f64>,
    pub first_edit_ms: Option<f64>,
    pub recovery_ms: Option<f64>,
    /// Failed requests in its window.
    pub failed: u64,
    /// Failures over the drill's allowance (1.0 = all of it); `None`
    /// when nothing completed.
    pub budget_burned: Option<f64>,
    /// The run has passed the end of its window.
    pub complete: bool,
}

impl FaultResult {
    /// Recovery − fault start.
    pub fn mitigate_ms(&self) -> Option<f64> {
        self.recovery_ms.map(|r| r - self.at_ms)
    }
}

/// The drill's results so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    pub faults: Vec<FaultResult>,
    /// Requests completed, and failed, over the drill.
    pub done: u64,
    pub failed: u64,
    /// Failures the SLO allows over the drill.
    pub allowed_failures: f64,
    /// The design breached before the first fault.
    pub breached_before: bool,
    /// The latest simulated moment measured.
    pub seen_ms: f64,
}

/// Measures the drill (see the module doc) from its fault start times, the
/// run's end, the samples and the learner's edits (simulated ms).
pub fn measure(fault_at: &[u64], end_ms: f64, samples: &[Sample], edits: &[f64], t: &Targets) -> Measured {
    let ivs = intervals(samples);
    let done: u64 = ivs.iter().map(|i| i.done).sum();
    let failed: u64 = ivs.iter().map(|i| i.failed).sum();
    let allowed = (1.0 - t.slo_pct / 100.0) * done as f64;
    let seen_ms = samples.last().map_or(0.0, |s| s.t_ms);
    let first_at = fault_at.first().map_or(f64::INFINITY, |&a| a as f64);
    let breached_before = ivs.iter().any(|i| i.t1 <= first_at && i.breaches(t));
    let faults = fault_at
        .iter()
        .enumerate()
        .map(|(k, &at)| {
            let at = at as f64;
            let until = fault_at.get(k + 1).map_or(end_ms, |&n| n as f64);
            let window: Vec<&Interval> = ivs.iter().filter(|i| i.t1 > at && i.t0 < until).collect();
            let breach = window.iter().position(|i| i.breaches(t));
            let mut recovery = None;
            if let Some(b) = breach {
                let (mut start, mut healthy) = (None, 0.0);
                for i in &window[b + 1..] {
                    if i.breaches(t) {
                        (start, healthy) = (None, 0.0);
                        continue;
                    }
                    start.get_or_insert(i.t0);
                    healthy += i.t1 - i.t0;
                    if healthy >= RECOVERY_MS {
                        recovery = start;
                        break;
                    }
                }
            }
            let failed_in: u64 = window.iter().map(|i| i.failed).sum();
            FaultResult {
                at_ms: at,
                until_ms: until,
                first_breach_ms: breach.map(|b| window[b].t1),
                first_edit_ms: edits.iter().copied().filter(|&e| e >= at && e < until).reduce(f64::min),
                recovery_ms: recovery,
                failed: failed_in,
                budget_burned: (allowed > 0.0).then(|| failed_in as f64 / allowed),
                complete: seen_ms >= until,
            }
        })
        .collect();
    Measured { faults, done, failed, allowed_failures: allowed, breached_before, seen_ms }
}

/// Whether `b` runs a different design from `a`: nodes (kind and
/// settings), links or workloads changed. Positions, names, the seed, the
/// run's length and the faults are not the design.
pub fn design_changed(a: &Scenario, b: &Scenario) -> bool {
    a.nodes.len() != b.nodes.len()
        || a.nodes
            .iter()
            .zip(&b.nodes)
            .any(|(m, n)| m.id != n.id || m.kind != n.kind || m.region != n.region || m.zone != n.zone)
        || a.edges != b.edges
        || a.workloads != b.workloads
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::exercise::registry;
    use faultline_sim::{slice_scenario, Sim, SimTime};

    fn t(p99: Option<f64>) -> Targets {
        Targets { error_rate: ERROR_THRESHOLD, p99_ms: p99, slo_pct: 99.9 }
    }

    /// A run of `rps` requests a second, one sample a second, with the error
    /// rate and p99 of each second given by `f(second)`.
    fn series(secs: u64, rps: u64, f: impl Fn(u64) -> (f64, f64)) -> Vec<Sample> {
        let (mut ok, mut failed) = (0, 0);
        let mut out = vec![Sample { t_ms: 0.0, ok: 0, failed: 0, p99_ms: 0.0, segment: 0 }];
        for s in 0..secs {
            let (err, p99) = f(s);
            let bad = (rps as f64 * err).round() as u64;
            failed += bad;
            ok += rps - bad;
            out.push(Sample { t_ms: ((s + 1) * 1_000) as f64, ok, failed, p99_ms: p99, segment: 0 });
        }
        out
    }

    #[test]
    fn breach_edit_recovery_and_budget_follow_their_definitions() {
        // 100 req/s for 60 s; half fail from 10 s to 20 s; an edit at 14.5 s.
        let s = series(60, 100, |s| (if (10..20).contains(&s) { 0.5 } else { 0.0 }, 20.0));
        let m = measure(&[10_000, 40_000], 60_000.0, &s, &[3_000.0, 14_500.0, 16_000.0], &t(None));
        let f = &m.faults[0];
        assert_eq!(f.first_breach_ms, Some(11_000.0), "the first second after the fault, seen at its end");
        assert_eq!(f.first_edit_ms, Some(14_500.0), "an edit before the fault is not a reaction to it");
        assert_eq!(f.recovery_ms, Some(20_000.0), "healthy from 20 s on, for 5 s and more");
        assert_eq!(f.mitigate_ms(), Some(10_000.0));
        assert_eq!(f.failed, 500);
        // 6,000 requests at 99.9%: 6 failures allowed; 500 burn 83.3 budgets.
        assert_eq!(m.done, 6_000);
        assert!((m.allowed_failures - 6.0).abs() < 1e-9);
        assert!((f.budget_burned.unwrap() - 500.0 / 6.0).abs() < 1e-9);
        // The second fault did nothing: no breach, nothing to mitigate, nothing burned.
        let g = &m.faults[1];
        assert_eq!((g.first_breach_ms, g.recovery_ms, g.failed), (None, None, 0));
        assert!(g.complete && !m.breached_before);
    }

    #[test]
    fn a_p99_target_breaches_too_and_a_short_lull_is_not_a_recovery() {
        // p99 200 ms over a 50 ms target from 10 s, a 3 s lull at 15 s, then over again until 25 s.
        let s = series(40, 100, |s| (0.0, if (10..15).contains(&s) || (18..25).contains(&s) { 200.0 } else { 20.0 }));
        let no_target = measure(&[10_000], 40_000.0, &s, &[], &t(None));
        assert_eq!(no_target.faults[0].first_breach_ms, None, "no errors and no p99 target: no breach");
        let m = measure(&[10_000], 40_000.0, &s, &[], &t(Some(50.0)));
        assert_eq!(m.faults[0].first_breach_ms, Some(11_000.0));
        assert_eq!(m.faults[0].recovery_ms, Some(25_000.0), "3 healthy seconds are not 5");
        assert_eq!(m.faults[0].budget_burned, Some(0.0));
    }

    #[test]
    fn a_fault_still_on_at_the_end_is_not_recovered_and_an_unfinished_run_is_incomplete() {
        let s = series(30, 10, |s| (if s >= 10 { 1.0 } else { 0.0 }, 5.0));
        let m = measure(&[10_000], 60_000.0, &s, &[], &t(None));
        assert_eq!(m.faults[0].recovery_ms, None);
        assert_eq!(m.faults[0].mitigate_ms(), None);
        assert!(!m.faults[0].complete, "seen to 30 s of 60 s");
        let before = series(20, 10, |s| (if s < 5 { 0.5 } else { 0.0 }, 5.0));
        assert!(measure(&[10_000], 20_000.0, &before, &[], &t(None)).breached_before);
    }

    #[test]
    fn samples_keep_one_line_across_restarts_and_scrubs() {
        let mut v = Vec::new();
        let s = |t_ms, ok, failed, segment| Sample { t_ms, ok, failed, p99_ms: 1.0, segment };
        assert!(record(&mut v, s(0.0, 0, 0, 0)));
        assert!(!record(&mut v, s(400.0, 40, 0, 0)), "less than a second on");
        assert!(record(&mut v, s(1_000.0, 100, 0, 0)));
        assert!(record(&mut v, s(2_000.0, 190, 10, 0)));
        // An edit at 2 s: the new run starts at 0 (ignored) and is moved to 2 s.
        assert!(!record(&mut v, s(0.0, 0, 0, 1)));
        assert!(record(&mut v, s(2_000.0, 200, 0, 1)));
        assert!(record(&mut v, s(3_000.0, 300, 0, 1)));
        let ivs = intervals(&v);
        assert_eq!(ivs.len(), 3, "no interval across two runs");
        assert_eq!((ivs[1].done, ivs[1].failed), (100, 10));
        assert_eq!((ivs[2].t0, ivs[2].t1, ivs[2].done, ivs[2].failed), (2_000.0, 3_000.0, 100, 0));
    }

    #[test]
    fn design_edits_are_told_from_moves_and_fault_changes() {
        let a = slice_scenario();
        let mut moved = a.clone();
        moved.nodes[0].x += 40.0;
        moved.faults.clear();
        moved.duration_ms += 1;
        assert!(!design_changed(&a, &moved));
        let mut fewer = a.clone();
        fewer.edges[0].timeout_ms = Some(123.0);
        assert!(design_changed(&a, &fewer));
    }

    #[test]
    fn a_blank_design_gets_a_crash_of_the_busiest_then_the_critical_path() {
        // The slice: users → api → db; api and db have one caller each, so the database goes first.
        let design = slice_scenario();
        assert_eq!(busiest(&design), Some("db"));
        assert_eq!(critical_path(&design).last().map(|(a, b)| (a.as_str(), b.as_str())), Some(("api", "db")));
        let p = plan(&design, None);
        assert_eq!(p.faults.len(), 2);
        assert_eq!(p.faults[0].fault.action, FaultAction::Crash { node: "db".into() });
        assert_eq!((p.faults[0].fault.at_ms, p.faults[0].fault.duration_ms), (10_000, Some(20_000)));
        // No p99 target: the path's deepest link is cut, 15 s after the crash ends.
        let cut = FaultAction::Partition { id: Some("drill".into()), a: vec!["api".into()], b: vec!["db".into()] };
        assert_eq!(p.faults[1].fault.action, cut);
        assert_eq!(p.faults[1].fault.at_ms, 45_000);
        assert_eq!(p.duration_ms, p.faults[1].fault.at_ms + 20_000 + 20_000);
        drill_doc(&design, &p.faults, p.duration_ms).validate().unwrap();
    }

    #[test]
    fn an_exercise_s_own_faults_come_first_aimed_at_the_learner_s_design() {
        let text = registry::BUILTIN.iter().find(|(id, _)| *id == "instance-failure").unwrap().1;
        let ex = exercise(text).unwrap();
        assert_eq!(ex, registry::load("instance-failure").unwrap(), "parsed as the engine reads it");
        let p = plan(&ex.starter, Some(&ex));
        assert_eq!(p.faults.len(), 2);
        assert!(p.faults[0].source.contains("exercise"));
        let FaultAction::Crash { node } = &p.faults[0].fault.action else { panic!("{:?}", p.faults[0]) };
        assert!(ex.starter.nodes.iter().any(|n| &n.id == node), "aimed at a node of the design, not a role");
        assert_eq!(p.faults[0].fault.at_ms, 10_000);
        // The check's crash is there: the role pick is the critical path's slow link (a p99 target).
        assert!(p.faults[1].source.contains("picked by role"));
        let slow = FaultAction::EdgeLatency { from: "api".into(), to: "db".into(), add_ms: 200.0 };
        assert_eq!((&p.faults[1].fault.action, p.faults[1].fault.at_ms), (&slow, 40_000));
        assert_eq!(p.duration_ms, 80_000);
        assert_eq!(p.targets.p99_ms, Some(100.0));
        assert_eq!(p.targets.slo_pct, 99.5);
        // Two faults in the check: both are the exercise's.
        let two = registry::load("flaky-database").unwrap();
        let p = plan(&two.starter, Some(&two));
        assert!(p.faults.iter().all(|f| f.source.contains("exercise")), "{p:?}");
        assert_eq!(p.faults.iter().map(|f| f.fault.at_ms).collect::<Vec<_>>(), [10_000, 35_000]);
    }

    /// The drill measured on the engine's own run of the slice with its
    /// database crashed from 10 s to 30 s: every request needs the
    /// database, so the breach is the first second after the crash, and the
    /// recovery the first healthy second after the restart.
    #[test]
    fn the_engine_s_run_of_a_crashed_database_measures_as_expected() {
        let design = slice_scenario();
        let p = plan(&design, None);
        let doc = drill_doc(&design, &p.faults[..1], 60_000);
        let mut sim = Sim::new(&doc).unwrap();
        let mut samples = Vec::new();
        for s in 0..=60u64 {
            sim.step_until(SimTime::from_millis(s * 1_000));
            let v = sim.view();
            record(
                &mut samples,
                Sample { t_ms: v.now_ms, ok: v.ok, failed: v.failed, p99_ms: v.overall.p99_ms, segment: 0 },
            );
        }
        let m = measure(&[10_000], 60_000.0, &samples, &[], &p.targets);
        let f = &m.faults[0];
        assert!(!m.breached_before, "the slice is healthy before the crash");
        assert_eq!(f.first_breach_ms, Some(11_000.0));
        let r = f.recovery_ms.expect("recovers after the restart");
        // Calls in flight at the restart time out first (the slice's timeouts are
        // at most a few seconds), so recovery is within 30 s .. 30 s + 5 s.
        assert!((30_000.0..=35_000.0).contains(&r), "recovery at {r}");
        // Failures: about the whole 20 s of traffic (the slice sends a
        // Poisson stream); the budget burned is failures over 0.1% of all.
        let rate = m.done as f64 / 60.0;
        let expected = 20.0 * rate;
        assert!((f.failed as f64 - expected).abs() / expected < 0.15, "failed {} vs ~{expected:.0}", f.failed);
        let burned = f.budget_burned.unwrap();
        assert!((burned - f.failed as f64 / (0.001 * m.done as f64)).abs() < 1e-9);
        assert!(burned > 100.0, "a 20 s outage burns a 60 s drill's 99.9% budget many times over: {burned}");
    }
}
