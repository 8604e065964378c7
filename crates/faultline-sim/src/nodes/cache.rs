//! A read-through cache in front of a backing store (its one outgoing edge,
//! usually a database).
//!
//! A read arrives and is looked up (the lookup time); a hit is answered at
//! once, a miss is fetched from the backing store over the cache's edge, the
//! entry is filled when that answers successfully, and the answer is relayed
//! as it came (a failed fetch fills nothing). Writes (PUT, POST, DELETE) are
//! write-around with invalidation: the key is deleted and the write goes
//! through to the backing store, so the next read fetches the new value.
//!
//! Versions and stale reads: when the backing store is a database, it keeps
//! a version per key (`versions.rs`) and answers every query with its
//! snapshot (its write count); the entry keeps the snapshot it was filled
//! from. A hit on an entry whose key the database has written since is a
//! *stale read* (`stale_reads`): the cache served an older value than the
//! system of record held at that moment. Nothing is scripted: the classic
//! invalidation race (a slow read misses and reads v1, a write makes v2 and
//! deletes the key, then the read fills v1) leaves such an entry, and every
//! hit on it counts until its TTL, an eviction or the next write removes it.
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

use super::versions::{Forgotten, Versions, VERSION_MEMORY};
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
    /// Hits that served a value older than the database's at that moment.
    pub stale_reads: u64,
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
    /// The database behind the backing edge, when it keeps versions (the
    /// backing store is a database); `None`: no staleness is tracked.
    pub db: Option<u32>,
    /// The database's snapshot for each of this cache's calls it served,
    /// by the call they were made for (taken when the answer comes back).
    answers: HashMap<u32, u64>,
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
            db: None,
            answers: HashMap::new(),
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
        self.answers.clear();
    }

    /// The hit ratio on the card: of the last closed second, or of the run
    /// so far before one has closed.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        v.cache_hit_ratio = Some(self.last_ratio.unwrap_or_else(|| self.hit_ratio()));
        v.cache_stale_reads = self.db.map(|_| self.stats.stale_reads);
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
            stale_reads: s.stale_reads,
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

/// The versions of the database behind `db`.
fn versions(sim: &Sim, db: Option<u32>) -> Option<&Versions> {
    match &sim.nodes[db? as usize].behaviour {
        Behaviour::Database(d) => d.versions.as_deref(),
        _ => None,
    }
}

/// Has the database written `key` since the snapshot of the entry hit?
fn stale_hit(sim: &Sim, node: usize, key: u64) -> bool {
    let Behaviour::Cache(c) = &sim.nodes[node].behaviour else { return false };
    let (Some(v), Some((snapshot, marked))) = (versions(sim, c.db), c.store.snapshot(key)) else { return false };
    marked || v.written_after(key, snapshot)
}

/// Makes every database read directly by a cache keep versions, and tells
/// each such cache which database that is. `backend_of(edge)` is the node
/// an edge leads to.
pub(crate) fn link_versions(nodes: &mut [crate::sim::NodeRt], backend_of: impl Fn(u32) -> u32) {
    for i in 0..nodes.len() {
        let Behaviour::Cache(c) = &nodes[i].behaviour else { continue };
        let db = backend_of(c.backend) as usize;
        let Behaviour::Database(d) = &mut nodes[db].behaviour else { continue };
        d.versions.get_or_insert_with(|| Box::new(Versions::new(VERSION_MEMORY))).readers.push(i as u32);
        if let Behaviour::Cache(c) = &mut nodes[i].behaviour {
            c.db = Some(db as u32);
        }
    }
}

/// The database served a call `node` made for its call `parent`, at
/// `snapshot` (called for every caller of a versioned database; only
/// caches take note, of the calls made for a call of theirs).
pub(crate) fn served(sim: &mut Sim, node: usize, parent: u32, snapshot: u64) {
    if parent >= crate::calls::QUEUE_PARENT {
        return;
    }
    if let Behaviour::Cache(c) = &mut sim.nodes[node].behaviour {
        c.answers.insert(parent, snapshot);
    }
}

/// The database forgot a write (see `versions`): an entry older than it is
/// stale for good.
pub(crate) fn forgotten(sim: &mut Sim, node: usize, f: Forgotten) {
    if let Behaviour::Cache(c) = &mut sim.nodes[node].behaviour {
        c.store.mark_stale_before(f.key, f.version);
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
        Lookup::Hit => {
            if stale_hit(sim, node, key) {
                cache_mut(sim, node).stats.stale_reads += 1;
            }
            sim.finish(node, idx, Outcome::Ok)
        }
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
    let horizon = {
        let Behaviour::Cache(c) = &sim.nodes[node].behaviour else { unreachable!("a cache") };
        versions(sim, c.db).map(Versions::horizon)
    };
    let c = cache_mut(sim, node);
    let snapshot = c.answers.remove(&parent);
    // A fallback's degraded answer is not the data: it is not cached.
    if outcome == Outcome::Ok {
        if c.store.fill(key, now) {
            c.stats.evictions += 1;
        }
        if let Some(h) = horizon {
            // Read before a write the database has forgotten since: it may
            // be stale and can no longer be checked, so it counts as stale.
            let snapshot = snapshot.unwrap_or(0);
            c.store.set_snapshot(key, snapshot, snapshot < h);
        }
    }
    let waiting = if c.coalesce { c.fetching.remove(&key).unwrap_or_default() } else { Vec::new() };
    sim.finish(node, parent, outcome);
    for w in waiting {
        sim.finish(node, w, outcome);
    }
}
