//! The event log (`"type": "log"`): ordering per partition under producer
//! retries, replays after a rebalance, idempotent and reordering consumers,
//! and its books at every step, under random fault timelines.
//!
//! Each property is checked against something counted by the test itself
//! (the records in the partitions, the processed count at the last commit
//! and at the end of the rebalance), not against the log's own counters only.

mod common;

use faultline_sim::nodes::log::group::GroupState;
use faultline_sim::nodes::LogRt;
use faultline_sim::{Scenario, Sim, SimTime};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Clients publish to the log `events`, consumed by the service `worker`.
/// `log` overrides the log's settings; `faults` is the timeline.
fn scenario(seed: u64, duration_ms: u64, rate: f64, log: Value, faults: Value) -> Scenario {
    let mut kind = json!({
        "type": "log", "partitions": 4, "consumers": 2,
        "produce_time": {"type": "exponential", "mean_ms": 2.0},
        "auto_commit_interval_ms": 3_600_000, "retry_backoff_ms": 20
    });
    for (k, v) in log.as_object().unwrap() {
        kind[k] = v.clone();
    }
    let doc = json!({
        "version": 1, "seed": seed, "duration_ms": duration_ms,
        "nodes": [
            {"id": "shop", "kind": {"type": "client"}},
            {"id": "events", "kind": kind},
            {"id": "worker", "kind": {"type": "service", "workers": 8, "queue_capacity": 100,
                "service_time": {"type": "exponential", "mean_ms": 3.0}}}
        ],
        "edges": [{"from": "shop", "to": "events"}, {"from": "events", "to": "worker", "timeout_ms": 500.0}],
        "workloads": [{"id": "load", "client": "shop", "target": "events",
            "arrival": {"type": "poisson", "rate_rps": rate},
            "keys": {"type": "uniform", "count": 40}}],
        "faults": faults
    });
    let s: Scenario = serde_json::from_value(doc).unwrap();
    s.validate().unwrap();
    s
}

fn log(sim: &Sim) -> &LogRt {
    common::log_at(sim, 1)
}

/// Appends of an entity's event after a later one of the same entity, in
/// the records the partitions hold (the test's own count).
fn reorders_in_partitions(l: &LogRt) -> u64 {
    let mut n = 0;
    for p in &l.partitions {
        let mut last: BTreeMap<u64, u32> = BTreeMap::new();
        for r in p.records() {
            let m = last.entry(r.ev.entity).or_insert(0);
            if r.ev.seq < *m {
                n += 1;
            }
            *m = (*m).max(r.ev.seq);
        }
    }
    n
}

/// A random fault timeline over the first 8 s: crashes, pauses and error
/// rates on the log and on its consumer.
fn timeline() -> impl Strategy<Value = Value> {
    let one = (0u64..8_000, 100u64..3_000, 0u8..5, prop::bool::ANY).prop_map(|(at, dur, what, on_log)| {
        let node = if on_log { "events" } else { "worker" };
        let action = match what {
            0 => json!({"type": "crash", "node": node}),
            1 => json!({"type": "pause", "node": node}),
            2 => json!({"type": "node_errors", "node": node, "rate": 0.3}),
            3 => json!({"type": "crash", "node": "worker"}),
            _ => json!({"type": "pause", "node": "worker"}),
        };
        json!({"at_ms": at, "duration_ms": dur, "action": action})
    });
    prop::collection::vec(one, 0..4).prop_map(Value::from)
}

const FLAKY: f64 = 0.15;

