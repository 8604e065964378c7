//! Charts of the selected node or link (or the whole system) over simulated
//! time: throughput, error rate, p50 and p99, one point per metrics window,
//! with a dashed marker wherever a fault starts.
//!
//! Why they look as they do: a chart is read, not glanced at. Each has a time
//! axis and a value axis with its unit (`chart_axes`), a legend says what
//! every line is, and a crosshair shared by all the charts reads every line
//! at one moment. Dragging across a chart zooms all of them into that span
//! (double-click or "Zoom out" goes back); one chart can be expanded. While
//! the whole system or a client is shown, each operation has its own line
//! (the lesson of a fix is often per operation: "orders fail fast, catalog is
//! fine" is invisible in the total). The time axis spans the run's whole
//! duration, like the fault strip above it, so a fault at 15 s is at the
//! same place in both.
//!
//! The latency lines are of successful calls, and break off in windows
//! without one (a 0 there would read as "fast"). Failed calls' latency, often
//! near 0 (refused, short-circuited, shed), is drawn as a second, dashed
//! line on the same chart, only where calls failed, and read out beside it.
//! Once something has failed, a fifth chart says how: failures a second by
//! cause (`cause_chart`).

use super::cause_chart::{cause_plot, present, CAUSES};
use super::chart_axes::{axis_max, time_label, time_ticks, Unit};
use super::kind_charts::{kind_plot, KindChart};
use faultline_live::protocol::OpSeries;
use faultline_sim::causes::CausePoint;
use faultline_sim::kind_series::KindPoint;
use faultline_sim::metrics::{Point, SERIES_CAPACITY};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Clone, Copy, PartialEq)]
enum Metric {
    Throughput,
    ErrorRate,
    P50,
    P99,
}

const METRICS: [(Metric, &str, &str); 4] = [
    (Metric::Throughput, "throughput", "Throughput"),
    (Metric::ErrorRate, "error-rate", "Errors"),
    (Metric::P50, "p50", "p50"),
    (Metric::P99, "p99", "p99"),
];

/// The operations' line colours, in order (the overall line keeps its
/// chart's colour).
const OP_COLOURS: [&str; 6] = ["#8b5cf6", "#0d9488", "#db2777", "#0891b2", "#65a30d", "#ea580c"];

/// The plots' coordinate space (stretched to the chart's box).
pub(crate) const W: f64 = 320.0;
pub(crate) const H: f64 = 70.0;

impl Metric {
    fn unit(self) -> Unit {
        match self {
            Metric::Throughput => Unit::Rate,
            Metric::ErrorRate => Unit::Share,
            Metric::P50 | Metric::P99 => Unit::Ms,
        }
    }

    fn latency(self) -> bool {
        matches!(self, Metric::P50 | Metric::P99)
    }

    /// The window's value, or `None` where there is none to draw (latency
    /// needs a success; an operation's error rate needs an answer).
    fn of(self, p: &Point, whole: bool) -> Option<f64> {
        let done = (p.ok + p.failed) as f64;
        match self {
            Metric::Throughput => Some(done),
            Metric::ErrorRate if done == 0.0 => whole.then_some(0.0),
            Metric::ErrorRate => Some(p.failed as f64 / done),
            Metric::P50 => (p.ok > 0).then(|| p.p50_us as f64 / 1e3),
            Metric::P99 => (p.ok > 0).then(|| p.p99_us as f64 / 1e3),
        }
    }

    /// The failed calls' latency in the window; `None` where nothing failed.
    fn failed(self, p: &Point) -> Option<f64> {
        let us = match self {
            Metric::P50 => p.fail_p50_us,
            Metric::P99 => p.fail_p99_us,
            Metric::Throughput | Metric::ErrorRate => return None,
        };
        (p.failed > 0).then_some(us as f64 / 1e3)
    }
}

/// One line of a chart: its values at window ends (ms), `None` where it
/// breaks off.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub class: &'static str,
    /// Its own colour (an operation's, a shard's); else the class's.
    pub colour: Option<String>,
    pub values: Vec<(f64, Option<f64>)>,
}

