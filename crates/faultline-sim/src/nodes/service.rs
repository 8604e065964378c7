//! An application service: local work, then its downstream calls.
//!
//! Its state (a pool of workers, its dependencies, bulkheads, a rate limit,
//! load shedding, the POST side effects it applied) and its behaviour: a
//! call that arrives passes the rate limiter and the shedding threshold to
//! reach the pool; finished work calls the operation's dependencies in
//! sequence (the first failure fails the call) or in parallel (all must
//! succeed); a successful POST applies its side effect, once per
//! idempotency key.

pub mod autoscaler;
pub mod billing;
pub mod instances;

use super::{Behaviour, Pool};
use crate::calls::{FailReason, Outcome, Req};
use crate::dist::Sampler;
use crate::policy::bulkhead::BulkheadRt;
use crate::policy::rate_limit::TokenBucket;
use crate::rng::SimRng;
use crate::scenario::{Fanout, ServiceConfig};
use crate::sim::Sim;
use std::collections::{HashSet, VecDeque};

/// Side effects a service has applied, by (request, edge) key, to tell a
/// duplicate POST from a new one. Bounded: the oldest keys are forgotten.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    seen: HashSet<u64>,
    order: VecDeque<u64>,
}

/// Keys remembered per service.
pub const APPLIED_CAPACITY: usize = 100_000;

impl Applied {
    /// Records `key`; false if it was already applied.
    pub fn insert(&mut self, key: u64) -> bool {
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > APPLIED_CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// One dependency, resolved to an edge, with the operations that make it.
#[derive(Clone, Debug)]
pub struct Dependency {
    pub edge: u32,
    /// The operations that make this call.
    pub ops: OpSet,
    /// The bulkhead its calls go through, if any.
    pub bulkhead: Option<u16>,
}

/// The operations that make a call, as indices into the run's operation
/// names (all workloads' names, each once: up to 64 x 32 of them, so a 64-bit
/// mask cannot hold them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpSet {
    /// Every operation (the call lists none).
    All,
    /// These, sorted; names no workload uses are left out.
    Only(Vec<u16>),
}

impl OpSet {
    /// The set a call's `ops` names, given the run's operation names.
    pub fn of(names: &[String], op_names: &[&str]) -> OpSet {
        if names.is_empty() {
            return OpSet::All;
        }
        let mut ops: Vec<u16> =
            names.iter().filter_map(|n| op_names.iter().position(|o| o == n)).map(|i| i as u16).collect();
        ops.sort_unstable();
        ops.dedup();
        OpSet::Only(ops)
    }

