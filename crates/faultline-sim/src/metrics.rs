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
//! of those values would (see `window_p50_p99`). A window with more calls
//! than the list holds spills into counts by histogram bucket, allocated on
//! first need, so memory stays bounded whatever the rate (`window_counts`).
//!
//! Failures are also counted by cause per window (`cause_series`, see
//! `causes`): a fixed array of counters, a point only for a window in which
//! something failed.

use crate::calls::{FailReason, Outcome};
use crate::causes::CausePoint;
use hdrhistogram::Histogram;
use std::collections::VecDeque;

mod window_counts;

use window_counts::WindowCounts;

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
/// smallest, k = ceil(q * n) (at least 1). Reorders `values`. The reference
/// `window_p50_p99` is tested against.
#[cfg(test)]
fn window_quantile(values: &mut [u32], q: f64, h: &Histogram<u64>) -> u64 {
    debug_assert!(q > 0.0 && q <= 1.0 && !values.is_empty());
    let (_, v, _) = values.select_nth_unstable(quantile_rank(q, values.len()) - 1);
    h.highest_equivalent(u64::from(*v))
}

/// The window's median and 99th percentile, as `window_quantile` gives each,
/// for about three quarters of the work of two selections: once the median
/// is in place, everything after it is at least the median, so the 99th
/// percentile is selected among those alone. Out of line: inlined, it
/// crowded the histogram's recording out of `close_window`'s loop.
#[inline(never)]
fn window_p50_p99(values: &mut [u32], h: &Histogram<u64>) -> (u64, u64) {
    let n = values.len();
    let (k50, k99) = (quantile_rank(0.5, n), quantile_rank(0.99, n));
    let (_, median, above) = values.select_nth_unstable(k50 - 1);
    let median = *median;
    let p99 = if k99 == k50 { median } else { *above.select_nth_unstable(k99 - k50 - 1).1 };
    (h.highest_equivalent(u64::from(median)), h.highest_equivalent(u64::from(p99)))
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

/// Where one kind of latency (successes or failures) ends up: the run's
/// histogram, and the open window's counts once it spills. The open window's
/// list itself lives with the caller, so the success list can sit on the hot
/// cache line with the counters.
#[derive(Clone, Debug)]
struct Histograms {
    /// Every latency of the closed windows.
    run: Histogram<u64>,
    /// The open window's spilled latencies, once it has had more than
    /// `PENDING_CAPACITY` (empty otherwise).
    window: Option<Box<WindowCounts>>,
}

impl Default for Histograms {
    fn default() -> Self {
        Histograms { run: new_histogram(), window: None }
    }
}

impl Histograms {
    /// Moves the pending latencies into the window's counts.
    #[cold]
    fn spill(&mut self, pending: &mut Vec<u32>) {
        self.window.get_or_insert_with(Default::default).add(pending);
        pending.clear();
    }

    /// The open window has spilled into `window`.
    fn spilled(&self) -> bool {
        self.window.as_ref().is_some_and(|w| !w.is_empty())
    }

    /// The window's p50 and p99 (0 when empty); empties `pending` (and the
    /// window's counts) into the run's histogram.
    fn close_window(&mut self, pending: &mut Vec<u32>) -> (u64, u64) {
        if self.spilled() {
            self.spill(pending);
            self.window.as_mut().expect("spilled").close_into(&mut self.run)
        } else if pending.is_empty() {
            (0, 0)
        } else {
            let q = window_p50_p99(pending, &self.run);
            for &us in pending.iter() {
                self.run.saturating_record(u64::from(us));
            }
            pending.clear();
            q
        }
    }

    /// The run's histogram including the open window's `pending` latencies.
    fn whole(&self, pending: &[u32]) -> std::borrow::Cow<'_, Histogram<u64>> {
        if pending.is_empty() && !self.spilled() {
            std::borrow::Cow::Borrowed(&self.run)
        } else {
            let mut h = self.run.clone();
            for &us in pending {
                h.saturating_record(u64::from(us));
            }
            if let Some(w) = &self.window {
                w.record_into(&mut h);
            }
            std::borrow::Cow::Owned(h)
        }
    }

    fn quantiles_us<const N: usize>(&self, pending: &[u32], qs: [f64; N]) -> ([u64; N], u64) {
        let h = self.whole(pending);
        if h.is_empty() {
            ([0; N], 0)
        } else {
            (qs.map(|q| h.value_at_quantile(q)), h.max())
        }
    }
}

