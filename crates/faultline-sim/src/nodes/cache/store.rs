//! A cache's entries: a bounded key set with an eviction policy and an
//! optional time to live.
//!
//! Every operation is O(1) or O(log n) in the number of entries, so a cache
//! of a million entries costs the same per request as a small one:
//! - LRU and FIFO keep the entries on a doubly linked list threaded through
//!   an arena (head = next victim). LRU moves an entry to the tail on a hit;
//!   FIFO leaves it where its fill put it.
//! - LFU counts every key's requests, in the cache or not, and keeps the
//!   cached ones in an ordered set of (count, last use, slot): the victim is
//!   the least requested entry (the least recently used among equals), and a
//!   missed key is only admitted if it has been requested at least as often
//!   as that victim. Under independent requests that converges to the C most
//!   popular keys. A count forgotten at eviction (in-cache LFU) would not:
//!   every newcomer starts at 1 and is the next victim, so popular keys that
//!   miss once can stay locked out behind stale entries (measured: 0.267
//!   instead of 0.300 for Zipf 0.8, 10,000 keys, 100 entries). The history is
//!   bounded (`history_limit`): past it every count is halved and keys at 0
//!   outside the cache are forgotten, the reset of TinyLFU (G. Einziger, R.
//!   Friedman, B. Manes, "TinyLFU: a highly efficient cache admission
//!   policy", ACM ToS 13(4), 2017), which also lets old popularity fade.
//! - Random keeps the slots in a dense vector and evicts a uniformly drawn
//!   one (swap-remove), from the cache's own random stream.
//!
//! The TTL is absolute from the fill: a hit does not extend it (the cache
//! node may set another expiry per entry: a jittered TTL). Expiry is
//! lazy, as in Redis for keys nobody touches: an expired entry is removed
//! when it is next looked up (a miss), or evicted like any other.
//!
//! Keys are looked up in a `HashMap`, never iterated, so its per-process
//! hash seed cannot change a run.

use crate::rng::{below, SimRng};
use crate::scenario::Eviction;
use std::collections::{BTreeSet, HashMap};

/// No slot: the end of the list.
const NIL: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Slot {
    key: u64,
    /// When it expires (`u64::MAX`: never), in microseconds.
    expires_us: u64,
    /// How long the fill that brought it took (XFetch's delta).
    delta_us: u64,
    /// LRU/FIFO: neighbours on the list. Random: `prev` is the position in `dense`.
    prev: u32,
    next: u32,
    /// LFU: the key's request count, and the tick of its last use.
    uses: u64,
    tick: u64,
    /// The database's snapshot the value was read at (see `nodes::versions`).
    snapshot: u64,
    /// A cached "not found" (negative caching).
    negative: bool,
    /// Known stale whatever the database remembers (a forgotten write, or a
    /// fill older than what it remembers).
    stale: bool,
}

/// What a lookup found.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Hit,
    /// Not there.
    Miss,
    /// There, but past its TTL: removed, and a miss.
    Expired,
}

#[derive(Clone, Debug)]
pub struct Store {
    policy: Eviction,
    capacity: u32,
    ttl_us: Option<u64>,
    index: HashMap<u64, u32>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    head: u32,
    tail: u32,
    lfu: BTreeSet<(u64, u64, u32)>,
    dense: Vec<u32>,
    /// LFU: request counts by key, cached or not (at most `history_limit`).
    history: HashMap<u64, u64>,
    history_limit: usize,
    tick: u64,
    rng: SimRng,
}

/// Keys an LFU cache remembers beyond twice its capacity.
pub const LFU_HISTORY_EXTRA: usize = 65_536;

impl Store {
    /// `rng` is used by random eviction only.
    pub fn new(policy: Eviction, capacity: u32, ttl_us: Option<u64>, rng: SimRng) -> Store {
        Store {
            policy,
            capacity: capacity.max(1),
            ttl_us,
            index: HashMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            lfu: BTreeSet::new(),
            dense: Vec::new(),
            history: HashMap::new(),
            history_limit: 2 * capacity.max(1) as usize + LFU_HISTORY_EXTRA,
            tick: 0,
            rng,
        }
    }

