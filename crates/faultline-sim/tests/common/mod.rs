//! Scenario builders shared by the engine's integration tests.
#![allow(dead_code)]

use faultline_sim::scenario::*;
use faultline_sim::Dist;

/// Poisson clients -> one service with `c` workers and exponential work:
/// an M/M/c queue (unbounded in practice), with instantaneous network hops.
pub fn mmc(c: u32, rho: f64, mean_service_ms: f64, duration_ms: u64, seed: u64) -> Scenario {
    let lambda_rps = rho * f64::from(c) * 1_000.0 / mean_service_ms;
    let mut edge = Edge::new("client", "svc");
    edge.latency = Dist::constant(0.0);
    edge.timeout_ms = None;
    Scenario {
        version: SCENARIO_VERSION,
        name: format!("M/M/{c} at rho {rho}"),
        seed,
        duration_ms,
        nodes: vec![
            node("client", NodeKind::Client(ClientConfig {})),
            node(
                "svc",
                NodeKind::Service(ServiceConfig {
                    workers: c,
                    queue_capacity: 1_000_000,
                    service_time: Dist::exponential(mean_service_ms),
                    calls: vec![],
                    fanout: Fanout::Sequential,
                }),
            ),
        ],
        edges: vec![edge],
        workloads: vec![Workload {
            id: "load".into(),
            client: "client".into(),
            target: "svc".into(),
            arrival: Arrival::Poisson {
                rate_rps: lambda_rps,
            },
            ops: vec![],
            keys: Keys::default(),
        }],
    }
}

pub fn node(id: &str, kind: NodeKind) -> Node {
    Node {
        id: id.into(),
        name: String::new(),
        region: None,
        zone: None,
        x: 0.0,
        y: 0.0,
        kind,
    }
}

/// Erlang C: (probability of waiting, mean wait Wq, mean time in system W),
/// with time in units of the mean service time (mu = 1).
pub fn erlang_c(c: u32, rho: f64) -> (f64, f64, f64) {
    let a = rho * f64::from(c);
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let a_c = term * a / f64::from(c); // a^c / c!
    let tail = a_c * f64::from(c) / (f64::from(c) - a);
    let p_wait = tail / (sum + tail);
    let wq = p_wait / (f64::from(c) - a);
    (p_wait, wq, wq + 1.0)
}
