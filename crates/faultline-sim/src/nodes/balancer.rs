//! Load balancing: which backend gets the next call.
//!
//! The balancer sees its backends only as indices with a count of calls in
//! flight and a health flag; the simulator supplies both. Consistent hashing
//! places `virtual_nodes` points per backend on a 64-bit ring, so each
//! backend's share of keys has a coefficient of variation near 1/sqrt(V), and
//! removing a backend moves only the keys it owned.
//!
//! Plain consistent hashing keeps a key on its backend however hot the key
//! is, so one hot key can overload one backend while the others idle. With
//! bounded loads (Mirrokni, Thorup and Zadimoghaddam, "Consistent Hashing
//! with Bounded Loads", SODA 2018; HAProxy's and Envoy's
//! `hash_balance_factor`), a backend may take a call only while it holds
//! fewer than ceil(c x (m + 1) / n) calls in flight, c the factor, m the
//! calls in flight over the n healthy backends, the `+ 1` the call being
//! placed; a call whose backend is full walks clockwise to the first one
//! under the bound (HAProxy's walk; Envoy probes hosts in an order the hash
//! seeds, which spreads a hot key's overflow over more backends). Since
//! c >= 1 the bounds add up to more than m, so one always has room. The bound
//! holds when a call is placed (calls leaving other backends can leave one
//! above it for a while), and rounding up lets a backend hold well over c
//! times the average when few calls are in flight (m = 3 over 4 backends:
//! a bound of 2). A key leaves its own backend only while that one is full
//! (the `spilled` count).

use super::Behaviour;
use crate::calls::{FailReason, Outcome, Phase};
use crate::ring::HashRing;
use crate::rng::{below, fnv1a, mix64, SimRng, FNV_OFFSET};
use crate::scenario::{Balancing, LoadBalancerConfig};
use crate::sim::Sim;

/// Health-check bookkeeping for one backend.
#[derive(Clone, Debug, Default)]
pub struct Health {
    pub healthy: bool,
    pub fails: u32,
    pub passes: u32,
    /// Number of the latest probe sent (see `sim::probes`).
    pub probe_seq: u32,
    /// The latest probe is still unanswered.
    pub probing: bool,
}

#[derive(Clone, Debug)]
pub struct BalancerRt {
    pub algorithm: Balancing,
    /// Outgoing edge of each backend, in scenario order (so sorted).
    pub backends: Vec<u32>,
    pub health: Vec<Health>,
    pub check_interval_us: u64,
    /// How long a probe may take before it counts as failed (at most the interval).
    pub probe_timeout_us: u64,
    pub unhealthy_threshold: u32,
    pub healthy_threshold: u32,
    next: u32,
    /// Backends on a hash ring (`consistent_hash` only; empty otherwise).
    ring: HashRing,
    /// The bounded-load factor in percent (`consistent_hash` only).
    balance_factor: Option<u32>,
    /// Calls the bound sent past their key's own backend.
    pub spilled: u64,
    /// Calls placed under the bound (the share's denominator on the card).
    placed: u64,
}

/// Hash of a key onto the ring.
pub fn ring_hash(key: u64) -> u64 {
    mix64(key ^ 0x5851_F42D_4C95_7F2D)
}

impl BalancerRt {
    /// `backend_ids` names each backend (the stable input to its ring points).
    pub fn new(cfg: &LoadBalancerConfig, backends: Vec<u32>, backend_ids: &[&str]) -> BalancerRt {
        let ring = if cfg.algorithm == Balancing::ConsistentHash {
            HashRing::new(backend_ids.iter().map(|id| fnv1a(FNV_OFFSET, id.as_bytes())), cfg.virtual_nodes)
        } else {
            HashRing::default()
        };
        debug_assert!(backends.windows(2).all(|w| w[0] < w[1]), "backends in edge order");
        let n = backends.len();
        let check_interval_us = cfg.health_check_interval_ms.saturating_mul(1_000);
        let timeout_us = cfg.health_check_timeout_ms.map_or(check_interval_us, |t| t.saturating_mul(1_000));
        BalancerRt {
            algorithm: cfg.algorithm,
            backends,
            health: vec![Health { healthy: true, ..Health::default() }; n],
            check_interval_us,
            // A probe still out when the next is due has failed; and one that
            // cannot take any time at all would fail every backend.
            probe_timeout_us: timeout_us.clamp(1, check_interval_us.max(1)),
            unhealthy_threshold: cfg.unhealthy_threshold,
            healthy_threshold: cfg.healthy_threshold,
            next: 0,
            ring,
            // Below 100 the bounds could add up to less than the load and no
            // backend take the call (validation refuses it).
            balance_factor: cfg.hash_balance_factor.inspect(|&f| debug_assert!(f >= 100, "factor {f} under 100")),
            spilled: 0,
            placed: 0,
        }
    }

