//! Compare mode: two designs on the same traffic, side by side.
//!
//! Why it can be trusted: the engine keys every random stream by its owner's
//! id and its purpose (`faultline_sim::rng`), so two designs that have a
//! client of the same name with the same workload draw the same arrivals,
//! operations and keys, whatever sits behind the client. Running both with
//! the same seed, the same duration and the same fault timeline makes the
//! difference between their results the design's, not luck's (the tests
//! below check the arrivals are equal).
//!
//! The rules, said in the view and by `faultline compare`:
//! * both run from t = 0 to the end of A's duration, with A's seed;
//! * A's fault timeline is used for both (B's own faults are not); a fault
//!   aimed at something B does not have is skipped for B and listed in
//!   [`Comparison::skipped`], never dropped silently;
//! * each side is a run of its own, apart from the live run (the worker's
//!   `Live` answers `Command::Compare` without touching its engine), and
//!   equals what `faultline run` prints for that document.
//!
//! [`rows`] turns the two run summaries into the table both the page and the
//! CLI show, with each metric's direction (higher success is better, lower
//! p99 is better), so they agree on every number and every verdict.

use crate::live::{op_series_of, series_of};
use crate::protocol::{OpSeries, Subject};
use faultline_sim::metrics::Point;
use faultline_sim::report::RunSummary;
use faultline_sim::scenario::Fault;
use faultline_sim::{Scenario, Sim};
use serde::{Deserialize, Serialize};

/// One design's run: the whole system's series, each operation's series
/// (empty when it sends one operation) and the run summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub name: String,
    pub series: Vec<Point>,
    pub ops: Vec<OpSeries>,
    pub summary: RunSummary,
}

/// A fault of A's timeline that B could not take, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub fault: Fault,
    pub why: String,
}

/// Both runs, or why a side could not run (in plain words).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The seed and duration both ran with (A's).
    pub seed: u64,
    pub duration_ms: u64,
    pub a: Result<Side, String>,
    pub b: Result<Side, String>,
    /// A's faults not applied to B (they aim at a node, link or region B lacks).
    pub skipped: Vec<Skipped>,
}

/// B as it runs in a comparison with A: A's seed, duration and faults
/// (those B can take), and the faults it cannot.
pub fn aligned(a: &Scenario, b: &Scenario) -> (Scenario, Vec<Skipped>) {
    let mut base = b.clone();
    base.seed = a.seed;
    base.duration_ms = a.duration_ms;
    base.faults.clear();
    let mut skipped = Vec::new();
    // Only a B that runs without faults can say which faults it refuses.
    if base.validate().is_ok() {
        let mut taken = Vec::new();
        for f in &a.faults {
            let mut one = base.clone();
            one.faults = vec![f.clone()];
            match one.validate() {
                Ok(()) => taken.push(f.clone()),
                Err(e) => {
                    let why = e.problems.first().map_or_else(|| e.to_string(), |p| p.message.clone());
                    skipped.push(Skipped { fault: f.clone(), why });
                }
            }
        }
        base.faults = taken;
    } else {
        base.faults = a.faults.clone();
    }
    (base, skipped)
}

/// Runs `doc` to its end.
pub fn run_side(doc: &Scenario) -> Result<Side, String> {
    let mut sim = Sim::new(doc).map_err(|e| format!("{} cannot run: {e}", name_of(doc)))?;
    sim.run();
    Ok(Side {
        name: doc.name.clone(),
        series: series_of(&sim, Subject::System),
        ops: op_series_of(&sim, Subject::System),
        summary: sim.run_summary(),
    })
}

fn name_of(doc: &Scenario) -> &str {
    if doc.name.is_empty() {
        "the design"
    } else {
        &doc.name
    }
}

/// Runs `a` and `b` on the same traffic and fault timeline (see the module).
pub fn compare(a: &Scenario, b: &Scenario) -> Comparison {
    let (b_run, skipped) = aligned(a, b);
    Comparison { seed: a.seed, duration_ms: a.duration_ms, a: run_side(a), b: run_side(&b_run), skipped }
}

/// Which way a metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

/// What a row's values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// 0..1, shown in percent; differences in percentage points.
    Share,
    Ms,
    /// Per second.
    Rate,
    Count,
}

