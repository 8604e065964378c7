//! Evaluating criteria on a recorded run: the measured value over the
//! window, pass or fail against the threshold, whether it passed with
//! headroom, and when it was first breached.
//!
//! When a breach is "first": for counts that only grow (failures, lost
//! messages) the first grid point at which the window's count passed the
//! threshold; for a queue, the first sample over it; for rates and
//! latencies, the first whole second of the window whose own value
//! breached (a second with nothing to measure never breaches). A criterion
//! that failed over its window with no single second over the line has no
//! first breach (`None`): it is the window as a whole that failed.

use super::apply::role_members;
use super::format::{join, Criterion, ExerciseError, Metric, ProblemText, Scope};
use super::measure::{Plan, Recording, Source};
use crate::scenario::{NodeKind, Scenario};
use serde::{Deserialize, Serialize};

/// Headroom: a criterion passes "with headroom" when it is at least this
/// share inside its threshold (for percentages, of the distance to 100%).
pub const HEADROOM: f64 = 0.2;

/// One criterion's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub id: String,
    pub label: String,
    /// What was measured, in words (`p99 latency of client users`).
    pub measure: String,
    pub unit: String,
    /// The window, in milliseconds `[from, to)`.
    pub window_ms: [u64; 2],
    /// `None`: nothing to measure in the window (no call completed, or
    /// none succeeded for a latency); that fails.
    pub value: Option<f64>,
    /// `"at_most"` or `"at_least"`.
    pub comparison: String,
    pub threshold: f64,
    pub pass: bool,
    /// Passed at least `HEADROOM` inside the threshold.
    pub headroom: bool,
    /// When it was first breached, in milliseconds (failed criteria only).
    pub first_breach_ms: Option<u64>,
}

/// A criterion compiled against one run's scenario.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub criterion: Criterion,
    pub span: (u64, u64),
    pub sources: Vec<Source>,
    /// Of `Amplification`'s `per`.
    pub per: Vec<Source>,
}

/// The engine sources a scope measures in `s`, or why it does not resolve.
/// A role with no node in the design measures nothing (its counts are 0,
/// its latency and queue unmeasured). `op_names`: the run's operations, as the engine numbers them (`Sim::op_names`).
pub fn sources(s: &Scenario, op_names: &[String], scope: &Scope) -> Result<Vec<Source>, String> {
    let node =
        |id: &str| s.node_index(id).ok_or_else(|| format!("the design has no node `{id}` (keep the starter's ids)"));
    match scope {
        Scope::All => Ok(vec![Source::Overall]),
        Scope::Client(id) => {
            let i = node(id)?;
            if matches!(s.nodes[i].kind, NodeKind::Client(_)) {
                Ok(vec![Source::Node(i)])
            } else {
                Err(format!("`{id}` is not a client"))
            }
        }
        Scope::Node(id) => match role_members(s, id) {
            Some(members) => Ok(members.iter().filter_map(|m| s.node_index(m)).map(Source::Node).collect()),
            None => Ok(vec![Source::Node(node(id)?)]),
        },
        Scope::Edge { from, to } => s
            .edges
            .iter()
            .position(|e| &e.from == from && &e.to == to)
            .map(|i| vec![Source::Edge(i)])
            .ok_or_else(|| format!("the design has no link `{from} -> {to}`")),
        Scope::Op(name) => op_names
            .iter()
            .position(|n| n == name)
            .map(|i| vec![if op_names.len() > 1 { Source::Op(i) } else { Source::Overall }])
            .ok_or_else(|| format!("no workload of the check has the operation `{name}`")),
    }
}

/// Compiles every criterion against the run's scenario and plans what to record.
pub fn compile(
    criteria: &[Criterion],
    s: &Scenario,
    op_names: &[String],
) -> Result<(Vec<Compiled>, Plan), ExerciseError> {
    let mut plan = Plan::default();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, c) in criteria.iter().enumerate() {
        let path = format!("criteria[{i}]");
        let Some(span) = c.window.span(s.duration_ms, &s.faults) else {
            problems.push(ProblemText { path: join(&path, "window"), message: "is empty".into() });
            continue;
        };
        let srcs = match sources(s, op_names, &c.of) {
            Ok(x) => x,
            Err(message) => {
                problems.push(ProblemText { path: join(&path, "of"), message });
                continue;
            }
        };
        let per = match &c.metric {
            Metric::Amplification { per } => match sources(s, op_names, per) {
                Ok(x) => x,
                Err(message) => {
                    problems.push(ProblemText { path: join(&path, "metric.per"), message });
                    continue;
                }
            },
            _ => Vec::new(),
        };
        for &x in srcs.iter().chain(&per) {
            plan.source(x);
        }
        if matches!(c.metric, Metric::Latency { .. }) {
            let (from, to) = span;
            for &x in &srcs {
                let mut t = from;
                while t < to {
                    plan.histograms.insert((t, x));
                    t += 1_000;
                }
                plan.histograms.insert((to, x));
            }
        }
        out.push(Compiled { criterion: c.clone(), span, sources: srcs, per });
    }
    if problems.is_empty() {
        Ok((out, plan))
    } else {
        Err(ExerciseError { problems })
    }
}

