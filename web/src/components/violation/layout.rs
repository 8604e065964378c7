//! Where a violation's operations go in its history diagram: one lane per
//! client process, each operation a bar from its invoke to its completion
//! on a shared time axis, in plain numbers so it is tested natively.
//!
//! The axis counts from the first invoke, in the largest unit that keeps the
//! span above one (µs, ms or s): a store answers in about a millisecond, and
//! a violation's operations sit seconds into a run, so absolute times would
//! all read alike. Operations a store answered at once are given a minimum
//! width, and an indeterminate one (no completion) runs to the axis's end,
//! marked open.

use faultline_sim::view::{HistoryOpView, ViolationView};

/// Drawing width and heights, in SVG units.
pub const WIDTH: f64 = 560.0;
pub const LEFT: f64 = 104.0;
pub const RIGHT: f64 = 20.0;
pub const TOP: f64 = 10.0;
pub const LANE_H: f64 = 36.0;
pub const AXIS_H: f64 = 34.0;
/// The narrowest bar: an instant operation is still a visible mark.
pub const MIN_BAR: f64 = 6.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub height: f64,
    /// Lane labels and their bars' vertical middle.
    pub lanes: Vec<(String, f64)>,
    pub bars: Vec<Bar>,
    pub ticks: Vec<(f64, String)>,
    /// The axis's title: unit and origin ("ms after 10.001 s").
    pub axis: String,
    /// Where the axis line runs.
    pub axis_y: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    /// Its lane's middle.
    pub y: f64,
    /// "w 9", "r 7 ✗", "cas 3→4".
    pub label: String,
    pub offending: bool,
    /// Never answered: it may or may not have happened.
    pub open: bool,
    /// The whole sentence for a screen reader and the tooltip.
    pub title: String,
}

/// A value as the diagram writes it.
pub fn value(v: Option<i64>) -> String {
    v.map_or("none".to_string(), |v| v.to_string())
}

/// An operation's short label.
pub fn label(op: &HistoryOpView, offending: bool) -> String {
    let mut s = match op.f.as_str() {
        "read" => format!("r {}", value(op.value)),
        "write" => format!("w {}", value(op.value)),
        _ => format!("cas {}→{}", value(op.expected), value(op.value)),
    };
    if op.status != "ok" {
        s.push_str(" ?");
    }
    if offending {
        s.push_str(" ✗");
    }
    s
}

/// The unit (name, microseconds per unit) for a span in microseconds.
fn unit(span_us: u64) -> (&'static str, f64) {
    if span_us >= 2_000_000 {
        ("s", 1e6)
    } else if span_us >= 2_000 {
        ("ms", 1e3)
    } else {
        ("µs", 1.0)
    }
}

/// A round tick step (1, 2 or 5 times a power of ten) giving 3 to 6 ticks.
pub fn tick_step(span: f64) -> f64 {
    let raw = (span / 4.0).max(f64::MIN_POSITIVE);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|&s| span / s <= 6.0).unwrap_or(10.0 * p)
}