/// B against A on one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Better,
    Worse,
    Same,
    /// A side has no value (an operation only one design sends, a p99 with
    /// no success).
    Unknown,
}

/// One line of the side-by-side table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Stable id (for tests and the page's `data-testid`).
    pub key: String,
    pub label: String,
    pub unit: Unit,
    pub better: Better,
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// Indented under an operation's heading.
    pub op: Option<String>,
}

/// Differences smaller than this are "the same": a share within 0.05
/// percentage points, a latency or rate within 1%.
const SAME_SHARE: f64 = 0.000_5;
const SAME_RELATIVE: f64 = 0.01;

impl Row {
    /// B minus A.
    pub fn diff(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    pub fn verdict(&self) -> Verdict {
        let (Some(a), Some(d)) = (self.a, self.diff()) else { return Verdict::Unknown };
        let same = match self.unit {
            Unit::Share => d.abs() < SAME_SHARE,
            Unit::Count => d == 0.0,
            Unit::Ms | Unit::Rate => d.abs() <= SAME_RELATIVE * a.abs().max(self.b.unwrap_or(0.0).abs()),
        };
        if same {
            Verdict::Same
        } else if (d > 0.0) == (self.better == Better::Higher) {
            Verdict::Better
        } else {
            Verdict::Worse
        }
    }

    /// A value as the table shows it.
    pub fn text(&self, v: Option<f64>) -> String {
        match v {
            None => "–".into(),
            Some(v) => value_text(self.unit, v),
        }
    }

    /// The difference with its sign ("+61.80 pp", "−1.04 s", "±0").
    pub fn diff_text(&self) -> String {
        let Some(d) = self.diff() else { return "–".into() };
        if d == 0.0 {
            return "±0".into();
        }
        let sign = if d > 0.0 { "+" } else { "−" };
        let size = match self.unit {
            Unit::Share => format!("{:.2} pp", d.abs() * 100.0),
            u => value_text(u, d.abs()),
        };
        format!("{sign}{size}")
    }
}

/// `v` in `unit`, as the page and the CLI print it.
pub fn value_text(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Share => format!("{:.2}%", v * 100.0),
        Unit::Ms if v >= 1_000.0 => format!("{:.2} s", v / 1_000.0),
        Unit::Ms if v < 10.0 => format!("{v:.2} ms"),
        Unit::Ms => format!("{v:.1} ms"),
        Unit::Rate => format!("{v:.1}/s"),
        Unit::Count => format!("{v:.0}"),
    }
}

/// Share of answered requests that succeeded; `None` before any answer.
fn success(ok: u64, failed: u64) -> Option<f64> {
    let done = ok + failed;
    (done > 0).then(|| ok as f64 / done as f64)
}

/// A latency of the successful calls; `None` when none succeeded.
fn latency(ok: u64, ms: f64) -> Option<f64> {
    (ok > 0).then_some(ms)
}

