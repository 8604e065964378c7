//! Sharded databases against the textbook numbers: how many keys a reshard
//! moves under mod-N and consistent hashing, how hot the hottest shard gets
//! under Zipf keys, range partitioning's insert hot spot, and the spread of
//! consistent hashing's shares (D. Karger et al., "Consistent hashing and
//! random trees", STOC 1997; M. Kleppmann, *Designing Data-Intensive
//! Applications*, ch. 6). Every expected value is computed here.

use faultline_sim::nodes::partition::Partitioner;
use faultline_sim::report::ShardReport;
use faultline_sim::scenario::{Partitioning, Scenario};
use faultline_sim::{Sim, SimTime};
use serde_json::json;

/// Client -> database with `shards` shards, `keys` the workload's key space,
/// `extra` merged into the database's kind, and `faults` on the timeline.
fn sharded(
    shards: u16,
    partitioning: &str,
    keys: serde_json::Value,
    extra: serde_json::Value,
    faults: serde_json::Value,
) -> Scenario {
    let mut kind = json!({ "type": "database", "max_connections": 8, "queue_capacity": 100_000,
        "query_time": { "type": "exponential", "mean_ms": 1.0 }, "saturation": 0.0,
        "shards": shards, "partitioning": partitioning });
    for (k, v) in extra.as_object().unwrap() {
        kind[k] = v.clone();
    }
    serde_json::from_value(json!({
        "version": 1, "seed": 7, "duration_ms": 100_000,
        "nodes": [ { "id": "client", "kind": { "type": "client" } }, { "id": "db", "kind": kind } ],
        "edges": [ { "from": "client", "to": "db", "timeout_ms": null } ],
        "workloads": [{ "id": "w", "client": "client", "target": "db",
                        "arrival": { "type": "poisson", "rate_rps": 2_000.0 }, "keys": keys }],
        "faults": faults
    }))
    .unwrap()
}

/// Runs to the end, auditing the books every simulated second.
fn run(s: &Scenario) -> ShardReport {
    let mut sim = Sim::new(s).unwrap();
    for t in 1..=s.duration_ms / 1_000 {
        sim.step_until(SimTime::from_millis(t * 1_000));
        sim.audit().unwrap();
    }
    assert!(sim.totals().balanced());
    sim.report()
        .nodes
        .into_iter()
        .find(|n| n.id == "db")
        .unwrap()
        .shards
        .expect("a sharded database reports its shards")
}

fn moved(scheme: Partitioning, from: u16, to: u16) -> f64 {
    let a = Partitioner::new(scheme, from, 100, 1_000_000, &[]);
    a.moved_share(&a.with_shards(to), 200_000)
}

/// Going from N to N + 1 shards, mod-N hashing keeps a key only when
/// h mod N = h mod (N + 1): N/(N + 1) of the keys move (0.889 at 8 -> 9).
/// 200,000 keys: the sampling error is about 0.001; tolerance 0.01.
#[test]
fn mod_n_hashing_moves_about_n_over_n_plus_one_of_the_keys() {
    for n in [4u16, 8, 16] {
        let expected = f64::from(n) / f64::from(n + 1);
        let got = moved(Partitioning::Hash, n, n + 1);
        println!("hash {n} -> {}: moved {got:.4}, expected {expected:.4}", n + 1);
        assert!((got - expected).abs() < 0.01, "{n} -> {}: moved {got}, expected {expected}", n + 1);
    }
}

/// Consistent hashing moves only the arcs the new shard's points cut: about
/// 1/(N + 1) of the keys (0.111 at 8 -> 9). The new shard's share has a
/// coefficient of variation of about 1/sqrt(V) (V = 100 points a shard), so
/// the tolerance is three of those standard deviations: 3/(N + 1)/sqrt(V).
#[test]
fn consistent_hashing_moves_about_one_over_n_plus_one_of_the_keys() {
    for n in [4u16, 8, 16] {
        let expected = 1.0 / f64::from(n + 1);
        let got = moved(Partitioning::Consistent, n, n + 1);
        println!("consistent {n} -> {}: moved {got:.4}, expected {expected:.4}", n + 1);
        let tol = 3.0 * expected / libm::sqrt(100.0);
        assert!((got - expected).abs() < tol, "{n} -> {}: moved {got}, expected {expected} +- {tol}", n + 1);
    }
}

/// The same, through the engine: a `reshard` fault 8 -> 9 at 50 s, and the
/// report's moved share.
#[test]
fn a_reshard_fault_reports_the_moved_share() {
    let keys = json!({ "type": "uniform", "count": 1_000_000 });
    let fault = json!([{ "at_ms": 50_000, "action": { "type": "reshard", "node": "db", "shards": 9 } }]);
    for (scheme, expected, tol) in [("hash", 8.0 / 9.0, 0.01), ("consistent", 1.0 / 9.0, 3.0 / 9.0 / 10.0)] {
        let r = run(&sharded(8, scheme, keys.clone(), json!({}), fault.clone()));
        let got = r.moved_keys.unwrap();
        println!("engine {scheme} 8 -> 9: moved {got:.4}, expected {expected:.4}");
        assert_eq!((r.count, r.reshards), (9, 1));
        assert!((got - expected).abs() < tol, "{scheme}: moved {got}, expected {expected}");
        assert!(r.arrivals[8] > 0, "{scheme}: the new shard takes queries");
    }
}

