//! Runs the 200-node layered benchmark topology once, for profilers:
//! `cargo run --release -p faultline-sim --example layered [SECONDS] [--no-timeouts]`.

use faultline_sim::scenario::generated::layered;
use faultline_sim::Sim;
use std::time::Instant;

fn main() {
    let secs: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let mut scenario = layered(200, 2, 42, secs * 1_000);
    if std::env::args().any(|a| a == "--no-timeouts") {
        scenario.edges.iter_mut().for_each(|e| e.timeout_ms = None);
    }
    let mut sim = Sim::new(&scenario).expect("valid");
    let start = Instant::now();
    let events = sim.run();
    let wall = start.elapsed().as_secs_f64();
    println!(
        "{events} events in {wall:.2} s: {:.2} M events/s, {:.2} simulated s per wall s",
        events as f64 / wall / 1e6,
        secs as f64 / wall
    );
}
