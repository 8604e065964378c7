//! What the engine measures.
//!
//! Each node and each edge keeps counters, a latency histogram for the whole
//! run and the latencies of the current window; at every window boundary (1 s
//! of simulated time by default) the window is summarised into a bounded
//! series for charts. Latencies go into HDR histograms (2 significant digits:
//! 1% value error, a few kilobytes each), so memory never grows with the number
//! of requests and percentiles are exact to the histogram's resolution.
//!
//! Recording straight into an HDR histogram per call was the engine's
//! biggest cost, first on big topologies (hundreds of 27 KB histograms, so
//! nearly every record missed the cache), then per request (about 50
//! instructions a record, four records a request). A call's latency is
//! instead counted by bucket (`latency_counts`): the run's count and the open
//! window's, an index and two increments. The window's percentiles come from
//! one pass over the buckets it touched, exactly what a histogram of its
//! latencies would answer; the run's HDR histogram is made from the counts
//! when it is read.
//!
//! Failures are also counted by cause per window (`cause_series`, see
//! `causes`): a fixed array of counters, a point only for a window in which
//! something failed.

use crate::calls::{FailReason, Outcome};
use crate::causes::CausePoint;
use hdrhistogram::Histogram;
use std::collections::VecDeque;

mod latency_counts;

use latency_counts::LatencyCounts;

/// Highest latency tracked: one hour, in microseconds.
const MAX_TRACKED_US: u64 = 3_600_000_000;
/// Windows kept for charts; older ones are dropped.
pub const SERIES_CAPACITY: usize = 600;

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
/// smallest, k = ceil(q * n) (at least 1). Reorders `values`. The reference
/// the window percentiles are tested against.
#[cfg(test)]
fn window_quantile(values: &mut [u32], q: f64, h: &Histogram<u64>) -> u64 {
    debug_assert!(q > 0.0 && q <= 1.0 && !values.is_empty());
    let (_, v, _) = values.select_nth_unstable(quantile_rank(q, values.len()) - 1);
    h.highest_equivalent(u64::from(*v))
}

/// The rank (1-based) of the `q` quantile among `n` values: ceil(q n), at least 1.
#[inline]
pub(crate) fn quantile_rank(q: f64, n: usize) -> usize {
    ((q * n as f64).ceil() as usize).clamp(1, n)
}

/// One window of the time series.
///
/// `p50_us`/`p99_us` are of the window's successful calls (ok or degraded);
/// failed calls have their own, so a failure answered at once (a refusal, a
/// short circuit, shed load) cannot make the latency look better.
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
    /// Latency of the window's failed calls (0 when none failed).
    #[serde(default)]
    pub fail_p50_us: u64,
    #[serde(default)]
    pub fail_p99_us: u64,
}

/// A window as the series keeps it: [`Point`]'s numbers in 32 bits each, 36
/// bytes instead of 72. A series holds up to 600 windows for every node and
/// edge, and the scrubber keeps whole copies of the engine: on a 1,000-node
/// design that is 62 MB less per copy. Every number fits: a window's end is
/// at most 24 h (86.4 M ms), latencies are clamped to `u32::MAX` us before
/// they are counted (`clamp`), calls in flight are counted in `u32`s, and a
/// second's arrivals are far below 4 billion. (A value past `u32::MAX` would
/// be kept as `u32::MAX`.)
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Window {
    t_ms: u32,
    arrivals: u32,
    ok: u32,
    failed: u32,
    p50_us: u32,
    p99_us: u32,
    in_flight: u32,
    fail_p50_us: u32,
    fail_p99_us: u32,
}

impl Window {
    fn of(p: &Point) -> Window {
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Window {
            t_ms: n(p.t_ms),
            arrivals: n(p.arrivals),
            ok: n(p.ok),
            failed: n(p.failed),
            p50_us: n(p.p50_us),
            p99_us: n(p.p99_us),
            in_flight: n(p.in_flight),
            fail_p50_us: n(p.fail_p50_us),
            fail_p99_us: n(p.fail_p99_us),
        }
    }

    fn point(&self) -> Point {
        Point {
            t_ms: self.t_ms.into(),
            arrivals: self.arrivals.into(),
            ok: self.ok.into(),
            failed: self.failed.into(),
            p50_us: self.p50_us.into(),
            p99_us: self.p99_us.into(),
            in_flight: self.in_flight.into(),
            fail_p50_us: self.fail_p50_us.into(),
            fail_p99_us: self.fail_p99_us.into(),
        }
    }
}

