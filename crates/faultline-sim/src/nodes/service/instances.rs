//! A service's instances (pods), their connection pools, their restarts
//! and their rolling deploys.
//!
//! Why this exists: a database's `max_connections` is a limit on
//! connections, not on queries, and the connections are held by every
//! instance of every service that calls it, each through a pool of its own.
//! 50 pods with a pool of 20 want 1,000 connections; PostgreSQL with
//! `max_connections = 500` refuses the rest ("too many clients"). A pod
//! that cannot open its minimum pool fails its start-up probe and exits;
//! Kubernetes restarts it with CrashLoopBackOff; a rolling deploy runs old
//! and new pods side by side, so more pods hold pools than there are
//! replicas. None of that is scripted here: it follows from the pieces.
//!
//! - Each instance has its own workers (a `Pool`, indexed by `Call::shard`
//!   for the service's calls) and one connection pool per database it
//!   calls. A call to a database takes an idle connection, or the pool
//!   opens one (up to `pool_size`) and the call waits; it fails with a 5xx
//!   after `acquire_timeout_ms`. The connection is held for that call and
//!   returned when it ends.
//! - Opening a connection is a message to the database and back (the
//!   edge's latency, loss and partitions) plus the database's
//!   `connect_time_ms`; the database refuses it past its limit
//!   (`connections.rs`). It fails after `connect_timeout_ms` without answer.
//! - An instance boots (`startup_ms`), opens `min_pool` connections to each
//!   database, and only then is ready (gets calls, round-robin, as a
//!   Kubernetes Service spreads them over ready endpoints). If an opening
//!   fails, the instance exits; it is restarted after the CrashLoopBackOff
//!   delay (`policy/backoff_k8s.rs`). The instances of the first moment of
//!   the run are already up: they open their minimum pools in the
//!   background and never fail their start.
//! - A `deploy` fault replaces the instances with a new version under the
//!   rolling-update rules of `scenario/deploy.rs`: old instances stop taking
//!   calls, drain what they hold, then close their connections.
//!
//! - An `autoscale` setting adds a HorizontalPodAutoscaler
//!   (`autoscaler.rs`): at each sync it sets the replicas, and the
//!   instances it adds boot and open their pools like any other, so a
//!   scale-up against a full database is a connection storm of its own.
//!   Scaling down stops instances that are not ready first, then the
//!   newest ready ones (a ReplicaSet's deletion order), which drain.
//!
//! A service with one instance and no pool has none of this (`fleet` is
//! `None`): its single pool is the service's own, as before, bit for bit.

use crate::calls::{FailReason, Outcome, Req};
use crate::event::Event;
use crate::nodes::connections::ConnBook;
use crate::nodes::{Behaviour, Pool};
use crate::policy::backoff_k8s::CrashLoop;
use crate::rng::{unit_open, SimRng};
use crate::scenario::deploy::{default_scale, resolve_limits, scale_down, scale_up, RolloutCounts};
use crate::scenario::{BadVersion, ConnectionPool, FaultAction, ServiceConfig};
use crate::sim::Sim;
use crate::time::{ms_to_micros, SimTime};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How often a draining instance looks whether it is empty.
const DRAIN_CHECK_US: u64 = 100_000;

/// Where an instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Booting or opening its minimum pools: gets no calls yet.
    Starting,
    Ready,
    /// Stopping: gets no new calls, finishes those it holds.
    Draining,
    /// Exited; restarts when its back-off delay is over.
    BackingOff,
    /// Gone (its slot may take a new instance).
    Stopped,
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub state: State,
    /// 0 for the first version, one more per deploy.
    pub version: u32,
    /// Bumped at every start and stop: timers of an earlier life are void.
    life: u32,
    started_us: u64,
    crash_loop: CrashLoop,
    /// One per pooled dependency (`Fleet::pooled`).
    conns: Vec<ConnPool>,
    /// Connections still to open before it is ready.
    pending_open: u32,
    /// When a backing-off instance starts again.
    pub restart_at_us: u64,
    bad: BadVersion,
    boot_us: u64,
}

/// One instance's connections to one database.
#[derive(Clone, Debug, Default)]
struct ConnPool {
    idle: u32,
    busy: u32,
    opening: u32,
    /// The database's epoch the connections belong to.
    epoch: u32,
    /// The calls holding the busy connections.
    holders: Vec<u32>,
    /// Calls waiting for a connection (index, generation), oldest first.
    waiters: VecDeque<(u32, u32)>,
    retry_armed: bool,
}

impl ConnPool {
    fn held(&self) -> u32 {
        self.idle + self.busy
    }
}

