//! Node kinds, and the registry that dispatches to them.
//!
//! Each kind lives in one module: its runtime state and what it does when a
//! call arrives, when a piece of its work is done, when a call it made for
//! another comes back, when it crashes and when it resumes. The simulator
//! core (`sim/`) only routes events: it moves calls over edges, keeps the
//! books and calls the hooks below, each of which is one `match` over the
//! kinds. Adding a kind means one new module here, one variant in
//! `Behaviour` and `KindTag`, one line per hook, and its catalogue entry.
//!
//! A hook is a plain function taking the engine (`&mut Sim`) and the node's
//! index, so a kind can answer, forward, queue or call on through the core's
//! operations (`admit`, `refuse`, `start_work`, `finish`, `send`, `send_dep`,
//! `respond`) while the dispatch stays static: a closed enum, no trait
//! objects, nothing allocated per event.

pub mod balancer;
pub mod cache;
pub mod client;
pub mod connections;
pub mod database;
pub mod fanout;
pub mod log;
pub mod partition;
pub mod pool;
pub mod pooler;
pub mod queue;
pub mod replication;
pub mod scatter;
pub mod service;
pub mod store;
pub mod versions;

use crate::calls::{Outcome, Req};
use crate::rng::SimRng;
use crate::sim::Sim;

pub use balancer::BalancerRt;
pub use cache::CacheRt;
pub use client::ClientRt;
pub use database::DatabaseRt;
pub use log::LogRt;
pub use pool::{Admit, Pool};
pub use queue::QueueRt;
pub use service::ServiceRt;
pub use store::StoreRt;

/// A node's runtime state, by kind.
///
/// `repr(u8)`: the kind is a byte of its own at the start, so telling the
/// kinds apart (several times a call: `tag`, `busy`, `pool_mut`,
/// `work_time`) is one load, not the decoding of a niche in the largest
/// variant's fields.
#[derive(Clone, Debug)]
#[repr(u8)]
pub enum Behaviour {
    Client,
    Balancer(BalancerRt),
    Service(ServiceRt),
    Database(DatabaseRt),
    Queue(QueueRt),
    /// Boxed: its entries and books would widen every node otherwise.
    Cache(Box<CacheRt>),
    Pooler(Box<pooler::PoolerRt>),
    /// Boxed like the cache: replicas, logs and books.
    Store(Box<StoreRt>),
    /// Boxed: its partitions, group and books.
    Log(Box<LogRt>),
}

/// Which kind a node is: `Behaviour`'s variant without its state, to
/// dispatch on while the engine is borrowed mutably.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindTag {
    Client,
    Balancer,
    Service,
    Database,
    Queue,
    Cache,
    Pooler,
    Store,
    Log,
}

impl Behaviour {
    pub fn tag(&self) -> KindTag {
        match self {
            Behaviour::Client => KindTag::Client,
            Behaviour::Balancer(_) => KindTag::Balancer,
            Behaviour::Service(_) => KindTag::Service,
            Behaviour::Database(_) => KindTag::Database,
            Behaviour::Queue(_) => KindTag::Queue,
            Behaviour::Cache(_) => KindTag::Cache,
            Behaviour::Pooler(_) => KindTag::Pooler,
            Behaviour::Store(_) => KindTag::Store,
            Behaviour::Log(_) => KindTag::Log,
        }
    }

    /// How long one piece of work takes here, `slow` times as long as usual
    /// (a slow-node fault); 0 for kinds that do no work of their own.
    /// `shard` and `migrating` are the call's (see `Call::shard`): only a
    /// sharded database looks at them.
    #[inline(always)]
    pub fn work_time(&self, rng: &mut SimRng, slow: f64, shard: u16, migrating: bool) -> u64 {
        match self {
            Behaviour::Service(s) => s.work_time(rng, slow),
            Behaviour::Database(d) => d.work_time(rng, slow, shard, migrating),
            Behaviour::Cache(c) => c.work_time(rng, slow),
            Behaviour::Client
            | Behaviour::Balancer(_)
            | Behaviour::Queue(_)
            | Behaviour::Pooler(_)
            | Behaviour::Store(_)
            | Behaviour::Log(_) => 0,
        }
    }

