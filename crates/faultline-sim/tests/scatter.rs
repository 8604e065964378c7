//! Scatter-gather on a sharded database against order statistics: a query
//! that asks all N shards answers when the slowest has, so its latency is the
//! maximum of N query times. With exponential query times of rate mu and no
//! waiting, the maximum of N independent ones has the distribution function
//! F(t) = (1 - e^(-mu t))^N, quantiles t_q = -ln(1 - q^(1/N))/mu and mean
//! H_N/mu (H_N the N-th harmonic number; the Renyi representation of
//! exponential order statistics). Every expected value is computed here.

use faultline_sim::scenario::Scenario;
use faultline_sim::{Sim, SimTime};
use serde_json::json;

/// Client -> database of `shards` shards with exponential query time of mean
/// 1 ms, no contention and no network time; the workload's one operation is
/// a scatter query when `scatter`.
fn scatter(
    shards: u16,
    connections: u32,
    rate_rps: f64,
    duration_ms: u64,
    scatter: bool,
    extra: serde_json::Value,
) -> Scenario {
    let s: Scenario = serde_json::from_value(json!({
        "version": 1, "seed": 11, "duration_ms": duration_ms,
        "nodes": [ { "id": "client", "kind": { "type": "client" } },
                   { "id": "db", "kind": { "type": "database", "max_connections": connections, "queue_capacity": 100_000,
                     "query_time": { "type": "exponential", "mean_ms": 1.0 }, "saturation": 0.0, "shards": shards } } ],
        "edges": [ { "from": "client", "to": "db", "latency": { "type": "constant", "ms": 0.0 }, "timeout_ms": null } ],
        "workloads": [{ "id": "w", "client": "client", "target": "db",
                        "arrival": { "type": "poisson", "rate_rps": rate_rps },
                        "ops": [{ "name": "search", "scatter": scatter }],
                        "keys": { "type": "uniform", "count": 100_000 } }],
        "faults": extra
    }))
    .unwrap();
    s.validate().unwrap();
    s
}

/// Runs to the end, auditing the books every simulated 10 s.
fn run(s: &Scenario) -> Sim {
    let mut sim = Sim::new(s).unwrap();
    for t in 1..=s.duration_ms / 10_000 {
        sim.step_until(SimTime::from_millis(t * 10_000));
        sim.audit().unwrap();
    }
    sim.run();
    sim.audit().unwrap();
    assert!(sim.totals().balanced());
    sim
}

fn harmonic(n: u16) -> f64 {
    (1..=n).map(|k| 1.0 / f64::from(k)).sum()
}

/// The q-quantile of the maximum of n exponentials of rate mu.
fn max_quantile(n: u16, mu: f64, q: f64) -> f64 {
    -libm::log(1.0 - libm::pow(q, 1.0 / f64::from(n))) / mu
}

const QS: [f64; 5] = [0.1, 0.25, 0.5, 0.9, 0.99];

/// Checks the client's end-to-end latencies (ms) against the maximum of `n`
/// exponentials of rate `mu` (per ms): the mean within 2% and each quantile
/// within `tol` (relative; the histograms keep 2 significant digits, 1%).
fn check_max_of(sim: &Sim, n: u16, mu: f64, tol: f64) -> Vec<(f64, f64, f64)> {
    let m = sim.node_metrics(0);
    let count = m.completed();
    assert!(count > 50_000, "{count} queries");
    let mean = m.mean_us() / 1e3;
    let expected_mean = harmonic(n) / mu;
    println!("N {n}: mean {mean:.4} ms, H_N/mu {expected_mean:.4} ms ({count} queries)");
    assert!(
        (mean - expected_mean).abs() < 0.02 * expected_mean,
        "N {n}: mean {mean}, expected H_N/mu = {expected_mean}"
    );
    let (got, _) = m.quantiles_us(QS);
    QS.iter()
        .zip(got)
        .map(|(&q, us)| {
            let (g, e) = (us as f64 / 1e3, max_quantile(n, mu, q));
            println!("N {n}: p{:<4} {g:.4} ms, theory {e:.4} ms", q * 100.0);
            assert!((g - e).abs() < tol * e, "N {n}, q {q}: {g} ms, expected {e} ms +- {}", tol * e);
            (q, g, e)
        })
        .collect()
}

