//! What a store knows about its own correctness: the history of its clients'
//! operations (invoke, then ok / fail / info) and an oracle of acknowledged
//! writes, from which stale reads and lost writes are counted.
//!
//! A read is stale when it returns a version older than the newest write
//! acknowledged to any client before the read was invoked. An acknowledged
//! write is lost when, at the end, the key's surviving value was written by
//! a write acknowledged before this one was even invoked (or nothing
//! survives): a later write was acknowledged, then undone.
//!
//! Under last-writer-wins the same loss has a second, silent cause: clocks.
//! An AP write is stamped with its coordinator's clock, so a write stamped
//! earlier than a write acknowledged before it was even invoked (a skewed
//! coordinator) loses to it on every replica once they settle. Such a write
//! is counted lost at its own acknowledgement: every write that can beat it
//! that way was acknowledged before, so the count is exact as it happens.

use super::{Version, Versioned};
use crate::history::{Event, EventType, Function, Value};
use std::collections::BTreeMap;

/// Most history events a store records; past it, recording stops (and
/// `history_truncated` says so) so that every recorded invoke keeps its
/// completion's place and the memory stays bounded.
pub const HISTORY_LIMIT: usize = 200_000;

/// Most acknowledged writes remembered for the lost-write count.
pub const ACKED_WRITES_LIMIT: usize = 1_000_000;

/// A store's counters over the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Client reads and writes completed successfully.
    pub reads: u64,
    pub writes: u64,
    /// Reads that returned a version older than the newest write
    /// acknowledged before they began.
    pub stale_reads: u64,
    /// Client requests the store could not serve (no reachable replica, no
    /// quorum, no leader, timed out).
    pub unavailable: u64,
    /// AP: writes that reached a replica already holding a newer version and
    /// were discarded there by last-writer-wins.
    pub conflicts: u64,
    /// AP last-writer-wins: acknowledged writes stamped earlier than a
    /// write acknowledged before they were invoked, so silently dropped.
    pub lww_lost: u64,
    /// AP sloppy quorum: hints kept for unreachable replicas, and handed over.
    pub hints_stored: u64,
    pub hints_delivered: u64,
    /// CP: elections started, and log entries a new leader overwrote (a
    /// deposed leader's uncommitted writes).
    pub elections: u64,
    pub discarded_entries: u64,
    /// Synthetic reads made after acknowledged writes (`Sim::store_probe`),
    /// and how many of them did not see the write.
    pub probes: u64,
    pub probe_stale: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Books {
    pub stats: StoreStats,
    history: Vec<Event>,
    pub history_truncated: bool,
    /// Per key, the latest invoke time of a write acknowledged so far, and
    /// the invoke times of its acknowledged writes.
    latest_acked_invoke: BTreeMap<u64, u64>,
    acked_invokes: BTreeMap<u64, Vec<u64>>,
    /// Acknowledgement time of each acknowledged write, by its value.
    ack_us: BTreeMap<i64, u64>,
    acked_count: usize,
    /// Per key, the acknowledged stamped writes in acknowledgement order:
    /// (acknowledged at, newest stamp acknowledged by then).
    stamps: BTreeMap<u64, Vec<(u64, Version)>>,
    /// Recorded invokes whose completion is still to come: room is kept
    /// for them, so the history never exceeds `HISTORY_LIMIT`.
    open_recorded: usize,
}

impl Books {
    pub fn history(&self) -> &[Event] {
        &self.history
    }

    /// A client operation was sent: its history event, and what a read must
    /// not return anything acknowledged before (see `is_stale`).
    /// Also whether the invoke was recorded (then so is its completion).
    pub fn invoke(&mut self, process: u64, write: Option<i64>, key: u64, now: u64) -> (Option<u64>, bool) {
        let (f, value) = match write {
            Some(v) => (Function::Write, Value::One(v)),
            None => (Function::Read, Value::None),
        };
        // Half the room is kept for completions of operations recorded.
        let recorded = self.history.len() + self.open_recorded + 2 <= HISTORY_LIMIT;
        if recorded {
            self.open_recorded += 1;
            self.history.push(Event { process, kind: EventType::Invoke, f, key, value, time_us: Some(now) });
        } else {
            self.history_truncated = true;
        }
        (self.latest_acked_invoke.get(&key).copied(), recorded)
    }

