//! The log's books and checkers: what became of every event, and what its
//! processing did to the business.
//!
//! Every event published ends in exactly one first outcome: processed (its
//! side effect applied once), dead-lettered, lost (acknowledged to the
//! producer, never in the log: `acks` 0) or rejected (the producer gave up
//! before any copy reached the log and said so). Until then it is in
//! flight: at the producer, in the log, held by the reorder buffer or out
//! for delivery. So published = processed + dead-lettered + lost + rejected
//! plus in flight at every moment, and `audit` recounts the right-hand side
//! from the events' flags rather than trusting the counters.
//!
//! The checkers look at side effects as the consumer applies them:
//! - a duplicate is a side effect applied to an event already processed;
//! - an order violation is an event processed after a later event (higher
//!   sequence number) of the same entity;
//! - a phantom deduction is an event processed before the event type it
//!   requires, for the same entity (stock decremented for an order whose
//!   payment was not processed yet).

use std::collections::{BTreeMap, VecDeque};

const APPENDED: u8 = 1;
const DONE: u8 = 2;
const LOST: u8 = 4;
const REJECTED: u8 = 8;
const ACKED: u8 = 16;
const TERMINAL: u8 = DONE | LOST | REJECTED;

/// What is known of one entity's processed events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Entity {
    /// The highest sequence number processed.
    max_seq: u32,
    /// Event types processed (bit per type; types past 31 share bit 31).
    types: u32,
    /// Side effects applied, duplicates included: the entity's live state
    /// as an event-sourced fold (each effect adds one).
    applied: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Books {
    /// Flags of events `base..`, by event id; every event before `base`
    /// reached its first outcome.
    flags: VecDeque<u8>,
    base: u64,
    entities: BTreeMap<u64, Entity>,
    pub published: u64,
    /// Events whose side effect was applied (the first time).
    pub processed: u64,
    pub dead_lettered: u64,
    pub lost: u64,
    pub rejected: u64,
    /// Side effects applied again to an event already processed.
    pub duplicates_processed: u64,
    pub order_violations: u64,
    pub phantom_deductions: u64,
}

/// What a side effect did, as the checkers saw it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effect {
    pub duplicate: bool,
    pub out_of_order: bool,
    pub phantom: bool,
}

impl Books {
    /// A new event, with the next id (ids are handed out in order from 0).
    pub fn publish(&mut self, id: u64) {
        debug_assert_eq!(id, self.base + self.flags.len() as u64, "event ids in order");
        self.flags.push_back(0);
        self.published += 1;
    }

    fn flag(&mut self, id: u64) -> Option<&mut u8> {
        let i = id.checked_sub(self.base)?;
        self.flags.get_mut(usize::try_from(i).ok()?)
    }

    fn flags_of(&self, id: u64) -> u8 {
        match id.checked_sub(self.base) {
            None => DONE,
            Some(i) => usize::try_from(i).ok().and_then(|i| self.flags.get(i)).copied().unwrap_or(0),
        }
    }

    /// Forgets the flags of the oldest events once they reached an outcome.
    fn trim(&mut self) {
        while self.flags.front().is_some_and(|f| f & TERMINAL != 0) {
            self.flags.pop_front();
            self.base += 1;
        }
    }

    pub fn appended(&mut self, id: u64) {
        if let Some(f) = self.flag(id) {
            *f |= APPENDED;
        }
    }

    /// The producer was told the event is sent.
    pub fn ack(&mut self, id: u64) {
        if let Some(f) = self.flag(id) {
            *f |= ACKED;
        }
    }

    pub fn is_acked(&self, id: u64) -> bool {
        self.flags_of(id) & ACKED != 0
    }

    /// Its last copy was truncated by a leader change.
    pub fn unappended(&mut self, id: u64) {
        if let Some(f) = self.flag(id) {
            *f &= !APPENDED;
        }
    }

    pub fn is_appended(&self, id: u64) -> bool {
        self.flags_of(id) & APPENDED != 0
    }

    /// Already processed (or otherwise done with).
    pub fn is_done(&self, id: u64) -> bool {
        self.flags_of(id) & TERMINAL != 0
    }

    /// An event acknowledged to the producer without reaching the log (`acks`
    /// 0), or whose every copy a leader change truncated.
    pub fn lose(&mut self, id: u64) {
        if let Some(f) = self.flag(id) {
            if *f & TERMINAL == 0 {
                *f |= LOST;
                self.lost += 1;
            }
        }
        self.trim();
    }

