//! How calls move: generation at clients, delivery, work, downstream calls,
//! load-balancer forwarding, queue hand-off, responses and timeouts.
//!
//! The functions on every call's path are inlined into the event loop
//! (`inline(always)`), those that nest too (a delivery carries the dispatch
//! by node kind, an answer the caller's settling and conclusion). In the Web
//! Worker their copies cost 10 KB gzipped and buy ~15% of the engine's wasm
//! speed (`benches/compare-wasm.sh`, median wasm time 0.43-0.48 s -> 0.38-0.40
//! s for 2M M/M/1 requests, alternated runs).

use super::{EdgeRt, Sim, MAX_LIVE_CALLS};
use crate::calls::{FailReason, Outcome, Phase, Req, NO_PARENT, QUEUE_PARENT};
use crate::event::Event;
use crate::journal::Draw;
use crate::movements::{Kind, Movement};
use crate::nodes::Admit;
use crate::rng::unit_open;
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
        // Key 0 when nothing would read it: see `reads_keys`.
        let key = if self.reads_keys || self.journal.is_some() { c.pick_key() } else { 0 };
        if let Some(j) = &mut self.journal {
            j.push(Draw::Arrival { workload, at_us: now.0, op, key });
        }
        let deadline = c.deadline_us.map_or(u64::MAX, |d| now.0.saturating_add(d));
        let (client, edge) = (c.client as usize, c.edge);
        let request = self.next_request;
        let key = c.split.map_or(key, |s| s.apply(key, request));
        self.next_request += 1;
        self.totals.generated += 1;
        if self.overall_node.is_none() {
            self.overall.arrive();
        }
        let node = &mut self.nodes[client];
        node.account(now);
        node.metrics.arrive();
        if self.calls.live() >= MAX_LIVE_CALLS {
            let outcome = Outcome::Failed(FailReason::Rejected);
            node.metrics.complete(outcome, 0);
            if self.overall_node.is_none() {
                self.overall.complete(outcome, 0);
            }
            self.totals.failed[FailReason::Rejected as usize] += 1;
            let op_index = usize::from(op).min(self.op_stats.len() - 1);
            self.op_stats[op_index].failed += 1;
            if let Some(m) = self.op_latency.get_mut(op_index) {
                m.complete(outcome, 0);
            }
            return;
        }
        node.add_in_flight(1);
        self.totals.in_flight += 1;
        let req = Req { request, op, key, hops: 1, attempt: 1, deadline, started_us: now.0 };
        self.send(req, NO_PARENT, edge);
    }

    /// Puts an open call's request on the wire and starts its timeout.
    #[inline(always)]
    pub(super) fn put_on_wire(&mut self, idx: u32, gen: u32, edge: u32) {
        self.arm_timeout(idx, gen, edge);
        self.transmit_request(idx, gen, edge);
    }

    /// Starts an attempt's timeout (the time limiter), if its edge has one.
    /// The check is always inlined (every call makes it, and over an edge
    /// without a timeout it is all there is), the scheduling is not.
    #[inline(always)]
    pub(super) fn arm_timeout(&mut self, idx: u32, gen: u32, edge: u32) {
        if let Some(t) = self.edges[edge as usize].timeout_us {
            self.schedule_timeout(idx, gen, t);
        }
    }

    #[inline(never)]
    fn schedule_timeout(&mut self, idx: u32, gen: u32, timeout_us: u64) {
        self.queue.schedule(self.now.plus(timeout_us), Event::Timeout { call: idx, gen });
    }

    /// Sends an open call's request over its edge (its timeout already armed).
    #[inline(always)]
    pub(super) fn transmit_request(&mut self, idx: u32, gen: u32, edge: u32) {
        let now = self.now;
        let e = &mut self.edges[edge as usize];
        let steady = e.latency.is_constant();
        let lat = transmit(e);
        let kind = if self.calls.at(idx).attempt > 1 { Kind::Retry } else { Kind::Request };
        self.movements.record(movement(now, edge, lat, kind));
        let to = e.to as usize;
        match lat {
            // Nothing to wait for: the request is there now. Delivering it at
            // once saves an event and a trip through the queue. Responses are
            // never handled inside the call that sends them (see `respond`),
            // so a chain of zero-latency hops recurses at most as deep as the
            // design's calls go (validation refuses cycles); a paused callee
            // gets it as an event, to hold.
            Some(0) if !self.nodes[to].paused => self.on_deliver(idx, gen),
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

    #[inline(always)]
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
        self.arrive_at(target, idx);
    }

    /// Admits a call to `node`'s pool of workers (or connections): it starts
    /// at once, waits in the pool's queue, or is rejected when that is full.
    pub(crate) fn admit(&mut self, node: usize, idx: u32) {
        let shard = self.calls.at(idx).shard;
        let n = &mut self.nodes[node];
        let admit = n.behaviour.pool_mut(shard).map_or(Admit::Rejected, |p| p.offer(idx));
        match admit {
            Admit::Start => {
                n.add_in_flight(1);
                n.busy_changed(1);
                self.start_work(node, idx);
            }
            Admit::Queued => {
                n.add_in_flight(1);
                self.calls.at_mut(idx).phase = Phase::Queued;
            }
            Admit::Rejected => self.refuse(node, idx, Outcome::Failed(FailReason::Rejected)),
        }
    }

    /// `node` answers a call that has just arrived with `outcome` at once,
    /// without working on it (refused, rejected, rate limited, accepted by a queue).
    pub(crate) fn refuse(&mut self, node: usize, idx: u32, outcome: Outcome) {
        if !self.calls.at(idx).shard_part {
            self.nodes[node].metrics.complete(outcome, 0);
        }
        self.respond(idx, outcome);
    }

    /// A worker takes the call: schedule the end of its local work.
    #[inline(always)]
    pub(crate) fn start_work(&mut self, node: usize, idx: u32) {
        let now = self.now;
        let call = self.calls.at(idx);
        let (expired, shard, migrating) = (now.0 >= call.deadline, call.shard, call.migrating);
        let n = &mut self.nodes[node];
        let work = if expired {
            0 // past its deadline: dropped as soon as it is picked up
        } else {
            n.behaviour.work_time(&mut n.rng, n.slow, shard, migrating)
        };
        if let Some(j) = &mut self.journal {
            j.push(Draw::Work { node: node as u32, at_us: now.0, work_us: work });
        }
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
        let (own_5xx, own_4xx) = n.behaviour.error_rates();
        // The configured error rate and a fault's combine as independent causes.
        let p_5xx = 1.0 - (1.0 - own_5xx) * (1.0 - n.error_rate);
        if p_5xx > 0.0 && unit_open(&mut n.err_rng) < p_5xx {
            return self.finish(node, idx, Outcome::Failed(FailReason::ErrorStatus));
        }
        if own_4xx > 0.0 && unit_open(&mut n.err_rng) < own_4xx {
            return self.finish(node, idx, Outcome::Failed(FailReason::ClientError));
        }
        self.work_done_at(node, idx, op, req);
    }

    /// The callee is done with a call: free its worker and answer.
    pub(crate) fn finish(&mut self, node: usize, idx: u32, outcome: Outcome) {
        let now = self.now;
        let call = self.calls.at(idx);
        let (arrived, shard, part) = (call.arrived_at, call.shard, call.shard_part);
        if outcome.is_success() {
            self.succeeded_at(node, idx);
        }
        let n = &mut self.nodes[node];
        n.account(now);
        if !part {
            n.metrics.complete(outcome, now.since(arrived));
        }
        n.saturating_leave();
        // The worker freed takes the next call queued on the same pool (a
        // sharded database's shard).
        let (next, freed) = match n.behaviour.pool_mut(shard) {
            Some(p) => {
                let busy = p.busy;
                (p.release(), busy - p.busy)
            }
            None => (None, 0),
        };
        if freed > 0 {
            n.busy_changed(-1);
        }
        if let Some(next) = next {
            self.start_work(node, next);
        }
        self.respond(idx, outcome);
    }

    /// Puts a call's response on the wire back to its caller.
    pub(crate) fn respond(&mut self, idx: u32, outcome: Outcome) {
        let call = self.calls.at_mut(idx);
        if call.shard_part {
            return crate::nodes::scatter::gathered(self, idx, outcome);
        }
        call.outcome = outcome;
        call.phase = Phase::Responding;
        let (gen, abandoned, edge) = (call.gen, call.abandoned, call.edge);
        let e = &mut self.edges[edge as usize];
        let (steady, caller) = (e.latency.is_constant(), e.from as usize);
        let lat = transmit(e);
        self.movements.record(movement(self.now, edge, lat, Kind::of(outcome)));
        match lat {
            // Nothing to wait for: the caller gets it as soon as the event
            // being handled is done (`Sim::answer_now`), without a trip
            // through the queue; a paused caller gets it as an event, to hold.
            Some(0) if !self.nodes[caller].paused => self.answers_now.push((idx, gen)),
            Some(lat) => self.schedule_message(steady, self.now.plus(lat), Event::Response { call: idx, gen }),
            None if abandoned => self.calls.close(idx),
            None => call.lost = true,
        }
    }

    #[inline(always)]
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
        let waiting = call.phase == Phase::Waiting;
        self.settle(idx, Outcome::Failed(FailReason::Timeout));
        if lost || waiting {
            self.calls.close(idx);
        } else {
            // The callee may still be working on it; its answer will be dropped.
            self.calls.at_mut(idx).abandoned = true;
        }
    }

    /// The caller learns how an attempt ended (response, timeout, bulkhead
    /// refusal): its bulkhead slot is freed, the edge and its breaker record
    /// it, and it is retried or concluded (see `resilience` for the order).
    #[inline(always)]
    pub(super) fn settle(&mut self, idx: u32, outcome: Outcome) {
        let now = self.now;
        let call = self.calls.at_mut(idx);
        let (parent, edge, sent_at, holds, req) = (call.parent, call.edge, call.sent_at, call.holds_slot, call.req());
        call.holds_slot = false;
        if holds {
            let caller = self.edges[edge as usize].from as usize;
            self.release_slot(caller, edge);
        }
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
        self.conclude(parent, edge, outcome, req);
    }

    /// The caller of a call (a client, a queue, or the call's parent) gets its outcome.
    #[inline(always)]
    pub(crate) fn answer_caller(&mut self, parent: u32, caller: usize, outcome: Outcome, req: Req) {
        let now = self.now;
        match parent {
            NO_PARENT => {
                let latency = now.0.saturating_sub(req.started_us);
                // A user request's caller is its client (only `on_arrival`
                // opens calls without a parent).
                let n = &mut self.nodes[caller];
                n.account(now);
                n.metrics.complete(outcome, latency);
                n.add_in_flight(-1);
                if self.overall_node.is_none() {
                    self.overall.complete(outcome, latency);
                }
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
            QUEUE_PARENT => self.own_call_answered(caller, outcome, req),
            parent => {
                let p = self.calls.at_mut(parent);
                p.dep_failed |= !outcome.is_success();
                let node = self.edges[p.edge as usize].to as usize;
                self.child_done_at(node, parent, outcome);
            }
        }
    }

    /// Refuses call `idx`, queued or working at `node`, because what was
    /// serving it is gone (the node crashed, or the database member it was
    /// on failed). A shard's part is counted by the call it is part of.
    pub(crate) fn refuse_held(&mut self, node: usize, idx: u32) {
        let (arrived, part) = (self.calls.at(idx).arrived_at, self.calls.at(idx).shard_part);
        let n = &mut self.nodes[node];
        if !part {
            n.metrics.complete(REFUSED, self.now.since(arrived));
        }
        n.saturating_leave();
        self.respond(idx, REFUSED);
    }

    /// Fails every call held at `node` (it crashed) and cuts it off from the
    /// calls it had made; its kind then resets what a crash resets, given the
    /// calls it had made on its own account (a queue's deliveries, which it
    /// takes back: their acknowledgements can no longer reach it).
    pub(super) fn drop_calls_at(&mut self, node: usize) {
        let mut own_calls = Vec::new();
        for idx in self.calls.live_indices() {
            let c = self.calls.at(idx);
            let e = &self.edges[c.edge as usize];
            let (callee, caller) = (e.to as usize, e.from as usize);
            if callee == node && matches!(c.phase, Phase::Queued | Phase::Working) {
                self.refuse_held(node, idx);
            } else if caller == node && c.parent != NO_PARENT && !c.abandoned && !c.shard_part {
                if c.parent == QUEUE_PARENT {
                    own_calls.push((c.started_us, c.req()));
                }
                let lost = c.lost;
                self.edges[c.edge as usize].in_flight -= 1;
                self.calls.at_mut(idx).abandoned = true;
                if lost {
                    self.calls.close(idx);
                }
            }
        }
        self.nodes[node].set_in_flight(0);
        self.crashed_at(node, own_calls);
        // A crash empties the node's pools.
        self.nodes[node].sync_busy();
    }
}

#[inline(always)]
fn movement(now: SimTime, edge: u32, latency: Option<u64>, kind: Kind) -> Movement {
    match latency {
        Some(l) => Movement { sent_us: now.0, travel_us: l.min(u64::from(u32::MAX)) as u32, edge, kind },
        None => Movement { sent_us: now.0, travel_us: 0, edge, kind: Kind::Lost },
    }
}

/// One message over an edge: its latency, or `None` when it is lost or the
/// edge is cut by a partition.
#[inline(always)]
fn transmit(e: &mut EdgeRt) -> Option<u64> {
    if e.blocked > 0 {
        return None;
    }
    if e.loss > 0.0 && unit_open(&mut e.loss_rng) < e.loss {
        return None;
    }
    Some(e.latency.sample(&mut e.rng) + e.extra_latency_us)
}