    /// A client operation completed. `Ok(read)` for a success (what a read
    /// returned), `Err(certain)` for a failure: certain that it did not
    /// happen (`fail`), or not (`info`).
    #[allow(clippy::too_many_arguments)]
    pub fn complete(
        &mut self,
        process: u64,
        write: Option<i64>,
        key: u64,
        invoke_us: u64,
        required: Option<u64>,
        result: Result<Option<Versioned>, bool>,
        stamp: Option<Version>,
        recorded: bool,
        now: u64,
    ) {
        let f = if write.is_some() { Function::Write } else { Function::Read };
        let (kind, value) = match (result, write) {
            (Ok(_), Some(v)) => {
                self.stats.writes += 1;
                self.acknowledge(key, v, invoke_us, stamp, now);
                (EventType::Ok, Value::One(v))
            }
            (Ok(read), None) => {
                self.stats.reads += 1;
                if self.is_stale(read, required) {
                    self.stats.stale_reads += 1;
                }
                (EventType::Ok, read.map_or(Value::None, |r| Value::One(r.value)))
            }
            (Err(certain), _) => {
                self.stats.unavailable += 1;
                let kind = if certain || write.is_none() { EventType::Fail } else { EventType::Info };
                (kind, write.map_or(Value::None, Value::One))
            }
        };
        if recorded {
            self.open_recorded -= 1;
            self.history.push(Event { process, kind, f, key, value, time_us: Some(now) });
        }
    }

    fn acknowledge(&mut self, key: u64, value: i64, invoke_us: u64, stamp: Option<Version>, now: u64) {
        if self.acked_count >= ACKED_WRITES_LIMIT {
            return;
        }
        self.acked_count += 1;
        if let Some(stamp) = stamp {
            let acked = self.stamps.entry(key).or_default();
            // The newest stamp among writes acknowledged before this one began.
            let before = acked.partition_point(|&(at, _)| at < invoke_us);
            if before > 0 && acked[before - 1].1 > stamp {
                self.stats.lww_lost += 1;
            }
            let newest = acked.last().map_or(stamp, |&(_, v)| v.max(stamp));
            acked.push((now, newest));
        }
        self.ack_us.insert(value, now);
        self.acked_invokes.entry(key).or_default().push(invoke_us);
        let latest = self.latest_acked_invoke.entry(key).or_insert(0);
        *latest = (*latest).max(invoke_us);
    }

    /// The values of the acknowledged writes.
    pub fn acked_values(&self) -> impl Iterator<Item = i64> + '_ {
        self.ack_us.keys().copied()
    }

    /// Acknowledged writes undone by the end: `surviving` gives each key's
    /// final value (None: nothing survived).
    pub fn lost_writes(&self, surviving: impl Fn(u64) -> Option<Versioned>) -> u64 {
        let mut lost = 0;
        for (&key, invokes) in &self.acked_invokes {
            match surviving(key) {
                None => lost += invokes.len() as u64,
                Some(f) => {
                    // A survivor never acknowledged came after (or with) them.
                    if let Some(&acked) = self.ack_us.get(&f.value) {
                        lost += invokes.iter().filter(|&&i| i > acked).count() as u64;
                    }
                }
            }
        }
        lost
    }
}

impl Books {
    /// Stale: some write acknowledged before the read began was invoked
    /// after the write the read returned had been acknowledged (so it must
    /// have overwritten it), or the read found nothing where such a write
    /// exists. `required` is the latest invoke time of the key's writes
    /// acknowledged before the read began. A value whose write was never
    /// acknowledged may take effect at any time after its invoke: not stale.
    pub fn is_stale(&self, read: Option<Versioned>, required: Option<u64>) -> bool {
        match (read, required) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(r), Some(latest)) => self.ack_us.get(&r.value).is_some_and(|&acked| acked < latest),
        }
    }
}
