//! Instances, connection pools, CrashLoopBackOff and rolling deploys.
//!
//! The database's `max_connections` is a hard limit on connections, held by
//! every instance's pool; a new one past it is refused and counted. A rolling
//! deploy follows the Kubernetes rules (maxSurge rounds up, maxUnavailable
//! down, stopping pods are not counted). Every expected value is computed
//! here from those rules, not read back from the engine.

use faultline_sim::nodes::Behaviour;
use faultline_sim::scenario::Scenario;
use faultline_sim::{Sim, SimTime};
use proptest::prelude::*;
use serde_json::{json, Value};

/// users -> api (instances, pool) -> db; `deploy`: a deploy fault's action
/// fields (merged into `{type: deploy, node: api}`) at `deploy_at_ms`.
#[allow(clippy::too_many_arguments)]
fn scenario(
    instances: u32,
    pool: u32,
    min_pool: u32,
    max_connections: u32,
    rate: f64,
    duration_ms: u64,
    deploy: Option<(u64, Value)>,
    seed: u64,
) -> Scenario {
    let faults: Vec<Value> = deploy
        .into_iter()
        .map(|(at, extra)| {
            let mut action = json!({ "type": "deploy", "node": "api" });
            for (k, v) in extra.as_object().unwrap() {
                action[k] = v.clone();
            }
            json!({ "at_ms": at, "action": action })
        })
        .collect();
    serde_json::from_value(json!({
        "version": 1, "seed": seed, "duration_ms": duration_ms,
        "nodes": [
            { "id": "users", "kind": { "type": "client" } },
            { "id": "api", "kind": { "type": "service", "workers": 16, "queue_capacity": 100,
                "service_time": { "type": "exponential", "mean_ms": 2.0 }, "calls": [{ "to": "db" }],
                "instances": instances, "startup_ms": 1000,
                "connection_pool": { "pool_size": pool, "min_pool": min_pool, "acquire_timeout_ms": 1000 } } },
            { "id": "db", "kind": { "type": "database", "max_connections": max_connections, "queue_capacity": 1000,
                "query_time": { "type": "exponential", "mean_ms": 20.0 }, "saturation": 0.5 } }
        ],
        "edges": [
            { "from": "users", "to": "api", "timeout_ms": 2000, "latency": { "type": "constant", "ms": 1.0 } },
            { "from": "api", "to": "db", "timeout_ms": null, "latency": { "type": "constant", "ms": 0.5 } }
        ],
        "workloads": [{ "id": "w", "client": "users", "target": "api",
                        "arrival": { "type": "poisson", "rate_rps": rate } }],
        "faults": faults
    }))
    .unwrap()
}

fn db(sim: &Sim) -> &faultline_sim::nodes::DatabaseRt {
    match &sim.node(2).behaviour {
        Behaviour::Database(d) => d,
        _ => unreachable!(),
    }
}

fn fleet(sim: &Sim) -> &faultline_sim::nodes::service::instances::Fleet {
    match &sim.node(1).behaviour {
        Behaviour::Service(s) => s.fleet.as_deref().expect("instances"),
        _ => unreachable!(),
    }
}

/// Runs in steps of `step_ms`, checking the connection books at each.
fn run_checked(s: &Scenario, step_ms: u64, mut each: impl FnMut(&Sim)) -> Sim {
    let mut sim = Sim::new(s).unwrap();
    let mut t = 0;
    while t < s.duration_ms {
        t += step_ms;
        sim.step_until(SimTime::from_millis(t));
        let d = db(&sim);
        assert!(d.conns.open <= d.conns.limit, "t={t}: {} connections open, limit {}", d.conns.open, d.conns.limit);
        assert_eq!(fleet(&sim).counted_at_database(), d.conns.open, "t={t}: the pools' connections are the database's");
        sim.audit().unwrap();
        each(&sim);
    }
    sim
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Connections never exceed max_connections, whatever the pools ask
    /// for; the refusals are counted, and there are some exactly when the
    /// instances' minimum pools alone do not fit.
    #[test]
    fn connections_never_exceed_the_limit(
        instances in 1u32..12,
        pool in 1u32..25,
        min_frac in 0u32..=4,
        max_connections in 4u32..120,
        rate in 50.0f64..1500.0,
        deploy in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let min_pool = pool * min_frac / 4;
        let d = deploy.then(|| (1_500, json!({})));
        let s = scenario(instances, pool, min_pool, max_connections, rate, 4_000, d, seed);
        let sim = run_checked(&s, 50, |_| {});
        let book = &db(&sim).conns;
        let wanted = instances * min_pool;
        if wanted > max_connections {
            prop_assert!(book.refused > 0, "{wanted} wanted of {max_connections}, none refused");
        }
        prop_assert_eq!(fleet(&sim).report().refused_connections, book.refused);
        prop_assert!(book.peak <= max_connections);
    }
}

