//! The frame loop: one engine step per animation frame.
//!
//! Each frame advances simulated time by the wall-clock time since the last
//! frame times the speed, capped so a tab returning from the background does
//! not try to simulate minutes in one frame. The loop owns nothing the page
//! shows; it hands the engine's view to a callback.

use faultline_sim::{Sim, SimView};
use gloo::render::{request_animation_frame, AnimationFrame};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::Callback;

/// Longest wall-clock gap one frame may simulate, in milliseconds.
const MAX_FRAME_MS: f64 = 100.0;

/// Advances `sim` by `wall_ms` of wall-clock time at `speed`.
pub fn advance(sim: &mut Sim, wall_ms: f64, speed: f64) {
    let sim_us = (wall_ms.clamp(0.0, MAX_FRAME_MS) * speed * 1_000.0).round() as u64;
    let target = sim.now().plus(sim_us.max(1));
    sim.step_until(target);
}

pub struct Runner {
    sim: Rc<RefCell<Sim>>,
    speed: f64,
    on_frame: Callback<(SimView, f64)>,
    on_finish: Callback<SimView>,
    active: Cell<bool>,
    last_ts: Cell<Option<f64>>,
    frame: RefCell<Option<AnimationFrame>>,
}

impl Runner {
    pub fn start(
        sim: Rc<RefCell<Sim>>,
        speed: f64,
        on_frame: Callback<(SimView, f64)>,
        on_finish: Callback<SimView>,
    ) -> Rc<Runner> {
        let runner = Rc::new(Runner {
            sim,
            speed,
            on_frame,
            on_finish,
            active: Cell::new(true),
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
        let (view, finished) = {
            let mut sim = self.sim.borrow_mut();
            advance(&mut sim, wall, self.speed);
            (sim.view(), sim.is_finished())
        };
        if finished {
            self.active.set(false);
            self.on_finish.emit(view);
        } else {
            self.on_frame.emit((view, ts));
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
        advance(&mut sim, 16.0, 2.0);
        assert_eq!(sim.now(), SimTime(32_000));
        advance(&mut sim, 10_000.0, 1.0);
        assert_eq!(sim.now(), SimTime(132_000));
    }
}
