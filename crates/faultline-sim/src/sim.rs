//! The simulator: moves calls between nodes over edges, one event at a time.
//!
//! Node kinds decide (admit, queue, reject; how long work takes; what to call
//! next); this module does the plumbing between them and keeps the books.
//! Every call is accounted for at every step: a user request is generated,
//! then either succeeds, fails for a named reason, or is still in flight.

use crate::calls::{Calls, FailReason, Outcome, Phase, NO_PARENT};
use crate::dist::Sampler;
use crate::event::{Event, EventQueue};
use crate::metrics::Metrics;
use crate::nodes::service::Dependency;
use crate::nodes::{Admit, Behaviour, ClientRt, DatabaseRt, ServiceRt};
use crate::rng::{mix64, stream, unit_open, SimRng, StreamKind};
use crate::scenario::{NodeKind, Scenario, ScenarioError};
use crate::time::{ms_to_micros, SimTime};
use std::collections::HashMap;

/// Width of a metrics window, in microseconds of simulated time.
pub const WINDOW_US: u64 = 1_000_000;

/// A node at run time.
#[derive(Clone, Debug)]
pub struct NodeRt {
    pub behaviour: Behaviour,
    pub rng: SimRng,
    pub metrics: Metrics,
    /// Calls at this node: queued or being worked on (for a client: its
    /// requests still waiting for an answer).
    pub in_flight: u32,
    /// Time integrals of `in_flight` and of busy workers, in call-microseconds,
    /// for time-average occupancy and utilisation.
    pub area_in_flight: u128,
    pub area_busy: u128,
    last_change: SimTime,
}

impl NodeRt {
    fn account(&mut self, now: SimTime) {
        let dt = u128::from(now.since(self.last_change));
        if dt > 0 {
            self.area_in_flight += dt * u128::from(self.in_flight);
            let busy = self.behaviour.pool().map_or(0, |p| p.busy);
            self.area_busy += dt * u128::from(busy);
            self.last_change = now;
        }
    }
}

/// A directed link at run time.
#[derive(Clone, Debug)]
pub struct EdgeRt {
    pub from: u32,
    pub to: u32,
    pub latency: Sampler,
    pub loss: f64,
    pub timeout_us: Option<u64>,
    pub rng: SimRng,
    /// Calls made over this edge, measured from the caller's side.
    pub metrics: Metrics,
    pub in_flight: u32,
}

/// Whole-run request totals, at the clients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub generated: u64,
    pub ok: u64,
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

/// A running simulation. `Clone` is a complete snapshot.
#[derive(Clone, Debug)]
pub struct Sim {
    pub(crate) scenario: Scenario,
    pub(crate) now: SimTime,
    pub(crate) end: SimTime,
    queue: EventQueue,
    calls: Calls,
    pub(crate) nodes: Vec<NodeRt>,
    pub(crate) edges: Vec<EdgeRt>,
    clients: Vec<ClientRt>,
    next_request: u64,
    next_window: SimTime,
    pub(crate) trace: u64,
    pub(crate) events: u64,
    pub(crate) totals: Totals,
    /// End-to-end latency of user requests, over every client.
    pub(crate) overall: Metrics,
}

