//! The frame loop: one engine step per animation frame.
//!
//! Each frame advances simulated time by the wall-clock time since the last
//! frame times the speed, capped so a tab returning from the background does
//! not try to simulate minutes in one frame. The engine gets a budget of wall
//! time per frame: a topology too heavy for the requested speed runs slower
//! (the page says how fast it really runs) instead of freezing the page.
//! Stepping in slices changes nothing in the run: stepping frame by frame and
//! in one go give the same trace (a determinism test holds the engine to it).
//! The loop owns nothing the page shows; it tells the page a frame passed.

use faultline_sim::{Sim, SimView};
use gloo::render::{request_animation_frame, AnimationFrame};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::Callback;

/// Longest wall-clock gap one frame may simulate, in milliseconds.
const MAX_FRAME_MS: f64 = 100.0;
/// Wall time the engine may use per frame, in milliseconds (a 60 Hz frame
/// is 16.7 ms; the rest is for drawing).
pub const BUDGET_MS: f64 = 8.0;
/// Slices a frame's simulated span is cut into, to check the budget between.
const SLICES: u64 = 8;

/// Advances `sim` by `wall_ms` of wall-clock time at `speed`, stopping early
/// once `clock()` says `budget_ms` have passed. Returns the simulated
/// microseconds actually advanced.
pub fn advance(sim: &mut Sim, wall_ms: f64, speed: f64, budget_ms: f64, clock: impl Fn() -> f64) -> u64 {
    let start = clock();
    let span = ((wall_ms.clamp(0.0, MAX_FRAME_MS) * speed * 1_000.0).round() as u64).max(1);
    let from = sim.now();
    let target = from.plus(span);
    let slice = span.div_ceil(SLICES);
    while sim.now() < target && !sim.is_finished() {
        let next = sim.now().plus(slice).min(target);
        sim.step_until(next);
        if clock() - start > budget_ms {
            break;
        }
    }
    sim.now().micros() - from.micros()
}

fn wall_clock() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

pub struct Runner {
    sim: Rc<RefCell<Sim>>,
    speed: f64,
    on_frame: Callback<(f64, f64)>,
    on_finish: Callback<SimView>,
    active: Cell<bool>,
    /// Simulated seconds per wall second actually achieved, smoothed.
    achieved: Cell<f64>,
    last_ts: Cell<Option<f64>>,
    frame: RefCell<Option<AnimationFrame>>,
}

impl Runner {
    pub fn start(
        sim: Rc<RefCell<Sim>>,
        speed: f64,
        on_frame: Callback<(f64, f64)>,
        on_finish: Callback<SimView>,
    ) -> Rc<Runner> {
        let runner = Rc::new(Runner {
            sim,
            speed,
            on_frame,
            on_finish,
            active: Cell::new(true),
            achieved: Cell::new(speed),
            last_ts: Cell::new(None),
            frame: RefCell::new(None),
        });
        Runner::request(&runner);
        runner
    }

    fn request(this: &Rc<Runner>) {
        let me = Rc::clone(this);
        let handle = request_animation_frame(move |ts| me.frame(ts));
        *this.frame.borrow_mut() = Some(handle);
    }

    fn frame(self: Rc<Self>, ts: f64) {
        if !self.active.get() {
            return;
        }
        let wall = self.last_ts.replace(Some(ts)).map_or(0.0, |last| ts - last);
        let finished = {
            let mut sim = self.sim.borrow_mut();
            let done_us = advance(&mut sim, wall, self.speed, BUDGET_MS, wall_clock);
            if wall > 0.0 {
                let now = done_us as f64 / 1_000.0 / wall.min(MAX_FRAME_MS);
                self.achieved.set(0.9 * self.achieved.get() + 0.1 * now);
            }
            sim.is_finished()
        };
        if finished {
            self.active.set(false);
            let view = self.sim.borrow().view();
            self.on_finish.emit(view);
        } else {
            // The page reads the engine itself (it need not redraw every number every frame).
            self.on_frame.emit((ts, self.achieved.get()));
            Runner::request(&self);
        }
    }

    /// Stops the loop; the pending frame (and its reference to us) is dropped.
    pub fn stop(&self) {
        self.active.set(false);
        self.frame.borrow_mut().take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::{slice_scenario, SimTime};

    #[test]
    fn advance_scales_by_speed_and_caps_long_frames() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        let free = || 0.0;
        assert_eq!(advance(&mut sim, 16.0, 2.0, BUDGET_MS, free), 32_000);
        assert_eq!(sim.now(), SimTime(32_000));
        advance(&mut sim, 10_000.0, 1.0, BUDGET_MS, free);
        assert_eq!(sim.now(), SimTime(132_000));
    }

    #[test]
    fn a_spent_budget_stops_the_frame_early_without_changing_the_run() {
        let mut slow = Sim::new(&slice_scenario()).unwrap();
        // A clock that says each check costs 5 ms: the 8 ms budget allows two slices.
        let t = std::cell::Cell::new(0.0);
        let clock = || {
            t.set(t.get() + 5.0);
            t.get()
        };
        let done = advance(&mut slow, 16.0, 100.0, BUDGET_MS, clock);
        assert_eq!(done, 1_600_000 / 8 * 2, "two of eight slices");
        let mut whole = Sim::new(&slice_scenario()).unwrap();
        whole.step_until(slow.now());
        assert_eq!(whole.trace_hash(), slow.trace_hash());
    }
}