/// A dependency that goes through the connection pool.
#[derive(Clone, Copy, Debug)]
struct PooledDep {
    /// Index into the service's dependencies.
    dep: u16,
    edge: u32,
    target: u32,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Timer {
    /// A connection request reaches the database.
    ConnAtDb {
        slot: u16,
        life: u32,
        pd: u16,
        sent_us: u64,
    },
    /// The answer reaches the instance; `epoch` is the database's if it opened one.
    ConnReply {
        slot: u16,
        life: u32,
        pd: u16,
        opened: Option<u32>,
    },
    ConnRetry {
        slot: u16,
        life: u32,
        pd: u16,
    },
    AcquireTimeout {
        slot: u16,
        pd: u16,
        call: u32,
        gen: u32,
    },
    Booted {
        slot: u16,
        life: u32,
    },
    Restart {
        slot: u16,
        life: u32,
    },
    DrainCheck {
        slot: u16,
        life: u32,
    },
    /// The autoscaler's sync.
    Sync,
}

#[derive(Clone, Debug)]
struct Rollout {
    surge: u32,
    unavailable: u32,
    boot_us: u64,
    bad: BadVersion,
}

/// What the run report says of a service's instances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InstancesReport {
    /// Replicas asked for: the document's, or the autoscaler's at the end.
    pub instances: u32,
    /// Ready at the end of the run.
    pub ready: u32,
    /// Most instances alive (not stopped) at once, draining ones included.
    pub peak_alive: u32,
    /// Starts that failed (the minimum pool could not be opened, or the
    /// version crashed at start).
    pub failed_starts: u64,
    /// Restarts after a back-off (CrashLoopBackOff).
    pub restarts: u64,
    /// Connections the database refused to this service's instances.
    pub refused_connections: u64,
    /// Calls that waited `acquire_timeout_ms` for a connection and failed.
    pub acquire_timeouts: u64,
    /// Most connections this service held at once.
    pub peak_connections: u32,
    pub deploys: u32,
    /// When the latest deploy finished (every instance new and ready); `null`
    /// if it is still rolling (stalled) or there was none.
    pub rollout_done_ms: Option<u64>,
}

/// One instance on the service's card.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstancePip {
    pub state: State,
    pub version: u32,
    /// Connections it holds.
    pub connections: u32,
    /// When a backing-off instance restarts, in simulated milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_at_ms: Option<f64>,
}

/// A service's instances.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// Each slot's workers; a call's `shard` is its slot.
    pub pools: Vec<Pool>,
    pub slots: Vec<Instance>,
    pooled: Vec<PooledDep>,
    /// Whether the service has a connection pool at all.
    pooling: bool,
    pool_cfg: ConnectionPool,
    pub(super) workers: u32,
    queue_capacity: u32,
    startup_us: u64,
    pub(super) replicas: u32,
    next: usize,
    timers: Vec<Option<Timer>>,
    free_timers: Vec<u32>,
    rng: SimRng,
    version: u32,
    rollout: Option<Rollout>,
    pub(super) crashed: bool,
    held: u32,
    /// Connections the database has opened whose answer is on its way.
    in_transit: u32,
    report: InstancesReport,
    /// The HorizontalPodAutoscaler, if the service has one.
    pub(super) autoscaler: Option<Box<super::autoscaler::Autoscaler>>,
}

impl Fleet {
    /// The instances a service starts with (ready; pools opened by `init`).
    pub fn new(cfg: &ServiceConfig, rng: SimRng) -> Fleet {
        let replicas = cfg.autoscale.map_or(cfg.instances.max(1), |a| a.initial(cfg.instances));
        let mut f = Fleet {
            pools: Vec::new(),
            slots: Vec::new(),
            pooled: Vec::new(),
            pooling: cfg.connection_pool.is_some(),
            pool_cfg: cfg.connection_pool.unwrap_or_default(),
            workers: cfg.workers,
            queue_capacity: cfg.queue_capacity,
            startup_us: ms_to_micros(cfg.startup_ms as f64),
            replicas,
            next: 0,
            timers: Vec::new(),
            free_timers: Vec::new(),
            rng,
            version: 0,
            rollout: None,
            crashed: false,
            held: 0,
            in_transit: 0,
            report: InstancesReport { instances: replicas, peak_alive: replicas, ..InstancesReport::default() },
            autoscaler: cfg.autoscale.map(|a| Box::new(super::autoscaler::Autoscaler::new(&a, replicas))),
        };
        for _ in 0..replicas {
            let slot = f.new_slot();
            f.slots[slot].state = State::Ready;
        }
        f
    }

    /// Whether the service needs instances of its own.
    pub fn wanted(cfg: &ServiceConfig) -> bool {
        cfg.instances > 1 || cfg.connection_pool.is_some() || cfg.autoscale.is_some()
    }

    fn new_slot(&mut self) -> usize {
        let conns = vec![ConnPool::default(); self.pooled.len()];
        let inst = Instance {
            state: State::Stopped,
            version: self.version,
            life: 0,
            started_us: 0,
            crash_loop: CrashLoop::default(),
            conns,
            pending_open: 0,
            restart_at_us: 0,
            bad: BadVersion::default(),
            boot_us: self.startup_us,
        };
        // A stopped slot whose workers are idle takes the new instance.
        let reuse = self
            .slots
            .iter()
            .zip(&self.pools)
            .position(|(s, p)| s.state == State::Stopped && p.busy == 0 && p.queue_depth() == 0);
        match reuse {
            Some(i) => {
                let life = self.slots[i].life;
                self.slots[i] = Instance { life, ..inst };
                i
            }
            None => {
                self.slots.push(inst);
                self.pools.push(Pool::new(self.workers, self.queue_capacity));
                self.slots.len() - 1
            }
        }
    }

