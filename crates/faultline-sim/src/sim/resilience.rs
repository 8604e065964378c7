//! The mechanism behind the resilience policies: where the engine consults
//! the retry policy, the breaker, the budget, the bulkheads and fallbacks.
//! The policies themselves (`policy/`) know nothing of calls or edges.
//!
//! They wrap a call in the order resilience4j's documentation gives for its
//! decorators: Retry ( CircuitBreaker ( RateLimiter ( TimeLimiter ( Bulkhead
//! ( call ) ) ) ) ). Per attempt, the caller's breaker is asked first, then
//! the edge's timeout (the time limiter) starts, then the bulkhead is
//! entered (a free slot, a wait, or a rejection); the slot is freed as soon
//! as the attempt ends, before the breaker records the outcome and the retry
//! policy decides. So a call sleeping out its backoff holds no slot, and each
//! retry goes through the breaker and the bulkhead again. The breaker sees
//! what the layers inside it raise: timeouts, including a wait for a slot
//! that outlasts the timeout, and bulkhead rejections (recorded as failures,
//! as resilience4j records every exception by default). The rate limiter
//! here is the callee's token bucket, not a caller-side layer.

use super::Sim;
use crate::calls::{FailReason, Outcome, Phase, Req};
use crate::event::Event;
use crate::nodes::Behaviour;
use crate::policy::bulkhead::Entry;
use crate::policy::RetrySchedule;
use crate::scenario::Method;

impl Sim {
    /// A caller's first attempt over `edge`, from a caller without bulkheads
    /// (a client, a balancer, a queue): its breaker may refuse it.
    pub(crate) fn send(&mut self, req: Req, parent: u32, edge: u32) {
        if !self.breaker_allows(edge) {
            return self.refuse_locally(req, parent, edge, FailReason::ShortCircuited);
        }
        let (idx, gen) = self.open_attempt(req, parent, edge);
        self.put_on_wire(idx, gen, edge);
    }

    /// A service calls a dependency: through its breaker, then its bulkhead
    /// if it has one.
    pub(crate) fn send_dep(&mut self, node: usize, req: Req, parent: u32, edge: u32) {
        let Some(b) = self.bulkhead_guarding(node, edge) else {
            return self.send(req, parent, edge);
        };
        if !self.breaker_allows(edge) {
            return self.refuse_locally(req, parent, edge, FailReason::ShortCircuited);
        }
        let (idx, gen) = self.open_attempt(req, parent, edge);
        self.enter_bulkhead(node, b, idx, gen, edge);
    }

    /// Does the breaker of `edge` (if any) let an attempt through now?
    fn breaker_allows(&mut self, edge: u32) -> bool {
        let now = self.now.0;
        self.edges[edge as usize].breaker.as_mut().is_none_or(|b| b.allow(now))
    }

    /// The index of `node`'s bulkhead guarding its calls over `edge`.
    fn bulkhead_guarding(&self, node: usize, edge: u32) -> Option<usize> {
        match &self.nodes[node].behaviour {
            Behaviour::Service(svc) => svc.bulkhead_of(edge),
            _ => None,
        }
    }

    /// Opens the call of an attempt the breaker let through.
    #[inline(always)]
    fn open_attempt(&mut self, req: Req, parent: u32, edge: u32) -> (u32, u32) {
        let (idx, gen) = self.calls.open(req, parent, edge, self.now);
        let e = &mut self.edges[edge as usize];
        e.metrics.arrive();
        e.in_flight += 1;
        (idx, gen)
    }

    /// An attempt (open, past the breaker) meets bulkhead `b` of its caller
    /// `node`, the innermost layer: it goes, waits for a slot, or is refused.
    /// The time limiter wraps the bulkhead, so a wait counts against the
    /// edge's timeout.
    fn enter_bulkhead(&mut self, node: usize, b: usize, idx: u32, gen: u32, edge: u32) {
        let Behaviour::Service(svc) = &mut self.nodes[node].behaviour else { unreachable!("bulkheads are services'") };
        match svc.bulkheads[b].enter() {
            Entry::Go => {
                self.calls.at_mut(idx).holds_slot = true;
                self.put_on_wire(idx, gen, edge);
            }
            Entry::Wait => {
                let wait = svc.bulkheads[b].max_wait_us;
                svc.bulkheads[b].waiters.push_back((idx, gen));
                self.calls.at_mut(idx).phase = Phase::Waiting;
                self.arm_timeout(idx, gen, edge);
                self.queue.schedule(self.now.plus(wait), Event::WaitExpired { call: idx, gen });
            }
            Entry::Reject => self.bulkhead_refused(idx),
        }
    }

    /// The bulkhead refused an attempt (full, or its wait ran out): it
    /// fails with `BulkheadFull`, which the breaker wrapping the bulkhead
    /// records, and is over.
    fn bulkhead_refused(&mut self, idx: u32) {
        self.settle(idx, Outcome::Failed(FailReason::BulkheadFull));
        self.calls.close(idx);
    }

