//! The mechanism behind the resilience policies: where the engine consults
//! the retry policy, the breaker, the budget, the bulkheads and fallbacks.
//! The policies themselves (`policy/`) know nothing of calls or edges.

use super::Sim;
use crate::calls::{FailReason, Outcome, Phase, Req};
use crate::event::Event;
use crate::nodes::Behaviour;
use crate::policy::bulkhead::Entry;
use crate::policy::RetrySchedule;
use crate::scenario::Method;

impl Sim {
    /// A caller's attempt to call over `edge`: its breaker may refuse it.
    pub(super) fn send(&mut self, req: Req, parent: u32, edge: u32, holds_slot: bool) {
        let now = self.now;
        let e = &mut self.edges[edge as usize];
        if let Some(b) = &mut e.breaker {
            if !b.allow(now.0) {
                return self.refuse_locally(req, parent, edge, FailReason::ShortCircuited, holds_slot);
            }
        }
        let (idx, gen) = self.calls.open(req, parent, edge, now);
        self.calls.at_mut(idx).holds_slot = holds_slot;
        let e = &mut self.edges[edge as usize];
        e.metrics.arrive();
        e.in_flight += 1;
        self.put_on_wire(idx, gen, edge);
    }

    /// A service calls a dependency, through its bulkhead if it has one.
    pub(super) fn send_dep(&mut self, node: usize, req: Req, parent: u32, edge: u32) {
        let Behaviour::Service(svc) = &mut self.nodes[node].behaviour else {
            return self.send(req, parent, edge, false);
        };
        let Some(b) = svc.bulkhead_of(edge) else {
            return self.send(req, parent, edge, false);
        };
        match svc.bulkheads[b].enter() {
            Entry::Go => self.send(req, parent, edge, true),
            Entry::Reject => self.refuse_locally(req, parent, edge, FailReason::BulkheadFull, false),
            Entry::Wait => {
                let wait = svc.bulkheads[b].max_wait_us;
                let (idx, gen) = self.calls.open(req, parent, edge, self.now);
                self.calls.at_mut(idx).phase = Phase::Waiting;
                if let Behaviour::Service(svc) = &mut self.nodes[node].behaviour {
                    svc.bulkheads[b].waiters.push_back((idx, gen));
                }
                self.edges[edge as usize].in_flight += 1;
                self.queue.schedule(self.now.plus(wait), Event::WaitExpired { call: idx, gen });
            }
        }
    }

    /// The caller itself fails the call without sending it.
    fn refuse_locally(&mut self, req: Req, parent: u32, edge: u32, reason: FailReason, holds_slot: bool) {
        if reason == FailReason::ShortCircuited {
            let kind = crate::movements::Kind::ShortCircuited;
            self.movements.record(crate::movements::Movement { sent_us: self.now.0, travel_us: 0, edge, kind });
        }
        let e = &mut self.edges[edge as usize];
        e.metrics.arrive();
        e.metrics.complete(Outcome::Failed(reason), 0);
        self.conclude(parent, edge, Outcome::Failed(reason), req, holds_slot);
    }

