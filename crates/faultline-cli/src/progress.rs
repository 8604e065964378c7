//! A progress bar for long runs, on standard error and only when it is a
//! terminal, so piped output and `--json` stay clean.

use faultline_sim::{Sim, SimTime};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Runs `sim` up to `stop`, drawing a bar if the run takes more than a moment.
pub fn run_to(sim: &mut Sim, stop: SimTime) {
    let stop = stop.min(sim.end());
    if !std::io::stderr().is_terminal() {
        sim.step_until(stop);
        return;
    }
    let started = Instant::now();
    let span = stop.0.saturating_sub(sim.now().0).max(1);
    let origin = sim.now().0;
    let mut drawn = false;
    while sim.now() < stop {
        let next = SimTime((sim.now().0 + span / 100).min(stop.0).max(sim.now().0 + 1));
        sim.step_until(next);
        if started.elapsed() > Duration::from_millis(300) {
            let done = (sim.now().0 - origin) as f64 / span as f64;
            let filled = (done * 30.0) as usize;
            eprint!(
                "\r[{}{}] {:>3.0}%  t = {:.1} s",
                "#".repeat(filled),
                " ".repeat(30 - filled.min(30)),
                done * 100.0,
                sim.now().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
            drawn = true;
        }
    }
    if drawn {
        eprintln!();
    }
}
