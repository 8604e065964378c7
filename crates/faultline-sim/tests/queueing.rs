//! The engine against queueing theory: M/M/c stations must match Erlang C,
//! and Little's law must hold on what the node metrics report.

mod common;

use common::{erlang_c, mmc};
use faultline_sim::Sim;

#[test]
fn erlang_c_formula_matches_the_worked_table() {
    // REFERENCE.md's worked values, recomputed (guards the test's own maths).
    for (c, rho, p, wq, w) in [
        (1, 0.5, 0.5, 1.0, 2.0),
        (1, 0.9, 0.9, 9.0, 10.0),
        (2, 0.8, 0.7111, 1.7778, 2.7778),
        (4, 0.9, 0.7878, 1.9694, 2.9694),
        (16, 0.9, 0.5913, 0.3696, 1.3696),
    ] {
        let (gp, gwq, gw) = erlang_c(c, rho);
        assert!((gp - p).abs() < 1e-3 && (gwq - wq).abs() < 1e-3 && (gw - w).abs() < 1e-3, "c={c} rho={rho}");
    }
}

/// Mean time in system over several seeds, in units of the mean service time.
fn simulated_w(c: u32, rho: f64, requests_per_seed: f64, seeds: u64) -> (f64, f64) {
    let mean_service_ms = 10.0;
    let lambda_per_ms = rho * f64::from(c) / mean_service_ms;
    let duration_ms = (requests_per_seed / lambda_per_ms) as u64;
    let mut ws = Vec::new();
    let mut little = Vec::new();
    for seed in 1..=seeds {
        let mut sim = Sim::new(&mmc(c, rho, mean_service_ms, duration_ms, seed)).unwrap();
        sim.run();
        let m = sim.node_metrics(1);
        let w_ms = m.mean_us() / 1e3;
        ws.push(w_ms / mean_service_ms);
        // Little: time-average number in system = arrival rate x mean time in system.
        let (l, _) = sim.node_occupancy(1);
        let lambda_obs = m.arrivals as f64 / duration_ms as f64;
        little.push(l / (lambda_obs * w_ms));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    (mean(&ws), mean(&little))
}

#[test]
fn mm1_and_mmc_mean_latency_match_erlang_c() {
    // Tolerances: 2% at moderate load, 5% at rho = 0.9 (slow convergence, see REFERENCE.md).
    for (c, rho, tol) in [(1, 0.5, 0.02), (2, 0.8, 0.04), (4, 0.9, 0.05), (16, 0.9, 0.05), (1, 0.9, 0.06)] {
        let (_, _, w) = erlang_c(c, rho);
        let (got, little) = simulated_w(c, rho, 400_000.0, 3);
        let err = (got - w).abs() / w;
        eprintln!(
            "M/M/{c} rho={rho}: W theory {w:.4} sim {got:.4} err {:.2}%  Little L/(lambda W) {little:.4}",
            err * 100.0
        );
        assert!(err < tol, "M/M/{c} at rho {rho}: W = {got:.4}, Erlang C says {w:.4}");
        assert!((little - 1.0).abs() < 0.01, "Little's law off: {little}");
    }
}
