//! Series of what only some kinds count, one point per metrics window, for
//! the page's charts and the CSV export: a cache's hits and misses (its hit
//! ratio over time) and a sharded database's queries per shard (its load
//! spread over time, through reshards).
//!
//! Every node's `Metrics` already keeps a series of calls and latencies; these
//! counters live in the kinds' own books (`CacheRt::stats`,
//! `Sharding::arrivals`), which only ever grow. So each window's point is the
//! difference of those cumulative counters since the window before: the kinds
//! keep no per-window state for it, and a node whose kind counts nothing
//! (a service, a queue, an unsharded database) keeps no series.

use crate::metrics::SERIES_CAPACITY;
use crate::nodes::Behaviour;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One window of a node's kind-specific counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindPoint {
    /// End of the window, in simulated milliseconds (as `Point::t_ms`).
    pub t_ms: u64,
    /// A cache: `[hits, misses]` of the window. A sharded database: the
    /// queries routed to each shard in the window (index = shard; as many as
    /// shards take queries at the window's end).
    pub counts: Vec<u32>,
}

impl KindPoint {
    /// A cache's hit ratio in the window; `None` without a read.
    pub fn hit_ratio(&self) -> Option<f64> {
        match self.counts[..] {
            [hits, misses] if hits + misses > 0 => Some(f64::from(hits) / f64::from(hits + misses)),
            _ => None,
        }
    }

    /// A sharded database's busiest shard over the mean shard in the window
    /// (1 = even); `None` without a query.
    pub fn max_mean(&self) -> Option<f64> {
        let total: u64 = self.counts.iter().map(|&c| u64::from(c)).sum();
        let max = self.counts.iter().copied().max()?;
        (total > 0).then(|| f64::from(max) * self.counts.len() as f64 / total as f64)
    }
}

/// The series of one node, and its counters at the last window's end.
#[derive(Clone, Debug, Default)]
pub struct KindSeries {
    last: Vec<u64>,
    pub points: VecDeque<KindPoint>,
}

/// The cumulative counters a node's kind keeps, if it keeps any.
fn counters(b: &Behaviour) -> Option<Vec<u64>> {
    match b {
        Behaviour::Cache(c) => Some(vec![c.stats.hits, c.stats.misses]),
        Behaviour::Database(d) => {
            let s = d.sharding.as_deref()?;
            Some(s.arrivals[..usize::from(s.map.shards)].to_vec())
        }
        _ => None,
    }
}

impl KindSeries {
    /// A series for the kinds that count something of their own (a database
    /// may be sharded by a reshard later, so every database gets one).
    pub fn for_kind(b: &Behaviour) -> Option<KindSeries> {
        matches!(b, Behaviour::Cache(_) | Behaviour::Database(_)).then(KindSeries::default)
    }

    /// Closes the window ending at `t_ms`: its point is the counters' growth
    /// since the last window. Capped at the metrics' series length.
    pub fn close_window(&mut self, t_ms: u64, b: &Behaviour) {
        let Some(now) = counters(b) else { return };
        let counts = now
            .iter()
            .enumerate()
            .map(|(i, &c)| c.saturating_sub(self.last.get(i).copied().unwrap_or(0)) as u32)
            .collect();
        // Shards past the count (after a reshard down) keep their totals, so
        // a later reshard up does not count their old queries again.
        if self.last.len() < now.len() {
            self.last.resize(now.len(), 0);
        }
        self.last[..now.len()].copy_from_slice(&now);
        if self.points.len() == SERIES_CAPACITY {
            self.points.pop_front();
        }
        self.points.push_back(KindPoint { t_ms, counts });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hit_ratio_and_max_mean_of_a_point() {
        let p = KindPoint { t_ms: 1_000, counts: vec![3, 1] };
        assert_eq!(p.hit_ratio(), Some(0.75));
        assert_eq!(KindPoint { t_ms: 0, counts: vec![0, 0] }.hit_ratio(), None);
        let q = KindPoint { t_ms: 1_000, counts: vec![10, 0, 0, 10] };
        assert_eq!(q.max_mean(), Some(2.0));
        assert_eq!(KindPoint::default().max_mean(), None);
    }
}
