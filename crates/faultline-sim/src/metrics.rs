//! What the engine measures.
//!
//! Each node and each edge keeps counters, a latency histogram for the whole
//! run and one for the current window; at every window boundary (1 s of
//! simulated time by default) the window is summarised into a bounded series
//! for charts. Latencies go into HDR histograms (2 significant digits: 1%
//! value error, a few kilobytes each), so memory never grows with the number of
//! requests and percentiles are exact to the histogram's resolution.

use crate::calls::{FailReason, Outcome};
use hdrhistogram::Histogram;
use std::collections::VecDeque;

/// Highest latency tracked: one hour, in microseconds.
const MAX_TRACKED_US: u64 = 3_600_000_000;
/// Windows kept for charts; older ones are dropped.
pub const SERIES_CAPACITY: usize = 600;

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TRACKED_US, 2).expect("static histogram bounds are valid")
}

/// One window of the time series.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// End of the window, in simulated milliseconds.
    pub t_ms: u64,
    pub arrivals: u64,
    pub ok: u64,
    pub failed: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    /// Calls at the node (or on the edge) when the window closed.
    pub in_flight: u64,
}

/// Counters, histograms and the series of one node or edge.
#[derive(Clone, Debug)]
pub struct Metrics {
    pub arrivals: u64,
    pub ok: u64,
    /// Of `ok`, how many were answered by a fallback.
    pub degraded: u64,
    pub failed: [u64; FailReason::COUNT],
    pub latency_sum_us: u64,
    hist: Histogram<u64>,
    win_arrivals: u64,
    win_ok: u64,
    win_failed: u64,
    win_hist: Histogram<u64>,
    pub series: VecDeque<Point>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            arrivals: 0,
            ok: 0,
            degraded: 0,
            failed: [0; FailReason::COUNT],
            latency_sum_us: 0,
            hist: new_histogram(),
            win_arrivals: 0,
            win_ok: 0,
            win_failed: 0,
            win_hist: new_histogram(),
            series: VecDeque::new(),
        }
    }
}

impl Metrics {
    #[inline]
    pub fn arrive(&mut self) {
        self.arrivals += 1;
        self.win_arrivals += 1;
    }

    /// A call finished here after `latency_us`.
    #[inline]
    pub fn complete(&mut self, outcome: Outcome, latency_us: u64) {
        match outcome {
            Outcome::Ok => {
                self.ok += 1;
                self.win_ok += 1;
            }
            Outcome::Degraded => {
                self.ok += 1;
                self.degraded += 1;
                self.win_ok += 1;
            }
            Outcome::Failed(r) => {
                self.failed[r as usize] += 1;
                self.win_failed += 1;
            }
        }
        self.latency_sum_us = self.latency_sum_us.saturating_add(latency_us);
        // Only the window's histogram is written per call; it is folded into
        // the whole-run histogram when the window closes (half the records).
        self.win_hist.saturating_record(latency_us);
    }

    pub fn failed_total(&self) -> u64 {
        self.failed.iter().sum()
    }

    pub fn completed(&self) -> u64 {
        self.ok + self.failed_total()
    }

    /// Mean latency of completed calls, in microseconds.
    pub fn mean_us(&self) -> f64 {
        let n = self.completed();
        if n == 0 {
            0.0
        } else {
            self.latency_sum_us as f64 / n as f64
        }
    }

    /// The whole-run histogram including the open window.
    fn whole(&self) -> std::borrow::Cow<'_, Histogram<u64>> {
        if self.win_hist.is_empty() {
            std::borrow::Cow::Borrowed(&self.hist)
        } else {
            let mut h = self.hist.clone();
            h.add(&self.win_hist).expect("histograms share their bounds");
            std::borrow::Cow::Owned(h)
        }
    }

    /// Whole-run latency quantiles (each 0..=1) and the maximum, in
    /// microseconds, merging the open window into the run's histogram once.
    pub fn quantiles_us<const N: usize>(&self, qs: [f64; N]) -> ([u64; N], u64) {
        let h = self.whole();
        if h.is_empty() {
            ([0; N], 0)
        } else {
            (qs.map(|q| h.value_at_quantile(q)), h.max())
        }
    }

    /// Whole-run latency quantile (0..=1), in microseconds.
    pub fn quantile_us(&self, q: f64) -> u64 {
        self.quantiles_us([q]).0[0]
    }

    pub fn max_us(&self) -> u64 {
        self.quantiles_us([]).1
    }

    /// Summarises the current window into the series and starts a new one.
    pub fn close_window(&mut self, t_ms: u64, in_flight: u64) {
        let (p50_us, p99_us) = if self.win_hist.is_empty() {
            (0, 0)
        } else {
            (self.win_hist.value_at_quantile(0.5), self.win_hist.value_at_quantile(0.99))
        };
        if self.series.len() == SERIES_CAPACITY {
            self.series.pop_front();
        }
        self.series.push_back(Point {
            t_ms,
            arrivals: self.win_arrivals,
            ok: self.win_ok,
            failed: self.win_failed,
            p50_us,
            p99_us,
            in_flight,
        });
        self.win_arrivals = 0;
        self.win_ok = 0;
        self.win_failed = 0;
        if !self.win_hist.is_empty() {
            self.hist.add(&self.win_hist).expect("histograms share their bounds");
            self.win_hist.reset();
        }
    }

    pub fn last_point(&self) -> Option<&Point> {
        self.series.back()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_windows() {
        let mut m = Metrics::default();
        for i in 1..=100u64 {
            m.arrive();
            m.complete(Outcome::Ok, i * 1_000);
        }
        m.arrive();
        m.complete(Outcome::Failed(FailReason::Timeout), 500_000);
        assert_eq!(m.completed(), 101);
        assert_eq!(m.failed[FailReason::Timeout as usize], 1);
        let p50 = m.quantile_us(0.5) as f64;
        assert!((p50 - 51_000.0).abs() / 51_000.0 < 0.02, "{p50}");
        m.close_window(1_000, 3);
        let p = *m.last_point().unwrap();
        assert_eq!((p.arrivals, p.ok, p.failed, p.in_flight), (101, 100, 1, 3));
        m.close_window(2_000, 0);
        assert_eq!(m.last_point().unwrap().arrivals, 0);
        assert_eq!(m.last_point().unwrap().p99_us, 0);
    }

    #[test]
    fn the_series_is_bounded() {
        let mut m = Metrics::default();
        for t in 0..(SERIES_CAPACITY as u64 + 50) {
            m.close_window(t, 0);
        }
        assert_eq!(m.series.len(), SERIES_CAPACITY);
        assert_eq!(m.series.front().unwrap().t_ms, 50);
    }
}
