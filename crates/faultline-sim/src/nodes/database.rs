//! A database: a connection limit and queries that slow down as the
//! connections fill (lock and buffer contention), so a database saturates
//! gradually rather than falling off a cliff at exactly max_connections.
//!
//! A database may be sharded: then each shard is a pool of its own
//! (`max_connections` connections, its own wait queue, its own contention)
//! and a query goes to the shard that owns its key (`partition.rs`). The call
//! remembers its shard (`Call::shard`), so the connection it frees takes the
//! next query queued on the same shard. An unsharded database is one pool
//! and never looks at keys: exactly the single-pool database it always was.
//!
//! Resharding (a `reshard` fault) changes the shard count at a moment: the
//! share of a fixed sample of the key space whose owner changes is recorded,
//! and for `migration_window_ms` a query for a key that moved also waits
//! `migration_penalty_ms`, holding its connection (the row is read from its
//! old shard while the copy runs). Removed shards keep their pools until the
//! queries on them finish; they get no new ones.

use super::partition::Partitioner;
use super::Pool;
use crate::dist::Sampler;
use crate::rng::SimRng;
use crate::scenario::DatabaseConfig;
use crate::sim::Sim;
use crate::time::ms_to_micros;

/// Keys sampled (evenly over the key space) to measure a reshard's moved share.
pub const MOVED_KEY_SAMPLE: u64 = 100_000;

#[derive(Clone, Debug)]
pub struct DatabaseRt {
    /// One pool per shard (index = shard); only `pools[0]` when unsharded.
    /// After shards are removed the pools past the count drain and stay.
    pub pools: Vec<Pool>,
    pub query_time: Sampler,
    pub saturation: f64,
    /// `None` while the database is unsharded and was never resharded: the
    /// common case pays nothing for sharding.
    pub sharding: Option<Box<Sharding>>,
    /// What a reshard needs to build the new map.
    spec: Box<ShardSpec>,
    /// Connections clients' pools hold (see `connections`).
    pub conns: super::connections::ConnBook,
    /// The rows that exist and each key's version, when the scenario asks
    /// for either (`rows`, or a cache reading this database directly);
    /// `None`, one pointer, costs one branch per query.
    pub records: Option<Box<Records>>,
    /// Read replicas (`replication.rs`): one more pool per replica. `None`
    /// without replicas, which costs one branch per query.
    pub replication: Option<Box<super::replication::Replication>>,
    /// Fan-out by key (`fanout.rs`), when an operation's keys are accounts
    /// with followers; `None` otherwise, which costs one branch per query.
    pub fanout: Option<Box<super::fanout::FanoutRt>>,
}

/// What a database knows of its data beyond queueing and timing.
#[derive(Clone, Debug, Default)]
pub struct Records {
    /// Keys from this one on do not exist (404); `None`: every key exists.
    pub rows: Option<u64>,
    /// Each key's version (`versions.rs`), kept when a cache reads it.
    pub versions: Option<super::versions::Versions>,
}

/// How keys map to shards now, and the books of per-shard load.
#[derive(Clone, Debug)]
pub struct Sharding {
    pub map: Partitioner,
    /// Queries routed to each shard (index = shard).
    pub arrivals: Vec<u64>,
    /// The map before the latest reshard, while its keys migrate.
    previous: Option<Partitioner>,
    migrating_until_us: u64,
    /// Share of the sampled key space that the latest reshard moved.
    pub moved_keys: Option<f64>,
    pub reshards: u32,
    /// Queries that paid the migration penalty.
    pub migrated_queries: u64,
}

#[derive(Clone, Debug)]
struct ShardSpec {
    cfg: DatabaseConfig,
    key_space: u64,
}

impl DatabaseRt {
    /// `key_space`: the keys the workloads draw from (`range` splits it).
    pub fn new(cfg: &DatabaseConfig, key_space: u64) -> DatabaseRt {
        let spec = Box::new(ShardSpec { cfg: cfg.clone(), key_space });
        let shards = cfg.shards.max(1);
        let sharding = (shards > 1).then(|| Box::new(Sharding::new(spec.map(shards))));
        DatabaseRt {
            pools: (0..shards).map(|_| Pool::new(cfg.max_connections, cfg.queue_capacity)).collect(),
            query_time: cfg.query_time.sampler(),
            saturation: cfg.saturation,
            sharding,
            spec,
            conns: super::connections::ConnBook::new(
                cfg.max_connections,
                cfg.reserved_connections,
                cfg.connect_time_ms,
            ),
            records: cfg.rows.map(|rows| Box::new(Records { rows: Some(rows), versions: None })),
            replication: None,
            fanout: None,
        }
    }

