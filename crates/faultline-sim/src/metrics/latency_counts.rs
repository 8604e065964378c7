//! Latencies counted by histogram bucket: the run's, and the open window's.
//!
//! Why: a call's latency used to go onto a list, and when its window closed
//! the list was sorted partly for the window's percentiles (two selections)
//! and fed one by one into the run's HDR histogram (`saturating_record`,
//! about 50 instructions apiece). Every request is counted at four places
//! (client, service, edge, overall), so on an M/M/1 run that was a fifth of
//! the engine's instructions. Here a latency costs an index computation and
//! an increment: the open window's count of its bucket. When the window
//! closes, one pass over the buckets it touched gives both percentiles, and
//! a second adds them to the run's counts and empties them. An HDR histogram is made from the counts only when someone
//! reads the whole run (a report, an exercise's criterion), which is rare.
//!
//! Latencies wait in a short buffer (`PENDING`), as their bucket indices,
//! and are counted a buffer at a time: on a big topology there are hundreds of these counts (14 KB and up
//! each), and counting each call's latency as it comes would touch two
//! random lines of them per call; a buffer's worth is counted while its
//! lines are in the cache. A buffered latency is counted in the window
//! only; the window's counts are added to the run's when it closes, in the
//! same pass that empties them (the run's counts are read rarely, and then
//! with the open window's added). The buckets a window touched are found
//! from the buffer's smallest and largest bucket, not latency by latency.
//!
//! Exact, not an approximation: the buckets are those of the HDR histogram
//! the run used to record into (1 us to one hour, 2 significant digits:
//! `metrics::new_histogram`), whose reads (`value_at_quantile`, `max`,
//! `min_nz`, the mean) all answer at bucket resolution, so a bucket's count
//! recorded at its lowest value makes the same histogram as its latencies
//! recorded one by one. The tests check the bucket arithmetic against the
//! histogram's own at every bucket edge, and the metrics' tests compare
//! percentiles and histograms with per-latency recording.

use super::quantile_rank;
use hdrhistogram::Histogram;

/// Sub-buckets per bucket (2 significant digits need 200 values told apart,
/// rounded up to a power of two) and half of it, as powers of two.
const SUB_BUCKET_MAGNITUDE: u32 = 8;
const HALF_MAGNITUDE: u32 = SUB_BUCKET_MAGNITUDE - 1;
const SUB_BUCKET_MASK: u64 = (1 << SUB_BUCKET_MAGNITUDE) - 1;
/// Buckets index values up to `u32::MAX`, the largest `metrics::clamp` keeps.
const BUCKETS: usize = bucket_index(u32::MAX as u64) + 1;

/// The histogram's index of `value` (`hdrhistogram`'s `index_for` for the
/// run histogram's parameters).
#[inline(always)]
const fn bucket_index(value: u64) -> usize {
    // Powers of two above what bucket 0 holds (the mask puts small values in it).
    let bucket = (64 - SUB_BUCKET_MAGNITUDE) - (value | SUB_BUCKET_MASK).leading_zeros();
    ((bucket as usize) << HALF_MAGNITUDE) + (value >> bucket) as usize
}

/// The lowest value of the histogram's bucket `index` (`index` may be
/// `BUCKETS`: the value just past the last bucket).
#[inline]
fn lowest_of(index: usize) -> u64 {
    let half = 1usize << HALF_MAGNITUDE;
    if index < 2 * half {
        index as u64
    } else {
        let bucket = (index >> HALF_MAGNITUDE) - 1;
        (((index & (half - 1)) + half) as u64) << bucket
    }
}

/// The highest value of bucket `index` (the histogram's `highest_equivalent`).
#[inline]
fn highest_of(index: usize) -> u64 {
    lowest_of(index + 1) - 1
}

/// Latencies buffered before they are counted.
const PENDING: usize = 64;
/// Bucket indices fit in a `u16` (`pending` holds them as such).
const _: () = assert!(BUCKETS <= u16::MAX as usize);

/// Every bucket's count: over the run's closed windows (only the buckets
/// from the lowest to the highest any latency reached), and in the open
/// window (all of them: counting indexes it directly).
#[derive(Clone)]
struct Counts {
    run: RunCounts,
    window: [u32; BUCKETS],
}

/// The run's counts of the buckets `base ..` `base + counts.len()`.
///
/// Why not all 3,328 buckets: a node's or link's latencies span a few
/// hundred of them (1 ms to 100 ms is about 850), and the scrubber keeps
/// whole copies of the engine: on a 1,000-node design the run's counts of
/// every bucket were 26 KB for each of 2,864 nodes and links, 76 MB a copy.
/// The range grows (rarely: a latency further out than any before) when a
/// window is added.
#[derive(Clone, Default)]
struct RunCounts {
    base: usize,
    counts: Vec<u64>,
}

