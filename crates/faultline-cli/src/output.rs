//! The human-readable report: each node over the whole run, then the live
//! numbers the playground shows at the current simulated time (the last
//! closed second), then the run's totals. Both node tables say which they
//! are: a finished run's last second is not its story (an M/M/1 run at rho
//! 0.9 shows a p99 of 128 ms in its last second and 483 ms over the run).
//! Latency columns are of successful calls; "failed" ones are of failed
//! calls ("-" when none failed). Caches, if any, get a table of their hits
//! and misses.

use faultline_sim::Sim;
use std::fmt::Write;

pub fn text_report(sim: &Sim) -> String {
    let view = sim.view();
    let report = sim.report();
    let mut out = String::new();
    let t_s = view.now_ms / 1e3;
    let _ = writeln!(out, "{}  (seed {}, t = {t_s:.3} s)", report.scenario, report.seed);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "over the run, 0 to {t_s:.3} s (busy: share of workers or connections; in system: mean calls at the node)"
    );
    let _ = writeln!(
        out,
        "{:<16} {:>12} {:>7} {:>10} {:>10} {:>10} {:>9} {:>14}",
        "node", "throughput/s", "busy %", "in system", "p50 ms", "p99 ms", "errors %", "failed p99 ms"
    );
    for (spec, n) in sim.scenario().nodes.iter().zip(&report.nodes) {
        let done = n.ok + n.failed.total;
        let busy = if n.utilisation > 0.0 { format!("{:.1}", n.utilisation * 100.0) } else { "-".into() };
        let _ = writeln!(
            out,
            "{:<16} {:>12.1} {:>7} {:>10.3} {:>10.3} {:>10.3} {:>9.1} {:>14}",
            spec.id,
            n.throughput_rps,
            busy,
            n.mean_in_system,
            n.latency_ms.p50,
            n.latency_ms.p99,
            if done == 0 { 0.0 } else { n.failed.total as f64 * 100.0 / done as f64 },
            failed_ms(n.failed.total > 0, n.failed_latency_ms.p99)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "now, the last closed second at t = {t_s:.3} s (as the playground shows it)");
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
    let _ = writeln!(
        out,
        "cost: {:.4} for {:.1} instance-seconds ({:.3} instance-hours)",
        report.cost,
        report.instance_seconds,
        report.instance_seconds / 3_600.0
    );
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
    pools(&mut out, &report);
    let caches: Vec<_> = report.nodes.iter().filter_map(|n| n.cache.as_ref().map(|c| (&n.id, c))).collect();
    if !caches.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "cache", "hit ratio", "hits", "misses", "expired", "evictions", "fetches", "coalesced", "stale"
        );
        for (id, c) in caches {
            let (ratio, c) = (c.hit_ratio, &c.stats);
            let _ = writeln!(
                out,
                "{:<16} {:>10.4} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
                id, ratio, c.hits, c.misses, c.expired, c.evictions, c.fetches, c.coalesced, c.stale_reads
            );
        }
    }
    stores(&mut out, &report);
    replicated(&mut out, &report);
    logs(&mut out, &report);
    fanouts(&mut out, &report);
    let _ = writeln!(out, "events: {}  trace_hash: {}", report.events, report.trace_hash);
    out
}

/// Each replicated store's consistency and availability counters.
fn stores(out: &mut String, report: &faultline_sim::Report) {
    for n in &report.nodes {
        let Some(st) = &n.store else { continue };
        let _ = writeln!(out);
        let quorums =
            if st.mode == "ap" { format!(", R={} W={}", st.read_quorum, st.write_quorum) } else { String::new() };
        let leader = st.leader.map_or("none".to_string(), |l| format!("{}/{l}", n.id));
        let _ = writeln!(
            out,
            "store {} ({}, {} of {} replicas up{quorums}; leader {leader}, term {})",
            n.id, st.mode, st.replicas_up, st.replicas, st.term
        );
        let _ = writeln!(
            out,
            "  reads {}  writes {}  stale reads {}  unavailable {}  conflicts {}  lost writes {}  violations {}",
            st.reads, st.writes, st.stale_reads, st.unavailable, st.conflicts, st.lost_writes, st.violations
        );
        if st.hints_stored > 0 {
            let _ =
                writeln!(out, "  hinted handoff: {} hints stored, {} delivered", st.hints_stored, st.hints_delivered);
        }
        if st.money_lost > 0.0 {
            let _ = writeln!(out, "  money lost to stale reads: {:.2}", st.money_lost);
        }
        // The checker's verdict, its counterexample indented under it.
        let _ = writeln!(out, "  history: {}", st.linearizability.replace('\n', "\n  "));
    }
}

/// Each database with replicas: where reads went, stale reads, read-your-writes
/// violations and failovers.
fn replicated(out: &mut String, report: &faultline_sim::Report) {
    for n in &report.nodes {
        let Some(r) = &n.replication else { continue };
        let _ = writeln!(out);
        let primary = r.primary.map_or("none (failing over)".to_string(), |p| format!("member {p}"));
        let _ = writeln!(
            out,
            "database {} ({} replicas, {} up; reads {}; primary {primary})",
            n.id, r.replicas, r.replicas_up, r.read_routing
        );
        let by_member: Vec<String> = r.stale_reads_by_member.iter().map(u64::to_string).collect();
        let _ = writeln!(
            out,
            "  reads primary {}  replicas {}  stale reads {} (by member {})  read-your-writes violations {}",
            r.reads_primary,
            r.reads_replicas,
            r.stale_reads,
            by_member.join("/"),
            r.ryw_violations
        );
        let _ = writeln!(
            out,
            "  lag mean {:.1} ms  p99 {:.1} ms  failovers {}  lost writes {}  writes refused {}",
            r.lag_mean_ms, r.lag_p99_ms, r.failovers, r.lost_writes, r.writes_refused
        );
    }
}

