//! A message queue: accepts from producers at once, delivers to its consumer
//! at the consumer's pace, redelivers what fails.
//!
//! Decoupling is the point: the producer's latency no longer includes the
//! consumer's, and a slow or failing consumer fills the queue instead of
//! failing the producer, until the queue itself is full.

use crate::scenario::{DropPolicy, QueueConfig};
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
    /// The edge to the consumer.
    pub edge: u32,
    buf: VecDeque<Message>,
    pub delivering: u32,
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
            edge,
            buf: VecDeque::new(),
            delivering: 0,
            delivered: 0,
            dropped: 0,
            dead_lettered: 0,
            redelivered: 0,
        }
    }

    pub fn offer(&mut self, m: Message) -> Offer {
        if (self.buf.len() as u32) < self.capacity {
            self.buf.push_back(m);
            Offer::Accepted
        } else {
            match self.drop_policy {
                DropPolicy::RejectNew => Offer::Rejected,
                DropPolicy::DropOldest => {
                    self.buf.pop_front();
                    self.dropped += 1;
                    self.buf.push_back(m);
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
    /// until it has used up its redeliveries.
    pub fn delivery_done(&mut self, m: Message, ok: bool) {
        self.delivering = self.delivering.saturating_sub(1);
        if ok {
            self.delivered += 1;
        } else if u32::from(m.deliveries) <= self.max_redeliveries {
            self.redelivered += 1;
            // Redeliveries bypass the capacity check: the message was already admitted.
            self.buf.push_back(m);
        } else {
            self.dead_lettered += 1;
        }
    }

    pub fn depth(&self) -> u32 {
        self.buf.len() as u32
    }

    /// Drops everything (the queue's node crashed).
    pub fn clear(&mut self) -> u64 {
        let n = self.buf.len() as u64;
        self.buf.clear();
        self.dropped += n;
        n
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
        q.delivery_done(m, false);
        let m2 = q.next_delivery().unwrap();
        assert_eq!(m2.request, 2);
        q.delivery_done(m2, true);
        let again = q.next_delivery().unwrap();
        assert_eq!((again.request, again.deliveries), (1, 2));
        q.delivery_done(again, false);
        assert_eq!((q.delivered, q.redelivered, q.dead_lettered, q.depth()), (1, 1, 1, 0));
    }
}