    /// Connections held over every instance (open ones, not those opening).
    pub fn held(&self) -> u32 {
        self.held
    }

    /// Connections the database counts for this service: held, or opened
    /// and on their way back.
    pub fn counted_at_database(&self) -> u32 {
        self.held + self.in_transit
    }

    /// Instances in each state: (starting, ready, draining, backing off).
    pub fn counts(&self) -> (u32, u32, u32, u32) {
        let n = |st: State| self.slots.iter().filter(|s| s.state == st).count() as u32;
        (n(State::Starting), n(State::Ready), n(State::Draining), n(State::BackingOff))
    }

    /// Busy workers over every instance.
    pub fn busy(&self) -> u32 {
        self.pools.iter().map(|p| p.busy).sum()
    }

    /// The next ready instance, round-robin.
    pub fn pick(&mut self) -> Option<u16> {
        let n = self.slots.len();
        for k in 0..n {
            let i = (self.next + k) % n;
            if self.slots[i].state == State::Ready {
                self.next = i + 1;
                return Some(i as u16);
            }
        }
        None
    }

    /// Whether a call on `slot` of a bad version fails (rolled only for a bad version).
    pub fn fails(&mut self, slot: u16) -> bool {
        let rate = self.slots.get(usize::from(slot)).map_or(0.0, |s| s.bad.error_rate);
        rate > 0.0 && unit_open(&mut self.rng) < rate
    }

    pub(super) fn alive(&self) -> u32 {
        self.slots.iter().filter(|s| s.state != State::Stopped).count() as u32
    }

    /// The card's bar (every instance together) and pips.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        v.busy = self.busy();
        v.queue_depth = self.pools.iter().map(Pool::queue_depth).sum();
        v.capacity = self.slots.iter().filter(|s| s.state == State::Ready).count() as u32 * self.workers;
        v.instances = self
            .slots
            .iter()
            .filter(|s| s.state != State::Stopped)
            .map(|s| InstancePip {
                state: s.state,
                version: s.version,
                connections: s.conns.iter().map(ConnPool::held).sum(),
                restart_at_ms: (s.state == State::BackingOff).then(|| s.restart_at_us as f64 / 1e3),
            })
            .collect();
        v.desired_instances = self.autoscaler.as_ref().map(|_| self.replicas);
    }

    /// The autoscaler's entry in the run report, if it has one.
    pub fn autoscale_report(&self) -> Option<super::autoscaler::AutoscaleReport> {
        self.autoscaler.as_ref().map(|a| a.report(self.replicas))
    }

    /// Instances ready now, and those counted but not ready (booting or
    /// backing off), for the autoscaler.
    pub(super) fn readiness(&self) -> (u32, u32) {
        let (starting, ready, _, backing_off) = self.counts();
        (ready, starting + backing_off)
    }

    pub fn report(&self) -> InstancesReport {
        InstancesReport { ready: self.slots.iter().filter(|s| s.state == State::Ready).count() as u32, ..self.report }
    }

    fn add_timer(&mut self, t: Timer) -> u32 {
        match self.free_timers.pop() {
            Some(i) => {
                self.timers[i as usize] = Some(t);
                i
            }
            None => {
                self.timers.push(Some(t));
                self.timers.len() as u32 - 1
            }
        }
    }
}

fn fleet(sim: &mut Sim, node: usize) -> Option<&mut Fleet> {
    match &mut sim.nodes[node].behaviour {
        Behaviour::Service(s) => s.fleet.as_deref_mut(),
        _ => None,
    }
}

pub(super) fn fleet_of(sim: &mut Sim, node: usize) -> &mut Fleet {
    fleet(sim, node).expect("a service with instances")
}

/// The connection books of the node a pooled dependency connects to.
fn book(sim: &mut Sim, target: u32) -> Option<&mut ConnBook> {
    match &mut sim.nodes[target as usize].behaviour {
        Behaviour::Database(d) => Some(&mut d.conns),
        Behaviour::Pooler(p) => Some(&mut p.clients),
        _ => None,
    }
}

/// Closes `n` connections opened in `epoch` at `target` (a pooler in
/// session mode closes their server connections too).
fn close_at(sim: &mut Sim, target: u32, n: u32, epoch: u32) {
    if matches!(sim.nodes[target as usize].behaviour, Behaviour::Pooler(_)) {
        return crate::nodes::pooler::close_clients(sim, target as usize, n, epoch);
    }
    if let Some(b) = book(sim, target) {
        b.close(n, epoch);
    }
}