/// Zipf(alpha = 1) over N keys on S = 16 hash shards: the hottest key alone
/// carries p_1 = 1/H(N, 1) of the queries, and its shard also gets its share
/// of the rest, so the hottest shard carries about p_1 + (1 - p_1)/S. The
/// rest spreads over the shards as the hash places its keys: the hot shard's
/// share of it varies with standard deviation sqrt(sum_{i>=2} p_i^2 (1/S)(1 -
/// 1/S)); tolerance two of those plus the sampling error of 200,000 queries.
#[test]
fn the_hottest_shard_under_zipf_carries_p1_plus_its_share_of_the_rest() {
    let (n, s) = (10_000u64, 16u16);
    let h: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
    let p1 = 1.0 / h;
    let expected = p1 + (1.0 - p1) / f64::from(s);
    let rest_sq: f64 = (2..=n)
        .map(|k| {
            let p = 1.0 / (k as f64 * h);
            p * p
        })
        .sum();
    let spread = libm::sqrt(rest_sq * (1.0 / f64::from(s)) * (1.0 - 1.0 / f64::from(s)));
    let r = run(&sharded(s, "hash", json!({ "type": "zipf", "count": n, "s": 1.0 }), json!({}), json!([])));
    let total: u64 = r.arrivals.iter().sum();
    let share = r.max_mean_ratio / f64::from(s);
    let sampling = libm::sqrt(expected * (1.0 - expected) / total as f64);
    let tol = 2.0 * spread + 3.0 * sampling;
    println!("zipf 1.0, N {n}, S {s}: hottest shard {share:.4}, expected {expected:.4} +- {tol:.4} (p1 {p1:.4}); max/mean {:.3}", r.max_mean_ratio);
    assert!(
        (share - expected).abs() < tol,
        "hottest shard {share:.4} of the load, expected p1 + (1 - p1)/S = {expected:.4} +- {tol:.4} (p1 = {p1:.4})"
    );
    assert!(r.max_mean_ratio > 2.0, "a celebrity key makes one shard about 2.5x the mean: {}", r.max_mean_ratio);
}

/// Range partitioning with increasing keys (auto-increment ids past the
/// existing rows): every insert lands on the last shard, max/mean = S. Hash
/// partitioning spreads the same inserts evenly.
#[test]
fn range_partitioning_puts_every_increasing_insert_on_the_last_shard() {
    let keys = json!({ "type": "sequential", "start": 1_000_000 });
    let r = run(&sharded(8, "range", keys.clone(), json!({}), json!([])));
    let total: u64 = r.arrivals.iter().sum();
    assert!(total > 190_000);
    assert_eq!(r.arrivals[7], total, "{:?}", r.arrivals);
    assert_eq!(r.max_mean_ratio, 8.0);
    let h = run(&sharded(8, "hash", keys, json!({}), json!([])));
    assert!(h.max_mean_ratio < 1.05, "hash spreads increasing keys: {}", h.max_mean_ratio);
}

/// With V virtual nodes a shard, each shard's share of the keys has a
/// coefficient of variation near 1/sqrt(V) = 0.10 at V = 100. Over 64 shards
/// the estimate's own error is about 0.1/sqrt(2 x 64) = 0.009: tolerance 0.03.
#[test]
fn consistent_hashing_shares_vary_about_one_over_sqrt_v() {
    let (s, v) = (64u16, 100u32);
    let p = Partitioner::new(Partitioning::Consistent, s, v, 1 << 40, &[]);
    let mut count = vec![0f64; usize::from(s)];
    let keys = 2_000_000u64;
    for k in 0..keys {
        count[usize::from(p.owner(k))] += 1.0;
    }
    let mean = keys as f64 / f64::from(s);
    let cv = libm::sqrt(count.iter().map(|c| (c - mean) * (c - mean)).sum::<f64>() / f64::from(s)) / mean;
    let expected = 1.0 / libm::sqrt(f64::from(v));
    println!("consistent S {s}, V {v}: share cv {cv:.4}, expected about {expected:.4}");
    assert!((cv - expected).abs() < 0.03, "cv {cv}, expected about {expected}");
}