    pub fn len(&self) -> u32 {
        self.index.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn contains(&self, key: u64) -> bool {
        self.index.contains_key(&key)
    }

    /// Looks `key` up at time `now_us`; a hit counts as a use.
    pub fn get(&mut self, key: u64, now_us: u64) -> Lookup {
        let Some(&s) = self.index.get(&key) else {
            self.count_miss(key);
            return Lookup::Miss;
        };
        if now_us >= self.slots[s as usize].expires_us {
            self.remove(key);
            self.count_miss(key);
            return Lookup::Expired;
        }
        self.touch(s);
        Lookup::Hit
    }

    /// Stores `key` as filled at `now_us` (a fresh TTL); returns whether an
    /// entry was evicted to make room. An LFU cache may decline a key
    /// requested less often than every entry it holds.
    pub fn fill(&mut self, key: u64, now_us: u64) -> bool {
        let expires_us = self.ttl_us.map_or(u64::MAX, |ttl| now_us.saturating_add(ttl));
        if let Some(&s) = self.index.get(&key) {
            self.slots[s as usize].expires_us = expires_us;
            self.slots[s as usize].negative = false;
            if self.policy == Eviction::Lru {
                self.touch(s);
            }
            return false;
        }
        let uses = self.history.get(&key).copied().unwrap_or(1);
        let full = self.index.len() as u32 >= self.capacity;
        if full && self.policy == Eviction::Lfu && self.lfu.first().is_some_and(|&(least, _, _)| uses < least) {
            return false;
        }
        if full {
            self.evict();
        }
        self.tick += 1;
        let slot = Slot {
            key,
            expires_us,
            delta_us: 0,
            prev: NIL,
            next: NIL,
            uses,
            tick: self.tick,
            snapshot: 0,
            stale: false,
            negative: false,
        };
        let s = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = slot;
                s
            }
            None => {
                self.slots.push(slot);
                self.slots.len() as u32 - 1
            }
        };
        self.index.insert(key, s);
        match self.policy {
            Eviction::Lru | Eviction::Fifo => self.push_tail(s),
            Eviction::Lfu => {
                self.lfu.insert((uses, self.tick, s));
            }
            Eviction::Random => {
                self.slots[s as usize].prev = self.dense.len() as u32;
                self.dense.push(s);
            }
        }
        full
    }

    /// Records the database snapshot an entry's value was read at, and
    /// whether it is known stale already; nothing if `key` is not held.
    pub fn set_snapshot(&mut self, key: u64, snapshot: u64, stale: bool) {
        if let Some(&s) = self.index.get(&key) {
            let e = &mut self.slots[s as usize];
            e.snapshot = snapshot;
            e.stale = stale;
        }
    }

    /// Sets when `key`'s entry expires (a jittered TTL) and how long its
    /// fill took; nothing if it is not held.
    pub fn set_expiry(&mut self, key: u64, expires_us: u64, delta_us: u64) {
        if let Some(&s) = self.index.get(&key) {
            let e = &mut self.slots[s as usize];
            e.expires_us = expires_us;
            e.delta_us = delta_us;
        }
    }

    /// Expires the entries for keys `from..=to` at `now_us`: each one's next
    /// lookup finds it expired. Walks the smaller of the range and the
    /// entries; only expiry times change, so the order does not matter.
    pub fn expire_range(&mut self, from: u64, to: u64, now_us: u64) {
        let width = to.saturating_sub(from);
        if width < self.index.len() as u64 {
            for key in from..=to {
                if let Some(&s) = self.index.get(&key) {
                    self.slots[s as usize].expires_us = now_us;
                }
            }
        } else {
            for (&key, &s) in &self.index {
                if (from..=to).contains(&key) {
                    self.slots[s as usize].expires_us = now_us;
                }
            }
        }
    }

    /// Marks `key`'s entry a cached "not found".
    pub fn set_negative(&mut self, key: u64) {
        if let Some(&s) = self.index.get(&key) {
            self.slots[s as usize].negative = true;
        }
    }

    /// Is `key`'s entry a cached "not found"?
    pub fn is_negative(&self, key: u64) -> bool {
        self.index.get(&key).is_some_and(|&s| self.slots[s as usize].negative)
    }

    /// When `key`'s entry expires and how long its fill took.
    pub fn expiry(&self, key: u64) -> Option<(u64, u64)> {
        self.index.get(&key).map(|&s| (self.slots[s as usize].expires_us, self.slots[s as usize].delta_us))
    }

    /// The snapshot of `key`'s entry and whether it is known stale.
    pub fn snapshot(&self, key: u64) -> Option<(u64, bool)> {
        self.index.get(&key).map(|&s| (self.slots[s as usize].snapshot, self.slots[s as usize].stale))
    }

    /// The database forgot a write of `key` at `version`: an entry read
    /// before it is stale for good.
    pub fn mark_stale_before(&mut self, key: u64, version: u64) {
        if let Some(&s) = self.index.get(&key) {
            let e = &mut self.slots[s as usize];
            e.stale |= e.snapshot < version;
        }
    }

    /// Deletes `key` (an invalidation); true if it was there.
    pub fn remove(&mut self, key: u64) -> bool {
        let Some(s) = self.index.remove(&key) else {
            return false;
        };
        match self.policy {
            Eviction::Lru | Eviction::Fifo => self.unlink(s),
            Eviction::Lfu => {
                let e = &self.slots[s as usize];
                self.lfu.remove(&(e.uses, e.tick, s));
            }
            Eviction::Random => {
                let pos = self.slots[s as usize].prev;
                self.dense.swap_remove(pos as usize);
                if let Some(&moved) = self.dense.get(pos as usize) {
                    self.slots[moved as usize].prev = pos;
                }
            }
        }
        self.free.push(s);
        true
    }

    /// Empties the cache (a restart: it comes back cold).
    pub fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
        self.free.clear();
        self.lfu.clear();
        self.dense.clear();
        self.history.clear();
        self.head = NIL;
        self.tail = NIL;
    }

    fn evict(&mut self) {
        let victim = match self.policy {
            Eviction::Lru | Eviction::Fifo => self.head,
            Eviction::Lfu => self.lfu.first().map_or(NIL, |&(_, _, s)| s),
            Eviction::Random => {
                if self.dense.is_empty() {
                    NIL
                } else {
                    self.dense[below(&mut self.rng, self.dense.len() as u32) as usize]
                }
            }
        };
        if victim != NIL {
            let key = self.slots[victim as usize].key;
            self.remove(key);
        }
    }

    /// A hit: LRU moves the entry to the tail, LFU counts a use.
    fn touch(&mut self, s: u32) {
        match self.policy {
            Eviction::Lru => {
                if self.tail != s {
                    self.unlink(s);
                    self.push_tail(s);
                }
            }
            Eviction::Lfu => {
                self.tick += 1;
                let e = &mut self.slots[s as usize];
                self.lfu.remove(&(e.uses, e.tick, s));
                e.uses += 1;
                e.tick = self.tick;
                self.lfu.insert((e.uses, e.tick, s));
                self.history.insert(e.key, e.uses);
            }
            Eviction::Fifo | Eviction::Random => {}
        }
    }

    /// LFU: a request for a key that is not cached counts towards its
    /// admission; past the history's bound, every count is halved.
    fn count_miss(&mut self, key: u64) {
        if self.policy != Eviction::Lfu {
            return;
        }
        *self.history.entry(key).or_insert(0) += 1;
        while self.history.len() > self.history_limit {
            self.age();
        }
    }

    /// Halves every count, forgets the uncached keys that reach 0, and
    /// re-sorts the cached ones. The outcome does not depend on the map's
    /// iteration order, so neither does the run.
    fn age(&mut self) {
        let index = &self.index;
        self.history.retain(|k, v| {
            *v /= 2;
            *v > 0 || index.contains_key(k)
        });
        self.lfu.clear();
        for &s in self.index.values() {
            let e = &mut self.slots[s as usize];
            let uses = self.history.get(&e.key).copied().unwrap_or(0).max(1);
            self.history.insert(e.key, uses);
            e.uses = uses;
            self.lfu.insert((uses, e.tick, s));
        }
    }

    fn push_tail(&mut self, s: u32) {
        let tail = self.tail;
        let e = &mut self.slots[s as usize];
        e.prev = tail;
        e.next = NIL;
        if tail == NIL {
            self.head = s;
        } else {
            self.slots[tail as usize].next = s;
        }
        self.tail = s;
    }

    fn unlink(&mut self, s: u32) {
        let (prev, next) = (self.slots[s as usize].prev, self.slots[s as usize].next);
        if prev == NIL {
            self.head = next;
        } else {
            self.slots[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slots[next as usize].prev = prev;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, StreamKind};

    fn store(policy: Eviction, cap: u32) -> Store {
        Store::new(policy, cap, None, stream(1, StreamKind::Node, 0))
    }

    #[test]
    fn lru_evicts_the_least_recently_used() {
        let mut s = store(Eviction::Lru, 2);
        s.fill(1, 0);
        s.fill(2, 0);
        assert_eq!(s.get(1, 0), Lookup::Hit);
        assert!(s.fill(3, 0), "full: one evicted");
        assert!(s.contains(1) && !s.contains(2) && s.contains(3));
    }

    #[test]
    fn fifo_evicts_the_oldest_fill_whatever_its_hits() {
        let mut s = store(Eviction::Fifo, 2);
        s.fill(1, 0);
        s.fill(2, 0);
        assert_eq!(s.get(1, 0), Lookup::Hit);
        s.fill(3, 0);
        assert!(!s.contains(1) && s.contains(2) && s.contains(3));
    }

    /// A read as the cache node does it: look up, fill on a miss.
    fn read(s: &mut Store, key: u64) {
        if s.get(key, 0) != Lookup::Hit {
            s.fill(key, 0);
        }
    }

    #[test]
    fn lfu_evicts_the_least_used_and_admits_by_count() {
        let mut s = store(Eviction::Lfu, 2);
        for k in [1, 2, 2, 1, 1] {
            read(&mut s, k);
        }
        // 3 (one request) is requested less than 2 (two): not admitted.
        read(&mut s, 3);
        assert!(s.contains(1) && s.contains(2) && !s.contains(3));
        // A second request ties it with 2, and the newer of equals stays.
        read(&mut s, 3);
        assert!(s.contains(1) && !s.contains(2) && s.contains(3));
    }

    #[test]
    fn lfu_history_is_bounded_and_keeps_the_cached_keys() {
        let mut s = store(Eviction::Lfu, 4);
        for _ in 0..10 {
            for k in 0..4 {
                read(&mut s, k);
            }
        }
        // A stream of keys seen once, with the popular ones still asked for.
        for i in 0..3 * LFU_HISTORY_EXTRA as u64 {
            read(&mut s, 100 + i);
            if i % 8 == 0 {
                read(&mut s, i / 8 % 4);
            }
            assert!(s.history.len() <= s.history_limit);
        }
        assert!((0..4).all(|k| s.contains(k)), "the popular keys stay through the aging");
        assert_eq!(s.lfu.len(), 4);
    }

    #[test]
    fn random_eviction_keeps_the_size_and_its_books() {
        let mut s = store(Eviction::Random, 100);
        for k in 0..10_000 {
            s.fill(k % 1_000, 0);
            if k % 7 == 0 {
                s.remove(k % 300);
            }
            assert!(s.len() <= 100);
        }
        assert_eq!(s.dense.len(), s.index.len());
        for (pos, &slot) in s.dense.iter().enumerate() {
            assert_eq!(s.slots[slot as usize].prev as usize, pos);
            assert_eq!(s.index[&s.slots[slot as usize].key], slot);
        }
    }

    #[test]
    fn ttl_is_absolute_from_the_fill() {
        let mut s = Store::new(Eviction::Lru, 10, Some(100), stream(1, StreamKind::Node, 0));
        s.fill(7, 1_000);
        assert_eq!(s.get(7, 1_050), Lookup::Hit);
        assert_eq!(s.get(7, 1_099), Lookup::Hit, "a hit does not extend it");
        assert_eq!(s.get(7, 1_100), Lookup::Expired);
        assert_eq!(s.get(7, 1_100), Lookup::Miss);
        assert!(s.is_empty());
    }

    #[test]
    fn an_entry_keeps_its_snapshot_and_a_forgotten_newer_write_marks_it_stale() {
        let mut s = store(Eviction::Lru, 4);
        s.fill(1, 0);
        s.set_snapshot(1, 5, false);
        assert_eq!(s.snapshot(1), Some((5, false)));
        s.mark_stale_before(1, 5);
        assert_eq!(s.snapshot(1), Some((5, false)), "a write it had seen");
        s.mark_stale_before(1, 6);
        assert_eq!(s.snapshot(1), Some((5, true)), "a write after its read");
        s.fill(1, 10);
        s.set_snapshot(1, 7, false);
        assert_eq!(s.snapshot(1), Some((7, false)), "a refill is fresh again");
        assert_eq!(s.snapshot(2), None);
    }

    #[test]
    fn a_range_expires_whichever_way_it_is_walked() {
        for (from, to) in [(10, 12), (0, u64::MAX)] {
            let mut s = store(Eviction::Lru, 100);
            for k in 0..50 {
                s.fill(k, 0);
            }
            s.expire_range(from, to, 5);
            let expired = (0..50).filter(|&k| s.get(k, 5) == Lookup::Expired).count() as u64;
            assert_eq!(expired, (to.min(49) - from + 1), "{from}..={to}");
        }
    }

    #[test]
    fn removal_and_clear_leave_a_usable_cache() {
        for policy in [Eviction::Lru, Eviction::Fifo, Eviction::Lfu, Eviction::Random] {
            let mut s = store(policy, 3);
            for k in 0..3 {
                s.fill(k, 0);
            }
            assert!(s.remove(1) && !s.remove(1));
            s.fill(9, 0);
            assert_eq!(s.len(), 3);
            s.clear();
            assert!(s.is_empty());
            for k in 10..20 {
                s.fill(k, 0);
            }
            assert_eq!(s.len(), 3, "{policy:?}");
        }
    }
}