    /// Picks a healthy backend (its index), given the calls in flight to each.
    /// `None` when no backend is healthy.
    pub fn pick(&mut self, key: u64, outstanding: impl Fn(usize) -> u32, rng: &mut SimRng) -> Option<usize> {
        let n = self.health.len();
        let healthy = self.health.iter().filter(|h| h.healthy).count();
        if healthy == 0 {
            return None;
        }
        let nth_healthy = |k: usize| self.health.iter().enumerate().filter(|(_, h)| h.healthy).nth(k).map(|(i, _)| i);
        match self.algorithm {
            Balancing::RoundRobin => {
                for _ in 0..n {
                    let i = self.next as usize % n;
                    self.next = self.next.wrapping_add(1);
                    if self.health[i].healthy {
                        return Some(i);
                    }
                }
                None
            }
            Balancing::Random => nth_healthy(below(rng, healthy as u32) as usize),
            Balancing::LeastOutstanding => {
                (0..n).filter(|&i| self.health[i].healthy).min_by_key(|&i| (outstanding(i), i))
            }
            Balancing::PowerOfTwo => {
                let a = nth_healthy(below(rng, healthy as u32) as usize)?;
                if healthy == 1 {
                    return Some(a);
                }
                // A second, distinct choice.
                let mut k = below(rng, healthy as u32 - 1) as usize;
                let a_rank = self.health[..a].iter().filter(|h| h.healthy).count();
                if k >= a_rank {
                    k += 1;
                }
                let b = nth_healthy(k)?;
                Some(if outstanding(b) < outstanding(a) { b } else { a })
            }
            Balancing::ConsistentHash => {
                let mut owners = self.ring.clockwise(ring_hash(key)).map(|b| b as usize);
                let home = owners.find(|&b| self.health[b].healthy)?;
                let Some(factor) = self.balance_factor else {
                    return Some(home);
                };
                let bound = load_bound(factor, (0..n).filter(|&i| self.health[i].healthy).map(&outstanding));
                self.placed += 1;
                if outstanding(home) < bound {
                    return Some(home);
                }
                self.spilled += 1;
                // The walk goes on from the home backend's point; some healthy
                // backend is under the bound, so it ends within one turn.
                let pick = owners.find(|&b| self.health[b].healthy && outstanding(b) < bound);
                debug_assert!(pick.is_some(), "a healthy backend is always under the bound");
                pick
            }
        }
    }

    /// Backends and how many are healthy, on the balancer's card.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        v.backends = self.backends.len() as u32;
        v.healthy_backends = self.health.iter().filter(|h| h.healthy).count() as u32;
        v.spilled = self.bounded().then_some((self.spilled, self.placed));
    }

    /// Its calls sent past their key's own backend, in the run report.
    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        r.spilled = self.bounded().then_some(self.spilled);
    }

    /// Consistent hashing with a load bound.
    fn bounded(&self) -> bool {
        self.algorithm == Balancing::ConsistentHash && self.balance_factor.is_some()
    }

    /// Records one health-check result; returns true when the backend's health flipped.
    pub fn observe(&mut self, backend: usize, passed: bool) -> bool {
        let h = &mut self.health[backend];
        if passed {
            h.fails = 0;
            h.passes += 1;
            if !h.healthy && h.passes >= self.healthy_threshold {
                h.healthy = true;
                return true;
            }
        } else {
            h.passes = 0;
            h.fails += 1;
            if h.healthy && h.fails >= self.unhealthy_threshold {
                h.healthy = false;
                return true;
            }
        }
        false
    }
}