/// During the migration window, queries for moved keys pay the penalty (and
/// only then): the database's mean latency over a run with a reshard at 50 s
/// rises by about (window / run) x (moved share) x penalty.
#[test]
fn moved_keys_pay_the_migration_penalty_during_the_window() {
    let keys = json!({ "type": "uniform", "count": 1_000_000 });
    let fault = json!([{ "at_ms": 50_000, "action": { "type": "reshard", "node": "db", "shards": 9 } }]);
    let extra = json!({ "migration_penalty_ms": 20.0, "migration_window_ms": 10_000 });
    let r = run(&sharded(8, "hash", keys, extra, fault));
    // 2,000 queries a second for 10 s, 8/9 of them for moved keys.
    let expected = 2_000.0 * 10.0 * 8.0 / 9.0;
    let got = r.migrated_queries as f64;
    assert!((got - expected).abs() < 0.05 * expected, "{got} queries paid the penalty, expected about {expected}");
}

/// Each shard is its own pool: a hot shard's connections fill and its queue
/// grows while the others stay idle, and the books (every freed connection
/// takes the next query of its own shard) balance at every audit, through a
/// reshard down to fewer shards and a crash.
#[test]
fn shards_queue_separately_and_the_books_balance_through_reshards_and_crashes() {
    let keys = json!({ "type": "sequential", "start": 1_000_000 });
    let faults = json!([
        { "at_ms": 20_000, "action": { "type": "reshard", "node": "db", "shards": 3 } },
        { "at_ms": 40_000, "duration_ms": 1_000, "action": { "type": "crash", "node": "db" } },
        { "at_ms": 60_000, "action": { "type": "reshard", "node": "db", "shards": 6 } }
    ]);
    // 2,000/s on one shard of 8 connections at 1 ms: 25% busy; on range the
    // last shard takes all of it and the others none.
    let r = run(&sharded(4, "range", keys, json!({}), faults));
    assert_eq!(r.count, 6);
    assert_eq!(r.reshards, 2);
    assert_eq!(
        r.arrivals.iter().filter(|&&a| a > 0).count(),
        3,
        "the last shard of 4, of 3 and of 6: {:?}",
        r.arrivals
    );
}

/// Bad sharding settings are refused with the path of the field at fault.
#[test]
fn bad_sharding_settings_are_refused_with_their_paths() {
    let keys = json!({ "type": "uniform", "count": 1_000 });
    let bad = |shards: u16, extra: serde_json::Value, faults: serde_json::Value| {
        let s = sharded(shards.max(1), "hash", keys.clone(), extra, faults);
        let mut s = s;
        if shards == 0 {
            if let faultline_sim::scenario::NodeKind::Database(d) = &mut s.nodes[1].kind {
                d.shards = 0;
            }
        }
        s.validate().unwrap_err().to_string()
    };
    assert!(bad(0, json!({}), json!([])).contains("nodes[1].kind.shards"));
    assert!(bad(300, json!({}), json!([])).contains("nodes[1].kind.shards"));
    let dir = json!({ "partitioning": "directory", "directory": [{ "from": 5, "shard": 0 }] });
    assert!(bad(2, dir, json!([])).contains("nodes[1].kind.directory"));
    let dir = json!({ "partitioning": "directory", "directory": [{ "from": 0, "shard": 2 }] });
    assert!(bad(2, dir, json!([])).contains("nodes[1].kind.directory[0].shard"));
    let reshard = |node: &str, shards: u16| json!([{ "at_ms": 1, "action": { "type": "reshard", "node": node, "shards": shards } }]);
    assert!(bad(2, json!({}), reshard("client", 3)).contains("is not a database"));
    assert!(bad(2, json!({}), reshard("db", 0)).contains("faults[0].action.shards"));
    assert!(bad(2, json!({ "migration_penalty_ms": -1.0 }), json!([])).contains("migration_penalty_ms"));
}

/// The per-window shard series (the page's "Load per shard" chart and the
/// CSV's `shard_arrivals`) adds up to the report's per-shard totals, window
/// by window it carries each second's queries, and it follows a reshard: a
/// ninth shard's column appears at the reshard's second.
#[test]
fn the_shard_series_sums_to_the_report_and_follows_a_reshard() {
    let keys = json!({ "type": "uniform", "count": 1_000_000 });
    let fault = json!([{ "at_ms": 50_000, "action": { "type": "reshard", "node": "db", "shards": 9 } }]);
    let s = sharded(8, "hash", keys, json!({}), fault);
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let r = sim.report().nodes.into_iter().find(|n| n.id == "db").unwrap().shards.unwrap();
    let points: Vec<_> = sim.kind_series(1).cloned().collect();
    assert_eq!(points.len(), 100, "one point a second");
    let mut sums = vec![0u64; 9];
    for p in &points {
        for (i, &c) in p.counts.iter().enumerate() {
            sums[i] += u64::from(c);
        }
        assert_eq!(p.counts.len(), if p.t_ms <= 50_000 { 8 } else { 9 }, "at {} ms", p.t_ms);
        let total: u32 = p.counts.iter().sum();
        assert!((1_700..2_300).contains(&total), "about 2,000 queries a second: {total} at {}", p.t_ms);
    }
    assert_eq!(sums, r.arrivals, "the windows add up to the report's totals");
    assert!(sim.kind_series(0).next().is_none(), "a client keeps no kind series");
}
