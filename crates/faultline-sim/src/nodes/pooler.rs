//! A connection pooler (PgBouncer-like) between applications and a database.
//!
//! Why: a database's connections are few and dear (PostgreSQL forks a
//! process for each), while applications hold pools of them per instance.
//! A pooler accepts many client connections (up to `max_client_conn`) and
//! opens only `default_pool_size` connections to the database. In
//! `transaction` mode a server connection serves one query (one
//! transaction) at a time and goes back to the pool: 1,000 client
//! connections share 20 server connections, a query waits for a free one
//! and fails after `query_wait_timeout_ms`. In `session` mode a client
//! connection keeps its server connection until it closes: no multiplexing,
//! so it only accepts clients while it can bind a server connection to each.
//!
//! Queries go through a worker `Pool` whose workers are the server
//! connections (transaction mode) and are forwarded over the pooler's one
//! outgoing edge; the server connections are opened at the database on first
//! need and kept (PgBouncer's server_idle_timeout is 10 minutes).

use super::connections::ConnBook;
use super::{Behaviour, Pool};
use crate::calls::{FailReason, Outcome, Phase, Req};
use crate::event::Event;
use crate::scenario::{PoolMode, PoolerConfig};
use crate::sim::Sim;
use crate::time::SimTime;
use serde::Serialize;

#[derive(Clone, Debug)]
pub struct PoolerRt {
    /// Server connections as workers (transaction mode), or every client's
    /// own (session mode); queries wait in its queue.
    pub pool: Pool,
    /// Client connections.
    pub clients: ConnBook,
    pub mode: PoolMode,
    pub pool_size: u32,
    /// Server connections open at the database, and its epoch then.
    pub servers: u32,
    server_epoch: u32,
    server_peak: u32,
    edge: u32,
    /// The database it connects to.
    pub server_node: u32,
    wait_us: u64,
    /// (call, generation) of each waiting query's timeout, by timer id.
    timers: Vec<Option<(u32, u32)>>,
    free_timers: Vec<u32>,
    waited: u64,
    wait_timeouts: u64,
    refused_by_server: u64,
}

/// A pooler's books in the run report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PoolerReport {
    pub client_connections_peak: u32,
    pub client_connections_refused: u64,
    pub server_connections_peak: u32,
    /// Queries that waited for a server connection.
    pub waited: u64,
    /// Queries that waited past query_wait_timeout and failed.
    pub wait_timeouts: u64,
    /// Server connections the database refused.
    pub server_refused: u64,
}

impl PoolerRt {
    pub fn new(cfg: &PoolerConfig, edge: u32, server_node: u32) -> PoolerRt {
        let workers = match cfg.pool_mode {
            PoolMode::Transaction => cfg.default_pool_size,
            PoolMode::Session => cfg.max_client_conn,
        };
        PoolerRt {
            pool: Pool::new(workers, cfg.max_client_conn),
            clients: ConnBook::new(cfg.max_client_conn, 0, 0.0),
            mode: cfg.pool_mode,
            pool_size: cfg.default_pool_size,
            servers: 0,
            server_epoch: 0,
            server_peak: 0,
            edge,
            server_node,
            wait_us: crate::time::ms_to_micros(cfg.query_wait_timeout_ms as f64),
            timers: Vec::new(),
            free_timers: Vec::new(),
            waited: 0,
            wait_timeouts: 0,
            refused_by_server: 0,
        }
    }

    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        self.pool.fill_view(v);
        v.connections = Some((self.clients.open, self.clients.limit));
    }

    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        r.pooler = Some(PoolerReport {
            client_connections_peak: self.clients.peak,
            client_connections_refused: self.clients.refused,
            server_connections_peak: self.server_peak,
            waited: self.waited,
            wait_timeouts: self.wait_timeouts,
            server_refused: self.refused_by_server,
        });
    }

    /// A crash drops every client and server connection.
    pub fn crash(&mut self) {
        self.pool.reset();
        self.clients.crash();
        self.servers = 0;
    }
}

fn pooler(sim: &mut Sim, node: usize) -> &mut PoolerRt {
    match &mut sim.nodes[node].behaviour {
        Behaviour::Pooler(p) => p,
        _ => unreachable!("node {node} is not a pooler"),
    }
}

fn server_book(sim: &mut Sim, db: u32) -> Option<&mut ConnBook> {
    match &mut sim.nodes[db as usize].behaviour {
        Behaviour::Database(d) => Some(&mut d.conns),
        _ => None,
    }
}

