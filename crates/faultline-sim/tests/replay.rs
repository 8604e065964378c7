//! Event sourcing (`replay_log` on the timeline): the consumer's state
//! rebuilt from offset 0 against the live one.
//!
//! With one event per entity (100,000 keys, ~1,500 events), an entity's
//! live state exceeds its rebuilt state by exactly the duplicates applied
//! to it; so over the compared entities the live effects minus the rebuilt
//! ones are the duplicates the log counted, less those of the few entities
//! still on their way at the replay (none here: checked). An idempotent
//! consumer's live state equals the rebuild.

mod common;

use faultline_sim::nodes::LogRt;
use faultline_sim::{Scenario, Sim};
use serde_json::json;

fn scenario(consumer: &str) -> Scenario {
    let doc = json!({
        "version": 1, "seed": 4, "duration_ms": 12_000,
        "nodes": [
            {"id": "shop", "kind": {"type": "client"}},
            {"id": "events", "kind": {"type": "log", "partitions": 4, "consumers": 2, "consumer": consumer,
                "auto_commit_interval_ms": 5_000, "session_timeout_ms": 3_000, "rebalance_ms": 500}},
            {"id": "worker", "kind": {"type": "service", "workers": 8,
                "service_time": {"type": "exponential", "mean_ms": 3.0}}}
        ],
        "edges": [{"from": "shop", "to": "events"}, {"from": "events", "to": "worker", "timeout_ms": 500.0}],
        "workloads": [{"id": "load", "client": "shop", "target": "events",
            "arrival": {"type": "poisson", "rate_rps": 150.0},
            "keys": {"type": "uniform", "count": 100_000}}],
        "faults": [
            {"at_ms": 4_300, "duration_ms": 800, "action": {"type": "crash", "node": "worker"}},
            {"at_ms": 11_000, "action": {"type": "replay_log", "node": "events"}}
        ]
    });
    let s: Scenario = serde_json::from_value(doc).unwrap();
    s.validate().unwrap();
    s
}

fn log(sim: &Sim) -> &LogRt {
    common::log_at(sim, 1)
}

#[test]
fn a_replay_finds_the_plain_consumers_duplicates_and_none_for_an_idempotent_one() {
    let mut plain = Sim::new(&scenario("plain")).unwrap();
    plain.run();
    let l = log(&plain);
    let r = l.replays.first().expect("the replay ran").clone();
    eprintln!("plain: {r:?}, duplicates processed {}, processed {}", l.books.duplicates_processed, l.books.processed);
    assert!(r.from_offset_0);
    assert!(l.books.duplicates_processed > 100, "the rebalance replays: {}", l.books.duplicates_processed);
    assert!(r.compared > 1_000, "{}", r.compared);
    assert_eq!(r.live_effects - r.rebuilt_effects, l.books.duplicates_processed);
    assert!(r.differ > 100 && r.differ <= l.books.duplicates_processed);

    let mut idem = Sim::new(&scenario("idempotent")).unwrap();
    idem.run();
    let l = log(&idem);
    let r = l.replays.first().expect("the replay ran").clone();
    eprintln!("idempotent: {r:?}, skipped {}", l.deduplicated);
    assert!(r.compared > 1_000 && l.deduplicated > 100);
    assert_eq!((r.differ, r.live_effects), (0, r.rebuilt_effects));
}

#[test]
fn a_replay_needs_a_log() {
    let mut doc = serde_json::to_value(scenario("plain")).unwrap();
    doc["faults"][1]["action"]["node"] = json!("worker");
    let s: Scenario = serde_json::from_value(doc).unwrap();
    let e = s.validate().unwrap_err().to_string();
    assert!(e.contains("faults[1].action.node") && e.contains("not an event log"), "{e}");
}
