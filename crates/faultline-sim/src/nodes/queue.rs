//! A message queue: accepts from producers at once, delivers to its consumer
//! at the consumer's pace, redelivers what fails (at once, or after a
//! redelivery delay, like SQS's visibility timeout).
//!
//! Decoupling is the point: the producer's latency no longer includes the
//! consumer's, and a slow or failing consumer fills the queue instead of
//! failing the producer, until the queue itself is full.
//!
//! Messages are durable, as in SQS or a RabbitMQ durable queue: a crash
//! pauses deliveries and keeps every message, including those handed to the
//! consumer and not yet acknowledged, which are delivered again after the
//! restart (an at-least-once delivery: the consumer may see them twice). So
//! the books always balance: published = delivered + dropped + dead-lettered
//! + held (queued, waiting out a redelivery delay, or out for delivery).

use super::Behaviour;
use crate::calls::{FailReason, Outcome, Req, QUEUE_PARENT};
use crate::event::Event;
use crate::scenario::{DropPolicy, QueueConfig};
use crate::sim::Sim;
use std::collections::VecDeque;

/// A message waiting in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    pub request: u64,
    pub op: u16,
    pub key: u64,
    /// Deliveries attempted so far.
    pub deliveries: u8,
}

/// What the queue did with a message offered to it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Offer {
    Accepted,
    /// Accepted after dropping the oldest message.
    AcceptedDroppingOldest,
    Rejected,
}

#[derive(Clone, Debug)]
pub struct QueueRt {
    pub capacity: u32,
    pub drop_policy: DropPolicy,
    pub consumers: u32,
    pub max_redeliveries: u32,
    /// Time a failed message waits before it is visible again, in µs (0: at once).
    pub redelivery_delay_us: u64,
    /// The edge to the consumer.
    pub edge: u32,
    buf: VecDeque<Message>,
    /// Failed messages waiting out the redelivery delay, in the order they
    /// failed. The delay is the same for all of them, so they come due in
    /// this order: each has one timer (`Event::Redeliver`), and a timer
    /// releases the front, whichever message it was set for.
    waiting: VecDeque<Message>,
    /// Timers still to fire whose messages were dropped from the front of
    /// `waiting` (drop-oldest with nothing else to drop): they release nothing.
    stale_timers: u32,
    /// Messages handed to the consumer and not yet acknowledged.
    pub delivering: u32,
    /// Messages accepted from producers.
    pub published: u64,
    pub delivered: u64,
    pub dropped: u64,
    pub dead_lettered: u64,
    pub redelivered: u64,
}

impl QueueRt {
    pub fn new(cfg: &QueueConfig, edge: u32) -> QueueRt {
        QueueRt {
            capacity: cfg.capacity,
            drop_policy: cfg.drop_policy,
            consumers: cfg.consumers,
            max_redeliveries: cfg.max_redeliveries,
            redelivery_delay_us: cfg.redelivery_delay_ms.saturating_mul(1_000),
            edge,
            buf: VecDeque::new(),
            waiting: VecDeque::new(),
            stale_timers: 0,
            delivering: 0,
            published: 0,
            delivered: 0,
            dropped: 0,
            dead_lettered: 0,
            redelivered: 0,
        }
    }

    /// Messages waiting out the redelivery delay count against the capacity:
    /// the queue holds them.
    pub fn offer(&mut self, m: Message) -> Offer {
        if self.depth() < self.capacity {
            self.buf.push_back(m);
            self.published += 1;
            Offer::Accepted
        } else {
            match self.drop_policy {
                DropPolicy::RejectNew => Offer::Rejected,
                DropPolicy::DropOldest => {
                    if self.buf.pop_front().is_none() && self.waiting.pop_front().is_some() {
                        // Its timer still fires; it must release nothing.
                        self.stale_timers += 1;
                    }
                    self.dropped += 1;
                    self.buf.push_back(m);
                    self.published += 1;
                    Offer::AcceptedDroppingOldest
                }
            }
        }
    }

    /// The next message to deliver, if a consumer slot is free.
    pub fn next_delivery(&mut self) -> Option<Message> {
        if self.delivering >= self.consumers {
            return None;
        }
        let mut m = self.buf.pop_front()?;
        m.deliveries = m.deliveries.saturating_add(1);
        self.delivering += 1;
        Some(m)
    }