impl Series {
    /// The value of the window ending at `t` (the crosshair snaps to windows).
    pub(super) fn at(&self, t: f64) -> Option<f64> {
        let i = self.values.partition_point(|(x, _)| *x < t);
        self.values.get(i).filter(|(x, _)| *x == t).and_then(|(_, v)| *v)
    }

    fn latest(&self) -> Option<f64> {
        self.values.last().and_then(|(_, v)| *v)
    }
}

/// What one chart shows, before it is laid out on an axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    pub id: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub unit: Unit,
    /// The value axis' top.
    pub top: f64,
    /// The value now as shown, and raw (`data-value`).
    pub headline: (String, String),
    pub points: usize,
    pub shards: Option<usize>,
    /// The first is the chart's own line (read in the headline on hover).
    pub series: Vec<Series>,
    /// The failed calls' latency (the latency charts).
    pub failed: Option<Series>,
}

/// The `points` of one polyline per run of consecutive windows that have a
/// value. A run of one window is drawn across the second it covers (a line
/// needs two points).
fn runs(points: &[Option<(f64, f64)>], second: f64) -> Vec<String> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    for &p in points {
        match p {
            Some(xy) if open => out.last_mut().expect("open").push(xy),
            Some(xy) => {
                out.push(vec![xy]);
                open = true;
            }
            None => open = false,
        }
    }
    out.into_iter()
        .map(|mut run| {
            if let [(x, y)] = run[..] {
                run.insert(0, (x - second, y));
            }
            run.iter().map(|(x, y)| format!("{x:.1},{y:.1} ")).collect()
        })
        .collect()
}

/// The four charts of `series` (with a line per operation in `ops`).
fn metric_plots(series: &[Point], ops: &[OpSeries]) -> Vec<Plot> {
    METRICS
        .iter()
        .map(|&(m, id, label)| {
            let own = Series {
                name: "all requests".into(),
                class: id_class(id),
                colour: None,
                values: series.iter().map(|p| (p.t_ms as f64, m.of(p, true))).collect(),
            };
            let mut lines = vec![own];
            lines.extend(ops.iter().enumerate().map(|(i, o)| Series {
                name: o.name.clone(),
                class: "series op",
                colour: Some(OP_COLOURS[i % OP_COLOURS.len()].to_string()),
                values: o.points.iter().map(|p| (p.t_ms as f64, m.of(p, false))).collect(),
            }));
            let failed = m.latency().then(|| Series {
                name: "failed calls".into(),
                class: "series failed",
                colour: None,
                values: series.iter().map(|p| (p.t_ms as f64, m.failed(p))).collect(),
            });
            let max =
                lines.iter().chain(&failed).flat_map(|s| s.values.iter().filter_map(|(_, v)| *v)).fold(0.0, f64::max);
            let unit = m.unit();
            let top = axis_max(unit, if unit == Unit::Share { max } else { max * 1.05 });
            let latest = series.last().and_then(|p| m.of(p, true)).unwrap_or(0.0);
            Plot {
                id,
                label,
                help: match m {
                    Metric::Throughput => "Requests answered a second (succeeded or failed)",
                    Metric::ErrorRate => "Share of the requests answered that failed, each second",
                    Metric::P50 => "Median latency of the calls that succeeded (ok or fallback), each second",
                    Metric::P99 => "99th percentile latency of the calls that succeeded (ok or fallback), each second",
                },
                unit,
                top,
                headline: (unit.value(latest), latest.to_string()),
                points: series.len(),
                shards: None,
                series: lines,
                failed: failed.filter(|f| f.values.iter().any(|(_, v)| v.is_some())),
            }
        })
        .collect()
}

fn id_class(id: &str) -> &'static str {
    match id {
        "throughput" => "series throughput",
        "error-rate" => "series error-rate",
        "p50" => "series p50",
        _ => "series p99",
    }
}

