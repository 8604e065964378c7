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
    serde_json::from_value(doc).expect("the M/M/c builder writes a valid document")
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
}
