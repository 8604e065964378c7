//! The simulator: moves calls between nodes over edges, one event at a time.
//!
//! Node kinds decide (admit, queue or reject; how long work takes; which
//! backend; what to call next); this module does the plumbing between them
//! and keeps the books. It is split by concern: `flow` moves calls, `faults`
//! applies the fault timeline, `probes` runs load balancers' health checks.
//! Every request is accounted for at every step: generated = succeeded +
//! failed (by reason) + in flight.

mod faults;
mod flow;
#[cfg(test)]
mod overall_tests;
mod probes;
mod resilience;
mod stores;

use crate::calls::{Calls, FailReason};
use crate::dist::Sampler;
use crate::event::{Event, EventQueue};
use crate::metrics::Metrics;
use crate::movements::Movements;
use crate::nodes::balancer::BalancerRt;
use crate::nodes::service::{Dependency, OpSet};
use crate::nodes::{Behaviour, CacheRt, ClientRt, DatabaseRt, QueueRt, ServiceRt};
use crate::rng::{edge_owner, mix64, node_owner, owned_stream, workload_owner, Purpose, SimRng};
use crate::scenario::{Fault, NodeKind, Scenario, ScenarioError};
use crate::time::{ms_to_micros, SimTime};
use std::collections::HashMap;

/// Width of a metrics window, in microseconds of simulated time.
pub const WINDOW_US: u64 = 1_000_000;

/// Calls alive at once, across the whole run. Past this the engine refuses
/// new user requests (counted as rejected) instead of growing without bound:
/// a scenario whose calls pile up forever (no timeouts, a dead dependency)
/// must not exhaust a browser tab's memory.
pub const MAX_LIVE_CALLS: u32 = 2_000_000;

/// A node at run time.
///
/// `repr(C)` for the cache: the first 64 bytes hold what nearly every event
/// at the node touches (its random stream, counters and time integrals).
#[derive(Clone, Debug)]
#[repr(C)]
pub struct NodeRt {
    /// Work times (service and query times), or a balancer's picks.
    pub rng: SimRng,
    /// Calls at this node: queued or being worked on (for a client: its
    /// requests still waiting for an answer). Changed only through
    /// `add_in_flight` and `set_in_flight`, which keep its time integral.
    pub in_flight: u32,
    /// Busy workers as `busy_marks` knows them: `behaviour.busy()` at every
    /// moment the integral may be read (`audit` checks it).
    busy_seen: u32,
    /// The time integrals of `in_flight` and of busy workers (for
    /// time-average occupancy and utilisation), kept as the sum of t x (the
    /// change) over every change (wrapping): the integral up to `now` of a
    /// count `n` is then `n x now - marks`. Updating an area at every event
    /// (a multiplication and the node kind's busy count per event, eight a
    /// request on M/M/1) cost 4% of the engine's instructions; a change
    /// costs an addition. A change is booked at `last_change`, the last
    /// time the node was accounted (as the area-per-event version booked a
    /// change made without accounting first): so these are exactly its
    /// integers, and the occupancy and utilisation read from them are the
    /// same floating-point numbers, bit for bit.
    flight_marks: u64,
    busy_marks: u64,
    last_change: SimTime,
    /// Work-time multiplier (slow-node fault).
    pub slow: f64,
    /// Share of calls answered with a 5xx (error fault).
    pub error_rate: f64,
    /// Crashed: refuses connections until restarted.
    pub down: bool,
    /// Paused: every event addressed to it waits in `held`.
    pub paused: bool,
    /// Error rolls, apart from work times: adding an error rate leaves the
    /// node's service times as they were.
    pub err_rng: SimRng,
    pub behaviour: Behaviour,
    pub metrics: Metrics,
    held: Vec<Event>,
}

impl NodeRt {
    /// The node is accounted at `now`: changes to its counts from here on
    /// are booked at `now` (see `flight_marks`).
    #[inline]
    pub(crate) fn account(&mut self, now: SimTime) {
        self.last_change = now;
    }

    /// Adds `delta` (wrapping: -1 is `u32::MAX`) to `in_flight`, keeping
    /// its integral.
    #[inline(always)]
    pub(crate) fn add_in_flight(&mut self, delta: i32) {
        self.in_flight = self.in_flight.wrapping_add_signed(delta);
        self.flight_marks = self.flight_marks.wrapping_add(self.last_change.0.wrapping_mul(i64::from(delta) as u64));
    }

    /// Sets `in_flight`, keeping its integral.
    pub(crate) fn set_in_flight(&mut self, n: u32) {
        let delta = i64::from(n) - i64::from(self.in_flight);
        self.in_flight = n;
        self.flight_marks = self.flight_marks.wrapping_add(self.last_change.0.wrapping_mul(delta as u64));
    }

    /// `in_flight - 1`, or 0 (keeping its integral).
    #[inline]
    pub(crate) fn saturating_leave(&mut self) {
        if self.in_flight > 0 {
            self.add_in_flight(-1);
        }
    }

