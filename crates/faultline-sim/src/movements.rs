//! A bounded record of recent request movements, for the playground to
//! animate as particles: which edge, which way, when, and how it ended.
//!
//! The engine keeps the last `CAPACITY` messages in a ring, overwriting the
//! oldest, so memory is fixed however many requests run; the page samples
//! from it what it draws. Each entry is 16 bytes.

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
#[derive(Clone, Debug, Default)]
pub struct Movements {
    ring: Vec<Movement>,
    next: usize,
    total: u64,
}

impl Movements {
    #[inline]
    pub fn record(&mut self, m: Movement) {
        if self.ring.len() < CAPACITY {
            self.ring.push(m);
        } else {
            self.ring[self.next] = m;
        }
        self.next = (self.next + 1) % CAPACITY;
        self.total += 1;
    }

    /// Movements recorded so far, including those overwritten.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept movements that departed at or after `since_us`, oldest first.
    pub fn since(&self, since_us: u64) -> impl Iterator<Item = &Movement> {
        let (newer, older) = self.ring.split_at(self.next.min(self.ring.len()));
        older.iter().chain(newer.iter()).filter(move |m| m.sent_us >= since_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_latest_in_order_and_stays_bounded() {
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
