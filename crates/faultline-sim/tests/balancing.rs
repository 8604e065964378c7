//! Load balancers and queues as the reference behaviour says they should act.

use faultline_sim::scenario::{Fault, FaultAction, Scenario};
use faultline_sim::Sim;

/// Client -> load balancer -> backends with the given mean service times (ms),
/// four workers each, at `rate_rps`.
fn balanced(algorithm: &str, means: &[f64], rate_rps: f64, seed: u64) -> Scenario {
    let mut nodes = vec![
        serde_json::json!({ "id": "client", "kind": { "type": "client" } }),
        serde_json::json!({ "id": "lb", "kind": { "type": "load_balancer", "algorithm": algorithm } }),
    ];
    let mut edges = vec![serde_json::json!({ "from": "client", "to": "lb", "timeout_ms": null })];
    for (i, m) in means.iter().enumerate() {
        nodes.push(serde_json::json!({ "id": format!("b{i}"), "kind": { "type": "service", "workers": 4,
            "queue_capacity": 100_000, "service_time": { "type": "exponential", "mean_ms": m } } }));
        edges.push(serde_json::json!({ "from": "lb", "to": format!("b{i}"), "timeout_ms": null }));
    }
    serde_json::from_value(serde_json::json!({
        "version": 1, "seed": seed, "duration_ms": 60_000, "nodes": nodes, "edges": edges,
        "workloads": [{ "id": "w", "client": "client", "target": "lb",
                        "arrival": { "type": "poisson", "rate_rps": rate_rps } }]
    }))
    .unwrap()
}

fn p99(s: &Scenario) -> f64 {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    assert!(sim.totals().balanced());
    sim.report().latency_ms.p99
}

#[test]
fn power_of_two_choices_beats_random_on_tail_latency_with_uneven_backends() {
    // Capacity: three backends of 400 req/s and one of 133 req/s. Random sends
    // each a quarter of 900 req/s and drowns the slow one; P2C steers away from it.
    let means = [10.0, 10.0, 10.0, 30.0];
    for seed in [1, 2] {
        let random = p99(&balanced("random", &means, 900.0, seed));
        let p2c = p99(&balanced("power_of_two", &means, 900.0, seed));
        let lor = p99(&balanced("least_outstanding", &means, 900.0, seed));
        eprintln!("seed {seed}: p99 random {random:.1} ms, p2c {p2c:.1} ms, least outstanding {lor:.1} ms");
        assert!(random > 3.0 * p2c, "random {random} vs p2c {p2c}");
        assert!(lor <= p2c * 1.2, "least outstanding {lor} vs p2c {p2c}");
    }
}

#[test]
fn health_checks_take_a_dead_backend_out_and_put_it_back() {
    let mut s = balanced("round_robin", &[5.0, 5.0, 5.0], 300.0, 3);
    s.duration_ms = 12_000;
    if let faultline_sim::scenario::NodeKind::LoadBalancer(lb) = &mut s.nodes[1].kind {
        lb.health_check_interval_ms = 500;
        lb.unhealthy_threshold = 2;
        lb.healthy_threshold = 2;
    }
    s.faults.push(Fault { at_ms: 2_000, duration_ms: Some(5_000), action: FaultAction::Crash { node: "b1".into() } });
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let failed_in = |from: u64, to: u64| -> u64 {
        sim.node_metrics(0).series().filter(|p| p.t_ms > from && p.t_ms <= to).map(|p| p.failed).sum()
    };
    // Until two failed checks (at most 1 s), a third of calls hit the dead backend.
    assert!(failed_in(2_000, 3_000) > 30, "{}", failed_in(2_000, 3_000));
    assert_eq!(failed_in(3_000, 7_000), 0, "the dead backend is out of rotation");
    assert_eq!(failed_in(7_000, 12_000), 0);
    // It comes back after two passed checks and takes its share again.
    let b1_late: u64 = sim.node_metrics(3).series().filter(|p| p.t_ms > 9_000).map(|p| p.ok).sum();
    assert!(b1_late > 250, "{b1_late}");
}

#[test]
fn a_queue_decouples_a_fast_producer_from_a_slow_consumer() {
    let s: Scenario = serde_json::from_value(serde_json::json!({
        "version": 1, "seed": 5, "duration_ms": 10_000,
        "nodes": [
            { "id": "client", "kind": { "type": "client" } },
            { "id": "orders", "kind": { "type": "service", "workers": 8,
                "service_time": { "type": "constant", "ms": 2.0 }, "calls": [{ "to": "events" }] } },
            { "id": "events", "kind": { "type": "queue", "capacity": 100_000, "consumers": 2 } },
            { "id": "email", "kind": { "type": "service", "workers": 2,
                "service_time": { "type": "constant", "ms": 40.0 } } }
        ],
        "edges": [
            { "from": "client", "to": "orders" }, { "from": "orders", "to": "events" },
            { "from": "events", "to": "email" }
        ],
        "workloads": [{ "id": "w", "client": "client", "target": "orders",
                        "arrival": { "type": "constant", "rate_rps": 100.0 } }]
    }))
    .unwrap();
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let r = sim.report();
    // Users see the producer's few milliseconds, not the consumer's backlog.
    assert!(r.latency_ms.p99 < 10.0, "{}", r.latency_ms.p99);
    assert_eq!(r.requests.failed.total, 0);
    // Each of the 2 consumer slots takes 40 ms of work plus a 1 ms round trip:
    // 2 / 41 ms = 48.8 msg/s drained of the 100 msg/s offered.
    let q = r.nodes[2].queue.as_ref().unwrap();
    let drained = 10.0 * 2.0 / 0.041;
    assert!((q.delivered as f64 - drained).abs() < 5.0, "{q:?}");
    assert!((q.depth as f64 - (1_000.0 - drained)).abs() < 25.0, "{q:?}");
}

