//! Keeping the simulation in step with the wall clock.
//!
//! While playing, every wall millisecond owes `speed` simulated milliseconds.
//! The driver pays that debt in slices between which it checks a budget of
//! wall time, so it can answer the page (or, in-page, leave the frame to
//! drawing) however heavy the design is. Slices are sized from how long the
//! last ones took, aiming at about a millisecond each: a fixed share of the
//! debt per slice overshoots the budget badly on a heavy design. A design too
//! heavy for the speed asked runs slower, and the debt it cannot pay is
//! dropped rather than paid later in a burst; the achieved speed says so.
//! Slicing changes nothing in the run: stepping in any slices gives the same
//! trace (the engine's determinism tests hold it to that).

use faultline_sim::Sim;

/// Longest wall-clock gap that counts, in milliseconds (a tab coming back
/// from the background must not try to simulate minutes at once).
pub const MAX_GAP_MS: f64 = 100.0;
/// Wall time one slice should take, in milliseconds.
const SLICE_TARGET_MS: f64 = 1.0;
/// How long the achieved speed is averaged over, in wall milliseconds.
const ACHIEVED_WINDOW_MS: f64 = 500.0;

#[derive(Clone, Debug)]
pub struct Pacer {
    speed: f64,
    /// Simulated microseconds owed.
    due_us: f64,
    last_wall_ms: Option<f64>,
    /// Simulated microseconds per slice, learned.
    slice_us: u64,
    /// Simulated and wall time since the achieved speed was last measured.
    window: (f64, f64),
    achieved: f64,
}

impl Pacer {
    /// A pacer for `speed` whose clock starts at wall time `wall_ms`
    /// (`None`: at its first `run`).
    pub fn new(speed: f64, wall_ms: Option<f64>) -> Pacer {
        Pacer { speed, due_us: 0.0, last_wall_ms: wall_ms, slice_us: 1_000, window: (0.0, 0.0), achieved: speed }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated seconds per wall second actually achieved lately.
    pub fn achieved(&self) -> f64 {
        self.achieved
    }

    /// Advances `sim` by what the wall clock owes at `wall_ms`, until `clock()`
    /// says `budget_ms` have passed. Returns the simulated microseconds advanced.
    pub fn run(&mut self, sim: &mut Sim, wall_ms: f64, budget_ms: f64, clock: &dyn Fn() -> f64) -> u64 {
        let gap = self.last_wall_ms.map_or(0.0, |last| (wall_ms - last).clamp(0.0, MAX_GAP_MS));
        self.last_wall_ms = Some(wall_ms);
        // Never owe more than one longest gap's worth: what could not be paid is dropped.
        self.due_us = (self.due_us + gap * self.speed * 1_000.0).min(MAX_GAP_MS * self.speed * 1_000.0);
        let from = sim.now().micros();
        let start = clock();
        while self.due_us >= 1.0 && !sim.is_finished() {
            let step = self.slice_us.min(self.due_us as u64).max(1);
            let t0 = clock();
            let before = sim.now();
            sim.step_until(before.plus(step));
            let took = clock() - t0;
            self.due_us -= (sim.now().micros() - before.micros()) as f64;
            // Learn the slice size: about SLICE_TARGET_MS of wall time each.
            if took < SLICE_TARGET_MS / 2.0 {
                self.slice_us = self.slice_us.saturating_mul(2).min(60_000_000);
            } else if took > SLICE_TARGET_MS * 2.0 {
                self.slice_us = (self.slice_us / 2).max(1);
            }
            if clock() - start >= budget_ms {
                break;
            }
        }
        let done = sim.now().micros() - from;
        self.window.0 += done as f64;
        self.window.1 += gap;
        if self.window.1 >= ACHIEVED_WINDOW_MS {
            self.achieved = self.window.0 / 1_000.0 / self.window.1;
            self.window = (0.0, 0.0);
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::{slice_scenario, SimTime};
    use std::cell::Cell;

    #[test]
    fn pays_what_the_wall_clock_owes_times_the_speed() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        let mut p = Pacer::new(2.0, None);
        let free = || 0.0;
        assert_eq!(p.run(&mut sim, 1_000.0, 8.0, &free), 0, "the first call only starts the clock");
        assert_eq!(p.run(&mut sim, 1_016.0, 8.0, &free), 32_000);
        assert_eq!(sim.now(), SimTime(32_000));
        // A long gap counts as MAX_GAP_MS only.
        p.run(&mut sim, 60_000.0, 8.0, &free);
        assert_eq!(sim.now(), SimTime(32_000 + 200_000));
    }

    #[test]
    fn a_spent_budget_stops_early_drops_the_debt_and_changes_nothing_in_the_run() {
        let mut slow = Sim::new(&slice_scenario()).unwrap();
        // A clock where every reading costs 1 ms: slices are "slow", so they shrink.
        let t = Cell::new(0.0);
        let clock = || {
            t.set(t.get() + 1.0);
            t.get()
        };
        let mut p = Pacer::new(100.0, None);
        p.run(&mut slow, 0.0, 8.0, &clock);
        let done = p.run(&mut slow, 100.0, 8.0, &clock);
        assert!(done > 0 && done < 10_000_000, "stopped by the budget: {done}");
        let mut whole = Sim::new(&slice_scenario()).unwrap();
        whole.step_until(slow.now());
        assert_eq!(whole.trace_hash(), slow.trace_hash());
        // The owed time is capped at one longest gap.
        assert!(p.due_us <= MAX_GAP_MS * 100.0 * 1_000.0);
    }

    #[test]
    fn the_achieved_speed_is_measured_over_wall_time() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        let mut p = Pacer::new(3.0, None);
        let free = || 0.0;
        for k in 0..=40 {
            p.run(&mut sim, f64::from(k) * 16.0, 8.0, &free);
        }
        assert!((p.achieved() - 3.0).abs() < 1e-9, "{}", p.achieved());
    }
}