fn is_percent(m: &Metric) -> bool {
    matches!(m, Metric::SuccessRate | Metric::DegradedRate)
}

/// The metric's value over `[from, to)` of the recording.
pub fn value(c: &Compiled, r: &Recording, from: u64, to: u64) -> Option<f64> {
    let counts = || r.counts(&c.sources, from, to);
    let secs = (to - from) as f64 / 1e3;
    match &c.criterion.metric {
        Metric::SuccessRate => {
            let k = counts();
            let done = k.ok + k.failed_total();
            (done > 0).then(|| 100.0 * k.ok as f64 / done as f64)
        }
        Metric::Latency { quantile } => {
            let h = r.latency(&c.sources, from, to)?;
            (!h.is_empty()).then(|| h.value_at_quantile(*quantile) as f64 / 1e3)
        }
        Metric::Failures { cause } => {
            let k = counts();
            Some(match cause {
                Some(cause) => k.failed[cause.reason() as usize],
                None => k.failed_total(),
            } as f64)
        }
        Metric::DegradedRate => {
            let k = counts();
            (k.ok > 0).then(|| 100.0 * k.degraded as f64 / k.ok as f64)
        }
        Metric::ArrivalRate => Some(counts().arrivals as f64 / secs),
        Metric::Throughput => Some(counts().ok as f64 / secs),
        Metric::MaxQueue => r.queue_samples(&c.sources, from, to).iter().map(|&(_, q)| f64::from(q)).reduce(f64::max),
        Metric::Amplification { .. } => {
            let per = r.counts(&c.per, from, to).arrivals;
            (per > 0).then(|| counts().arrivals as f64 / per as f64)
        }
        Metric::LostMessages => Some(counts().lost as f64),
        Metric::FailedStarts => Some(counts().failed_starts as f64),
        Metric::StaleReads => Some(counts().stale_reads as f64),
        Metric::RywViolations => Some(counts().ryw_violations as f64),
        Metric::PhantomDeductions => Some(counts().phantom_deductions as f64),
        Metric::DuplicatesProcessed => Some(counts().duplicates_processed as f64),
        Metric::DuplicateSideEffects => Some(counts().duplicate_side_effects as f64),
    }
}

fn passes(c: &Criterion, v: Option<f64>) -> bool {
    match (v, c.at_most, c.at_least) {
        (Some(v), Some(t), _) => v <= t,
        (Some(v), None, Some(t)) => v >= t,
        _ => false,
    }
}

fn with_headroom(c: &Criterion, v: Option<f64>) -> bool {
    let Some(v) = v else { return false };
    // Decimal thresholds (99.9%) are not exact in binary: a hair of slack.
    const SLACK: f64 = 1e-9;
    match (c.at_most, c.at_least) {
        (Some(t), _) => v <= (1.0 - HEADROOM) * t + SLACK,
        (None, Some(t)) if is_percent(&c.metric) => 100.0 - v <= (1.0 - HEADROOM) * (100.0 - t) + SLACK,
        (None, Some(t)) => v >= (1.0 + HEADROOM) * t - SLACK,
        _ => false,
    }
}

fn first_breach(c: &Compiled, r: &Recording) -> Option<u64> {
    let k = &c.criterion;
    let (from, to) = c.span;
    let grid = super::format::GRID_MS;
    match (&k.metric, k.at_most) {
        (
            Metric::Failures { .. }
            | Metric::LostMessages
            | Metric::FailedStarts
            | Metric::StaleReads
            | Metric::RywViolations
            | Metric::PhantomDeductions
            | Metric::DuplicatesProcessed
            | Metric::DuplicateSideEffects,
            Some(_),
        ) => (1..=(to - from) / grid).map(|i| from + i * grid).find(|&t| !passes(k, value(c, r, from, t))),
        (Metric::MaxQueue, Some(t)) => {
            r.queue_samples(&c.sources, from, to).into_iter().find(|&(_, q)| f64::from(q) > t).map(|(at, _)| at)
        }
        (
            Metric::Failures { .. }
            | Metric::LostMessages
            | Metric::FailedStarts
            | Metric::StaleReads
            | Metric::RywViolations
            | Metric::PhantomDeductions
            | Metric::DuplicatesProcessed
            | Metric::DuplicateSideEffects
            | Metric::MaxQueue,
            None,
        ) => None,
        _ => {
            let mut t = from;
            while t < to {
                let end = (t + 1_000).min(to);
                let v = value(c, r, t, end);
                if v.is_some() && !passes(k, v) {
                    return Some(t);
                }
                t = end;
            }
            None
        }
    }
}

