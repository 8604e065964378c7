//! The engine against queueing theory: M/M/c stations must match Erlang C
//! in the mean, in the probability of waiting and in the whole distribution
//! of the time in system, serve in arrival order, and Little's law must hold
//! on what the node metrics report.

mod common;

use common::{erlang_c, mmc};
use faultline_sim::metrics::Metrics;
use faultline_sim::Sim;

#[test]
fn erlang_c_formula_matches_the_worked_table() {
    // Erlang C's textbook values for mu = 1 (P(wait), Wq, W), recomputed here
    // (guards the test's own maths).
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
    // Tolerances: 2% at moderate load, 5% at rho = 0.9 (at rho = 0.9 a 1M-request M/M/1 run converges only to within ~5% of W).
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

// Means alone cannot tell FIFO from LIFO (both give the same mean time in
// system): the tests below check the whole distribution and the order.

/// 999 quantiles (q = 0.001 .. 0.999) of a node's whole-run latency, in
/// units of `unit_us`.
fn quantiles(m: &Metrics, unit_us: f64) -> Vec<(f64, f64)> {
    let qs: [f64; 999] = std::array::from_fn(|i| (i + 1) as f64 / 1_000.0);
    let (xs, _) = m.quantiles_us(qs);
    qs.iter().zip(xs).map(|(&q, x)| (q, x as f64 / unit_us)).collect()
}

/// Kolmogorov-Smirnov distance between the run's latencies and `cdf`, read
/// at the histogram's quantiles: max |F(x_q) - q|. The histogram keeps two
/// significant digits (values within 1%), which moves F by at most
/// max(f(x) x) / 100 < 0.004 for these distributions.
fn ks_distance(qs: &[(f64, f64)], cdf: impl Fn(f64) -> f64) -> f64 {
    qs.iter().map(|&(q, x)| (cdf(x) - q).abs()).fold(0.0, f64::max)
}

/// The empirical P(T <= t), from the quantiles.
fn empirical_cdf(qs: &[(f64, f64)], t: f64) -> f64 {
    qs.iter().take_while(|&&(_, x)| x <= t).last().map_or(0.0, |&(q, _)| q)
}

/// P(T > t) for the time in system of M/M/c FIFO, in units of the mean
/// service time (mu = 1): T = S + W, S ~ Exp(1) and W = 0 with probability
/// 1 - C, else Exp(theta) with theta = c - a (Erlang C: Kleinrock, Queueing
/// Systems vol. 1, section 3.5; Gross & Harris, Fundamentals of Queueing
/// Theory, section 2.3). Convolving: e^-t + C (e^-t - e^-theta t) / (theta - 1).
fn mmc_sojourn_tail(c: u32, rho: f64, t: f64) -> f64 {
    let (p_wait, _, _) = erlang_c(c, rho);
    let theta = f64::from(c) * (1.0 - rho);
    let s = libm::exp(-t);
    if (theta - 1.0).abs() < 1e-9 {
        s + p_wait * t * s
    } else {
        s + p_wait * (s - libm::exp(-theta * t)) / (theta - 1.0)
    }
}

fn run_mmc(c: u32, rho: f64, requests: f64, seed: u64) -> Sim {
    let mean_service_ms = 10.0;
    let duration_ms = (requests * mean_service_ms / (rho * f64::from(c))) as u64;
    let mut sim = Sim::new(&mmc(c, rho, mean_service_ms, duration_ms, seed)).unwrap();
    sim.run();
    sim
}

/// M/M/1 FIFO: the time in system is exponential with rate mu - lambda
/// (Kleinrock vol. 1, eq. 3.27). A LIFO queue has the same mean but not this
/// distribution: with the pool made LIFO the distance was 0.056 at rho 0.5,
/// against at most 0.017 for FIFO over six seeds of each load.
#[test]
fn mm1_time_in_system_is_exponential_with_rate_mu_minus_lambda() {
    for (rho, seeds) in [(0.5, [1u64, 2, 3]), (0.8, [4, 5, 6])] {
        for seed in seeds {
            let sim = run_mmc(1, rho, 200_000.0, seed);
            let qs = quantiles(sim.node_metrics(1), 10_000.0);
            let d = ks_distance(&qs, |t| 1.0 - libm::exp(-(1.0 - rho) * t));
            eprintln!("M/M/1 rho={rho} seed {seed}: KS distance {d:.4} over {} requests", sim.node_metrics(1).ok);
            assert!(d < 0.025, "M/M/1 rho={rho} seed {seed}: KS distance {d:.4} from Exp(mu - lambda)");
        }
    }
}

/// M/M/c FIFO: the probability of waiting is Erlang C, and the whole
/// time-in-system distribution follows from it. The probability of waiting is
/// read off the run as the C that makes the formula's P(T > t) match the
/// run's, at the t where P(T > t) depends most on C: the maximum of
/// (e^-t - e^-theta t) / (theta - 1), t* = ln(theta) / (theta - 1).
#[test]
fn mmc_probability_of_waiting_is_erlang_c_and_the_distribution_matches() {
    for (c, rho, seed) in [(2, 0.8, 7u64), (4, 0.9, 8), (16, 0.8, 9), (4, 0.6, 10)] {
        let sim = run_mmc(c, rho, 400_000.0, seed);
        let qs = quantiles(sim.node_metrics(1), 10_000.0);
        let d = ks_distance(&qs, |t| 1.0 - mmc_sojourn_tail(c, rho, t));
        let (p_wait, _, _) = erlang_c(c, rho);
        let theta = f64::from(c) * (1.0 - rho);
        let t = if (theta - 1.0).abs() < 1e-9 { 1.0 } else { libm::log(theta) / (theta - 1.0) };
        let s = libm::exp(-t);
        let per_c = if (theta - 1.0).abs() < 1e-9 { t * s } else { (s - libm::exp(-theta * t)) / (theta - 1.0) };
        let estimate = (1.0 - empirical_cdf(&qs, t) - s) / per_c;
        eprintln!(
            "M/M/{c} rho={rho}: KS distance {d:.4}; P(wait) Erlang C {p_wait:.4}, from the run {estimate:.4} (t = {t:.2})"
        );
        assert!(d < 0.03, "M/M/{c} rho={rho}: KS distance {d:.4}");
        // Over seven seeds the estimate was within 0.025 of Erlang C (the
        // histogram's rounding biases it up by about 0.01); a LIFO pool gave
        // 0.41 for M/M/2 at rho 0.8 (KS distance 0.17).
        assert!((estimate - p_wait).abs() < 0.04, "M/M/{c} rho={rho}: P(wait) {estimate:.4} vs Erlang C {p_wait:.4}");
    }
}

/// First come, first served, exactly: requests every 1 ms, each taking 2 ms
/// on one worker. The k-th request (from 0) arrives at 1 + k ms, starts at
/// 1 + 2k and leaves at 3 + 2k, so it spends k + 2 ms: the requests finished
/// in the first second spent 2, 3, ..., 500 ms, one each. LIFO would serve the
/// newest first (p50 about 3 ms).
#[test]
fn a_single_worker_serves_in_arrival_order() {
    let doc = serde_json::json!({
        "version": faultline_sim::SCENARIO_VERSION, "name": "fifo", "seed": 1, "duration_ms": 1_000,
        "nodes": [
            { "id": "client", "kind": { "type": "client" } },
            { "id": "svc", "kind": { "type": "service", "workers": 1, "queue_capacity": 1_000_000,
                "service_time": { "type": "constant", "ms": 2.0 } } }
        ],
        "edges": [{ "from": "client", "to": "svc", "latency": { "type": "constant", "ms": 0.0 }, "timeout_ms": null }],
        "workloads": [{ "id": "load", "client": "client", "target": "svc",
            "arrival": { "type": "constant", "rate_rps": 1_000.0 } }]
    });
    let mut sim = Sim::new(&serde_json::from_str(&doc.to_string()).unwrap()).unwrap();
    sim.run();
    let m = sim.node_metrics(1);
    let n = m.ok;
    assert_eq!(n, 499, "requests 0..=498 leave by 999 ms");
    for q in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0] {
        // The ceil(q n)-th smallest latency is that request's: (k + 2) ms, k = ceil(q n) - 1.
        let k = (q * n as f64).ceil() as u64 - 1;
        let want_us = (k + 2) * 1_000;
        let got_us = m.quantile_us(q);
        assert!((got_us as f64 / want_us as f64 - 1.0).abs() < 0.01, "q {q}: {got_us} us, FIFO gives {want_us} us");
    }
}
