//! The consumer group: which instance reads which partition, how far each
//! partition is read, handled and committed, and rebalances.
//!
//! Partition p belongs to instance p mod instances, each instance processes
//! one record at a time, taking its partitions in turn. The group's
//! position in a partition runs ahead of what is handled (processed, skipped
//! as a duplicate, or dead-lettered); only the contiguous handled prefix is
//! committed, every `auto_commit_interval_ms` or after each record. A
//! rebalance (a member lost or joining) stops consumption for its duration
//! and restarts every partition from its committed offset, so whatever was
//! handled but not committed is delivered again: that is at-least-once.

use super::producer::Record;
use std::collections::{BTreeSet, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupState {
    Running,
    /// Members are rejoining: no consumption until it is over.
    Rebalancing,
    /// Its consumer was dropped (unreachable past the session timeout): no
    /// consumption until it is back and a rebalance is over.
    Evicted,
}

/// A record to deliver before fetching further: one released by the
/// reorder buffer, or one whose delivery failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ready {
    pub record: Record,
    pub attempts: u32,
    /// Released by the hold timeout: processed whatever its sequence.
    pub forced: bool,
}

/// The group's progress in one partition.
#[derive(Clone, Debug, Default)]
pub struct Cursor {
    pub committed: u64,
    /// The next offset to fetch.
    pub position: u64,
    /// Every offset before it is handled.
    contiguous: u64,
    /// Handled offsets past `contiguous`.
    handled: BTreeSet<u64>,
    pub ready: VecDeque<Ready>,
}

impl Cursor {
    /// An offset is handled: processed, skipped or dead-lettered.
    pub fn handle(&mut self, offset: u64) {
        if offset < self.contiguous {
            return;
        }
        self.handled.insert(offset);
        while self.handled.remove(&self.contiguous) {
            self.contiguous += 1;
        }
    }

    /// Whether the record at `offset` is handled.
    pub fn is_handled(&self, offset: u64) -> bool {
        offset < self.contiguous || self.handled.contains(&offset)
    }

    /// Commits what is handled; returns the committed offset.
    pub fn commit(&mut self) -> u64 {
        self.committed = self.committed.max(self.contiguous);
        self.committed
    }

    /// Back to the committed offset (a rebalance).
    fn rewind(&mut self) {
        self.position = self.committed;
        self.contiguous = self.committed;
        self.handled.clear();
        self.ready.clear();
    }

    /// Handled but not committed: what a rebalance now would deliver again.
    pub fn uncommitted(&self) -> u64 {
        self.contiguous - self.committed + self.handled.len() as u64
    }
}

/// A record out for delivery to the consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub record: Record,
    pub partition: u16,
    pub instance: u32,
    pub sent_us: u64,
    pub attempts: u32,
    pub forced: bool,
    /// The group generation it was sent in; an answer from an older one
    /// still counts its side effect but cannot move the group's offsets.
    pub generation: u32,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub state: GroupState,
    pub generation: u32,
    pub instances: u32,
    pub cursors: Vec<Cursor>,
    /// Instances with a delivery out or a retry waiting.
    pub busy: Vec<bool>,
    /// Each instance's next partition to look at (by its own index).
    turn: Vec<u32>,
    pub out: Vec<Delivery>,
    /// Since when the consumer has been unreachable (down or paused), in µs.
    pub unreachable_since: Option<u64>,
    /// The consumer crashed since the last heartbeat: it rejoins, which rebalances.
    pub member_lost: bool,
    pub rebalances: u64,
}

impl Group {
    pub fn new(partitions: u32, instances: u32) -> Group {
        let instances = instances.max(1);
        Group {
            state: GroupState::Running,
            generation: 0,
            instances,
            cursors: vec![Cursor::default(); partitions as usize],
            busy: vec![false; instances as usize],
            turn: vec![0; instances as usize],
            out: Vec::new(),
            unreachable_since: None,
            member_lost: false,
            rebalances: 0,
        }
    }

    /// The instance partition `p` is assigned to.
    pub fn owner(&self, p: u32) -> u32 {
        p % self.instances
    }

    /// The partitions of `instance`, starting from its turn, and advances it.
    pub fn rotation(&mut self, instance: u32) -> Vec<u16> {
        let mine: Vec<u16> =
            (0..self.cursors.len() as u32).filter(|&p| self.owner(p) == instance).map(|p| p as u16).collect();
        if mine.is_empty() {
            return mine;
        }
        let start = self.turn[instance as usize] as usize % mine.len();
        self.turn[instance as usize] = (start + 1) as u32;
        mine[start..].iter().chain(&mine[..start]).copied().collect()
    }

    /// A rebalance starts: every partition goes back to its committed
    /// offset, deliveries out belong to the old generation.
    pub fn rebalance(&mut self, evicted: bool) {
        self.generation = self.generation.wrapping_add(1);
        self.rebalances += 1;
        self.state = if evicted { GroupState::Evicted } else { GroupState::Rebalancing };
        self.cursors.iter_mut().for_each(Cursor::rewind);
        self.busy.iter_mut().for_each(|b| *b = false);
    }

    /// Commits every partition's handled prefix.
    pub fn commit_all(&mut self) {
        self.cursors.iter_mut().for_each(|c| {
            c.commit();
        });
    }

    /// The delivery answered by `request` sent at `sent_us`, taken out.
    pub fn take(&mut self, event: u64, sent_us: u64) -> Option<Delivery> {
        let i = self.out.iter().position(|d| d.record.ev.id == event && d.sent_us == sent_us)?;
        Some(self.out.swap_remove(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_contiguous_handled_prefix_is_committed() {
        let mut c = Cursor::default();
        c.handle(0);
        c.handle(2);
        assert_eq!((c.commit(), c.uncommitted()), (1, 1));
        c.handle(1);
        assert_eq!(c.uncommitted(), 2);
        assert_eq!(c.commit(), 3);
        c.handle(3);
        c.position = 4;
        c.rewind();
        assert_eq!((c.position, c.committed), (3, 3), "a rebalance goes back to the committed offset");
    }

    #[test]
    fn partitions_are_shared_out_and_taken_in_turn() {
        let mut g = Group::new(5, 2);
        assert_eq!(g.rotation(0), vec![0, 2, 4]);
        assert_eq!(g.rotation(0), vec![2, 4, 0]);
        assert_eq!(g.rotation(1), vec![1, 3]);
        let mut idle = Group::new(2, 3);
        assert!(idle.rotation(2).is_empty(), "more instances than partitions: one idles");
    }
}