#[test]
fn fifty_pods_of_twenty_get_five_hundred_connections_and_the_rest_are_refused() {
    // Every pod keeps its whole pool (min = size), as HikariCP does by
    // default. Next to no traffic: no call waits and asks again.
    let s = scenario(50, 20, 20, 500, 0.01, 3_000, None, 1);
    let sim = run_checked(&s, 100, |_| {});
    let book = &db(&sim).conns;
    assert_eq!(book.peak, 500);
    assert_eq!(book.refused, 50 * 20 - 500, "each connection past 500 refused once");
    println!("50 x 20 against 500: peak {}, refused {}", book.peak, book.refused);
}

#[test]
fn an_instance_that_cannot_fill_its_minimum_pool_exits_and_backs_off() {
    // 4 pods of min 10 fit exactly in 40; the deploy's surge pod (25% of 4
    // = 1) finds the database full: it exits, restarts at once, then 10 s,
    // 20 s, 40 s later. With maxUnavailable 0 no old pod stops for it.
    let s = scenario(4, 10, 10, 40, 100.0, 60_000, Some((1_000, json!({ "max_unavailable": 0 }))), 3);
    let mut backoffs = Vec::new();
    let sim = run_checked(&s, 100, |sim| {
        for pip in
            fleet(sim).slots.iter().filter(|s| s.state == faultline_sim::nodes::service::instances::State::BackingOff)
        {
            let at = pip.restart_at_us;
            if !backoffs.contains(&at) {
                backoffs.push(at);
            }
        }
    });
    let r = fleet(&sim).report();
    println!("stalled deploy: {r:?}, restarts at {backoffs:?}");
    // maxUnavailable 0 and a full database: the new pod can never start, the
    // rollout stalls with the old pods all serving.
    assert_eq!(r.rollout_done_ms, None);
    assert_eq!(r.ready, 4);
    // Starts at 1 s, boots 1 s, exits at 2 s: restarts at once (not seen
    // backing off), boots, exits at 3 s: restart at 13 s, exit at 14 s:
    // restart at 34 s, exit at 35 s: restart at 75 s. Gaps: back-off + boot.
    let gaps: Vec<u64> = backoffs.windows(2).map(|w| (w[1] - w[0]) / 1_000_000).collect();
    assert_eq!(gaps, [20 + 1, 40 + 1], "restart times {backoffs:?}");
    assert_eq!(backoffs.len(), 3);
    assert_eq!(backoffs[0] / 1_000_000, 3 + 10);
    assert_eq!(r.failed_starts, 4);
    assert_eq!(r.restarts, 3);
    assert!(db(&sim).conns.refused >= 4);
}

#[test]
fn a_rolling_deploy_keeps_within_surge_and_unavailable() {
    // 10 replicas, 25%: surge ceil(2.5) = 3, unavailable floor(2.5) = 2.
    let (replicas, surge, unavailable) = (10u32, 3u32, 2u32);
    let s = scenario(replicas, 4, 2, 200, 400.0, 30_000, Some((2_000, json!({ "readiness_delay_ms": 2_000 }))), 5);
    let (mut max_alive, mut min_ready, mut max_with_draining) = (0, u32::MAX, 0);
    let sim = run_checked(&s, 10, |sim| {
        let (starting, ready, draining, backing) = fleet(sim).counts();
        max_alive = max_alive.max(starting + ready + backing);
        max_with_draining = max_with_draining.max(starting + ready + backing + draining);
        min_ready = min_ready.min(ready);
    });
    let r = fleet(&sim).report();
    println!("deploy of 10: {r:?}; at most {max_alive} counted, {max_with_draining} with draining ones, at least {min_ready} ready");
    assert_eq!(max_alive, replicas + surge);
    assert_eq!(min_ready, replicas - unavailable);
    assert!(max_with_draining > max_alive, "stopping pods still drain while new ones start");
    assert_eq!(r.ready, replicas);
    assert_eq!(r.failed_starts, 0);
    // 5 new pods start at 2 s (3 surge + 2 for the 2 stopped), ready 2 s later;
    // then 5 more: done at about 6 s (plus connection round trips).
    let done = r.rollout_done_ms.expect("the rollout completes");
    assert!((6_000..6_100).contains(&done), "done at {done} ms");
}