/// Each database that fans posts out by key: pushed and pulled posts, and
/// what they cost in writes and reads.
fn fanouts(out: &mut String, report: &faultline_sim::Report) {
    for n in &report.nodes {
        let Some(f) = &n.fanout else { continue };
        let threshold =
            f.pull_above_followers.map_or("push every post".to_string(), |t| format!("pull above {t} followers"));
        let per = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let _ = writeln!(out);
        let _ = writeln!(out, "fan-out at {} ({threshold})", n.id);
        let _ = writeln!(
            out,
            "  posts pushed {} in {} timeline writes ({:.2} a post), posts pulled {}, widest {} queries",
            f.posts_pushed,
            f.timeline_writes,
            per(f.timeline_writes, f.posts_pushed),
            f.posts_pulled,
            f.widest
        );
        let _ = writeln!(
            out,
            "  timeline reads {} with {} pulled queries ({:.2} a read)",
            f.reads,
            f.pulled_queries,
            per(f.pulled_queries, f.reads)
        );
    }
}

/// Each event log's books and checkers.
fn logs(out: &mut String, report: &faultline_sim::Report) {
    for n in &report.nodes {
        let Some(l) = &n.log else { continue };
        let lag: Vec<String> = l.partition_lag.iter().map(u64::to_string).collect();
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "log {}: published {}, processed {}, in flight {}, lost {}, rejected {}, dead-lettered {}",
            n.id, l.published, l.processed, l.in_flight, l.lost, l.rejected, l.dead_lettered
        );
        let _ = writeln!(
            out,
            "  phantom deductions {}, order violations {}, duplicates processed {}, appended out of order {}",
            l.phantom_deductions, l.order_violations, l.duplicates_processed, l.append_reorders
        );
        let _ = writeln!(
            out,
            "  delivered {}, skipped as processed {}, rebalances {}, lag {} ({}), publish to processing p50 {:.3} ms p99 {:.3} ms",
            l.delivered,
            l.deduplicated,
            l.rebalances,
            l.lag,
            lag.join(" "),
            l.end_to_end_ms.p50,
            l.end_to_end_ms.p99
        );
        if let Some(s) = &l.source {
            let _ = if s.outbox {
                writeln!(
                    out,
                    "  outbox in {}: {} writes committed, {} relayed, {} waiting for the relay",
                    s.database, s.committed, s.relayed, s.waiting
                )
            } else {
                writeln!(
                    out,
                    "  dual write with {}: {} writes committed, {} never published (lost), {} publishes on their way",
                    s.database, s.committed, s.unpublished, s.waiting
                )
            };
        }
    }
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

/// Each service's instances and each database's connections, when pools are in play.
fn pools(out: &mut String, report: &faultline_sim::Report) {
    for n in &report.nodes {
        if let Some(i) = &n.instances {
            let rollout = match (i.deploys, i.rollout_done_ms) {
                (0, _) => String::new(),
                (_, Some(t)) => format!(", rollout done at {:.1} s", t as f64 / 1e3),
                (_, None) => ", rollout not finished (stalled)".into(),
            };
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "instances of {}: {} ready of {} (at most {} alive), {} failed starts, {} restarts{rollout}",
                n.id, i.ready, i.instances, i.peak_alive, i.failed_starts, i.restarts
            );
            let _ = writeln!(
                out,
                "  connections: peak {} held, {} refused, {} calls timed out waiting for one",
                i.peak_connections, i.refused_connections, i.acquire_timeouts
            );
        }
        if let Some(a) = &n.autoscale {
            let changes: Vec<String> = a.changes.iter().map(|(t, r)| format!("{r} at {:.0} s", t / 1e3)).collect();
            let _ = writeln!(
                out,
                "  autoscaler: {} to {} instances at {:.0}% target; asks for {} (at most {}), {} scale-ups, {} scale-downs{}",
                a.min_instances,
                a.max_instances,
                a.target_utilisation * 100.0,
                a.desired,
                a.peak_desired,
                a.scale_ups,
                a.scale_downs,
                if changes.is_empty() { String::new() } else { format!(": {}", changes.join(", ")) }
            );
        }
        if let (Some(seconds), Some(cost)) = (n.instance_seconds, n.cost) {
            if n.instances.is_some() {
                let _ = writeln!(out, "  cost: {cost:.4} for {seconds:.1} instance-seconds");
            }
        }
        if let Some(spilled) = n.spilled {
            let _ = writeln!(out);
            let share = if n.arrivals == 0 { 0.0 } else { spilled as f64 / n.arrivals as f64 * 100.0 };
            let _ = writeln!(
                out,
                "balancer {}: {spilled} calls ({share:.1}% of {}) sent past their key's own backend by the load bound",
                n.id, n.arrivals
            );
        }
        if let Some(p) = &n.pooler {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "pooler {}: {} client connections at most ({} refused) on {} server connections; {} queries waited, {} past query_wait_timeout",
                n.id, p.client_connections_peak, p.client_connections_refused, p.server_connections_peak, p.waited, p.wait_timeouts
            );
        }
        if let Some(c) = &n.connections {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "connections to {}: peak {} of {}, {} open at the end, {} opened, {} refused (too many clients)",
                n.id, c.peak, c.limit, c.open, c.opened, c.refused
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
