//! The chart a kind adds to the charts of its node: a cache's hit ratio over
//! time, a sharded database's queries per second on each shard (one line a
//! shard, so a hot shard stands apart and a reshard shows as lines appearing
//! or ending). Drawn from the engine's kind series (`KindPoint`, one point per
//! metrics window) as a `Plot`, with the same axes, crosshair and zoom as the
//! other charts.

use super::chart_axes::Unit;
use super::charts::{Plot, Series};
use crate::format;
use faultline_sim::kind_series::KindPoint;

/// Which chart the selected node's kind series is drawn as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindChart {
    HitRatio,
    ShardLoad,
}

/// A polyline's colour for shard `i`: hues spread around the wheel, so
/// neighbouring shards differ.
fn shard_colour(i: usize) -> String {
    format!("hsl({}, 65%, 50%)", (i * 137) % 360)
}

/// The chart of `points` as `kind` (the caller draws it once there is a point).
pub fn kind_plot(kind: KindChart, points: &[KindPoint]) -> Plot {
    match kind {
        KindChart::HitRatio => {
            let latest = points.iter().rev().find_map(KindPoint::hit_ratio);
            let value = latest.map_or_else(|| "–".to_string(), format::percent);
            Plot {
                id: "hit-ratio",
                label: "Hit ratio",
                help: "Reads answered from the cache, of all its reads, each second",
                unit: Unit::Share,
                top: 1.0,
                headline: (value.clone(), value),
                points: points.len(),
                shards: None,
                series: vec![Series {
                    name: "hit ratio".into(),
                    class: "series hit-ratio",
                    colour: None,
                    values: points.iter().map(|p| (p.t_ms as f64, p.hit_ratio())).collect(),
                }],
                failed: None,
            }
        }
        KindChart::ShardLoad => {
            let shards = points.iter().map(|p| p.counts.len()).max().unwrap_or(0);
            let max = points.iter().flat_map(|p| p.counts.iter().copied()).max().unwrap_or(0);
            let series = (0..shards)
                .map(|i| Series {
                    name: format!("shard {i}"),
                    class: "shard-line",
                    colour: Some(shard_colour(i)),
                    values: points.iter().map(|p| (p.t_ms as f64, p.counts.get(i).map(|&c| f64::from(c)))).collect(),
                })
                .collect();
            let latest = points.last().and_then(KindPoint::max_mean);
            let value = latest.map_or_else(|| "–".to_string(), |r| format!("max/mean {r:.2}"));
            Plot {
                id: "shard-load",
                label: "Shard load",
                help:
                    "Queries a second on each shard (one line a shard); max/mean: the busiest shard over the mean, now",
                unit: Unit::Rate,
                top: super::chart_axes::axis_max(Unit::Rate, f64::from(max)),
                headline: (value.clone(), value),
                points: points.len(),
                shards: Some(points.last().map_or(0, |p| p.counts.len())),
                series,
                failed: None,
            }
        }
    }
}