/// A polyline: its points, class and own colour.
pub(crate) type Shape = (String, &'static str, Option<String>);

/// A plot's polylines on the axis `[t0, t1]`.
pub(crate) fn geometry(plot: &Plot, t0: f64, t1: f64) -> Vec<Shape> {
    let x_of = |t: f64| (t - t0) / (t1 - t0) * W;
    let y_of = |v: f64| H - (v / plot.top).min(1.02) * (H - 2.0);
    let second = x_of(1_000.0) - x_of(0.0);
    let (lo, hi) = (t0 - 1_000.0, t1 + 1_000.0);
    plot.series
        .iter()
        .chain(&plot.failed)
        .flat_map(|s| {
            let pts: Vec<_> = s
                .values
                .iter()
                .filter(|(t, _)| *t >= lo && *t <= hi)
                .map(|(t, v)| v.map(|v| (x_of(*t), y_of(v))))
                .collect();
            runs(&pts, second).into_iter().map(move |l| (l, s.class, s.colour.clone()))
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    /// What the charts are of ("whole system", a node's name, a link).
    pub subject: String,
    pub series: Rc<Vec<Point>>,
    /// Each operation's series (while the whole system or a client is shown).
    #[prop_or_default]
    pub op_series: Rc<Vec<OpSeries>>,
    /// The subject's failures by cause (a point per window with a failure).
    #[prop_or_default]
    pub cause_series: Rc<Vec<CausePoint>>,
    /// Fault start times (ms) and what they are.
    pub markers: Rc<Vec<(u64, String)>>,
    /// The run's end (ms): the time axis spans the run, like the fault strip.
    pub end_ms: f64,
    /// The chart the selected node's kind adds, drawn from `kind_series`
    /// once that has a point (see `kind_charts`).
    #[prop_or_default]
    pub kind_chart: Option<KindChart>,
    #[prop_or_default]
    pub kind_series: Rc<Vec<KindPoint>>,
    /// A word on what the charts leave out (a partitioned link's failures).
    #[prop_or_default]
    pub note: Option<AttrValue>,
}

/// The plot (svg) under the pointer. Not `current_target`: Yew delegates
/// events to its root, so that is the root.
fn plot_of(ev: &MouseEvent) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest("svg").ok()?
}

/// The time at the pointer over a chart's plot.
pub(super) fn time_at(ev: &MouseEvent, t0: f64, t1: f64) -> Option<f64> {
    let el = plot_of(ev)?;
    let r = el.get_bounding_client_rect();
    let f = ((f64::from(ev.client_x()) - r.left()) / r.width().max(1.0)).clamp(0.0, 1.0);
    Some(t0 + f * (t1 - t0))
}

/// What every plot draws under its lines: the middle grid line, the time
/// axis and a dashed marker at each fault's start (`x_frac`: a time's place
/// across the plot).
pub(super) fn backdrop<'a>(markers: impl Iterator<Item = &'a (u64, String)>, x_frac: impl Fn(f64) -> f64) -> Html {
    html! {
        <>
            <line class="grid" x1="0" y1={(H / 2.0).to_string()} x2={W.to_string()} y2={(H / 2.0).to_string()}
                vector-effect="non-scaling-stroke" />
            <line class="axis" x1="0" y1={H.to_string()} x2={W.to_string()} y2={H.to_string()}
                vector-effect="non-scaling-stroke" />
            { for markers.map(|(t, what)| {
                let x = (x_frac(*t as f64) * W).to_string();
                html! {
                    <line class="fault-marker" x1={x.clone()} y1="0" x2={x} y2={H.to_string()}
                        vector-effect="non-scaling-stroke"><title>{ what.clone() }</title></line>
                }
            }) }
        </>
    }
}

/// A plot's value axis: its top, middle and zero, in `unit`.
pub(super) fn value_axis(unit: Unit, top: f64) -> Html {
    html! {
        <div class="y-ticks" aria-hidden="true">
            { for [1.0, 0.5, 0.0].map(|f| html! {
                <span class={if f == 1.0 { "top" } else if f == 0.0 { "bottom" } else { "" }}
                    style={format!("top: {}", pct(1.0 - f))}>{ unit.tick(top * f) }</span>
            }) }
        </div>
    }
}

/// A plot's time axis: a label at each of `ticks` (`x_frac`: a time's place
/// across the plot), read against the end `t1`.
pub(super) fn time_axis(ticks: &[f64], t1: f64, x_frac: impl Fn(f64) -> f64) -> Html {
    html! {
        <div class="x-ticks" aria-hidden="true">
            { for ticks.iter().map(|t| html! {
                <span style={format!("left: {}", pct(x_frac(*t)))}>{ time_label(*t, t1) }</span>
            }) }
        </div>
    }
}

/// The window end in `series` nearest `t`.
pub(super) fn snap(series: &[Point], t: f64) -> Option<f64> {
    let i = series.partition_point(|p| (p.t_ms as f64) < t);
    [i.checked_sub(1), Some(i)]
        .into_iter()
        .flatten()
        .filter_map(|i| series.get(i))
        .map(|p| p.t_ms as f64)
        .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))
}

