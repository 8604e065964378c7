//! Injecting faults into the running engine.
//!
//! A fault "now" goes on the scenario's timeline at the next whole
//! millisecond (the engine has already run the current one), into the running
//! engine and into every earlier snapshot, so that the page, a reset, a
//! scrub back, a share link and the CLI all replay the same run. A fault
//! for a moment already past restarts the run with it instead.

use crate::snapshots::Snapshots;
use faultline_sim::scenario::{Fault, FaultAction};
use faultline_sim::{Sim, SimTime};

#[derive(Debug, PartialEq)]
pub enum Injected {
    /// The faults are for a moment already past: run the document again with them.
    Restart(Vec<Fault>),
    /// The engine took the faults (as they now stand on its timeline).
    Live(Vec<Fault>),
}

/// The millisecond a fault injected "now" starts at.
pub fn next_ms(sim: &Sim) -> u64 {
    sim.now().micros() / 1_000 + 1
}

/// Injects `actions` (for `duration_ms`) at `at_ms`, or now.
pub fn inject(
    sim: &mut Sim,
    snaps: &mut Snapshots,
    actions: Vec<FaultAction>,
    duration_ms: Option<u64>,
    at_ms: Option<u64>,
) -> Result<Injected, String> {
    let next = next_ms(sim);
    let picked = at_ms.filter(|t| *t != next);
    let at_ms = picked.unwrap_or(next);
    let faults: Vec<Fault> = actions.into_iter().map(|action| Fault { at_ms, duration_ms, action }).collect();
    if at_ms < next {
        let mut with = sim.scenario().clone();
        with.faults.extend(faults.iter().cloned());
        with.validate_draft().map_err(|e| format!("Fault refused: {e}"))?;
        return Ok(Injected::Restart(faults));
    }
    let mut trial = sim.clone();
    let known = trial.scenario().faults.len();
    for f in faults {
        trial.inject(f).map_err(|e| format!("Fault refused: {e}"))?;
    }
    *sim = trial;
    let added = sim.scenario().faults[known..].to_vec();
    snaps.truncate_after(sim.now().as_millis_f64());
    snaps.inject(&added);
    // Due now: apply it at once, so its effect shows even while paused.
    if picked.is_none() {
        sim.step_until(SimTime::from_millis(at_ms));
    }
    Ok(Injected::Live(added))
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    fn crash() -> Vec<FaultAction> {
        vec![FaultAction::Crash { node: "db".into() }]
    }

    #[test]
    fn now_means_the_next_millisecond_and_the_run_replays_from_the_document() {
        let doc = slice_scenario();
        let mut sim = Sim::new(&doc).unwrap();
        sim.step_until(SimTime::from_millis(2_000));
        let mut snaps = Snapshots::new(&sim);
        let Ok(Injected::Live(added)) = inject(&mut sim, &mut snaps, crash(), None, None) else {
            panic!("a live injection")
        };
        assert_eq!(added[0].at_ms, 2_001);
        assert!(sim.view().nodes[2].down, "applied at once");
        sim.step_until(SimTime::from_millis(4_000));
        let mut with = doc.clone();
        with.faults.extend(added);
        let mut replay = Sim::new(&with).unwrap();
        replay.step_until(SimTime::from_millis(4_000));
        assert_eq!(replay.trace_hash(), sim.trace_hash());
        // The snapshot taken before it (at 2 s) has it too: scrubbing back replays it.
        let mut back = snaps.restore(2_000.0).unwrap();
        back.step_until(SimTime::from_millis(4_000));
        assert_eq!(back.trace_hash(), sim.trace_hash());
    }

    #[test]
    fn a_past_time_restarts_and_a_bad_fault_is_refused() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        sim.step_until(SimTime::from_millis(3_000));
        let mut snaps = Snapshots::new(&sim);
        assert!(
            matches!(inject(&mut sim, &mut snaps, crash(), None, Some(1_000)), Ok(Injected::Restart(f)) if f[0].at_ms == 1_000)
        );
        let bad = vec![FaultAction::Crash { node: "nope".into() }];
        assert!(inject(&mut sim, &mut snaps, bad, None, None).unwrap_err().contains("refused"));
        assert!(sim.scenario().faults.is_empty(), "a refused injection changes nothing");
    }
}