/// The side-by-side table of two run summaries: the whole system, the
/// failures by cause (those either side has), retries, then each operation
/// (when a design sends several). Both summaries cover the same duration.
pub fn rows(a: &RunSummary, b: &RunSummary) -> Vec<Row> {
    let row = |key: &str, label: &str, unit, better, a, b| Row {
        key: key.into(),
        label: label.into(),
        unit,
        better,
        a,
        b,
        op: None,
    };
    let (ra, rb) = (&a.requests, &b.requests);
    let per_s = |s: &RunSummary, n: u64| (s.sim_time_ms > 0.0).then(|| n as f64 / (s.sim_time_ms / 1_000.0));
    let mut out = vec![
        row(
            "success",
            "Success rate",
            Unit::Share,
            Better::Higher,
            success(ra.ok, ra.failed.total),
            success(rb.ok, rb.failed.total),
        ),
        row(
            "p50",
            "p50 latency",
            Unit::Ms,
            Better::Lower,
            latency(ra.ok, a.latency_ms.p50),
            latency(rb.ok, b.latency_ms.p50),
        ),
        row(
            "p99",
            "p99 latency",
            Unit::Ms,
            Better::Lower,
            latency(ra.ok, a.latency_ms.p99),
            latency(rb.ok, b.latency_ms.p99),
        ),
        row("throughput", "Throughput, ok", Unit::Rate, Better::Higher, per_s(a, ra.ok), per_s(b, rb.ok)),
        row("failed", "Failed", Unit::Count, Better::Lower, Some(ra.failed.total as f64), Some(rb.failed.total as f64)),
    ];
    for ((cause, x), (_, y)) in ra.failed.by_cause().into_iter().zip(rb.failed.by_cause()) {
        if x > 0 || y > 0 {
            let (x, y) = (Some(x as f64), Some(y as f64));
            out.push(row(&format!("failed-{cause}"), &format!("· {cause}"), Unit::Count, Better::Lower, x, y));
        }
    }
    out.push(row("retries", "Retries", Unit::Count, Better::Lower, Some(ra.retries as f64), Some(rb.retries as f64)));
    let mut names: Vec<&str> = a.ops.iter().map(|o| o.name.as_str()).collect();
    for o in &b.ops {
        if !names.contains(&o.name.as_str()) {
            names.push(&o.name);
        }
    }
    if names.len() > 1 {
        for name in names {
            let (oa, ob) = (a.ops.iter().find(|o| o.name == name), b.ops.iter().find(|o| o.name == name));
            let succ = |o: Option<&faultline_sim::report::OpReport>| o.and_then(|o| success(o.ok, o.failed));
            let p99 = |o: Option<&faultline_sim::report::OpReport>| o.and_then(|o| latency(o.ok, o.latency_ms.p99));
            let op = Some(name.to_string());
            out.push(Row {
                op: op.clone(),
                ..row(&format!("op-{name}-success"), "success rate", Unit::Share, Better::Higher, succ(oa), succ(ob))
            });
            out.push(Row {
                op,
                ..row(&format!("op-{name}-p99"), "p99 latency", Unit::Ms, Better::Lower, p99(oa), p99(ob))
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(ok: u64, failed: u64, p99: f64) -> RunSummary {
        let mut s = RunSummary { sim_time_ms: 10_000.0, ..RunSummary::default() };
        s.requests.ok = ok;
        s.requests.failed.total = failed;
        s.requests.failed.timeout = failed;
        s.latency_ms.p99 = p99;
        s
    }

    #[test]
    fn better_follows_each_metrics_direction() {
        let rows = rows(&summary(900, 100, 800.0), &summary(990, 10, 12.0));
        let get = |k: &str| rows.iter().find(|r| r.key == k).unwrap();
        assert_eq!(get("success").verdict(), Verdict::Better, "higher success is better");
        assert_eq!(get("success").diff_text(), "+9.00 pp");
        assert_eq!(get("p99").verdict(), Verdict::Better, "lower p99 is better");
        assert_eq!(get("p99").diff_text(), "−788.0 ms");
        assert_eq!(get("failed").verdict(), Verdict::Better);
        assert_eq!(get("failed-timeout").diff_text(), "−90");
        assert_eq!(get("throughput").a, Some(90.0));
        let back = super::rows(&summary(990, 10, 12.0), &summary(900, 100, 800.0));
        assert!(back.iter().filter(|r| r.a.is_some()).all(|r| matches!(r.verdict(), Verdict::Worse | Verdict::Same)));
        assert_eq!(back.iter().find(|r| r.key == "p99").unwrap().verdict(), Verdict::Worse);
    }

    #[test]
    fn tiny_differences_are_the_same_and_missing_values_unknown() {
        let rows = rows(&summary(100_000, 1, 100.0), &summary(100_000, 2, 100.5));
        let get = |k: &str| rows.iter().find(|r| r.key == k).unwrap();
        assert_eq!(get("success").verdict(), Verdict::Same);
        assert_eq!(get("p99").verdict(), Verdict::Same);
        assert_eq!(get("failed").verdict(), Verdict::Worse, "counts are exact");
        let none = super::rows(&summary(0, 5, 0.0), &summary(5, 0, 3.0));
        let p99 = none.iter().find(|r| r.key == "p99").unwrap();
        assert_eq!((p99.a, p99.verdict(), p99.text(p99.a)), (None, Verdict::Unknown, "–".to_string()));
    }
}
