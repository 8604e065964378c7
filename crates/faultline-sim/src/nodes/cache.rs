//! A read-through cache in front of a backing store (its one outgoing edge,
//! usually a database).
//!
//! A read arrives and is looked up (the lookup time); a hit is answered at
//! once, a miss is fetched from the backing store over the cache's edge, the
//! entry is filled when that answers successfully, and the answer is relayed
//! as it came (a failed fetch fills nothing). What a write (PUT, POST,
//! DELETE) does is the `write` policy:
//! - `invalidate` (the default): the key is deleted and the write goes
//!   through to the backing store (write-around), so the next read fetches
//!   the new value;
//! - `update`: the write goes through, and when it succeeds the key is set
//!   to the version written, whatever the cache holds by then (so two
//!   writers' sets landing out of order leave the older value: stale);
//! - `write_through`: the same, but the cache applies versions in order: a
//!   set or a read's fill never replaces a newer entry;
//! - `write_behind`: the cache keeps the value and answers at once (the
//!   entry is ahead of the database, never stale); every
//!   `flush_interval_ms` (on a fixed grid from time 0) each dirty key is
//!   written to the database as one call of the cache's own. A write is
//!   *flushed* once its flush is sent; a flush that fails puts its writes
//!   back among the dirty ones. A crash loses the dirty keys: the writes
//!   they hold were acknowledged and never reach the database
//!   (`lost_writes`). Flushes already sent are left to the database.
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
//! With `lease` (memcache's leases: R. Nishtala et al., "Scaling Memcache
//! at Facebook", NSDI 2013), a miss takes a lease on its key and a write's
//! delete revokes it; a fill whose lease was revoked (or handed to a later
//! miss) is dropped. That closes the invalidation race above; a read that
//! reaches the database before a write it followed can still fill the old
//! value (delete-then-write ordering), which only variable timings produce.
//!
//! With `coalesce` (single-flight), a miss on a key whose fetch is already
//! in flight waits for that fetch instead of making its own, so an expired
//! hot key costs the backing store one query, not one per request that
//! arrives before the refill (the cache stampede).
//!
//! Negative caching: a database may hold only some keys (`rows`; a query
//! for another is answered 404). With `negative_ttl_ms` a read's 404 is
//! kept that long (whatever the TTL) and later reads of the key are
//! answered 404 from the cache (`negative_hits`, counted as hits), sparing
//! the database the lookups of keys that do not exist.
//!
//! Expiry: with `ttl_jitter` j each fill's TTL is drawn uniformly from
//! ttl x [1 - j, 1 + j], so keys filled together (a cold start, a flush)
//! do not all expire together. With `early_refresh_beta` (XFetch: A.
//! Vattani, F. Chierichetti, K. Lowenstein, "Optimal probabilistic cache
//! stampede prevention", VLDB 2015) a hit refreshes its key early when
//! now - delta x beta x ln(U) >= expiry, U uniform in (0, 1], delta the time
//! its last fill took: that read fetches (counted as a miss and an
//! `early_refresh`) while the entry keeps answering the others, so a hot
//! key is usually refilled before it expires and nobody stampedes. The
//! draws come from the cache's own stream (`Purpose::CacheExpiry`), taken
//! only when the option is on.
//!
//! A crash empties it: it restarts cold. Entries and eviction live in
//! `store`.

mod store;

pub use store::{Lookup, Store};

use super::versions::{Forgotten, Versions};
use super::Behaviour;
use crate::calls::QUEUE_PARENT;
use crate::calls::{FailReason, Outcome, Req};
use crate::dist::Sampler;
use crate::event::Event;
use crate::rng::{unit_open, SimRng};
use crate::scenario::{CacheConfig, WritePolicy};
use crate::sim::{Sim, WINDOW_US};
use crate::time::ms_to_micros;
use crate::time::SimTime;
use std::collections::{BTreeMap, HashMap};

/// A cache's counters, over the whole run (its report entry's fields).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
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
    /// Write-behind: writes sent to the database by flushes.
    pub flushed: u64,
    /// Write-behind: acknowledged writes a crash lost before their flush.
    pub lost_writes: u64,
    /// Lease: fills dropped because a write revoked their lease.
    pub refused_fills: u64,
    /// XFetch: hits that refreshed their key before it expired.
    pub early_refreshes: u64,
    /// Negative caching: hits on a cached "not found" (answered 404).
    pub negative_hits: u64,
}

/// A write-behind cache's writes of one key not yet sent to the database:
/// how many, and the latest one's operation and request (its flush carries them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dirty {
    pub writes: u32,
    pub op: u16,
    pub request: u64,
}

