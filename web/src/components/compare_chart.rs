//! One chart of the compare view: a metric over the run with A's line and
//! B's overlaid on the same time and value axes.
//!
//! Why its own drawing rather than `Charts`: the live charts follow one run
//! (hover, zoom, a line per operation); here every chart holds exactly two
//! runs that must be told apart without colour (A solid, B dashed, and the
//! legend says which), and the value axis is shared so the gap between the
//! lines is the difference. The lines themselves are laid out by the live
//! charts' `geometry` (a line breaks off in a window without a value), and
//! the axes read as theirs do (`chart_axes`). Hovering one chart reads A and
//! B at that second on every chart of the view (a shared crosshair, snapped
//! to the windows), so "when did B recover" is read, not guessed.

use super::chart_axes::{axis_max, time_label, time_ticks, Unit};
use super::charts::{backdrop, geometry, snap, time_at, time_axis, value_axis, Plot, Series, H, W};
use faultline_sim::metrics::Point;
use yew::prelude::*;

/// What a compare chart shows of a window.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Share of the window's answers that succeeded.
    Success,
    /// p99 of the window's successful calls.
    P99,
    /// Successful answers in the window (a second).
    Throughput,
}

impl Metric {
    pub fn unit(self) -> Unit {
        match self {
            Metric::Success => Unit::Share,
            Metric::P99 => Unit::Ms,
            Metric::Throughput => Unit::Rate,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Success => "Success rate",
            Metric::P99 => "p99 latency",
            Metric::Throughput => "Throughput, ok",
        }
    }

    /// The window's value; `None` where there is none (no answer, or for a
    /// latency no success).
    pub fn of(self, p: &Point) -> Option<f64> {
        match self {
            Metric::Success => (p.ok + p.failed > 0).then(|| p.ok as f64 / (p.ok + p.failed) as f64),
            Metric::P99 => (p.ok > 0).then(|| p.p99_us as f64 / 1e3),
            Metric::Throughput => Some(p.ok as f64),
        }
    }
}

/// A side's line: its window ends (ms) and values.
fn line(points: &[Point], m: Metric, class: &'static str, name: &str) -> Series {
    Series {
        name: name.to_string(),
        class,
        colour: None,
        values: points.iter().map(|p| (p.t_ms as f64, m.of(p))).collect(),
    }
}

/// The last value of a line, as its unit reads.
fn last(s: &Series, unit: Unit) -> String {
    s.values.iter().rev().find_map(|(_, v)| *v).map_or("–".into(), |v| unit.value(v))
}

/// What every chart of the view shares: the run's length, the faults (start
/// and what each is), and the crosshair (the hovered window's end, ms, and
/// how a chart moves it).
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    pub end_ms: f64,
    pub markers: &'a [(u64, String)],
    pub hover: Option<f64>,
    pub set_hover: &'a Callback<Option<f64>>,
}

/// The chart of `m` for A's `a` and B's `b` over the run, with a dashed
/// marker at each fault and the shared crosshair (`frame`). `title`
/// says what it is of ("Success rate", "orders · p99 latency").
pub fn overlay(testid: String, title: String, m: Metric, a: &[Point], b: &[Point], frame: Frame) -> Html {
    let Frame { end_ms, markers, hover, set_hover } = frame;
    let unit = m.unit();
    let series = vec![line(a, m, "series cmp-a", "A"), line(b, m, "series cmp-b", "B")];
    let max = series.iter().flat_map(|s| s.values.iter().filter_map(|(_, v)| *v)).fold(0.0, f64::max);
    let top = axis_max(unit, if unit == Unit::Share { max } else { max * 1.05 });
    let (t0, t1) = (0.0, end_ms.max(1_000.0));
    let x_frac = move |t: f64| (t - t0) / (t1 - t0);
    let described = format!(
        "{title} ({}) from {} to {}: A ends at {}, B at {}",
        unit.name(),
        time_label(t0, t1),
        time_label(t1, t1),
        last(&series[0], unit),
        last(&series[1], unit)
    );
    let plot = Plot {
        id: "",
        label: "",
        help: "",
        unit,
        top,
        headline: (String::new(), String::new()),
        points: a.len(),
        shards: None,
        series,
        failed: None,
    };
    let shapes = geometry(&plot, t0, t1);
    let onpointermove = {
        let ends: Vec<Point> = if a.len() >= b.len() { a.to_vec() } else { b.to_vec() };
        let set = set_hover.clone();
        Callback::from(move |ev: PointerEvent| set.emit(time_at(&ev, t0, t1).and_then(|t| snap(&ends, t))))
    };
    let onpointerleave = set_hover.reform(|_: PointerEvent| None);
    let hovered = hover.filter(|t| (t0..=t1).contains(t));
    let readings = hovered.map(|t| {
        // Inside the plot, on the side away from the crosshair.
        let right = x_frac(t) < 0.5;
        html! {
            <div class={classes!("crosshair-box", right.then_some("right"))} data-testid={format!("{testid}-reading")}>
                <strong>{ time_label(t, t1) }</strong>
                { for plot.series.iter().map(|s| html! {
                    <span class="reading"><i class={classes!("swatch", s.class.split(' ').next_back())} />
                        { format!("{} {}", s.name, s.at(t).map_or("–".into(), |v| unit.value(v))) }</span>
                }) }
            </div>
        }
    });
    html! {
        <figure class="chart" data-testid={testid} data-top={top.to_string()} data-lines={shapes.len().to_string()}>
            <figcaption>
                <span class="chart-label">{ title }<span class="chart-unit">{ format!(" ({})", unit.name()) }</span></span>
            </figcaption>
            <div class="plot">
                { value_axis(unit, top) }
                <div class="plot-area">
                    <svg viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img" aria-label={described}
                        {onpointermove} {onpointerleave}>
                        { backdrop(markers.iter(), x_frac) }
                        { for shapes.into_iter().map(|(points, class, _)| html! {
                            <polyline {class} {points} vector-effect="non-scaling-stroke" />
                        }) }
                        if let Some(t) = hovered {
                            <line class="hover-line" x1={(x_frac(t) * W).to_string()} y1="0"
                                x2={(x_frac(t) * W).to_string()} y2={H.to_string()} vector-effect="non-scaling-stroke" />
                        }
                    </svg>
                    { for readings }
                </div>
                { time_axis(&time_ticks(t0, t1, 5), t1, x_frac) }
            </div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_and_latency_break_off_where_there_is_nothing_to_measure() {
        let idle = Point { t_ms: 1_000, ..Point::default() };
        assert_eq!(Metric::Success.of(&idle), None);
        assert_eq!(Metric::P99.of(&idle), None);
        assert_eq!(Metric::Throughput.of(&idle), Some(0.0));
        let failing = Point { t_ms: 2_000, ok: 1, failed: 3, p99_us: 12_000, ..Point::default() };
        assert_eq!(Metric::Success.of(&failing), Some(0.25));
        assert_eq!(Metric::P99.of(&failing), Some(12.0));
    }
}
