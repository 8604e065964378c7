//! Engine snapshots for the time scrubber.
//!
//! The engine is deterministic and `Clone`, so going back in time is:
//! restore the last snapshot at or before the target and simulate forward to
//! it. Snapshots are taken as the run passes each interval; their number is
//! bounded by a memory budget (each holds every node's histograms and series),
//! and when the budget is reached every other one is dropped and the interval
//! doubles, so a long run keeps evenly spread snapshots.

use faultline_sim::{Sim, SimTime};

/// Memory the snapshots may use, roughly.
const BUDGET_BYTES: usize = 96 << 20;
/// Rough size of one node's or edge's metrics in a snapshot: the run's HDR
/// histogram of successes (about 27 KB at two significant digits over an
/// hour of microseconds), the open window's latencies (a list of up to 16 KB,
/// or a second histogram once a busy window spills), and the series (600
/// windows, about 43 KB); a part that has had failures keeps a histogram and
/// a list for them too (up to about 43 KB more).
const BYTES_PER_PART: usize = 140 << 10;
/// Interval between snapshots of a fresh run, per node or edge: a big
/// topology is copied less often (each copy of 600 parts costs ~60 MB of
/// memcpy and milliseconds of frame time).
const INTERVAL_MS_PER_PART: f64 = 4.0;
/// Interval between snapshots of a small fresh run.
const FIRST_INTERVAL_MS: f64 = 1_000.0;

pub struct Snapshots {
    taken: Vec<(f64, Sim)>,
    every_ms: f64,
    max: usize,
}

impl Snapshots {
    /// Starts with a snapshot of `sim` (normally at t = 0).
    pub fn new(sim: &Sim) -> Snapshots {
        let parts = sim.scenario().nodes.len() + sim.scenario().edges.len() + 1;
        let max = (BUDGET_BYTES / (parts * BYTES_PER_PART)).clamp(4, 120);
        let every_ms = FIRST_INTERVAL_MS.max(INTERVAL_MS_PER_PART * parts as f64);
        Snapshots { taken: vec![(sim.now().as_millis_f64(), sim.clone())], every_ms, max }
    }

    /// Called after the engine advances: snapshots it if an interval has passed.
    pub fn observe(&mut self, sim: &Sim) {
        let now = sim.now().as_millis_f64();
        let last = self.taken.last().map_or(f64::MIN, |s| s.0);
        if now < last + self.every_ms {
            return;
        }
        self.taken.push((now, sim.clone()));
        if self.taken.len() > self.max {
            let mut k = 0;
            self.taken.retain(|_| {
                k += 1;
                k % 2 == 1
            });
            self.every_ms *= 2.0;
        }
    }

    /// Forgets snapshots after `t_ms` (the run's future changed there).
    pub fn truncate_after(&mut self, t_ms: f64) {
        self.taken.retain(|s| s.0 <= t_ms);
    }

    /// Puts faults injected into the running engine on every snapshot's
    /// timeline too (all snapshots are earlier: call `truncate_after` first),
    /// so scrubbing back and playing on replays them.
    pub fn inject(&mut self, faults: &[faultline_sim::scenario::Fault]) {
        for (_, sim) in &mut self.taken {
            for f in faults {
                // The engine accepted it already; a snapshot holds the same document.
                let _ = sim.inject(f.clone());
            }
        }
    }

    /// The engine as it was at `t_ms`: the nearest earlier snapshot, run forward.
    pub fn restore(&self, t_ms: f64) -> Option<Sim> {
        let (_, base) = self.taken.iter().rev().find(|s| s.0 <= t_ms)?;
        let mut sim = base.clone();
        sim.step_until(SimTime((t_ms * 1_000.0).round() as u64));
        Some(sim)
    }

    pub fn len(&self) -> usize {
        self.taken.len()
    }

    pub fn is_empty(&self) -> bool {
        self.taken.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    #[test]
    fn restoring_an_earlier_moment_reproduces_it_exactly() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        let mut snaps = Snapshots::new(&sim);
        let mut at_2500 = None;
        for step in 1..=60 {
            sim.step_until(SimTime::from_millis(step * 100));
            snaps.observe(&sim);
            if step == 25 {
                at_2500 = Some((sim.view(), sim.trace_hash()));
            }
        }
        assert!(snaps.len() >= 5, "a snapshot per simulated second: {}", snaps.len());
        let back = snaps.restore(2_500.0).unwrap();
        assert_eq!(Some((back.view(), back.trace_hash())), at_2500);
    }

    #[test]
    fn the_budget_thins_snapshots_evenly() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        let mut snaps = Snapshots::new(&sim);
        snaps.max = 6;
        for s in 1..=20 {
            sim.step_until(SimTime::from_millis(s * 1_000));
            snaps.observe(&sim);
        }
        assert!(snaps.len() <= 6);
        assert_eq!(snaps.taken[0].0, 0.0, "t = 0 is always kept");
        snaps.truncate_after(4_000.0);
        assert!(snaps.taken.iter().all(|s| s.0 <= 4_000.0));
    }
}