/// Produce requests slow enough that several would be in flight at once
/// on a partition (400 events/s over 4 partitions, 20 ms each).
fn slow_produce() -> Value {
    json!({"type": "exponential", "mean_ms": 20.0})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// One request in flight, or an idempotent producer: whatever the
    /// faults, no partition holds an entity's event after a later one.
    #[test]
    fn one_in_flight_or_idempotence_never_reorders_a_partition(
        seed in 0u64..1_000,
        idempotent in prop::bool::ANY,
        replicated in prop::bool::ANY,
        faults in timeline(),
    ) {
        let producer = if idempotent {
            json!({"idempotent": true, "acks": "all", "max_in_flight": 5})
        } else {
            json!({"max_in_flight": 1, "retries": 10})
        };
        let mut cfg = json!({"produce_error_rate": FLAKY, "ack_loss_rate": 0.05, "produce_time": slow_produce()});
        cfg.as_object_mut().unwrap().extend(producer.as_object().unwrap().clone());
        if replicated {
            // A crash of the log is then a leader failover, truncating what was not replicated.
            cfg["replicas"] = json!(3);
            cfg["replication_ms"] = json!(30);
        }
        let s = scenario(seed, 10_000, 400.0, cfg, faults);
        let mut sim = Sim::new(&s).unwrap();
        sim.run();
        let l = log(&sim);
        prop_assert!(l.books.published > 1_000);
        prop_assert_eq!(reorders_in_partitions(l), 0);
        prop_assert_eq!(l.append_reorders(), 0);
    }

    /// Idempotent consumers: whatever the timeline (consumer crashes and
    /// pauses past the session timeout, rebalances, lost acks making
    /// duplicate records), no side effect is applied twice.
    #[test]
    fn an_idempotent_consumer_never_applies_a_side_effect_twice(seed in 0u64..1_000, faults in timeline()) {
        let cfg = json!({"consumer": "idempotent", "produce_error_rate": FLAKY, "ack_loss_rate": 0.05,
            "auto_commit_interval_ms": 5_000, "session_timeout_ms": 1_000, "rebalance_ms": 500});
        let s = scenario(seed, 10_000, 200.0, cfg, faults);
        let mut sim = Sim::new(&s).unwrap();
        sim.run();
        prop_assert_eq!(log(&sim).books.duplicates_processed, 0);
    }

    /// A reorder buffer whose hold timeout exceeds the longest delay an
    /// event can have (its retries, the faults' outages): no entity's
    /// events are processed out of order, even though they are appended so.
    #[test]
    fn a_reorder_buffer_longer_than_any_delay_processes_in_order(seed in 0u64..1_000, faults in timeline()) {
        let cfg = json!({"max_in_flight": 5, "retries": 20, "produce_error_rate": FLAKY, "hold_timeout_ms": 60_000,
            "auto_commit_interval_ms": 2_000, "session_timeout_ms": 1_000, "rebalance_ms": 500});
        let s = scenario(seed, 10_000, 200.0, cfg, faults);
        let mut sim = Sim::new(&s).unwrap();
        sim.run();
        let l = log(&sim);
        prop_assert_eq!(l.books.order_violations, 0);
        // Outages can leave a backlog, but most events get through.
        prop_assert!(l.books.processed > 300);
    }

    /// Conservation: published = processed + dead-lettered + lost + rejected
    /// + in flight at every step, and every event without an outcome is at
    /// the producer or in the log past the committed offset (`Sim::audit`
    /// recounts both), whatever the settings and faults.
    #[test]
    fn every_event_is_accounted_for_at_every_step(
        seed in 0u64..1_000,
        acks in 0u8..3,
        consumer in 0u8..3,
        commit_after in prop::bool::ANY,
        replicated in prop::bool::ANY,
        faults in timeline(),
    ) {
        let acks = ["0", "1", "all"][usize::from(acks)];
        let mut cfg = json!({"acks": acks, "max_in_flight": 3, "retries": 1, "produce_error_rate": 0.2,
            "ack_loss_rate": 0.1, "session_timeout_ms": 1_000, "rebalance_ms": 300, "max_redeliveries": 2,
            "auto_commit_interval_ms": 700,
            "commit": if commit_after { "after_processing" } else { "auto" }});
        match consumer {
            1 => cfg["consumer"] = json!("idempotent"),
            2 => {
                cfg["hold_timeout_ms"] = json!(200);
                cfg["on_hold_timeout"] = json!("dead_letter");
            }
            _ => {}
        }
        if replicated {
            cfg["replicas"] = json!(3);
            cfg["min_insync_replicas"] = json!(2);
            cfg["replication_ms"] = json!(40);
        }
        let s = scenario(seed, 9_000, 150.0, cfg, faults);
        let mut sim = Sim::new(&s).unwrap();
        let mut t = 0;
        while !sim.is_finished() {
            t += 61_000;
            sim.step_until(SimTime(t));
            if let Err(e) = sim.audit() {
                prop_assert!(false, "at {} us: {}", t, e);
            }
        }
        let b = &log(&sim).books;
        prop_assert_eq!(b.published, b.processed + b.dead_lettered + b.lost + b.rejected + b.in_flight());
    }
}

/// More than one request in flight, retries and no idempotence: retried
/// events land behind later ones, and the log counts exactly the reorders
/// the partitions hold.
#[test]
fn in_flight_above_one_with_retries_reorders_and_counts_it() {
    let cfg = json!({"max_in_flight": 5, "retries": 10, "produce_error_rate": FLAKY, "produce_time": slow_produce()});
    let s = scenario(3, 10_000, 400.0, cfg, json!([]));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let l = log(&sim);
    let counted = reorders_in_partitions(l);
    eprintln!(
        "published {}, reorders counted in the partitions {counted}, by the log {}",
        l.books.published,
        l.append_reorders()
    );
    assert!(counted > 20, "reordering occurs: {counted}");
    assert_eq!(l.append_reorders(), counted);
    assert!(l.books.order_violations > 0, "and the consumer processes out of order");
}

