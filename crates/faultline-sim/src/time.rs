//! Simulated time.
//!
//! Time is an integer count of microseconds. Floating-point seconds would make
//! event order depend on rounding, and rounding differs between compilers and
//! targets; integers make "same seed, same run" hold on every platform.

use serde::{Deserialize, Serialize};

/// A point in simulated time, in microseconds since the start of the run.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn from_millis(ms: u64) -> SimTime {
        SimTime(ms.saturating_mul(1_000))
    }

    pub fn from_secs(s: u64) -> SimTime {
        SimTime(s.saturating_mul(1_000_000))
    }

    pub fn micros(self) -> u64 {
        self.0
    }

    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1_000.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1_000_000.0
    }

    pub fn plus(self, micros: u64) -> SimTime {
        SimTime(self.0.saturating_add(micros))
    }

    pub fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// Converts a duration in milliseconds (as written in scenario documents) to
/// whole microseconds, rounding to nearest and clamping negatives to zero.
pub fn ms_to_micros(ms: f64) -> u64 {
    if ms.is_nan() || ms <= 0.0 {
        0
    } else {
        libm::round(ms * 1_000.0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip() {
        assert_eq!(SimTime::from_millis(1_500).as_secs_f64(), 1.5);
        assert_eq!(ms_to_micros(0.0015), 2);
        assert_eq!(ms_to_micros(-3.0), 0);
        assert_eq!(SimTime(10).since(SimTime(20)), 0);
    }
}
