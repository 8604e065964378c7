//! Circuit breaker, on the caller's side of an edge.
//!
//! A state machine over simulated time (never the wall clock):
//! CLOSED counts outcomes in a sliding window (the last N calls, or the last
//! N one-second buckets); once at least `minimum_calls` are in the window and
//! the failure rate or the slow-call rate reaches its threshold, it OPENs.
//! A count window of N calls never holds more than N, so there `minimum_calls`
//! counts as at most N (resilience4j's `CircuitBreakerConfig` clamps it the
//! same way); otherwise a window smaller than the minimum could never open.
//! OPEN rejects every call at once (short-circuited) until `wait_in_open_ms`
//! has passed, then HALF_OPEN lets exactly `permitted_in_half_open` calls
//! through: if their failure (or slow) rate is below the thresholds it
//! CLOSEs, otherwise it OPENs again. Semantics follow resilience4j, whose
//! defaults are one of the presets.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

crate::tagged::tagged_enum! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Window {
        /// The last `size` calls.
        Count { size: u32 },
        /// The calls of the last `seconds` seconds (one bucket per second).
        Time { seconds: u32 },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BreakerConfig {
    pub window: Window,
    /// Percentage of failed calls that opens the breaker.
    pub failure_rate_threshold: f64,
    /// Percentage of slow calls that opens the breaker.
    pub slow_call_rate_threshold: f64,
    /// A call slower than this counts as slow, in milliseconds.
    pub slow_call_duration_ms: f64,
    /// Calls the window needs before the rates count (a count window's size at most).
    pub minimum_calls: u32,
    /// How long it stays open before letting trial calls through, in milliseconds.
    pub wait_in_open_ms: u64,
    /// Trial calls allowed when half-open.
    pub permitted_in_half_open: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig::preset(Preset::Resilience4j)
    }
}

/// Named configurations from the seed and well-known libraries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// The seed: open after a failure threshold, stay open 30 s, one trial call.
    Seed,
    /// resilience4j defaults.
    Resilience4j,
    /// Hystrix defaults: 10 s window, 20 requests, 50%, 5 s sleep, one trial.
    Hystrix,
    /// Polly v8 defaults: 10% failures over 30 s with at least 100 calls, 5 s break.
    Polly,
}

impl BreakerConfig {
    /// The calls the window needs before the rates count: `minimum_calls`,
    /// clamped to the size of a count window, which can hold no more.
    pub fn effective_minimum_calls(&self) -> u32 {
        match self.window {
            Window::Count { size } => self.minimum_calls.min(size.max(1)),
            Window::Time { .. } => self.minimum_calls,
        }
    }

    pub fn preset(p: Preset) -> BreakerConfig {
        match p {
            Preset::Seed => BreakerConfig {
                window: Window::Count { size: 20 },
                failure_rate_threshold: 50.0,
                slow_call_rate_threshold: 100.0,
                slow_call_duration_ms: 60_000.0,
                minimum_calls: 10,
                wait_in_open_ms: 30_000,
                permitted_in_half_open: 1,
            },
            Preset::Resilience4j => BreakerConfig {
                window: Window::Count { size: 100 },
                failure_rate_threshold: 50.0,
                slow_call_rate_threshold: 100.0,
                slow_call_duration_ms: 60_000.0,
                minimum_calls: 100,
                wait_in_open_ms: 60_000,
                permitted_in_half_open: 10,
            },
            Preset::Hystrix => BreakerConfig {
                window: Window::Time { seconds: 10 },
                failure_rate_threshold: 50.0,
                slow_call_rate_threshold: 100.0,
                slow_call_duration_ms: 60_000.0,
                minimum_calls: 20,
                wait_in_open_ms: 5_000,
                permitted_in_half_open: 1,
            },
            Preset::Polly => BreakerConfig {
                window: Window::Time { seconds: 30 },
                failure_rate_threshold: 10.0,
                slow_call_rate_threshold: 100.0,
                slow_call_duration_ms: 60_000.0,
                minimum_calls: 100,
                wait_in_open_ms: 5_000,
                permitted_in_half_open: 1,
            },
        }
    }
}

