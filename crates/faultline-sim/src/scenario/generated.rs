//! Scenarios built by code: the queueing-theory references the tests check
//! against, and the large topologies the benchmarks run.
//!
//! Builders go through JSON (`serde_json::json!`) where that keeps them
//! independent of fields added later with defaults.

use super::*;

/// Poisson clients -> one service with `c` workers and exponential work of
/// mean `mean_service_ms`: an M/M/c queue (queue capacity one million, so
/// unbounded in practice) with instantaneous network hops and no timeout.
pub fn mmc(c: u32, rho: f64, mean_service_ms: f64, duration_ms: u64, seed: u64) -> Scenario {
    let lambda_rps = rho * f64::from(c) * 1_000.0 / mean_service_ms;
    let doc = serde_json::json!({
        "version": SCENARIO_VERSION,
        "name": format!("M/M/{c} at rho {rho}"),
        "seed": seed,
        "duration_ms": duration_ms,
        "nodes": [
            { "id": "client", "kind": { "type": "client" } },
            { "id": "svc", "kind": { "type": "service", "workers": c, "queue_capacity": 1_000_000,
                "service_time": { "type": "exponential", "mean_ms": mean_service_ms } } }
        ],
        "edges": [
            { "from": "client", "to": "svc", "latency": { "type": "constant", "ms": 0.0 }, "timeout_ms": null }
        ],
        "workloads": [
            { "id": "load", "client": "client", "target": "svc",
              "arrival": { "type": "poisson", "rate_rps": lambda_rps } }
        ]
    });
    serde_json::from_str(&doc.to_string()).expect("the M/M/c builder writes a valid document")
}

/// `mmc` run long enough for about `requests` requests (arrivals are Poisson,
/// so the count varies by about its square root): what the benchmarks use to
/// compare engines per request.
pub fn mmc_for_requests(c: u32, rho: f64, mean_service_ms: f64, requests: u64, seed: u64) -> Scenario {
    let lambda_per_ms = rho * f64::from(c) / mean_service_ms;
    let duration_ms = (requests as f64 / lambda_per_ms).ceil() as u64;
    mmc(c, rho, mean_service_ms, duration_ms.max(1), seed)
}

/// Service layers in a `layered` topology (the depth of every call tree).
pub const LAYERS: u32 = 4;

