//! The human-readable report: the live numbers the playground shows at the
//! current simulated time, then the whole-run totals. Latency columns are of
//! successful calls; "failed" ones are of failed calls ("-" when none failed).
//! Caches, if any, get a table of their hits and misses.

use faultline_sim::Sim;
use std::fmt::Write;

pub fn text_report(sim: &Sim) -> String {
    let view = sim.view();
    let report = sim.report();
    let mut out = String::new();
    let _ = writeln!(out, "{}  (seed {}, t = {:.3} s)", report.scenario, report.seed, view.now_ms / 1e3);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<16} {:>12} {:>10} {:>10} {:>10} {:>9} {:>14}",
        "node", "throughput/s", "in flight", "p50 ms", "p99 ms", "errors %", "failed p99 ms"
    );
    for (spec, n) in sim.scenario().nodes.iter().zip(&view.nodes) {
        let l = &n.live;
        let _ = writeln!(
            out,
            "{:<16} {:>12.1} {:>10} {:>10.3} {:>10.3} {:>9.1} {:>14}",
            spec.id,
            l.throughput_rps,
            l.in_flight,
            l.p50_ms,
            l.p99_ms,
            l.error_rate * 100.0,
            failed_ms(l.error_rate > 0.0, l.failed_p99_ms)
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
    let latency = |out: &mut String, what: &str, l: &faultline_sim::report::Latency| {
        let _ = writeln!(
            out,
            "latency ms, {what}: mean {:.3}  p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}",
            l.mean, l.p50, l.p90, l.p99, l.p999, l.max
        );
    };
    latency(&mut out, "ok", &report.latency_ms);
    if f.total > 0 {
        latency(&mut out, "failed", &report.failed_latency_ms);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<16} {:>10} {:>10} {:>10} {:>10} {:>14}",
        "operation", "ok", "failed", "p50 ms", "p99 ms", "failed p99 ms"
    );
    for o in &report.ops {
        let _ = writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10.3} {:>10.3} {:>14}",
            o.name,
            o.ok,
            o.failed,
            o.latency_ms.p50,
            o.latency_ms.p99,
            failed_ms(o.failed > 0, o.failed_latency_ms.p99)
        );
    }
    shards(&mut out, &report);
    let caches: Vec<_> = report.nodes.iter().filter_map(|n| n.cache.as_ref().map(|c| (&n.id, c))).collect();
    if !caches.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "cache", "hit ratio", "hits", "misses", "expired", "evictions", "fetches", "coalesced", "stale"
        );
        for (id, c) in caches {
            let _ = writeln!(
                out,
                "{:<16} {:>10.4} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
                id, c.hit_ratio, c.hits, c.misses, c.expired, c.evictions, c.fetches, c.coalesced, c.stale_reads
            );
        }
    }
    let _ = writeln!(out, "events: {}  trace_hash: {}", report.events, report.trace_hash);
    out
}

/// Each sharded database's load over its shards, and its reshards.
fn shards(out: &mut String, report: &faultline_sim::Report) {
    for n in &report.nodes {
        let Some(sh) = &n.shards else { continue };
        let scheme = serde_json::to_value(sh.partitioning).ok().and_then(|v| v.as_str().map(String::from));
        let arrivals: Vec<String> = sh.arrivals.iter().map(u64::to_string).collect();
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "shards of {}: {} ({}), max/mean load {:.2} (hottest: shard {})",
            n.id,
            sh.count,
            scheme.unwrap_or_default(),
            sh.max_mean_ratio,
            sh.hottest
        );
        let _ = writeln!(out, "  queries per shard: {}", arrivals.join(" "));
        if let Some(moved) = sh.moved_keys {
            let _ = writeln!(
                out,
                "  reshards: {}, the last moved {:.1}% of the keys; {} queries paid the migration penalty",
                sh.reshards,
                moved * 100.0,
                sh.migrated_queries
            );
        }
    }
}

/// A failures' latency, or "-" when there were none.
fn failed_ms(any: bool, ms: f64) -> String {
    if any {
        format!("{ms:.3}")
    } else {
        "-".into()
    }
}