    /// The caller itself fails the call without sending it.
    fn refuse_locally(&mut self, req: Req, parent: u32, edge: u32, reason: FailReason) {
        if reason == FailReason::ShortCircuited {
            let kind = crate::movements::Kind::ShortCircuited;
            self.movements.record(crate::movements::Movement { sent_us: self.now.0, travel_us: 0, edge, kind });
        }
        let e = &mut self.edges[edge as usize];
        e.metrics.arrive();
        e.metrics.complete(Outcome::Failed(reason), 0);
        self.conclude(parent, edge, Outcome::Failed(reason), req);
    }

    /// Retries a failed call if its edge's policy says so: opens the next
    /// attempt, waiting out its backoff (holding no bulkhead slot), and
    /// returns true.
    #[inline(always)]
    pub(super) fn maybe_retry(&mut self, idx: u32, outcome: Outcome) -> bool {
        // Inlined up to here: a success or an error not worth retrying (most
        // calls) costs a check, not a call.
        match outcome {
            Outcome::Failed(reason) if reason.retryable() => self.retry_after_failure(idx, reason),
            _ => false,
        }
    }

    /// `maybe_retry` for a failure worth retrying.
    #[inline(never)]
    fn retry_after_failure(&mut self, idx: u32, reason: FailReason) -> bool {
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
        let (parent, edge) = (call.parent, call.edge);
        e.in_flight += 1;
        e.retries += 1;
        let (next, gen) = self.calls.open(req, parent, edge, now);
        let c = self.calls.at_mut(next);
        c.phase = Phase::Backoff;
        c.prev_sleep_us = delay.min(u64::from(u32::MAX)) as u32;
        self.queue.schedule(now.plus(delay), Event::RetrySend { call: next, gen });
        true
    }

    /// A retry's backoff is over: the next attempt goes through the breaker
    /// and the bulkhead again.
    pub(super) fn on_retry_send(&mut self, idx: u32, gen: u32) {
        let now = self.now;
        let Some(call) = self.calls.get(idx, gen) else { return };
        if call.phase != Phase::Backoff {
            return;
        }
        if call.abandoned {
            return self.calls.close(idx); // its caller died during the backoff
        }
        let (edge, parent, req) = (call.edge, call.parent, call.req());
        if !self.breaker_allows(edge) {
            self.edges[edge as usize].in_flight -= 1;
            self.calls.close(idx);
            return self.refuse_locally(req, parent, edge, FailReason::ShortCircuited);
        }
        self.edges[edge as usize].metrics.arrive();
        let c = self.calls.at_mut(idx);
        c.phase = Phase::Requesting;
        c.sent_at = now;
        let caller = self.edges[edge as usize].from as usize;
        match self.bulkhead_guarding(caller, edge) {
            Some(b) => self.enter_bulkhead(caller, b, idx, gen, edge),
            None => self.put_on_wire(idx, gen, edge),
        }
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
        self.bulkhead_refused(idx);
    }

    /// An attempt that held a bulkhead slot is over: hand the slot to the
    /// oldest waiter still waiting, or free it.
    pub(super) fn release_slot(&mut self, caller: usize, edge: u32) {
        let Behaviour::Service(svc) = &mut self.nodes[caller].behaviour else { return };
        let Some(b) = svc.bulkhead_of(edge) else { return };
        while let Some((idx, gen)) = svc.bulkheads[b].waiters.pop_front() {
            let Some(c) = self.calls.get_mut(idx, gen) else { continue };
            if c.phase != Phase::Waiting || c.abandoned {
                continue;
            }
            // Its timeout has been running since it started waiting.
            c.phase = Phase::Requesting;
            c.holds_slot = true;
            let e = c.edge;
            return self.transmit_request(idx, gen, e);
        }
        svc.bulkheads[b].leave();
    }

    /// The last word on a call over `edge` for its caller: a fallback may
    /// turn a failure into a degraded success, and the caller carries on.
    #[inline(always)]
    pub(super) fn conclude(&mut self, parent: u32, edge: u32, outcome: Outcome, req: Req) {
        let e = &self.edges[edge as usize];
        let caller = e.from as usize;
        let outcome = if !outcome.is_success() && e.fallback {
            if !self.cache_bypass.is_empty() {
                return self.fall_back(parent, edge, caller, outcome, req);
            }
            Outcome::Degraded
        } else {
            outcome
        };
        self.answer_caller(parent, caller, outcome, req);
    }

    /// A failed call on an edge with a fallback: a read past a cache goes to
    /// its database (`Fallback::Database`), anything else is answered by the
    /// fallback (degraded). Out of line: the path of every call stays short.
    #[cold]
    #[inline(never)]
    fn fall_back(&mut self, parent: u32, edge: u32, caller: usize, outcome: Outcome, req: Req) {
        if let Some(&(_, to_db)) = self.cache_bypass.iter().find(|&&(to_cache, _)| to_cache == edge) {
            return crate::nodes::cache::bypass(self, parent, caller, outcome, req, to_db);
        }
        self.answer_caller(parent, caller, Outcome::Degraded, req);
    }
}
