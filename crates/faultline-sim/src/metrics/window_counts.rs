//! A busy window's latencies counted by histogram bucket.
//!
//! Why: a window with more calls than the pending list holds used to spill
//! them into two HDR histograms, the run's and the window's, one
//! `saturating_record` each per latency (about 50 instructions apiece). On
//! an M/M/8 run (7,200 calls a window, counted at four places: client,
//! service, edge, overall) that was about 400 instructions per request, a
//! seventh of the engine's work. Here a spilled latency costs an index
//! computation and an increment; when the window closes, one pass over the
//! buckets it touched gives both percentiles, and the run's histogram takes
//! one `record_n` per bucket instead of one record per latency.
//!
//! Exact, not an approximation: the buckets are those of the run's HDR
//! histogram (1 us to one hour, 2 significant digits: `metrics::new_histogram`),
//! whose reads (`value_at_quantile`, `max`, `min_nz`, the mean) all answer at
//! bucket resolution, so a bucket's count recorded at its lowest value makes
//! the same histogram as its latencies recorded one by one. The tests check
//! the bucket arithmetic against the histogram's own at every bucket edge.

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

/// The lowest value of the histogram's bucket `index`.
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

/// The open window's spilled latencies, by bucket (13 KB, made on a node's
/// or edge's first spill and kept).
#[derive(Clone, Debug)]
pub(super) struct WindowCounts {
    counts: Vec<u32>,
    /// Latencies counted, and the lowest and highest bucket touched.
    n: usize,
    lo: usize,
    hi: usize,
}

impl Default for WindowCounts {
    fn default() -> Self {
        WindowCounts { counts: vec![0; BUCKETS], n: 0, lo: BUCKETS, hi: 0 }
    }
}

impl WindowCounts {
    pub(super) fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Counts `values` (each at most `u32::MAX`, as `metrics::clamp` leaves them).
    pub(super) fn add(&mut self, values: &[u32]) {
        let (mut lo, mut hi) = (self.lo, self.hi);
        for &v in values {
            let i = bucket_index(u64::from(v));
            self.counts[i] += 1;
            lo = lo.min(i);
            hi = hi.max(i);
        }
        (self.lo, self.hi) = (lo, hi);
        self.n += values.len();
    }

    /// The buckets touched, with their lowest value and count.
    fn touched(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let span = if self.n == 0 { &[][..] } else { &self.counts[self.lo..=self.hi] };
        span.iter().enumerate().filter(|(_, &c)| c > 0).map(move |(i, &c)| (lowest_of(self.lo + i), c))
    }

    /// Adds the counted latencies to `h` (which has the run histogram's buckets).
    pub(super) fn record_into(&self, h: &mut Histogram<u64>) {
        for (value, count) in self.touched() {
            h.saturating_record_n(value, u64::from(count));
        }
    }

    /// Closes the window: its p50 and p99 as `Histogram::value_at_quantile`
    /// answers on a histogram of exactly the counted latencies (0 when none),
    /// after adding them to `run`; the counts start over.
    pub(super) fn close_into(&mut self, run: &mut Histogram<u64>) -> (u64, u64) {
        if self.n == 0 {
            return (0, 0);
        }
        let (k50, k99) = (quantile_rank(0.5, self.n), quantile_rank(0.99, self.n));
        let (mut seen, mut p50, mut p99) = (0usize, None, None);
        for (value, count) in self.touched() {
            run.saturating_record_n(value, u64::from(count));
            seen += count as usize;
            if p50.is_none() && seen >= k50 {
                p50 = Some(value);
            }
            if p99.is_none() && seen >= k99 {
                p99 = Some(value);
            }
        }
        let (p50, p99) = (p50.expect("k50 <= n"), p99.expect("k99 <= n"));
        self.counts[self.lo..=self.hi].fill(0);
        (self.n, self.lo, self.hi) = (0, BUCKETS, 0);
        (run.highest_equivalent(p50), run.highest_equivalent(p99))
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
            // The next bucket starts right after this one's highest value.
            if v < u64::from(u32::MAX) {
                assert_eq!(bucket_index(h.highest_equivalent(v) + 1), i + 1, "value {v}");
            }
        }
        // Every index maps back to itself.
        for i in 0..BUCKETS {
            assert_eq!(bucket_index(lowest_of(i)), i);
        }
    }

    #[test]
    fn closing_leaves_the_counts_empty() {
        let mut run = super::super::new_histogram();
        let mut w = WindowCounts::default();
        w.add(&(0..1_000).map(|i| i * 37 % 5_000).collect::<Vec<u32>>());
        w.add(&[u32::MAX, 0]);
        assert!(!w.is_empty());
        w.close_into(&mut run);
        assert!(w.is_empty() && w.counts.iter().all(|&c| c == 0));
        assert_eq!(run.len(), 1_002);
        assert_eq!(w.close_into(&mut run), (0, 0));
    }
}
