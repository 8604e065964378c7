//! The consumer's safeguards, applied to each record before and as it is
//! processed: an idempotent consumer's processed-event store, and a reorder
//! buffer by per-entity sequence number.
//!
//! Both live with the consumer's side effects (the store is written in the
//! same transaction as the effect; the next expected sequence number of each
//! entity with its state), so a rebalance keeps them; only records held in
//! the buffer, which are in memory and not yet committed, are dropped then
//! (the group fetches them again from the committed offset).

use super::producer::Record;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The processed-event ids an idempotent consumer remembers, the oldest
/// forgotten first once it holds `capacity`.
#[derive(Clone, Debug, Default)]
pub struct DedupStore {
    capacity: u32,
    order: VecDeque<u64>,
    ids: BTreeSet<u64>,
}

impl DedupStore {
    pub fn new(capacity: u32) -> DedupStore {
        DedupStore { capacity, ..DedupStore::default() }
    }

    pub fn contains(&self, id: u64) -> bool {
        self.ids.contains(&id)
    }

    /// Records a processed id; false if it was already there.
    pub fn insert(&mut self, id: u64) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        while self.order.len() as u64 > u64::from(self.capacity) {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }
}

/// What the reorder buffer makes of a record fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Its entity's next: process it.
    Process,
    /// Ahead of its entity's next: held until the missing ones are processed
    /// or the hold timeout.
    Hold,
    /// Behind its entity's next: that sequence number was processed already.
    Late,
}

/// A record in the reorder buffer, with the partition it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub partition: u16,
    pub record: Record,
}

#[derive(Clone, Debug, Default)]
pub struct ReorderBuffer {
    /// The next sequence number to process, per entity (1 when unknown).
    next: BTreeMap<u64, u32>,
    held: BTreeMap<(u64, u32), Held>,
}

impl ReorderBuffer {
    pub fn judge(&self, entity: u64, seq: u32) -> Verdict {
        let next = self.next.get(&entity).copied().unwrap_or(1);
        match seq.cmp(&next) {
            std::cmp::Ordering::Equal => Verdict::Process,
            std::cmp::Ordering::Greater => Verdict::Hold,
            std::cmp::Ordering::Less => Verdict::Late,
        }
    }

    /// Holds a record ahead of its turn; false if that (entity, sequence)
    /// is held already (a duplicate copy).
    pub fn hold(&mut self, h: Held) -> bool {
        let k = (h.record.ev.entity, h.record.ev.seq);
        if self.held.contains_key(&k) {
            return false;
        }
        self.held.insert(k, h);
        true
    }

    /// The entity's event `seq` was processed (or given up on): the next is
    /// due, and released if it is held.
    pub fn advance(&mut self, entity: u64, seq: u32) -> Option<Held> {
        let next = self.next.entry(entity).or_insert(1);
        *next = (*next).max(seq.saturating_add(1));
        let n = *next;
        self.held.remove(&(entity, n))
    }

    /// The hold timeout of (entity, seq) is over: out of the buffer, if still in.
    pub fn expire(&mut self, entity: u64, seq: u32) -> Option<Held> {
        self.held.remove(&(entity, seq))
    }

    /// A rebalance: the held records are dropped (they will be fetched again).
    pub fn drop_held(&mut self) {
        self.held.clear();
    }

    pub fn held(&self) -> u32 {
        self.held.len() as u32
    }

    pub fn held_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.held.values().map(|h| h.record.ev.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::log::producer::LogEvent;

    fn held(entity: u64, seq: u32) -> Held {
        let ev = LogEvent { id: u64::from(seq), entity, seq, etype: 0, op: 0, key: 0, publish: 0, born_us: 0 };
        Held { partition: 0, record: Record { offset: 0, ev, replicated_us: 0, pseq: 0 } }
    }

    #[test]
    fn the_store_forgets_the_oldest_past_its_capacity() {
        let mut s = DedupStore::new(2);
        assert!(s.insert(1) && s.insert(2) && !s.insert(2));
        s.insert(3);
        assert!(!s.contains(1) && s.contains(2) && s.contains(3));
    }

    #[test]
    fn the_buffer_holds_what_is_early_and_releases_it_in_turn() {
        let mut b = ReorderBuffer::default();
        assert_eq!(b.judge(5, 2), Verdict::Hold);
        assert!(b.hold(held(5, 2)));
        assert!(!b.hold(held(5, 2)), "a second copy is not held twice");
        assert_eq!(b.judge(5, 1), Verdict::Process);
        assert_eq!(b.advance(5, 1), Some(held(5, 2)));
        assert_eq!(b.judge(5, 1), Verdict::Late);
        assert_eq!(b.advance(5, 2), None);
        assert!(b.hold(held(5, 4)));
        assert_eq!(b.expire(5, 4), Some(held(5, 4)));
        assert_eq!(b.held(), 0);
    }
}