/// Describes a scope and metric in words, with the value's unit.
fn describe(k: &Criterion) -> (String, &'static str) {
    let of = match &k.of {
        Scope::All => "all requests".to_string(),
        Scope::Client(id) => format!("client {id}"),
        Scope::Node(id) => format!("node {id}"),
        Scope::Edge { from, to } => format!("link {from} -> {to}"),
        Scope::Op(n) => format!("operation {n}"),
    };
    match &k.metric {
        Metric::SuccessRate => (format!("success rate of {of}"), "%"),
        Metric::Latency { quantile } => (format!("p{} latency of {of}", quantile_name(*quantile)), "ms"),
        Metric::Failures { cause: Some(c) } => {
            (format!("{} failures of {of}", c.reason().name().replace('_', " ")), "calls")
        }
        Metric::Failures { cause: None } => (format!("failures of {of}"), "calls"),
        Metric::DegradedRate => (format!("fallback answers of {of}"), "%"),
        Metric::ArrivalRate => (format!("arrivals at {of}"), "/s"),
        Metric::Throughput => (format!("successes of {of}"), "/s"),
        Metric::MaxQueue => (format!("peak queue at {of}"), "calls"),
        Metric::Amplification { .. } => (format!("calls at {of} per request"), "x"),
        Metric::LostMessages => (format!("messages lost at {of}"), "messages"),
        Metric::FailedStarts => (format!("failed instance starts at {of}"), "starts"),
        Metric::StaleReads => (format!("stale reads at {of}"), "reads"),
        Metric::RywViolations => (format!("read-your-writes violations at {of}"), "reads"),
        Metric::PhantomDeductions => (format!("phantom deductions at {of}"), "events"),
        Metric::DuplicatesProcessed => (format!("duplicates processed at {of}"), "events"),
        Metric::DuplicateSideEffects => (format!("duplicate side effects at {of}"), "requests"),
    }
}

