//! The failures-by-cause chart ("By cause", beside "Errors"): the followed
//! subject's failed calls a second, one line per cause that occurs (timeout,
//! rejected, refused, 5xx, 429, 4xx, short-circuited, bulkhead), and their
//! total when there are several. Drawn from the engine's cause series
//! (`faultline_sim::causes`, a point per window that had a failure) as a
//! `Plot`, with the same axes, crosshair and zoom as the other charts.
//!
//! Why a chart and not only the run summary's bars: a fix often changes the
//! cause before the count. The cascade's link times out, then its breaker
//! short-circuits; a retry storm's timeouts turn into rejections once the
//! cut heals. Each cause has its own colour *and* dash pattern (`style.css`,
//! `.cause-*`), so the lines tell apart without colour too.

use super::chart_axes::{axis_max, Unit};
use super::charts::{Plot, Series};
use faultline_sim::causes::{dense, CausePoint};
use faultline_sim::metrics::Point;
use faultline_sim::FailReason;

/// Each cause's label (as the run summary's bars name it) and its line's
/// class (its colour and dash pattern), by `FailReason as usize`.
pub const CAUSES: [(&str, &str); FailReason::COUNT] = [
    ("timeout", "series cause cause-timeout"),
    ("rejected", "series cause cause-rejected"),
    ("refused", "series cause cause-refused"),
    ("5xx", "series cause cause-5xx"),
    ("429", "series cause cause-429"),
    ("4xx", "series cause cause-4xx"),
    ("short-circuited", "series cause cause-short-circuited"),
    ("bulkhead", "series cause cause-bulkhead"),
];

/// The causes that occur in `causes`, by index, in `CAUSES` order.
pub fn present(causes: &[CausePoint]) -> Vec<usize> {
    (0..FailReason::COUNT).filter(|&i| causes.iter().any(|c| c.counts[i] > 0)).collect()
}

/// The chart of `causes` over the windows of `series`; `None` while nothing
/// has failed (no chart without a line to draw).
pub fn cause_plot(series: &[Point], causes: &[CausePoint]) -> Option<Plot> {
    let shown = present(causes);
    if shown.is_empty() {
        return None;
    }
    let windows = dense(causes, series.iter().map(|p| p.t_ms));
    // A window is one simulated second: its count is the rate.
    let line = |name: &str, class: &'static str, of: &dyn Fn(&CausePoint) -> u64| Series {
        name: name.to_string(),
        class,
        colour: None,
        values: windows.iter().map(|c| (c.t_ms as f64, Some(of(c) as f64))).collect(),
    };
    let mut lines = Vec::new();
    if shown.len() > 1 {
        lines.push(line("all failures", "series cause-all", &CausePoint::total));
    }
    lines.extend(shown.iter().map(|&i| line(CAUSES[i].0, CAUSES[i].1, &move |c: &CausePoint| u64::from(c.counts[i]))));
    let max = windows.iter().map(CausePoint::total).max().unwrap_or(0) as f64;
    let latest = windows.last().map_or(0.0, |c| c.total() as f64);
    Some(Plot {
        id: "causes",
        // Short, to fit a fifth of the row beside "Errors (%)", whose failures it breaks down.
        label: "By cause",
        help: "Failures by cause: requests failed a second, a line per cause (and their total when there are several)",
        unit: Unit::Rate,
        top: axis_max(Unit::Rate, max * 1.05),
        headline: (Unit::Rate.value(latest), latest.to_string()),
        points: series.len(),
        shards: None,
        series: lines,
        failed: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(t_ms: u64, failed: u64) -> Point {
        Point { t_ms, failed, ..Point::default() }
    }

    fn causes(t_ms: u64, timeout: u32, short: u32) -> CausePoint {
        let mut counts = [0; FailReason::COUNT];
        counts[FailReason::Timeout as usize] = timeout;
        counts[FailReason::ShortCircuited as usize] = short;
        CausePoint { t_ms, counts }
    }

    #[test]
    fn nothing_failed_no_chart() {
        assert_eq!(cause_plot(&[window(1_000, 0)], &[]), None);
    }

    #[test]
    fn a_line_per_cause_present_and_their_total() {
        let series: Vec<Point> = (1..=4).map(|s| window(s * 1_000, 0)).collect();
        let c = [causes(2_000, 40, 0), causes(3_000, 10, 90)];
        let plot = cause_plot(&series, &c).unwrap();
        let names: Vec<&str> = plot.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["all failures", "timeout", "short-circuited"]);
        // Windows without a failure read 0, not a gap.
        assert_eq!(plot.series[1].values, [(1e3, Some(0.0)), (2e3, Some(40.0)), (3e3, Some(10.0)), (4e3, Some(0.0))]);
        assert_eq!(plot.series[0].values[2], (3e3, Some(100.0)));
        assert_eq!(plot.top, 200.0, "100/s x 1.05 rounds up to 200");
        assert_eq!(plot.headline.1, "0");
        assert!(plot.series[2].class.ends_with("cause-short-circuited"));
        // One cause alone is its own total.
        let one = cause_plot(&series, &[causes(2_000, 5, 0)]).unwrap();
        assert_eq!(one.series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["timeout"]);
    }
}