/// The snapshot of an entry a write-behind cache wrote itself: ahead of the
/// database, so never stale.
const AHEAD: u64 = u64::MAX;

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
    pub write: WritePolicy,
    flush_interval_us: u64,
    /// Write-behind: the dirty keys, flushed in key order.
    pub dirty: BTreeMap<u64, Dirty>,
    /// Write-behind: flushes sent and not yet answered, by request id (each
    /// flush carries the request of its key's latest write, so ids are unique).
    flushing: HashMap<u64, (u64, Dirty)>,
    /// When the armed flush timer fires (one at a time; a timer that finds
    /// another time here is a stale one and does nothing).
    next_flush_us: Option<u64>,
    /// Lease: the token of the lease each key is held under, the token of
    /// each fetch (by the call it was made for), and the next token.
    pub lease: bool,
    leases: HashMap<u64, u64>,
    lease_of: HashMap<u32, u64>,
    next_lease: u64,
    ttl_us: Option<u64>,
    ttl_jitter: f64,
    early_beta: f64,
    /// TTL jitter and early-refresh draws.
    expiry_rng: SimRng,
    /// How long a "not found" is kept (negative caching).
    negative_ttl_us: Option<u64>,
    /// Hits and misses in the current one-second window, which starts at
    /// `window_start_us`, and the hit ratio of the last closed one.
    window_start_us: u64,
    window: (u64, u64),
    last_ratio: Option<f64>,
}

impl CacheRt {
    pub fn new(cfg: &CacheConfig, backend: u32, eviction_rng: SimRng, expiry_rng: SimRng) -> CacheRt {
        CacheRt {
            store: Store::new(cfg.eviction, cfg.capacity, cfg.ttl_ms.map(ms_to_micros), eviction_rng),
            lookup_time: cfg.lookup_time.sampler(),
            backend,
            coalesce: cfg.coalesce,
            fetching: HashMap::new(),
            stats: CacheStats::default(),
            db: None,
            answers: HashMap::new(),
            write: cfg.write,
            flush_interval_us: ms_to_micros(cfg.flush_interval_ms).max(1),
            dirty: BTreeMap::new(),
            flushing: HashMap::new(),
            next_flush_us: None,
            lease: cfg.lease,
            leases: HashMap::new(),
            lease_of: HashMap::new(),
            next_lease: 0,
            ttl_us: cfg.ttl_ms.map(ms_to_micros),
            ttl_jitter: cfg.ttl_jitter,
            early_beta: cfg.early_refresh_beta,
            expiry_rng,
            negative_ttl_us: cfg.negative_ttl_ms.map(ms_to_micros),
            window_start_us: 0,
            window: (0, 0),
            last_ratio: None,
        }
    }

    #[inline(never)]
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

    /// XFetch: does a hit on `key` at `now_us` refresh it early?
    fn refreshes_early(&mut self, key: u64, now_us: u64) -> bool {
        let Some((expires_us, delta_us)) = self.store.expiry(key) else { return false };
        if expires_us == u64::MAX {
            return false;
        }
        let u = unit_open(&mut self.expiry_rng);
        let ahead = delta_us as f64 * self.early_beta * -libm::log(u);
        now_us as f64 + ahead >= expires_us as f64
    }

    /// A fill at `now_us` that took `delta_us`: its expiry, with the TTL
    /// jittered if asked.
    fn set_expiry(&mut self, key: u64, now_us: u64, delta_us: u64) {
        let Some(ttl) = self.ttl_us else { return };
        let ttl = if self.ttl_jitter > 0.0 {
            let u = unit_open(&mut self.expiry_rng);
            (ttl as f64 * (1.0 - self.ttl_jitter + 2.0 * self.ttl_jitter * u)).round() as u64
        } else {
            ttl
        };
        self.store.set_expiry(key, now_us.saturating_add(ttl), delta_us);
    }

    /// A `flush_cache` fault: every entry goes (write-behind's unflushed
    /// writes stay, to be flushed).
    pub fn flush_all(&mut self) {
        self.store.clear();
    }

    /// An `expire_keys` fault: the entries for keys `from..=to` expire now.
    pub fn expire_keys(&mut self, from: u64, to: u64, now_us: u64) {
        self.store.expire_range(from, to, now_us);
    }

    /// A crash: every entry is lost, and the fetches in flight with it (the
    /// core has failed the reads that waited for them).
    /// Write-behind: the writes of the dirty keys are lost; the flushes in
    /// flight are the database's now (their answers can no longer come back).
    pub fn crash(&mut self) {
        self.store.clear();
        self.fetching.clear();
        self.answers.clear();
        self.stats.lost_writes += self.dirty.values().map(|d| u64::from(d.writes)).sum::<u64>();
        self.dirty.clear();
        self.flushing.clear();
        self.next_flush_us = None;
        self.leases.clear();
        self.lease_of.clear();
    }