    pub fn contains(&self, op: u16) -> bool {
        match self {
            OpSet::All => true,
            OpSet::Only(ops) => ops.binary_search(&op).is_ok(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ServiceRt {
    pub pool: Pool,
    pub service_time: Sampler,
    pub deps: Vec<Dependency>,
    pub fanout: Fanout,
    pub error_rate: f64,
    pub client_error_rate: f64,
    pub bulkheads: Vec<BulkheadRt>,
    pub limiter: Option<TokenBucket>,
    pub shed_queue_threshold: Option<u32>,
    pub applied: Applied,
    /// POSTs applied twice without an idempotency key: duplicated side effects.
    pub duplicates: u64,
    /// Repeated POSTs recognised by their idempotency key and not applied again.
    pub deduplicated: u64,
    /// Its instances, when it has several or connection pools (then `pool`
    /// is unused: each instance has its own).
    pub fleet: Option<Box<instances::Fleet>>,
    /// Instances billed (alive) over time, for the run's cost.
    pub bill: billing::Integral,
    pub price_per_instance_hour: f64,
}

impl ServiceRt {
    /// `rng`: the instances' own stream, used only if it has instances.
    pub fn new(cfg: &ServiceConfig, deps: Vec<Dependency>, rng: SimRng) -> ServiceRt {
        let fleet = instances::Fleet::wanted(cfg).then(|| Box::new(instances::Fleet::new(cfg, rng)));
        ServiceRt {
            bill: billing::Integral::new(fleet.as_ref().map_or(1, |f| f.alive())),
            price_per_instance_hour: cfg.price_per_instance_hour,
            fleet,
            pool: Pool::new(cfg.workers, cfg.queue_capacity),
            service_time: cfg.service_time.sampler(),
            deps,
            fanout: cfg.fanout,
            error_rate: cfg.error_rate,
            client_error_rate: cfg.client_error_rate,
            bulkheads: cfg
                .bulkheads
                .iter()
                .map(|b| BulkheadRt::new(b.max_concurrent, crate::time::ms_to_micros(b.max_wait_ms)))
                .collect(),
            limiter: cfg.rate_limit.map(|r| TokenBucket::new(r.rate_rps, r.burst, r.retry_after_ms)),
            shed_queue_threshold: cfg.shed_queue_threshold,
            applied: Applied::default(),
            duplicates: 0,
            deduplicated: 0,
        }
    }

    /// The bulkhead of the dependency called over `edge`.
    pub fn bulkhead_of(&self, edge: u32) -> Option<usize> {
        self.deps.iter().find(|d| d.edge == edge).and_then(|d| d.bulkhead).map(usize::from)
    }

    /// The index of the first dependency at or after `from` that operation `op` calls.
    pub fn next_dep(&self, op: u16, from: usize) -> Option<usize> {
        (from..self.deps.len()).find(|&i| self.deps[i].ops.contains(op))
    }

    #[inline(always)]
    pub fn work_time(&self, rng: &mut SimRng, slow: f64) -> u64 {
        self.service_time.sample_scaled(rng, slow)
    }

    /// The service's duplicated side effects in the run report.
    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        r.duplicates = self.duplicates;
        r.instances = self.fleet.as_ref().map(|f| f.report());
        r.autoscale = self.fleet.as_ref().and_then(|f| f.autoscale_report());
    }

    /// Instance-seconds to `now_us` and what they cost.
    pub fn cost(&self, now_us: u64) -> (f64, f64) {
        billing::cost(&self.bill, now_us, self.price_per_instance_hour)
    }

    /// The card's bar (and instance pips).
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        match &self.fleet {
            None => self.pool.fill_view(v),
            Some(f) => f.fill_view(v),
        }
    }

    /// A crash empties the pool and the bulkheads.
    pub fn crash(&mut self) {
        self.pool.reset();
        self.bulkheads.iter_mut().for_each(|b| b.reset());
    }
}

fn service(sim: &Sim, node: usize) -> &ServiceRt {
    match &sim.nodes[node].behaviour {
        Behaviour::Service(s) => s,
        _ => unreachable!("node {node} is not a service"),
    }
}

fn service_mut(sim: &mut Sim, node: usize) -> &mut ServiceRt {
    match &mut sim.nodes[node].behaviour {
        Behaviour::Service(s) => s,
        _ => unreachable!("node {node} is not a service"),
    }
}

/// A call arrives: the rate limiter may refuse it (429 with Retry-After),
/// load shedding may reject it (the queue is already long: say no early
/// rather than queue work that will be late), otherwise the pool takes it.
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    if service(sim, node).fleet.is_some() {
        return arrive_at_instance(sim, node, idx);
    }
    let s = service(sim, node);
    let shed = s.shed_queue_threshold.is_some_and(|t| s.pool.busy >= s.pool.capacity && s.pool.queue_depth() >= t);
    pass_gates(sim, node, idx, shed)
}

/// The same for a service with instances: a ready instance takes the call,
/// round-robin; with none ready the connection is refused (a Kubernetes
/// Service without endpoints). Then its own pool's gates.
#[cold]
fn arrive_at_instance(sim: &mut Sim, node: usize, idx: u32) {
    let s = service_mut(sim, node);
    let Some(f) = &mut s.fleet else { return };
    let Some(slot) = f.pick() else {
        return sim.refuse(node, idx, Outcome::Failed(FailReason::Refused));
    };
    let pool = &f.pools[usize::from(slot)];
    let shed = s.shed_queue_threshold.is_some_and(|t| pool.busy >= pool.capacity && pool.queue_depth() >= t);
    sim.calls.at_mut(idx).shard = slot;
    pass_gates(sim, node, idx, shed)
}

/// The rate limiter, then load shedding (`shed`: the pool's queue is past
/// the threshold), then the pool.
#[inline(always)]
fn pass_gates(sim: &mut Sim, node: usize, idx: u32, shed: bool) {
    let now = sim.now().0;
    let s = service_mut(sim, node);
    if let Some(limiter) = &mut s.limiter {
        if !limiter.try_take(now) {
            sim.calls.at_mut(idx).retry_after_us = limiter.retry_after_us;
            return sim.refuse(node, idx, Outcome::Failed(FailReason::RateLimited));
        }
    }
    if shed {
        return sim.refuse(node, idx, Outcome::Failed(FailReason::Rejected));
    }
    sim.admit(node, idx);
}

/// The local work on a call is done: call the operation's dependencies.
pub(crate) fn work_done(sim: &mut Sim, node: usize, idx: u32, op: u16, req: Req) {
    let slot = sim.calls.at(idx).shard;
    if let Some(f) = &mut service_mut(sim, node).fleet {
        // A bad version's own errors, on top of the service's.
        if f.fails(slot) {
            return sim.finish(node, idx, Outcome::Failed(FailReason::ErrorStatus));
        }
    }
    match service(sim, node).fanout {
        Fanout::Sequential => next_sequential_dep(sim, node, idx, op, 0, req),
        Fanout::Parallel => {
            let count = service(sim, node).deps.iter().filter(|d| d.ops.contains(op)).count();
            if count == 0 {
                return sim.finish(node, idx, Outcome::Ok);
            }
            sim.calls.at_mut(idx).pending = count as u16;
            let mut from = 0;
            while let Some(i) = service(sim, node).next_dep(op, from) {
                instances::call_dep(sim, node, req, idx, i);
                from = i + 1;
            }
        }
    }
}

/// Sequential fan-out: calls the first dependency of `call`'s operation at
/// or after index `from`, or answers when there is none left.
fn next_sequential_dep(sim: &mut Sim, node: usize, call: u32, op: u16, from: usize, req: Req) {
    match service(sim, node).next_dep(op, from) {
        Some(i) => {
            sim.calls.at_mut(call).stage = i as u16;
            instances::call_dep(sim, node, req, call, i);
        }
        None => sim.finish(node, call, Outcome::Ok),
    }
}

/// A dependency's call made for `parent` ended: continue, or answer.
pub(crate) fn child_done(sim: &mut Sim, node: usize, parent: u32, outcome: Outcome) {
    if service(sim, node).fleet.is_some() && service(sim, node).fanout == Fanout::Sequential {
        let stage = sim.calls.at(parent).stage;
        instances::release(sim, node, parent, Some(usize::from(stage)));
    }
    after_child(sim, node, parent, outcome);
}

/// What follows a dependency's answer (or a failure to get a connection for it).
pub(crate) fn after_child(sim: &mut Sim, node: usize, parent: u32, outcome: Outcome) {
    let p = sim.calls.at(parent);
    let (op, stage, req) = (p.op, p.stage, p.req_next_hop());
    match service(sim, node).fanout {
        Fanout::Sequential => {
            if !outcome.is_success() {
                return sim.finish(node, parent, Outcome::Failed(FailReason::ErrorStatus));
            }
            next_sequential_dep(sim, node, parent, op, usize::from(stage) + 1, req);
        }
        Fanout::Parallel => {
            let p = sim.calls.at_mut(parent);
            p.pending -= 1;
            if p.pending == 0 {
                instances::release(sim, node, parent, None);
                let p = sim.calls.at(parent);
                let outcome = if p.dep_failed { Outcome::Failed(FailReason::ErrorStatus) } else { Outcome::Ok };
                sim.finish(node, parent, outcome);
            }
        }
    }
}

/// A call succeeded: if it is a POST, its side effect is applied, keyed by
/// request and edge. Applying it twice is a duplicate, unless an idempotency
/// key lets the service recognise the repeat.
pub(crate) fn succeeded(sim: &mut Sim, node: usize, idx: u32) {
    let c = sim.calls.at(idx);
    let info = sim.ops[usize::from(c.op).min(sim.ops.len() - 1)];
    if info.method != crate::scenario::Method::Post {
        return;
    }
    let key = crate::rng::mix64(c.request ^ (u64::from(c.edge) << 44));
    let s = service_mut(sim, node);
    if !s.applied.insert(key) {
        if info.idempotency_key {
            s.deduplicated += 1;
        } else {
            s.duplicates += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OpSet;

    #[test]
    fn an_op_set_holds_indices_past_sixty_four() {
        let names: Vec<String> = (0..200).map(|i| format!("op{i}")).collect();
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        let set = OpSet::of(&["op150".into(), "op63".into(), "nobody".into()], &all);
        assert_eq!(set, OpSet::Only(vec![63, 150]));
        assert!(set.contains(63) && set.contains(150));
        assert!(!set.contains(64) && !set.contains(0) && !set.contains(199));
        assert!(OpSet::of(&[], &all).contains(199), "no names: every operation");
        assert!(!OpSet::of(&["nobody".into()], &all).contains(0), "unknown names: none");
    }
}