    /// Gives it its replicas (`cfg.replicas` of them, each a pool), whose
    /// lags are drawn from `rng`; nothing without replicas.
    pub fn with_replicas(mut self, cfg: &DatabaseConfig, rng: SimRng) -> DatabaseRt {
        if cfg.replicas > 0 {
            for _ in 0..cfg.replicas {
                self.pools.push(Pool::new(cfg.max_connections, cfg.queue_capacity));
            }
            self.replication = Some(Box::new(super::replication::Replication::new(cfg, rng)));
        }
        self
    }

    /// The pools that serve queries now: every member with replicas, else
    /// the shards in use.
    pub fn serving_pools(&self) -> &[Pool] {
        if self.replication.is_some() {
            &self.pools
        } else {
            &self.pools[..usize::from(self.shard_count())]
        }
    }

    /// The versions it keeps, if a cache reads it.
    pub fn versions(&self) -> Option<&super::versions::Versions> {
        self.records.as_deref()?.versions.as_ref()
    }

    /// Starts keeping versions (a cache reads it); they are kept already if so.
    pub fn keep_versions(&mut self) -> &mut super::versions::Versions {
        let r = self.records.get_or_insert_with(Box::default);
        r.versions.get_or_insert_with(|| super::versions::Versions::new(super::versions::VERSION_MEMORY))
    }

    /// Shards keys go to now.
    pub fn shard_count(&self) -> u16 {
        self.sharding.as_ref().map_or(1, |s| s.map.shards)
    }

    /// The factor query time is stretched by at a shard's current load.
    pub fn contention(&self, shard: u16) -> f64 {
        let u = self.pools[usize::from(shard)].utilisation();
        1.0 + self.saturation * u * u
    }

    /// A query's time on `shard` at its current load, `slow` times as long
    /// as usual, plus the migration penalty for a key that is moving.
    #[inline(never)]
    pub fn work_time(&self, rng: &mut SimRng, slow: f64, shard: u16, migrating: bool) -> u64 {
        let t = self.query_time.sample_scaled(rng, self.contention(shard) * slow);
        if migrating {
            t + ms_to_micros(self.spec.cfg.migration_penalty_ms)
        } else {
            t
        }
    }

    /// Busy connections over every shard.
    pub fn busy(&self) -> u32 {
        self.pools.iter().map(|p| p.busy).sum()
    }

    /// Routes a query for `key` arriving at `now_us`: its shard, and whether
    /// it pays the migration penalty.
    pub fn route(&mut self, key: u64, now_us: u64) -> (u16, bool) {
        let Some(s) = self.sharding.as_deref_mut() else {
            return (0, false);
        };
        let shard = s.map.owner(key);
        s.arrivals[usize::from(shard)] += 1;
        let migrating = now_us < s.migrating_until_us && s.previous.as_ref().is_some_and(|p| p.owner(key) != shard);
        if migrating {
            s.migrated_queries += 1;
        }
        (shard, migrating)
    }

    /// A fan-out of `parts` parts for `key`: they go round the shards from
    /// the key's own (its first), counted on each; returns that first shard
    /// (0 unsharded).
    pub fn spread(&mut self, key: u64, parts: u16) -> u16 {
        let Some(s) = self.sharding.as_deref_mut() else { return 0 };
        let n = u32::from(s.map.shards);
        let base = s.map.owner(key);
        for i in 0..u32::from(parts) {
            s.arrivals[((u32::from(base) + i) % n) as usize] += 1;
        }
        base
    }

    /// A scatter query: one more query on every shard; returns the count.
    pub fn route_everywhere(&mut self) -> u16 {
        let Some(s) = self.sharding.as_deref_mut() else { return 1 };
        let n = s.map.shards;
        s.arrivals[..usize::from(n)].iter_mut().for_each(|a| *a += 1);
        n
    }

    /// Goes to `shards` shards at `now_us`; returns the share of the sampled
    /// key space that moved.
    pub fn reshard(&mut self, shards: u16, now_us: u64) -> f64 {
        let shards = shards.max(1);
        let spec = &self.spec;
        let s = self.sharding.get_or_insert_with(|| Box::new(Sharding::new(spec.map(1))));
        let next = s.map.with_shards(shards);
        let moved = s.map.moved_share(&next, MOVED_KEY_SAMPLE.min(spec.key_space.max(1)));
        s.previous = Some(std::mem::replace(&mut s.map, next));
        s.migrating_until_us = now_us.saturating_add(spec.cfg.migration_window_ms.saturating_mul(1_000));
        s.moved_keys = Some(moved);
        s.reshards += 1;
        let n = usize::from(shards);
        if s.arrivals.len() < n {
            s.arrivals.resize(n, 0);
        }
        while self.pools.len() < n {
            self.pools.push(Pool::new(spec.cfg.max_connections, spec.cfg.queue_capacity));
        }
        moved
    }

