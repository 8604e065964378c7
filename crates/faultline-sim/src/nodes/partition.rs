//! Which shard of a sharded database owns a key.
//!
//! Four schemes, as the usual textbooks and database manuals describe them
//! (M. Kleppmann, *Designing Data-Intensive Applications*, ch. 6; D. Karger et
//! al., "Consistent hashing and random trees", STOC 1997):
//!
//! - `hash`: a mixing hash of the key, mod the shard count. Even spread, but
//!   changing the count from N to N + 1 moves a key unless `h mod N = h mod
//!   (N + 1)`, which holds for about 1/(N + 1) of the hashes: N/(N + 1) of the
//!   keys move.
//! - `consistent`: every shard places `virtual_nodes` points on a 64-bit ring
//!   and a key belongs to the first point at or after its hash. A new shard
//!   takes over only the arcs its own points cut, about 1/(N + 1) of the keys;
//!   each shard's share has a coefficient of variation near 1/sqrt(V).
//! - `range`: contiguous ranges of the key space `0..key_space`, one per shard
//!   in order, the last one open-ended: keys past the key space (new rows with
//!   increasing ids) all land on the last shard, the classic insert hot spot.
//! - `directory`: an explicit table of key ranges to shards. Each entry owns
//!   the keys from its `from` up to the next entry's; an entry naming a shard
//!   beyond the current count (after a shard was removed) wraps around mod the
//!   count. Adding a shard moves nothing until the table is edited.
//!
//! A shard's ring points depend only on its index, so the ring of N + 1
//! shards is the ring of N plus the new shard's points: exactly what makes
//! consistent hashing consistent.

use crate::ring::HashRing;
use crate::rng::mix64;
use crate::scenario::{DirectoryEntry, Partitioning};

/// The key-to-shard map for one shard count.
#[derive(Clone, Debug, PartialEq)]
pub struct Partitioner {
    pub scheme: Partitioning,
    pub shards: u16,
    virtual_nodes: u32,
    /// Keys `0..key_space` are split evenly by `range`.
    key_space: u64,
    /// The shards on a hash ring; `consistent` only.
    ring: HashRing,
    /// (first key, shard), sorted by key; `directory` only.
    directory: Vec<(u64, u16)>,
}

/// Hash of a key for `hash` and `consistent` (its own constant, so a
/// database's shards and a balancer's ring in front of it are unrelated).
fn key_hash(key: u64) -> u64 {
    mix64(key ^ 0x2545_F491_4F6C_DD1D)
}

impl Partitioner {
    pub fn new(
        scheme: Partitioning,
        shards: u16,
        virtual_nodes: u32,
        key_space: u64,
        directory: &[DirectoryEntry],
    ) -> Partitioner {
        let shards = shards.max(1);
        let ring = if scheme == Partitioning::Consistent {
            HashRing::new((0..shards).map(|s| mix64(0x6A09_E667_F3BC_C908 ^ u64::from(s))), virtual_nodes)
        } else {
            HashRing::default()
        };
        let mut directory: Vec<(u64, u16)> = directory.iter().map(|d| (d.from, d.shard)).collect();
        directory.sort_unstable();
        Partitioner { scheme, shards, virtual_nodes, key_space: key_space.max(1), ring, directory }
    }

    /// The same scheme over `shards` shards.
    pub fn with_shards(&self, shards: u16) -> Partitioner {
        let dir: Vec<DirectoryEntry> =
            self.directory.iter().map(|&(from, shard)| DirectoryEntry { from, shard }).collect();
        Partitioner::new(self.scheme, shards, self.virtual_nodes, self.key_space, &dir)
    }

    /// The shard that owns `key`.
    #[inline]
    pub fn owner(&self, key: u64) -> u16 {
        let n = self.shards;
        if n == 1 {
            return 0;
        }
        match self.scheme {
            Partitioning::Hash => (key_hash(key) % u64::from(n)) as u16,
            Partitioning::Consistent => self.ring.owner(key_hash(key)).unwrap_or(0) as u16,
            Partitioning::Range => {
                if key >= self.key_space {
                    n - 1
                } else {
                    ((u128::from(key) * u128::from(n)) / u128::from(self.key_space)) as u16
                }
            }
            Partitioning::Directory => {
                let i = self.directory.partition_point(|&(from, _)| from <= key);
                let shard = if i == 0 { 0 } else { self.directory[i - 1].1 };
                shard % n
            }
        }
    }

    /// The share of a fixed sample of keys (`0..sample`, spread evenly over
    /// the key space) whose owner differs between `self` and `other`.
    pub fn moved_share(&self, other: &Partitioner, sample: u64) -> f64 {
        let sample = sample.max(1);
        let step = (self.key_space / sample).max(1);
        let moved = (0..sample).filter(|&i| self.owner(i * step) != other.owner(i * step)).count();
        moved as f64 / sample as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(scheme: Partitioning, n: u16) -> Partitioner {
        Partitioner::new(scheme, n, 100, 1_000_000, &[])
    }

    #[test]
    fn every_key_has_an_owner_in_range() {
        for scheme in [Partitioning::Hash, Partitioning::Consistent, Partitioning::Range] {
            let q = p(scheme, 7);
            for k in (0..2_000_000u64).step_by(997) {
                assert!(q.owner(k) < 7, "{scheme:?} {k}");
            }
        }
    }

    #[test]
    fn one_shard_owns_everything() {
        for scheme in [Partitioning::Hash, Partitioning::Consistent, Partitioning::Range, Partitioning::Directory] {
            assert_eq!(p(scheme, 1).owner(12345), 0);
        }
    }

    #[test]
    fn range_is_contiguous_and_open_ended() {
        let q = p(Partitioning::Range, 4);
        assert_eq!(q.owner(0), 0);
        assert_eq!(q.owner(249_999), 0);
        assert_eq!(q.owner(250_000), 1);
        assert_eq!(q.owner(999_999), 3);
        assert_eq!(q.owner(u64::MAX), 3);
    }

    #[test]
    fn directory_looks_up_ranges_and_wraps_removed_shards() {
        let dir = [
            DirectoryEntry { from: 0, shard: 2 },
            DirectoryEntry { from: 100, shard: 0 },
            DirectoryEntry { from: 500, shard: 3 },
        ];
        let q = Partitioner::new(Partitioning::Directory, 4, 0, 1000, &dir);
        assert_eq!(
            (q.owner(0), q.owner(99), q.owner(100), q.owner(499), q.owner(500), q.owner(9999)),
            (2, 2, 0, 0, 3, 3)
        );
        let fewer = q.with_shards(3);
        assert_eq!(fewer.owner(600), 0, "shard 3 of 3 wraps to 0");
        assert_eq!(q.moved_share(&q.with_shards(5), 1000), 0.0, "adding a shard moves nothing");
    }

    #[test]
    fn adding_a_consistent_shard_moves_keys_only_to_it() {
        let a = p(Partitioning::Consistent, 8);
        let b = a.with_shards(9);
        for k in 0..50_000u64 {
            let (x, y) = (a.owner(k), b.owner(k));
            assert!(x == y || y == 8, "key {k} moved from {x} to {y}");
        }
    }
}
