//! The app's state: one reducer, changed only through `Action`s.
//!
//! The engine itself is not in here (it is large and mutated in place every
//! frame, so it lives in a `use_mut_ref`); the reducer holds what the page
//! shows: whether the run is playing and the engine's latest view.

use faultline_sim::SimView;
use std::rc::Rc;
use yew::Reducible;

/// What the user has selected on the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Node(usize),
    Edge(usize),
}

/// Slowest and fastest simulated seconds per wall-clock second.
pub const SPEED_RANGE: (f64, f64) = (0.1, 1_000.0);

#[derive(Clone, Debug, PartialEq)]
pub struct PlayState {
    pub playing: bool,
    /// Simulated seconds per wall-clock second.
    pub speed: f64,
    pub view: Rc<SimView>,
    pub selected: Option<Selection>,
    /// The last thing the user should know (a refused fault, say).
    pub message: Option<String>,
    /// Particle paths per colour (see `particles::CLASSES`).
    pub particles: Rc<[String; 4]>,
}

pub enum Action {
    Play,
    Pause,
    /// The engine advanced; here is its view.
    Frame(SimView),
    /// An animation frame: the engine's view and the particles to draw.
    Tick(SimView, [String; 4]),
    /// The engine was rebuilt from the scenario; here is its view at t = 0.
    Reset(SimView),
    /// The run reached its end.
    Finished(SimView),
    Select(Option<Selection>),
    SetSpeed(f64),
    Message(Option<String>),
}

impl PlayState {
    pub fn new(view: SimView) -> PlayState {
        PlayState {
            playing: false,
            speed: 1.0,
            view: Rc::new(view),
            selected: None,
            message: None,
            particles: Rc::default(),
        }
    }

    pub fn finished(&self) -> bool {
        self.view.now_ms >= self.view.end_ms
    }
}

impl Reducible for PlayState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Play => {
                if self.finished() {
                    return self;
                }
                next.playing = true;
            }
            Action::Pause => next.playing = false,
            Action::Frame(view) => next.view = Rc::new(view),
            Action::Tick(view, particles) => {
                next.view = Rc::new(view);
                next.particles = Rc::new(particles);
            }
            Action::Reset(view) => {
                next.playing = false;
                next.view = Rc::new(view);
                next.particles = Rc::default();
            }
            Action::Finished(view) => {
                next.playing = false;
                next.view = Rc::new(view);
            }
            Action::Select(selection) => next.selected = selection,
            Action::SetSpeed(speed) => {
                next.speed = if speed.is_finite() { speed.clamp(SPEED_RANGE.0, SPEED_RANGE.1) } else { 1.0 };
            }
            Action::Message(message) => next.message = message,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(now_ms: f64) -> SimView {
        SimView { now_ms, end_ms: 1_000.0, ..SimView::default() }
    }

    #[test]
    fn play_pause_reset() {
        let s = Rc::new(PlayState::new(view(0.0)));
        let s = s.reduce(Action::Play);
        assert!(s.playing);
        let s = s.reduce(Action::Frame(view(500.0)));
        assert_eq!(s.view.now_ms, 500.0);
        assert!(s.playing);
        let s = s.reduce(Action::Pause);
        assert!(!s.playing);
        let s = s.reduce(Action::Play).reduce(Action::Reset(view(0.0)));
        assert!(!s.playing);
        assert_eq!(s.view.now_ms, 0.0);
    }

    #[test]
    fn speed_is_clamped_and_selection_kept() {
        let s = Rc::new(PlayState::new(view(0.0)));
        assert_eq!(s.clone().reduce(Action::SetSpeed(5_000.0)).speed, 1_000.0);
        assert_eq!(s.clone().reduce(Action::SetSpeed(f64::NAN)).speed, 1.0);
        let s = s.reduce(Action::Select(Some(Selection::Edge(1))));
        assert_eq!(s.selected, Some(Selection::Edge(1)));
        assert_eq!(s.reduce(Action::Select(None)).selected, None);
    }

    #[test]
    fn a_finished_run_does_not_play() {
        let s = Rc::new(PlayState::new(view(1_000.0)));
        assert!(!s.reduce(Action::Play).playing);
    }
}