    /// The busy workers changed by `delta` (a worker taken or freed on the
    /// engine's path: `Sim::admit`, `Sim::finish`).
    #[inline(always)]
    pub(crate) fn busy_changed(&mut self, delta: i32) {
        self.busy_seen = self.busy_seen.wrapping_add_signed(delta);
        self.busy_marks = self.busy_marks.wrapping_add(self.last_change.0.wrapping_mul(i64::from(delta) as u64));
    }

    /// Books whatever changed the busy workers elsewhere (a crash emptying
    /// the pools): to be called right after such a change.
    pub(crate) fn sync_busy(&mut self) {
        let busy = self.behaviour.busy();
        self.busy_changed(busy.wrapping_sub(self.busy_seen) as i32);
    }

    /// The integrals of `in_flight` and of busy workers up to `now`, in
    /// call-microseconds and worker-microseconds.
    pub(crate) fn areas(&self, now: SimTime) -> (u64, u64) {
        let area = |n: u32, marks: u64| u64::from(n).wrapping_mul(now.0).wrapping_sub(marks);
        (area(self.in_flight, self.flight_marks), area(self.busy_seen, self.busy_marks))
    }
}

/// A directed link at run time.
///
/// `repr(C)` for the cache: the first 64 bytes hold what every message over
/// the edge touches, the next what every call does, then the metrics' hot
/// line; the resilience policies (rarely all present) come last.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct EdgeRt {
    /// Message latencies.
    pub rng: SimRng,
    pub from: u32,
    pub to: u32,
    pub in_flight: u32,
    /// Active partitions cutting this edge; messages are dropped while > 0.
    pub blocked: u32,
    /// Loss probability now (the scenario's, or a fault's).
    pub loss: f64,
    /// Latency added by a fault, per message.
    pub extra_latency_us: u64,
    pub latency: Sampler,
    pub timeout_us: Option<u64>,
    pub fallback: bool,
    /// Retries made over this edge.
    pub retries: u64,
    /// Calls made over this edge, measured from the caller's side.
    pub metrics: Metrics,
    /// Caller-side resilience on this edge.
    pub budget: Option<crate::policy::RetryBudget>,
    pub breaker: Option<crate::policy::Breaker>,
    pub retry: Option<crate::scenario::RetryPolicy>,
    /// Message losses and retry jitter, each apart from latencies: a lossy
    /// or retrying link keeps the latencies of a clean one.
    pub loss_rng: SimRng,
    pub jitter_rng: SimRng,
    /// Health-check probes over the edge (see `probes`).
    pub probe_rng: SimRng,
}

/// What the engine needs to know of an operation.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    pub method: crate::scenario::Method,
    pub idempotency_key: bool,
    /// Runs on every shard of a sharded database (scatter-gather).
    pub scatter: bool,
}

/// Whole-run results of one operation, at the clients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpStats {
    pub ok: u64,
    pub degraded: u64,
    pub failed: u64,
}

/// Whole-run request totals, at the clients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub generated: u64,
    pub ok: u64,
    /// Of `ok`, answered by a fallback.
    pub degraded: u64,
    pub failed: [u64; FailReason::COUNT],
    pub in_flight: u64,
}

impl Totals {
    pub fn failed_total(&self) -> u64 {
        self.failed.iter().sum()
    }

    /// generated = succeeded + failed + in flight.
    pub fn balanced(&self) -> bool {
        self.generated == self.ok + self.failed_total() + self.in_flight
    }
}

/// Whether a node of this kind looks at requests' keys (or hands them on to
/// one that may). Only clients, services and load balancers other than
/// consistent-hashing ones do not: a design of those alone routes, queues
/// and times every request the same whatever its key, so its arrivals need
/// not draw one (the key stream is its own, so no other draw moves: the
/// skipped draw cost 1.9% of an M/M/1 run's instructions).
fn reads_keys(kind: &NodeKind) -> bool {
    match kind {
        NodeKind::Client(_) | NodeKind::Service(_) => false,
        NodeKind::LoadBalancer(lb) => lb.algorithm == crate::scenario::Balancing::ConsistentHash,
        _ => true,
    }
}

