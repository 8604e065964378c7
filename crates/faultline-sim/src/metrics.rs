//! What the engine measures.
//!
//! Each node and each edge keeps counters, a latency histogram for the whole
//! run and the latencies of the current window; at every window boundary (1 s
//! of simulated time by default) the window is summarised into a bounded
//! series for charts. Latencies go into HDR histograms (2 significant digits:
//! 1% value error, a few kilobytes each), so memory never grows with the number
//! of requests and percentiles are exact to the histogram's resolution.
//!
//! Recording straight into a histogram per call was the engine's biggest cost
//! on big topologies: hundreds of 27 KB histograms, so nearly every record
//! missed the cache. A call's latency is instead appended to a short list of
//! the window's latencies (sequential writes), and the list goes into the
//! whole-run histogram in one batch when the window closes. The window's
//! percentiles are read off the list itself, giving exactly what a histogram
//! of those values would (see `window_quantile`). A window with more calls
//! than the list holds spills into a window histogram, allocated on first
//! need, so memory stays bounded whatever the rate.

use crate::calls::{FailReason, Outcome};
use hdrhistogram::Histogram;
use std::collections::VecDeque;

/// Highest latency tracked: one hour, in microseconds.
const MAX_TRACKED_US: u64 = 3_600_000_000;
/// Windows kept for charts; older ones are dropped.
pub const SERIES_CAPACITY: usize = 600;
/// Latencies of the open window held as a list before they spill into a
/// window histogram (16 KB, less than one histogram).
const PENDING_CAPACITY: usize = 4_096;

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TRACKED_US, 2).expect("static histogram bounds are valid")
}

/// The value a histogram of `new_histogram`'s bounds records for `us`, as
/// `saturating_record` does it: values up to the top of its last bucket
/// (2^32 - 1, see the test `clamping_matches_the_histogram`) as they are,
/// larger ones as the highest trackable value.
#[inline]
fn clamp(us: u64) -> u32 {
    u32::try_from(us).unwrap_or(MAX_TRACKED_US as u32)
}