    /// A crash empties every shard's pool.
    pub fn crash(&mut self) {
        for p in &mut self.pools {
            p.reset();
        }
        self.conns.crash();
    }

    /// The card's bar (every shard together) and, when sharded, each
    /// shard's utilisation for the heat strip.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        if self.conns.opened + self.conns.refused > 0 {
            v.connections = Some((self.conns.open, self.conns.limit));
        }
        if let Some(r) = self.replication.as_deref() {
            return super::replication::fill_view(self, r, v);
        }
        if self.sharding.is_none() {
            return self.pools[0].fill_view(v);
        }
        v.queue_depth = self.pools.iter().map(Pool::queue_depth).sum();
        v.busy = self.busy();
        let count = usize::from(self.shard_count());
        v.capacity = self.pools[..count].iter().map(|p| p.capacity).sum();
        v.shard_busy = self.pools[..count].iter().map(|p| p.utilisation() as f32).collect();
    }

    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        r.connections = self.conns.report();
        r.fanout = self.fanout.as_deref().map(|f| f.books);
        if let Some(rep) = self.replication.as_deref() {
            r.replication = Some(super::replication::report(rep, &self.spec.cfg));
        }
        let Some(s) = self.sharding.as_deref() else { return };
        let count = usize::from(s.map.shards);
        let arrivals = s.arrivals[..count].to_vec();
        r.shards = Some(crate::report::ShardReport {
            count: s.map.shards,
            partitioning: s.map.scheme,
            max_mean_ratio: max_mean_ratio(&arrivals),
            hottest: arrivals
                .iter()
                .enumerate()
                .max_by_key(|&(i, a)| (a, std::cmp::Reverse(i)))
                .map_or(0, |(i, _)| i as u16),
            arrivals,
            reshards: s.reshards,
            moved_keys: s.moved_keys,
            migrated_queries: s.migrated_queries,
        });
    }
}

impl Sharding {
    fn new(map: Partitioner) -> Sharding {
        Sharding {
            arrivals: vec![0; usize::from(map.shards)],
            map,
            previous: None,
            migrating_until_us: 0,
            moved_keys: None,
            reshards: 0,
            migrated_queries: 0,
        }
    }
}

impl ShardSpec {
    fn map(&self, shards: u16) -> Partitioner {
        let c = &self.cfg;
        Partitioner::new(c.partitioning, shards, c.virtual_nodes, self.key_space, &c.directory)
    }
}

/// The busiest shard's load over the mean shard's (1 = perfectly even); 0
/// before any load.
pub fn max_mean_ratio(load: &[u64]) -> f64 {
    let total: u64 = load.iter().sum();
    if total == 0 || load.is_empty() {
        return 0.0;
    }
    let max = load.iter().copied().max().unwrap_or(0);
    max as f64 * load.len() as f64 / total as f64
}

/// A query arrives: it goes to the shard owning its key, where a connection
/// takes it, or it waits for one, or it is rejected when that shard's wait
/// queue is full.
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    let super::Behaviour::Database(db) = &mut sim.nodes[node].behaviour else { unreachable!("a database") };
    if db.fanout.is_some() && super::fanout::arrive(sim, node, idx) {
        return;
    }
    let super::Behaviour::Database(db) = &mut sim.nodes[node].behaviour else { unreachable!("a database") };
    // One test on the common path: a single pool, neither replicated nor sharded.
    if db.pools.len() > 1 || db.sharding.is_some() {
        if db.replication.is_some() {
            return super::replication::arrive(sim, node, idx);
        }
        let op = sim.calls.at(idx).op;
        if sim.ops.get(usize::from(op)).is_some_and(|o| o.scatter) {
            return super::scatter::fan_out(sim, node, idx);
        }
        let call = sim.calls.at_mut(idx);
        let (shard, migrating) = db.route(call.key, sim.now.0);
        call.shard = shard;
        call.migrating = migrating;
    }
    sim.admit(node, idx);
}

