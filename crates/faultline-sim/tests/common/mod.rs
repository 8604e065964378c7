//! Scenario builders shared by the engine's integration tests.
#![allow(dead_code, unused_imports)]

use faultline_sim::scenario::*;

pub use faultline_sim::scenario::generated::mmc;

pub fn node(id: &str, kind: NodeKind) -> Node {
    Node { id: id.into(), name: String::new(), region: None, zone: None, x: 0.0, y: 0.0, kind }
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

/// The event log at node `index` of a running simulation (panics if that
/// node is not a log: a test's own scenario put it there).
pub fn log_at(sim: &faultline_sim::Sim, index: usize) -> &faultline_sim::nodes::LogRt {
    match &sim.node(index).behaviour {
        faultline_sim::nodes::Behaviour::Log(l) => l,
        _ => unreachable!("node {index} is the log"),
    }
}
