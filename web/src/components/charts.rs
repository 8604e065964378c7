//! Charts of the selected node or link (or the whole system) over simulated
//! time: throughput, error rate, p50 and p99, one point per metrics window,
//! with a marker wherever a fault starts. Hovering shows the values.

use crate::format;
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
        let max = match m {
            Metric::ErrorRate => 1.0,
            _ => values.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.15,
        };
        let y_of = |v: f64| H - v / max * (H - 4.0);
        let mut points: String =
            series.iter().zip(&values).map(|(p, v)| format!("{:.1},{:.1} ", x_of(p.t_ms as f64), y_of(*v))).collect();
        // A line needs two points: the first window alone is drawn across
        // the second it covers.
        if let ([p], [v]) = (&series[..], &values[..]) {
            points.insert_str(0, &format!("{:.1},{:.1} ", x_of(p.t_ms as f64 - 1_000.0), y_of(*v)));
        }
        let latest = values.last().copied().unwrap_or(0.0);
        let hovered = (*hover).and_then(|i| Some((series.get(i)?, *values.get(i)?)));
        html! {
            <figure class="chart" data-testid={format!("chart-{id}")} data-points={values.len().to_string()}>
                <figcaption>
                    <span class="chart-label">{ label }</span>
                    <span class="chart-value" data-value={latest.to_string()}>{
                        match hovered {
                            Some((p, v)) => format!("{} at {:.0} s", shown(m, v), p.t_ms as f64 / 1e3),
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
                    <polyline class={classes!("series", id.to_string())} points={points} vector-effect="non-scaling-stroke" />
                    if let Some((p, _)) = hovered {
                        <line class="hover-line" x1={x_of(p.t_ms as f64).to_string()} y1="0"
                            x2={x_of(p.t_ms as f64).to_string()} y2={H.to_string()} vector-effect="non-scaling-stroke" />
                    }
                </svg>
            </figure>
        }
    });
    html! {
        <section class="charts" aria-label={format!("Charts: {}", props.subject)}>
            <div class="charts-title">{ format!("Charts · {}", props.subject) }</div>
            <div class="chart-row">{ for charts }</div>
        </section>
    }
}
