//! How long to wait before retrying.
//!
//! Exponential backoff spreads retries out in time; jitter spreads them out
//! among clients, so that clients that failed together do not retry
//! together. The formulas are Marc Brooker's ("Exponential Backoff And
//! Jitter", AWS Architecture Blog, 2015), with `t = min(cap, base * 2^n)` for
//! retry n, counted from 0 here: a first retry waits `base`, as
//! resilience4j's does and as the seed's 100 ms schedule starts. (The post's
//! simulator counts from 1; its model, `models/contention.rs`, does too.)
//!
//! | jitter        | sleep                                   |
//! |---------------|-----------------------------------------|
//! | none          | t                                       |
//! | full          | U(0, t)                                 |
//! | equal         | t/2 + U(0, t/2)                         |
//! | decorrelated  | min(cap, U(base, 3 x previous sleep))   |
//! | additive      | t + U(0, t/2) (the seed's 100+U(0,50), 200+U(0,100), ...) |

use crate::rng::{unit_open, SimRng};
use serde::{Deserialize, Serialize};

crate::tagged::tagged_enum! {
    /// The delay before each retry, before jitter.
    #[derive(Clone, Copy, Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Backoff {
        /// Retry at once.
        None,
        /// Always the same wait.
        Fixed { ms: f64 },
        /// base x 2^n, capped.
        Exponential { base_ms: f64, cap_ms: f64 },
    }
}

/// How the wait is randomised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    #[default]
    None,
    Full,
    Equal,
    Decorrelated,
    Additive,
}

impl Jitter {
    pub const ALL: [Jitter; 5] = [Jitter::None, Jitter::Full, Jitter::Equal, Jitter::Decorrelated, Jitter::Additive];

    pub fn name(self) -> &'static str {
        match self {
            Jitter::None => "none",
            Jitter::Full => "full",
            Jitter::Equal => "equal",
            Jitter::Decorrelated => "decorrelated",
            Jitter::Additive => "additive",
        }
    }
}

/// One caller's sequence of retry delays (decorrelated jitter remembers the
/// previous sleep, so the schedule has state).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetrySchedule {
    pub backoff: Backoff,
    pub jitter: Jitter,
    prev_us: f64,
}

impl RetrySchedule {
    pub fn new(backoff: Backoff, jitter: Jitter) -> RetrySchedule {
        let base = match backoff {
            Backoff::None => 0.0,
            Backoff::Fixed { ms } => ms * 1e3,
            Backoff::Exponential { base_ms, .. } => base_ms * 1e3,
        };
        RetrySchedule { backoff, jitter, prev_us: base }
    }

    /// Continues a schedule whose previous sleep was `prev_us` (0: none yet).
    pub fn resumed(mut self, prev_us: u64) -> RetrySchedule {
        if prev_us > 0 {
            self.prev_us = prev_us as f64;
        }
        self
    }

    /// The seed's schedule: 100 ms + U(0, 50), 200 + U(0, 100), 400 + U(0, 200), ...
    pub fn seed_default() -> RetrySchedule {
        RetrySchedule::new(Backoff::Exponential { base_ms: 100.0, cap_ms: 10_000.0 }, Jitter::Additive)
    }

    /// The wait before retry number `retry` (0 for the first retry), in microseconds.
    pub fn delay_us(&mut self, retry: u32, rng: &mut SimRng) -> u64 {
        let (base, cap, t) = match self.backoff {
            Backoff::None => return 0,
            Backoff::Fixed { ms } => (ms * 1e3, ms * 1e3, ms * 1e3),
            Backoff::Exponential { base_ms, cap_ms } => {
                let (base, cap) = (base_ms * 1e3, cap_ms * 1e3);
                (base, cap, cap.min(base * libm::exp2(f64::from(retry.min(1_000)))))
            }
        };
        let sleep = match self.jitter {
            Jitter::None => t,
            Jitter::Full => t * unit_open(rng),
            Jitter::Equal => t / 2.0 + t / 2.0 * unit_open(rng),
            Jitter::Decorrelated => {
                let hi = (self.prev_us * 3.0).max(base);
                cap.min(base + (hi - base) * unit_open(rng))
            }
            Jitter::Additive => t + t / 2.0 * unit_open(rng),
        };
        self.prev_us = sleep;
        libm::round(sleep).max(0.0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, StreamKind};

    fn draws(jitter: Jitter, retry: u32, n: usize) -> Vec<f64> {
        let mut rng = stream(1, StreamKind::Node, 0);
        (0..n)
            .map(|_| {
                let mut s = RetrySchedule::new(Backoff::Exponential { base_ms: 5.0, cap_ms: 2_000.0 }, jitter);
                s.delay_us(retry, &mut rng) as f64 / 1e3
            })
            .collect()
    }

    #[test]
    fn brookers_formulas() {
        // retry 3: t = min(2000, 5 x 8) = 40 ms
        assert!(draws(Jitter::None, 3, 10).iter().all(|&d| d == 40.0));
        let full = draws(Jitter::Full, 3, 20_000);
        assert!(full.iter().all(|&d| (0.0..=40.0).contains(&d)));
        assert!((full.iter().sum::<f64>() / 20_000.0 - 20.0).abs() < 0.5);
        let equal = draws(Jitter::Equal, 3, 20_000);
        assert!(equal.iter().all(|&d| (20.0..=40.0).contains(&d)));
        assert!((equal.iter().sum::<f64>() / 20_000.0 - 30.0).abs() < 0.5);
        // The cap holds for large retry numbers.
        assert!(draws(Jitter::None, 40, 1).iter().all(|&d| d == 2_000.0));
    }

    #[test]
    fn decorrelated_grows_from_base_within_three_times_the_last_sleep() {
        let mut rng = stream(2, StreamKind::Node, 0);
        let mut s = RetrySchedule::new(Backoff::Exponential { base_ms: 5.0, cap_ms: 2_000.0 }, Jitter::Decorrelated);
        let mut prev: f64 = 5_000.0;
        for retry in 0..50 {
            let d = s.delay_us(retry, &mut rng) as f64;
            assert!(d >= 5_000.0 - 1.0 && d <= (prev * 3.0).min(2_000_000.0) + 1.0, "{d} after {prev}");
            prev = d;
        }
    }

    #[test]
    fn the_seeds_schedule() {
        let mut rng = stream(3, StreamKind::Node, 0);
        for (retry, lo) in [(0u32, 100.0), (1, 200.0), (2, 400.0)] {
            for _ in 0..1_000 {
                let d = RetrySchedule::seed_default().delay_us(retry, &mut rng) as f64 / 1e3;
                assert!(d >= lo && d <= lo * 1.5, "retry {retry}: {d}");
            }
        }
    }

    #[test]
    fn none_and_fixed() {
        let mut rng = stream(4, StreamKind::Node, 0);
        assert_eq!(RetrySchedule::new(Backoff::None, Jitter::Full).delay_us(5, &mut rng), 0);
        assert_eq!(RetrySchedule::new(Backoff::Fixed { ms: 7.0 }, Jitter::None).delay_us(5, &mut rng), 7_000);
    }
}
