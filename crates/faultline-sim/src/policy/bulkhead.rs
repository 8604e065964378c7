//! Bulkhead: a concurrency limit on the calls to some dependencies.
//!
//! Without it, one slow dependency holds every worker of a service (each
//! worker waits on it) and starves the endpoints that do not even use it.
//! With a pool per dependency (the seed's 40/30/30), the slow one exhausts
//! only its own pool; calls beyond it wait up to `max_wait` or are rejected
//! at once (resilience4j's default wait is 0).

use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct BulkheadRt {
    pub max_concurrent: u32,
    pub active: u32,
    pub max_wait_us: u64,
    /// Calls (slot, generation) waiting for a slot, oldest first; entries
    /// that stopped waiting are skipped when popped.
    pub waiters: VecDeque<(u32, u32)>,
    pub rejected: u64,
}

/// What the bulkhead says to a new call.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Go,
    Wait,
    Reject,
}

impl BulkheadRt {
    pub fn new(max_concurrent: u32, max_wait_us: u64) -> BulkheadRt {
        BulkheadRt { max_concurrent, active: 0, max_wait_us, waiters: VecDeque::new(), rejected: 0 }
    }

    pub fn enter(&mut self) -> Entry {
        if self.active < self.max_concurrent {
            self.active += 1;
            Entry::Go
        } else if self.max_wait_us > 0 {
            Entry::Wait
        } else {
            self.rejected += 1;
            Entry::Reject
        }
    }

    /// A call holding a slot ended; the slot is free for a waiter.
    pub fn leave(&mut self) {
        self.active = self.active.saturating_sub(1);
    }

    pub fn reset(&mut self) {
        self.active = 0;
        self.waiters.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_then_waits_or_rejects() {
        let mut b = BulkheadRt::new(2, 0);
        assert_eq!((b.enter(), b.enter(), b.enter()), (Entry::Go, Entry::Go, Entry::Reject));
        assert_eq!(b.rejected, 1);
        b.leave();
        assert_eq!(b.enter(), Entry::Go);
        let mut w = BulkheadRt::new(1, 1_000);
        assert_eq!((w.enter(), w.enter()), (Entry::Go, Entry::Wait));
    }
}
