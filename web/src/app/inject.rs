//! Injecting faults into the running engine.
//!
//! A fault "now" goes on the scenario's timeline at the next whole
//! millisecond (the engine has already run the current one), into the running
//! engine and into every earlier snapshot, so that the page, a reset, a
//! scrub back, a share link and the CLI all replay the same run. A fault
//! picked for a moment already past restarts the run with it instead.

use crate::components::Injection;
use crate::snapshots::Snapshots;
use faultline_sim::scenario::Fault;
use faultline_sim::{Scenario, Sim, SimTime, SimView};
use std::cell::RefCell;

#[derive(Debug)]
pub enum Injected {
    /// The document with the faults, to run again from the start.
    Restart(Scenario),
    /// The engine took the faults; the document that records them and the view now.
    Live { doc: Scenario, view: SimView },
}

/// The millisecond a fault injected "now" starts at.
pub fn next_ms(sim: &Sim) -> u64 {
    sim.now().micros() / 1_000 + 1
}

/// Injects `inj` at `picked` (a time chosen on the timeline) or now.
pub fn inject(
    sim: &RefCell<Sim>,
    snaps: &RefCell<Snapshots>,
    doc: &Scenario,
    picked: Option<u64>,
    inj: Injection,
) -> Result<Injected, String> {
    let next = next_ms(&sim.borrow());
    let picked = picked.filter(|t| *t != next);
    let at_ms = picked.unwrap_or(next);
    let faults: Vec<Fault> =
        inj.actions.into_iter().map(|action| Fault { at_ms, duration_ms: inj.duration_ms, action }).collect();
    if at_ms < next {
        let mut with = doc.clone();
        with.faults.extend(faults);
        with.validate_draft().map_err(|e| format!("Fault refused: {e}"))?;
        return Ok(Injected::Restart(with));
    }
    let mut s = sim.borrow_mut();
    let mut trial = s.clone();
    let known = trial.scenario().faults.len();
    for f in faults {
        trial.inject(f).map_err(|e| format!("Fault refused: {e}"))?;
    }
    *s = trial;
    let added = s.scenario().faults[known..].to_vec();
    let mut snaps = snaps.borrow_mut();
    snaps.truncate_after(s.now().as_millis_f64());
    snaps.inject(&added);
    // Due now: apply it at once, so its effect shows even while paused.
    if picked.is_none() {
        s.step_until(SimTime::from_millis(at_ms));
    }
    let mut with = doc.clone();
    with.faults.extend(added);
    Ok(Injected::Live { doc: with, view: s.view() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::scenario::FaultAction;
    use faultline_sim::slice_scenario;

    fn crash() -> Injection {
        Injection { actions: vec![FaultAction::Crash { node: "db".into() }], duration_ms: None }
    }

    #[test]
    fn now_means_the_next_millisecond_and_the_run_replays_from_the_document() {
        let doc = slice_scenario();
        let sim = RefCell::new(Sim::new(&doc).unwrap());
        sim.borrow_mut().step_until(SimTime::from_millis(2_000));
        let snaps = RefCell::new(Snapshots::new(&sim.borrow()));
        let Ok(Injected::Live { doc: with, view }) = inject(&sim, &snaps, &doc, None, crash()) else {
            panic!("a live injection")
        };
        assert_eq!(with.faults[0].at_ms, 2_001);
        assert!(view.nodes[2].down, "applied at once");
        sim.borrow_mut().step_until(SimTime::from_millis(4_000));
        let mut replay = Sim::new(&with).unwrap();
        replay.step_until(SimTime::from_millis(4_000));
        assert_eq!(replay.trace_hash(), sim.borrow().trace_hash());
        // The snapshot taken before it (at 2 s) has it too: scrubbing back replays it.
        let mut back = snaps.borrow().restore(2_000.0).unwrap();
        back.step_until(SimTime::from_millis(4_000));
        assert_eq!(back.trace_hash(), sim.borrow().trace_hash());
    }

    #[test]
    fn a_past_time_restarts_and_a_bad_fault_is_refused() {
        let doc = slice_scenario();
        let sim = RefCell::new(Sim::new(&doc).unwrap());
        sim.borrow_mut().step_until(SimTime::from_millis(3_000));
        let snaps = RefCell::new(Snapshots::new(&sim.borrow()));
        assert!(
            matches!(inject(&sim, &snaps, &doc, Some(1_000), crash()), Ok(Injected::Restart(d)) if d.faults[0].at_ms == 1_000)
        );
        let bad = Injection { actions: vec![FaultAction::Crash { node: "nope".into() }], duration_ms: None };
        assert!(inject(&sim, &snaps, &doc, None, bad).unwrap_err().contains("refused"));
        assert!(sim.borrow().scenario().faults.is_empty(), "a refused injection changes nothing");
    }
}