pub(super) fn schedule(sim: &mut Sim, node: usize, at_us: u64, t: Timer) {
    let timer = fleet_of(sim, node).add_timer(t);
    sim.queue.schedule(SimTime(at_us), Event::Fleet { node: node as u32, timer });
}

/// Sets up every service's instances once the nodes exist: resolves which
/// dependencies go through a pool (those to databases) and has the first
/// instances open their minimum pools.
pub(crate) fn init(sim: &mut Sim) {
    for node in 0..sim.nodes.len() {
        let Behaviour::Service(s) = &sim.nodes[node].behaviour else { continue };
        let (sync, pooling) =
            s.fleet.as_ref().map_or((None, false), |f| (f.autoscaler.as_ref().map(|a| a.period_us), f.pooling));
        if let Some(period) = sync {
            schedule(sim, node, period, Timer::Sync);
        }
        if !pooling {
            continue;
        }
        let Behaviour::Service(s) = &sim.nodes[node].behaviour else { continue };
        let pooled: Vec<PooledDep> = s
            .deps
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let target = sim.edges[d.edge as usize].to;
                let kind = &sim.nodes[target as usize].behaviour;
                matches!(kind, Behaviour::Database(_) | Behaviour::Pooler(_)).then_some(PooledDep {
                    dep: i as u16,
                    edge: d.edge,
                    target,
                })
            })
            .collect();
        let f = fleet_of(sim, node);
        for slot in &mut f.slots {
            slot.conns = vec![ConnPool::default(); pooled.len()];
        }
        f.pooled = pooled;
        let slots = f.slots.len();
        for slot in 0..slots {
            open_min_pools(sim, node, slot as u16);
        }
    }
}

/// A service without instances gets them (a deploy names it): its one pool
/// becomes its first instance's.
fn ensure_fleet(sim: &mut Sim, node: usize) {
    let seed = sim.scenario.seed;
    let id = sim.scenario.nodes[node].id.clone();
    let crate::scenario::NodeKind::Service(cfg) = &sim.scenario.nodes[node].kind else { return };
    let cfg = cfg.clone();
    let Behaviour::Service(s) = &mut sim.nodes[node].behaviour else { return };
    if s.fleet.is_some() {
        return;
    }
    let rng = crate::rng::owned_stream(seed, crate::rng::node_owner(&id), crate::rng::Purpose::Instances);
    let mut f = Fleet::new(&cfg, rng);
    f.pools[0] = std::mem::replace(&mut s.pool, Pool::new(0, 0));
    s.fleet = Some(Box::new(f));
}

/// Opens each pooled dependency's minimum pool for `slot`.
fn open_min_pools(sim: &mut Sim, node: usize, slot: u16) {
    let f = fleet_of(sim, node);
    let (pds, min) = (f.pooled.len(), f.pool_cfg.min_pool.min(f.pool_cfg.pool_size));
    f.slots[usize::from(slot)].pending_open =
        if f.slots[usize::from(slot)].state == State::Starting { min * pds as u32 } else { 0 };
    for pd in 0..pds {
        for _ in 0..min {
            connect(sim, node, slot, pd as u16);
        }
    }
}

/// One way over a pooled dependency's edge: its latency, or `None` if the
/// message is lost or the edge is cut.
fn one_way(sim: &mut Sim, node: usize, edge: u32) -> Option<u64> {
    let Behaviour::Service(s) = &mut sim.nodes[node].behaviour else { return None };
    let f = s.fleet.as_deref_mut()?;
    let e = &sim.edges[edge as usize];
    if e.blocked > 0 || (e.loss > 0.0 && unit_open(&mut f.rng) < e.loss) {
        return None;
    }
    Some(e.latency.sample(&mut f.rng) + e.extra_latency_us)
}

/// `slot` starts opening one connection over pooled dependency `pd`.
fn connect(sim: &mut Sim, node: usize, slot: u16, pd: u16) {
    let now = sim.now.0;
    let f = fleet_of(sim, node);
    let (edge, life, timeout) =
        (f.pooled[usize::from(pd)].edge, f.slots[usize::from(slot)].life, f.pool_cfg.connect_timeout_ms);
    f.slots[usize::from(slot)].conns[usize::from(pd)].opening += 1;
    match one_way(sim, node, edge) {
        Some(lat) => schedule(sim, node, now + lat, Timer::ConnAtDb { slot, life, pd, sent_us: now }),
        None => {
            let at = now + ms_to_micros(timeout as f64);
            schedule(sim, node, at, Timer::ConnReply { slot, life, pd, opened: None });
        }
    }
}

/// Fires timer `timer` of `node`'s instances.
pub(crate) fn on_timer(sim: &mut Sim, node: usize, timer: u32) {
    if matches!(sim.nodes[node].behaviour, Behaviour::Pooler(_)) {
        return crate::nodes::pooler::on_timer(sim, node, timer);
    }
    let Some(f) = fleet(sim, node) else { return };
    let Some(t) = f.timers.get_mut(timer as usize).and_then(Option::take) else { return };
    f.free_timers.push(timer);
    // Only these may change an instance's state.
    let states = matches!(t, Timer::ConnReply { .. } | Timer::Booted { .. } | Timer::Restart { .. })
        || matches!(t, Timer::DrainCheck { .. } | Timer::Sync);
    fire(sim, node, t);
    if states {
        tally(sim, node);
    }
}

