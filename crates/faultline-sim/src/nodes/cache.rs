//! A read-through cache in front of a backing store (its one outgoing edge,
//! usually a database).
//!
//! A read arrives and is looked up (the lookup time); a hit is answered at
//! once, a miss is fetched from the backing store over the cache's edge, the
//! entry is filled when that answers successfully, and the answer is relayed
//! as it came (a failed fetch fills nothing). Writes (PUT, POST, DELETE) are
//! write-around with invalidation: the key is deleted and the write goes
//! through to the backing store, so the next read fetches the new value.
//! This model does not track versions: a read whose fetch was in flight
//! while a write deleted its key still fills what it read.
//!
//! With `coalesce` (single-flight), a miss on a key whose fetch is already
//! in flight waits for that fetch instead of making its own, so an expired
//! hot key costs the backing store one query, not one per request that
//! arrives before the refill (the cache stampede).
//!
//! A crash empties it: it restarts cold. Entries and eviction live in
//! `store`.

mod store;

pub use store::{Lookup, Store};

use super::Behaviour;
use crate::calls::{Outcome, Req};
use crate::dist::Sampler;
use crate::rng::SimRng;
use crate::scenario::{CacheConfig, Method};
use crate::sim::{Sim, WINDOW_US};
use crate::time::ms_to_micros;
use std::collections::HashMap;

/// A cache's counters, over the whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    /// Reads not found, including expired entries.
    pub misses: u64,
    /// Of the misses, entries found past their TTL.
    pub expired: u64,
    /// Entries evicted to make room.
    pub evictions: u64,
    /// Reads sent to the backing store (misses, less coalesced ones).
    pub fetches: u64,
    /// Misses that waited for a fetch already in flight (single-flight).
    pub coalesced: u64,
    /// Writes that invalidated their key and went through.
    pub writes: u64,
}

#[derive(Clone, Debug)]
pub struct CacheRt {
    pub store: Store,
    pub lookup_time: Sampler,
    /// The edge to the backing store.
    pub backend: u32,
    pub coalesce: bool,
    /// Keys being fetched, with the reads waiting for them (single-flight only).
    pub fetching: HashMap<u64, Vec<u32>>,
    pub stats: CacheStats,
    /// Hits and misses in the current one-second window, which starts at
    /// `window_start_us`, and the hit ratio of the last closed one.
    window_start_us: u64,
    window: (u64, u64),
    last_ratio: Option<f64>,
}

impl CacheRt {
    pub fn new(cfg: &CacheConfig, backend: u32, eviction_rng: SimRng) -> CacheRt {
        CacheRt {
            store: Store::new(cfg.eviction, cfg.capacity, cfg.ttl_ms.map(ms_to_micros), eviction_rng),
            lookup_time: cfg.lookup_time.sampler(),
            backend,
            coalesce: cfg.coalesce,
            fetching: HashMap::new(),
            stats: CacheStats::default(),
            window_start_us: 0,
            window: (0, 0),
            last_ratio: None,
        }
    }

    pub fn work_time(&self, rng: &mut SimRng, slow: f64) -> u64 {
        self.lookup_time.sample_scaled(rng, slow)
    }

    /// Hits over hits and misses, the whole run; 0 before any read.
    pub fn hit_ratio(&self) -> f64 {
        ratio(self.stats.hits, self.stats.misses)
    }

    /// Counts a read's lookup at `now_us`, closing the view's window when a
    /// second has passed.
    fn count(&mut self, hit: bool, now_us: u64) {
        if now_us >= self.window_start_us + WINDOW_US {
            self.last_ratio = Some(ratio(self.window.0, self.window.1));
            self.window = (0, 0);
            self.window_start_us = now_us - now_us % WINDOW_US;
        }
        if hit {
            self.stats.hits += 1;
            self.window.0 += 1;
        } else {
            self.stats.misses += 1;
            self.window.1 += 1;
        }
    }

    /// A crash: every entry is lost, and the fetches in flight with it (the
    /// core has failed the reads that waited for them).
    pub fn crash(&mut self) {
        self.store.clear();
        self.fetching.clear();
    }

    /// The hit ratio on the card: of the last closed second, or of the run
    /// so far before one has closed.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        v.cache_hit_ratio = Some(self.last_ratio.unwrap_or_else(|| self.hit_ratio()));
    }

    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        let s = self.stats;
        r.cache = Some(crate::report::CacheReport {
            hits: s.hits,
            misses: s.misses,
            hit_ratio: self.hit_ratio(),
            evictions: s.evictions,
            expired: s.expired,
            fetches: s.fetches,
            coalesced: s.coalesced,
            writes: s.writes,
            entries: self.store.len(),
        });
    }
}

fn ratio(hits: u64, misses: u64) -> f64 {
    if hits + misses == 0 {
        0.0
    } else {
        hits as f64 / (hits + misses) as f64
    }
}

fn cache_mut(sim: &mut Sim, node: usize) -> &mut CacheRt {
    match &mut sim.nodes[node].behaviour {
        Behaviour::Cache(c) => c,
        _ => unreachable!("node {node} is not a cache"),
    }
}

fn is_write(sim: &Sim, op: u16) -> bool {
    sim.ops[usize::from(op).min(sim.ops.len() - 1)].method != Method::Get
}

/// A call arrives: the lookup starts at once (a cache has no pool to wait
/// for; its lookup time is the whole of its work).
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    sim.nodes[node].in_flight += 1;
    sim.start_work(node, idx);
}

/// The lookup is done: answer a hit, fetch a miss, pass a write through.
pub(crate) fn work_done(sim: &mut Sim, node: usize, idx: u32, op: u16, req: Req) {
    let now = sim.now().0;
    let key = req.key;
    let write = is_write(sim, op);
    let c = cache_mut(sim, node);
    let backend = c.backend;
    if write {
        c.store.remove(key);
        c.stats.writes += 1;
        return sim.send(req, idx, backend);
    }
    let found = c.store.get(key, now);
    c.count(found == Lookup::Hit, now);
    match found {
        Lookup::Hit => sim.finish(node, idx, Outcome::Ok),
        Lookup::Miss | Lookup::Expired => {
            if found == Lookup::Expired {
                c.stats.expired += 1;
            }
            if c.coalesce {
                if let Some(waiting) = c.fetching.get_mut(&key) {
                    waiting.push(idx);
                    c.stats.coalesced += 1;
                    return;
                }
                // Registered before sending: a fetch refused at once (an open
                // breaker) answers before `send` returns.
                c.fetching.insert(key, Vec::new());
            }
            c.stats.fetches += 1;
            sim.send(req, idx, backend);
        }
    }
}

/// The backing store answered the call made for `parent`: a successful read
/// fills the entry; the answer is relayed to the reader and to every read
/// that waited for the same fetch.
pub(crate) fn child_done(sim: &mut Sim, node: usize, parent: u32, outcome: Outcome) {
    let now = sim.now().0;
    let p = sim.calls.at(parent);
    let (key, op) = (p.key, p.op);
    if is_write(sim, op) {
        return sim.finish(node, parent, outcome);
    }
    let c = cache_mut(sim, node);
    // A fallback's degraded answer is not the data: it is not cached.
    if outcome == Outcome::Ok && c.store.fill(key, now) {
        c.stats.evictions += 1;
    }
    let waiting = if c.coalesce { c.fetching.remove(&key).unwrap_or_default() } else { Vec::new() };
    sim.finish(node, parent, outcome);
    for w in waiting {
        sim.finish(node, w, outcome);
    }
}