impl RunCounts {
    /// The counts of buckets `lo..=hi`, growing the range to hold them.
    fn span_mut(&mut self, lo: usize, hi: usize) -> &mut [u64] {
        let end = self.base + self.counts.len();
        if self.counts.is_empty() {
            (self.base, self.counts) = (lo, vec![0; hi + 1 - lo]);
        } else if lo < self.base || hi >= end {
            let (base, top) = (lo.min(self.base), (hi + 1).max(end));
            let mut counts = vec![0; top - base];
            counts[self.base - base..end - base].copy_from_slice(&self.counts);
            (self.base, self.counts) = (base, counts);
        }
        &mut self.counts[lo - self.base..=hi - self.base]
    }

    /// (bucket, count) of every bucket in the range.
    fn iter(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.counts.iter().enumerate().map(|(i, &n)| (self.base + i, n))
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// One kind of latency (successes, or failures) of a node or edge, by
/// bucket. The counts (14 KB and the run's range) are made when the first buffer is counted: a
/// node or edge that never completes a call pays a null pointer and its
/// buffer (128 bytes).
///
/// The buffer is here, last (`repr(C)`), not with the counts: buffering a
/// latency then reads neither the pointer nor the counts, only the
/// header's line and the buffer's.
#[derive(Clone)]
#[repr(C)]
pub(super) struct LatencyCounts {
    counts: Option<Box<Counts>>,
    /// Latencies counted in the open window, and the lowest and highest
    /// bucket they touched.
    n: u64,
    lo: u16,
    hi: u16,
    /// Latencies in `pending`, not yet counted.
    len: u32,
    /// The buckets of the latencies not counted yet.
    pending: [u16; PENDING],
}

impl Default for LatencyCounts {
    fn default() -> Self {
        LatencyCounts { counts: None, n: 0, lo: BUCKETS as u16, hi: 0, len: 0, pending: [0; PENDING] }
    }
}

impl std::fmt::Debug for LatencyCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let window = self.n + u64::from(self.len);
        let run = self.counts.as_ref().map_or(0, |c| c.run.total()) + window;
        f.debug_struct("LatencyCounts").field("run", &run).field("window", &window).finish()
    }
}

impl Counts {
    #[cold]
    #[inline(never)]
    fn new() -> Box<Counts> {
        Box::new(Counts { run: RunCounts::default(), window: [0; BUCKETS] })
    }
}

impl LatencyCounts {
    /// Counts one latency (at most `u32::MAX`, as `metrics::clamp` leaves it).
    #[inline(always)]
    pub(super) fn record(&mut self, us: u32) {
        self.pending[self.len as usize % PENDING] = bucket_index(u64::from(us)) as u16;
        self.len += 1;
        if self.len as usize >= PENDING {
            self.count_pending();
        }
    }

    /// Counts the buffered latencies in the open window.
    #[inline(never)]
    fn count_pending(&mut self) {
        let pending = &self.pending[..(self.len as usize).min(PENDING)];
        if pending.is_empty() {
            return;
        }
        let c = match &mut self.counts {
            Some(c) => c,
            None => self.counts.insert(Counts::new()),
        };
        // The buckets' extremes in a branch-free pass the compiler
        // vectorises (16-bit lanes: a few instructions for the whole
        // buffer; over the latencies themselves, 32-bit lanes without an
        // unsigned minimum before SSE4.1, it took 4.5 an entry), then the
        // counts. Each bucket index is computed as its latency is buffered:
        // the same work, only sooner.
        let (min, max) = pending.iter().fold((u16::MAX, 0), |(lo, hi), &i| (lo.min(i), hi.max(i)));
        for &i in pending {
            c.window[usize::from(i)] += 1;
        }
        self.lo = self.lo.min(min);
        self.hi = self.hi.max(max);
        self.n += u64::from(self.len);
        self.len = 0;
    }

    /// Latencies counted in the open window.
    #[cfg(test)]
    pub(super) fn window_len(&self) -> u64 {
        self.n + u64::from(self.len)
    }

    /// Closes the window: its p50 and p99 as `Histogram::value_at_quantile`
    /// answers on a histogram of exactly its latencies (0 when none); the
    /// window's counts start over.
    pub(super) fn close_window(&mut self) -> (u64, u64) {
        self.count_pending();
        let Some(c) = self.counts.as_mut().filter(|_| self.n > 0) else { return (0, 0) };
        let n = usize::try_from(self.n).unwrap_or(usize::MAX);
        let (k50, k99) = (quantile_rank(0.5, n) as u64, quantile_rank(0.99, n) as u64);
        let (lo, hi) = (self.lo as usize, self.hi as usize);
        let window = &mut c.window[lo..=hi];
        // The bucket where the running count reaches `k`, from bucket `from`
        // with `seen` counted before it: eight buckets at a time (summed
        // without branches), then one by one in the eight that reach it.
        let reach = |window: &[u32], mut from: usize, mut seen: u64, k: u64| -> (usize, u64) {
            while from + 8 <= window.len() {
                let sum: u64 = window[from..from + 8].iter().map(|&n| u64::from(n)).sum();
                if seen + sum >= k {
                    break;
                }
                seen += sum;
                from += 8;
            }
            while from < window.len() {
                seen += u64::from(window[from]);
                if seen >= k {
                    return (from, seen - u64::from(window[from]));
                }
                from += 1;
            }
            unreachable!("k <= n, the window's count")
        };
        let (i50, before) = reach(window, 0, 0, k50);
        let (i99, _) = reach(window, i50, before, k99);
        let (p50, p99) = (lo + i50, lo + i99);
        for (run, count) in c.run.span_mut(lo, hi).iter_mut().zip(window) {
            *run += u64::from(*count);
            *count = 0;
        }
        (self.n, self.lo, self.hi) = (0, BUCKETS as u16, 0);
        (highest_of(p50), highest_of(p99))
    }

