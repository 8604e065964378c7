//! The charts' scales: which time span they show, where the ticks of each
//! axis go and how the ticks read (with their unit).
//!
//! Why a module: a chart without axes is a squiggle. The ticks land on round
//! values (1, 2 or 5 times a power of ten; whole seconds or minutes in
//! time), so "the error rate went from 0 to 50% at 15 s" can be read off the
//! chart, and every chart (the kind charts too) reads them the same way.

use crate::format;

/// What a value axis counts, for its ticks' text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Per second.
    Rate,
    /// A share, 0..1, shown in percent.
    Share,
    /// Milliseconds (seconds from one second up).
    Ms,
}

impl Unit {
    /// The unit as a chart's label says it.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Rate => "/s",
            Unit::Share => "%",
            Unit::Ms => "ms",
        }
    }

    /// A tick's text.
    pub fn tick(self, v: f64) -> String {
        match self {
            Unit::Rate if v >= 10_000.0 => format!("{}k", trim(v / 1_000.0)),
            Unit::Rate => trim(v),
            Unit::Share => format!("{}%", trim(v * 100.0)),
            Unit::Ms if v >= 1_000.0 => format!("{} s", trim(v / 1_000.0)),
            Unit::Ms => trim(v),
        }
    }

    /// A value's text in a readout (the crosshair's box).
    pub fn value(self, v: f64) -> String {
        match self {
            Unit::Rate => format::rate(v),
            Unit::Share => format::percent(v),
            Unit::Ms => format::ms_or_zero(v),
        }
    }
}

/// A number with at most two decimals and none that are zeros.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The smallest of 1, 2 or 5 times a power of ten at or above `v` (1 for
/// nothing to show): the top of a value axis with round ticks.
pub fn nice_ceil(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return 1.0;
    }
    let e = 10f64.powf(v.log10().floor());
    let f = v / e;
    let n = if f <= 1.0 + 1e-9 {
        1.0
    } else if f <= 2.0 + 1e-9 {
        2.0
    } else if f <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    n * e
}

/// The top of a value axis for values up to `max` in `unit` (a share tops
/// out at 100%).
pub fn axis_max(unit: Unit, max: f64) -> f64 {
    let top = nice_ceil(max);
    if unit == Unit::Share {
        top.clamp(0.01, 1.0)
    } else {
        top
    }
}

/// Steps between time ticks, in seconds.
const TIME_STEPS_S: [f64; 14] =
    [0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1_800.0, 3_600.0];

/// The time ticks (ms) in `[t0, t1]`: the smallest round step that cuts
/// the span into at most `most` steps.
pub fn time_ticks(t0: f64, t1: f64, most: usize) -> Vec<f64> {
    let span_s = ((t1 - t0) / 1_000.0).max(1e-3);
    let step = TIME_STEPS_S.iter().copied().find(|s| span_s / s <= most as f64).unwrap_or(7_200.0) * 1_000.0;
    let first = (t0 / step).ceil() as i64;
    let last = (t1 / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A time tick's text: seconds on a short axis, minutes and seconds past a
/// minute.
pub fn time_label(t_ms: f64, t1: f64) -> String {
    let s = t_ms / 1_000.0;
    if t1 <= 60_000.0 {
        format!("{} s", trim(s))
    } else {
        format!("{}:{:02}", (s / 60.0).floor(), (s % 60.0).floor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_axes_end_on_round_numbers_above_the_data() {
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(191.0), 200.0);
        assert_eq!(nice_ceil(200.0), 200.0);
        assert_eq!(nice_ceil(1_261.0), 2_000.0);
        assert_eq!(nice_ceil(0.034), 0.05);
        assert_eq!(nice_ceil(7.0), 10.0);
        assert_eq!(axis_max(Unit::Share, 0.54), 1.0);
        assert_eq!(axis_max(Unit::Share, 0.003), 0.01, "a trickle of errors still shows");
    }

    #[test]
    fn ticks_read_with_their_unit() {
        assert_eq!(Unit::Share.tick(0.5), "50%");
        assert_eq!(Unit::Share.tick(0.005), "0.5%");
        assert_eq!(Unit::Ms.tick(500.0), "500");
        assert_eq!(Unit::Ms.tick(2_000.0), "2 s");
        assert_eq!(Unit::Rate.tick(100.0), "100");
        assert_eq!(Unit::Rate.tick(25_000.0), "25k");
    }

    #[test]
    fn time_ticks_are_round_and_few() {
        assert_eq!(time_ticks(0.0, 40_000.0, 5), [0.0, 10_000.0, 20_000.0, 30_000.0, 40_000.0]);
        assert_eq!(time_ticks(12_300.0, 18_000.0, 5), [14_000.0, 16_000.0, 18_000.0]);
        assert_eq!(time_ticks(0.0, 600_000.0, 5), [0.0, 120_000.0, 240_000.0, 360_000.0, 480_000.0, 600_000.0]);
        assert_eq!(time_label(15_000.0, 40_000.0), "15 s");
        assert_eq!(time_label(90_000.0, 600_000.0), "1:30");
    }
}
