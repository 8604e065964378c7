//! A PgBouncer-like pooler: in transaction mode many client connections
//! share `default_pool_size` server connections, queries queue when all are
//! busy and fail after `query_wait_timeout_ms`; in session mode a client
//! connection needs a server connection of its own. Expected values are
//! computed here: with constant 20 ms queries, 20 server connections serve
//! 20 / 0.020 = 1,000 queries a second, whatever the clients hold.

use faultline_sim::nodes::pooler::PoolerReport;
use faultline_sim::report::Report;
use faultline_sim::scenario::Scenario;
use faultline_sim::{Sim, SimTime};
use serde_json::json;

/// users -> api (50 instances, pools of 20 opened at start) -> pgb (pooler) -> db.
fn scenario(mode: &str, rate: f64, wait_ms: u64, duration_ms: u64) -> Scenario {
    serde_json::from_value(json!({
        "version": 1, "seed": 9, "duration_ms": duration_ms,
        "nodes": [
            { "id": "users", "kind": { "type": "client" } },
            { "id": "api", "kind": { "type": "service", "workers": 40, "queue_capacity": 1000,
                "service_time": { "type": "constant", "ms": 0.0 }, "calls": [{ "to": "pgb" }],
                "instances": 50, "connection_pool": { "pool_size": 20, "min_pool": 20, "acquire_timeout_ms": 60000 } } },
            { "id": "pgb", "kind": { "type": "pooler", "pool_mode": mode, "default_pool_size": 20,
                "max_client_conn": 1000, "query_wait_timeout_ms": wait_ms } },
            { "id": "db", "kind": { "type": "database", "max_connections": 100, "queue_capacity": 1000,
                "query_time": { "type": "constant", "ms": 20.0 }, "saturation": 0.0, "connect_time_ms": 0.0 } }
        ],
        "edges": [
            { "from": "users", "to": "api", "timeout_ms": null, "latency": { "type": "constant", "ms": 0.0 } },
            { "from": "api", "to": "pgb", "timeout_ms": null, "latency": { "type": "constant", "ms": 0.0 } },
            { "from": "pgb", "to": "db", "timeout_ms": null, "latency": { "type": "constant", "ms": 0.0 } }
        ],
        "workloads": [{ "id": "w", "client": "users", "target": "api",
                        "arrival": { "type": "poisson", "rate_rps": rate } }]
    }))
    .unwrap()
}

fn run(s: &Scenario) -> (Sim, Report) {
    let mut sim = Sim::new(s).unwrap();
    let mut t = 0;
    while t < s.duration_ms {
        t += 100;
        sim.step_until(SimTime::from_millis(t));
        sim.audit().unwrap();
    }
    let r = sim.report();
    (sim, r)
}

fn pooler(r: &Report) -> PoolerReport {
    r.nodes.iter().find(|n| n.id == "pgb").unwrap().pooler.expect("a pooler reports")
}

#[test]
fn in_transaction_mode_a_thousand_clients_share_twenty_server_connections() {
    let (_, r) = run(&scenario("transaction", 800.0, 120_000, 10_000));
    let p = pooler(&r);
    let db = r.nodes.iter().find(|n| n.id == "db").unwrap().connections.expect("connections");
    println!("transaction mode at 800/s: {p:?}, {db:?}, {:?}", r.requests.failed);
    assert_eq!(p.client_connections_peak, 50 * 20, "every instance's pool connected");
    assert_eq!(p.client_connections_refused, 0);
    assert_eq!(p.server_connections_peak, 20);
    assert_eq!(db.peak, 20, "the database sees the pooler's 20, not the clients' 1,000");
    assert!(p.waited > 0, "at 80% of 1,000/s queries sometimes find all 20 busy");
    assert_eq!((p.wait_timeouts, r.requests.failed.total), (0, 0));
}

#[test]
fn the_wait_timeout_fails_queries_that_wait_too_long() {
    // 1,500 queries a second against 1,000 served: the queue grows until
    // queries wait 200 ms, then the excess, 500 a second, times out.
    let (secs, wait_ms) = (10u64, 200u64);
    let (sim, r) = run(&scenario("transaction", 1_500.0, wait_ms, secs * 1_000));
    let p = pooler(&r);
    let served = r.nodes.iter().find(|n| n.id == "db").unwrap().ok as f64;
    println!("transaction mode at 1,500/s: {p:?}, served {served}, failed {:?}", r.requests.failed);
    let capacity = 20.0 / 0.020;
    assert!((served / secs as f64 - capacity).abs() < 0.02 * capacity, "{served}");
    // The queue fills in about wait x capacity / excess = 0.4 s; after that every excess query times out.
    let expected = (1_500.0 - capacity) * (secs as f64 - 0.4);
    assert!(
        (p.wait_timeouts as f64 - expected).abs() < 0.1 * expected,
        "{} timeouts, expected {expected}",
        p.wait_timeouts
    );
    // The service answers its caller with a 5xx for each.
    assert_eq!(r.requests.failed.error_status, p.wait_timeouts);
    // Each failed after waiting the timeout: the pooler's failures took 200 ms.
    let failed_ms = r.nodes.iter().find(|n| n.id == "pgb").unwrap().failed_latency_ms.p50;
    assert!((failed_ms - wait_ms as f64).abs() < 2.0, "{failed_ms}");
    assert!(sim.totals().balanced());
}

#[test]
fn in_session_mode_only_as_many_clients_as_server_connections_get_in() {
    let (_, r) = run(&scenario("session", 100.0, 120_000, 2_000));
    let p = pooler(&r);
    let db = r.nodes.iter().find(|n| n.id == "db").unwrap().connections.expect("connections");
    println!("session mode: {p:?}, {db:?}");
    assert_eq!(p.client_connections_peak, 20);
    assert!(p.client_connections_refused >= 1_000 - 20);
    assert_eq!(db.peak, 20);
}