fn number(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub fn layout(v: &ViolationView) -> Layout {
    let mut processes: Vec<u64> = Vec::new();
    for o in &v.ops {
        if !processes.contains(&o.process) {
            processes.push(o.process);
        }
    }
    let lane_y = |p: u64| TOP + LANE_H * (processes.iter().position(|&q| q == p).unwrap_or(0) as f64 + 0.5);
    let t0 = v.ops.iter().map(|o| o.invoke_us).min().unwrap_or(0);
    let t1 = v.ops.iter().flat_map(|o| [Some(o.invoke_us), o.return_us]).flatten().max().unwrap_or(t0);
    let span_us = (t1 - t0).max(1);
    let (unit_name, per) = unit(span_us);
    let span = span_us as f64 / per;
    // Room either side so instant operations at the ends are not clipped.
    let (lo, hi) = (-span * 0.05, span * 1.08);
    let plot = WIDTH - LEFT - RIGHT;
    let x_of = |t: f64| LEFT + (t - lo) / (hi - lo) * plot;
    let bars = v
        .ops
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let offending = i == v.offending;
            let a = x_of((o.invoke_us - t0) as f64 / per);
            let b = o.return_us.map_or(WIDTH - RIGHT, |r| x_of((r - t0) as f64 / per));
            let width = (b - a).max(MIN_BAR);
            let x = if b - a < MIN_BAR { (a + b) / 2.0 - MIN_BAR / 2.0 } else { a };
            let verb = match o.f.as_str() {
                "read" => format!("read returned {}", value(o.value)),
                "write" => format!("write of {}", value(o.value)),
                _ => format!("compare-and-set {} to {}", value(o.expected), value(o.value)),
            };
            let when = match o.return_us {
                Some(r) => format!(
                    "from {} to {} {unit_name}",
                    number((o.invoke_us - t0) as f64 / per),
                    number((r - t0) as f64 / per)
                ),
                None => format!("from {} {unit_name}, never answered", number((o.invoke_us - t0) as f64 / per)),
            };
            Bar {
                x,
                width,
                y: lane_y(o.process),
                label: label(o, offending),
                offending,
                open: o.return_us.is_none(),
                title: format!(
                    "Process {}: {verb}, {when}{}",
                    o.process,
                    if offending { " (the offending one)" } else { "" }
                ),
            }
        })
        .collect();
    let step = tick_step(span);
    let ticks = (0..)
        .map(|k| k as f64 * step)
        .take_while(|&t| t <= hi)
        .map(|t| (x_of(t), format!("{} {unit_name}", number(t))))
        .collect();
    let axis_y = TOP + LANE_H * processes.len() as f64 + 6.0;
    Layout {
        height: axis_y + AXIS_H,
        lanes: processes.iter().map(|&p| (format!("process {p}"), lane_y(p))).collect(),
        bars,
        ticks,
        axis: format!("time after {} s", number(t0 as f64 / 1e6)),
        axis_y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(process: u64, f: &str, value: Option<i64>, invoke_us: u64, return_us: Option<u64>) -> HistoryOpView {
        HistoryOpView {
            process,
            f: f.into(),
            value,
            expected: None,
            invoke_us,
            return_us,
            status: if return_us.is_some() { "ok" } else { "info" }.into(),
        }
    }

    /// Two writes and a stale read at 10 s into a run, over 3 ms: three
    /// lanes, the axis in ms from the first invoke, bars where their times
    /// say, the read marked.
    #[test]
    fn bars_sit_at_their_times_in_lanes_per_process() {
        let v = ViolationView {
            key: 0,
            ops: vec![
                op(4, "write", Some(1), 10_000_000, Some(10_001_000)),
                op(5, "write", Some(2), 10_001_500, Some(10_002_000)),
                op(9, "read", Some(1), 10_003_000, Some(10_003_000)),
            ],
            offending: 2,
            why: String::new(),
        };
        let l = layout(&v);
        let lanes: Vec<&str> = l.lanes.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(lanes, ["process 4", "process 5", "process 9"]);
        assert_eq!(l.axis, "time after 10 s");
        // Span 3 ms: ms, a tick every 0.5 ms from 0 to 3.
        let ticks: Vec<&str> = l.ticks.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(ticks, ["0 ms", "0.5 ms", "1 ms", "1.5 ms", "2 ms", "2.5 ms", "3 ms"]);
        // x is linear in time: the write of 1 spans 0..1 ms, a third of 0..3 ms.
        let x = |t: f64| l.ticks.iter().find(|(_, s)| *s == format!("{} ms", number(t))).unwrap().0;
        let w1 = &l.bars[0];
        assert!((w1.x - x(0.0)).abs() < 1e-9 && (w1.x + w1.width - x(1.0)).abs() < 1e-9, "{w1:?}");
        assert_eq!((w1.label.as_str(), w1.offending), ("w 1", false));
        // The instant read is a minimum-width mark centred on its time.
        let r = &l.bars[2];
        assert_eq!((r.label.as_str(), r.offending, r.width), ("r 1 ✗", true, MIN_BAR));
        assert!((r.x + r.width / 2.0 - x(3.0)).abs() < 1e-9);
        assert!(r.x + r.width <= WIDTH - RIGHT, "inside the plot");
        assert_eq!(r.title, "Process 9: read returned 1, from 3 to 3 ms (the offending one)");
        assert_eq!([l.bars[0].y, l.bars[1].y, l.bars[2].y], [TOP + 18.0, TOP + 54.0, TOP + 90.0]);
        assert!(l.height > l.axis_y && l.axis_y > l.bars[2].y);
    }

    #[test]
    fn an_unanswered_write_runs_to_the_end_and_a_process_keeps_one_lane() {
        let v = ViolationView {
            key: 0,
            ops: vec![
                op(1, "write", Some(3), 0, None),
                op(2, "read", None, 100, Some(150)),
                op(2, "read", Some(3), 200, Some(300)),
            ],
            offending: 1,
            why: String::new(),
        };
        let l = layout(&v);
        assert_eq!(l.lanes.len(), 2);
        assert_eq!((l.bars[0].label.as_str(), l.bars[0].open), ("w 3 ?", true));
        assert!((l.bars[0].x + l.bars[0].width - (WIDTH - RIGHT)).abs() < 1e-9);
        assert_eq!(l.bars[1].label, "r none ✗");
        assert_eq!(l.bars[1].y, l.bars[2].y);
        assert!(l.ticks.iter().all(|(_, s)| s.ends_with(" µs")));
    }

    /// The tick step is 1, 2 or 5 times a power of ten and gives 3 to 6
    /// intervals over any span.
    #[test]
    fn tick_steps_are_round_and_few() {
        for span in [0.7, 1.0, 3.0, 9.99, 12.0, 47.0, 150.0, 999.0, 1_234.5] {
            let s = tick_step(span);
            let mantissa = s / 10f64.powf(s.log10().floor());
            assert!([1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-9), "{span}: {s}");
            let n = span / s;
            assert!((2.0..=6.0).contains(&n), "{span}: {s} gives {n}");
        }
    }
}