/// Counts the instances billed and ready from now on (see `billing.rs`):
/// called after anything that may have changed an instance's state.
pub(super) fn tally(sim: &mut Sim, node: usize) {
    let now = sim.now.0;
    let Behaviour::Service(s) = &mut sim.nodes[node].behaviour else { return };
    let Some(f) = s.fleet.as_deref_mut() else { return };
    let alive = f.alive();
    if s.bill.value() != alive {
        s.bill.set(now, alive);
    }
    if let Some(a) = f.autoscaler.as_deref_mut() {
        let ready = f.slots.iter().filter(|s| s.state == State::Ready).count() as u32;
        if a.ready.value() != ready {
            a.ready.set(now, ready);
        }
    }
}

fn fire(sim: &mut Sim, node: usize, t: Timer) {
    let now = sim.now.0;
    match t {
        Timer::ConnAtDb { slot, life, pd, sent_us } => {
            let f = fleet_of(sim, node);
            let (target, edge) = (f.pooled[usize::from(pd)].target, f.pooled[usize::from(pd)].edge);
            let deadline = sent_us + ms_to_micros(f.pool_cfg.connect_timeout_ms as f64);
            let down = sim.nodes[target as usize].down;
            let (opened, work) = if down {
                (None, 0)
            } else if matches!(sim.nodes[target as usize].behaviour, Behaviour::Pooler(_)) {
                (crate::nodes::pooler::accept_client(sim, target as usize), 0)
            } else {
                match book(sim, target) {
                    Some(b) => (b.try_open().then_some(b.epoch), b.connect_us),
                    None => (None, 0),
                }
            };
            if opened.is_none() && !down {
                fleet_of(sim, node).report.refused_connections += 1;
            }
            let back = one_way(sim, node, edge);
            let at = back.map_or(deadline, |lat| (now + work + lat).min(deadline));
            // Answered too late: the client gave up; the server closes it then.
            let opened = if back.is_none() || now + work + back.unwrap_or(0) > deadline {
                if let Some(epoch) = opened {
                    close_at(sim, target, 1, epoch);
                }
                None
            } else {
                opened
            };
            if opened.is_some() {
                fleet_of(sim, node).in_transit += 1;
            }
            schedule(sim, node, at, Timer::ConnReply { slot, life, pd, opened });
        }
        Timer::ConnReply { slot, life, pd, opened } => conn_reply(sim, node, slot, life, pd, opened),
        Timer::ConnRetry { slot, life, pd } => {
            let f = fleet_of(sim, node);
            let s = &mut f.slots[usize::from(slot)];
            if s.life != life {
                return;
            }
            let size = f.pool_cfg.pool_size;
            let c = &mut s.conns[usize::from(pd)];
            c.retry_armed = false;
            if !c.waiters.is_empty() && c.held() + c.opening < size {
                connect(sim, node, slot, pd);
            }
        }
        Timer::AcquireTimeout { slot, pd, call, gen } => {
            let f = fleet_of(sim, node);
            let c = &mut f.slots[usize::from(slot)].conns[usize::from(pd)];
            let Some(at) = c.waiters.iter().position(|&w| w == (call, gen)) else { return };
            c.waiters.remove(at);
            f.report.acquire_timeouts += 1;
            if sim.calls.get(call, gen).is_some() {
                sim.calls.at_mut(call).dep_failed = true;
                super::after_child(sim, node, call, Outcome::Failed(FailReason::ErrorStatus));
            }
        }
        Timer::Booted { slot, life } => {
            let f = fleet_of(sim, node);
            let s = &f.slots[usize::from(slot)];
            if s.life != life || s.state != State::Starting {
                return;
            }
            if s.bad.crash_at_start {
                return exit(sim, node, slot);
            }
            open_min_pools(sim, node, slot);
            if fleet_of(sim, node).slots[usize::from(slot)].pending_open == 0 {
                become_ready(sim, node, slot);
            }
        }
        Timer::Restart { slot, life } => {
            let f = fleet_of(sim, node);
            let s = &f.slots[usize::from(slot)];
            if s.life != life || s.state != State::BackingOff {
                return;
            }
            f.report.restarts += 1;
            start(sim, node, slot);
        }
        Timer::DrainCheck { slot, life } => {
            let f = fleet_of(sim, node);
            if f.slots[usize::from(slot)].life != life {
                return;
            }
            let p = &f.pools[usize::from(slot)];
            let holds = f.slots[usize::from(slot)].conns.iter().any(|c| c.busy > 0);
            if p.busy == 0 && p.queue_depth() == 0 && !holds {
                stop_now(sim, node, slot);
                reconcile(sim, node);
            } else {
                schedule(sim, node, now + DRAIN_CHECK_US, Timer::DrainCheck { slot, life });
            }
        }
        Timer::Sync => super::autoscaler::sync(sim, node),
    }
}

