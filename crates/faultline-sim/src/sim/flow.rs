//! How calls move: generation at clients, delivery, work, downstream calls,
//! load-balancer forwarding, queue hand-off, responses and timeouts.

use super::{EdgeRt, Sim, MAX_LIVE_CALLS};
use crate::calls::{FailReason, Outcome, Phase, Req, NO_PARENT, QUEUE_PARENT};
use crate::event::Event;
use crate::movements::{Kind, Movement};
use crate::nodes::queue::{Message, Offer};
use crate::nodes::{Admit, Behaviour, ServiceRt};
use crate::rng::unit_open;
use crate::scenario::Fanout;
use crate::time::SimTime;

const REFUSED: Outcome = Outcome::Failed(FailReason::Refused);

impl Sim {
    pub(super) fn on_arrival(&mut self, workload: u32, gen: u32) {
        let now = self.now;
        let end = self.end.0;
        let c = &mut self.clients[workload as usize];
        if gen != c.gen {
            return; // drawn before a rate change; a fresh arrival replaced it
        }
        if let Some(t) = c.next_arrival(now.0, end) {
            self.queue.schedule(SimTime(t), Event::Arrival { workload, gen });
        }
        let op = c.pick_op();
        let key = c.pick_key();
        let deadline = c.deadline_us.map_or(u64::MAX, |d| now.0.saturating_add(d));
        let (client, edge) = (c.client as usize, c.edge);
        let request = self.next_request;
        self.next_request += 1;
        self.totals.generated += 1;
        self.overall.arrive();
        let node = &mut self.nodes[client];
        node.account(now);
        node.metrics.arrive();
        if self.calls.live() >= MAX_LIVE_CALLS {
            let outcome = Outcome::Failed(FailReason::Rejected);
            node.metrics.complete(outcome, 0);
            self.overall.complete(outcome, 0);
            self.totals.failed[FailReason::Rejected as usize] += 1;
            let op_index = usize::from(op).min(self.op_stats.len() - 1);
            self.op_stats[op_index].failed += 1;
            if let Some(m) = self.op_latency.get_mut(op_index) {
                m.complete(outcome, 0);
            }
            return;
        }
        node.in_flight += 1;
        self.totals.in_flight += 1;
        let req = Req { request, op, key, hops: 1, attempt: 1, deadline, started_us: now.0 };
        self.send(req, NO_PARENT, edge, false);
    }

    /// Puts an open call's request on the wire and starts its timeout.
    pub(super) fn put_on_wire(&mut self, idx: u32, gen: u32, edge: u32) {
        let now = self.now;
        let e = &mut self.edges[edge as usize];
        if let Some(t) = e.timeout_us {
            self.queue.schedule(now.plus(t), Event::Timeout { call: idx, gen });
        }
        let steady = e.latency.is_constant();
        let lat = transmit(e);
        let kind = if self.calls.at(idx).attempt > 1 { Kind::Retry } else { Kind::Request };
        self.movements.record(movement(now, edge, lat, kind));
        match lat {
            Some(lat) => self.schedule_message(steady, now.plus(lat), Event::Deliver { call: idx, gen }),
            None => self.calls.at_mut(idx).lost = true,
        }
    }

    /// Schedules a message's arrival; over a constant-latency link its delay
    /// repeats, so it can wait in a lane of the queue rather than the heap.
    #[inline]
    fn schedule_message(&mut self, steady: bool, at: SimTime, event: Event) {
        if steady {
            self.queue.schedule_steady(at, event);
        } else {
            self.queue.schedule(at, event);
        }
    }