/// A fan-out topology of about `nodes` nodes, for benchmarks.
///
/// One client, then `LAYERS` layers of equally many services, then the
/// databases (about a tenth of the nodes). Service `j` of a layer calls
/// services `j*f .. j*f+f` (mod the width) of the next layer, all at once
/// (`"fanout": "parallel"`), and the last layer calls `f` databases the same
/// way, so every node gets the same share of its layer's load. The client has
/// one Poisson workload per service of the first layer (up to the workload
/// limit). A request is therefore a tree of `1 + f + ... + f^LAYERS` calls:
/// 31 for `f = 2`.
///
/// Per call: exponential work (1 ms in a service, 2 ms on a database), a
/// constant 0.25 ms one-way network hop and a 1 s timeout that never fires at
/// this load. The load is 100 requests/s per first-layer service, and every
/// pool is sized from Little's law for a utilisation of at most about 0.5
/// (measured at 200 nodes, fan-out 2: 0.24 in the first layer, 0.44 in the
/// last, 0.48 on the databases), so this is a throughput benchmark, not an
/// overload one: every request succeeds.
///
/// `nodes` is raised to at least `LAYERS + 2`; `fanout` is clamped to
/// `1..=min(width, databases, 8)` (at 8 a request is already 4,681 calls).
/// The node count is exactly `nodes`.
pub fn layered(nodes: u32, fanout: u32, seed: u64, duration_ms: u64) -> Scenario {
    const SERVICE_MS: f64 = 1.0;
    const QUERY_MS: f64 = 2.0;
    const HOP_MS: f64 = 0.25;
    const ENTRY_RPS: f64 = 100.0;
    const TARGET_UTILISATION: f64 = 0.5;
    let n = nodes.max(LAYERS + 2);
    let width = (n - 1 - ((n - 1) / 10).max(1)) / LAYERS;
    let databases = n - 1 - LAYERS * width;
    let f = fanout.clamp(1, width.min(databases).min(8));
    let entries = width.min(LIMITS.max_workloads as u32);
    let total_rps = ENTRY_RPS * f64::from(entries);
    let fan = f64::from(f);
    // Expected slowest of `f` parallel calls, as a multiple of one call's time
    // (exact for exponential times: the harmonic number H_f); an overestimate
    // higher up the tree, which only makes the pools larger.
    let slowest: f64 = (1..=f).map(|k| 1.0 / f64::from(k)).sum();
    let pool = |rate_rps: f64, residence_ms: f64| -> u32 {
        let busy = rate_rps * residence_ms / 1_000.0;
        ((busy / TARGET_UTILISATION).ceil() as u32 + 1).min(LIMITS.max_workers)
    };
    let svc = |layer: u32, j: u32| format!("svc-{layer}-{j}");

    let mut node_docs = vec![serde_json::json!({
        "id": "client", "x": 0.0, "y": 0.0, "kind": { "type": "client" }
    })];
    let mut edge_docs = Vec::new();
    let edge = |from: &str, to: &str| {
        serde_json::json!({
            "from": from, "to": to,
            "latency": { "type": "constant", "ms": HOP_MS },
            "timeout_ms": 1_000.0
        })
    };
    // Residence time of a call at each layer (work, then the slowest of the
    // downstream calls, each a round trip), computed from the bottom up.
    let mut residence_ms = vec![0.0; LAYERS as usize];
    let mut below_ms = QUERY_MS;
    for layer in (0..LAYERS).rev() {
        residence_ms[layer as usize] = SERVICE_MS + slowest * (2.0 * HOP_MS + below_ms);
        below_ms = residence_ms[layer as usize];
    }
    for layer in 0..LAYERS {
        let rate = total_rps * libm::pow(fan, f64::from(layer)) / f64::from(width);
        let workers = pool(rate, residence_ms[layer as usize]);
        for j in 0..width {
            let id = svc(layer, j);
            let targets: Vec<String> = (0..f)
                .map(|k| {
                    if layer + 1 < LAYERS {
                        svc(layer + 1, (j * f + k) % width)
                    } else {
                        format!("db-{}", (j * f + k) % databases)
                    }
                })
                .collect();
            for t in &targets {
                edge_docs.push(edge(&id, t));
            }
            let calls: Vec<_> = targets.iter().map(|t| serde_json::json!({ "to": t })).collect();
            node_docs.push(serde_json::json!({
                "id": id, "x": 250.0 * f64::from(layer + 1), "y": 40.0 * f64::from(j),
                "kind": { "type": "service", "workers": workers, "queue_capacity": 1_000,
                    "service_time": { "type": "exponential", "mean_ms": SERVICE_MS },
                    "calls": calls, "fanout": "parallel" }
            }));
        }
    }
    let db_rate = total_rps * libm::pow(fan, f64::from(LAYERS)) / f64::from(databases);
    // Half the connections busy stretches queries by 1 + 0.5 * 0.5^2.
    let connections = pool(db_rate, QUERY_MS * 1.125);
    for k in 0..databases {
        node_docs.push(serde_json::json!({
            "id": format!("db-{k}"), "x": 250.0 * f64::from(LAYERS + 1), "y": 40.0 * f64::from(k),
            "kind": { "type": "database", "max_connections": connections, "queue_capacity": 1_000,
                "query_time": { "type": "exponential", "mean_ms": QUERY_MS }, "saturation": 0.5 }
        }));
    }
    let mut workloads = Vec::new();
    for j in 0..entries {
        let target = svc(0, j);
        edge_docs.push(edge("client", &target));
        workloads.push(serde_json::json!({
            "id": format!("load-{j}"), "client": "client", "target": target,
            "arrival": { "type": "poisson", "rate_rps": ENTRY_RPS }
        }));
    }
    let doc = serde_json::json!({
        "version": SCENARIO_VERSION,
        "name": format!("{n} nodes, {LAYERS} layers, fan-out {f}"),
        "seed": seed,
        "duration_ms": duration_ms,
        "nodes": node_docs,
        "edges": edge_docs,
        "workloads": workloads
    });
    serde_json::from_str(&doc.to_string()).expect("the layered builder writes a valid document")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mmc_is_valid() {
        let s = mmc(4, 0.9, 10.0, 1_000, 1);
        s.validate().unwrap();
        assert_eq!(s.workloads[0].arrival.rate_rps(), 360.0);
    }

    #[test]
    fn mmc_for_requests_runs_about_that_many() {
        let s = mmc_for_requests(8, 0.9, 1.0, 72_000, 1);
        assert_eq!(s.duration_ms, 10_000);
        let mut sim = crate::Sim::new(&s).unwrap();
        sim.run();
        let n = sim.totals().generated as f64;
        assert!((n - 72_000.0).abs() < 5.0 * 72_000f64.sqrt(), "{n}");
    }

    #[test]
    fn layered_is_valid_with_the_requested_node_count() {
        for (nodes, fanout) in [(200, 2), (6, 2), (37, 3), (1_000, 2), (200, 40)] {
            let s = layered(nodes, fanout, 7, 1_000);
            s.validate().unwrap();
            assert_eq!(s.nodes.len(), nodes as usize, "{nodes} nodes, fan-out {fanout}");
        }
        let s = layered(200, 2, 7, 1_000);
        let parallel = s
            .nodes
            .iter()
            .filter(|n| match &n.kind {
                NodeKind::Service(c) => c.fanout == Fanout::Parallel && c.calls.len() == 2,
                _ => false,
            })
            .count();
        assert_eq!(parallel, 4 * 45);
        assert_eq!(s.workloads.len(), 45);
    }

    #[test]
    fn layered_is_a_throughput_load_every_request_succeeds() {
        let mut sim = crate::Sim::new(&layered(200, 2, 3, 2_000)).unwrap();
        sim.run();
        let t = sim.totals();
        assert!(t.generated > 8_000, "{t:?}");
        assert_eq!(t.failed_total(), 0, "{t:?}");
        assert!(t.balanced());
    }
}