fn conn_reply(sim: &mut Sim, node: usize, slot: u16, life: u32, pd: u16, opened: Option<u32>) {
    let target = fleet_of(sim, node).pooled[usize::from(pd)].target;
    let epoch_now = book(sim, target).map_or(0, |b| b.epoch);
    let f = fleet_of(sim, node);
    if opened.is_some() {
        f.in_transit -= 1;
    }
    let (size, retry_ms) = (f.pool_cfg.pool_size, f.pool_cfg.retry_connect_ms);
    let s = &mut f.slots[usize::from(slot)];
    if s.life != life {
        // Opened for an instance that has since exited or stopped: closed at once.
        if let Some(epoch) = opened {
            close_at(sim, target, 1, epoch);
        }
        return;
    }
    let starting = s.state == State::Starting;
    let c = &mut s.conns[usize::from(pd)];
    c.opening -= 1;
    match opened {
        Some(epoch) if epoch == epoch_now => {
            if c.epoch != epoch {
                let dead = c.held();
                forget_dead(c, epoch);
                f.held -= dead;
            }
            c.idle += 1;
            f.held += 1;
            f.report.peak_connections = f.report.peak_connections.max(f.held);
            if starting {
                s.pending_open = s.pending_open.saturating_sub(1);
                if s.pending_open == 0 {
                    become_ready(sim, node, slot);
                }
            } else {
                hand_over(sim, node, slot, pd);
            }
        }
        _ => {
            if starting {
                return exit(sim, node, slot);
            }
            if !c.waiters.is_empty() && !c.retry_armed && c.held() + c.opening < size {
                c.retry_armed = true;
                let at = sim.now.0 + ms_to_micros(retry_ms as f64);
                schedule(sim, node, at, Timer::ConnRetry { slot, life, pd });
            }
        }
    }
}

/// The database restarted since the pool's connections were opened: they are gone.
fn forget_dead(c: &mut ConnPool, epoch: u32) {
    c.idle = 0;
    c.busy = 0;
    c.holders.clear();
    c.epoch = epoch;
}

/// An idle connection of (`slot`, `pd`) goes to the longest-waiting call.
fn hand_over(sim: &mut Sim, node: usize, slot: u16, pd: u16) {
    loop {
        let f = fleet_of(sim, node);
        let c = &mut f.slots[usize::from(slot)].conns[usize::from(pd)];
        if c.idle == 0 {
            return;
        }
        let Some((call, gen)) = c.waiters.pop_front() else { return };
        if sim.calls.get(call, gen).is_none() {
            continue;
        }
        let c = &mut fleet_of(sim, node).slots[usize::from(slot)].conns[usize::from(pd)];
        c.idle -= 1;
        c.busy += 1;
        c.holders.push(call);
        let edge = fleet_of(sim, node).pooled[usize::from(pd)].edge;
        let req = sim.calls.at(call).req_next_hop();
        sim.send_dep(node, req, call, edge);
    }
}

/// A service calls its dependency `dep` for call `parent`: through the
/// instance's connection pool if it goes to a database.
pub(crate) fn call_dep(sim: &mut Sim, node: usize, req: Req, parent: u32, dep: usize) {
    let Behaviour::Service(s) = &sim.nodes[node].behaviour else { unreachable!("a service") };
    let edge = s.deps[dep].edge;
    let pd = s.fleet.as_deref().and_then(|f| f.pooled.iter().position(|p| usize::from(p.dep) == dep));
    let Some(pd) = pd else {
        return sim.send_dep(node, req, parent, edge);
    };
    let (pd, slot, gen) = (pd as u16, sim.calls.at(parent).shard, sim.calls.at(parent).gen);
    let target = fleet_of(sim, node).pooled[usize::from(pd)].target;
    let epoch = book(sim, target).map_or(0, |b| b.epoch);
    let now = sim.now.0;
    let f = fleet_of(sim, node);
    let (size, wait) = (f.pool_cfg.pool_size, f.pool_cfg.acquire_timeout_ms);
    let c = &mut f.slots[usize::from(slot)].conns[usize::from(pd)];
    if c.epoch != epoch {
        let dead = c.held();
        forget_dead(c, epoch);
        f.held -= dead;
    }
    if c.idle > 0 {
        c.idle -= 1;
        c.busy += 1;
        c.holders.push(parent);
        return sim.send_dep(node, req, parent, edge);
    }
    c.waiters.push_back((parent, gen));
    let grow = c.held() + c.opening < size;
    schedule(sim, node, now + ms_to_micros(wait as f64), Timer::AcquireTimeout { slot, pd, call: parent, gen });
    if grow {
        connect(sim, node, slot, pd);
    }
}