fn pct(v: f64) -> String {
    format!("{:.3}%", v * 100.0)
}

#[component]
pub fn Charts(props: &ChartsProps) -> Html {
    // The window under the pointer (ms), a drag in progress (from, to), the
    // zoomed span, and the expanded chart.
    // The hovered window's end and the chart under the pointer (its box of
    // readings; the others show the crosshair's line and their value).
    let (open, toggle) = super::fold::use_fold("charts", true);
    let hover = use_state_eq(|| None::<(f64, usize)>);
    let drag = use_state_eq(|| None::<(f64, f64)>);
    let zoom = use_state_eq(|| None::<(f64, f64)>);
    let expanded = use_state_eq(|| None::<&'static str>);

    // The whole run (the series keeps its last SERIES_CAPACITY windows: past
    // that, the span kept).
    let long = props.end_ms > SERIES_CAPACITY as f64 * 1_000.0;
    let full = match (props.series.first(), props.series.last()) {
        (Some(first), Some(last)) if long => ((first.t_ms as f64 - 1_000.0).max(0.0), last.t_ms as f64),
        _ => (0.0, props.end_ms.max(1_000.0)),
    };
    let (t0, t1) = zoom.unwrap_or(full);

    let plots = use_memo(
        (
            Rc::clone(&props.series),
            Rc::clone(&props.op_series),
            Rc::clone(&props.cause_series),
            props.kind_chart,
            Rc::clone(&props.kind_series),
        ),
        |(series, ops, causes, kind, kind_series)| {
            let mut plots = metric_plots(series, ops);
            plots.extend(cause_plot(series, causes));
            if let Some(kind) = kind.filter(|_| !kind_series.is_empty()) {
                plots.push(kind_plot(kind, kind_series));
            }
            plots
        },
    );
    let shapes = use_memo((Rc::clone(&plots), t0.to_bits(), t1.to_bits()), |(plots, _, _)| {
        plots.iter().map(|p| geometry(p, t0, t1)).collect::<Vec<_>>()
    });

    let x_frac = |t: f64| (t - t0) / (t1 - t0);
    let onpointerdown = {
        let drag = drag.clone();
        Callback::from(move |ev: PointerEvent| {
            if ev.button() != 0 {
                return;
            }
            if let Some(el) = plot_of(&ev) {
                let _ = el.set_pointer_capture(ev.pointer_id());
            }
            if let Some(t) = time_at(&ev, t0, t1) {
                drag.set(Some((t, t)));
            }
        })
    };
    let onpointermove = {
        let (hover, drag, series) = (hover.clone(), drag.clone(), Rc::clone(&props.series));
        Callback::from(move |ev: PointerEvent| {
            let Some(t) = time_at(&ev, t0, t1) else { return };
            let over = plot_of(&ev).and_then(|el| el.get_attribute("data-plot")?.parse().ok());
            hover.set(snap(&series, t).zip(over));
            if let Some((from, _)) = *drag {
                drag.set(Some((from, t)));
            }
        })
    };
    let onpointerup = {
        let (drag, zoom) = (drag.clone(), zoom.clone());
        Callback::from(move |_: PointerEvent| {
            if let Some((a, b)) = *drag {
                let (lo, hi) = (a.min(b), a.max(b));
                // A click is no zoom; a zoom spans at least two windows.
                if hi - lo >= ((t1 - t0) * 0.02).max(500.0) {
                    // On whole seconds (the windows' ends).
                    let lo = (lo / 1_000.0).round().max(0.0) * 1_000.0;
                    zoom.set(Some((lo, ((hi / 1_000.0).round() * 1_000.0).max(lo + 2_000.0))));
                }
            }
            drag.set(None);
        })
    };
    let onpointerleave = {
        let hover = hover.clone();
        Callback::from(move |_: PointerEvent| hover.set(None))
    };
    let unzoom = {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| zoom.set(None))
    };

    let ticks = time_ticks(t0, t1, if expanded.is_some() { 10 } else { 5 });
    let markers: Vec<&(u64, String)> =
        props.markers.iter().filter(|(t, _)| (*t as f64) >= t0 && (*t as f64) <= t1).collect();
    let hovered_on = (*hover).filter(|(t, _)| *t >= t0 - 1_000.0 && *t <= t1 + 1_000.0);
    let hovered = hovered_on.map(|(t, _)| t);

    let count = if expanded.is_some() { 1 } else { plots.len() };
    let chart = |(position, (index, (plot, shape))): (usize, (usize, (&Plot, &Vec<Shape>)))| {
        let is_expanded = *expanded == Some(plot.id);
        let (value, raw) = match (hovered, plot.shards) {
            (Some(t), None) => {
                (plot.series[0].at(t).map_or("–".into(), |v| plot.unit.value(v)), plot.headline.1.clone())
            }
            _ => plot.headline.clone(),
        };
        let failed_now = plot.failed.as_ref().map(|f| match hovered {
            Some(t) => f.at(t),
            None => f.latest(),
        });
        let toggle = {
            let (expanded, id) = (expanded.clone(), plot.id);
            Callback::from(move |_: MouseEvent| expanded.set(if *expanded == Some(id) { None } else { Some(id) }))
        };
        // The box sits over the chart's plot, at its outer side in the row,
        // so it never spills out of the charts.
        let right_side = position * 2 >= count.max(1) && count > 1;
        let readings = hovered_on.filter(|(_, on)| *on == index).map(|(t, _)| {
            let rows = plot.series.iter().chain(&plot.failed).filter(|s| plot.shards.is_none() || s.at(t).is_some());
            html! {
                <div class={classes!("crosshair-box", right_side.then_some("right"))}
                    data-testid={format!("crosshair-{}", plot.id)}>
                    <strong>{ time_label(t, t1) }</strong>
                    { for rows.map(|s| html! {
                        <span class="reading">
                            <i class={classes!("swatch", s.class.split(' ').next_back())}
                                style={s.colour.as_ref().map(|c| format!("background: {c}"))} />
                            { format!("{} {}", s.name, s.at(t).map_or("–".into(), |v| plot.unit.value(v))) }
                        </span>
                    }) }
                </div>
            }
        });
        let selecting = (*drag).filter(|(a, b)| a != b).map(|(a, b)| {
            let (lo, hi) = (x_frac(a.min(b)).clamp(0.0, 1.0), x_frac(a.max(b)).clamp(0.0, 1.0));
            html! { <rect class="zoom-select" x={(lo * W).to_string()} y="0" width={((hi - lo) * W).to_string()}
            height={H.to_string()} /> }
        });
        let unit_name = plot.unit.name();
        html! {
            <figure class={classes!("chart", is_expanded.then_some("expanded"))} data-testid={format!("chart-{}", plot.id)}
                data-points={plot.points.to_string()} data-shards={plot.shards.map(|s| s.to_string())}
                data-top={plot.top.to_string()}>
                <figcaption>
                    <span class="chart-label" title={(!plot.help.is_empty()).then_some(plot.help)}>
                        { plot.label }<span class="chart-unit">{ format!(" ({unit_name})") }</span></span>
                    if let Some(now) = failed_now {
                        <span class="chart-failed" data-testid={format!("chart-{}-failed", plot.id)}
                            data-value={now.unwrap_or(0.0).to_string()}
                            title="Latency of the calls that failed (not in the line above)">{
                            match now {
                                Some(v) => format!("failed {}", plot.unit.value(v)),
                                None => "failed –".to_string(),
                            }
                        }</span>
                    }
                    <span class="chart-value" data-value={raw}>{ value }</span>
                    <button class="chart-expand" onclick={toggle} data-testid={format!("expand-{}", plot.id)}
                        aria-pressed={is_expanded.to_string()}
                        aria-label={if is_expanded { format!("Back to all charts from {}", plot.label) } else { format!("Expand {}", plot.label) }}
                        title={if is_expanded { "Back to all charts" } else { "Expand this chart" }}>
                        { if is_expanded { "⤡" } else { "⤢" } }
                    </button>
                </figcaption>
                <div class="plot">
                    { value_axis(plot.unit, plot.top) }
                    <div class="plot-area">
                        <svg viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img"
                            aria-label={format!("{} ({unit_name}) from {} to {}: now {}", plot.label, time_label(t0, t1),
                                time_label(t1, t1), plot.headline.0)} data-plot={index.to_string()}
                            onpointerdown={onpointerdown.clone()} onpointermove={onpointermove.clone()}
                            onpointerup={onpointerup.clone()}
                            ondblclick={unzoom.clone()}>
                            { backdrop(markers.iter().copied(), x_frac) }
                            { for shape.iter().map(|(points, class, colour)| html! {
                                <polyline class={*class} points={points.clone()}
                                    style={colour.as_ref().map(|c| format!("stroke: {c}"))}
                                    vector-effect="non-scaling-stroke" />
                            }) }
                            if let Some(t) = hovered {
                                <line class="hover-line" x1={(x_frac(t) * W).to_string()} y1="0"
                                    x2={(x_frac(t) * W).to_string()} y2={H.to_string()} vector-effect="non-scaling-stroke" />
                            }
                            { for selecting.clone() }
                        </svg>
                        { for readings }
                    </div>
                    { time_axis(&ticks, t1, x_frac) }
                </div>
            </figure>
        }
    };
    let shown = plots.iter().zip(shapes.iter()).enumerate().filter(|(_, (p, _))| expanded.is_none_or(|id| id == p.id));
    let charts: Vec<Html> = shown.enumerate().map(chart).collect();
    let row_class = match plots.len() {
        _ if expanded.is_some() => None,
        5 => Some("five"),
        6.. => Some("six"),
        _ => None,
    };
    let causes = present(&props.cause_series);
    let any_failed = plots.iter().any(|p| p.failed.is_some());
    let legend = html! {
        <div class="chart-legend" data-testid="chart-legend">
            if !props.op_series.is_empty() {
                <span class="legend-item"><i class="swatch all" />{ "all requests" }</span>
            }
            { for props.op_series.iter().enumerate().map(|(i, o)| html! {
                <span class="legend-item" data-testid={format!("legend-op-{}", o.name)}>
                    <i class="swatch" style={format!("background: {}", OP_COLOURS[i % OP_COLOURS.len()])} />{ o.name.clone() }
                </span>
            }) }
            if any_failed {
                <span class="legend-item"><i class="swatch dashed" />{ "failed calls' latency" }</span>
            }
            if causes.len() > 1 {
                <span class="legend-item" data-testid="legend-cause-all"><i class="swatch cause-all" />{ "all failures" }</span>
            }
            { for causes.iter().map(|&i| {
                let (name, class) = CAUSES[i];
                html! {
                    <span class="legend-item" data-testid={format!("legend-cause-{name}")}>
                        <i class={classes!("swatch", class.split(' ').next_back())} />{ name }
                    </span>
                }
            }) }
            <span class="legend-item" data-testid="legend-fault"><i class="swatch fault" />{ "a fault starts" }</span>
            <span class="legend-hint">{ if zoom.is_some() { "double-click a chart to zoom out" } else { "drag across a chart to zoom" } }</span>
        </div>
    };
    html! {
        <section class={classes!("charts", (!open).then_some("folded"))} aria-label={format!("Charts: {}", props.subject)}>
            <div class="charts-head">
                { super::fold::fold_button(open, toggle, html! {
                    <span class="charts-title">{ format!("Charts · {}", props.subject) }</span>
                }, "fold-charts", "charts-body") }
                if open { { legend } }
                if open && zoom.is_some() {
                    <button class="btn small" data-testid="chart-zoom-out" onclick={unzoom}>
                        { format!("Zoom out ({}–{})", time_label(t0, t1), time_label(t1, t1)) }</button>
                }
            </div>
            // Folded: the head alone (see `fold`); the charts are not drawn.
            <div id="charts-body" hidden={!open}>
                if open {
                    if let Some(note) = &props.note {
                        <p class="charts-note" data-testid="charts-note">{ note.clone() }</p>
                    }
                    <div class={classes!("chart-row", row_class,
                        (!props.op_series.is_empty()).then_some("with-ops"),
                        expanded.is_some().then_some("one"))} onpointerleave={onpointerleave} data-t0={t0.to_string()} data-t1={t1.to_string()}>
                        { for charts }
                    </div>
                }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t_ms: u64, ok: u64, failed: u64, p99_ms: u64) -> Point {
        Point { t_ms, arrivals: ok + failed, ok, failed, p99_us: p99_ms * 1_000, ..Point::default() }
    }

    #[test]
    fn each_operation_gets_its_own_line_and_the_axis_covers_the_worst() {
        let all = vec![point(1_000, 60, 40, 900), point(2_000, 60, 40, 800)];
        let ops = vec![
            OpSeries { name: "orders".into(), points: vec![point(1_000, 10, 40, 12), point(2_000, 10, 40, 11)] },
            OpSeries { name: "catalog".into(), points: vec![point(1_000, 50, 0, 10), point(2_000, 50, 0, 9)] },
        ];
        let plots = metric_plots(&all, &ops);
        let errors = &plots[1];
        assert_eq!(
            errors.series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["all requests", "orders", "catalog"]
        );
        assert_eq!(errors.series[1].at(2_000.0), Some(0.8));
        assert_eq!(errors.series[2].at(2_000.0), Some(0.0));
        assert_eq!(errors.top, 1.0, "80% needs the axis to 100%");
        let p99 = &plots[3];
        assert_eq!(p99.series[2].latest(), Some(9.0));
        assert_eq!(p99.top, 1_000.0, "900 ms x 1.05 rounds up to 1 s");
        // Failures answered at once still draw their (0 ms) line.
        assert_eq!(p99.failed.as_ref().and_then(Series::latest), Some(0.0));
    }

    #[test]
    fn a_line_breaks_where_a_window_has_no_value() {
        let all = vec![point(1_000, 5, 0, 10), point(2_000, 0, 5, 0), point(3_000, 5, 0, 10), point(4_000, 5, 0, 10)];
        let plots = metric_plots(&all, &[]);
        let lines = geometry(&plots[3], 0.0, 4_000.0);
        let own: Vec<_> = lines.iter().filter(|l| l.1 == "series p99").collect();
        assert_eq!(own.len(), 2, "{own:?}");
        // The lone window at 1 s is drawn across its second, from 0 s.
        assert_eq!(own[0].0, "0.0,36.0 80.0,36.0 ", "10 ms on an axis to 20 ms");
    }
}
