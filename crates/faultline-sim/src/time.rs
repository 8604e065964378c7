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

/// `libm::round(us) as u64` (halves away from zero; 0 for NaN and for
/// anything below 0.5) in a few instructions for the values draws give.
///
/// Why: `libm::round` is a portable bit-twiddling routine (no single
/// instruction rounds half away from zero on x86-64 or in wasm), and every
/// request rounded two draws with it (its arrival gap and its work time).
/// Here a value below 2^52 is truncated by the conversion and the remainder
/// compared with one half: `us - t` is exact there (`t <= us < t + 1 <= 2t`,
/// or `t = 0`), so this is the same rounding, bit for bit on every target
/// (the test compares it with `libm::round`); anything else takes `libm`.
/// The conversions go through `i64`, exact below 2^52 like the unsigned ones
/// but one instruction each on x86-64 (converting between `f64` and `u64`
/// takes a dozen there, with branches; wasm has both as single instructions).
#[inline]
pub fn round_us(us: f64) -> u64 {
    if (0.0..4_503_599_627_370_496.0).contains(&us) {
        let t = us as i64;
        (t + i64::from(us - t as f64 >= 0.5)) as u64
    } else {
        libm::round(us) as u64
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

    #[test]
    fn round_us_is_libms_rounding() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut values = vec![0.0, 0.49999999999999994, 0.5, 1.5, 2.5, 1e-300, 4_503_599_627_370_495.5, 4.5e15, 9.1e15];
        values.extend([-0.4, -0.5, -2.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300]);
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x >> 2); // positive, every magnitude
            values.extend([v, (x % 10_000_000) as f64 / 7.0, (x % 1_000) as f64 + 0.5]);
        }
        for v in values {
            assert_eq!(round_us(v), libm::round(v) as u64, "{v:e}");
        }
    }
}