    /// A delivery ended; a failed one goes back to the end of the queue
    /// until it has used up its redeliveries, at once or, with a redelivery
    /// delay, after it. True when the caller must set the timer: an
    /// `Event::Redeliver` for this queue, `redelivery_delay_us` from now.
    #[must_use]
    pub fn delivery_done(&mut self, m: Message, ok: bool) -> bool {
        self.delivering = self.delivering.saturating_sub(1);
        if ok {
            self.delivered += 1;
        } else if u32::from(m.deliveries) <= self.max_redeliveries {
            self.redelivered += 1;
            // Redeliveries bypass the capacity check: the message was already admitted.
            if self.redelivery_delay_us > 0 {
                self.waiting.push_back(m);
                return true;
            }
            self.buf.push_back(m);
        } else {
            self.dead_lettered += 1;
        }
        false
    }

    /// A redelivery timer fired: the longest-waiting message is visible
    /// again, at the end of the queue. False if there was none to release
    /// (the timer's message was dropped).
    pub fn redeliver(&mut self) -> bool {
        if self.stale_timers > 0 {
            self.stale_timers -= 1;
            return false;
        }
        match self.waiting.pop_front() {
            Some(m) => {
                self.buf.push_back(m);
                true
            }
            None => false,
        }
    }

    /// Messages held: waiting for delivery or for their redelivery delay.
    pub fn depth(&self) -> u32 {
        (self.buf.len() + self.waiting.len()) as u32
    }

    /// Messages waiting out the redelivery delay.
    pub fn waiting(&self) -> u32 {
        self.waiting.len() as u32
    }

    /// The queue's node crashed: the messages out for delivery were never
    /// acknowledged, so they go back to the front of the queue, oldest
    /// delivery first, to be delivered again (counted as redeliveries).
    /// Everything else it holds stays, timers included.
    pub fn take_back(&mut self, unacknowledged: &[Message]) {
        for &m in unacknowledged.iter().rev() {
            self.buf.push_front(m);
        }
        let n = unacknowledged.len() as u32;
        debug_assert_eq!(n, self.delivering, "every message out for delivery comes back");
        self.delivering = self.delivering.saturating_sub(n);
        self.redelivered += u64::from(n);
    }

    /// Every message accepted is delivered, dropped, dead-lettered or held.
    pub fn balanced(&self) -> bool {
        self.published == self.delivered + self.dropped + self.dead_lettered + u64::from(self.depth() + self.delivering)
    }
}

/// A message arrives from a producer: the queue acknowledges it at once
/// (or rejects it when full), then delivers what it can.
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    let c = sim.calls.at(idx);
    let m = Message { request: c.request, op: c.op, key: c.key, deliveries: 0 };
    let Behaviour::Queue(q) = &mut sim.nodes[node].behaviour else {
        return;
    };
    let outcome = match q.offer(m) {
        Offer::Accepted | Offer::AcceptedDroppingOldest => Outcome::Ok,
        Offer::Rejected => Outcome::Failed(FailReason::Rejected),
    };
    sim.refuse(node, idx, outcome);
    pump(sim, node);
}

/// Hands messages to the consumer while it has free slots (and the queue is
/// up: a crashed queue keeps its messages until it restarts).
pub(crate) fn pump(sim: &mut Sim, node: usize) {
    if sim.nodes[node].down {
        return;
    }
    loop {
        let Behaviour::Queue(q) = &mut sim.nodes[node].behaviour else {
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
            started_us: sim.now().0,
        };
        sim.send(req, QUEUE_PARENT, edge);
    }
}

/// A redelivery delay is over for the longest-waiting message: it goes back
/// to the end of the queue, and the queue delivers.
pub(crate) fn redeliver(sim: &mut Sim, node: usize) {
    let Behaviour::Queue(q) = &mut sim.nodes[node].behaviour else {
        return;
    };
    if q.redeliver() {
        pump(sim, node);
    }
}