    /// The configured shares of work answered with a 5xx and with a 4xx.
    pub fn error_rates(&self) -> (f64, f64) {
        match self {
            Behaviour::Service(s) => (s.error_rate, s.client_error_rate),
            _ => (0.0, 0.0),
        }
    }

    /// What the kind adds to its node's live view (pool or queue bars,
    /// healthy backends).
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        match self {
            Behaviour::Service(s) => s.fill_view(v),
            Behaviour::Database(d) => d.fill_view(v),
            Behaviour::Queue(q) => q.fill_view(v),
            Behaviour::Balancer(lb) => lb.fill_view(v),
            Behaviour::Cache(c) => c.fill_view(v),
            Behaviour::Pooler(p) => p.fill_view(v),
            Behaviour::Store(s) => s.fill_view(v),
            Behaviour::Log(l) => l.fill_view(v),
            Behaviour::Client => {}
        }
    }

    /// What the kind adds to its node's entry in the run report.
    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        match self {
            Behaviour::Service(s) => s.fill_report(r),
            Behaviour::Queue(q) => q.fill_report(r),
            Behaviour::Database(d) => d.fill_report(r),
            Behaviour::Cache(c) => c.fill_report(r),
            Behaviour::Pooler(p) => p.fill_report(r),
            Behaviour::Store(s) => s.fill_report(r),
            Behaviour::Log(l) => l.fill_report(r),
            Behaviour::Balancer(lb) => lb.fill_report(r),
            Behaviour::Client => {}
        }
    }

    /// The kind's pools of workers or connections: a service's one, a
    /// database's one per shard (none for the other kinds).
    pub fn pools(&self) -> &[Pool] {
        match self {
            Behaviour::Service(s) => s.fleet.as_ref().map_or(std::slice::from_ref(&s.pool), |f| &f.pools),
            Behaviour::Database(d) => &d.pools,
            Behaviour::Pooler(p) => std::slice::from_ref(&p.pool),
            _ => &[],
        }
    }

    /// Busy workers or connections, over every pool.
    #[inline]
    pub fn busy(&self) -> u32 {
        match self {
            Behaviour::Service(s) => s.fleet.as_ref().map_or(s.pool.busy, |f| f.busy()),
            Behaviour::Database(d) if d.pools.len() == 1 => d.pools[0].busy,
            Behaviour::Database(d) => d.busy(),
            Behaviour::Pooler(p) => p.pool.busy,
            _ => 0,
        }
    }

    /// The pool a call on `shard` (see `Call::shard`) is admitted to and
    /// frees a worker of: the service's only pool, the database's shard's.
    #[inline]
    pub fn pool_mut(&mut self, shard: u16) -> Option<&mut Pool> {
        match self {
            Behaviour::Service(s) => match &mut s.fleet {
                None => Some(&mut s.pool),
                Some(f) => f.pools.get_mut(usize::from(shard)),
            },
            Behaviour::Database(d) => d.pools.get_mut(usize::from(shard)),
            Behaviour::Pooler(p) => Some(&mut p.pool),
            _ => None,
        }
    }
}

/// The hooks: the core calls these, each kind's module answers.
impl Sim {
    /// A call reached `node`, which is up.
    #[inline(always)]
    pub(crate) fn arrive_at(&mut self, node: usize, idx: u32) {
        match self.nodes[node].behaviour.tag() {
            KindTag::Client => client::arrive(self, node, idx),
            KindTag::Balancer => balancer::arrive(self, node, idx),
            KindTag::Service => service::arrive(self, node, idx),
            KindTag::Database => database::arrive(self, node, idx),
            KindTag::Queue => queue::arrive(self, node, idx),
            KindTag::Cache => cache::arrive(self, node, idx),
            KindTag::Pooler => pooler::arrive(self, node, idx),
            KindTag::Store => store::arrive(self, node, idx),
            KindTag::Log => log::arrive(self, node, idx),
        }
    }