    /// The producer gave up on an event; rejected unless a copy is in the log.
    pub fn give_up(&mut self, id: u64) {
        if let Some(f) = self.flag(id) {
            if *f & (TERMINAL | APPENDED) == 0 {
                *f |= REJECTED;
                self.rejected += 1;
            }
        }
        self.trim();
    }

    pub fn dead_letter(&mut self, id: u64) {
        if let Some(f) = self.flag(id) {
            if *f & TERMINAL == 0 {
                *f |= DONE;
                self.dead_lettered += 1;
            }
        }
        self.trim();
    }

    /// The consumer applied the side effect of event `id` of `entity`
    /// (sequence `seq`, type `etype`, requiring type `requires`).
    pub fn apply(&mut self, id: u64, entity: u64, seq: u32, etype: u16, requires: Option<u16>) -> Effect {
        let mut effect = Effect::default();
        if self.is_done(id) {
            effect.duplicate = true;
            self.duplicates_processed += 1;
        } else {
            if let Some(f) = self.flag(id) {
                *f |= DONE;
            }
            self.processed += 1;
        }
        let e = self.entities.entry(entity).or_default();
        if seq < e.max_seq && !effect.duplicate {
            effect.out_of_order = true;
            self.order_violations += 1;
        }
        if let Some(r) = requires {
            if e.types & type_bit(r) == 0 {
                effect.phantom = true;
                self.phantom_deductions += 1;
            }
        }
        e.max_seq = e.max_seq.max(seq);
        e.types |= type_bit(etype);
        e.applied = e.applied.saturating_add(1);
        self.trim();
        effect
    }

    /// Events without an outcome yet, from the counters.
    pub fn in_flight(&self) -> u64 {
        self.published - self.processed - self.dead_lettered - self.lost - self.rejected
    }

    /// Recounts the outcomes from the events' flags: the counters must agree.
    pub fn audit(&self) -> Result<(), String> {
        let open = self.flags.iter().filter(|&&f| f & TERMINAL == 0).count() as u64;
        let terminal = self.processed + self.dead_lettered + self.lost + self.rejected;
        if self.published != terminal + self.in_flight() || open != self.in_flight() {
            return Err(format!(
                "log books: published {} = processed {} + dead-lettered {} + lost {} + rejected {} + in flight, \
                 but {open} events have no outcome",
                self.published, self.processed, self.dead_lettered, self.lost, self.rejected
            ));
        }
        Ok(())
    }

    /// Each entity's side effects applied so far (its live state).
    pub fn live_effects(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.entities.iter().map(|(&k, e)| (k, e.applied))
    }

    /// Ids of the events still without an outcome.
    pub fn open_events(&self) -> impl Iterator<Item = u64> + '_ {
        self.flags.iter().enumerate().filter(|(_, &f)| f & TERMINAL == 0).map(|(i, _)| self.base + i as u64)
    }
}

fn type_bit(t: u16) -> u32 {
    1u32 << u32::from(t).min(31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_one_first_outcome() {
        let mut b = Books::default();
        for id in 0..5 {
            b.publish(id);
        }
        b.appended(0);
        assert!(!b.apply(0, 7, 1, 0, None).duplicate);
        assert!(b.apply(0, 7, 1, 0, None).duplicate, "a second side effect is a duplicate");
        b.lose(1);
        b.give_up(2);
        b.appended(3);
        b.give_up(3); // a copy is in the log: still in flight
        b.dead_letter(4);
        assert_eq!((b.processed, b.duplicates_processed, b.lost, b.rejected, b.dead_lettered), (1, 1, 1, 1, 1));
        assert_eq!(b.in_flight(), 1);
        assert_eq!(b.open_events().collect::<Vec<_>>(), vec![3]);
        b.audit().unwrap();
    }

    #[test]
    fn order_violations_and_phantoms_per_entity() {
        let mut b = Books::default();
        for id in 0..4 {
            b.publish(id);
        }
        // Order 9: its inventory event (seq 2, requires type 0) before its payment (seq 1).
        let inv = b.apply(1, 9, 2, 1, Some(0));
        assert!(inv.phantom && !inv.out_of_order);
        let pay = b.apply(0, 9, 1, 0, None);
        assert!(pay.out_of_order && !pay.phantom);
        // Order 10 in order: nothing counted.
        assert_eq!(b.apply(2, 10, 1, 0, None), Effect::default());
        assert_eq!(b.apply(3, 10, 2, 1, Some(0)), Effect::default());
        assert_eq!((b.order_violations, b.phantom_deductions), (1, 1));
        b.audit().unwrap();
    }
}