/// The latencies of failed calls, kept apart from the successes'. Boxed and
/// made on the first failure: a node or edge that never fails pays one null
/// pointer for it.
#[derive(Clone, Debug, Default)]
struct FailedLatencies {
    pending: Vec<u32>,
    sum_us: u64,
    hists: Histograms,
}

/// Counters, histograms and the series of one node or edge.
///
/// Latencies of successful calls (ok or degraded) and of failed ones are
/// kept apart: a failure is often answered at once (a refusal, a breaker's
/// short circuit, shed load, a rate limit) and, mixed in, would pull the
/// percentiles down just when things go wrong. Every percentile and mean
/// without "failed" in its name is of successes.
///
/// Laid out for the cache: what every successful call touches (the pending
/// list's header and five counters) fills the first 64-byte line, failures
/// the second, and the histograms and series, read once a window, come last.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct Metrics {
    /// Latencies of the open window's successes not yet in `hists` (clamped as it would).
    pending: Vec<u32>,
    pub arrivals: u64,
    pub ok: u64,
    win_arrivals: u64,
    win_ok: u64,
    /// Sum of the successes' latencies.
    pub latency_sum_us: u64,
    win_failed: u64,
    /// Of `ok`, how many were answered by a fallback.
    pub degraded: u64,
    pub failed: [u64; FailReason::COUNT],
    failures: Option<Box<FailedLatencies>>,
    /// The open window's failures by cause (they sum to `win_failed`).
    win_causes: [u32; FailReason::COUNT],
    hists: Histograms,
    pub series: VecDeque<Point>,
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
            hists: Histograms::default(),
            win_arrivals: 0,
            win_ok: 0,
            win_failed: 0,
            pending: Vec::new(),
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
        self.win_arrivals += 1;
    }

    /// A call finished here after `latency_us`. Always inlined: it is on
    /// every call's path, and small once failures are recorded out of line.
    #[inline(always)]
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
                self.record_failure(r, latency_us);
                return;
            }
        }
        self.latency_sum_us = self.latency_sum_us.saturating_add(latency_us);
        self.pending.push(clamp(latency_us));
        if self.pending.len() >= PENDING_CAPACITY {
            self.hists.spill(&mut self.pending);
        }
    }

    /// Kept out of line, so `complete` stays small enough to inline into
    /// the engine's hot paths (successes are the common case).
    #[inline(never)]
    fn record_failure(&mut self, reason: FailReason, latency_us: u64) {
        self.win_causes[reason as usize] += 1;
        let f = self.failures.get_or_insert_with(Default::default);
        f.sum_us = f.sum_us.saturating_add(latency_us);
        f.pending.push(clamp(latency_us));
        if f.pending.len() >= PENDING_CAPACITY {
            f.hists.spill(&mut f.pending);
        }
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
        self.hists.quantiles_us(&self.pending, qs)
    }

    /// Like `quantiles_us`, of failed calls.
    pub fn failed_quantiles_us<const N: usize>(&self, qs: [f64; N]) -> ([u64; N], u64) {
        match &self.failures {
            Some(f) => f.hists.quantiles_us(&f.pending, qs),
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
        self.hists.whole(&self.pending).into_owned()
    }

    /// The slowest successful call, in microseconds.
    pub fn max_us(&self) -> u64 {
        self.quantiles_us([]).1
    }

    /// Summarises the current window into the series and starts a new one.
    pub fn close_window(&mut self, t_ms: u64, in_flight: u64) {
        let (p50_us, p99_us) = self.hists.close_window(&mut self.pending);
        let (fail_p50_us, fail_p99_us) = match &mut self.failures {
            Some(f) => f.hists.close_window(&mut f.pending),
            None => (0, 0),
        };
        if self.series.len() == SERIES_CAPACITY {
            let dropped = self.series.pop_front().map_or(0, |p| p.t_ms);
            while self.causes.front().is_some_and(|c| c.t_ms <= dropped) {
                self.causes.pop_front();
            }
        }
        if self.win_failed > 0 {
            let counts = std::mem::replace(&mut self.win_causes, [0; FailReason::COUNT]);
            self.causes.push_back(CausePoint { t_ms, counts });
        }
        self.series.push_back(Point {
            t_ms,
            arrivals: self.win_arrivals,
            ok: self.win_ok,
            failed: self.win_failed,
            p50_us,
            p99_us,
            in_flight,
            fail_p50_us,
            fail_p99_us,
        });
        self.win_arrivals = 0;
        self.win_ok = 0;
        self.win_failed = 0;
    }

    pub fn last_point(&self) -> Option<&Point> {
        self.series.back()
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
    /// histograms fed every latency directly, successes and failures each
    /// their own, whether the window stays in the pending lists or spills.
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
        let windows = [0usize, 1, 2, 3, 7, 100, 1_000, PENDING_CAPACITY - 1, PENDING_CAPACITY, 10_000, 5, 40_000];
        for (w, calls) in windows.into_iter().enumerate() {
            let (mut window, mut window_failed) = (new_histogram(), new_histogram());
            // Early windows succeed only; later ones fail about one call in
            // four, or (the 40 000-call one) nearly all, so both lists spill.
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
            let p = *m.last_point().unwrap();
            assert_eq!((p.p50_us, p.p99_us), window_of(&window), "window {w} of {calls} calls");
            assert_eq!((p.fail_p50_us, p.fail_p99_us), window_of(&window_failed), "window {w} of {calls} calls");
            assert_eq!(m.hists.run, whole, "window {w}");
            assert_eq!(m.hists.run.max(), whole.max());
            if let Some(f) = &m.failures {
                assert_eq!(f.hists.run, whole_failed, "window {w}");
            }
        }
        assert!(m.failures.is_some_and(|f| f.hists.window.is_some()), "the failures spilled");
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
        let p = *m.last_point().unwrap();
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
        /// The median-then-upper-part selection gives both percentiles
        /// exactly as two independent selections do, ties and all.
        #[test]
        fn p50_p99_match_two_selections(values in proptest::collection::vec(0u32..5_000, 1..400)) {
            let h = new_histogram();
            let (mut a, mut b, mut c) = (values.clone(), values.clone(), values);
            let both = window_p50_p99(&mut a, &h);
            let each = (window_quantile(&mut b, 0.5, &h), window_quantile(&mut c, 0.99, &h));
            proptest::prop_assert_eq!(both, each);
        }

        /// Counting by bucket (a spilled window) gives the selection's
        /// percentiles and the run histogram that recording each latency
        /// gives, whatever the spread.
        #[test]
        fn counting_matches_selection(values in proptest::collection::vec(
            proptest::prop_oneof![0u32..300, 0u32..100_000, proptest::num::u32::ANY], 1..600)) {
            let (mut counted, mut direct) = (new_histogram(), new_histogram());
            let mut w = WindowCounts::default();
            w.add(&values);
            let q = w.close_into(&mut counted);
            let mut sorted = values.clone();
            proptest::prop_assert_eq!(q, window_p50_p99(&mut sorted, &direct));
            for &v in &values {
                direct.saturating_record(u64::from(v));
            }
            proptest::prop_assert_eq!(&counted, &direct);
            proptest::prop_assert_eq!(counted.max(), direct.max());
            proptest::prop_assert_eq!(counted.min(), direct.min());
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
            let w = m.series.iter().find(|w| w.t_ms == p.t_ms).unwrap();
            assert_eq!(p.total(), w.failed);
        }
        assert_eq!(m.open_window_causes(), [0; FailReason::COUNT]);
        for t in 4..(SERIES_CAPACITY as u64 + 3) {
            m.close_window(t * 1_000, 0);
        }
        assert_eq!(m.series.front().unwrap().t_ms, 3_000);
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
        assert_eq!(m.series.len(), SERIES_CAPACITY);
        assert_eq!(m.series.front().unwrap().t_ms, 50);
    }
}