/// The index of the scenario's client node if it has exactly one.
fn only_client(scenario: &Scenario) -> Option<usize> {
    let mut clients = scenario.nodes.iter().enumerate().filter(|(_, n)| matches!(n.kind, NodeKind::Client(_)));
    match (clients.next(), clients.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// A partition in force, with the edges it cuts.
#[derive(Clone, Debug)]
struct ActivePartition {
    fault: u32,
    id: Option<String>,
    edges: Vec<u32>,
}

/// A running simulation. `Clone` is a complete snapshot.
#[derive(Clone, Debug)]
pub struct Sim {
    pub(crate) scenario: Scenario,
    pub(crate) now: SimTime,
    pub(crate) end: SimTime,
    pub(crate) queue: EventQueue,
    pub(crate) calls: Calls,
    pub(crate) nodes: Vec<NodeRt>,
    pub(crate) edges: Vec<EdgeRt>,
    clients: Vec<ClientRt>,
    partitions: Vec<ActivePartition>,
    /// Lasting faults in force (indices into the timeline), so overlapping
    /// faults stack and one ending does not undo another (see `faults`).
    active_faults: Vec<u32>,
    next_request: u64,
    next_window: SimTime,
    pub(crate) trace: u64,
    pub(crate) events: u64,
    /// Nodes with `paused` set (kept by `faults`).
    paused_nodes: u32,
    /// Some node reads requests' keys (`reads_keys`); when none does and no
    /// journal records them, arrivals skip the key draw.
    reads_keys: bool,
    /// Zero-latency responses (call, generation) sent while handling the
    /// current event, for `answer_now`; always empty between events.
    answers_now: Vec<(u32, u32)>,
    pub(crate) totals: Totals,
    /// End-to-end latency of user requests, over every client; unused (and
    /// empty) when `overall_node` is set: see `overall_metrics`.
    pub(crate) overall: Metrics,
    /// The design's only client node, when it has exactly one: its metrics
    /// are then the overall metrics, counted once instead of twice.
    overall_node: Option<usize>,
    /// Recent messages, for animation.
    pub(crate) movements: Movements,
    /// Operations by index, and their results.
    pub(crate) ops: Vec<OpInfo>,
    pub(crate) op_names: Vec<String>,
    pub(crate) op_stats: Vec<OpStats>,
    /// Draws recorded on request (`record_draws`); `None` costs one branch.
    pub(crate) journal: Option<Box<crate::journal::Journal>>,
    /// End-to-end latency per operation (by index), at the clients; empty
    /// with a single operation, whose latency is `overall`'s.
    pub(crate) op_latency: Vec<Metrics>,
    /// Edges to a cache whose failed reads go to the database behind it
    /// (`Fallback::Database`): (edge to the cache, edge to the database).
    pub(crate) cache_bypass: Vec<(u32, u32)>,
    /// Each node's kind-specific series (a cache's hits, a sharded
    /// database's shards), by node index; `None` for kinds without one.
    pub(crate) kind_series: Vec<Option<crate::kind_series::KindSeries>>,
    /// Event logs fed by a database's writes: (database node, log node).
    /// Empty unless a log has a `source`: the database's commits then tell it.
    pub(crate) log_sources: Vec<(u32, u32)>,
}

impl Sim {
    /// Validates the scenario and prepares a run at time zero.
    ///
    /// Inlinable in the worker (feature `inline-cold`) for size, not speed:
    /// it is compiled where it is called, so the worker builds this cold code
    /// at faultline-live's "z" instead of this crate's opt-level 3 (see
    /// `scenario::validate`).
    #[cfg_attr(feature = "inline-cold", inline)]
    pub fn new(scenario: &Scenario) -> Result<Sim, ScenarioError> {
        scenario.validate()?;
        let seed = scenario.seed;
        let index: HashMap<&str, u32> =
            scenario.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i as u32)).collect();
        let edge_index: HashMap<(u32, u32), u32> = scenario
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| ((index[e.from.as_str()], index[e.to.as_str()]), i as u32))
            .collect();
        // Operation names across all workloads get one index each (a workload
        // without operations sends "get"); requests carry that index, so a
        // service's per-operation calls resolve to sets of indices.
        let mut op_names: Vec<&str> = Vec::new();
        for w in &scenario.workloads {
            for name in w.ops.iter().map(|o| o.name.as_str()).chain(w.ops.is_empty().then_some("get")) {
                if !op_names.contains(&name) {
                    op_names.push(name);
                }
            }
        }
        if op_names.is_empty() {
            op_names.push("get");
        }
        let ops: Vec<OpInfo> = op_names
            .iter()
            .map(|name| {
                let op = scenario.workloads.iter().flat_map(|w| &w.ops).find(|o| o.name == *name);
                OpInfo {
                    method: op.map_or(crate::scenario::Method::Get, |o| o.method),
                    idempotency_key: op.is_some_and(|o| o.idempotency_key),
                    scatter: op.is_some_and(|o| o.scatter),
                }
            })
            .collect();
        // Each operation's follower law, by the same index (fan-out by key).
        let laws: Vec<Option<crate::scenario::Followers>> = op_names
            .iter()
            .map(|name| scenario.workloads.iter().flat_map(|w| &w.ops).find(|o| o.name == *name)?.followers)
            .collect();
        let out_edges = |node: usize| -> Vec<u32> {
            scenario
                .edges
                .iter()
                .enumerate()
                .filter(|(_, e)| index[e.from.as_str()] == node as u32)
                .map(|(i, _)| i as u32)
                .collect()
        };
        let mut nodes = scenario
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let behaviour = match &n.kind {
                    NodeKind::Client(_) => Behaviour::Client,
                    NodeKind::Database(cfg) => {
                        let mut db = DatabaseRt::new(cfg, scenario.key_space())
                            .with_replicas(cfg, owned_stream(seed, node_owner(&n.id), Purpose::ReplicaLag));
                        if cfg.replicas == 0 {
                            let rng = owned_stream(seed, node_owner(&n.id), Purpose::FanIn);
                            db.fanout = crate::nodes::fanout::FanoutRt::new(&laws, cfg.pull_above_followers, rng);
                        }
                        Behaviour::Database(db)
                    }
                    NodeKind::LoadBalancer(cfg) => {
                        let backends = out_edges(i);
                        let ids: Vec<&str> = backends.iter().map(|&e| scenario.edges[e as usize].to.as_str()).collect();
                        Behaviour::Balancer(BalancerRt::new(cfg, backends, &ids))
                    }
                    NodeKind::Queue(cfg) => Behaviour::Queue(QueueRt::new(cfg, out_edges(i)[0])),
                    NodeKind::Pooler(cfg) => {
                        let edge = out_edges(i)[0];
                        let db = index[scenario.edges[edge as usize].to.as_str()];
                        Behaviour::Pooler(Box::new(crate::nodes::pooler::PoolerRt::new(cfg, edge, db)))
                    }
                    NodeKind::Log(cfg) => Behaviour::Log(Box::new(crate::nodes::LogRt::new(
                        cfg,
                        out_edges(i)[0],
                        owned_stream(seed, node_owner(&n.id), Purpose::LogProducer),
                        owned_stream(seed, crate::rng::log_errors_owner(&n.id), Purpose::LogProducer),
                    ))),
                    NodeKind::Cache(cfg) => {
                        let rng = owned_stream(seed, node_owner(&n.id), Purpose::Eviction);
                        let expiry = owned_stream(seed, node_owner(&n.id), Purpose::CacheExpiry);
                        Behaviour::Cache(Box::new(CacheRt::new(cfg, out_edges(i)[0], rng, expiry)))
                    }
                    NodeKind::Store(cfg) => {
                        let stream = |name: &str, net: bool| {
                            owned_stream(
                                seed,
                                node_owner(name),
                                if net { Purpose::Replication } else { Purpose::Elections },
                            )
                        };
                        Behaviour::Store(Box::new(crate::nodes::StoreRt::new(
                            cfg,
                            &n.id,
                            n.region.as_deref(),
                            &op_names,
                            stream,
                        )))
                    }
                    NodeKind::Service(cfg) => {
                        let deps = cfg
                            .calls
                            .iter()
                            .map(|c| Dependency {
                                edge: edge_index[&(i as u32, index[c.to.as_str()])],
                                ops: OpSet::of(&c.ops, &op_names),
                                bulkhead: cfg.bulkheads.iter().position(|b| b.to.contains(&c.to)).map(|b| b as u16),
                            })
                            .collect();
                        let rng = owned_stream(seed, node_owner(&n.id), Purpose::Instances);
                        Behaviour::Service(ServiceRt::new(cfg, deps, rng))
                    }
                };
                let owner = node_owner(&n.id);
                let work = if matches!(behaviour, Behaviour::Balancer(_)) { Purpose::Balancing } else { Purpose::Work };
                NodeRt {
                    behaviour,
                    rng: owned_stream(seed, owner, work),
                    err_rng: owned_stream(seed, owner, Purpose::Errors),
                    metrics: Metrics::default(),
                    in_flight: 0,
                    busy_seen: 0,
                    flight_marks: 0,
                    busy_marks: 0,
                    last_change: SimTime::ZERO,
                    down: false,
                    paused: false,
                    held: Vec::new(),
                    slow: 1.0,
                    error_rate: 0.0,
                }
            })
            .collect::<Vec<_>>();
        crate::nodes::cache::link_versions(&mut nodes, |e| index[scenario.edges[e as usize].to.as_str()]);
        let log_sources = crate::nodes::log::link_sources(scenario, &mut nodes, &index);
        let nodes_kind_series = nodes.iter().map(|n| crate::kind_series::KindSeries::for_kind(&n.behaviour)).collect();
        let edges = scenario
            .edges
            .iter()
            .map(|e| EdgeRt {
                from: index[e.from.as_str()],
                to: index[e.to.as_str()],
                latency: e.latency.sampler(),
                loss: e.loss,
                extra_latency_us: 0,
                blocked: 0,
                timeout_us: e.timeout_ms.map(ms_to_micros),
                rng: owned_stream(seed, edge_owner(&e.from, &e.to), Purpose::Latency),
                loss_rng: owned_stream(seed, edge_owner(&e.from, &e.to), Purpose::Loss),
                jitter_rng: owned_stream(seed, edge_owner(&e.from, &e.to), Purpose::Jitter),
                probe_rng: owned_stream(seed, edge_owner(&e.from, &e.to), Purpose::Probes),
                metrics: Metrics::default(),
                in_flight: 0,
                retry: e.retry,
                budget: e.retry.and_then(|r| r.budget).map(crate::policy::RetryBudget::new),
                breaker: e.breaker.map(|b| crate::policy::Breaker::new(b.config())),
                fallback: e.fallback.is_some(),
                retries: 0,
            })
            .collect();
        let mut queue = EventQueue::default();
        let end = SimTime::from_millis(scenario.duration_ms);
        let clients = scenario
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let client = index[w.client.as_str()];
                let edge = edge_index[&(client, index[w.target.as_str()])];
                let mut rt = ClientRt::new(w, client, edge, seed, workload_owner(&w.id));
                let names: Vec<&str> =
                    w.ops.iter().map(|o| o.name.as_str()).chain(w.ops.is_empty().then_some("get")).collect();
                rt.op_ids = names.iter().map(|n| op_names.iter().position(|o| o == n).unwrap_or(0) as u16).collect();
                if let Some(t) = rt.next_arrival(0, end.0) {
                    queue.schedule(SimTime(t), Event::Arrival { workload: i as u32, gen: 0 });
                }
                rt
            })
            .collect();
        for (i, n) in nodes.iter().enumerate() {
            if let Behaviour::Balancer(lb) = &n.behaviour {
                if lb.check_interval_us > 0 {
                    queue.schedule(SimTime(lb.check_interval_us), Event::HealthCheck { node: i as u32 });
                }
            }
        }
        for (i, n) in nodes.iter_mut().enumerate() {
            if let Behaviour::Store(st) = &mut n.behaviour {
                crate::nodes::store::start(st, &mut queue, i as u32);
            }
        }
        for (i, f) in scenario.faults.iter().enumerate() {
            queue.schedule_fault(SimTime::from_millis(f.at_ms), i as u32, Event::FaultStart { index: i as u32 });
        }
        let mut sim = Sim {
            scenario: scenario.clone(),
            now: SimTime::ZERO,
            end,
            queue,
            calls: Calls::default(),
            nodes,
            edges,
            clients,
            partitions: Vec::new(),
            active_faults: Vec::new(),
            next_request: 0,
            next_window: SimTime(WINDOW_US),
            trace: mix64(seed),
            events: 0,
            paused_nodes: 0,
            answers_now: Vec::new(),
            reads_keys: scenario.nodes.iter().any(|n| reads_keys(&n.kind)),
            totals: Totals::default(),
            overall: Metrics::default(),
            overall_node: only_client(scenario),
            movements: Movements::default(),
            op_stats: vec![OpStats::default(); ops.len()],
            op_latency: if ops.len() > 1 { vec![Metrics::default(); ops.len()] } else { Vec::new() },
            ops,
            op_names: op_names.iter().map(|s| s.to_string()).collect(),
            journal: None,
            cache_bypass: crate::nodes::cache::bypasses(scenario, &index, &edge_index),
            kind_series: nodes_kind_series,
            log_sources,
        };
        crate::nodes::service::instances::init(&mut sim);
        Ok(sim)
    }

    /// The scenario being run, including faults injected so far.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn end(&self) -> SimTime {
        self.end
    }

    pub fn is_finished(&self) -> bool {
        self.now >= self.end
    }

    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Hash of the ordered event trace so far: equal hashes, equal runs.
    pub fn trace_hash(&self) -> u64 {
        self.trace
    }

    /// Calls alive in the engine right now (user requests and their children).
    pub fn live_calls(&self) -> u32 {
        self.calls.live()
    }

    /// Results per operation (name, stats), at the clients.
    pub fn op_stats(&self) -> impl Iterator<Item = (&str, OpStats)> {
        self.op_names.iter().map(String::as_str).zip(self.op_stats.iter().copied())
    }

    /// Each operation's metrics at the clients (name, metrics), with their
    /// series over time; empty when the run sends only one operation (its
    /// numbers are then the whole system's).
    pub fn op_metrics(&self) -> impl Iterator<Item = (&str, &Metrics)> {
        self.op_names.iter().map(String::as_str).zip(self.op_latency.iter())
    }

    /// Starts (or stops, dropping what was recorded) recording the draws
    /// that shape the traffic: arrivals with their operation and key, and
    /// work times (see `journal`).
    ///
    /// In a design no node of which reads keys (`reads_keys`), keys are
    /// drawn only while recording: turn it on before the run starts to see
    /// the keys another design would get.
    pub fn record_draws(&mut self, on: bool) {
        self.journal = on.then(Box::default);
    }

    /// The draws recorded since `record_draws(true)`.
    pub fn draws(&self) -> &[crate::journal::Draw] {
        self.journal.as_deref().map_or(&[], |j| j.draws())
    }

    /// Recent messages over the edges, for the playground's particles.
    pub fn movements(&self) -> &Movements {
        &self.movements
    }

    /// Events waiting in the queue.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// A node's kind-specific series (see `kind_series`): empty for kinds
    /// that count nothing of their own and for an unsharded database.
    pub fn kind_series(&self, node: usize) -> impl Iterator<Item = &crate::kind_series::KindPoint> {
        self.kind_series.get(node).and_then(Option::as_ref).into_iter().flat_map(|s| s.points.iter())
    }

    pub fn node_metrics(&self, node: usize) -> &Metrics {
        &self.nodes[node].metrics
    }

    pub fn edge_metrics(&self, edge: usize) -> &Metrics {
        &self.edges[edge].metrics
    }

    /// End-to-end latency and results of user requests, over every client.
    /// With a single client node these are exactly its own (the same
    /// arrivals, outcomes and latencies, counted at the same moments; the
    /// same requests in flight when a window closes: no fault reaches a
    /// client), so they are counted once, at the node: a request's
    /// latency is recorded three times instead of four.
    pub fn overall_metrics(&self) -> &Metrics {
        match self.overall_node {
            Some(node) => &self.nodes[node].metrics,
            None => &self.overall,
        }
    }

    /// Runtime state of a node (for views and tests).
    pub fn node(&self, node: usize) -> &NodeRt {
        &self.nodes[node]
    }

    pub fn edge(&self, edge: usize) -> &EdgeRt {
        &self.edges[edge]
    }

    /// Whether operation `op` writes (anything but a GET): what the cache,
    /// the database's versions and replicas, and the store count as a write.
    pub(crate) fn is_write(&self, op: u16) -> bool {
        self.ops[usize::from(op).min(self.ops.len() - 1)].method != crate::scenario::Method::Get
    }

    /// Busy workers of `node` integrated over the run so far, in
    /// worker-microseconds (what `node_occupancy` divides).
    pub(crate) fn busy_area(&self, node: usize) -> u64 {
        self.nodes[node].areas(self.now).1
    }

    /// Time-average number of calls at a node and of its busy workers so far.
    pub fn node_occupancy(&self, node: usize) -> (f64, f64) {
        let span = self.now.0.max(1) as f64;
        let (in_flight, busy) = self.nodes[node].areas(self.now);
        (in_flight as f64 / span, busy as f64 / span)
    }

    /// Checks the books against the calls actually alive: every counter of
    /// calls in flight (per edge, per node, for the whole run) must equal the
    /// number of live calls it describes, and generated = ok + failed + in
    /// flight. Cost is linear in the live calls; for tests and debugging.
    pub fn audit(&self) -> Result<(), String> {
        use crate::calls::{Phase, NO_PARENT, QUEUE_PARENT};
        if !self.totals.balanced() {
            return Err(format!("totals do not add up: {:?}", self.totals));
        }
        let mut edge_live = vec![0u32; self.edges.len()];
        let mut node_live = vec![0u32; self.nodes.len()];
        let mut roots = 0u64;
        for idx in self.calls.live_indices() {
            let c = self.calls.at(idx);
            let e = &self.edges[c.edge as usize];
            // A scatter query's shard parts never travel: not on the edge's books.
            if !c.abandoned && !c.shard_part {
                edge_live[c.edge as usize] += 1;
                if c.parent == NO_PARENT {
                    roots += 1;
                    node_live[e.from as usize] += 1;
                }
            }
            if matches!(c.phase, Phase::Queued | Phase::Working) {
                node_live[e.to as usize] += 1;
            }
            // The bulkhead is the innermost policy: a call sleeping out its
            // backoff or waiting for a slot holds none.
            if c.holds_slot && !c.abandoned && matches!(c.phase, Phase::Backoff | Phase::Waiting) {
                return Err(format!("call {idx} holds a bulkhead slot in phase {:?}", c.phase));
            }
        }
        // Every bulkhead slot in use belongs to exactly one live call.
        for (i, n) in self.nodes.iter().enumerate() {
            let Behaviour::Service(svc) = &n.behaviour else { continue };
            for (b, bh) in svc.bulkheads.iter().enumerate() {
                let holders = self
                    .calls
                    .live_indices()
                    .into_iter()
                    .map(|idx| self.calls.at(idx))
                    .filter(|c| {
                        c.holds_slot
                            && !c.abandoned
                            && self.edges[c.edge as usize].from as usize == i
                            && svc.bulkhead_of(c.edge) == Some(b)
                    })
                    .count() as u32;
                if holders != bh.active {
                    return Err(format!("nodes[{i}].bulkheads[{b}]: {} active but {holders} holders", bh.active));
                }
            }
        }
        // Every queue's books balance, and each message out for delivery is one live delivery.
        for (i, n) in self.nodes.iter().enumerate() {
            let Behaviour::Queue(q) = &n.behaviour else { continue };
            if !q.balanced() {
                return Err(format!("nodes[{i}]: the queue's books do not balance: {q:?}"));
            }
            let out = self
                .calls
                .live_indices()
                .into_iter()
                .map(|idx| self.calls.at(idx))
                .filter(|c| c.parent == QUEUE_PARENT && !c.abandoned && c.edge == q.edge)
                .count() as u32;
            if out != q.delivering {
                return Err(format!("nodes[{i}]: {} messages out for delivery but {out} deliveries", q.delivering));
            }
        }
        // Every event log's books balance, and each delivery it counts is one live call.
        for (i, n) in self.nodes.iter().enumerate() {
            let Behaviour::Log(l) = &n.behaviour else { continue };
            l.audit().map_err(|e| format!("nodes[{i}]: {e}"))?;
            let out = self
                .calls
                .live_indices()
                .into_iter()
                .map(|idx| self.calls.at(idx))
                .filter(|c| c.parent == QUEUE_PARENT && !c.abandoned && c.edge == l.edge)
                .count();
            if out != l.group.out.len() {
                return Err(format!("nodes[{i}]: {} log deliveries but {out} live", l.group.out.len()));
            }
        }
        let paused = self.nodes.iter().filter(|n| n.paused).count() as u32;
        if paused != self.paused_nodes {
            return Err(format!("{paused} nodes paused, but paused_nodes is {}", self.paused_nodes));
        }
        if roots != self.totals.in_flight {
            return Err(format!("{} user requests in flight, but {} live", self.totals.in_flight, roots));
        }
        for (i, e) in self.edges.iter().enumerate() {
            if e.in_flight != edge_live[i] {
                return Err(format!("edges[{i}]: in_flight {} but {} live calls", e.in_flight, edge_live[i]));
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if n.busy_seen != n.behaviour.busy() {
                return Err(format!("nodes[{i}]: {} busy workers booked but {} busy", n.busy_seen, n.behaviour.busy()));
            }
            let counted = matches!(n.behaviour, Behaviour::Queue(_)) || n.in_flight == node_live[i];
            if !counted {
                return Err(format!("nodes[{i}]: in_flight {} but {} live calls", n.in_flight, node_live[i]));
            }
            let pools = n.behaviour.pools();
            if !pools.is_empty() {
                let busy: u32 = pools.iter().map(|p| p.busy).sum();
                let queued: u32 = pools.iter().map(|p| p.queue_depth()).sum();
                if pools.iter().any(|p| p.busy > p.capacity) || busy + queued != node_live[i] {
                    return Err(format!("nodes[{i}]: pools busy {busy} + queued {queued} vs {} calls", node_live[i]));
                }
            }
        }
        Ok(())
    }

    /// Adds a fault to the run's timeline, at `fault.at_ms` or, if that is not
    /// after now, at the next whole millisecond (the events of the current
    /// one may have run already). Faults go first among events due at the
    /// same moment, so replaying the resulting scenario from the start
    /// reproduces this run exactly.
    // Cold: built at the worker's "z" (see `scenario::validate`).
    #[cfg_attr(feature = "inline-cold", inline)]
    pub fn inject(&mut self, mut fault: Fault) -> Result<(), ScenarioError> {
        fault.at_ms = fault.at_ms.max(self.now.0 / 1_000 + 1);
        let mut next = self.scenario.clone();
        next.faults.push(fault);
        next.validate()?;
        let index = next.faults.len() as u32 - 1;
        let at = SimTime::from_millis(next.faults[index as usize].at_ms);
        self.scenario = next;
        self.queue.schedule_fault(at, index, Event::FaultStart { index });
        Ok(())
    }

    /// Runs every event due up to and including `t` (capped at the end of the run).
    /// Returns the number of events processed.
    pub fn step_until(&mut self, t: SimTime) -> u64 {
        let limit = t.min(self.end);
        let before = self.events;
        while let Some((at, event)) = self.queue.pop_due(limit) {
            self.advance_to(at);
            self.events += 1;
            self.trace = mix64(self.trace ^ event.fingerprint() ^ at.0.rotate_left(29));
            // Looking up the owner costs two cache misses per event: skipped
            // while no node is paused (nearly always).
            if self.paused_nodes > 0 {
                if let Some(owner) = self.owner(&event) {
                    if self.nodes[owner].paused {
                        self.nodes[owner].held.push(event);
                        continue;
                    }
                }
            }
            self.handle(event);
            if !self.answers_now.is_empty() {
                self.answer_now();
            }
        }
        self.advance_to(limit.max(self.now));
        self.events - before
    }

    /// Hands the callers the zero-latency responses sent while handling the
    /// last event, in the order they were sent (and those these send in
    /// turn). Not events of their own: an M/M/c request used to be three
    /// events (arrival, end of work, response), now it is two. Each is
    /// handled after the event that sent it, exactly as the event would have
    /// been, only without waiting behind other events due at the same
    /// microsecond: never inside the call that sent it, whose caller may be
    /// in the middle of updating its own books (a parallel fan-out counting
    /// its calls).
    fn answer_now(&mut self) {
        let mut i = 0;
        while let Some(&(idx, gen)) = self.answers_now.get(i) {
            i += 1;
            self.on_response(idx, gen);
        }
        self.answers_now.clear();
    }

    /// Runs to the end of the scenario.
    pub fn run(&mut self) -> u64 {
        self.step_until(self.end)
    }

    /// Moves the clock to `at`, closing the metrics windows it passes.
    /// Inlined, with the closing out of line: a window closes once per
    /// thousands of events, and as one function the call's set-up cost more
    /// than its usual work (one comparison).
    #[inline(always)]
    fn advance_to(&mut self, at: SimTime) {
        if at >= self.next_window {
            self.close_windows(at);
        }
        self.now = at;
    }

    /// Closes every metrics window that ends at or before `at`.
    #[cold]
    #[inline(never)]
    fn close_windows(&mut self, at: SimTime) {
        while at >= self.next_window {
            let t_ms = self.next_window.0 / 1_000;
            for n in &mut self.nodes {
                n.metrics.close_window(t_ms, u64::from(n.in_flight));
            }
            for e in &mut self.edges {
                e.metrics.close_window(t_ms, u64::from(e.in_flight));
            }
            if self.overall_node.is_none() {
                self.overall.close_window(t_ms, self.totals.in_flight);
            }
            self.op_latency.iter_mut().for_each(|m| m.close_window(t_ms, 0));
            for (n, s) in self.nodes.iter().zip(&mut self.kind_series) {
                if let Some(s) = s {
                    s.close_window(t_ms, &n.behaviour);
                }
            }
            self.next_window = self.next_window.plus(WINDOW_US);
        }
    }

    /// The node that must be running for `event` to be handled now.
    fn owner(&self, event: &Event) -> Option<usize> {
        let callee = |call: u32, gen: u32| self.calls.get(call, gen).map(|c| self.edges[c.edge as usize].to as usize);
        let caller = |call: u32, gen: u32| self.calls.get(call, gen).map(|c| self.edges[c.edge as usize].from as usize);
        match *event {
            Event::Deliver { call, gen } | Event::WorkDone { call, gen } => callee(call, gen),
            Event::Response { call, gen } | Event::Timeout { call, gen } => caller(call, gen),
            Event::HealthCheck { node } | Event::Redeliver { node, .. } | Event::Store { node, .. } => {
                Some(node as usize)
            }
            Event::LogTimer { node, .. } => Some(node as usize),
            Event::RetrySend { call, gen } | Event::WaitExpired { call, gen } => caller(call, gen),
            Event::Arrival { .. } | Event::FaultStart { .. } | Event::FaultEnd { .. } => None,
            Event::ProbeDeliver { edge, .. } | Event::ProbeAnswer { edge, .. } => {
                Some(self.edges[edge as usize].to as usize)
            }
            Event::ProbeReply { edge, .. } | Event::ProbeTimeout { edge, .. } => {
                Some(self.edges[edge as usize].from as usize)
            }
            Event::Fleet { node, .. } => Some(node as usize),
        }
    }

    /// Inlined into the event loop: called once per event, its dispatch is
    /// cheaper than the call's set-up.
    #[inline(always)]
    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival { workload, gen } => self.on_arrival(workload, gen),
            Event::Deliver { call, gen } => self.on_deliver(call, gen),
            Event::WorkDone { call, gen } => self.on_work_done(call, gen),
            Event::Response { call, gen } => self.on_response(call, gen),
            Event::Timeout { call, gen } => self.on_timeout(call, gen),
            Event::FaultStart { index } => self.on_fault_start(index),
            Event::FaultEnd { index } => self.on_fault_end(index),
            Event::HealthCheck { node } => self.on_health_check(node),
            Event::RetrySend { call, gen } => self.on_retry_send(call, gen),
            Event::WaitExpired { call, gen } => self.on_wait_expired(call, gen),
            Event::Redeliver { node } => self.timer_at(node as usize),
            Event::ProbeDeliver { edge, seq } => self.on_probe_deliver(edge, seq),
            Event::ProbeAnswer { edge, seq } => self.on_probe_answer(edge, seq),
            Event::ProbeReply { edge, seq, passed } => self.on_probe_result(edge, seq, passed),
            Event::ProbeTimeout { edge, seq } => self.on_probe_result(edge, seq, false),
            Event::Fleet { node, timer } => crate::nodes::service::instances::on_timer(self, node as usize, timer),
            Event::Store { node, msg } => crate::nodes::store::on_event(self, node as usize, msg),
            Event::LogTimer { node, token } => crate::nodes::log::timer(self, node as usize, token),
        }
    }
}