impl Sim {
    /// Validates the scenario and prepares a run at time zero.
    pub fn new(scenario: &Scenario) -> Result<Sim, ScenarioError> {
        scenario.validate()?;
        let seed = scenario.seed;
        let index: HashMap<&str, u32> = scenario
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i as u32))
            .collect();
        let edge_index: HashMap<(u32, u32), u32> = scenario
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| ((index[e.from.as_str()], index[e.to.as_str()]), i as u32))
            .collect();
        // Operation names across all workloads get one index each, so a
        // service's per-operation calls resolve to bit masks.
        let mut op_names: Vec<&str> = Vec::new();
        for w in &scenario.workloads {
            for o in &w.ops {
                if !op_names.contains(&o.name.as_str()) {
                    op_names.push(&o.name);
                }
            }
        }
        let nodes = scenario
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let behaviour = match &n.kind {
                    NodeKind::Client(_) => Behaviour::Client,
                    NodeKind::Database(cfg) => Behaviour::Database(DatabaseRt::new(cfg)),
                    NodeKind::Service(cfg) => {
                        let deps = cfg
                            .calls
                            .iter()
                            .map(|c| Dependency {
                                edge: edge_index[&(i as u32, index[c.to.as_str()])],
                                op_mask: if c.ops.is_empty() {
                                    u64::MAX
                                } else {
                                    c.ops
                                        .iter()
                                        .filter_map(|name| op_names.iter().position(|o| o == name))
                                        .fold(0u64, |m, i| m | (1u64 << i.min(63)))
                                },
                            })
                            .collect();
                        Behaviour::Service(ServiceRt::new(cfg, deps))
                    }
                };
                NodeRt {
                    behaviour,
                    rng: stream(seed, StreamKind::Node, i as u32),
                    metrics: Metrics::default(),
                    in_flight: 0,
                    area_in_flight: 0,
                    area_busy: 0,
                    last_change: SimTime::ZERO,
                }
            })
            .collect();
        let edges = scenario
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| EdgeRt {
                from: index[e.from.as_str()],
                to: index[e.to.as_str()],
                latency: e.latency.sampler(),
                loss: e.loss,
                timeout_us: e.timeout_ms.map(ms_to_micros),
                rng: stream(seed, StreamKind::Edge, i as u32),
                metrics: Metrics::default(),
                in_flight: 0,
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
                let mut rt = ClientRt::new(
                    w,
                    client,
                    edge,
                    stream(seed, StreamKind::Workload, i as u32),
                );
                if let Some(gap) = rt.next_gap() {
                    if gap < end.0 {
                        queue.schedule(SimTime(gap), Event::Arrival { workload: i as u32 });
                    }
                }
                rt
            })
            .collect();
        Ok(Sim {
            scenario: scenario.clone(),
            now: SimTime::ZERO,
            end,
            queue,
            calls: Calls::default(),
            nodes,
            edges,
            clients,
            next_request: 0,
            next_window: SimTime(WINDOW_US),
            trace: mix64(seed),
            events: 0,
            totals: Totals::default(),
            overall: Metrics::default(),
        })
    }

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

    pub fn node_metrics(&self, node: usize) -> &Metrics {
        &self.nodes[node].metrics
    }

    pub fn edge_metrics(&self, edge: usize) -> &Metrics {
        &self.edges[edge].metrics
    }

    pub fn overall_metrics(&self) -> &Metrics {
        &self.overall
    }

    /// Time-average number of calls at a node and of its busy workers so far.
    pub fn node_occupancy(&self, node: usize) -> (f64, f64) {
        let n = &self.nodes[node];
        let span = self.now.0.max(1) as f64;
        let pending = u128::from(self.now.since(n.last_change));
        let busy = n.behaviour.pool().map_or(0, |p| p.busy);
        let l = (n.area_in_flight + pending * u128::from(n.in_flight)) as f64 / span;
        let b = (n.area_busy + pending * u128::from(busy)) as f64 / span;
        (l, b)
    }

    /// Runs every event due up to and including `t` (capped at the end of the run).
    /// Returns the number of events processed.
    pub fn step_until(&mut self, t: SimTime) -> u64 {
        let limit = t.min(self.end);
        let before = self.events;
        while let Some(at) = self.queue.peek_time() {
            if at > limit {
                break;
            }
            let (at, event) = self.queue.pop().expect("peeked");
            self.advance_to(at);
            self.events += 1;
            self.trace = mix64(self.trace ^ event.fingerprint() ^ at.0.rotate_left(29));
            self.handle(event);
        }
        self.advance_to(limit.max(self.now));
        self.events - before
    }

    /// Runs to the end of the scenario.
    pub fn run(&mut self) -> u64 {
        self.step_until(self.end)
    }

    fn advance_to(&mut self, at: SimTime) {
        while at >= self.next_window {
            let t_ms = self.next_window.0 / 1_000;
            for n in &mut self.nodes {
                n.metrics.close_window(t_ms, u64::from(n.in_flight));
            }
            for e in &mut self.edges {
                e.metrics.close_window(t_ms, u64::from(e.in_flight));
            }
            self.overall.close_window(t_ms, self.totals.in_flight);
            self.next_window = self.next_window.plus(WINDOW_US);
        }
        self.now = at;
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival { workload } => self.on_arrival(workload),
            Event::Deliver { call, gen } => self.on_deliver(call, gen),
            Event::WorkDone { call, gen } => self.on_work_done(call, gen),
            Event::Response { call, gen } => self.on_response(call, gen),
            Event::Timeout { call, gen } => self.on_timeout(call, gen),
        }
    }

    fn on_arrival(&mut self, workload: u32) {
        let now = self.now;
        let c = &mut self.clients[workload as usize];
        if let Some(gap) = c.next_gap() {
            let at = now.plus(gap);
            if at < self.end {
                self.queue.schedule(at, Event::Arrival { workload });
            }
        }
        let op = c.pick_op();
        let key = c.pick_key();
        let (client, edge) = (c.client as usize, c.edge);
        let request = self.next_request;
        self.next_request += 1;
        self.totals.generated += 1;
        self.totals.in_flight += 1;
        self.overall.arrive();
        let node = &mut self.nodes[client];
        node.account(now);
        node.metrics.arrive();
        node.in_flight += 1;
        self.send(request, NO_PARENT, edge, op, key, 1);
    }

    /// Opens a call over `edge` and puts the request on the wire.
    fn send(&mut self, request: u64, parent: u32, edge: u32, op: u16, key: u64, hops: u16) {
        let now = self.now;
        let (idx, gen) = self.calls.open(request, parent, edge, op, key, now, hops);
        let e = &mut self.edges[edge as usize];
        e.metrics.arrive();
        e.in_flight += 1;
        if let Some(t) = e.timeout_us {
            self.queue
                .schedule(now.plus(t), Event::Timeout { call: idx, gen });
        }
        match transmit(e) {
            Some(lat) => self
                .queue
                .schedule(now.plus(lat), Event::Deliver { call: idx, gen }),
            None => self.calls.at_mut(idx).lost = true,
        }
    }

    fn on_deliver(&mut self, idx: u32, gen: u32) {
        let now = self.now;
        let Some(call) = self.calls.get_mut(idx, gen) else {
            return;
        };
        call.arrived_at = now;
        let edge = call.edge as usize;
        let target = self.edges[edge].to as usize;
        let node = &mut self.nodes[target];
        node.account(now);
        node.metrics.arrive();
        let admit = match node.behaviour.pool_mut() {
            Some(pool) => pool.offer(idx),
            None => Admit::Rejected,
        };
        match admit {
            Admit::Start => {
                node.in_flight += 1;
                self.start_work(target, idx);
            }
            Admit::Queued => {
                node.in_flight += 1;
                self.calls.at_mut(idx).phase = Phase::Queued;
            }
            Admit::Rejected => {
                let outcome = Outcome::Failed(FailReason::Rejected);
                node.metrics.complete(outcome, 0);
                self.respond(idx, outcome);
            }
        }
    }

    fn start_work(&mut self, node: usize, idx: u32) {
        let n = &mut self.nodes[node];
        let work = match &n.behaviour {
            Behaviour::Service(s) => s.service_time.sample(&mut n.rng),
            Behaviour::Database(d) => d.query_time.sample_scaled(&mut n.rng, d.contention()),
            Behaviour::Client => 0,
        };
        let call = self.calls.at_mut(idx);
        call.phase = Phase::Working;
        let gen = call.gen;
        self.queue
            .schedule(self.now.plus(work), Event::WorkDone { call: idx, gen });
    }

    fn on_work_done(&mut self, idx: u32, gen: u32) {
        let Some(call) = self.calls.get(idx, gen) else {
            return;
        };
        let node = self.edges[call.edge as usize].to as usize;
        let (op, request, key, hops) = (call.op, call.request, call.key, call.hops);
        let Behaviour::Service(svc) = &self.nodes[node].behaviour else {
            return self.finish(node, idx, Outcome::Ok);
        };
        match svc.fanout {
            crate::scenario::Fanout::Sequential => match svc.next_dep(op, 0) {
                Some(i) => {
                    let edge = svc.deps[i].edge;
                    self.calls.at_mut(idx).stage = i as u16;
                    self.send(request, idx, edge, op, key, hops + 1);
                }
                None => self.finish(node, idx, Outcome::Ok),
            },
            crate::scenario::Fanout::Parallel => {
                let bit = 1u64 << op.min(63);
                let count = svc.deps.iter().filter(|d| d.op_mask & bit != 0).count();
                if count == 0 {
                    return self.finish(node, idx, Outcome::Ok);
                }
                self.calls.at_mut(idx).pending = count as u16;
                let mut from = 0;
                while let Some(i) = self.service(node).next_dep(op, from) {
                    let edge = self.service(node).deps[i].edge;
                    self.send(request, idx, edge, op, key, hops + 1);
                    from = i + 1;
                }
            }
        }
    }

    /// The callee is done with a call: free its worker and answer.
    fn finish(&mut self, node: usize, idx: u32, outcome: Outcome) {
        let now = self.now;
        let arrived = self.calls.at(idx).arrived_at;
        let n = &mut self.nodes[node];
        n.account(now);
        n.metrics.complete(outcome, now.since(arrived));
        n.in_flight -= 1;
        let next = n.behaviour.pool_mut().and_then(|p| p.release());
        if let Some(next) = next {
            self.start_work(node, next);
        }
        self.respond(idx, outcome);
    }

    /// Puts a call's response on the wire back to its caller.
    fn respond(&mut self, idx: u32, outcome: Outcome) {
        let call = self.calls.at_mut(idx);
        call.outcome = outcome;
        call.phase = Phase::Responding;
        let (gen, abandoned) = (call.gen, call.abandoned);
        match transmit(&mut self.edges[call.edge as usize]) {
            Some(lat) => self
                .queue
                .schedule(self.now.plus(lat), Event::Response { call: idx, gen }),
            None if abandoned => self.calls.close(idx),
            None => call.lost = true,
        }
    }

    fn on_response(&mut self, idx: u32, gen: u32) {
        let Some(call) = self.calls.get(idx, gen) else {
            return;
        };
        if call.abandoned {
            // The caller timed out long ago; nobody is listening.
            self.calls.close(idx);
            return;
        }
        let outcome = call.outcome;
        self.settle(idx, outcome);
        self.calls.close(idx);
    }

    fn on_timeout(&mut self, idx: u32, gen: u32) {
        let Some(call) = self.calls.get(idx, gen) else {
            return;
        };
        if call.abandoned {
            return;
        }
        let lost = call.lost;
        self.settle(idx, Outcome::Failed(FailReason::Timeout));
        if lost {
            self.calls.close(idx);
        } else {
            // The callee may still be working on it; its answer will be dropped.
            self.calls.at_mut(idx).abandoned = true;
        }
    }

    /// The caller learns how a call ended (response or timeout).
    fn settle(&mut self, idx: u32, outcome: Outcome) {
        let now = self.now;
        let call = self.calls.at(idx);
        let (parent, edge, sent_at) = (call.parent, call.edge as usize, call.sent_at);
        let latency = now.since(sent_at);
        let e = &mut self.edges[edge];
        e.metrics.complete(outcome, latency);
        e.in_flight -= 1;
        if parent == NO_PARENT {
            let client = e.from as usize;
            let n = &mut self.nodes[client];
            n.account(now);
            n.metrics.complete(outcome, latency);
            n.in_flight -= 1;
            self.overall.complete(outcome, latency);
            self.totals.in_flight -= 1;
            match outcome {
                Outcome::Ok => self.totals.ok += 1,
                Outcome::Failed(r) => self.totals.failed[r as usize] += 1,
            }
        } else {
            self.child_done(parent, outcome);
        }
    }

    /// A dependency call of `parent` ended: continue, or answer.
    fn child_done(&mut self, parent: u32, outcome: Outcome) {
        let p = self.calls.at_mut(parent);
        let failed = outcome != Outcome::Ok;
        p.dep_failed |= failed;
        let (op, stage, request, key, hops, edge) =
            (p.op, p.stage, p.request, p.key, p.hops, p.edge);
        let node = self.edges[edge as usize].to as usize;
        let Behaviour::Service(svc) = &self.nodes[node].behaviour else {
            return;
        };
        match svc.fanout {
            crate::scenario::Fanout::Sequential => {
                if failed {
                    return self.finish(node, parent, Outcome::Failed(FailReason::ErrorStatus));
                }
                match svc.next_dep(op, usize::from(stage) + 1) {
                    Some(i) => {
                        let edge = svc.deps[i].edge;
                        self.calls.at_mut(parent).stage = i as u16;
                        self.send(request, parent, edge, op, key, hops + 1);
                    }
                    None => self.finish(node, parent, Outcome::Ok),
                }
            }
            crate::scenario::Fanout::Parallel => {
                let p = self.calls.at_mut(parent);
                p.pending -= 1;
                if p.pending == 0 {
                    let outcome = if p.dep_failed {
                        Outcome::Failed(FailReason::ErrorStatus)
                    } else {
                        Outcome::Ok
                    };
                    self.finish(node, parent, outcome);
                }
            }
        }
    }
}

impl Sim {
    fn service(&self, node: usize) -> &ServiceRt {
        match &self.nodes[node].behaviour {
            Behaviour::Service(s) => s,
            _ => unreachable!("only services make downstream calls"),
        }
    }
}

/// One message over an edge: its latency, or `None` when it is lost.
fn transmit(e: &mut EdgeRt) -> Option<u64> {
    if e.loss > 0.0 && unit_open(&mut e.rng) < e.loss {
        return None;
    }
    Some(e.latency.sample(&mut e.rng))
}
