//! The human-readable report: the live numbers the playground shows at the
//! current simulated time, then the whole-run totals.

use faultline_sim::Sim;
use std::fmt::Write;

pub fn text_report(sim: &Sim) -> String {
    let view = sim.view();
    let report = sim.report();
    let mut out = String::new();
    let _ = writeln!(out, "{}  (seed {}, t = {:.3} s)", report.scenario, report.seed, view.now_ms / 1e3);
    let _ = writeln!(out);
    let _ =
        writeln!(out, "{:<16} {:>12} {:>10} {:>10} {:>10}", "node", "throughput/s", "in flight", "p50 ms", "p99 ms");
    for (spec, n) in sim.scenario().nodes.iter().zip(&view.nodes) {
        let _ = writeln!(
            out,
            "{:<16} {:>12.1} {:>10} {:>10.3} {:>10.3}",
            spec.id, n.live.throughput_rps, n.live.in_flight, n.live.p50_ms, n.live.p99_ms
        );
    }
    let r = &report.requests;
    let f = &r.failed;
    let reasons: Vec<String> =
        f.by_cause().iter().filter(|(_, n)| *n > 0).map(|(name, n)| format!("{name} {n}")).collect();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "requests: {} generated, {} ok ({} degraded), {} failed{}, {} in flight",
        r.generated,
        r.ok,
        r.degraded,
        f.total,
        if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join(", ")) },
        r.in_flight
    );
    let _ = writeln!(out, "retries: {}  duplicates: {}  deduplicated: {}", r.retries, r.duplicates, r.deduplicated);
    let l = &report.latency_ms;
    let _ = writeln!(
        out,
        "latency ms: mean {:.3}  p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}",
        l.mean, l.p50, l.p90, l.p99, l.p999, l.max
    );
    let _ = writeln!(out, "events: {}  trace_hash: {}", report.events, report.trace_hash);
    out
}
