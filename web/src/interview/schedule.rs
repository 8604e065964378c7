//! The interview's phases and its clock.
//!
//! A system design interview is a fixed 45 minutes cut into phases with a
//! rough budget each; what matters to a learner practising is seeing where
//! the time went against that plan. The clock is wall-clock time kept as
//! *time used so far per phase* plus *when the running stretch began*
//! (`running_since`), so pausing is folding the running stretch in, and a
//! reload reads the same two numbers back and goes on counting (the time the
//! page was away counts, as it would in a real interview). No timer tick is
//! stored: every reading is computed from a `now` the caller passes in,
//! which keeps all of this testable without a browser.

use serde::{Deserialize, Serialize};

const MINUTE_MS: f64 = 60_000.0;

/// One phase of the interview, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Requirements,
    Estimation,
    ApiAndDataModel,
    HighLevelDesign,
    FailureDrill,
    WrapUp,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Requirements,
        Phase::Estimation,
        Phase::ApiAndDataModel,
        Phase::HighLevelDesign,
        Phase::FailureDrill,
        Phase::WrapUp,
    ];

    /// Its place in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Requirements => "Requirements",
            Phase::Estimation => "Estimation",
            Phase::ApiAndDataModel => "API and data model",
            Phase::HighLevelDesign => "High-level design",
            Phase::FailureDrill => "Failure drill",
            Phase::WrapUp => "Wrap-up",
        }
    }

    /// The minutes the plan gives it (45 in all).
    pub fn planned_minutes(self) -> u32 {
        match self {
            Phase::Requirements => 5,
            Phase::Estimation => 5,
            Phase::ApiAndDataModel => 7,
            Phase::HighLevelDesign => 15,
            Phase::FailureDrill => 10,
            Phase::WrapUp => 3,
        }
    }

    pub fn planned_ms(self) -> f64 {
        f64::from(self.planned_minutes()) * MINUTE_MS
    }

    /// What the learner is meant to do in it, one line.
    pub fn goal(self) -> &'static str {
        match self {
            Phase::Requirements => {
                "Pin down what the system must do and the numbers it must meet; ask before assuming."
            }
            Phase::Estimation => {
                "Rough numbers: requests per second at peak, data size, read/write ratio, what one node can take."
            }
            Phase::ApiAndDataModel => "The calls clients make and what is stored where, keyed by what.",
            Phase::HighLevelDesign => "Draw it on the canvas and run it: it must meet the numbers before the drill.",
            Phase::FailureDrill => {
                "Two faults hit your design while it runs. Spot the breach, fix the design, watch it recover."
            }
            Phase::WrapUp => "What you would do with more time; the report below has your measured results.",
        }
    }

    pub fn next(self) -> Option<Phase> {
        Phase::ALL.get(self.index() + 1).copied()
    }

    pub fn previous(self) -> Option<Phase> {
        self.index().checked_sub(1).map(|i| Phase::ALL[i])
    }
}

/// The planned length of the whole interview, in ms.
pub fn planned_total_ms() -> f64 {
    Phase::ALL.iter().map(|p| p.planned_ms()).sum()
}

/// Wall-clock time used per phase, pausable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    /// Time used in each phase before the running stretch (`Phase::ALL` order).
    pub used_ms: [f64; 6],
    /// When the running stretch began (ms since the epoch); `None`: paused.
    pub running_since: Option<f64>,
}

impl Clock {
    /// A clock started at `now`.
    pub fn started(now: f64) -> Clock {
        Clock { used_ms: [0.0; 6], running_since: Some(now) }
    }

    pub fn paused(&self) -> bool {
        self.running_since.is_none()
    }

    /// The running stretch so far (never negative: a clock set back counts as no time).
    fn stretch(&self, now: f64) -> f64 {
        self.running_since.map_or(0.0, |since| (now - since).max(0.0))
    }

    /// Time used in `phase` by `now`, with `current` the phase the clock is on.
    pub fn used(&self, phase: Phase, current: Phase, now: f64) -> f64 {
        self.used_ms[phase.index()] + if phase == current { self.stretch(now) } else { 0.0 }
    }

    /// Time used in all phases by `now`.
    pub fn total(&self, now: f64) -> f64 {
        self.used_ms.iter().sum::<f64>() + self.stretch(now)
    }

    /// Stops counting at `now`; the stretch goes to `current`.
    pub fn pause(&mut self, current: Phase, now: f64) {
        self.used_ms[current.index()] += self.stretch(now);
        self.running_since = None;
    }

