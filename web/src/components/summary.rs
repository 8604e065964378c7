//! Whole-system numbers: what the users (the clients) experience right now
//! (the last simulated second) and over the run so far. Latencies are of
//! successful requests; the failed ones' is given with the failures. The run
//! so far is also broken down per operation and by cause (see `breakdown`).

use super::breakdown::{cause_bars, op_table};
use super::Readout;
use crate::format;
use faultline_sim::report::RunSummary;
use faultline_sim::SimView;
use std::rc::Rc;
use yew::prelude::*;

/// What the latency readouts are of.
const OF_SUCCESSES: &str = "Of the requests that succeeded (ok or fallback) in the last simulated second";

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub view: Rc<SimView>,
    /// The run so far, refreshed about once per simulated second (`None`
    /// until the engine has reported it, and while the design cannot run).
    pub report: Option<Rc<RunSummary>>,
}

#[component]
pub fn Summary(props: &SummaryProps) -> Html {
    // The run so far folds away (see `fold`), and starts folded: on a
    // 1280x720 screen the canvas needs its height more (the cards and the
    // charts carry the live numbers; the totals are one press away).
    let (open, toggle) = super::fold::use_fold("summary", false);
    let v = &props.view;
    let o = &v.overall;
    let now = html! {
        <div class="summary-now">
            <Readout testid="metric-throughput" label="Throughput" value={o.throughput_rps} text={format::rate(o.throughput_rps)} />
            <Readout testid="metric-p50" label="p50 latency" value={o.p50_ms} text={format::ms(o.p50_ms)} title={OF_SUCCESSES} />
            <Readout testid="metric-p99" label="p99 latency" value={o.p99_ms} text={format::ms(o.p99_ms)} title={OF_SUCCESSES} />
            <Readout testid="metric-error-rate" label="Errors" value={o.error_rate} text={format::percent(o.error_rate)} />
            <Readout testid="metric-in-flight" label="In flight" value={o.in_flight as f64} text={o.in_flight.to_string()} />
            { super::fold::fold_button(open, toggle, html! { { "The run so far" } }, "fold-summary", "run-summary") }
        </div>
    };
    // Before the engine has reported (or while the design cannot run) the run
    // so far is empty; the section keeps its place so nothing jumps.
    let known = props.report.is_some();
    let report = props.report.as_deref().cloned().unwrap_or_default();
    let r = &report.requests;
    let done = r.ok + r.failed.total;
    let success = if done == 0 { 1.0 } else { r.ok as f64 / done as f64 };
    let f = &r.failed;
    // Calls refused by circuit breakers, on every link: a call refused inside
    // the system mostly reaches the users as some other failure (the service
    // answers 5xx, or a fallback), so their failures by cause would show
    // none while a breaker is busy refusing.
    let refused: u64 = v.breakers.iter().flatten().map(|b| b.short_circuited).sum();
    html! {
        <section class={classes!("summary", (!open).then_some("folded"))} aria-label="System metrics">
            { now }
            // Folded, it stays in the page (hidden): its numbers are still read.
            <div class="summary-run" id="run-summary" data-testid="run-summary" aria-label="The run so far" hidden={!open}
                data-trace={known.then(|| report.trace_hash.clone())} data-generated={r.generated.to_string()}
                data-ok={r.ok.to_string()} data-failed={r.failed.total.to_string()} data-time={report.sim_time_ms.to_string()}>
                <Readout testid="metric-requests" label="Requests" value={v.generated as f64}
                    text={format!("{} ok / {} failed", v.ok, v.failed)} />
                <Readout testid="metric-success" label="Success rate" value={success} text={format::percent(success)} />
                <Readout testid="metric-run-p99" label="Run p99" value={report.latency_ms.p99} text={format::ms(report.latency_ms.p99)}
                    title="Of the requests that succeeded so far (ok or fallback)" />
                <Readout testid="metric-retries" label="Retries" value={r.retries as f64} text={r.retries.to_string()} />
                <Readout testid="metric-duplicates" label="Duplicates" value={r.duplicates as f64} text={r.duplicates.to_string()} />
                <Readout testid="metric-short-circuited" label="Short-circuited" value={refused as f64} text={refused.to_string()}
                    title="Calls the circuit breakers refused so far, on every link" />
                <Readout testid="metric-degraded" label="Fallbacks" value={r.degraded as f64} text={r.degraded.to_string()} />
                <Readout testid="metric-cost" label="Cost" value={report.cost} text={format::money(report.cost)}
                    title={AttrValue::from(format!("{:.2} instance-hours so far, every service's instances (booting, ready, draining or \
                        backing off) at its price per instance-hour", report.instance_seconds / 3_600.0))} />
                { log_totals(v) }
                { op_table(&report.ops) }
                { cause_bars(f, report.failed_latency_ms.p50, report.failed_latency_ms.p99) }
            </div>
        </section>
    }
}

/// The event logs' checkers, summed over every log of the design (none: no
/// row): what the event-ordering incidents are about, beside the requests.
fn log_totals(v: &SimView) -> Html {
    let logs: Vec<_> = v.nodes.iter().filter_map(|n| n.log.as_ref()).collect();
    if logs.is_empty() {
        return html! {};
    }
    let sum = |f: fn(&faultline_sim::view::LogView) -> u64| logs.iter().map(|l| f(l)).sum::<u64>();
    let (dups, order, phantom, lost) =
        (sum(|l| l.duplicates_processed), sum(|l| l.order_violations), sum(|l| l.phantom_deductions), sum(|l| l.lost));
    html! {
        <div class="summary-log" data-testid="log-totals">
            <Readout testid="metric-log-duplicates" label="Processed twice" value={dups as f64} text={dups.to_string()}
                title="Events a consumer processed again (redelivered after a rebalance or a retry), every event log" />
            <Readout testid="metric-log-order" label="Out of order" value={order as f64} text={order.to_string()}
                title="Events processed after a later event of the same entity" />
            <Readout testid="metric-log-phantom" label="Phantom deductions" value={phantom as f64} text={phantom.to_string()}
                title="Stock decremented for an order whose payment was not (yet) processed" />
            <Readout testid="metric-log-lost" label="Events lost" value={lost as f64} text={lost.to_string()}
                title="Events acknowledged to the producer (or committed to its database) and never processed" />
        </div>
    }
}