/// A client asks the pooler for a connection: accepted while under
/// `max_client_conn`, and in session mode only with a server connection
/// bound to it. Returns the client connection's epoch if accepted.
pub(crate) fn accept_client(sim: &mut Sim, node: usize) -> Option<u32> {
    let p = pooler(sim, node);
    if p.mode == PoolMode::Session && p.servers >= p.pool_size {
        p.clients.refused += 1;
        return None;
    }
    if !p.clients.try_open() {
        return None;
    }
    if p.mode == PoolMode::Session && !open_server(sim, node) {
        let p = pooler(sim, node);
        let epoch = p.clients.epoch;
        p.clients.close(1, epoch);
        p.clients.refused += 1;
        return None;
    }
    Some(pooler(sim, node).clients.epoch)
}

/// A client closes `n` connections it opened in `epoch`: in session mode
/// their server connections close too.
pub(crate) fn close_clients(sim: &mut Sim, node: usize, n: u32, epoch: u32) {
    let p = pooler(sim, node);
    if epoch != p.clients.epoch {
        return;
    }
    p.clients.close(n, epoch);
    if p.mode == PoolMode::Session {
        let (db, server_epoch) = (p.server_node, p.server_epoch);
        p.servers = p.servers.saturating_sub(n);
        if let Some(b) = server_book(sim, db) {
            b.close(n, server_epoch);
        }
    }
}

/// Opens one more server connection at the database; false if refused.
fn open_server(sim: &mut Sim, node: usize) -> bool {
    let db = pooler(sim, node).server_node;
    let opened = server_book(sim, db).map(|b| (b.try_open(), b.epoch));
    let p = pooler(sim, node);
    match opened {
        Some((true, epoch)) => {
            if epoch != p.server_epoch {
                p.servers = 0;
                p.server_epoch = epoch;
            }
            p.servers += 1;
            p.server_peak = p.server_peak.max(p.servers);
            true
        }
        _ => {
            p.refused_by_server += 1;
            false
        }
    }
}

/// A query arrives: a server connection takes it, or it waits (with its
/// query_wait_timeout), or it is refused when too many wait.
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    sim.admit(node, idx);
    let c = sim.calls.at(idx);
    if c.phase == Phase::Queued {
        let (gen, now) = (c.gen, sim.now.0);
        let p = pooler(sim, node);
        p.waited += 1;
        let timer = match p.free_timers.pop() {
            Some(t) => {
                p.timers[t as usize] = Some((idx, gen));
                t
            }
            None => {
                p.timers.push(Some((idx, gen)));
                p.timers.len() as u32 - 1
            }
        };
        let at = SimTime(now + p.wait_us);
        sim.queue.schedule(at, Event::Fleet { node: node as u32, timer });
    }
}

/// A waiting query's query_wait_timeout: if it still waits, it fails.
pub(crate) fn on_timer(sim: &mut Sim, node: usize, timer: u32) {
    let p = pooler(sim, node);
    let Some((idx, gen)) = p.timers.get_mut(timer as usize).and_then(Option::take) else { return };
    p.free_timers.push(timer);
    if sim.calls.get(idx, gen).is_none_or(|c| c.phase != Phase::Queued) {
        return;
    }
    let p = pooler(sim, node);
    if !p.pool.remove_queued(idx) {
        return;
    }
    p.wait_timeouts += 1;
    let now = sim.now;
    let arrived = sim.calls.at(idx).arrived_at;
    let outcome = Outcome::Failed(FailReason::Timeout);
    let n = &mut sim.nodes[node];
    n.saturating_leave();
    n.metrics.complete(outcome, now.since(arrived));
    sim.respond(idx, outcome);
}

/// A query has its server connection: forward it to the database (in
/// transaction mode opening a server connection first if the pool has
/// fewer than are busy).
pub(crate) fn work_done(sim: &mut Sim, node: usize, idx: u32, _op: u16, req: Req) {
    let p = pooler(sim, node);
    let db = p.server_node;
    let epoch = server_book(sim, db).map_or(0, |b| b.epoch);
    let p = pooler(sim, node);
    if p.server_epoch != epoch {
        p.servers = 0;
        p.server_epoch = epoch;
    }
    if p.mode == PoolMode::Transaction && p.pool.busy > p.servers && !open_server(sim, node) {
        return sim.finish(node, idx, Outcome::Failed(FailReason::ErrorStatus));
    }
    let edge = pooler(sim, node).edge;
    sim.send_dep(node, req, idx, edge);
}

/// The database answered: the server connection goes back to the pool (the
/// next waiting query takes it) and the client gets the answer.
pub(crate) fn child_done(sim: &mut Sim, node: usize, parent: u32, outcome: Outcome) {
    let outcome = if outcome.is_success() { Outcome::Ok } else { Outcome::Failed(FailReason::ErrorStatus) };
    sim.finish(node, parent, outcome);
}
