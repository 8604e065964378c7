//! Read replicas of a database: stale reads against the lag's survival
//! function, read-your-writes routing, failover's lost writes and timing,
//! and validation.
//!
//! The designs are deterministic except for the lag: constant arrivals,
//! constant links and query times, no contention (`saturation` 0), so a
//! read is served exactly t after the write it reads was committed, and
//! whether it is stale is whether that write's lag exceeded t.

use faultline_sim::journal::Draw;
use faultline_sim::report::ReplicationReport;
use faultline_sim::scenario::Scenario;
use faultline_sim::Sim;
use serde_json::{json, Value};

const RATE: f64 = 1_000.0;

/// A writer client and a reader, each 1,000 req/s with sequential keys from
/// 0, so the reader's n-th read is of the writer's n-th write. The writer
/// talks to the database directly; the reader goes through `reader` (its own
/// client, or the writer itself: one session) via a service whose constant
/// work of `delay_ms` makes each read reach the database `delay_ms` after
/// the write of its key. Queries take 0.5 ms.
fn design(db: Value, same_session: bool, delay_ms: f64, duration_ms: u64) -> Scenario {
    let mut db = db;
    db["type"] = json!("database");
    db["max_connections"] = json!(10_000);
    db["queue_capacity"] = json!(0);
    db["query_time"] = json!({ "type": "constant", "ms": 0.5 });
    db["saturation"] = json!(0.0);
    let zero = json!({ "type": "constant", "ms": 0.0 });
    let reader = if same_session { "writer" } else { "reader" };
    let mut nodes = vec![
        json!({ "id": "writer", "kind": { "type": "client" } }),
        json!({ "id": "api", "kind": { "type": "service", "workers": 10_000, "queue_capacity": 0,
            "service_time": { "type": "constant", "ms": delay_ms }, "calls": [{ "to": "db" }] } }),
        json!({ "id": "db", "kind": db }),
    ];
    if !same_session {
        nodes.push(json!({ "id": "reader", "kind": { "type": "client" } }));
    }
    serde_json::from_value(json!({
        "version": 1, "seed": 11, "duration_ms": duration_ms,
        "nodes": nodes,
        "edges": [
            { "from": "writer", "to": "db", "latency": zero, "timeout_ms": null },
            { "from": reader, "to": "api", "latency": zero, "timeout_ms": null },
            { "from": "api", "to": "db", "latency": zero, "timeout_ms": null }
        ],
        "workloads": [
            { "id": "writes", "client": "writer", "target": "db", "arrival": { "type": "constant", "rate_rps": RATE },
              "keys": { "type": "sequential", "start": 0 }, "ops": [{ "name": "update", "method": "PUT" }] },
            { "id": "reads", "client": reader, "target": "api", "arrival": { "type": "constant", "rate_rps": RATE },
              "keys": { "type": "sequential", "start": 0 }, "ops": [{ "name": "view", "method": "GET" }] }
        ]
    }))
    .unwrap()
}

fn run(s: &Scenario) -> (ReplicationReport, Sim) {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    assert!(sim.totals().balanced());
    sim.audit().unwrap();
    let r = sim.report().nodes.iter().find(|n| n.id == "db").unwrap().replication.clone().unwrap();
    (r, sim)
}

/// |measured - p| within `z` binomial standard deviations of n trials.
fn within(measured: f64, p: f64, n: u64, z: f64) -> bool {
    (measured - p).abs() <= z * (p * (1.0 - p) / n as f64).sqrt()
}