/// A breaker as a scenario writes it: a preset's name, or every setting.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum BreakerSpec {
    /// `"seed"`, `"resilience4j"`, `"hystrix"` or `"polly"`.
    Preset(Preset),
    Config(BreakerConfig),
}

/// Untagged, read through the value's JSON text (see `crate::tagged`).
impl<'de> Deserialize<'de> for BreakerSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<BreakerSpec, D::Error> {
        crate::tagged::untagged(
            d,
            "BreakerSpec",
            &[
                |text| serde_json::from_str(text).ok().map(BreakerSpec::Preset),
                |text| serde_json::from_str(text).ok().map(BreakerSpec::Config),
            ],
        )
    }
}

impl BreakerSpec {
    pub fn config(&self) -> BreakerConfig {
        match *self {
            BreakerSpec::Preset(p) => BreakerConfig::preset(p),
            BreakerSpec::Config(c) => c,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Closed => "CLOSED",
            State::Open => "OPEN",
            State::HalfOpen => "HALF_OPEN",
        }
    }
}

/// Transitions kept for the view.
pub const HISTORY: usize = 64;

#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    calls: u32,
    failed: u32,
    slow: u32,
}

#[derive(Clone, Debug)]
pub struct Breaker {
    cfg: BreakerConfig,
    state: State,
    opened_at_us: u64,
    /// Count window: one (failed, slow) entry per call.
    calls: VecDeque<(bool, bool)>,
    /// Time window: (second, tally) buckets.
    buckets: VecDeque<(u64, Tally)>,
    total: Tally,
    /// Half-open: trial calls let through and their tally.
    trials_allowed: u32,
    trials: Tally,
    /// (time in microseconds, new state), the most recent last.
    pub history: VecDeque<(u64, State)>,
    pub short_circuited: u64,
}

