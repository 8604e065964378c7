//! Failures by cause over time: one point per metrics window in which
//! something failed, kept beside the series of every node, edge and the
//! whole system (`Metrics::cause_series`).
//!
//! Why: the run's failures by cause say *how* a run fails, but not *when*.
//! A fix usually changes the cause before it changes the count: a slow
//! dependency's timeouts become a breaker's short circuits, a partition's
//! timeouts stop when it heals while a retry storm's rejections go on. Seen
//! per window, the change of cause is where the lesson is.
//!
//! Cheap by construction: a failure adds one to a fixed array of counters
//! (on the failure path only, already out of line), and a window without a
//! failure adds no point, so a node or link that never fails keeps an empty
//! deque. The causes of a window sum exactly to its `Point::failed`: both
//! are counted by the same branch of `Metrics::complete`.

use crate::calls::FailReason;
use serde::{Deserialize, Serialize};

/// The failures of one metrics window by cause, indexed by `FailReason as
/// usize` (timeout, rejected, refused, 5xx, 429, 4xx, short-circuited,
/// bulkhead: the order of `report::Failures::by_cause`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CausePoint {
    /// End of the window, in simulated milliseconds (as `Point::t_ms`).
    pub t_ms: u64,
    pub counts: [u32; FailReason::COUNT],
}

impl CausePoint {
    /// Failures of the window, every cause.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// The count of `reason` in the window.
    pub fn of(&self, reason: FailReason) -> u32 {
        self.counts[reason as usize]
    }
}

/// The windows of `points` (sparse: windows without a failure are absent)
/// laid out on the window ends `t_ms`, a zero point where one is absent.
/// What a chart or a table over the whole series needs.
pub fn dense(points: &[CausePoint], t_ms: impl IntoIterator<Item = u64>) -> Vec<CausePoint> {
    let mut it = points.iter().peekable();
    t_ms.into_iter()
        .map(|t| {
            while it.next_if(|p| p.t_ms < t).is_some() {}
            it.next_if(|p| p.t_ms == t).copied().unwrap_or(CausePoint { t_ms: t, counts: [0; FailReason::COUNT] })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_fills_the_windows_without_failures() {
        let mut a = CausePoint { t_ms: 2_000, ..CausePoint::default() };
        a.counts[FailReason::Timeout as usize] = 3;
        let mut b = CausePoint { t_ms: 4_000, ..CausePoint::default() };
        b.counts[FailReason::ShortCircuited as usize] = 5;
        let d = dense(&[a, b], [1_000, 2_000, 3_000, 4_000, 5_000]);
        assert_eq!(d.iter().map(|p| p.t_ms).collect::<Vec<_>>(), [1_000, 2_000, 3_000, 4_000, 5_000]);
        assert_eq!(d.iter().map(CausePoint::total).collect::<Vec<_>>(), [0, 3, 0, 5, 0]);
        assert_eq!(d[1].of(FailReason::Timeout), 3);
        assert_eq!(d[3].of(FailReason::ShortCircuited), 5);
        // A point before the first window asked for is skipped.
        assert_eq!(dense(&[a, b], [3_000, 4_000]).iter().map(CausePoint::total).sum::<u64>(), 5);
    }
}