/// A consumer crash shorter than the session timeout: when the consumer
/// is back it rejoins, the group rebalances, and every partition resumes
/// from its last committed offset. The duplicates processed are exactly
/// the events processed between the last commit and the end of the
/// rebalance (the test counts them by watching the commits and the group).
#[test]
fn a_rebalance_replays_exactly_what_was_processed_since_the_last_commit() {
    let cfg = json!({"auto_commit_interval_ms": 5_000, "session_timeout_ms": 3_000, "rebalance_ms": 1_000,
        "produce_time": {"type": "constant", "ms": 1.0}});
    let faults = json!([{"at_ms": 12_300, "duration_ms": 800, "action": {"type": "crash", "node": "worker"}}]);
    let s = scenario(5, 25_000, 100.0, cfg, faults);
    let mut sim = Sim::new(&s).unwrap();
    let committed = |sim: &Sim| -> u64 { log(sim).group.cursors.iter().map(|c| c.committed).sum() };
    let (mut last_commit, mut processed_at_commit, mut expected) = (0, 0, None);
    let mut rebalancing = false;
    let mut t = 0;
    while !sim.is_finished() {
        t += 1_000;
        sim.step_until(SimTime(t));
        let l = log(&sim);
        let c = committed(&sim);
        if c != last_commit && l.group.state == GroupState::Running {
            last_commit = c;
            processed_at_commit = l.books.processed;
        }
        match (rebalancing, l.group.state) {
            (false, GroupState::Rebalancing) => rebalancing = true,
            (true, GroupState::Running) => {
                rebalancing = false;
                expected = Some(l.books.processed - processed_at_commit);
            }
            _ => {}
        }
        sim.audit().unwrap();
    }
    let l = log(&sim);
    let expected = expected.expect("a rebalance happened");
    eprintln!(
        "rebalances {}, processed since the last commit {expected}, duplicates processed {}",
        l.group.rebalances, l.books.duplicates_processed
    );
    assert_eq!(l.group.rebalances, 1);
    assert!(expected > 100, "the crash came seconds after a commit: {expected}");
    assert_eq!(l.books.duplicates_processed, expected);
}

/// A plain consumer under the same kind of timeline does process
/// duplicates (what the idempotent consumer's property rules out).
#[test]
fn a_plain_consumer_processes_duplicates_after_a_rebalance() {
    let cfg = json!({"auto_commit_interval_ms": 5_000, "session_timeout_ms": 1_000, "rebalance_ms": 500});
    let faults = json!([{"at_ms": 4_000, "duration_ms": 2_000, "action": {"type": "pause", "node": "worker"}}]);
    let s = scenario(1, 10_000, 200.0, cfg.clone(), faults.clone());
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let plain = log(&sim).books.duplicates_processed;
    let mut idem = cfg;
    idem["consumer"] = json!("idempotent");
    let mut sim = Sim::new(&scenario(1, 10_000, 200.0, idem, faults)).unwrap();
    sim.run();
    eprintln!("duplicates processed: plain {plain}, idempotent {}", log(&sim).books.duplicates_processed);
    assert!(plain > 100, "{plain}");
    assert_eq!(log(&sim).books.duplicates_processed, 0);
}

/// A leader failover (the log crashes with 3 replicas): with `acks` 1 the
/// events acknowledged but not yet replicated at the crash are lost, as
/// many as the partitions held past their replicated prefix just before
/// it (counted by the test); with `acks` all and 2 in-sync replicas none is
/// lost: those events were not acknowledged yet, and are retried.
#[test]
fn a_leader_failover_loses_acknowledged_unreplicated_events_unless_acks_all() {
    let crash_us = 3_000_000;
    let faults =
        json!([{"at_ms": crash_us / 1_000, "duration_ms": 500, "action": {"type": "crash", "node": "events"}}]);
    let run = |acks: &str| {
        let cfg = json!({"acks": acks, "replicas": 3, "min_insync_replicas": 2, "replication_ms": 30,
            "retries": 100, "produce_time": {"type": "constant", "ms": 2.0}});
        let s = scenario(7, 8_000, 400.0, cfg, faults.clone());
        let mut sim = Sim::new(&s).unwrap();
        sim.step_until(SimTime(crash_us - 1));
        let unreplicated: u64 = log(&sim)
            .partitions
            .iter()
            .map(|p| p.records().filter(|r| r.replicated_us > crash_us).count() as u64)
            .sum();
        let mut t = crash_us;
        while !sim.is_finished() {
            t += 97_000;
            sim.step_until(SimTime(t));
            sim.audit().unwrap();
        }
        let b = log(&sim).books.clone();
        eprintln!(
            "acks {acks}: unreplicated at the crash {unreplicated}, lost {}, processed {}, published {}",
            b.lost, b.processed, b.published
        );
        (unreplicated, b)
    };
    let (unreplicated, one) = run("1");
    assert!(unreplicated > 5, "{unreplicated}");
    assert_eq!(one.lost, unreplicated);
    let (unreplicated_all, all) = run("all");
    assert!(unreplicated_all > 5, "the same crash finds unreplicated records: {unreplicated_all}");
    assert_eq!((all.lost, all.rejected), (0, 0));
    assert_eq!(all.processed + all.in_flight(), all.published, "nothing dead-lettered or rejected either");
}