/// Call `parent` is done with its connection to dependency `dep` (`None`:
/// with all it holds): it goes to the next waiting call.
pub(crate) fn release(sim: &mut Sim, node: usize, parent: u32, dep: Option<usize>) {
    let Some(f) = fleet(sim, node) else { return };
    if f.pooled.is_empty() {
        return;
    }
    let slot = sim.calls.at(parent).shard;
    let pds = fleet_of(sim, node).pooled.len();
    for pd in 0..pds {
        let f = fleet_of(sim, node);
        let this = usize::from(f.pooled[pd].dep);
        if dep.is_some_and(|d| this != d) {
            continue;
        }
        let c = &mut f.slots[usize::from(slot)].conns[pd];
        let Some(at) = c.holders.iter().position(|&h| h == parent) else { continue };
        c.holders.swap_remove(at);
        c.busy -= 1;
        c.idle += 1;
        hand_over(sim, node, slot, pd as u16);
        if dep.is_some() {
            return;
        }
    }
}

/// `slot` starts (or restarts): it boots, then opens its minimum pools.
pub(super) fn start(sim: &mut Sim, node: usize, slot: u16) {
    let now = sim.now.0;
    let f = fleet_of(sim, node);
    let s = &mut f.slots[usize::from(slot)];
    s.state = State::Starting;
    s.life += 1;
    s.started_us = now;
    let (life, boot) = (s.life, s.boot_us);
    schedule(sim, node, now + boot, Timer::Booted { slot, life });
}

fn become_ready(sim: &mut Sim, node: usize, slot: u16) {
    fleet_of(sim, node).slots[usize::from(slot)].state = State::Ready;
    reconcile(sim, node);
}

/// Closes every connection `slot` holds.
fn close_all(sim: &mut Sim, node: usize, slot: u16) {
    let f = fleet_of(sim, node);
    let closing: Vec<(u32, u32, u32)> = f.slots[usize::from(slot)]
        .conns
        .iter_mut()
        .zip(&f.pooled)
        .map(|(c, p)| {
            let n = c.held();
            let epoch = c.epoch;
            c.idle = 0;
            c.busy = 0;
            c.holders.clear();
            c.waiters.clear();
            (p.target, n, epoch)
        })
        .collect();
    f.held -= closing.iter().map(|c| c.1).sum::<u32>();
    for (target, n, epoch) in closing {
        close_at(sim, target, n, epoch);
    }
}

/// `slot` failed to start (or crashed at start): it exits and is restarted
/// after its back-off delay.
fn exit(sim: &mut Sim, node: usize, slot: u16) {
    close_all(sim, node, slot);
    let now = sim.now.0;
    let f = fleet_of(sim, node);
    f.report.failed_starts += 1;
    let s = &mut f.slots[usize::from(slot)];
    s.state = State::BackingOff;
    s.life += 1;
    let delay = s.crash_loop.on_exit(now - s.started_us);
    s.restart_at_us = now + delay;
    let life = s.life;
    schedule(sim, node, now + delay, Timer::Restart { slot, life });
    reconcile(sim, node);
}

/// Stops `slot` at once (it holds no calls).
fn stop_now(sim: &mut Sim, node: usize, slot: u16) {
    close_all(sim, node, slot);
    let s = &mut fleet_of(sim, node).slots[usize::from(slot)];
    s.state = State::Stopped;
    s.life += 1;
}

/// Stops `slot`: a ready one drains first.
pub(super) fn stop(sim: &mut Sim, node: usize, slot: u16) {
    let now = sim.now.0;
    let s = &mut fleet_of(sim, node).slots[usize::from(slot)];
    if s.state == State::Ready {
        s.state = State::Draining;
        let life = s.life;
        schedule(sim, node, now, Timer::DrainCheck { slot, life });
    } else {
        stop_now(sim, node, slot);
    }
}

/// A `deploy` fault starts a rollout of a new version.
pub(crate) fn deploy(sim: &mut Sim, node: usize, action: &FaultAction) {
    let FaultAction::Deploy { max_surge, max_unavailable, readiness_delay_ms, bad, .. } = action else { return };
    ensure_fleet(sim, node);
    let f = fleet_of(sim, node);
    let default = default_scale();
    let (surge, unavailable) = resolve_limits(
        f.replicas,
        max_surge.as_ref().unwrap_or(&default),
        max_unavailable.as_ref().unwrap_or(&default),
    );
    f.version += 1;
    f.report.deploys += 1;
    f.report.rollout_done_ms = None;
    f.rollout = Some(Rollout {
        surge,
        unavailable,
        boot_us: readiness_delay_ms.map_or(f.startup_us, |ms| ms_to_micros(ms as f64)),
        bad: bad.unwrap_or_default(),
    });
    reconcile(sim, node);
    tally(sim, node);
}