#[test]
fn a_replica_read_t_after_a_write_is_stale_with_probability_exp_minus_t_over_l() {
    // Exponential lag of mean L = 20 ms; reads t after the write of their
    // key, about 20,000 of them at each t: the stale share is the lag's
    // survival function exp(-t/L) at every t, within 4.5 standard
    // deviations of the binomial (about 0.016 at worst).
    let l = 20.0;
    for t in [0.5 * l, l, 2.0 * l, 3.0 * l] {
        let db = json!({ "replicas": 1, "read_routing": "any_replica",
                         "replica_lag": { "type": "exponential", "mean_ms": l } });
        let (r, _) = run(&design(db, false, t, 20_000));
        let p = libm::exp(-t / l);
        let measured = r.stale_reads as f64 / r.reads_replicas as f64;
        eprintln!("t = {t} ms: stale {measured:.4} of {} reads, exp(-t/L) = {p:.4}", r.reads_replicas);
        assert!(r.reads_replicas > 19_000 && r.reads_primary == 0, "{r:?}");
        assert!(within(measured, p, r.reads_replicas, 4.5), "t = {t}: {measured} vs {p}");
        assert_eq!(r.ryw_violations, 0, "the reader never wrote: stale, but no violation");
        assert_eq!(r.stale_reads_by_member, vec![0, r.stale_reads]);
    }
}

#[test]
fn read_your_writes_routing_removes_the_violations_any_replica_has() {
    // One session writes each key and reads it 20 ms later. From a replica
    // (lag mean 20 ms) the read misses its own write with probability
    // exp(-1): the count is binomial(n, e^-1). Routed to the primary for a
    // 1 s window after the write, none does, and no read is stale; with a
    // 5 ms window (shorter than the delay) the reads go back to the
    // replica and the violations come back.
    let lag = json!({ "type": "exponential", "mean_ms": 20.0 });
    let any = json!({ "replicas": 2, "read_routing": "any_replica", "replica_lag": lag });
    let (r, _) = run(&design(any, true, 20.0, 20_000));
    let p = libm::exp(-1.0);
    let share = r.ryw_violations as f64 / r.reads_replicas as f64;
    eprintln!("any_replica: {} violations of {} reads ({share:.4}; e^-1 = {p:.4})", r.ryw_violations, r.reads_replicas);
    assert!(within(share, p, r.reads_replicas, 4.5), "{share} vs {p}");
    assert_eq!(r.ryw_violations, r.stale_reads, "every stale read here is of the reader's own write");
    let per: Vec<u64> = r.reads_by_member.clone();
    assert!(per[0] == 0 && per[1].abs_diff(per[2]) <= 1, "round robin over the two replicas: {per:?}");

    let ryw = json!({ "replicas": 2, "read_routing": "read_your_writes", "ryw_window_ms": 1_000, "replica_lag": lag });
    let (r, _) = run(&design(ryw, true, 20.0, 20_000));
    eprintln!(
        "read_your_writes: {} violations, {} stale, {} reads at the primary",
        r.ryw_violations, r.stale_reads, r.reads_primary
    );
    assert_eq!((r.ryw_violations, r.stale_reads, r.reads_replicas), (0, 0, 0));

    let short = json!({ "replicas": 2, "read_routing": "read_your_writes", "ryw_window_ms": 5, "replica_lag": lag });
    let (r, _) = run(&design(short, true, 20.0, 20_000));
    let share = r.ryw_violations as f64 / r.reads_replicas as f64;
    assert!(within(share, p, r.reads_replicas, 4.5), "a window shorter than the delay: {share} vs {p}");
}

#[test]
fn a_lag_fault_adds_its_milliseconds_while_it_lasts() {
    // Constant lag 5 ms, reads 20 ms after the write: never stale, except
    // for writes committed while a +30 ms lag fault is in force (2 s of
    // them: 2,000 writes at 1,000/s), every one of whose reads is.
    let mut s = design(
        json!({ "replicas": 1, "read_routing": "any_replica", "replica_lag": { "type": "constant", "ms": 5.0 } }),
        false,
        20.0,
        10_000,
    );
    s.faults = serde_json::from_value(json!([
        { "at_ms": 3_000, "duration_ms": 2_000, "action": { "type": "replica_lag", "node": "db", "add_ms": 30.0 } }
    ]))
    .unwrap();
    let (r, _) = run(&s);
    assert_eq!(r.stale_reads, 2_000, "{r:?}");
}