/// A query is done: a query for a key that does not exist is answered 404;
/// otherwise a write bumps its key's version and a read sees the current
/// one, when versions are kept; then it answers.
pub(crate) fn work_done(sim: &mut Sim, node: usize, idx: u32, op: u16) {
    let super::Behaviour::Database(db) = &sim.nodes[node].behaviour else { unreachable!("a database") };
    let replicated = db.replication.is_some();
    if let Some(r) = &db.records {
        if r.rows.is_some_and(|rows| sim.calls.at(idx).key >= rows) {
            return sim.finish(node, idx, crate::calls::Outcome::Failed(crate::calls::FailReason::ClientError));
        }
        if r.versions.is_some() {
            keep_version(sim, node, idx, op);
        }
    }
    if replicated {
        super::replication::served(sim, node, idx, op);
    }
    sim.finish(node, idx, crate::calls::Outcome::Ok);
}

/// Out of line: a database without a cache in front never comes here, and
/// its query's path stays as short as it was.
#[inline(never)]
fn keep_version(sim: &mut Sim, node: usize, idx: u32, op: u16) {
    let call = sim.calls.at(idx);
    // A part (of a scatter query or a fan-out) answers for its query, whose
    // caller's call is the one the version goes to.
    let parent = if call.shard_part { sim.calls.at(call.parent).parent } else { call.parent };
    let (key, caller) = (call.key, sim.edges[call.edge as usize].from as usize);
    let part = call.shard_part;
    let mut write = sim.is_write(op);
    let super::Behaviour::Database(db) = &mut sim.nodes[node].behaviour else { return };
    // A fan-out's parts write the followers' timelines, not the author's key.
    if part && db.fanout.as_deref().is_some_and(|f| f.fans(op)) {
        write = false;
    }
    let Some(v) = db.records.as_deref_mut().and_then(|r| r.versions.as_mut()) else { return };
    let forgotten = if write { v.write(key).1 } else { None };
    let snapshot = v.snapshot();
    if let Some(f) = forgotten {
        for r in v.readers.clone() {
            super::cache::forgotten(sim, r as usize, f);
        }
    }
    super::cache::served(sim, caller, parent, snapshot);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contention_grows_with_busy_connections() {
        let mut db =
            DatabaseRt::new(&DatabaseConfig { max_connections: 4, saturation: 1.0, ..Default::default() }, 1_000);
        assert_eq!(db.contention(0), 1.0);
        for i in 0..4 {
            db.pools[0].offer(i);
        }
        assert_eq!(db.contention(0), 2.0);
    }

    #[test]
    fn each_shard_has_its_own_contention() {
        let cfg = DatabaseConfig { max_connections: 2, saturation: 1.0, shards: 2, ..Default::default() };
        let mut db = DatabaseRt::new(&cfg, 1_000);
        db.pools[1].offer(0);
        db.pools[1].offer(1);
        assert_eq!((db.contention(0), db.contention(1)), (1.0, 2.0));
    }

    #[test]
    fn unsharded_routes_everything_to_shard_zero_without_books() {
        let mut db = DatabaseRt::new(&DatabaseConfig::default(), 1_000);
        assert_eq!(db.route(12345, 0), (0, false));
        assert!(db.sharding.is_none());
    }

    #[test]
    fn a_reshard_adds_pools_and_marks_moved_keys_for_the_window() {
        let cfg =
            DatabaseConfig { shards: 4, migration_penalty_ms: 3.0, migration_window_ms: 10, ..Default::default() };
        let mut db = DatabaseRt::new(&cfg, 10_000);
        let moved = db.reshard(5, 1_000);
        assert_eq!(db.pools.len(), 5);
        assert!((moved - 0.8).abs() < 0.03, "mod-N 4 -> 5 moves about 4/5: {moved}");
        let moving = (0..1_000u64).filter(|&k| db.route(k, 2_000).1).count();
        assert!(moving > 700, "{moving}");
        assert_eq!((0..1_000u64).filter(|&k| db.route(k, 11_000).1).count(), 0, "window over");
        let mut r = crate::rng::stream(1, crate::rng::StreamKind::Node, 0);
        let fixed = DatabaseRt::new(&DatabaseConfig { query_time: crate::dist::Dist::constant(1.0), ..cfg }, 10);
        assert_eq!(fixed.work_time(&mut r, 1.0, 0, true) - fixed.work_time(&mut r, 1.0, 0, false), 3_000);
    }

    #[test]
    fn max_mean_ratio_of_even_and_skewed_load() {
        assert_eq!(max_mean_ratio(&[5, 5, 5, 5]), 1.0);
        assert_eq!(max_mean_ratio(&[10, 0, 0, 0]), 4.0);
        assert_eq!(max_mean_ratio(&[0, 0]), 0.0);
    }
}
