//! A bounded record of recent request movements, for the playground to
//! animate as particles: which edge, which way, when, and how it ended.
//!
//! The engine keeps the last `CAPACITY` messages in a ring, overwriting the
//! oldest, so memory is fixed however many requests run; the page samples
//! from it what it draws. Each entry is 24 bytes (17 of fields, padded to 8).

use crate::calls::{FailReason, Outcome};

/// Messages kept.
pub const CAPACITY: usize = 4_096;

/// What a movement shows.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// A request on its way to the callee.
    Request,
    /// A successful response on its way back.
    Ok,
    /// An error response on its way back.
    Error,
    /// A message dropped by loss or a partition.
    Lost,
    /// The caller gave up waiting.
    Timeout,
    /// A retried attempt on its way to the callee.
    Retry,
    /// A call the caller's open circuit breaker refused: it never left.
    ShortCircuited,
}

impl Kind {
    pub fn of(outcome: Outcome) -> Kind {
        match outcome {
            Outcome::Ok | Outcome::Degraded => Kind::Ok,
            Outcome::Failed(FailReason::Timeout) => Kind::Timeout,
            Outcome::Failed(_) => Kind::Error,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Movement {
    /// When the message left, in simulated microseconds.
    pub sent_us: u64,
    /// Travel time in microseconds (0 for lost messages and timeouts).
    pub travel_us: u32,
    pub edge: u32,
    pub kind: Kind,
}

/// The ring of recent movements.
///
/// A fixed array, made whole at the first movement: recording one is a
/// store at `total % CAPACITY` (a power of two, so no bounds check) and an
/// increment, with no length to compare or grow. Every request records two
/// movements, and with a `Vec` filled up to `CAPACITY` that cost 0.6% of an
/// M/M/1 run's instructions more.
#[derive(Clone, Debug, Default)]
pub struct Movements {
    ring: Option<Box<[Movement; CAPACITY]>>,
    total: u64,
}

const _: () = assert!(CAPACITY.is_power_of_two());

impl Movements {
    #[inline]
    pub fn record(&mut self, m: Movement) {
        let ring = match &mut self.ring {
            Some(r) => r,
            None => self.ring.insert(Self::empty_ring()),
        };
        ring[self.total as usize % CAPACITY] = m;
        self.total += 1;
    }

    #[cold]
    fn empty_ring() -> Box<[Movement; CAPACITY]> {
        let blank = Movement { sent_us: 0, travel_us: 0, edge: 0, kind: Kind::Request };
        vec![blank; CAPACITY].into_boxed_slice().try_into().expect("CAPACITY entries")
    }

    /// Movements recorded so far, including those overwritten.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept movements that departed at or after `since_us`, oldest first.
    pub fn since(&self, since_us: u64) -> impl Iterator<Item = &Movement> {
        let ring: &[Movement] = self.ring.as_deref().map_or(&[], |r| r.as_slice());
        // Before the ring fills, its first `total` entries in order; then
        // the oldest is the next to be overwritten.
        let (older, newer) = if self.total < CAPACITY as u64 {
            (&ring[..self.total as usize], &[][..])
        } else {
            let next = self.total as usize % CAPACITY;
            (&ring[next..], &ring[..next])
        };
        older.iter().chain(newer.iter()).filter(move |m| m.sent_us >= since_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_latest_in_order_and_stays_bounded() {
        let mut m = Movements::default();
        assert_eq!(m.since(0).count(), 0);
        for t in 0..3 {
            m.record(Movement { sent_us: t, travel_us: 1, edge: 0, kind: Kind::Request });
        }
        let kept: Vec<u64> = m.since(0).map(|x| x.sent_us).collect();
        assert_eq!(kept, vec![0, 1, 2], "before the ring fills: only what was recorded");
        let mut m = Movements::default();
        for t in 0..(CAPACITY as u64 + 10) {
            m.record(Movement { sent_us: t, travel_us: 1, edge: 0, kind: Kind::Request });
        }
        let kept: Vec<u64> = m.since(0).map(|x| x.sent_us).collect();
        assert_eq!(kept.len(), CAPACITY);
        assert_eq!(kept[0], 10);
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(m.since(CAPACITY as u64 + 5).count(), 5);
        assert_eq!(m.total(), CAPACITY as u64 + 10);
    }
}