/// The latencies of failed calls, kept apart from the successes'. Boxed and
/// made on the first failure: a node or edge that never fails pays one null
/// pointer for it.
#[derive(Clone, Debug, Default)]
struct FailedLatencies {
    sum_us: u64,
    counts: LatencyCounts,
}

/// The run's histogram of `counts`, and quantiles (each 0..=1) of it with its
/// maximum (zeros when it is empty).
fn quantiles_of<const N: usize>(counts: &LatencyCounts, qs: [f64; N]) -> ([u64; N], u64) {
    if counts.is_empty() {
        return ([0; N], 0);
    }
    let h = counts.histogram();
    (qs.map(|q| h.value_at_quantile(q)), h.max())
}

/// Counters, histograms and the series of one node or edge.
///
/// Latencies of successful calls (ok or degraded) and of failed ones are
/// kept apart: a failure is often answered at once (a refusal, a breaker's
/// short circuit, shed load, a rate limit) and, mixed in, would pull the
/// percentiles down just when things go wrong. Every percentile and mean
/// without "failed" in its name is of successes.
///
/// Laid out for the cache: what every successful call touches (three
/// counters and its latency counts' header) fills the first 64-byte line,
/// then come the latencies' buffer (two lines), failures, and the series,
/// read once a window.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct Metrics {
    pub arrivals: u64,
    pub ok: u64,
    /// `arrivals` and `ok` when the open window opened: the window's own
    /// are the differences (one counter per call instead of two).
    arrivals_before: u64,
    ok_before: u64,
    /// Sum of the successes' latencies.
    pub latency_sum_us: u64,
    /// Latencies of the successes, by bucket (its header, then its buffer).
    success: LatencyCounts,
    win_failed: u64,
    /// Of `ok`, how many were answered by a fallback.
    pub degraded: u64,
    pub failed: [u64; FailReason::COUNT],
    failures: Option<Box<FailedLatencies>>,
    /// The open window's failures by cause (they sum to `win_failed`).
    win_causes: [u32; FailReason::COUNT],
    /// The closed windows, oldest first (see `series`).
    series: VecDeque<Window>,
    /// Failures by cause of the windows in `series` that had any, oldest
    /// first (see `causes`).
    causes: VecDeque<CausePoint>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            arrivals: 0,
            ok: 0,
            degraded: 0,
            failed: [0; FailReason::COUNT],
            latency_sum_us: 0,
            arrivals_before: 0,
            ok_before: 0,
            win_failed: 0,
            success: LatencyCounts::default(),
            failures: None,
            win_causes: [0; FailReason::COUNT],
            series: VecDeque::new(),
            causes: VecDeque::new(),
        }
    }
}

impl Metrics {
    #[inline]
    pub fn arrive(&mut self) {
        self.arrivals += 1;
    }

