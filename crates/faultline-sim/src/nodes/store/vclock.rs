//! Version vectors (vector clocks) for an AP store that keeps siblings.
//!
//! Last-writer-wins orders every pair of writes by a timestamp, so of two
//! concurrent writes one is silently dropped (and, with skewed clocks, even
//! a later write can lose to an earlier one). Dynamo (DeCandia et al., SOSP
//! 2007) and Riak instead give each version a vector of per-replica
//! counters: a version that another's vector dominates is in its causal
//! past and can be discarded; two versions neither of which dominates the
//! other are concurrent, and both are kept as siblings for the next
//! writer (the application) to merge.
//!
//! A vector has one counter per replica, at most `MAX_STORE_REPLICAS`, held
//! inline so a version stays `Copy` and comparing two costs no allocation.

use crate::scenario::MAX_STORE_REPLICAS;

const LEN: usize = MAX_STORE_REPLICAS as usize;

/// A version vector: `c[i]` counts the writes replica i coordinated that
/// this version has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct VClock {
    pub c: [u32; LEN],
}

/// How two versions relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Equal,
    /// The first has seen everything the second has, and more.
    Dominates,
    /// The second dominates the first.
    Dominated,
    /// Neither has seen all of the other: siblings.
    Concurrent,
}

impl VClock {
    /// `self >= other` entry by entry: `other` is in `self`'s causal past
    /// (or equal).
    pub fn descends(&self, other: &VClock) -> bool {
        self.c.iter().zip(&other.c).all(|(a, b)| a >= b)
    }

    pub fn compare(&self, other: &VClock) -> Order {
        match (self.descends(other), other.descends(self)) {
            (true, true) => Order::Equal,
            (true, false) => Order::Dominates,
            (false, true) => Order::Dominated,
            (false, false) => Order::Concurrent,
        }
    }

    /// The least vector that descends from both (entry-wise maximum).
    pub fn join(&self, other: &VClock) -> VClock {
        let mut c = self.c;
        for (a, b) in c.iter_mut().zip(&other.c) {
            *a = (*a).max(*b);
        }
        VClock { c }
    }
}

/// One sibling: a value with its version vector, and its coordinator's
/// timestamp (only to pick a single value for the history and the
/// stale-read count, never to resolve).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sib {
    pub clock: VClock,
    pub value: i64,
    pub stamp: super::Version,
}

/// Adds `s` to a sibling set: dropped if a sibling already descends from
/// it, else it replaces the siblings it dominates and joins the rest.
/// Returns whether the set now holds concurrent versions that `s` is one of.
pub fn merge_into(set: &mut Vec<Sib>, s: Sib) -> bool {
    if set.iter().any(|x| x.clock.descends(&s.clock)) {
        return false;
    }
    set.retain(|x| !s.clock.descends(&x.clock));
    set.push(s);
    set.len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(entries: &[u32]) -> VClock {
        let mut c = [0; LEN];
        c[..entries.len()].copy_from_slice(entries);
        VClock { c }
    }

    fn sib(entries: &[u32], value: i64) -> Sib {
        Sib { clock: v(entries), value, stamp: super::super::Version::default() }
    }

    #[test]
    fn dominance_and_concurrency_by_hand() {
        assert_eq!(v(&[1, 0]).compare(&v(&[1, 0])), Order::Equal);
        assert_eq!(v(&[2, 1]).compare(&v(&[1, 1])), Order::Dominates);
        assert_eq!(v(&[1, 1]).compare(&v(&[2, 1])), Order::Dominated);
        // The shopping cart of the Dynamo paper: Sx then Sy and Sz on
        // different replicas are concurrent; Sx's descendant merges them.
        let (sx, sy, sz) = (v(&[2]), v(&[2, 1]), v(&[2, 0, 1]));
        assert_eq!(sy.compare(&sz), Order::Concurrent);
        assert_eq!(sy.compare(&sx), Order::Dominates);
        let merged = VClock {
            c: {
                let mut c = sy.join(&sz).c;
                c[0] += 1;
                c
            },
        };
        assert_eq!(merged.c[..3], [3, 1, 1]);
        assert_eq!(merged.compare(&sy), Order::Dominates);
        assert_eq!(merged.compare(&sz), Order::Dominates);
    }

    #[test]
    fn a_sibling_set_keeps_concurrent_versions_and_drops_ancestors() {
        let mut set = vec![];
        assert!(!merge_into(&mut set, sib(&[1], 1)));
        assert!(!merge_into(&mut set, sib(&[2], 2)), "a descendant replaces its ancestor");
        assert_eq!(set, vec![sib(&[2], 2)]);
        assert!(merge_into(&mut set, sib(&[1, 1], 3)), "concurrent: both kept");
        assert_eq!(set.len(), 2);
        assert!(!merge_into(&mut set, sib(&[1], 1)), "an ancestor arriving late is dropped");
        assert_eq!(set.len(), 2);
        assert!(!merge_into(&mut set, sib(&[3, 1], 4)), "a write that saw both merges them");
        assert_eq!(set, vec![sib(&[3, 1], 4)]);
    }

    fn clock() -> impl Strategy<Value = VClock> {
        proptest::collection::vec(0u32..4, 4).prop_map(|e| v(&e))
    }

    proptest! {
        /// The comparison is the entry-wise partial order: antisymmetric,
        /// transitive, consistent in both directions, and join is the least
        /// upper bound.
        #[test]
        fn the_order_is_a_partial_order_and_join_its_least_upper_bound(a in clock(), b in clock(), x in clock()) {
            let flip = |o: Order| match o {
                Order::Dominates => Order::Dominated,
                Order::Dominated => Order::Dominates,
                o => o,
            };
            prop_assert_eq!(a.compare(&b), flip(b.compare(&a)));
            prop_assert_eq!(a.compare(&b) == Order::Equal, a == b);
            let concurrent = a.c.iter().zip(&b.c).any(|(p, q)| p > q) && a.c.iter().zip(&b.c).any(|(p, q)| p < q);
            prop_assert_eq!(a.compare(&b) == Order::Concurrent, concurrent);
            if a.descends(&b) && b.descends(&x) {
                prop_assert!(a.descends(&x));
            }
            let j = a.join(&b);
            prop_assert!(j.descends(&a) && j.descends(&b));
            if x.descends(&a) && x.descends(&b) {
                prop_assert!(x.descends(&j));
            }
        }

        /// Whatever order versions arrive in, a set ends as exactly the
        /// maximal versions among them (no ancestor kept, no maximal lost).
        #[test]
        fn a_sibling_set_ends_as_the_maximal_versions(clocks in proptest::collection::vec(clock(), 1..8)) {
            let mut set = vec![];
            for (i, c) in clocks.iter().enumerate() {
                merge_into(&mut set, Sib { clock: *c, value: i as i64, stamp: Default::default() });
            }
            let mut maximal: Vec<VClock> = clocks
                .iter()
                .filter(|c| !clocks.iter().any(|d| d.compare(c) == Order::Dominates))
                .copied()
                .collect();
            maximal.sort();
            maximal.dedup();
            let mut got: Vec<VClock> = set.iter().map(|s| s.clock).collect();
            got.sort();
            prop_assert_eq!(got, maximal);
        }
    }
}