/// What `Histogram::value_at_quantile` answers (for 0 < q <= 1) on a histogram
/// holding exactly `values`: the highest value equivalent to the k-th
/// smallest, k = ceil(q * n) (at least 1). Reorders `values`.
fn window_quantile(values: &mut [u32], q: f64, h: &Histogram<u64>) -> u64 {
    debug_assert!(q > 0.0 && q <= 1.0 && !values.is_empty());
    let n = values.len();
    let k = ((q * n as f64).ceil() as usize).clamp(1, n);
    let (_, v, _) = values.select_nth_unstable(k - 1);
    h.highest_equivalent(u64::from(*v))
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
///
/// Laid out for the cache: what every successful call touches (the pending
/// list's header and five counters) fills the first 64-byte line, failures
/// the second, and the histogram and series, read once a window, come last.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct Metrics {
    /// Latencies of the open window not yet in `hist` (clamped as it would).
    pending: Vec<u32>,
    pub arrivals: u64,
    pub ok: u64,
    win_arrivals: u64,
    win_ok: u64,
    pub latency_sum_us: u64,
    win_failed: u64,
    /// Of `ok`, how many were answered by a fallback.
    pub degraded: u64,
    pub failed: [u64; FailReason::COUNT],
    /// Every latency of the closed windows, and of the open one's spills.
    hist: Histogram<u64>,
    /// The open window's spilled latencies, once it has had more than
    /// `PENDING_CAPACITY` (empty otherwise).
    win_hist: Option<Box<Histogram<u64>>>,
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
            pending: Vec::new(),
            win_hist: None,
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
        self.pending.push(clamp(latency_us));
        if self.pending.len() >= PENDING_CAPACITY {
            self.spill();
        }
    }

    /// Moves the pending latencies into the whole-run and window histograms.
    #[cold]
    fn spill(&mut self) {
        let win = self.win_hist.get_or_insert_with(|| Box::new(new_histogram()));
        for &us in &self.pending {
            self.hist.saturating_record(u64::from(us));
            win.saturating_record(u64::from(us));
        }
        self.pending.clear();
    }

    /// The open window has spilled into `win_hist`.
    fn spilled(&self) -> bool {
        self.win_hist.as_ref().is_some_and(|h| !h.is_empty())
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
        if self.pending.is_empty() {
            std::borrow::Cow::Borrowed(&self.hist)
        } else {
            let mut h = self.hist.clone();
            for &us in &self.pending {
                h.saturating_record(u64::from(us));
            }
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
        let (p50_us, p99_us) = if self.spilled() {
            self.spill();
            let win = self.win_hist.as_mut().expect("spilled");
            let q = (win.value_at_quantile(0.5), win.value_at_quantile(0.99));
            win.reset();
            q
        } else if self.pending.is_empty() {
            (0, 0)
        } else {
            let q = (
                window_quantile(&mut self.pending, 0.5, &self.hist),
                window_quantile(&mut self.pending, 0.99, &self.hist),
            );
            for &us in &self.pending {
                self.hist.saturating_record(u64::from(us));
            }
            self.pending.clear();
            q
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

    /// The top of the last bucket is where `saturating_record` starts clamping:
    /// `clamp` depends on it.
    #[test]
    fn clamping_matches_the_histogram() {
        let mut h = new_histogram();
        assert!(h.record(u64::from(u32::MAX)).is_ok());
        assert!(h.record(1 << 32).is_err());
        for us in [0, 1, 999, MAX_TRACKED_US, MAX_TRACKED_US + 1, u64::from(u32::MAX), 1 << 32, u64::MAX] {
            let mut a = new_histogram();
            let mut b = new_histogram();
            a.saturating_record(us);
            b.saturating_record(u64::from(clamp(us)));
            assert_eq!(a, b, "{us}");
            assert_eq!(a.max(), b.max(), "{us}");
        }
    }

    /// Window percentiles and whole-run histograms are exactly those of
    /// histograms fed every latency directly, whether the window stays in
    /// the pending list or spills.
    #[test]
    fn batched_recording_matches_direct_recording() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut m = Metrics::default();
        let mut whole = new_histogram();
        for (w, calls) in [0usize, 1, 2, 3, 7, 100, 1_000, PENDING_CAPACITY - 1, PENDING_CAPACITY, 10_000, 5, 40_000]
            .into_iter()
            .enumerate()
        {
            let mut window = new_histogram();
            for _ in 0..calls {
                let r = next();
                let us = match r % 16 {
                    0 => 0,
                    1 => r >> 20,                    // up to 2^44: clamped or not
                    2 => MAX_TRACKED_US + (r >> 40), // just above the tracked range
                    _ => r % 50_000,
                };
                m.arrive();
                m.complete(Outcome::Ok, us);
                window.saturating_record(us);
                whole.saturating_record(us);
            }
            let (q, max) = m.quantiles_us([0.5, 0.9, 0.99, 0.999, 1.0]);
            if whole.is_empty() {
                assert_eq!((q, max), ([0; 5], 0));
            } else {
                let expect = [0.5, 0.9, 0.99, 0.999, 1.0].map(|q| whole.value_at_quantile(q));
                assert_eq!((q, max), (expect, whole.max()), "window {w}");
            }
            m.close_window(w as u64, 0);
            let p = *m.last_point().unwrap();
            let expect = if window.is_empty() {
                (0, 0)
            } else {
                (window.value_at_quantile(0.5), window.value_at_quantile(0.99))
            };
            assert_eq!((p.p50_us, p.p99_us), expect, "window {w} of {calls} calls");
            assert_eq!(m.hist, whole, "window {w}");
            assert_eq!(m.hist.max(), whole.max());
        }
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