/// The viral-key preset (`lb-hot-key-before`): consistent hashing in front
/// of four identical backends (four workers, 10 ms, 400 req/s each, queues
/// of 200), 900 req/s over a million keys and 300 req/s on one viral key.
/// `factor`: the bounded-load factor in percent, `None` for plain hashing.
fn hot_key(factor: Option<u32>) -> Scenario {
    let mut s = Scenario::from_json(include_str!("../../../assets/scenarios/lb-hot-key-before.json")).unwrap();
    if let faultline_sim::scenario::NodeKind::LoadBalancer(lb) = &mut s.nodes[1].kind {
        lb.hash_balance_factor = factor;
    }
    s
}

/// Each backend's share of the calls, the busiest's utilisation, the
/// failures and the calls the bound spilled.
fn spread(s: &Scenario) -> (Vec<f64>, f64, u64, u64) {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    assert!(sim.totals().balanced());
    let r = sim.report();
    let backends: Vec<_> = r.nodes.iter().filter(|n| n.id.starts_with('b')).collect();
    let all: u64 = backends.iter().map(|n| n.arrivals).sum();
    let shares = backends.iter().map(|n| n.arrivals as f64 / all as f64).collect();
    let busiest = backends.iter().map(|n| n.utilisation).fold(0.0, f64::max);
    let lb = r.nodes.iter().find(|n| n.id == "lb").unwrap();
    (shares, busiest, r.requests.failed.total, lb.spilled.unwrap_or(0))
}

/// Plain consistent hashing pins the viral key to one backend, which gets
/// 300 + 900/4 req/s against 400 of capacity and drowns while the others
/// idle at about 55%. Bounded loads (Mirrokni et al.): a backend takes a call
/// only while under ceil(c (m + 1) / n) of the m calls in flight, so with
/// identical backends (Little's law: calls in flight in proportion to calls
/// served) none gets much more than c / n of the traffic, and nothing fails.
/// The margins are empirical: the bound holds at placements only and rounds
/// up (at m ~ 15 over 4 backends, by up to a quarter), so the share is held
/// to c / n + 0.02 (measured 0.286 against 0.3325); plain hashing's top
/// share is 0.421 against the 0.40 asserted.
#[test]
fn bounded_loads_spread_a_hot_key_that_plain_hashing_pins_to_one_backend() {
    let (shares, busiest, failed, spilled) = spread(&hot_key(None));
    eprintln!("plain: shares {shares:.3?}, busiest {busiest:.3}, failed {failed}, spilled {spilled}");
    let top = shares.iter().copied().fold(0.0, f64::max);
    // Its home backend is offered (300 + 900 x its ring share) / 1,200, about
    // 0.44 (its share of the other keys varies about 1/sqrt(100)).
    assert!(top > 0.40, "{top}");
    assert!(busiest > 0.99 && failed > 1_000, "busiest {busiest}, failed {failed}");
    assert_eq!(spilled, 0);

    let (shares, busiest, failed, spilled) = spread(&hot_key(Some(125)));
    eprintln!("c = 1.25: shares {shares:.3?}, busiest {busiest:.3}, failed {failed}, spilled {spilled}");
    let top = shares.iter().copied().fold(0.0, f64::max);
    assert!(top <= 1.25 / 4.0 + 0.02, "busiest share {top} over c / n");
    assert!(busiest < 0.95 && failed == 0, "busiest {busiest}, failed {failed}");
    assert!(spilled > 0);
}

/// c = 1: a backend takes a call only while under ceil((m + 1) / n), so a
/// call always goes to a backend at or below the average: with calls that
/// never leave the loads stay within one of each other (the unit tests'
/// static case), and with identical backends the shares even out, whatever
/// the keys (tolerance empirical: measured 0.242-0.258).
#[test]
fn a_balance_factor_of_one_evens_the_shares() {
    let (shares, ..) = spread(&hot_key(Some(100)));
    eprintln!("c = 1: shares {shares:.4?}");
    for s in shares {
        assert!((s - 0.25).abs() < 0.02, "{s}");
    }
}

/// The factor trades key affinity for balance: the lower it is, the more
/// calls leave their key's backend and the evener the load. A factor the
/// load never reaches changes nothing: the run is plain hashing's, draw for
/// draw.
#[test]
fn the_factor_trades_affinity_for_balance() {
    let runs: Vec<_> = [100, 125, 150, 200].iter().map(|&c| spread(&hot_key(Some(c)))).collect();
    for (w, c) in runs.windows(2).zip([100, 125, 150]) {
        let top = |r: &(Vec<f64>, f64, u64, u64)| r.0.iter().copied().fold(0.0, f64::max);
        eprintln!("c = {c}: spilled {} -> {}, busiest share {:.3} -> {:.3}", w[0].3, w[1].3, top(&w[0]), top(&w[1]));
        assert!(w[0].3 > w[1].3, "fewer spills with a higher factor");
        assert!(top(&w[0]) < top(&w[1]), "more imbalance with a higher factor");
    }
    let trace = |s: &Scenario| {
        let mut sim = Sim::new(s).unwrap();
        sim.run();
        sim.trace_hash()
    };
    assert_eq!(trace(&hot_key(Some(10_000))), trace(&hot_key(None)));
}