#[test]
fn lag_grows_with_the_replicas_load() {
    // The same writes with the replica idle (reads of 0.5 ms on 8
    // connections at 1,000/s: at most one busy when a write commits) and
    // saturated (reads of 5 ms, stretched by their own contention until all
    // 8 connections are busy and a queue forms): the lag is stretched by
    // 1 + saturation x utilisation², 1 + 1/64 and 2.
    let with = |reads_ms: f64, saturation: f64| {
        let mut s = design(
            json!({ "replicas": 1, "read_routing": "any_replica", "max_connections": 8,
                    "replica_lag": { "type": "constant", "ms": 10.0 } }),
            false,
            20.0,
            10_000,
        );
        let faultline_sim::scenario::NodeKind::Database(db) = &mut s.nodes[2].kind else { panic!() };
        db.max_connections = 8;
        db.queue_capacity = 10_000;
        db.saturation = saturation;
        db.query_time = faultline_sim::Dist::constant(reads_ms);
        run(&s).0.lag_mean_ms
    };
    let idle = with(0.5, 1.0);
    let busy = with(5.0, 1.0);
    eprintln!("lag mean: idle replica {idle:.2} ms, busy {busy:.2} ms");
    assert!((idle - 10.0).abs() <= 10.0 / 64.0 + 1e-9, "idle {idle}");
    assert!((busy - 20.0).abs() < 0.2, "saturated {busy}");
    assert_eq!(with(5.0, 0.0), 10.0, "no contention, no stretch");
}

#[test]
fn failover_loses_exactly_the_unreplicated_writes_and_refuses_writes_meanwhile() {
    // Constant lag 50 ms, two replicas; the primary fails at 5 s. The
    // writes committed in the 50 ms before never left it: the new primary
    // lacks them. Writes arriving in the 1.5 s of detection + promotion are
    // refused. Both counted here from the recorded arrivals, independently
    // of the engine's books.
    let (fail_ms, lag_ms, detect_ms, promote_ms) = (5_000u64, 50.0, 1_000u64, 500u64);
    let mut s = design(
        json!({ "replicas": 2, "read_routing": "any_replica", "replica_lag": { "type": "constant", "ms": lag_ms },
                "failover_detection_ms": detect_ms, "promotion_ms": promote_ms }),
        false,
        20.0,
        10_000,
    );
    s.faults = serde_json::from_value(json!([
        { "at_ms": fail_ms, "duration_ms": 3_000, "action": { "type": "fail_primary", "node": "db" } }
    ]))
    .unwrap();
    let mut sim = Sim::new(&s).unwrap();
    sim.record_draws(true);
    sim.run();
    sim.audit().unwrap();
    let writes: Vec<f64> = sim
        .draws()
        .iter()
        .filter_map(|d| match *d {
            Draw::Arrival { workload: 0, at_us, .. } => Some(at_us as f64 / 1_000.0),
            _ => None,
        })
        .collect();
    let fail = fail_ms as f64;
    // Committed 0.5 ms after arriving; lost if committed before the failure
    // but less than the lag before it.
    let lost = writes.iter().filter(|&&a| a + 0.5 < fail && a + 0.5 > fail - lag_ms).count() as u64;
    let back = fail + (detect_ms + promote_ms) as f64;
    let refused = writes.iter().filter(|&&a| a >= fail && a < back).count() as u64;
    let r = sim.report().nodes.iter().find(|n| n.id == "db").unwrap().replication.clone().unwrap();
    eprintln!("lost {} (counted {lost}), refused {} (counted {refused}), {r:?}", r.lost_writes, r.writes_refused);
    assert_eq!(lost, 50);
    assert_eq!(r.lost_writes, lost);
    assert_eq!(r.writes_refused, refused);
    assert_eq!(refused, 1_500);
    let writer = sim.report().nodes.iter().find(|n| n.id == "writer").unwrap().failed.clone();
    assert_eq!(writer.refused, refused, "and only those failed");
    assert_eq!((r.failovers, r.primary, r.replicas_up), (1, Some(1), 2), "the old primary rejoined as a replica");
    // Reads went on from the replicas throughout.
    let reader = sim.report().nodes.iter().find(|n| n.id == "reader").unwrap().failed.clone();
    assert_eq!(reader.refused, 0);
}