    /// A call finished here after `latency_us`. Always inlined: it is on
    /// every call's path, and small once failures are recorded out of line.
    #[inline(always)]
    pub fn complete(&mut self, outcome: Outcome, latency_us: u64) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Degraded => {
                self.ok += 1;
                self.degraded += 1;
            }
            Outcome::Failed(r) => {
                self.failed[r as usize] += 1;
                self.win_failed += 1;
                self.record_failure(r, latency_us);
                return;
            }
        }
        self.latency_sum_us = self.latency_sum_us.saturating_add(latency_us);
        self.success.record(clamp(latency_us));
    }

    /// Kept out of line, so `complete` stays small enough to inline into
    /// the engine's hot paths (successes are the common case).
    #[inline(never)]
    fn record_failure(&mut self, reason: FailReason, latency_us: u64) {
        self.win_causes[reason as usize] += 1;
        let f = self.failures.get_or_insert_with(Default::default);
        f.sum_us = f.sum_us.saturating_add(latency_us);
        f.counts.record(clamp(latency_us));
    }

    pub fn failed_total(&self) -> u64 {
        self.failed.iter().sum()
    }

    pub fn completed(&self) -> u64 {
        self.ok + self.failed_total()
    }

    /// Mean latency of successful calls, in microseconds (0 before any).
    pub fn mean_us(&self) -> f64 {
        if self.ok == 0 {
            0.0
        } else {
            self.latency_sum_us as f64 / self.ok as f64
        }
    }

    /// Mean latency of failed calls, in microseconds (0 before any).
    pub fn failed_mean_us(&self) -> f64 {
        match &self.failures {
            Some(f) if self.failed_total() > 0 => f.sum_us as f64 / self.failed_total() as f64,
            _ => 0.0,
        }
    }

    /// Whole-run latency quantiles (each 0..=1) of successful calls and
    /// their maximum, in microseconds (zeros before any).
    pub fn quantiles_us<const N: usize>(&self, qs: [f64; N]) -> ([u64; N], u64) {
        quantiles_of(&self.success, qs)
    }

    /// Like `quantiles_us`, of failed calls.
    pub fn failed_quantiles_us<const N: usize>(&self, qs: [f64; N]) -> ([u64; N], u64) {
        match &self.failures {
            Some(f) => quantiles_of(&f.counts, qs),
            None => ([0; N], 0),
        }
    }

    /// Whole-run latency quantile (0..=1) of successful calls, in microseconds.
    pub fn quantile_us(&self, q: f64) -> u64 {
        self.quantiles_us([q]).0[0]
    }

    /// Every successful call's latency so far (the open window's included),
    /// in microseconds: the difference of two is the latency over a span of
    /// the run (an exercise's criterion window).
    pub fn success_histogram(&self) -> Histogram<u64> {
        self.success.histogram()
    }

    /// The slowest successful call, in microseconds.
    pub fn max_us(&self) -> u64 {
        self.quantiles_us([]).1
    }

    /// Summarises the current window into the series and starts a new one.
    pub fn close_window(&mut self, t_ms: u64, in_flight: u64) {
        let (p50_us, p99_us) = self.success.close_window();
        let (fail_p50_us, fail_p99_us) = match &mut self.failures {
            Some(f) => f.counts.close_window(),
            None => (0, 0),
        };
        if self.series.len() == SERIES_CAPACITY {
            let dropped = self.series.pop_front().map_or(0, |w| u64::from(w.t_ms));
            while self.causes.front().is_some_and(|c| c.t_ms <= dropped) {
                self.causes.pop_front();
            }
        }
        if self.series.len() == self.series.capacity() {
            // Doubling, but never past the series' bound: a full series left
            // to `VecDeque`'s own growth would sit in 1,024 slots, not 600.
            let len = self.series.len();
            self.series.reserve_exact((2 * len).clamp(8, SERIES_CAPACITY) - len);
        }
        if self.win_failed > 0 {
            let counts = std::mem::replace(&mut self.win_causes, [0; FailReason::COUNT]);
            self.causes.push_back(CausePoint { t_ms, counts });
        }
        self.series.push_back(Window::of(&Point {
            t_ms,
            arrivals: self.arrivals - self.arrivals_before,
            ok: self.ok - self.ok_before,
            failed: self.win_failed,
            p50_us,
            p99_us,
            in_flight,
            fail_p50_us,
            fail_p99_us,
        }));
        self.arrivals_before = self.arrivals;
        self.ok_before = self.ok;
        self.win_failed = 0;
    }

    pub fn last_point(&self) -> Option<Point> {
        self.series.back().map(Window::point)
    }

    /// The series for charts: one point per closed window, oldest first (at
    /// most `SERIES_CAPACITY`).
    pub fn series(&self) -> impl DoubleEndedIterator<Item = Point> + ExactSizeIterator + Clone + '_ {
        self.series.iter().map(Window::point)
    }

    /// Failures by cause of the windows of `series` in which something
    /// failed (a window without a failure has no point), oldest first. A
    /// point's counts sum to the `failed` of the window of the same `t_ms`.
    pub fn cause_series(&self) -> &VecDeque<CausePoint> {
        &self.causes
    }

    /// The open window's failures by cause so far (not yet in `cause_series`).
    pub fn open_window_causes(&self) -> [u32; FailReason::COUNT] {
        self.win_causes
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
        // The successes' median: the failure is not among them.
        let p50 = m.quantile_us(0.5) as f64;
        assert!((p50 - 50_000.0).abs() / 50_000.0 < 0.02, "{p50}");
        assert!(m.failed_quantiles_us([0.5]).0[0] >= 500_000);
        m.close_window(1_000, 3);
        let p = m.last_point().unwrap();
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
    /// histograms fed every latency directly, successes and failures each
    /// their own, in windows of every size, empty to busy.
    #[test]
    fn batched_recording_matches_direct_recording() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let quantiles = |h: &Histogram<u64>| {
            if h.is_empty() {
                ([0; 5], 0)
            } else {
                ([0.5, 0.9, 0.99, 0.999, 1.0].map(|q| h.value_at_quantile(q)), h.max())
            }
        };
        let window_of = |h: &Histogram<u64>| {
            if h.is_empty() {
                (0, 0)
            } else {
                (h.value_at_quantile(0.5), h.value_at_quantile(0.99))
            }
        };
        let mut m = Metrics::default();
        let (mut whole, mut whole_failed) = (new_histogram(), new_histogram());
        let windows = [0usize, 1, 2, 3, 7, 100, 1_000, 4_095, 4_096, 10_000, 5, 40_000];
        for (w, calls) in windows.into_iter().enumerate() {
            let (mut window, mut window_failed) = (new_histogram(), new_histogram());
            // Early windows succeed only; later ones fail about one call in
            // four, or (the 40 000-call one) nearly all.
            let fails = |r: u64| match w {
                0..=6 => false,
                11 => r % 8 != 0,
                _ => (r >> 8) % 4 == 0,
            };
            for _ in 0..calls {
                let r = next();
                let us = match r % 16 {
                    0 => 0,
                    1 => r >> 20,                    // up to 2^44: clamped or not
                    2 => MAX_TRACKED_US + (r >> 40), // just above the tracked range
                    _ => r % 50_000,
                };
                m.arrive();
                if fails(r) {
                    m.complete(Outcome::Failed(FailReason::Timeout), us);
                    window_failed.saturating_record(us);
                    whole_failed.saturating_record(us);
                } else {
                    m.complete(if r % 3 == 0 { Outcome::Degraded } else { Outcome::Ok }, us);
                    window.saturating_record(us);
                    whole.saturating_record(us);
                }
            }
            assert_eq!(m.quantiles_us([0.5, 0.9, 0.99, 0.999, 1.0]), quantiles(&whole), "window {w}");
            assert_eq!(m.failed_quantiles_us([0.5, 0.9, 0.99, 0.999, 1.0]), quantiles(&whole_failed), "window {w}");
            m.close_window(w as u64, 0);
            let p = m.last_point().unwrap();
            assert_eq!((p.p50_us, p.p99_us), window_of(&window), "window {w} of {calls} calls");
            assert_eq!((p.fail_p50_us, p.fail_p99_us), window_of(&window_failed), "window {w} of {calls} calls");
            let run = m.success_histogram();
            assert_eq!(run, whole, "window {w}");
            assert_eq!((run.max(), run.min(), run.min_nz()), (whole.max(), whole.min(), whole.min_nz()));
            if let Some(f) = &m.failures {
                assert_eq!(f.counts.histogram(), whole_failed, "window {w}");
            }
        }
        assert!(m.failures.is_some(), "failures were counted");
    }

    /// Refusals, short circuits and shed load are answered at 0 us: they
    /// must not pull the success percentiles down (run or window), and they
    /// have percentiles of their own.
    #[test]
    fn instant_failures_stay_out_of_the_success_percentiles() {
        let mut m = Metrics::default();
        for i in 0..100u64 {
            m.arrive();
            m.complete(Outcome::Ok, 10_000 + i);
        }
        let before = (m.quantiles_us([0.01, 0.5, 0.99]), m.mean_us());
        for reason in [FailReason::Refused, FailReason::ShortCircuited, FailReason::Rejected, FailReason::RateLimited] {
            for _ in 0..100 {
                m.arrive();
                m.complete(Outcome::Failed(reason), 0);
            }
        }
        assert_eq!((m.quantiles_us([0.01, 0.5, 0.99]), m.mean_us()), before);
        assert!(m.quantile_us(0.01) >= 10_000);
        assert_eq!(m.failed_quantiles_us([0.5, 0.99]), ([0, 0], 0));
        assert_eq!(m.failed_total(), 400);
        m.close_window(1_000, 0);
        let p = m.last_point().unwrap();
        assert!(p.p50_us >= 10_000 && p.p99_us >= 10_000, "{p:?}");
        assert_eq!((p.ok, p.failed, p.fail_p50_us, p.fail_p99_us), (100, 400, 0, 0));
        // A timeout's latency is the failures' alone.
        m.complete(Outcome::Failed(FailReason::Timeout), 2_000_000);
        assert!(m.failed_quantiles_us([1.0]).0[0] >= 2_000_000);
        assert!(m.max_us() < 11_000);
        assert!((m.failed_mean_us() - 2e6 / 401.0).abs() < 1e-6);
    }

    /// A node or edge that never fails never makes the failures' histogram.
    #[test]
    fn no_failures_cost_no_histogram() {
        let mut m = Metrics::default();
        for i in 0..10_000u64 {
            m.arrive();
            m.complete(Outcome::Ok, i);
            if i % 1_000 == 999 {
                m.close_window(i, 0);
            }
        }
        assert!(m.failures.is_none());
        assert_eq!(m.failed_quantiles_us([0.5]), ([0], 0));
        assert_eq!(m.failed_mean_us(), 0.0);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Counting by bucket gives the window percentiles that selecting
        /// among the latencies gives, and the run histogram that recording
        /// each latency gives, whatever the spread, window after window.
        #[test]
        fn counting_matches_selection(windows in proptest::collection::vec(proptest::collection::vec(
            proptest::prop_oneof![0u32..300, 0u32..100_000, proptest::num::u32::ANY], 0..600), 1..4)) {
            let mut counts = LatencyCounts::default();
            let mut direct = new_histogram();
            for values in windows {
                for &v in &values {
                    counts.record(v);
                    direct.saturating_record(u64::from(v));
                }
                let q = counts.close_window();
                let mut sorted = values.clone();
                let want = if values.is_empty() {
                    (0, 0)
                } else {
                    (window_quantile(&mut sorted, 0.5, &direct), window_quantile(&mut sorted, 0.99, &direct))
                };
                proptest::prop_assert_eq!(q, want);
                let counted = counts.histogram();
                proptest::prop_assert_eq!(&counted, &direct);
                proptest::prop_assert_eq!(counted.max(), direct.max());
                proptest::prop_assert_eq!(counted.min(), direct.min());
                proptest::prop_assert_eq!(counted.min_nz(), direct.min_nz());
            }
        }
    }

    /// Each window's failures by cause sum to its `failed`; a window
    /// without a failure has no cause point; old points go with their windows.
    #[test]
    fn failures_by_cause_per_window() {
        let mut m = Metrics::default();
        let causes = [FailReason::Timeout, FailReason::ShortCircuited, FailReason::Timeout, FailReason::Rejected];
        for (i, r) in causes.into_iter().enumerate() {
            m.arrive();
            m.complete(Outcome::Failed(r), i as u64);
            m.arrive();
            m.complete(Outcome::Ok, 10);
        }
        assert_eq!(m.open_window_causes()[FailReason::Timeout as usize], 2);
        m.close_window(1_000, 0);
        m.arrive();
        m.complete(Outcome::Ok, 10);
        m.close_window(2_000, 0);
        m.complete(Outcome::Failed(FailReason::BulkheadFull), 0);
        m.close_window(3_000, 0);
        let c: Vec<CausePoint> = m.cause_series().iter().copied().collect();
        assert_eq!(c.iter().map(|p| p.t_ms).collect::<Vec<_>>(), [1_000, 3_000], "no point without a failure");
        assert_eq!(c[0].counts, [2, 1, 0, 0, 0, 0, 1, 0]);
        assert_eq!(c[1].of(FailReason::BulkheadFull), 1);
        for p in &c {
            let w = m.series().find(|w| w.t_ms == p.t_ms).unwrap();
            assert_eq!(p.total(), w.failed);
        }
        assert_eq!(m.open_window_causes(), [0; FailReason::COUNT]);
        for t in 4..(SERIES_CAPACITY as u64 + 3) {
            m.close_window(t * 1_000, 0);
        }
        assert_eq!(m.series().next().unwrap().t_ms, 3_000);
        assert_eq!(m.cause_series().len(), 1, "the window at 1 s left with its point");
        m.close_window(u64::MAX, 0);
        assert!(m.cause_series().is_empty());
    }

    #[test]
    fn the_series_is_bounded() {
        let mut m = Metrics::default();
        for t in 0..(SERIES_CAPACITY as u64 + 50) {
            m.close_window(t, 0);
        }
        assert_eq!(m.series().len(), SERIES_CAPACITY);
        assert_eq!(m.series().next().unwrap().t_ms, 50);
        assert_eq!(m.series.capacity(), SERIES_CAPACITY, "no slot past the bound");
    }
}