/// The consumer acknowledged a delivery, or it failed (then the message is
/// redelivered, at once or after the delay, or dead-lettered).
pub(crate) fn delivery_answered(sim: &mut Sim, node: usize, outcome: Outcome, req: Req) {
    let m = Message { request: req.request, op: req.op, key: req.key, deliveries: req.attempt };
    let now = sim.now();
    if let Behaviour::Queue(q) = &mut sim.nodes[node].behaviour {
        if q.delivery_done(m, outcome.is_success()) {
            // Same delay for every message: the timers fire in the order the
            // messages started waiting (and, the delay repeating, can wait in
            // a lane of the event queue).
            let at = now.plus(q.redelivery_delay_us);
            sim.queue.schedule_steady(at, Event::Redeliver { node: node as u32 });
        }
    }
    pump(sim, node);
}

impl QueueRt {
    /// Messages held and deliveries out, on the queue's card.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        v.queue_depth = self.depth();
        v.busy = self.delivering;
        v.capacity = self.capacity;
        v.live.in_flight = u64::from(self.depth() + self.delivering);
    }

    /// The queue's books in the run report.
    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        r.queue = Some(crate::report::QueueReport {
            depth: self.depth(),
            delivered: self.delivered,
            redelivered: self.redelivered,
            dropped: self.dropped,
            dead_lettered: self.dead_lettered,
            published: self.published,
            delivering: self.delivering,
        });
    }

    /// A crash: the deliveries out (`own_calls`, with the time each was
    /// sent) come back to the front of the queue, oldest first.
    pub fn crash(&mut self, mut own_calls: Vec<(u64, Req)>) {
        own_calls.sort_by_key(|&(sent, r)| (sent, r.request));
        let messages: Vec<Message> = own_calls
            .into_iter()
            .map(|(_, r)| Message { request: r.request, op: r.op, key: r.key, deliveries: r.attempt })
            .collect();
        self.take_back(&messages);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(request: u64) -> Message {
        Message { request, op: 0, key: 0, deliveries: 0 }
    }

    #[test]
    fn rejects_or_drops_oldest_when_full() {
        let mut q = QueueRt::new(&QueueConfig { capacity: 2, ..Default::default() }, 0);
        assert_eq!(q.offer(msg(1)), Offer::Accepted);
        assert_eq!(q.offer(msg(2)), Offer::Accepted);
        assert_eq!(q.offer(msg(3)), Offer::Rejected);
        let mut q =
            QueueRt::new(&QueueConfig { capacity: 2, drop_policy: DropPolicy::DropOldest, ..Default::default() }, 0);
        q.offer(msg(1));
        q.offer(msg(2));
        assert_eq!(q.offer(msg(3)), Offer::AcceptedDroppingOldest);
        assert_eq!(q.next_delivery().unwrap().request, 2);
        assert_eq!(q.dropped, 1);
    }

    #[test]
    fn consumer_concurrency_and_redelivery() {
        let mut q = QueueRt::new(&QueueConfig { consumers: 1, max_redeliveries: 1, ..Default::default() }, 0);
        q.offer(msg(1));
        q.offer(msg(2));
        let m = q.next_delivery().unwrap();
        assert!(q.next_delivery().is_none(), "one consumer slot");
        assert!(!q.delivery_done(m, false), "no delay: no timer");
        let m2 = q.next_delivery().unwrap();
        assert_eq!(m2.request, 2);
        assert!(!q.delivery_done(m2, true));
        let again = q.next_delivery().unwrap();
        assert_eq!((again.request, again.deliveries), (1, 2));
        assert!(!q.delivery_done(again, false));
        assert_eq!((q.delivered, q.redelivered, q.dead_lettered, q.depth()), (1, 1, 1, 0));
    }

    fn delayed(capacity: u32, drop_policy: DropPolicy) -> QueueRt {
        let cfg = QueueConfig { capacity, drop_policy, consumers: 1, max_redeliveries: 2, redelivery_delay_ms: 5_000 };
        QueueRt::new(&cfg, 0)
    }

    #[test]
    fn a_delayed_redelivery_waits_for_its_timer_and_is_still_held() {
        let mut q = delayed(10, DropPolicy::RejectNew);
        assert_eq!(q.redelivery_delay_us, 5_000_000);
        q.offer(msg(1));
        q.offer(msg(2));
        let m = q.next_delivery().unwrap();
        assert!(q.delivery_done(m, false), "a failed delivery sets a timer");
        assert_eq!((q.depth(), q.waiting(), q.redelivered), (2, 1, 1));
        // Not visible yet: the consumer gets message 2, then nothing.
        let m2 = q.next_delivery().unwrap();
        assert_eq!(m2.request, 2);
        assert!(!q.delivery_done(m2, true));
        assert!(q.next_delivery().is_none());
        // The timer fires: message 1 is back at the end of the queue.
        assert!(q.redeliver());
        assert_eq!((q.depth(), q.waiting()), (1, 0));
        let again = q.next_delivery().unwrap();
        assert_eq!((again.request, again.deliveries), (1, 2));
        assert!(q.delivery_done(again, false));
        assert!(q.redeliver());
        let last = q.next_delivery().unwrap();
        assert_eq!(last.deliveries, 3);
        assert!(!q.delivery_done(last, false), "out of redeliveries: dead-lettered, no timer");
        assert_eq!((q.delivered, q.redelivered, q.dead_lettered, q.depth()), (1, 2, 1, 0));
        assert!(!q.redeliver(), "a timer with nothing waiting releases nothing");
    }

    #[test]
    fn waiting_messages_count_against_capacity_but_redeliveries_bypass_it() {
        let mut q = delayed(2, DropPolicy::RejectNew);
        q.offer(msg(1));
        q.offer(msg(2));
        let m = q.next_delivery().unwrap();
        assert!(q.delivery_done(m, false));
        assert_eq!(q.depth(), 2);
        assert_eq!(q.offer(msg(3)), Offer::Rejected, "the waiting message is held");
        // Full, yet both failed messages come back: they were admitted already.
        let m2 = q.next_delivery().unwrap();
        assert!(q.delivery_done(m2, false));
        assert!(q.redeliver() && q.redeliver());
        assert_eq!((q.depth(), q.waiting()), (2, 0));
    }

    #[test]
    fn drop_oldest_can_drop_a_waiting_message_and_its_timer_then_releases_nothing() {
        let mut q = delayed(2, DropPolicy::DropOldest);
        q.offer(msg(1));
        q.offer(msg(2));
        let m1 = q.next_delivery().unwrap();
        assert!(q.delivery_done(m1, false));
        let m2 = q.next_delivery().unwrap();
        assert!(q.delivery_done(m2, false));
        // Both wait; a new message drops the oldest waiting one (1).
        assert_eq!(q.offer(msg(3)), Offer::AcceptedDroppingOldest);
        assert_eq!((q.depth(), q.waiting(), q.dropped), (2, 1, 1));
        assert!(!q.redeliver(), "message 1's timer: it was dropped");
        assert!(q.redeliver(), "message 2's timer");
        assert_eq!(q.next_delivery().unwrap().request, 3);
        assert_eq!(q.depth(), 1);
    }

    #[test]
    fn a_crash_takes_back_what_was_out_for_delivery_and_keeps_the_rest() {
        let mut q = delayed(10, DropPolicy::RejectNew);
        for r in 1..=4 {
            q.offer(msg(r));
        }
        let m1 = q.next_delivery().unwrap();
        assert!(q.delivery_done(m1, false), "message 1 fails and waits");
        let m2 = q.next_delivery().unwrap();
        assert_eq!((m2.request, q.delivering, q.depth()), (2, 1, 3));
        assert!(q.balanced());
        // The crash: message 2 was never acknowledged.
        q.take_back(&[m2]);
        assert_eq!((q.delivering, q.depth(), q.waiting(), q.redelivered, q.dropped), (0, 4, 1, 2, 0));
        assert!(q.balanced());
        // After the restart message 2 comes first, on its second delivery;
        // message 1's timer still releases it.
        let again = q.next_delivery().unwrap();
        assert_eq!((again.request, again.deliveries), (2, 2));
        assert!(!q.delivery_done(again, true));
        assert!(q.redeliver());
        let order: Vec<u64> = std::iter::from_fn(|| {
            let m = q.next_delivery()?;
            assert!(!q.delivery_done(m, true));
            Some(m.request)
        })
        .collect();
        assert_eq!(order, vec![3, 4, 1]);
        assert_eq!((q.published, q.delivered, q.depth()), (4, 4, 0));
        assert!(q.balanced());
    }
}