/// The Deployment controller's sync: start new instances, stop old ones,
/// within the rollout's limits, until nothing changes.
fn reconcile(sim: &mut Sim, node: usize) {
    let now = sim.now.0;
    loop {
        let f = fleet_of(sim, node);
        let Some(r) = f.rollout.clone() else { return };
        let mut c = RolloutCounts::default();
        for s in &f.slots {
            let counted = matches!(s.state, State::Starting | State::Ready | State::BackingOff);
            let ready = s.state == State::Ready;
            match (counted, s.version == f.version) {
                (true, true) => {
                    c.new += 1;
                    c.new_ready += u32::from(ready);
                }
                (true, false) => {
                    c.old += 1;
                    c.old_ready += u32::from(ready);
                }
                _ => {}
            }
        }
        if c.old == 0 && c.new_ready >= f.replicas {
            f.rollout = None;
            f.report.rollout_done_ms = Some(now / 1_000);
            return;
        }
        let up = scale_up(f.replicas, r.surge, c);
        let (unhealthy, healthy) = scale_down(f.replicas, r.unavailable, c);
        if up + unhealthy + healthy == 0 {
            return;
        }
        for _ in 0..up {
            let f = fleet_of(sim, node);
            let slot = f.new_slot();
            let s = &mut f.slots[slot];
            s.bad = r.bad;
            s.boot_us = r.boot_us;
            start(sim, node, slot as u16);
        }
        let f = fleet_of(sim, node);
        let version = f.version;
        let pick = |f: &Fleet, ready: bool| {
            (0..f.slots.len()).rev().find(|&i| {
                let s = &f.slots[i];
                s.version != version
                    && if ready {
                        s.state == State::Ready
                    } else {
                        matches!(s.state, State::Starting | State::BackingOff)
                    }
            })
        };
        for (n, ready) in [(unhealthy, false), (healthy, true)] {
            for _ in 0..n {
                let Some(slot) = pick(fleet_of(sim, node), ready) else { break };
                stop(sim, node, slot as u16);
            }
        }
        let f = fleet_of(sim, node);
        f.report.peak_alive = f.report.peak_alive.max(f.alive());
    }
}

/// The service crashed: every instance dies with it, its connections too.
pub(crate) fn crashed(sim: &mut Sim, node: usize) {
    let now = sim.now.0;
    if let Behaviour::Service(s) = &mut sim.nodes[node].behaviour {
        if s.fleet.is_none() {
            return s.bill.set(now, 0); // its one instance is gone
        }
    }
    let Some(f) = fleet(sim, node) else { return };
    f.crashed = true;
    f.rollout = None;
    for slot in 0..f.slots.len() {
        stop_now(sim, node, slot as u16);
    }
    let f = fleet_of(sim, node);
    for (p, s) in f.pools.iter_mut().zip(&mut f.slots) {
        p.reset();
        s.conns.iter_mut().for_each(|c| *c = ConnPool::default());
    }
    f.held = 0;
    tally(sim, node);
}

/// The service is up again after a crash: its instances start afresh, of
/// the latest version.
pub(crate) fn resumed(sim: &mut Sim, node: usize) {
    let now = sim.now.0;
    if let Behaviour::Service(s) = &mut sim.nodes[node].behaviour {
        if s.fleet.is_none() {
            return s.bill.set(now, 1); // up again (or still: a pause ended)
        }
    }
    let Some(f) = fleet(sim, node) else { return };
    if !std::mem::take(&mut f.crashed) {
        return;
    }
    for _ in 0..f.replicas {
        let f = fleet_of(sim, node);
        let slot = f.new_slot();
        start(sim, node, slot as u16);
    }
    tally(sim, node);
}

/// The autoscaler set the replicas to `replicas`: instances start or stop
/// to match (during a rollout, the rollout's own sync does it).
pub(super) fn scale_to(sim: &mut Sim, node: usize, replicas: u32) {
    let f = fleet_of(sim, node);
    f.replicas = replicas;
    f.report.instances = replicas;
    if f.rollout.is_some() {
        return reconcile(sim, node);
    }
    if f.crashed {
        return;
    }
    let counted = |s: &Instance| matches!(s.state, State::Starting | State::Ready | State::BackingOff);
    let n = f.slots.iter().filter(|s| counted(s)).count() as u32;
    for _ in n..replicas {
        let slot = fleet_of(sim, node).new_slot();
        start(sim, node, slot as u16);
    }
    if n > replicas {
        // A ReplicaSet deletes pods not ready before ready ones, and of
        // those the most recently started first.
        let f = fleet_of(sim, node);
        let rank = |s: &Instance| match s.state {
            State::BackingOff => 0,
            State::Starting => 1,
            _ => 2,
        };
        let mut victims: Vec<usize> = (0..f.slots.len()).filter(|&i| counted(&f.slots[i])).collect();
        victims.sort_by_key(|&i| (rank(&f.slots[i]), std::cmp::Reverse(f.slots[i].started_us), std::cmp::Reverse(i)));
        for &slot in victims.iter().take((n - replicas) as usize) {
            stop(sim, node, slot as u16);
        }
    }
    let f = fleet_of(sim, node);
    f.report.peak_alive = f.report.peak_alive.max(f.alive());
}