/// The bound a backend's calls in flight must be under to take a new call,
/// with the factor in percent and `loads` the calls in flight at each healthy
/// backend: ceil(factor/100 x (sum + 1) / healthy), the `+ 1` for the call
/// being placed (Mirrokni et al.'s capacity, rounded up per backend as Envoy
/// does; HAProxy rounds the total up and splits it). Panics on no backends.
pub fn load_bound(factor: u32, loads: impl Iterator<Item = u32>) -> u32 {
    let (total, healthy) = loads.fold((0u64, 0u64), |(t, n), l| (t + u64::from(l), n + 1));
    assert!(healthy > 0, "a bound over no backends");
    let den = 100 * healthy;
    let bound = (u64::from(factor) * (total + 1)).div_ceil(den);
    bound.min(u64::from(u32::MAX)) as u32
}

/// A call arrives: it is forwarded to a healthy backend.
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    sim.nodes[node].add_in_flight(1);
    let n = &mut sim.nodes[node];
    let Behaviour::Balancer(lb) = &mut n.behaviour else {
        return;
    };
    let edges = &sim.edges;
    let key = sim.calls.at(idx).key;
    // The backends are lent to the picker's closure while the balancer is
    // borrowed for its round-robin cursor: taken out and put back, no copy.
    let backends = std::mem::take(&mut lb.backends);
    let pick = lb.pick(key, |b| edges[backends[b] as usize].in_flight, &mut n.rng);
    lb.backends = backends;
    match pick {
        Some(b) => {
            let edge = lb.backends[b];
            let call = sim.calls.at_mut(idx);
            call.phase = Phase::Working;
            let req = call.req_next_hop();
            sim.send(req, idx, edge);
        }
        // No healthy backend: 503.
        None => sim.finish(node, idx, Outcome::Failed(FailReason::Rejected)),
    }
}