    /// Retries a failed call if its edge's policy says so: opens the next
    /// attempt, waiting out its backoff, and returns true.
    pub(super) fn maybe_retry(&mut self, idx: u32, outcome: Outcome) -> bool {
        let Outcome::Failed(reason) = outcome else { return false };
        if !reason.retryable() {
            return false;
        }
        let now = self.now;
        let call = self.calls.at(idx);
        let e = &mut self.edges[call.edge as usize];
        let Some(policy) = e.retry else { return false };
        let info = self.ops[usize::from(call.op).min(self.ops.len() - 1)];
        let safe = match info.method {
            Method::Get | Method::Put | Method::Delete => true,
            Method::Post => info.idempotency_key || policy.retry_post,
        };
        if u32::from(call.attempt) >= policy.max_attempts || !safe || now.0 >= call.deadline {
            return false;
        }
        if let Some(budget) = &mut e.budget {
            if !budget.try_spend() {
                return false;
            }
        }
        let mut schedule = RetrySchedule::new(policy.backoff, policy.jitter).resumed(u64::from(call.prev_sleep_us));
        let mut delay = schedule.delay_us(u32::from(call.attempt) - 1, &mut e.jitter_rng);
        if policy.honour_retry_after && reason == FailReason::RateLimited {
            delay = delay.max(u64::from(call.retry_after_us));
        }
        let mut req = call.req();
        req.attempt = req.attempt.saturating_add(1);
        let (parent, edge, holds) = (call.parent, call.edge, call.holds_slot);
        e.in_flight += 1;
        e.retries += 1;
        let (next, gen) = self.calls.open(req, parent, edge, now);
        let c = self.calls.at_mut(next);
        c.phase = Phase::Backoff;
        c.holds_slot = holds;
        c.prev_sleep_us = delay.min(u64::from(u32::MAX)) as u32;
        self.queue.schedule(now.plus(delay), Event::RetrySend { call: next, gen });
        true
    }

    pub(super) fn on_retry_send(&mut self, idx: u32, gen: u32) {
        let now = self.now;
        let Some(call) = self.calls.get(idx, gen) else { return };
        if call.phase != Phase::Backoff {
            return;
        }
        if call.abandoned {
            return self.calls.close(idx); // its caller died during the backoff
        }
        let (edge, parent, holds, req) = (call.edge, call.parent, call.holds_slot, call.req());
        let e = &mut self.edges[edge as usize];
        if let Some(b) = &mut e.breaker {
            if !b.allow(now.0) {
                e.in_flight -= 1;
                self.calls.close(idx);
                return self.refuse_locally(req, parent, edge, FailReason::ShortCircuited, holds);
            }
        }
        e.metrics.arrive();
        let c = self.calls.at_mut(idx);
        c.phase = crate::calls::Phase::Requesting;
        c.sent_at = now;
        self.put_on_wire(idx, gen, edge);
    }

    pub(super) fn on_wait_expired(&mut self, idx: u32, gen: u32) {
        let Some(call) = self.calls.get(idx, gen) else { return };
        // A waiter that got its slot is on its way: this timer no longer concerns it.
        if call.phase != Phase::Waiting {
            return;
        }
        if call.abandoned {
            return self.calls.close(idx); // its caller died while it waited
        }
        let (edge, parent, req) = (call.edge, call.parent, call.req());
        self.edges[edge as usize].in_flight -= 1;
        self.calls.close(idx);
        self.refuse_locally(req, parent, edge, FailReason::BulkheadFull, false);
    }

    /// A call that held a bulkhead slot is over: hand the slot to the oldest
    /// waiter still waiting, or free it.
    fn release_slot(&mut self, caller: usize, edge: u32) {
        let Behaviour::Service(svc) = &mut self.nodes[caller].behaviour else { return };
        let Some(b) = svc.bulkhead_of(edge) else { return };
        while let Some((idx, gen)) = svc.bulkheads[b].waiters.pop_front() {
            let Some(c) = self.calls.get_mut(idx, gen) else { continue };
            if c.phase != Phase::Waiting || c.abandoned {
                continue;
            }
            c.phase = Phase::Requesting;
            c.holds_slot = true;
            c.sent_at = self.now;
            let e = c.edge;
            self.edges[e as usize].metrics.arrive();
            return self.put_on_wire(idx, gen, e);
        }
        svc.bulkheads[b].leave();
    }

    /// The last word on a call over `edge` for its caller: a fallback may
    /// turn a failure into a degraded success, the bulkhead slot is freed,
    /// and the caller carries on.
    pub(super) fn conclude(&mut self, parent: u32, edge: u32, outcome: Outcome, req: Req, holds_slot: bool) {
        let e = &self.edges[edge as usize];
        let caller = e.from as usize;
        let outcome = if !outcome.is_success() && e.fallback { Outcome::Degraded } else { outcome };
        if holds_slot {
            self.release_slot(caller, edge);
        }
        self.answer_caller(parent, caller, outcome, req);
    }
}