    /// The hit ratio on the card: of the last closed second, or of the run
    /// so far before one has closed.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        v.cache_hit_ratio = Some(self.last_ratio.unwrap_or_else(|| self.hit_ratio()));
        v.cache_stale_reads = self.db.map(|_| self.stats.stale_reads);
    }

    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        r.cache = Some(crate::report::CacheReport {
            stats: self.stats,
            hit_ratio: self.hit_ratio(),
            dirty: self.dirty.values().map(|d| u64::from(d.writes)).sum(),
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
        Behaviour::Database(d) => d.versions(),
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
        d.keep_versions().readers.push(i as u32);
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

/// A call arrives: the lookup starts at once (a cache has no pool to wait
/// for; its lookup time is the whole of its work).
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    sim.nodes[node].add_in_flight(1);
    sim.start_work(node, idx);
}

/// The lookup is done: answer a hit, fetch a miss, pass a write through.
pub(crate) fn work_done(sim: &mut Sim, node: usize, idx: u32, op: u16, req: Req) {
    let now = sim.now().0;
    let key = req.key;
    let write = sim.is_write(op);
    let c = cache_mut(sim, node);
    let backend = c.backend;
    if write {
        c.stats.writes += 1;
        match c.write {
            WritePolicy::Invalidate => {
                c.store.remove(key);
                c.leases.remove(&key);
                return sim.send(req, idx, backend);
            }
            WritePolicy::Update | WritePolicy::WriteThrough => return sim.send(req, idx, backend),
            WritePolicy::WriteBehind => {
                if c.store.fill(key, now) {
                    c.stats.evictions += 1;
                }
                c.store.set_snapshot(key, AHEAD, false);
                let d = c.dirty.entry(key).or_insert(Dirty { writes: 0, op, request: req.request });
                *d = Dirty { writes: d.writes + 1, op, request: req.request };
                arm_flush(sim, node);
                return sim.finish(node, idx, Outcome::Ok);
            }
        }
    }
    let mut found = c.store.get(key, now);
    // XFetch: this read refreshes the key early (unless single-flight has
    // a fetch of it in flight already: then it is a plain hit).
    if found == Lookup::Hit
        && c.early_beta > 0.0
        && !(c.coalesce && c.fetching.contains_key(&key))
        && c.refreshes_early(key, now)
    {
        c.stats.early_refreshes += 1;
        found = Lookup::Miss;
    }
    c.count(found == Lookup::Hit, now);
    match found {
        Lookup::Hit => {
            if c.store.is_negative(key) {
                c.stats.negative_hits += 1;
                return sim.finish(node, idx, Outcome::Failed(FailReason::ClientError));
            }
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
            if c.lease {
                c.next_lease += 1;
                c.leases.insert(key, c.next_lease);
                c.lease_of.insert(idx, c.next_lease);
            }
            sim.send(req, idx, backend);
        }
    }
}

/// The backing store answered the call made for `parent`: a successful read
/// fills the entry (a successful write sets it, for `update` and
/// `write_through`); the answer is relayed to the caller and to every read
/// that waited for the same fetch.
pub(crate) fn child_done(sim: &mut Sim, node: usize, parent: u32, outcome: Outcome) {
    let now = sim.now().0;
    let p = sim.calls.at(parent);
    let (key, op) = (p.key, p.op);
    let write = sim.is_write(op);
    let horizon = {
        let Behaviour::Cache(c) = &sim.nodes[node].behaviour else { unreachable!("a cache") };
        versions(sim, c.db).map(Versions::horizon)
    };
    let arrived = sim.calls.at(parent).arrived_at.0;
    let c = cache_mut(sim, node);
    let snapshot = c.answers.remove(&parent);
    let leased = !c.lease || write || {
        let token = c.lease_of.remove(&parent);
        let held = token.is_some() && c.leases.get(&key) == token.as_ref();
        if held {
            c.leases.remove(&key);
        } else if outcome == Outcome::Ok {
            c.stats.refused_fills += 1;
        }
        held
    };
    // Negative caching: the database's "not found" is kept for a while.
    if let (false, Outcome::Failed(FailReason::ClientError), Some(ttl)) = (write, outcome, c.negative_ttl_us) {
        if leased {
            if c.store.fill(key, now) {
                c.stats.evictions += 1;
            }
            c.store.set_negative(key);
            c.store.set_expiry(key, now.saturating_add(ttl), 0);
        }
    }
    // A fallback's degraded answer is not the data: it is not cached.
    let keep = outcome == Outcome::Ok
        && leased
        && match (write, c.write) {
            (false, WritePolicy::WriteThrough) => !newer_held(c, key, snapshot),
            (false, _) => true,
            (true, WritePolicy::Update) => true,
            (true, WritePolicy::WriteThrough) => !newer_held(c, key, snapshot),
            (true, _) => false,
        };
    if keep {
        if c.store.fill(key, now) {
            c.stats.evictions += 1;
        }
        if c.ttl_jitter > 0.0 || c.early_beta > 0.0 {
            c.set_expiry(key, now, now.saturating_sub(arrived));
        }
        if let Some(h) = horizon {
            // Read before a write the database has forgotten since: it may
            // be stale and can no longer be checked, so it counts as stale.
            let snapshot = snapshot.unwrap_or(0);
            c.store.set_snapshot(key, snapshot, snapshot < h);
        }
    }
    let waiting = if c.coalesce && !write { c.fetching.remove(&key).unwrap_or_default() } else { Vec::new() };
    sim.finish(node, parent, outcome);
    for w in waiting {
        sim.finish(node, w, outcome);
    }
}

/// Does the cache hold `key` at a newer version than `snapshot`?
fn newer_held(c: &CacheRt, key: u64, snapshot: Option<u64>) -> bool {
    match (c.store.snapshot(key), snapshot) {
        (Some((held, _)), Some(s)) => held > s,
        _ => false,
    }
}

/// Write-behind: arms the flush timer for the next tick of its grid, unless
/// one is armed.
fn arm_flush(sim: &mut Sim, node: usize) {
    let now = sim.now().0;
    let c = cache_mut(sim, node);
    if c.next_flush_us.is_some() {
        return;
    }
    let at = (now / c.flush_interval_us + 1) * c.flush_interval_us;
    c.next_flush_us = Some(at);
    sim.queue.schedule(SimTime(at), Event::Redeliver { node: node as u32 });
}

/// A write-behind cache's flush timer: every dirty key is written to the
/// database, one call each, in key order.
pub(crate) fn flush(sim: &mut Sim, node: usize) {
    let now = sim.now().0;
    let down = sim.nodes[node].down;
    let c = cache_mut(sim, node);
    // A timer armed before a crash finds none armed, or a later one; one
    // held while the cache was paused fires late, and flushes.
    if c.next_flush_us.is_none_or(|at| at > now) {
        return;
    }
    c.next_flush_us = None;
    if down {
        return;
    }
    let backend = c.backend;
    let dirty = std::mem::take(&mut c.dirty);
    for (&key, d) in &dirty {
        c.flushing.insert(d.request, (key, *d));
        c.stats.flushed += u64::from(d.writes);
    }
    for (key, d) in dirty {
        let req = Req { request: d.request, op: d.op, key, hops: 1, attempt: 1, deadline: u64::MAX, started_us: now };
        sim.send(req, QUEUE_PARENT, backend);
    }
}

/// A flush was answered: done, or (failed) its writes are dirty again,
/// under any newer write of the same key.
pub(crate) fn flush_answered(sim: &mut Sim, node: usize, outcome: Outcome, req: Req) {
    let c = cache_mut(sim, node);
    let Some((key, d)) = c.flushing.remove(&req.request) else { return };
    if outcome.is_success() {
        return;
    }
    c.stats.flushed -= u64::from(d.writes);
    let e = c.dirty.entry(key).or_insert(Dirty { writes: 0, ..d });
    e.writes += d.writes;
    arm_flush(sim, node);
}

/// The edges whose failed reads bypass their cache (`Fallback::Database`):
/// (caller -> cache, caller -> the cache's database), for those whose
/// caller has an edge to that database (validation insists).
pub(crate) fn bypasses(
    s: &crate::scenario::Scenario,
    index: &HashMap<&str, u32>,
    edge_index: &HashMap<(u32, u32), u32>,
) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for (i, e) in s.edges.iter().enumerate() {
        if e.fallback != Some(crate::scenario::Fallback::Database) {
            continue;
        }
        let Some(db) = s.edges.iter().find(|b| b.from == e.to).map(|b| b.to.as_str()) else { continue };
        if let Some(&direct) = edge_index.get(&(index[e.from.as_str()], index[db])) {
            out.push((i as u32, direct));
        }
    }
    out
}

/// A caller's read through a cache failed and its edge falls back to the
/// database: the read goes there directly, for the same call (its answer is
/// the call's answer). A write, or a read on a caller's own account, fails
/// as it did.
pub(crate) fn bypass(sim: &mut Sim, parent: u32, caller: usize, outcome: Outcome, req: Req, to_db: u32) {
    if parent >= QUEUE_PARENT || sim.is_write(req.op) {
        return sim.answer_caller(parent, caller, outcome, req);
    }
    sim.send(Req { attempt: 1, ..req }, parent, to_db);
}