    /// The run's latencies so far (the open window's included) as an HDR
    /// histogram of `metrics::new_histogram`'s bounds.
    pub(super) fn histogram(&self) -> Histogram<u64> {
        let mut h = super::new_histogram();
        if let Some(c) = &self.counts {
            let window = c.window.iter().enumerate().map(|(i, &n)| (i, u64::from(n)));
            for (i, count) in c.run.iter().chain(window).filter(|&(_, count)| count > 0) {
                h.saturating_record_n(lowest_of(i), count);
            }
        }
        // A bucket's lowest value: the same histogram as the latency's own.
        for &i in &self.pending[..self.len as usize] {
            h.saturating_record(lowest_of(usize::from(i)));
        }
        h
    }

    /// No latency counted yet.
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0 && self.n == 0 && self.counts.as_ref().is_none_or(|c| c.run.total() == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_the_histograms() {
        let h = super::super::new_histogram();
        let mut edges = vec![0u64, 1, 2, 127, 128, 255, 256, 257, 511, 512, 513, 1_000, 3_600_000_000, u32::MAX as u64];
        for shift in 0..32 {
            for d in [0u64, 1, 2] {
                edges.push((1u64 << shift).saturating_sub(d));
                edges.push((1u64 << shift) + d);
                edges.push((3u64 << shift) / 2);
            }
        }
        for v in edges.into_iter().filter(|&v| v <= u64::from(u32::MAX)) {
            let i = bucket_index(v);
            assert!(i < BUCKETS, "{v}");
            assert_eq!(lowest_of(i), h.lowest_equivalent(v), "value {v}, index {i}");
            assert_eq!(highest_of(i), h.highest_equivalent(v), "value {v}, index {i}");
            // The next bucket starts right after this one's highest value.
            if v < u64::from(u32::MAX) {
                assert_eq!(bucket_index(h.highest_equivalent(v) + 1), i + 1, "value {v}");
            }
        }
        // Every index maps back to itself, and its highest value is the histogram's.
        for i in 0..BUCKETS {
            assert_eq!(bucket_index(lowest_of(i)), i);
            assert_eq!(highest_of(i), h.highest_equivalent(lowest_of(i)), "index {i}");
        }
    }

    #[test]
    fn the_runs_range_grows_both_ways_and_loses_nothing() {
        let mut c = LatencyCounts::default();
        let mut h = super::super::new_histogram();
        // Window by window: the middle, then lower, then higher, then inside.
        for window in [[1_000u32, 2_000, 5_000], [3, 10, 900], [50_000, 4_000_000, 60_000], [7, 600, 60_000]] {
            for v in window {
                c.record(v);
                h.saturating_record(h.lowest_equivalent(u64::from(v)));
            }
            c.close_window();
            let run = &c.counts.as_ref().unwrap().run;
            assert_eq!(run.total(), h.len(), "every latency counted once");
        }
        // And both ways in one window.
        for v in [0, u32::MAX] {
            c.record(v);
            h.saturating_record(h.lowest_equivalent(u64::from(v)));
        }
        c.close_window();
        let run = &c.counts.as_ref().unwrap().run;
        assert_eq!((run.base, run.base + run.counts.len()), (bucket_index(0), bucket_index(u64::from(u32::MAX)) + 1));
        assert_eq!(run.total(), h.len());
        assert_eq!(c.histogram(), h);
        assert!(!c.is_empty());
    }

    #[test]
    fn closing_empties_the_window_not_the_run() {
        let mut c = LatencyCounts::default();
        assert!(c.is_empty());
        assert_eq!(c.close_window(), (0, 0));
        for v in (0..1_000).map(|i| i * 37 % 5_000).chain([u32::MAX, 0]) {
            c.record(v);
        }
        assert_eq!(c.window_len(), 1_002);
        assert_eq!(c.histogram().len(), 1_002, "buffered latencies are in the histogram");
        c.close_window();
        assert_eq!(c.window_len(), 0);
        assert!(c.counts.as_ref().unwrap().window.iter().all(|&n| n == 0));
        assert_eq!(c.histogram().len(), 1_002);
        assert_eq!(c.close_window(), (0, 0));
    }
}
