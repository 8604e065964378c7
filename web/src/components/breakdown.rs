//! Results broken down: per operation (on the client cards and in the run
//! summary) and failures by cause (in the run summary).
//!
//! Why: the whole-run numbers average the operations together. When one
//! operation fails and another is fine (a slow dependency behind "orders",
//! none behind "catalog"), the total reads "half fail" whatever the design
//! does about it; the lesson of a fix (orders fail fast, catalog unaffected)
//! is only visible per operation. Likewise the failures' causes, which say
//! *how* things fail, read at a glance as bars rather than as a sentence.

use crate::format;
use faultline_sim::report::{Failures, OpReport};
use faultline_sim::scenario::Scenario;
use yew::prelude::*;

/// One operation's results, as shown.
#[derive(Clone, Debug, PartialEq)]
pub struct OpLine {
    pub name: String,
    /// Requests answered (succeeded or failed).
    pub done: u64,
    /// Share answered successfully (ok or fallback), 0..1; 1 when none answered.
    pub success: f64,
    /// Of the successful requests, in ms (0 when none).
    pub p99_ms: f64,
}

impl OpLine {
    pub fn of(o: &OpReport) -> OpLine {
        let done = o.ok + o.failed;
        let success = if done == 0 { 1.0 } else { o.ok as f64 / done as f64 };
        OpLine { name: o.name.clone(), done, success, p99_ms: o.latency_ms.p99 }
    }

    /// "38.2% ok · p99 1.06 s", or "–" before any answer.
    pub fn text(&self) -> String {
        if self.done == 0 {
            "–".into()
        } else {
            format!("{} ok · p99 {}", format::percent(self.success), format::ms(self.p99_ms))
        }
    }
}

/// The operations client `id` sends (by its workloads), with their results
/// in `ops`. Empty when it sends fewer than two: one operation's numbers are
/// the client's own. Operations are counted by name over every client, so
/// two clients sending "orders" share one line.
pub fn client_ops(doc: &Scenario, id: &str, ops: &[OpReport]) -> Vec<OpLine> {
    let mut names: Vec<&str> = Vec::new();
    for w in doc.workloads.iter().filter(|w| w.client == id) {
        for o in &w.ops {
            if !names.contains(&o.name.as_str()) {
                names.push(&o.name);
            }
        }
    }
    if names.len() < 2 {
        return Vec::new();
    }
    names.iter().filter_map(|n| ops.iter().find(|o| o.name == *n)).map(OpLine::of).collect()
}

/// Per-operation table for the run summary (nothing for fewer than two).
pub fn op_table(ops: &[OpReport]) -> Html {
    if ops.len() < 2 {
        return html! {};
    }
    let rows = ops.iter().map(OpLine::of).map(|o| {
        let bad = o.done > 0 && o.success < 0.99;
        html! {
            <div class={classes!("op-row", bad.then_some("bad"))} data-testid={format!("op-{}", o.name)}
                data-success={o.success.to_string()} data-p99={o.p99_ms.to_string()} data-done={o.done.to_string()}>
                <span class="op-name">{ o.name.clone() }</span>
                { meter(if o.done == 0 { 0.0 } else { o.success }, "ok") }
                <span class="op-value">{ if o.done == 0 { "–".to_string() } else { format::percent(o.success) } }</span>
                <span class="op-value">{ format!("p99 {}", format::ms(o.p99_ms)) }</span>
            </div>
        }
    });
    html! {
        <div class="breakdown ops" data-testid="op-results" role="group" aria-label="Per operation, the run so far">
            <span class="readout-label" title="Success rate and p99 latency of successful requests, per operation, over the run so far">
                { "Per operation" }</span>
            { for rows }
        </div>
    }
}

/// Failures by cause as bars (share of the failures), then how fast the
/// failed requests were answered. Nothing before any failure.
pub fn cause_bars(f: &Failures, failed_p50_ms: f64, failed_p99_ms: f64) -> Html {
    if f.total == 0 {
        return html! {};
    }
    let rows = f.by_cause().into_iter().filter(|(_, n)| *n > 0).map(|(cause, n)| {
        let share = n as f64 / f.total as f64;
        html! {
            <div class="cause-row" data-testid={format!("cause-{cause}")} data-count={n.to_string()}
                data-share={share.to_string()}>
                <span class="op-name">{ cause }</span>
                { meter(share, "cause") }
                <span class="op-value">{ n.to_string() }</span>
            </div>
        }
    });
    html! {
        <div class="breakdown causes" data-testid="failure-causes" role="group" aria-label="Failures by cause">
            <span class="readout-label">{ "Failures by cause" }</span>
            { for rows }
            <span class="failed-latency" data-testid="failed-latency" data-value={failed_p99_ms.to_string()}>{
                format!("answered in p50 {}, p99 {}", format::ms_or_zero(failed_p50_ms), format::ms_or_zero(failed_p99_ms))
            }</span>
        </div>
    }
}

/// A horizontal bar filled to `share` (0..1).
fn meter(share: f64, class: &'static str) -> Html {
    let pct = (share.clamp(0.0, 1.0) * 100.0).to_string();
    html! {
        <span class={classes!("meter", class)} aria-hidden="true">
            <span class="meter-fill" style={format!("width: {pct}%")} />
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::report::Latency;

    fn op(name: &str, ok: u64, failed: u64, p99: f64) -> OpReport {
        OpReport {
            name: name.into(),
            ok,
            failed,
            latency_ms: Latency { p99, ..Latency::default() },
            ..OpReport::default()
        }
    }

    #[test]
    fn an_operations_success_is_its_answered_share() {
        let o = OpLine::of(&op("orders", 3, 1, 1060.0));
        assert_eq!((o.done, o.success), (4, 0.75));
        assert_eq!(o.text(), "75.0% ok · p99 1.06 s");
        assert_eq!(OpLine::of(&op("idle", 0, 0, 0.0)).text(), "–");
    }

    #[test]
    fn a_client_lists_the_operations_of_its_workloads_only_when_there_are_several() {
        let doc: Scenario =
            serde_json::from_str(include_str!("../../../assets/scenarios/cascade-before.json")).unwrap();
        let ops = [op("catalog", 5, 0, 10.0), op("orders", 1, 4, 900.0)];
        let lines = client_ops(&doc, "users", &ops);
        assert_eq!(lines.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["orders", "catalog"]);
        assert_eq!(lines[0].success, 0.2);
        assert!(client_ops(&doc, "a", &ops).is_empty(), "not a client");
    }
}