fn quantile_name(q: f64) -> String {
    let p = q * 100.0;
    let s = format!("{p:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Every compiled criterion's result on the recording.
pub fn evaluate(compiled: &[Compiled], r: &Recording) -> Vec<Measured> {
    compiled
        .iter()
        .map(|c| {
            let k = &c.criterion;
            let v = value(c, r, c.span.0, c.span.1);
            let pass = passes(k, v);
            let (measure, unit) = describe(k);
            Measured {
                id: k.id.clone(),
                label: k.label.clone(),
                measure,
                unit: unit.to_string(),
                window_ms: [c.span.0, c.span.1],
                value: v,
                comparison: if k.at_most.is_some() { "at_most" } else { "at_least" }.into(),
                threshold: k.at_most.or(k.at_least).unwrap_or(0.0),
                pass,
                headroom: pass && with_headroom(k, v),
                first_breach_ms: if pass { None } else { first_breach(c, r) },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Criteria on runs whose numbers can be worked out by hand: constant
    //! arrivals, constant service times, enough workers that nobody waits.
    use super::*;
    use crate::exercise::format::{Cause, Window};
    use crate::sim::Sim;

    /// Clients `a` and `b` each send 100 requests/s, evenly spaced, to
    /// `api` (2 workers, 5 ms each; links 0.5 ms each way, so every
    /// request takes 6 ms); `api` is down from 3 s to 5 s; `a`'s link
    /// answers with a fallback when a call fails.
    fn scenario() -> Scenario {
        let text = r#"{"version":1,"seed":1,"duration_ms":8000,
          "nodes":[{"id":"a","kind":{"type":"client"}},{"id":"b","kind":{"type":"client"}},
                   {"id":"api","kind":{"type":"service","workers":2,"queue_capacity":100,"service_time":{"type":"constant","ms":5}}}],
          "edges":[{"from":"a","to":"api","latency":{"type":"constant","ms":0.5},"fallback":"default"},
                   {"from":"b","to":"api","latency":{"type":"constant","ms":0.5}}],
          "workloads":[{"id":"wa","client":"a","target":"api","arrival":{"type":"constant","rate_rps":100}},
                       {"id":"wb","client":"b","target":"api","arrival":{"type":"constant","rate_rps":100}}],
          "faults":[{"at_ms":3000,"duration_ms":2000,"action":{"type":"crash","node":"api"}}]}"#;
        Scenario::from_json(text).unwrap()
    }

    fn criterion(metric: Metric, of: Scope, window: Window, at_most: Option<f64>, at_least: Option<f64>) -> Criterion {
        Criterion { id: "k".into(), label: String::new(), metric, of, window, at_most, at_least }
    }

    fn between(from_ms: u64, to_ms: u64) -> Window {
        Window::Between { from_ms, to_ms }
    }

    fn measure(s: &Scenario, criteria: &[Criterion]) -> Vec<Measured> {
        let sim = Sim::new(s).unwrap();
        let (compiled, plan) = compile(criteria, s, &sim.op_names).unwrap();
        evaluate(&compiled, &Recording::run(sim, &plan))
    }

    fn close(v: Option<f64>, expected: f64, tolerance: f64) -> bool {
        v.is_some_and(|v| (v - expected).abs() <= tolerance)
    }

    #[test]
    fn counts_rates_and_latency_over_a_window_match_the_arithmetic() {
        let s = scenario();
        let b = || Scope::Client("b".into());
        let w = || between(2_000, 7_000);
        let m = measure(
            &s,
            &[
                // b: 500 requests in [2, 7) s, the 200 of [3, 5) s refused: 60%.
                criterion(Metric::SuccessRate, b(), w(), None, Some(98.0)),
                criterion(Metric::Failures { cause: Some(Cause::Refused) }, b(), w(), Some(0.0), None),
                criterion(Metric::Failures { cause: Some(Cause::Timeout) }, b(), w(), Some(0.0), None),
                criterion(Metric::Throughput, b(), w(), None, Some(50.0)),
                // Both clients reach api: 200 arrivals/s, 2 per request of b.
                criterion(Metric::ArrivalRate, Scope::Node("api".into()), w(), Some(250.0), None),
                criterion(Metric::Amplification { per: b() }, Scope::Node("api".into()), w(), Some(2.0), None),
                // Every success takes 0.5 + 5 + 0.5 ms.
                criterion(Metric::Latency { quantile: 0.99 }, b(), between(5_500, 7_000), Some(7.5), None),
                // a's failures are answered by its fallback: 200 of its 500 successes.
                criterion(Metric::SuccessRate, Scope::Client("a".into()), w(), None, Some(99.9)),
                criterion(Metric::DegradedRate, Scope::Client("a".into()), w(), Some(50.0), None),
                // The whole crash, as a fault window: nothing of b's succeeds.
                criterion(Metric::SuccessRate, b(), Window::During { fault: 0, skip_ms: 100 }, None, Some(1.0)),
            ],
        );
        let v = |i: usize| m[i].value;
        assert!(close(v(0), 60.0, 0.5), "{:?}", m[0]);
        assert!(!m[0].pass);
        assert_eq!(m[0].first_breach_ms, Some(3_000), "the first second below 98% starts at the crash");
        assert!(close(v(1), 200.0, 3.0), "{:?}", m[1]);
        assert_eq!(v(2), Some(0.0));
        assert!(m[2].pass && m[2].headroom, "0 <= 0 holds with headroom");
        assert!(close(v(3), 60.0, 0.5) && m[3].pass, "{:?}", m[3]);
        assert!(close(v(4), 200.0, 0.5) && m[4].pass, "{:?}", m[4]);
        assert!(close(v(5), 2.0, 0.01), "{:?}", m[5]);
        assert!(close(v(6), 6.0, 0.06), "{:?}", m[6]);
        assert_eq!(m[6].window_ms, [5_500, 7_000]);
        assert!(m[6].pass && !m[6].headroom, "6 ms is inside 7.5 but not by 20%");
        assert_eq!(v(7), Some(100.0));
        assert!(close(v(8), 40.0, 0.5) && m[8].pass && m[8].headroom, "{:?}", m[8]);
        assert_eq!(v(9), Some(0.0));
        assert_eq!(m[9].window_ms, [3_100, 5_000]);
        // Failures that only grow: first breached at the first refusal.
        assert!(m[1].first_breach_ms.is_some_and(|t| (3_000..=3_100).contains(&t)), "{:?}", m[1]);
    }

    #[test]
    fn a_queue_growing_by_50_a_second_is_first_over_100_at_about_2_s() {
        // One worker, 20 ms a request, 100 requests/s: the queue grows by 50/s.
        let mut s = scenario();
        s.faults.clear();
        s.workloads.truncate(1);
        if let NodeKind::Service(c) = &mut s.nodes[2].kind {
            c.workers = 1;
            c.queue_capacity = 10_000;
            c.service_time = crate::Dist::constant(20.0);
        }
        let m = measure(
            &s,
            &[criterion(Metric::MaxQueue, Scope::Node("api".into()), between(0, 5_000), Some(100.0), None)],
        );
        // At t the queue holds 100 t arrivals - 50 t served - 1 in service.
        assert!(close(m[0].value, 249.0, 3.0), "{:?}", m[0]);
        assert!(m[0].first_breach_ms.is_some_and(|t| (2_000..=2_200).contains(&t)), "{:?}", m[0]);
    }

    #[test]
    fn nothing_to_measure_fails_and_roles_sum_their_nodes() {
        let s = scenario();
        let m = measure(
            &s,
            &[
                // No success while api is down: no latency to compare.
                criterion(
                    Metric::Latency { quantile: 0.5 },
                    Scope::Client("b".into()),
                    between(3_200, 4_800),
                    Some(1e9),
                    None,
                ),
                criterion(
                    Metric::ArrivalRate,
                    Scope::Node("role:client".into()),
                    between(1_000, 2_000),
                    Some(1e9),
                    None,
                ),
                criterion(Metric::MaxQueue, Scope::Node("role:queue".into()), between(1_000, 2_000), Some(1e9), None),
            ],
        );
        assert_eq!(m[0].value, None);
        assert!(!m[0].pass && m[0].first_breach_ms.is_none());
        assert!(close(m[1].value, 200.0, 0.5), "{:?}", m[1]);
        assert_eq!(m[2].value, None, "a role with no node has no queue to sample");
    }

    #[test]
    fn a_windows_counts_and_latencies_are_the_sum_of_its_parts() {
        let s = scenario();
        let sim = Sim::new(&s).unwrap();
        let mut plan = Plan::default();
        let sources = [Source::Node(0), Source::Node(1), Source::Overall];
        for &x in &sources {
            plan.source(x);
            for t in (0..=8_000).step_by(500) {
                plan.histograms.insert((t, x));
            }
        }
        let r = Recording::run(sim, &plan);
        for (a, b, c) in [(0, 500, 8_000), (1_000, 3_000, 5_000), (2_500, 4_000, 7_500), (0, 0, 8_000)] {
            let mut parts = r.counts(&sources, a, b);
            parts.add(&r.counts(&sources, b, c));
            assert_eq!(r.counts(&sources, a, c), parts, "[{a}, {b}) + [{b}, {c})");
            let len = |x, y| r.latency(&sources, x, y).map_or(0, |h| h.len());
            assert_eq!(len(a, c), len(a, b) + len(b, c));
        }
        // Every user request is some client's: the whole is the clients' sum.
        let ok = |x| r.counts(&[x], 0, 8_000).ok;
        assert_eq!(ok(Source::Overall), ok(Source::Node(0)) + ok(Source::Node(1)));
        assert!(r.latency(&sources, 0, 100).is_none(), "100 ms was not recorded");
    }

    #[test]
    fn headroom_is_twenty_percent_inside_the_threshold() {
        let k =
            |metric, at_most, at_least| criterion(metric, Scope::All, Window::Run { skip_ms: 0 }, at_most, at_least);
        let lat = k(Metric::Latency { quantile: 0.99 }, Some(100.0), None);
        assert!(with_headroom(&lat, Some(80.0)) && !with_headroom(&lat, Some(80.1)));
        // Percentages: 20% of the distance to 100 (99.9% -> 99.92%).
        let rate = k(Metric::SuccessRate, None, Some(99.9));
        assert!(with_headroom(&rate, Some(99.92)) && !with_headroom(&rate, Some(99.91)));
        let tput = k(Metric::Throughput, None, Some(100.0));
        assert!(with_headroom(&tput, Some(120.0)) && !with_headroom(&tput, Some(119.9)));
        assert!(!with_headroom(&tput, None));
        assert!(passes(&tput, Some(100.0)) && !passes(&tput, Some(99.9)) && !passes(&tput, None));
    }

    #[test]
    fn quantiles_are_named_as_percentiles() {
        assert_eq!(quantile_name(0.99), "99");
        assert_eq!(quantile_name(0.999), "99.9");
        assert_eq!(quantile_name(0.5), "50");
    }
}