/// With connections to spare on every shard nothing waits: a scatter query's
/// time is exactly the maximum of N independent exponential query times.
/// 100,000 queries: a quantile's sampling error is under 0.5%; with the
/// histogram's 1%, tolerance 3%.
#[test]
fn a_scatter_query_takes_the_maximum_of_the_shards_query_times() {
    for n in [1u16, 2, 4, 16] {
        let sim = run(&scatter(n, 1_000, 1_000.0, 100_000, true, json!([])));
        check_max_of(&sim, n, 1.0, 0.03);
        let db = sim.report().nodes.into_iter().find(|r| r.id == "db").unwrap();
        if n > 1 {
            let shards = db.shards.unwrap();
            let total = sim.totals().generated;
            assert!(
                shards.arrivals.iter().all(|&a| a.abs_diff(total) <= 1),
                "every shard saw every query: {:?}",
                shards.arrivals
            );
        }
    }
}

/// The same query without `scatter` goes to its key's shard alone: one
/// exponential, mean 1/mu, whatever the shard count.
#[test]
fn a_keyed_query_takes_one_shards_time() {
    let sim = run(&scatter(16, 1_000, 1_000.0, 100_000, false, json!([])));
    check_max_of(&sim, 1, 1.0, 0.03);
}

/// Each shard an M/M/1 (one connection) at light load, lambda = 50/s against
/// mu = 1,000/s: a shard's sojourn time is exponential with rate mu - lambda,
/// and with waits this rare the shards' sojourns are nearly independent, so
/// the scatter query's time is close to the maximum of N exponentials of rate
/// mu - lambda. Tolerance 5% (the shards share their arrival times).
#[test]
fn scatter_over_m_m_1_shards_at_light_load_is_the_maximum_of_their_sojourns() {
    let mu = 1.0 - 0.05; // per ms
    for n in [4u16, 8] {
        let sim = run(&scatter(n, 1, 50.0, 2_000_000, true, json!([])));
        check_max_of(&sim, n, mu, 0.05);
    }
}

/// One shard failing fails the whole query: with every query failing with
/// probability p on each shard independently, a scatter query over N shards
/// fails with probability 1 - (1 - p)^N (0.344 at p = 0.1, N = 4).
#[test]
fn one_failed_shard_fails_the_scatter_query() {
    let fault = json!([{ "at_ms": 0, "action": { "type": "node_errors", "node": "db", "rate": 0.1 } }]);
    let sim = run(&scatter(4, 1_000, 1_000.0, 50_000, true, fault));
    let t = sim.totals();
    let done = (t.ok + t.failed_total()) as f64;
    let got = t.failed_total() as f64 / done;
    let expected = 1.0 - libm::pow(0.9, 4.0);
    let sd = libm::sqrt(expected * (1.0 - expected) / done);
    println!("p 0.1, N 4: failed {got:.4}, expected {expected:.4} +- {:.4}", 4.0 * sd);
    assert!((got - expected).abs() < 4.0 * sd, "failed share {got}, expected 1 - 0.9^4 = {expected}");
}

/// A crash while scatter queries wait for their shards fails them (refused)
/// and keeps every book balanced; a full shard queue rejects the query.
#[test]
fn a_crash_or_a_full_shard_fails_scatter_queries_and_the_books_balance() {
    let fault = json!([
        { "at_ms": 5_000, "duration_ms": 1_000, "action": { "type": "crash", "node": "db" } },
        { "at_ms": 12_000, "duration_ms": 2_000, "action": { "type": "slow_node", "node": "db", "factor": 50.0 } }
    ]);
    let mut s = scatter(4, 2, 1_500.0, 20_000, true, fault);
    if let faultline_sim::scenario::NodeKind::Database(d) = &mut s.nodes[1].kind {
        d.queue_capacity = 20;
    }
    let sim = run(&s);
    let t = sim.totals();
    assert!(t.failed[faultline_sim::FailReason::Refused as usize] > 0, "{t:?}");
    assert!(t.failed[faultline_sim::FailReason::Rejected as usize] > 0, "{t:?}");
    assert!(t.ok > 10_000, "{t:?}");
}
