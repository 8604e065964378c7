//! The chart a kind adds to the charts of its node: a cache's hit ratio over
//! time, a sharded database's queries per second on each shard (one line a
//! shard, so a hot shard stands apart and a reshard shows as lines appearing
//! or ending). Drawn from the engine's kind series (`KindPoint`, one point per
//! metrics window), on the same time axis as the other charts.

use super::charts::lines;
use crate::format;
use faultline_sim::kind_series::KindPoint;
use yew::prelude::*;

/// Which chart the selected node's kind series is drawn as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindChart {
    HitRatio,
    ShardLoad,
}

/// The time axis of the charts: `x_of` maps simulated ms to the chart's x,
/// `second` is one second's width, and `(t0, t1)` the span shown.
pub struct Axis<'a> {
    pub x_of: &'a dyn Fn(f64) -> f64,
    pub second: f64,
    pub w: f64,
    pub h: f64,
}

/// A polyline's colour for shard `i`: hues spread around the wheel, so
/// neighbouring shards differ.
fn shard_colour(i: usize) -> String {
    format!("hsl({}, 65%, 50%)", (i * 137) % 360)
}

/// The chart of `points` as `kind`, or nothing before the first window.
pub fn kind_chart(kind: KindChart, points: &[KindPoint], axis: &Axis) -> Html {
    let (w, h) = (axis.w, axis.h);
    let y_of = |v: f64, max: f64| h - v / max * (h - 4.0);
    let (id, label, value, polylines): (&str, &str, String, Vec<(String, String)>) = match kind {
        KindChart::HitRatio => {
            let line = lines(
                points.iter().map(|p| p.hit_ratio().map(|r| ((axis.x_of)(p.t_ms as f64), y_of(r, 1.0)))),
                axis.second,
            );
            let latest = points.iter().rev().find_map(KindPoint::hit_ratio);
            let value = latest.map_or_else(|| "–".to_string(), format::percent);
            ("hit-ratio", "Hit ratio", value, line.into_iter().map(|l| (l, String::new())).collect())
        }
        KindChart::ShardLoad => {
            let shards = points.iter().map(|p| p.counts.len()).max().unwrap_or(0);
            let max = points.iter().flat_map(|p| p.counts.iter().copied()).max().unwrap_or(0).max(1) as f64 * 1.15;
            let per_shard = (0..shards).flat_map(|i| {
                let pts = points
                    .iter()
                    .map(move |p| p.counts.get(i).map(|&c| ((axis.x_of)(p.t_ms as f64), y_of(f64::from(c), max))));
                lines(pts, axis.second).into_iter().map(move |l| (l, shard_colour(i)))
            });
            let latest = points.last().and_then(KindPoint::max_mean);
            let value = latest.map_or_else(|| "–".to_string(), |r| format!("max/mean {r:.2}"));
            ("shard-load", "Shard load", value, per_shard.collect())
        }
    };
    let shards = points.last().map_or(0, |p| p.counts.len());
    html! {
        <figure class="chart" data-testid={format!("chart-{id}")} data-points={points.len().to_string()}
            data-shards={(kind == KindChart::ShardLoad).then(|| shards.to_string())}>
            <figcaption>
                <span class="chart-label" title={match kind {
                    KindChart::HitRatio => "Reads answered from the cache, of all its reads, each second",
                    KindChart::ShardLoad => "Queries a second on each shard (one line a shard); max/mean: the busiest shard over the mean, now",
                }}>{ label }</span>
                <span class="chart-value" data-value={value.clone()}>{ value.clone() }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {w} {h}")} preserveAspectRatio="none" role="img"
                aria-label={format!("{label} over time: now {value}")}>
                <line class="axis" x1="0" y1={h.to_string()} x2={w.to_string()} y2={h.to_string()} />
                { for polylines.into_iter().map(|(points, colour)| if colour.is_empty() {
                    html! { <polyline class={classes!("series", id.to_string())} {points} vector-effect="non-scaling-stroke" /> }
                } else {
                    html! { <polyline class="shard-line" {points} stroke={colour} vector-effect="non-scaling-stroke" /> }
                }) }
            </svg>
        </figure>
    }
}
