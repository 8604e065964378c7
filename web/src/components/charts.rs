//! Charts of the selected node or link (or the whole system) over simulated
//! time: throughput, error rate, p50 and p99, one point per metrics window,
//! with a marker wherever a fault starts. Hovering shows the values.
//!
//! The latency lines are of successful calls, and break off in windows
//! without one (a 0 there would read as "fast"). Failed calls' latency, often
//! near 0 (refused, short-circuited, shed), is drawn as a second, dashed
//! line on the same chart, only where calls failed, and read out beside it.

use super::kind_charts::{kind_chart, Axis, KindChart};
use crate::format;
use faultline_sim::kind_series::KindPoint;
use faultline_sim::metrics::Point;
use std::rc::Rc;
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
    (Metric::ErrorRate, "error-rate", "Error rate"),
    (Metric::P50, "p50", "p50 latency"),
    (Metric::P99, "p99", "p99 latency"),
];

const W: f64 = 320.0;
const H: f64 = 70.0;

fn value(m: Metric, p: &Point, window_s: f64) -> f64 {
    let done = (p.ok + p.failed) as f64;
    match m {
        Metric::Throughput => done / window_s,
        Metric::ErrorRate => {
            if done == 0.0 {
                0.0
            } else {
                p.failed as f64 / done
            }
        }
        Metric::P50 => p.p50_us as f64 / 1e3,
        Metric::P99 => p.p99_us as f64 / 1e3,
    }
}

/// Whether the window has a value of `m` to draw (latency needs a success).
fn drawn(m: Metric, p: &Point) -> bool {
    !matches!(m, Metric::P50 | Metric::P99) || p.ok > 0
}

/// The failed calls' latency in the window, for the latency charts; `None`
/// where nothing failed (or for the other charts).
fn failed_value(m: Metric, p: &Point) -> Option<f64> {
    let us = match m {
        Metric::P50 => p.fail_p50_us,
        Metric::P99 => p.fail_p99_us,
        Metric::Throughput | Metric::ErrorRate => return None,
    };
    (p.failed > 0).then_some(us as f64 / 1e3)
}

/// The `points` of one polyline per run of consecutive windows that have a
/// value. A run of one window is drawn across the second it covers (a line
/// needs two points).
pub(crate) fn lines(points: impl Iterator<Item = Option<(f64, f64)>>, second: f64) -> Vec<String> {
    runs(&points.collect::<Vec<_>>(), second)
}

/// `lines` over collected points: one copy of the work for every caller's
/// iterator (the page's wasm stays smaller).
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

