//! The animation-frame loop while playing.
//!
//! Each frame it hands the timestamp to the page, which asks the engine for
//! what moved (see `engine.rs`; the engine itself keeps pace with the wall
//! clock, in its worker) and moves the particles. The loop owns nothing the
//! page shows.

use gloo::render::{request_animation_frame, AnimationFrame};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::Callback;

pub struct Runner {
    on_frame: Callback<f64>,
    active: Cell<bool>,
    frame: RefCell<Option<AnimationFrame>>,
}

impl Runner {
    pub fn start(on_frame: Callback<f64>) -> Rc<Runner> {
        let runner = Rc::new(Runner { on_frame, active: Cell::new(true), frame: RefCell::new(None) });
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
        self.on_frame.emit(ts);
        if self.active.get() {
            Runner::request(&self);
        }
    }

    /// Stops the loop; the pending frame (and its reference to us) is dropped.
    pub fn stop(&self) {
        self.active.set(false);
        self.frame.borrow_mut().take();
    }
}
