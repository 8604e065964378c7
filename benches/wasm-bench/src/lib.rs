//! The engine's benchmark models behind one function each, compiled both
//! natively and to wasm32, so `compare-wasm.sh` times the same code on both.
//!
//! Each function builds its scenario, runs it to the end and returns what it
//! simulated; the caller times the whole call (set-up is microseconds).

use faultline_sim::scenario::generated::mmc_for_requests;
use faultline_sim::Sim;
use wasm_bindgen::prelude::wasm_bindgen;

/// Seed of every benchmark run, so every target simulates the same events.
pub const SEED: u64 = 42;

/// What one run simulated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub events: u64,
    /// Requests completed (there are no failures in these models).
    pub requests: u64,
    /// Mean time in system, in milliseconds.
    pub mean_latency_ms: f64,
    /// Hash of the event trace: equal on every target for equal inputs.
    pub trace_hash: u64,
}

/// M/M/c at utilisation `rho`, 1 ms mean service, about `requests` requests.
pub fn run_mmc(c: u32, rho: f64, requests: u64) -> Outcome {
    let scenario = mmc_for_requests(c, rho, 1.0, requests, SEED);
    let mut sim = Sim::new(&scenario).expect("the benchmark scenario is valid");
    let events = sim.run();
    let totals = sim.totals();
    Outcome {
        events,
        requests: totals.ok + totals.failed_total(),
        mean_latency_ms: sim.overall_metrics().mean_us() / 1_000.0,
        trace_hash: sim.trace_hash(),
    }
}

/// The M/M/1 microbenchmark (rho 0.8); returns the events simulated.
#[wasm_bindgen]
pub fn mm1(requests: u32) -> f64 {
    run_mmc(1, 0.8, u64::from(requests)).events as f64
}

/// M/M/c; returns `[events, requests, mean latency in ms, trace hash as a
/// hex string]` joined by spaces (a trace hash does not fit in an f64).
#[wasm_bindgen]
pub fn mmc(c: u32, rho: f64, requests: u32) -> String {
    let o = run_mmc(c, rho, u64::from(requests));
    format!("{} {} {} {:016x}", o.events, o.requests, o.mean_latency_ms, o.trace_hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mm1_simulates_two_events_per_request() {
        // An arrival and the end of its work: the zero-latency delivery and
        // response are handled in line, not as events.
        let o = run_mmc(1, 0.8, 20_000);
        assert!(o.requests > 19_000 && o.requests < 21_000, "{o:?}");
        assert!(o.events >= o.requests * 2 && o.events < o.requests * 2 + 100, "{o:?}");
        assert_eq!(mm1(20_000), o.events as f64);
    }
}