impl Breaker {
    pub fn new(cfg: BreakerConfig) -> Breaker {
        Breaker {
            cfg,
            state: State::Closed,
            opened_at_us: 0,
            calls: VecDeque::new(),
            buckets: VecDeque::new(),
            total: Tally::default(),
            trials_allowed: 0,
            trials: Tally::default(),
            history: VecDeque::new(),
            short_circuited: 0,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Microseconds until an open breaker lets trial calls through.
    pub fn open_remaining_us(&self, now_us: u64) -> u64 {
        if self.state == State::Open {
            (self.opened_at_us + self.cfg.wait_in_open_ms * 1_000).saturating_sub(now_us)
        } else {
            0
        }
    }

    fn transition(&mut self, now_us: u64, to: State) {
        self.state = to;
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back((now_us, to));
        match to {
            State::Open => self.opened_at_us = now_us,
            State::HalfOpen => {
                self.trials_allowed = 0;
                self.trials = Tally::default();
            }
            State::Closed => {
                self.calls.clear();
                self.buckets.clear();
                self.total = Tally::default();
            }
        }
    }

    /// May a call go through now? A refused call is counted as short-circuited.
    pub fn allow(&mut self, now_us: u64) -> bool {
        if self.state == State::Open && self.open_remaining_us(now_us) == 0 {
            self.transition(now_us, State::HalfOpen);
        }
        let ok = match self.state {
            State::Closed => true,
            State::Open => false,
            State::HalfOpen => {
                if self.trials_allowed < self.cfg.permitted_in_half_open {
                    self.trials_allowed += 1;
                    true
                } else {
                    false
                }
            }
        };
        if !ok {
            self.short_circuited += 1;
        }
        ok
    }

    /// A call let through has ended.
    pub fn record(&mut self, now_us: u64, failed: bool, duration_us: u64) {
        let slow = duration_us as f64 > self.cfg.slow_call_duration_ms * 1_000.0;
        match self.state {
            State::Closed => {
                self.add(now_us, failed, slow);
                if self.total.calls >= self.cfg.effective_minimum_calls() && self.over_threshold(self.total) {
                    self.transition(now_us, State::Open);
                }
            }
            State::HalfOpen => {
                self.trials.calls += 1;
                self.trials.failed += u32::from(failed);
                self.trials.slow += u32::from(slow);
                if self.trials.calls >= self.cfg.permitted_in_half_open {
                    let next = if self.over_threshold(self.trials) { State::Open } else { State::Closed };
                    self.transition(now_us, next);
                }
            }
            // A call let through before the breaker opened: ignored, as in resilience4j.
            State::Open => {}
        }
    }

    fn over_threshold(&self, t: Tally) -> bool {
        let n = f64::from(t.calls.max(1));
        f64::from(t.failed) * 100.0 / n >= self.cfg.failure_rate_threshold
            || f64::from(t.slow) * 100.0 / n >= self.cfg.slow_call_rate_threshold
    }

    fn add(&mut self, now_us: u64, failed: bool, slow: bool) {
        match self.cfg.window {
            Window::Count { size } => {
                self.calls.push_back((failed, slow));
                self.total.calls += 1;
                self.total.failed += u32::from(failed);
                self.total.slow += u32::from(slow);
                while self.calls.len() as u32 > size.max(1) {
                    let (f, s) = self.calls.pop_front().expect("non-empty");
                    self.total.calls -= 1;
                    self.total.failed -= u32::from(f);
                    self.total.slow -= u32::from(s);
                }
            }
            Window::Time { seconds } => {
                let sec = now_us / 1_000_000;
                while let Some(&(s, t)) = self.buckets.front() {
                    if s + u64::from(seconds.max(1)) > sec {
                        break;
                    }
                    self.buckets.pop_front();
                    self.total.calls -= t.calls;
                    self.total.failed -= t.failed;
                    self.total.slow -= t.slow;
                }
                if self.buckets.back().map(|b| b.0) != Some(sec) {
                    self.buckets.push_back((sec, Tally::default()));
                }
                let b = &mut self.buckets.back_mut().expect("just pushed").1;
                b.calls += 1;
                b.failed += u32::from(failed);
                b.slow += u32::from(slow);
                self.total.calls += 1;
                self.total.failed += u32::from(failed);
                self.total.slow += u32::from(slow);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(min: u32, permitted: u32) -> BreakerConfig {
        BreakerConfig {
            window: Window::Count { size: 10 },
            failure_rate_threshold: 50.0,
            slow_call_rate_threshold: 100.0,
            slow_call_duration_ms: 1_000.0,
            minimum_calls: min,
            wait_in_open_ms: 5_000,
            permitted_in_half_open: permitted,
        }
    }

    #[test]
    fn below_the_minimum_number_of_calls_it_never_opens() {
        let mut b = Breaker::new(cfg(5, 1));
        for t in 0..4 {
            assert!(b.allow(t));
            b.record(t, true, 10);
        }
        assert_eq!(b.state(), State::Closed);
        assert!(b.allow(4));
        b.record(4, true, 10);
        assert_eq!(b.state(), State::Open);
    }

    /// resilience4j's defaults, then the window cut to 10 calls (two clicks in
    /// the inspector): the window never holds 100 calls, yet all failing it
    /// must still open, after 10 of them.
    #[test]
    fn a_count_window_smaller_than_the_minimum_still_opens() {
        let mut c = BreakerConfig::preset(Preset::Resilience4j);
        c.window = Window::Count { size: 10 };
        assert_eq!(c.effective_minimum_calls(), 10);
        let mut b = Breaker::new(c);
        for t in 0..9 {
            assert!(b.allow(t));
            b.record(t, true, 10);
        }
        assert_eq!(b.state(), State::Closed, "9 calls: below the clamped minimum of 10");
        b.allow(9);
        b.record(9, true, 10);
        assert_eq!(b.state(), State::Open);
        // A time window is not clamped: its calls per second are unbounded.
        c.window = Window::Time { seconds: 1 };
        assert_eq!(c.effective_minimum_calls(), 100);
    }

    #[test]
    fn open_fails_fast_then_half_open_admits_exactly_the_permitted_calls() {
        let mut b = Breaker::new(cfg(2, 3));
        for t in 0..2 {
            b.allow(t);
            b.record(t, true, 10);
        }
        assert_eq!(b.state(), State::Open);
        assert!(!b.allow(1_000));
        assert_eq!(b.short_circuited, 1);
        assert_eq!(b.open_remaining_us(1_000_000), 5_000_000 - 1_000_000 + 1);
        // After the wait: exactly 3 trial calls pass.
        let t = 5_000_002;
        let admitted = (0..10).filter(|_| b.allow(t)).count();
        assert_eq!(admitted, 3);
        assert_eq!(b.state(), State::HalfOpen);
        b.record(t, false, 10);
        b.record(t, false, 10);
        b.record(t, true, 10); // 1 of 3 failed: below 50%
        assert_eq!(b.state(), State::Closed);
        let states: Vec<State> = b.history.iter().map(|h| h.1).collect();
        assert_eq!(states, vec![State::Open, State::HalfOpen, State::Closed]);
    }

    #[test]
    fn a_failed_trial_reopens() {
        let mut b = Breaker::new(BreakerConfig::preset(Preset::Seed));
        for t in 0..10 {
            b.allow(t);
            b.record(t, true, 10);
        }
        assert_eq!(b.state(), State::Open);
        let t = 30_000_000 + 10;
        assert!(b.allow(t));
        assert!(!b.allow(t), "the seed's breaker lets one trial through");
        b.record(t, true, 10);
        assert_eq!(b.state(), State::Open);
    }

    #[test]
    fn slow_calls_open_it_too() {
        let mut c = cfg(4, 1);
        c.slow_call_rate_threshold = 50.0;
        let mut b = Breaker::new(c);
        for t in 0..4 {
            b.allow(t);
            b.record(t, false, 2_000_000);
        }
        assert_eq!(b.state(), State::Open);
    }

    #[test]
    fn a_time_window_forgets_old_seconds() {
        let mut c = cfg(3, 1);
        c.window = Window::Time { seconds: 2 };
        let mut b = Breaker::new(c);
        b.record(0, true, 1);
        b.record(100, true, 1);
        // Three seconds later those failures are out of the window.
        b.record(3_000_000, false, 1);
        b.record(3_000_001, true, 1);
        assert_eq!(b.state(), State::Closed, "1 of 2 in window, below minimum calls");
        b.record(3_000_002, true, 1);
        assert_eq!(b.state(), State::Open, "2 of 3 failed");
    }

    #[test]
    fn a_scenario_names_a_preset_or_spells_it_out() {
        let p: BreakerSpec = serde_json::from_str("\"hystrix\"").unwrap();
        assert_eq!(p.config(), BreakerConfig::preset(Preset::Hystrix));
        let c: BreakerSpec = serde_json::from_str("{\"minimum_calls\": 7}").unwrap();
        assert_eq!(c.config().minimum_calls, 7);
        assert_eq!(c.config().wait_in_open_ms, 60_000, "other fields default to resilience4j");
        assert!(serde_json::from_str::<BreakerSpec>("\"netflix\"").is_err());
    }

    #[test]
    fn presets_match_the_reference_defaults() {
        let r = BreakerConfig::preset(Preset::Resilience4j);
        assert_eq!((r.minimum_calls, r.wait_in_open_ms, r.permitted_in_half_open), (100, 60_000, 10));
        assert_eq!(r.window, Window::Count { size: 100 });
        let h = BreakerConfig::preset(Preset::Hystrix);
        assert_eq!((h.window, h.minimum_calls, h.wait_in_open_ms), (Window::Time { seconds: 10 }, 20, 5_000));
        let p = BreakerConfig::preset(Preset::Polly);
        assert_eq!((p.failure_rate_threshold, p.minimum_calls, p.wait_in_open_ms), (10.0, 100, 5_000));
        let s = BreakerConfig::preset(Preset::Seed);
        assert_eq!((s.wait_in_open_ms, s.permitted_in_half_open), (30_000, 1));
    }
}
