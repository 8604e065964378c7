//! The database as the system of record: which version of each key it
//! holds, so a cache in front of it can tell a stale read from a fresh one.
//!
//! Versions are the database's write count: the n-th write it applies (to
//! any key) makes that key's version n, and a key never written is at
//! version 0. A read returns a *snapshot*: the write count when it was
//! served. An answer with snapshot S is still current for key k as long as
//! k has not been written since, i.e. its last write is <= S. A cache keeps
//! the snapshot with its entry; a hit on an entry whose key has been written
//! after its snapshot is a stale read (see `nodes::cache`).
//!
//! Only databases with a cache reading them directly keep versions
//! (`DatabaseRt::records` is `None` otherwise, unless `rows` is set): a
//! scenario without a cache pays one branch per query for this.
//!
//! ## The bound
//!
//! Memory is bounded: the database remembers its last `limit` writes
//! (`VERSION_MEMORY` by default; a key written again replaces its entry, so
//! at most `limit` keys are remembered). Past that it forgets the oldest.
//! Forgetting must not lose a stale read, so:
//!
//! - when a write (k, n) is forgotten, every cache reading this database
//!   marks its entry for k stale if the entry's snapshot is older than n
//!   (`Forgotten` is returned to the caller, which tells the caches). An
//!   entry's staleness is therefore "marked, or k remembered with a version
//!   newer than its snapshot", exactly, for every entry in a cache;
//! - a fill whose read was served before the newest forgotten write
//!   (`snapshot < horizon()`) cannot be checked against what was forgotten
//!   while it travelled; it is marked stale from the start. That takes more
//!   than `limit` writes while one fetch is in flight, and errs towards
//!   counting a stale read, never towards missing one.
//!
//! Keys are looked up in a `HashMap`, never iterated; forgetting follows a
//! FIFO of writes, so the run does not depend on the map's hash seed.

use std::collections::{HashMap, VecDeque};

/// Writes a database remembers by default (a few MB at most).
pub const VERSION_MEMORY: usize = 1 << 16;

/// A forgotten write: the caches' entries for `key` with a snapshot older
/// than `version` are stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forgotten {
    pub key: u64,
    pub version: u64,
}

#[derive(Clone, Debug)]
pub struct Versions {
    /// Writes applied so far: the latest version.
    writes: u64,
    /// Version of each remembered key's last write.
    latest: HashMap<u64, u64>,
    /// The remembered writes, oldest first (a key written twice is here
    /// twice; only its newest entry is in `latest`).
    order: VecDeque<(u64, u64)>,
    /// The newest version forgotten (0: none yet).
    horizon: u64,
    limit: usize,
    /// Cache nodes reading this database directly, to tell of forgotten writes.
    pub readers: Vec<u32>,
}

impl Versions {
    pub fn new(limit: usize) -> Versions {
        Versions {
            writes: 0,
            latest: HashMap::new(),
            order: VecDeque::new(),
            horizon: 0,
            limit: limit.max(1),
            readers: Vec::new(),
        }
    }

    /// Applies a write of `key`: returns its version, and the write
    /// forgotten to make room, if any.
    pub fn write(&mut self, key: u64) -> (u64, Option<Forgotten>) {
        self.writes += 1;
        let version = self.writes;
        (version, self.remember(key, version))
    }

    /// Sets `key` back to `version` (a failover lost its later writes: see
    /// `replication.rs`; never used where caches read). Later writes still
    /// get versions above every one given so far.
    pub fn roll_back(&mut self, key: u64, version: u64) -> Option<Forgotten> {
        self.remember(key, version)
    }

    /// `key`'s version, if remembered (a key never written: none either).
    pub fn latest_of(&self, key: u64) -> Option<u64> {
        self.latest.get(&key).copied()
    }

    fn remember(&mut self, key: u64, version: u64) -> Option<Forgotten> {
        self.latest.insert(key, version);
        self.order.push_back((key, version));
        let mut forgotten = None;
        if self.order.len() > self.limit {
            if let Some((k, v)) = self.order.pop_front() {
                self.horizon = v;
                // Only the key's newest write is in the map; an older one
                // was superseded and forgets nothing.
                if self.latest.get(&k) == Some(&v) {
                    self.latest.remove(&k);
                    forgotten = Some(Forgotten { key: k, version: v });
                }
            }
        }
        forgotten
    }

    /// What a read served now returns: the write count.
    pub fn snapshot(&self) -> u64 {
        self.writes
    }

    /// Whether `key` was written after `snapshot`, as far as remembered
    /// (a forgotten write has been told to the caches; see the module doc).
    #[inline]
    pub fn written_after(&self, key: u64, snapshot: u64) -> bool {
        self.latest.get(&key).is_some_and(|&v| v > snapshot)
    }

    /// The newest forgotten version: a snapshot older than this cannot be
    /// checked against the writes forgotten since.
    pub fn horizon(&self) -> u64 {
        self.horizon
    }

    /// Writes remembered now (at most the limit).
    pub fn remembered(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_bumps_the_version_and_a_snapshot_sees_every_write() {
        let mut v = Versions::new(8);
        assert_eq!(v.snapshot(), 0);
        assert!(!v.written_after(5, 0), "never written: version 0");
        let s0 = v.snapshot();
        assert_eq!(v.write(5).0, 1);
        assert!(v.written_after(5, s0));
        assert!(!v.written_after(5, v.snapshot()));
        assert!(!v.written_after(6, s0), "other keys are untouched");
    }

    #[test]
    fn memory_is_bounded_and_forgetting_reports_the_newest_write_of_a_key() {
        let mut v = Versions::new(3);
        v.write(1); // 1
        v.write(1); // 2: supersedes 1
        v.write(2); // 3
        let (_, f) = v.write(3); // 4: forgets (1, 1), superseded
        assert_eq!(f, None);
        assert!(v.written_after(1, 1), "key 1's newest write (2) is remembered");
        let (_, f) = v.write(4); // 5: forgets (1, 2)
        assert_eq!(f, Some(Forgotten { key: 1, version: 2 }));
        assert!(!v.written_after(1, 0), "forgotten: the caches were told");
        assert_eq!(v.horizon(), 2);
        for k in 0..1_000 {
            v.write(k);
            assert!(v.remembered() <= 3 && v.latest.len() <= 3);
        }
    }
}