    /// Counts again from `now` (a running clock is left as it is).
    pub fn resume(&mut self, now: f64) {
        if self.running_since.is_none() {
            self.running_since = Some(now);
        }
    }

    /// Moves from phase `from` at `now`: the stretch so far goes to `from`,
    /// and a running clock runs on for the next phase.
    pub fn switch(&mut self, from: Phase, now: f64) {
        let running = !self.paused();
        self.pause(from, now);
        if running {
            self.resume(now);
        }
    }

    /// Time left in `current` by `now` (negative: over its plan).
    pub fn left_in(&self, current: Phase, now: f64) -> f64 {
        current.planned_ms() - self.used(current, current, now)
    }

    /// Time left in the whole interview by `now` (negative: over).
    pub fn left_overall(&self, now: f64) -> f64 {
        planned_total_ms() - self.total(now)
    }
}

/// A duration as `m:ss`, with a minus sign when negative (time over plan).
pub fn mmss(ms: f64) -> String {
    let sign = if ms < 0.0 { "-" } else { "" };
    let secs = (ms.abs() / 1_000.0).floor() as u64;
    format!("{sign}{}:{:02}", secs / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: f64 = 60_000.0;

    #[test]
    fn the_plan_is_the_spec_s_45_minutes() {
        let minutes: Vec<u32> = Phase::ALL.iter().map(|p| p.planned_minutes()).collect();
        assert_eq!(minutes, [5, 5, 7, 15, 10, 3]);
        assert_eq!(planned_total_ms(), 45.0 * MIN);
        assert_eq!(Phase::Requirements.previous(), None);
        assert_eq!(Phase::WrapUp.next(), None);
        assert_eq!(Phase::Estimation.next(), Some(Phase::ApiAndDataModel));
        for (i, p) in Phase::ALL.iter().enumerate() {
            assert_eq!(p.index(), i);
        }
    }

    #[test]
    fn time_goes_to_the_phase_it_was_spent_in_and_a_pause_stops_it() {
        let t0 = 1.7e12;
        let mut c = Clock::started(t0);
        // 3 minutes of requirements, then on to estimation.
        c.switch(Phase::Requirements, t0 + 3.0 * MIN);
        assert_eq!(c.used(Phase::Requirements, Phase::Estimation, t0 + 10.0 * MIN), 3.0 * MIN);
        // 2 minutes of estimation, a 20-minute pause, 1 more minute.
        c.pause(Phase::Estimation, t0 + 5.0 * MIN);
        assert!(c.paused());
        assert_eq!(c.used(Phase::Estimation, Phase::Estimation, t0 + 25.0 * MIN), 2.0 * MIN, "paused: no time passes");
        c.resume(t0 + 25.0 * MIN);
        let now = t0 + 26.0 * MIN;
        assert_eq!(c.used(Phase::Estimation, Phase::Estimation, now), 3.0 * MIN);
        assert_eq!(c.total(now), 6.0 * MIN);
        assert_eq!(c.left_in(Phase::Estimation, now), 2.0 * MIN);
        assert_eq!(c.left_overall(now), 39.0 * MIN);
        // A second resume does not restart the stretch.
        c.resume(now);
        assert_eq!(c.used(Phase::Estimation, Phase::Estimation, now + MIN), 4.0 * MIN);
    }

    #[test]
    fn a_reload_reads_the_same_clock_and_counts_the_time_away() {
        let t0 = 1.7e12;
        let mut c = Clock::started(t0);
        c.switch(Phase::Requirements, t0 + 6.0 * MIN);
        let saved = serde_json::to_string(&c).unwrap();
        let back: Clock = serde_json::from_str(&saved).unwrap();
        assert_eq!(back, c);
        // The page was closed for 30 s, running: those 30 s count.
        assert_eq!(back.used(Phase::Estimation, Phase::Estimation, t0 + 6.5 * MIN), 0.5 * MIN);
        // Over plan: 6 minutes of a 5-minute phase reads as negative time left.
        assert_eq!(c.left_in(Phase::Requirements, t0 + 6.0 * MIN), -MIN);
    }

    #[test]
    fn a_clock_set_back_counts_no_time_and_durations_read_as_minutes() {
        let c = Clock::started(1_000_000.0);
        assert_eq!(c.total(999_000.0), 0.0);
        assert_eq!(mmss(5.0 * MIN), "5:00");
        assert_eq!(mmss(61_999.0), "1:01");
        assert_eq!(mmss(-90_000.0), "-1:30");
        assert_eq!(mmss(0.0), "0:00");
    }
}