    /// `node`'s own work on a call is done and did not fail: what next.
    pub(crate) fn work_done_at(&mut self, node: usize, idx: u32, op: u16, req: Req) {
        match self.nodes[node].behaviour.tag() {
            KindTag::Service => service::work_done(self, node, idx, op, req),
            KindTag::Cache => cache::work_done(self, node, idx, op, req),
            KindTag::Pooler => pooler::work_done(self, node, idx, op, req),
            KindTag::Database => database::work_done(self, node, idx, op),
            KindTag::Client | KindTag::Balancer | KindTag::Queue | KindTag::Store | KindTag::Log => {
                self.finish(node, idx, Outcome::Ok)
            }
        }
    }

    /// A call `node` made for its call `parent` ended with `outcome`.
    pub(crate) fn child_done_at(&mut self, node: usize, parent: u32, outcome: Outcome) {
        match self.nodes[node].behaviour.tag() {
            KindTag::Balancer => balancer::child_done(self, node, parent, outcome),
            KindTag::Service => service::child_done(self, node, parent, outcome),
            KindTag::Cache => cache::child_done(self, node, parent, outcome),
            KindTag::Pooler => pooler::child_done(self, node, parent, outcome),
            KindTag::Client | KindTag::Database | KindTag::Queue | KindTag::Store | KindTag::Log => {}
        }
    }

    /// A call `node` made on its own account (not for a call of its own)
    /// ended with `outcome`: a queue's delivery was acknowledged or failed,
    /// or a write-behind cache's flush. Out of line: rare, and kept out of
    /// the path every response takes.
    #[inline(never)]
    pub(crate) fn own_call_answered(&mut self, node: usize, outcome: Outcome, req: Req) {
        match self.nodes[node].behaviour.tag() {
            KindTag::Queue => queue::delivery_answered(self, node, outcome, req),
            KindTag::Log => log::delivery_answered(self, node, outcome, req),
            KindTag::Cache => cache::flush_answered(self, node, outcome, req),
            _ => {}
        }
    }

    /// A node's own timer (`Event::Redeliver`) fired: a queue's redelivery
    /// delay is over, or a write-behind cache flushes.
    #[inline(never)]
    pub(crate) fn timer_at(&mut self, node: usize) {
        match self.nodes[node].behaviour.tag() {
            KindTag::Queue => queue::redeliver(self, node),
            KindTag::Cache => cache::flush(self, node),
            KindTag::Database => replication::promote(self, node),
            _ => {}
        }
    }

    /// `node` finished a call successfully (before it answers).
    pub(crate) fn succeeded_at(&mut self, node: usize, idx: u32) {
        match self.nodes[node].behaviour.tag() {
            KindTag::Service => service::succeeded(self, node, idx),
            KindTag::Database if !self.log_sources.is_empty() => log::committed(self, node, idx),
            _ => {}
        }
    }

    /// `node` crashed: the core has failed the calls it held and abandoned
    /// the ones it made; `own_calls` are those it had made on its own
    /// account, with the time each was sent.
    pub(crate) fn crashed_at(&mut self, node: usize, own_calls: Vec<(u64, Req)>) {
        service::instances::crashed(self, node);
        if self.nodes[node].behaviour.tag() == KindTag::Store {
            return store::crash(self, node);
        }
        let now = self.now().0;
        match &mut self.nodes[node].behaviour {
            Behaviour::Service(s) => s.crash(),
            Behaviour::Database(d) => d.crash(),
            Behaviour::Queue(q) => q.crash(own_calls),
            Behaviour::Cache(c) => c.crash(),
            Behaviour::Pooler(p) => p.crash(),
            Behaviour::Log(l) => l.crash(now),
            Behaviour::Client | Behaviour::Balancer(_) | Behaviour::Store(_) => {}
        }
        if !self.log_sources.is_empty() {
            log::node_crashed(self);
        }
    }

    /// `node` is up and running after a fault started or ended: it resumes
    /// what a crash or pause held back.
    pub(crate) fn resumed_at(&mut self, node: usize) {
        service::instances::resumed(self, node);
        match self.nodes[node].behaviour.tag() {
            KindTag::Queue => queue::pump(self, node),
            KindTag::Store => store::resumed(self, node),
            KindTag::Log => log::resumed(self, node),
            _ => {}
        }
    }
}
