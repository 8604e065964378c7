//! A consistent-hash ring: each owner places `virtual_nodes` points on a
//! 64-bit circle, and a hash belongs to the first point at or after it
//! (wrapping). Owners' points depend only on their own base value, so adding
//! an owner moves only the hashes that now fall before its points (about
//! 1/(N+1) of them), and with V points each an owner's share varies with a
//! coefficient of variation near 1/sqrt(V) (Karger et al., STOC 1997).
//!
//! Shared by the load balancer's `consistent_hash` and the sharded
//! database's `consistent` partitioning.

use crate::rng::mix64;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HashRing {
    /// (point, owner index), sorted.
    points: Vec<(u64, u32)>,
}

impl HashRing {
    /// Owner `i` (in iteration order) is placed by `bases[i]`.
    pub fn new(bases: impl IntoIterator<Item = u64>, virtual_nodes: u32) -> HashRing {
        let mut points = Vec::new();
        for (owner, base) in bases.into_iter().enumerate() {
            for v in 0..virtual_nodes.max(1) {
                points.push((mix64(base ^ mix64(u64::from(v))), owner as u32));
            }
        }
        points.sort_unstable();
        HashRing { points }
    }

    /// The owners clockwise from `hash`: the owner of `hash` first, then the
    /// owners of the following points (an owner repeats once per point).
    pub fn clockwise(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let start = self.points.partition_point(|&(p, _)| p < hash);
        let n = self.points.len();
        (0..n).map(move |k| self.points[(start + k) % n].1)
    }

    /// The owner of `hash`; `None` on an empty ring.
    #[inline]
    pub fn owner(&self, hash: u64) -> Option<u32> {
        self.clockwise(hash).next()
    }
}