#[test]
fn no_replicas_is_the_lone_primary_bit_for_bit() {
    // `replicas: 0` written out is the default document: the same run.
    let plain = design(json!({}), false, 20.0, 5_000);
    let zero = design(json!({ "replicas": 0 }), false, 20.0, 5_000);
    assert_eq!(plain, zero);
    let (mut a, mut b) = (Sim::new(&plain).unwrap(), Sim::new(&zero).unwrap());
    a.run();
    b.run();
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert!(a.report().nodes.iter().all(|n| n.replication.is_none()));
}

#[test]
fn absurd_replication_settings_are_refused_by_name() {
    let bad = |db: Value, faults: Value| {
        let mut s = design(db, false, 20.0, 1_000);
        s.faults = serde_json::from_value(faults).unwrap();
        s.validate().unwrap_err().to_string()
    };
    let none = json!([]);
    assert!(bad(json!({ "replicas": 17 }), none.clone()).contains("nodes[2].kind.replicas"));
    assert!(bad(json!({ "replicas": 1, "shards": 2 }), none.clone()).contains("cannot have replicas"));
    assert!(bad(json!({ "replicas": 1, "ryw_window_ms": 1_000_000_000u64 }), none.clone())
        .contains("nodes[2].kind.ryw_window_ms"));
    assert!(
        bad(json!({ "replicas": 1, "failover_detection_ms": 700_000 }), none.clone()).contains("failover_detection_ms")
    );
    assert!(bad(json!({ "replicas": 1, "replica_lag": { "type": "exponential", "mean_ms": -5.0 } }), none.clone())
        .contains("nodes[2].kind.replica_lag"));
    assert!(bad(json!({ "read_routing": "any_replica" }), none.clone()).contains("nodes[2].kind.read_routing"));
    let fail = json!([{ "at_ms": 1, "action": { "type": "fail_primary", "node": "db" } }]);
    assert!(bad(json!({}), fail).contains("has no replicas"));
    let lag = json!([{ "at_ms": 1, "action": { "type": "replica_lag", "node": "db", "add_ms": -1.0 } }]);
    assert!(bad(json!({ "replicas": 1 }), lag).contains("faults[0].action.add_ms"));
}

#[test]
fn the_books_balance_at_every_step_through_failovers_restarts_and_lag_faults() {
    // Busy replicas (queues form), two failovers, a restart before the
    // second promotion and a lag fault: every in-flight counter and pool
    // matches the live calls at every 50 ms, and nothing is lost twice.
    let mut s = design(
        json!({ "replicas": 2, "read_routing": "read_your_writes", "ryw_window_ms": 30,
                "replica_lag": { "type": "exponential", "mean_ms": 40.0 },
                "failover_detection_ms": 300, "promotion_ms": 200 }),
        true,
        20.0,
        6_000,
    );
    let faultline_sim::scenario::NodeKind::Database(db) = &mut s.nodes[2].kind else { panic!() };
    db.max_connections = 2;
    db.queue_capacity = 5;
    db.query_time = faultline_sim::Dist::exponential(0.9);
    s.faults = serde_json::from_value(json!([
        { "at_ms": 1_000, "duration_ms": 1_500, "action": { "type": "fail_primary", "node": "db" } },
        { "at_ms": 1_200, "duration_ms": 2_000, "action": { "type": "replica_lag", "node": "db", "add_ms": 80.0 } },
        { "at_ms": 3_000, "action": { "type": "fail_primary", "node": "db" } },
        { "at_ms": 3_100, "action": { "type": "restart", "node": "db" } }
    ]))
    .unwrap();
    let mut sim = Sim::new(&s).unwrap();
    let mut t = 0;
    while !sim.is_finished() {
        t += 50;
        sim.step_until(faultline_sim::SimTime::from_millis(t));
        sim.audit().unwrap_or_else(|e| panic!("at {t} ms: {e}"));
    }
    let r = sim.report().nodes.iter().find(|n| n.id == "db").unwrap().replication.clone().unwrap();
    eprintln!("{r:?}");
    assert_eq!(r.failovers, 2);
    assert_eq!(r.replicas_up, 2, "both failed primaries rejoined");
    assert!(r.writes_refused >= 2 * 450, "two windows of 500 ms at 1,000 writes/s: {}", r.writes_refused);
}