fn shown(m: Metric, v: f64) -> String {
    match m {
        Metric::Throughput => format::rate(v),
        Metric::ErrorRate => format::percent(v),
        Metric::P50 | Metric::P99 => format::ms(v),
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    /// What the charts are of ("whole system", a node's name, a link).
    pub subject: String,
    pub series: Rc<Vec<Point>>,
    /// Fault start times (ms) and what they are.
    pub markers: Rc<Vec<(u64, String)>>,
    pub now_ms: f64,
    /// The chart the selected node's kind adds, drawn from `kind_series`
    /// once that has a point (see `kind_charts`).
    #[prop_or_default]
    pub kind_chart: Option<KindChart>,
    #[prop_or_default]
    pub kind_series: Rc<Vec<KindPoint>>,
}

#[component]
pub fn Charts(props: &ChartsProps) -> Html {
    let hover = use_state(|| None::<usize>);
    let series = &props.series;
    let window_s = 1.0;
    // The x axis spans the kept windows, up to now.
    let t1 = props.now_ms.max(1_000.0);
    let t0 = series.first().map_or(0.0, |p| (p.t_ms as f64 - 1_000.0).max(0.0)).min(t1 - 1_000.0);
    let x_of = |t: f64| (t - t0) / (t1 - t0) * W;
    let onmousemove = {
        let (hover, series) = (hover.clone(), Rc::clone(series));
        Callback::from(move |ev: MouseEvent| {
            use wasm_bindgen::JsCast;
            let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
            let r = el.get_bounding_client_rect();
            let t = t0 + (f64::from(ev.client_x()) - r.left()) / r.width().max(1.0) * (t1 - t0);
            let nearest = series
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1.t_ms as f64 - t).abs().total_cmp(&(b.1.t_ms as f64 - t).abs()))
                .map(|(i, _)| i);
            hover.set(nearest);
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let charts = METRICS.iter().map(|&(m, id, label)| {
        let values: Vec<f64> = series.iter().map(|p| value(m, p, window_s)).collect();
        let failed: Vec<Option<f64>> = series.iter().map(|p| failed_value(m, p)).collect();
        let any_failed = failed.iter().any(Option::is_some);
        let max = match m {
            Metric::ErrorRate => 1.0,
            _ => values.iter().chain(failed.iter().flatten()).copied().fold(0.0, f64::max).max(1e-9) * 1.15,
        };
        let y_of = |v: f64| H - v / max * (H - 4.0);
        let second = x_of(1_000.0) - x_of(0.0);
        let ok_lines = lines(
            series.iter().zip(&values).map(|(p, v)| drawn(m, p).then(|| (x_of(p.t_ms as f64), y_of(*v)))),
            second,
        );
        let failed_lines =
            lines(series.iter().zip(&failed).map(|(p, v)| v.map(|v| (x_of(p.t_ms as f64), y_of(v)))), second);
        let latest = values.last().copied().unwrap_or(0.0);
        let hovered = (*hover).and_then(|i| Some((series.get(i)?, *values.get(i)?, failed.get(i)?)));
        // The failed calls' latency: of the hovered window, else the latest.
        let failed_now = match hovered {
            Some((_, _, f)) => *f,
            None => failed.last().copied().flatten(),
        };
        html! {
            <figure class="chart" data-testid={format!("chart-{id}")} data-points={values.len().to_string()}>
                <figcaption>
                    <span class="chart-label" title={matches!(m, Metric::P50 | Metric::P99)
                        .then_some("Of the calls that succeeded (ok or fallback)")}>{ label }</span>
                    if any_failed {
                        <span class="chart-failed" data-testid={format!("chart-{id}-failed")}
                            data-value={failed_now.unwrap_or(0.0).to_string()}
                            title="Latency of the calls that failed (not in the line above)">{
                            match failed_now {
                                Some(v) => format!("failed {}", format::ms_or_zero(v)),
                                None => "failed –".to_string(),
                            }
                        }</span>
                    }
                    <span class="chart-value" data-value={latest.to_string()}>{
                        match hovered {
                            Some((p, v, _)) => format!("{} at {:.0} s", shown(m, v), p.t_ms as f64 / 1e3),
                            None => shown(m, latest),
                        }
                    }</span>
                </figcaption>
                <svg viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" onmousemove={onmousemove.clone()}
                    onmouseleave={onmouseleave.clone()} role="img" aria-label={format!("{label} over time: now {}", shown(m, latest))}>
                    <line class="axis" x1="0" y1={H.to_string()} x2={W.to_string()} y2={H.to_string()} />
                    { for props.markers.iter().filter(|(t, _)| (*t as f64) >= t0 && (*t as f64) <= t1).map(|(t, what)| html! {
                        <line class="fault-marker" x1={x_of(*t as f64).to_string()} y1="0" x2={x_of(*t as f64).to_string()}
                            y2={H.to_string()} vector-effect="non-scaling-stroke"><title>{ what.clone() }</title></line>
                    }) }
                    { for ok_lines.into_iter().map(|points| html! {
                        <polyline class={classes!("series", id.to_string())} {points} vector-effect="non-scaling-stroke" />
                    }) }
                    { for failed_lines.into_iter().map(|points| html! {
                        <polyline class="series failed" {points} vector-effect="non-scaling-stroke" />
                    }) }
                    if let Some((p, _, _)) = hovered {
                        <line class="hover-line" x1={x_of(p.t_ms as f64).to_string()} y1="0"
                            x2={x_of(p.t_ms as f64).to_string()} y2={H.to_string()} vector-effect="non-scaling-stroke" />
                    }
                </svg>
            </figure>
        }
    });
    let second = x_of(1_000.0) - x_of(0.0);
    let extra = props
        .kind_chart
        .filter(|_| !props.kind_series.is_empty())
        .map(|kind| kind_chart(kind, &props.kind_series, &Axis { x_of: &x_of, second, w: W, h: H }));
    html! {
        <section class="charts" aria-label={format!("Charts: {}", props.subject)}>
            <div class="charts-title">{ format!("Charts · {}", props.subject) }</div>
            <div class={classes!("chart-row", extra.is_some().then_some("five"))}>{ for charts }{ for extra }</div>
        </section>
    }
}