#[test]
fn a_bad_version_that_crashes_at_start_stalls_the_rollout() {
    let s = scenario(
        10,
        4,
        2,
        200,
        400.0,
        30_000,
        Some((2_000, json!({ "bad": { "crash_at_start": true }, "readiness_delay_ms": 1_000 }))),
        6,
    );
    let sim = run_checked(&s, 100, |_| {});
    let r = fleet(&sim).report();
    println!("crashing version: {r:?}, totals {:?}", sim.totals());
    assert_eq!(r.rollout_done_ms, None);
    // The controller stopped 2 old pods (unavailable) and started 5 new ones
    // (3 surge + 2): they crash-loop; 8 old pods serve on.
    assert_eq!(r.ready, replicas_left(10, 2));
    assert_eq!(fleet(&sim).counts().3 + fleet(&sim).counts().0, 5);
    assert!(r.failed_starts >= 5 * 3, "each crashed at least 3 times (0, 10, 20 s back-off)");
}

fn replicas_left(replicas: u32, unavailable: u32) -> u32 {
    replicas - unavailable
}

#[test]
fn a_bad_version_with_errors_completes_its_rollout_and_fails_calls() {
    let s = scenario(
        10,
        4,
        2,
        200,
        400.0,
        20_000,
        Some((2_000, json!({ "bad": { "error_rate": 0.5 }, "readiness_delay_ms": 1_000 }))),
        7,
    );
    let sim = run_checked(&s, 100, |_| {});
    let r = fleet(&sim).report();
    let t = sim.totals();
    assert!(r.rollout_done_ms.is_some(), "its readiness probe passes");
    let share = t.failed_total() as f64 / t.generated as f64;
    println!("erroring version: {r:?}, failed share {share:.3}");
    // About half the calls after ~4 s of 20 fail: (16/20) x 0.5 = 0.4.
    assert!((0.33..0.45).contains(&share), "{share}");
}

#[test]
fn one_instance_without_a_pool_has_no_fleet() {
    let mut s = scenario(1, 4, 2, 20, 100.0, 1_000, None, 1);
    if let faultline_sim::scenario::NodeKind::Service(c) = &mut s.nodes[1].kind {
        c.connection_pool = None;
    }
    let sim = Sim::new(&s).unwrap();
    assert!(matches!(&sim.node(1).behaviour, Behaviour::Service(s) if s.fleet.is_none()));
}

#[test]
fn a_database_restart_closes_every_connection_and_the_pools_open_new_ones() {
    let mut s = scenario(5, 4, 2, 40, 200.0, 6_000, None, 8);
    s.faults.push(
        serde_json::from_value(
            json!({ "at_ms": 2_000, "duration_ms": 1_000, "action": { "type": "crash", "node": "db" } }),
        )
        .unwrap(),
    );
    let mut sim = Sim::new(&s).unwrap();
    sim.step_until(SimTime::from_millis(2_500));
    assert_eq!(db(&sim).conns.open, 0, "a crash closes every connection");
    sim.step_until(SimTime::from_millis(6_000));
    sim.audit().unwrap();
    let d = db(&sim);
    println!(
        "after a database restart: {} open, {} opened, fleet {:?}",
        d.conns.open,
        d.conns.opened,
        fleet(&sim).report()
    );
    assert!(d.conns.open > 0 && d.conns.opened > 10, "the pools opened new connections");
    assert_eq!(fleet(&sim).counted_at_database(), d.conns.open, "no dead connection is counted");
    let users = sim.node_metrics(0);
    let last: u64 = users.series().filter(|p| p.t_ms > 4_000).map(|p| p.failed).sum();
    assert_eq!(last, 0, "calls succeed again after the restart");
}