    pub(super) fn on_deliver(&mut self, idx: u32, gen: u32) {
        let now = self.now;
        let Some(call) = self.calls.get_mut(idx, gen) else {
            return;
        };
        call.arrived_at = now;
        let target = self.edges[call.edge as usize].to as usize;
        let node = &mut self.nodes[target];
        node.account(now);
        node.metrics.arrive();
        if node.down {
            node.metrics.complete(REFUSED, 0);
            return self.respond(idx, REFUSED);
        }
        let limited = match &mut node.behaviour {
            Behaviour::Service(svc) => svc.limiter.as_mut().is_some_and(|l| !l.try_take(now.0)),
            _ => false,
        };
        match &mut node.behaviour {
            Behaviour::Balancer(_) => {
                node.in_flight += 1;
                self.forward(target, idx);
            }
            Behaviour::Queue(q) => {
                let c = self.calls.at(idx);
                let m = Message { request: c.request, op: c.op, key: c.key, deliveries: 0 };
                let outcome = match q.offer(m) {
                    Offer::Accepted | Offer::AcceptedDroppingOldest => Outcome::Ok,
                    Offer::Rejected => Outcome::Failed(FailReason::Rejected),
                };
                node.metrics.complete(outcome, 0);
                self.respond(idx, outcome);
                self.pump(target);
            }
            Behaviour::Service(svc) if limited => {
                let retry_after = svc.limiter.map_or(0, |l| l.retry_after_us);
                let outcome = Outcome::Failed(FailReason::RateLimited);
                node.metrics.complete(outcome, 0);
                self.calls.at_mut(idx).retry_after_us = retry_after;
                self.respond(idx, outcome);
            }
            Behaviour::Service(svc)
                if svc
                    .shed_queue_threshold
                    .is_some_and(|t| svc.pool.busy >= svc.pool.capacity && svc.pool.queue_depth() >= t) =>
            {
                // Load shedding: say no early rather than queue work that will be late.
                let outcome = Outcome::Failed(FailReason::Rejected);
                node.metrics.complete(outcome, 0);
                self.respond(idx, outcome);
            }
            Behaviour::Service(_) | Behaviour::Database(_) => {
                let admit = node.behaviour.pool_mut().map_or(Admit::Rejected, |p| p.offer(idx));
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
            Behaviour::Client => {
                // Validation forbids edges into clients.
                node.metrics.complete(REFUSED, 0);
                self.respond(idx, REFUSED);
            }
        }
    }

    /// A worker takes the call: schedule the end of its local work.
    fn start_work(&mut self, node: usize, idx: u32) {
        let now = self.now;
        let expired = now.0 >= self.calls.at(idx).deadline;
        let n = &mut self.nodes[node];
        let work = if expired {
            0 // past its deadline: dropped as soon as it is picked up
        } else {
            match &n.behaviour {
                Behaviour::Service(s) => s.service_time.sample_scaled(&mut n.rng, n.slow),
                Behaviour::Database(d) => d.query_time.sample_scaled(&mut n.rng, d.contention() * n.slow),
                _ => 0,
            }
        };
        let call = self.calls.at_mut(idx);
        call.phase = Phase::Working;
        let gen = call.gen;
        self.queue.schedule(now.plus(work), Event::WorkDone { call: idx, gen });
    }

    pub(super) fn on_work_done(&mut self, idx: u32, gen: u32) {
        let now = self.now;
        let Some(call) = self.calls.get(idx, gen) else {
            return;
        };
        if call.phase != Phase::Working {
            return; // its node crashed meanwhile
        }
        let node = self.edges[call.edge as usize].to as usize;
        let (op, deadline) = (call.op, call.deadline);
        let req = call.req_next_hop();
        if now.0 >= deadline {
            return self.finish(node, idx, Outcome::Failed(FailReason::Timeout));
        }
        let n = &mut self.nodes[node];
        let (own_5xx, own_4xx) = match &n.behaviour {
            Behaviour::Service(s) => (s.error_rate, s.client_error_rate),
            _ => (0.0, 0.0),
        };
        // The configured error rate and a fault's combine as independent causes.
        let p_5xx = 1.0 - (1.0 - own_5xx) * (1.0 - n.error_rate);
        if p_5xx > 0.0 && unit_open(&mut n.rng) < p_5xx {
            return self.finish(node, idx, Outcome::Failed(FailReason::ErrorStatus));
        }
        if own_4xx > 0.0 && unit_open(&mut n.rng) < own_4xx {
            return self.finish(node, idx, Outcome::Failed(FailReason::ClientError));
        }
        let Behaviour::Service(svc) = &n.behaviour else {
            return self.finish(node, idx, Outcome::Ok);
        };
        match svc.fanout {
            Fanout::Sequential => self.next_sequential_dep(node, idx, op, 0, req),
            Fanout::Parallel => {
                let bit = 1u64 << op.min(63);
                let count = svc.deps.iter().filter(|d| d.op_mask & bit != 0).count();
                if count == 0 {
                    return self.finish(node, idx, Outcome::Ok);
                }
                self.calls.at_mut(idx).pending = count as u16;
                let mut from = 0;
                while let Some(i) = self.service(node).next_dep(op, from) {
                    let edge = self.service(node).deps[i].edge;
                    self.send_dep(node, req, idx, edge);
                    from = i + 1;
                }
            }
        }
    }

    /// Sequential fan-out: calls the first dependency of `call`'s operation at
    /// or after index `from`, or answers when there is none left.
    fn next_sequential_dep(&mut self, node: usize, call: u32, op: u16, from: usize, req: Req) {
        match self.service(node).next_dep(op, from) {
            Some(i) => {
                let edge = self.service(node).deps[i].edge;
                self.calls.at_mut(call).stage = i as u16;
                self.send_dep(node, req, call, edge);
            }
            None => self.finish(node, call, Outcome::Ok),
        }
    }

    /// A load balancer passes the call on to a backend.
    fn forward(&mut self, node: usize, idx: u32) {
        let n = &mut self.nodes[node];
        let Behaviour::Balancer(lb) = &mut n.behaviour else {
            return;
        };
        let edges = &self.edges;
        let key = self.calls.at(idx).key;
        let backends = std::mem::take(&mut lb.backends);
        let pick = lb.pick(key, |b| edges[backends[b] as usize].in_flight, &mut n.rng);
        lb.backends = backends;
        match pick {
            Some(b) => {
                let edge = lb.backends[b];
                let call = self.calls.at_mut(idx);
                call.phase = Phase::Working;
                let req = call.req_next_hop();
                self.send(req, idx, edge, false);
            }
            // No healthy backend: 503.
            None => self.finish(node, idx, Outcome::Failed(FailReason::Rejected)),
        }
    }

    /// A queue hands messages to its consumer while it has free slots.
    fn pump(&mut self, node: usize) {
        loop {
            let Behaviour::Queue(q) = &mut self.nodes[node].behaviour else {
                return;
            };
            let Some(m) = q.next_delivery() else { return };
            let edge = q.edge;
            let req = Req {
                request: m.request,
                op: m.op,
                key: m.key,
                hops: 1,
                attempt: m.deliveries,
                deadline: u64::MAX,
                started_us: self.now.0,
            };
            self.send(req, QUEUE_PARENT, edge, false);
        }
    }

    /// A queue's redelivery delay is over for its longest-waiting message:
    /// it goes back to the end of the queue, and the queue delivers.
    pub(super) fn on_redeliver(&mut self, node: u32, epoch: u32) {
        let node = node as usize;
        let Behaviour::Queue(q) = &mut self.nodes[node].behaviour else {
            return;
        };
        if q.redeliver(epoch) {
            self.pump(node);
        }
    }

    /// The callee is done with a call: free its worker and answer.
    fn finish(&mut self, node: usize, idx: u32, outcome: Outcome) {
        let now = self.now;
        let c = self.calls.at(idx);
        let arrived = c.arrived_at;
        if outcome.is_success() {
            let info = self.ops[usize::from(c.op).min(self.ops.len() - 1)];
            if info.method == crate::scenario::Method::Post {
                // The side effect of a POST, keyed by request and edge: applying
                // it twice is a duplicate unless an idempotency key lets the
                // service recognise the repeat.
                let key = crate::rng::mix64(c.request ^ (u64::from(c.edge) << 44));
                if let Behaviour::Service(svc) = &mut self.nodes[node].behaviour {
                    if !svc.applied.insert(key) {
                        if info.idempotency_key {
                            svc.deduplicated += 1;
                        } else {
                            svc.duplicates += 1;
                        }
                    }
                }
            }
        }
        let n = &mut self.nodes[node];
        n.account(now);
        n.metrics.complete(outcome, now.since(arrived));
        n.in_flight = n.in_flight.saturating_sub(1);
        let next = n.behaviour.pool_mut().and_then(|p| p.release());
        if let Some(next) = next {
            self.start_work(node, next);
        }
        self.respond(idx, outcome);
    }

    /// Puts a call's response on the wire back to its caller.
    pub(super) fn respond(&mut self, idx: u32, outcome: Outcome) {
        let call = self.calls.at_mut(idx);
        call.outcome = outcome;
        call.phase = Phase::Responding;
        let (gen, abandoned, edge) = (call.gen, call.abandoned, call.edge);
        let e = &mut self.edges[edge as usize];
        let steady = e.latency.is_constant();
        let lat = transmit(e);
        self.movements.record(movement(self.now, edge, lat, Kind::of(outcome)));
        match lat {
            Some(lat) => self.schedule_message(steady, self.now.plus(lat), Event::Response { call: idx, gen }),
            None if abandoned => self.calls.close(idx),
            None => call.lost = true,
        }
    }

    pub(super) fn on_response(&mut self, idx: u32, gen: u32) {
        let Some(call) = self.calls.get(idx, gen) else {
            return;
        };
        if call.abandoned {
            // The caller timed out or died; nobody is listening.
            self.calls.close(idx);
            return;
        }
        let outcome = call.outcome;
        self.settle(idx, outcome);
        self.calls.close(idx);
    }

    pub(super) fn on_timeout(&mut self, idx: u32, gen: u32) {
        let Some(call) = self.calls.get(idx, gen) else {
            return;
        };
        let lost = call.lost;
        if call.abandoned {
            if lost {
                self.calls.close(idx);
            }
            return;
        }
        let edge = call.edge;
        self.movements.record(Movement { sent_us: self.now.0, travel_us: 0, edge, kind: Kind::Timeout });
        self.settle(idx, Outcome::Failed(FailReason::Timeout));
        if lost {
            self.calls.close(idx);
        } else {
            // The callee may still be working on it; its answer will be dropped.
            self.calls.at_mut(idx).abandoned = true;
        }
    }

    /// The caller learns how a call ended (response or timeout): the edge
    /// and its breaker record it, and it is retried or concluded.
    fn settle(&mut self, idx: u32, outcome: Outcome) {
        let now = self.now;
        let call = self.calls.at(idx);
        let (parent, edge, sent_at, holds, req) = (call.parent, call.edge, call.sent_at, call.holds_slot, call.req());
        let latency = now.since(sent_at);
        let e = &mut self.edges[edge as usize];
        e.metrics.complete(outcome, latency);
        e.in_flight -= 1;
        if let Some(b) = &mut e.breaker {
            // A 4xx is the request's fault, not the callee's: it does not count against it.
            let failed = !outcome.is_success() && outcome != Outcome::Failed(FailReason::ClientError);
            b.record(now.0, failed, latency);
        }
        if outcome.is_success() {
            if let Some(budget) = &mut e.budget {
                budget.on_success();
            }
        }
        if self.maybe_retry(idx, outcome) {
            return;
        }
        self.conclude(parent, edge, outcome, req, holds);
    }

    /// The caller of a call (a client, a queue, or the call's parent) gets its outcome.
    pub(super) fn answer_caller(&mut self, parent: u32, caller: usize, outcome: Outcome, req: Req) {
        let now = self.now;
        match parent {
            NO_PARENT => {
                let latency = now.0.saturating_sub(req.started_us);
                let n = &mut self.nodes[caller];
                n.account(now);
                n.metrics.complete(outcome, latency);
                n.in_flight -= 1;
                self.overall.complete(outcome, latency);
                self.totals.in_flight -= 1;
                let op_index = usize::from(req.op).min(self.op_stats.len() - 1);
                if let Some(m) = self.op_latency.get_mut(op_index) {
                    m.complete(outcome, latency);
                }
                let op = &mut self.op_stats[op_index];
                match outcome {
                    Outcome::Ok => {
                        self.totals.ok += 1;
                        op.ok += 1;
                    }
                    Outcome::Degraded => {
                        self.totals.ok += 1;
                        self.totals.degraded += 1;
                        op.ok += 1;
                        op.degraded += 1;
                    }
                    Outcome::Failed(r) => {
                        self.totals.failed[r as usize] += 1;
                        op.failed += 1;
                    }
                }
            }
            QUEUE_PARENT => {
                let m = Message { request: req.request, op: req.op, key: req.key, deliveries: req.attempt };
                if let Behaviour::Queue(q) = &mut self.nodes[caller].behaviour {
                    if q.delivery_done(m, outcome.is_success()) {
                        // Same delay for every message: the timers fire in
                        // the order the messages started waiting (and, the
                        // delay repeating, can wait in a lane of the queue).
                        let at = now.plus(q.redelivery_delay_us);
                        let event = Event::Redeliver { node: caller as u32, epoch: q.epoch };
                        self.queue.schedule_steady(at, event);
                    }
                }
                self.pump(caller);
            }
            parent => self.child_done(parent, outcome),
        }
    }

    /// A downstream call made for `parent` ended: continue, or answer.
    fn child_done(&mut self, parent: u32, outcome: Outcome) {
        let p = self.calls.at_mut(parent);
        let failed = !outcome.is_success();
        p.dep_failed |= failed;
        let (op, stage, edge) = (p.op, p.stage, p.edge);
        let req = p.req_next_hop();
        let node = self.edges[edge as usize].to as usize;
        match &self.nodes[node].behaviour {
            // A balancer relays its backend's answer as it is.
            Behaviour::Balancer(_) => self.finish(node, parent, outcome),
            Behaviour::Service(svc) => match svc.fanout {
                Fanout::Sequential => {
                    if failed {
                        return self.finish(node, parent, Outcome::Failed(FailReason::ErrorStatus));
                    }
                    self.next_sequential_dep(node, parent, op, usize::from(stage) + 1, req);
                }
                Fanout::Parallel => {
                    let p = self.calls.at_mut(parent);
                    p.pending -= 1;
                    if p.pending == 0 {
                        let outcome = if p.dep_failed { Outcome::Failed(FailReason::ErrorStatus) } else { Outcome::Ok };
                        self.finish(node, parent, outcome);
                    }
                }
            },
            _ => {}
        }
    }

    fn service(&self, node: usize) -> &ServiceRt {
        match &self.nodes[node].behaviour {
            Behaviour::Service(s) => s,
            _ => unreachable!("only services make downstream calls"),
        }
    }

    /// Fails every call held at `node` (it crashed) and cuts it off from the
    /// calls it had made.
    pub(super) fn drop_calls_at(&mut self, node: usize) {
        let now = self.now;
        for idx in self.calls.live_indices() {
            let c = self.calls.at(idx);
            let e = &self.edges[c.edge as usize];
            let (callee, caller) = (e.to as usize, e.from as usize);
            if callee == node && matches!(c.phase, Phase::Queued | Phase::Working) {
                let arrived = c.arrived_at;
                let n = &mut self.nodes[node];
                n.metrics.complete(REFUSED, now.since(arrived));
                n.in_flight = n.in_flight.saturating_sub(1);
                self.respond(idx, REFUSED);
            } else if caller == node && c.parent != NO_PARENT && !c.abandoned {
                let lost = c.lost;
                self.edges[c.edge as usize].in_flight -= 1;
                self.calls.at_mut(idx).abandoned = true;
                if lost {
                    self.calls.close(idx);
                }
            }
        }
        let n = &mut self.nodes[node];
        n.in_flight = 0;
        match &mut n.behaviour {
            Behaviour::Service(s) => {
                s.pool.reset();
                s.bulkheads.iter_mut().for_each(|b| b.reset());
            }
            Behaviour::Database(d) => d.pool.reset(),
            Behaviour::Queue(q) => {
                q.clear();
                q.delivering = 0;
            }
            _ => {}
        }
    }
}

fn movement(now: SimTime, edge: u32, latency: Option<u64>, kind: Kind) -> Movement {
    match latency {
        Some(l) => Movement { sent_us: now.0, travel_us: l.min(u64::from(u32::MAX)) as u32, edge, kind },
        None => Movement { sent_us: now.0, travel_us: 0, edge, kind: Kind::Lost },
    }
}

/// One message over an edge: its latency, or `None` when it is lost or the
/// edge is cut by a partition.
fn transmit(e: &mut EdgeRt) -> Option<u64> {
    if e.blocked > 0 {
        return None;
    }
    if e.loss > 0.0 && unit_open(&mut e.rng) < e.loss {
        return None;
    }
    Some(e.latency.sample(&mut e.rng) + e.extra_latency_us)
}