/// The backend's answer: relayed as it is.
pub(crate) fn child_done(sim: &mut Sim, node: usize, parent: u32, outcome: Outcome) {
    sim.finish(node, parent, outcome);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, StreamKind};

    fn lb(algorithm: Balancing, n: usize, v: u32) -> BalancerRt {
        let ids: Vec<String> = (0..n).map(|i| format!("backend-{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let cfg = LoadBalancerConfig { algorithm, virtual_nodes: v, ..Default::default() };
        BalancerRt::new(&cfg, (0..n as u32).collect(), &refs)
    }

    #[test]
    fn round_robin_cycles_and_skips_unhealthy() {
        let mut b = lb(Balancing::RoundRobin, 3, 1);
        let mut r = stream(1, StreamKind::Node, 0);
        let picks: Vec<_> = (0..6).map(|_| b.pick(0, |_| 0, &mut r).unwrap()).collect();
        assert_eq!(picks, vec![0, 1, 2, 0, 1, 2]);
        b.observe(1, false);
        assert!(b.observe(1, false));
        let picks: Vec<_> = (0..4).map(|_| b.pick(0, |_| 0, &mut r).unwrap()).collect();
        assert!(!picks.contains(&1));
        b.observe(1, true);
        assert!(b.observe(1, true));
        assert!(b.health[1].healthy);
    }

    #[test]
    fn least_outstanding_and_power_of_two_prefer_idle_backends() {
        let mut r = stream(2, StreamKind::Node, 0);
        let load = [5u32, 0, 9];
        let mut b = lb(Balancing::LeastOutstanding, 3, 1);
        assert_eq!(b.pick(0, |i| load[i], &mut r), Some(1));
        let mut b = lb(Balancing::PowerOfTwo, 3, 1);
        // P2C never picks the busiest of three.
        for _ in 0..200 {
            assert_ne!(b.pick(0, |i| load[i], &mut r), Some(2));
        }
    }

    #[test]
    fn nothing_healthy_means_no_pick() {
        let mut b = lb(Balancing::Random, 2, 1);
        let mut r = stream(3, StreamKind::Node, 0);
        for i in 0..2 {
            b.observe(i, false);
            b.observe(i, false);
        }
        assert_eq!(b.pick(0, |_| 0, &mut r), None);
    }

    #[test]
    fn consistent_hash_share_varies_about_one_over_sqrt_v() {
        // With V virtual nodes a backend's share of the ring has a coefficient of
        // variation near 1/sqrt(V) (Karger et al. 1997; Stoica et al., Chord, 2001): ~0.10 at V = 100.
        let (n, v) = (10usize, 100u32);
        let mut b = lb(Balancing::ConsistentHash, n, v);
        let mut r = stream(4, StreamKind::Node, 0);
        let keys = 200_000u64;
        let mut count = vec![0f64; n];
        for k in 0..keys {
            count[b.pick(k, |_| 0, &mut r).unwrap()] += 1.0;
        }
        let mean = keys as f64 / n as f64;
        let cv = (count.iter().map(|c| (c - mean) * (c - mean)).sum::<f64>() / n as f64).sqrt() / mean;
        assert!(cv > 0.03 && cv < 0.2, "cv {cv}");
    }

    #[test]
    fn consistent_hash_moves_only_the_lost_backends_keys() {
        let mut b = lb(Balancing::ConsistentHash, 10, 100);
        let mut r = stream(5, StreamKind::Node, 0);
        let before: Vec<usize> = (0..20_000u64).map(|k| b.pick(k, |_| 0, &mut r).unwrap()).collect();
        b.observe(3, false);
        b.observe(3, false);
        let moved = (0..20_000u64)
            .filter(|&k| {
                let now = b.pick(k, |_| 0, &mut r).unwrap();
                now != before[k as usize]
            })
            .count();
        let owned = before.iter().filter(|&&x| x == 3).count();
        assert_eq!(moved, owned, "only keys of the removed backend move");
    }

    fn bounded(n: usize, factor: u32) -> BalancerRt {
        let ids: Vec<String> = (0..n).map(|i| format!("backend-{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let cfg = LoadBalancerConfig {
            algorithm: Balancing::ConsistentHash,
            virtual_nodes: 100,
            hash_balance_factor: Some(factor),
            ..Default::default()
        };
        BalancerRt::new(&cfg, (0..n as u32).collect(), &refs)
    }

    #[test]
    fn the_load_bound_is_the_papers_capacity() {
        // ceil(c (m + 1) / n): 4 backends with 11 calls in flight, c = 1.25:
        // ceil(1.25 x 12 / 4) = ceil(3.75) = 4; c = 1: ceil(3) = 3.
        assert_eq!(load_bound(125, [5, 3, 2, 1].into_iter()), 4);
        assert_eq!(load_bound(100, [5, 3, 2, 1].into_iter()), 3);
        // Nothing in flight: the first call may go anywhere.
        assert_eq!(load_bound(100, [0, 0].into_iter()), 1);
    }

    #[test]
    fn a_key_keeps_its_backend_while_that_one_is_under_the_bound() {
        let mut plain = lb(Balancing::ConsistentHash, 8, 100);
        let mut b = bounded(8, 125);
        let mut r = stream(6, StreamKind::Node, 0);
        for k in 0..5_000u64 {
            assert_eq!(b.pick(k, |_| 3, &mut r), plain.pick(k, |_| 3, &mut r));
        }
        assert_eq!(b.spilled, 0);
        // Every call full at home spills: the card's share counts them all.
        let load = |i: usize| if i == 0 { 9 } else { 0 };
        let homes = (0..1_000u64).filter(|&k| plain.pick(k, |_| 0, &mut r) == Some(0)).count() as u64;
        for k in 0..1_000u64 {
            assert_ne!(b.pick(k, load, &mut r), Some(0), "backend 0 is over the bound");
        }
        let mut v = crate::view::NodeView::default();
        b.fill_view(&mut v);
        assert_eq!(v.spilled, Some((homes, 6_000)));
        let mut plain_view = crate::view::NodeView::default();
        plain.fill_view(&mut plain_view);
        assert_eq!(plain_view.spilled, None);
    }

    /// Calls that never leave, placed one by one with every key the same hot
    /// one or drawn from a few: the paper's static guarantee, checked after
    /// every placement.
    fn place(n: usize, factor: u32, calls: u64, key: impl Fn(u64) -> u64) -> Vec<u32> {
        let mut b = bounded(n, factor);
        let mut r = stream(7, StreamKind::Node, 0);
        let mut load = vec![0u32; n];
        for i in 0..calls {
            let bound = load_bound(factor, load.iter().copied());
            let pick = b.pick(key(i), |x| load[x], &mut r).expect("some backend is under the bound");
            assert!(load[pick] < bound, "backend {pick} at {} with bound {bound}", load[pick]);
            load[pick] += 1;
            let m = load.iter().map(|&l| u64::from(l)).sum::<u64>();
            let cap = (u64::from(factor) * m).div_ceil(100 * n as u64);
            assert!(u64::from(*load.iter().max().unwrap()) <= cap, "max load over ceil(c m / n)");
        }
        load
    }

    #[test]
    fn one_hot_key_never_fills_a_backend_past_the_bound() {
        // Every call the same key: plain hashing puts all 1,000 on one
        // backend; with c = 1.25 none holds more than ceil(1.25 x 1000 / 5).
        let load = place(5, 125, 1_000, |_| 42);
        assert!(load.iter().all(|&l| l <= 250), "{load:?}");
        assert_eq!(load.iter().sum::<u32>(), 1_000);
        // At c = 1 the loads end perfectly even.
        let load = place(5, 100, 1_000, |_| 42);
        assert_eq!(load, vec![200; 5]);
    }

    proptest::proptest! {
        #[test]
        fn no_backend_passes_the_bound(
            n in 1usize..12,
            factor in 100u32..400,
            keys in 1u64..50,
            seed in 0u64..1_000,
        ) {
            place(n, factor, 300, |i| mix64(seed ^ (i % keys)));
        }

        #[test]
        fn a_spilled_call_skips_only_full_backends(
            loads in proptest::collection::vec(0u32..20, 2..10),
            factor in 100u32..300,
            key in 0u64..u64::MAX,
        ) {
            let n = loads.len();
            let mut b = bounded(n, factor);
            let mut r = stream(8, StreamKind::Node, 0);
            let bound = load_bound(factor, loads.iter().copied());
            let pick = b.pick(key, |x| loads[x], &mut r).unwrap();
            proptest::prop_assert!(loads[pick] < bound);
            // Every backend met on the walk before the pick is full.
            for owner in b.ring.clockwise(ring_hash(key)).map(|o| o as usize) {
                if owner == pick {
                    break;
                }
                proptest::prop_assert!(loads[owner] >= bound);
            }
        }

        #[test]
        fn the_bound_counts_only_healthy_backends(
            loads in proptest::collection::vec(0u32..20, 2..10),
            down in proptest::collection::vec(proptest::bool::weighted(0.3), 10),
            factor in 100u32..300,
            key in 0u64..u64::MAX,
        ) {
            let n = loads.len();
            let mut b = bounded(n, factor);
            for (i, &d) in down.iter().take(n).enumerate() {
                if d {
                    b.observe(i, false);
                    b.observe(i, false);
                }
            }
            let healthy: Vec<usize> = (0..n).filter(|&i| b.health[i].healthy).collect();
            let mut r = stream(9, StreamKind::Node, 0);
            let pick = b.pick(key, |x| loads[x], &mut r);
            if healthy.is_empty() {
                proptest::prop_assert_eq!(pick, None);
                return Ok(());
            }
            // The bound is over the healthy backends' loads alone: the calls a
            // dead backend still holds neither raise it nor count as room.
            let bound = load_bound(factor, healthy.iter().map(|&i| loads[i]));
            let pick = pick.expect("a healthy backend is under the bound");
            proptest::prop_assert!(b.health[pick].healthy && loads[pick] < bound, "pick {} bound {}", pick, bound);
            for owner in b.ring.clockwise(ring_hash(key)).map(|o| o as usize) {
                if owner == pick {
                    break;
                }
                proptest::prop_assert!(!b.health[owner].healthy || loads[owner] >= bound);
            }
        }
    }
}
