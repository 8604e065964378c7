//! The cache's data semantics: versions kept by the database (the system
//! of record), stale reads, write policies, and what a crash loses.
//!
//! A stale read is a hit on an entry whose key the database has written
//! since the entry's value was read. Nothing here is scripted: every stale
//! read comes from the order in which reads, fills, writes and deletes
//! happen to meet, so each test sets up the timing that makes (or rules
//! out) a race and checks the count against what that timing implies.

use faultline_sim::nodes::cache::CacheStats;
use faultline_sim::nodes::Behaviour;
use faultline_sim::scenario::Scenario;
use faultline_sim::Sim;
use serde_json::{json, Value};

/// Client -> cache -> database; `db_ms` is the database's (constant) query
/// time and `link_ms` the cache -> database latency: their sum is how long
/// a fetch is in flight, the window of the invalidation race.
fn design(cache: Value, db_ms: f64, link_ms: f64, keys: u64, ops: Value, rate_rps: f64, duration_ms: u64) -> Scenario {
    let mut cache = cache;
    cache["type"] = json!("cache");
    if cache.get("lookup_time").is_none() {
        cache["lookup_time"] = json!({ "type": "constant", "ms": 0.0 });
    }
    serde_json::from_value(json!({
        "version": 1, "seed": 7, "duration_ms": duration_ms,
        "nodes": [
            { "id": "client", "kind": { "type": "client" } },
            { "id": "cache", "kind": cache },
            { "id": "db", "kind": { "type": "database", "max_connections": 100_000, "queue_capacity": 0,
                                    "query_time": { "type": "constant", "ms": db_ms }, "saturation": 0.0 } }
        ],
        "edges": [
            { "from": "client", "to": "cache", "latency": { "type": "constant", "ms": 0.0 }, "timeout_ms": null },
            { "from": "cache", "to": "db", "latency": { "type": "constant", "ms": link_ms }, "timeout_ms": null }
        ],
        "workloads": [{ "id": "w", "client": "client", "target": "cache",
                        "arrival": { "type": "poisson", "rate_rps": rate_rps },
                        "keys": { "type": "uniform", "count": keys }, "ops": ops }]
    }))
    .unwrap()
}

fn read_write(read: f64, write: f64) -> Value {
    json!([
        { "name": "read", "method": "GET", "weight": read },
        { "name": "write", "method": "PUT", "weight": write }
    ])
}

fn stats(sim: &Sim) -> CacheStats {
    match &sim.node(1).behaviour {
        Behaviour::Cache(c) => c.stats,
        _ => panic!("node 1 is not a cache"),
    }
}

fn run(s: &Scenario) -> (CacheStats, Sim) {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    assert!(sim.totals().balanced());
    sim.audit().unwrap();
    (stats(&sim), sim)
}

#[test]
fn the_invalidation_race_leaves_stale_entries_and_nothing_else_does() {
    // 20 keys, 1,000 req/s, one write in ten: a write lands on a key while
    // a read's fetch of it is in flight about rate x share x fetch time
    // x (1/keys) of the time. The read then fills the value it read before
    // the write, after the write deleted the key: later hits are stale.
    let ops = read_write(9.0, 1.0);
    let (raced, sim) = run(&design(json!({ "capacity": 100 }), 20.0, 1.0, 20, ops.clone(), 1_000.0, 20_000));
    eprintln!("race: {raced:?}");
    assert!(raced.stale_reads > 100, "stale reads with a 22 ms fetch window: {}", raced.stale_reads);
    assert!(raced.stale_reads < raced.hits / 2);
    let report = sim.report();
    assert_eq!(report.nodes[1].cache.as_ref().unwrap().stale_reads, raced.stale_reads);
    assert_eq!(sim.view().nodes[1].cache_stale_reads, Some(raced.stale_reads), "on the card");

    // The same traffic with an instantaneous fetch: no read is ever in
    // flight when a write lands, so no entry can be older than the database.
    let (instant, _) = run(&design(json!({ "capacity": 100 }), 0.0, 0.0, 20, ops.clone(), 1_000.0, 20_000));
    assert_eq!(instant.stale_reads, 0, "{instant:?}");
    assert!(instant.writes > 1_000 && instant.hits > 10_000);

    // Reads only: nothing is ever written, nothing is stale.
    let (reads, _) = run(&design(json!({ "capacity": 100 }), 20.0, 1.0, 20, read_write(1.0, 0.0), 1_000.0, 20_000));
    assert_eq!(reads.stale_reads, 0);
    assert!(reads.hits > 15_000);

    // A TTL bounds how long a stale entry lives: fewer stale reads.
    let (ttl, _) = run(&design(json!({ "capacity": 100, "ttl_ms": 100.0 }), 20.0, 1.0, 20, ops, 1_000.0, 20_000));
    eprintln!("race with a 100 ms TTL: {ttl:?}");
    assert!(ttl.stale_reads > 0 && ttl.stale_reads < raced.stale_reads, "{} vs {}", ttl.stale_reads, raced.stale_reads);
}

#[test]
fn a_cache_in_front_of_a_service_tracks_no_versions() {
    // Versions are kept by a database read directly; anything else in
    // between and the card shows no stale count (there is nothing to compare).
    let mut s = design(json!({ "capacity": 100 }), 20.0, 1.0, 20, read_write(9.0, 1.0), 100.0, 2_000);
    s.nodes[2].kind = serde_json::from_value(json!({ "type": "service" })).unwrap();
    let (st, sim) = run(&s);
    assert_eq!(st.stale_reads, 0);
    assert_eq!(sim.view().nodes[1].cache_stale_reads, None);
}
