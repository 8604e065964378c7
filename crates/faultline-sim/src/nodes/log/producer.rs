//! The producer and the partitions it appends to.
//!
//! Per partition the producer sends events in order, with up to
//! `max_in_flight` requests out at once. A failed request is retried after a
//! backoff; while one waits, nothing new is sent on that partition (the
//! failed batch is at the head of Kafka's accumulator), but requests already
//! in flight still land. That is Kafka's documented hazard: with
//! `max.in.flight.requests.per.connection` > 1 and retries, a retried batch
//! lands after a later one, out of order; with 1 it cannot.
//!
//! An idempotent producer numbers its requests per partition and the broker
//! appends only the next number: an older one is a duplicate (acknowledged,
//! not appended again), a newer one is refused as out of sequence and
//! retried, so retries keep order and never duplicate (KIP-98).

use std::collections::VecDeque;

/// One event, as published and as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogEvent {
    /// Unique per log, in publish order from 0.
    pub id: u64,
    /// The entity it is about (an order): its sequence numbers count per entity.
    pub entity: u64,
    pub seq: u32,
    /// Index into the log's event types (0 without a list).
    pub etype: u16,
    /// The publishing request's operation and key, carried to the consumer.
    pub op: u16,
    pub key: u64,
    /// The publish it belongs to (its call waits for every event's ack).
    pub publish: u32,
    /// When it was published, in µs.
    pub born_us: u64,
}

/// A record in a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub offset: u64,
    pub ev: LogEvent,
    /// When the followers have it, in µs (at once with one replica); the
    /// consumer sees only replicated records (the high watermark).
    pub replicated_us: u64,
    /// Its producer sequence number (the broker's idempotence state is
    /// rebuilt from the log after a leader change).
    pub pseq: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pending {
    ev: LogEvent,
    /// Producer sequence number on its partition.
    pseq: u64,
    attempts: u32,
    /// Waiting out a retry backoff (else on the wire).
    backoff: bool,
}

/// One partition: its records, and the broker's producer-sequence check.
#[derive(Clone, Debug, Default)]
pub struct Partition {
    /// Records from offset `base` on (older ones were committed and trimmed).
    records: VecDeque<Record>,
    base: u64,
    /// The next producer sequence number the broker will append.
    expected_pseq: u64,
    /// The producer's side: events not yet sent, and those out.
    queue: VecDeque<Pending>,
    out: Vec<Pending>,
    next_pseq: u64,
    /// When the last request sent on the partition's connection reaches the
    /// broker, in µs: requests on one connection arrive in the order sent
    /// (TCP), so only a retry can overtake.
    wire_us: u64,
    /// Leader changes so far: a produce request waiting for replication
    /// fails if the leader changed meanwhile.
    pub epoch: u32,
    /// Appends of an entity's event after a later one of the same entity.
    pub reordered: u64,
    /// Highest sequence appended per entity, to count `reordered`.
    last_seq: std::collections::BTreeMap<u64, u32>,
}

/// What the broker did with a request that reached it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Append {
    Appended,
    /// Idempotence: already in the log; acknowledged again.
    Duplicate,
    /// Idempotence: an earlier request is missing; refused, to be retried.
    OutOfSequence,
}

/// What becomes of a failed request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failed {
    /// Retried after the backoff.
    Retry,
    /// No retries left (or `acks` 0): the event leaves the producer.
    GiveUp(LogEvent),
}

impl Partition {
    /// The offset the next record gets.
    pub fn end(&self) -> u64 {
        self.base + self.records.len() as u64
    }

    pub fn record(&self, offset: u64) -> Option<Record> {
        let i = offset.checked_sub(self.base)?;
        self.records.get(usize::try_from(i).ok()?).copied()
    }

    /// Records still kept, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.iter()
    }

    /// Drops records before `offset` (consumed and committed).
    pub fn trim_before(&mut self, offset: u64) {
        while self.base < offset && self.records.pop_front().is_some() {
            self.base += 1;
        }
    }

    /// The producer hands over an event.
    pub fn enqueue(&mut self, ev: LogEvent) {
        let pseq = self.next_pseq;
        self.next_pseq += 1;
        self.queue.push_back(Pending { ev, pseq, attempts: 0, backoff: false });
    }

    /// The next event to send, if a request slot is free and no retry waits.
    pub fn next_send(&mut self, max_in_flight: u32) -> Option<u64> {
        if self.out.len() as u32 >= max_in_flight || self.out.iter().any(|p| p.backoff) {
            return None;
        }
        let mut p = self.queue.pop_front()?;
        p.attempts = 1;
        let id = p.ev.id;
        self.out.push(p);
        Some(id)
    }

    fn pending(&mut self, id: u64) -> Option<&mut Pending> {
        self.out.iter_mut().find(|p| p.ev.id == id)
    }

    /// When a request sent at `now_us`, taking `took_us`, reaches the broker:
    /// not before the one sent ahead of it on the same connection.
    pub fn arrival(&mut self, now_us: u64, took_us: u64) -> u64 {
        self.wire_us = self.wire_us.max(now_us.saturating_add(took_us));
        self.wire_us
    }

    /// A retry's backoff is over: send it again. False if it is gone.
    pub fn resend(&mut self, id: u64) -> bool {
        match self.pending(id) {
            Some(p) if p.backoff => {
                p.backoff = false;
                p.attempts += 1;
                true
            }
            _ => false,
        }
    }

    /// A request reached the broker: append it (checking its producer
    /// sequence number when the producer is idempotent).
    pub fn receive(&mut self, id: u64, idempotent: bool, replicated_us: u64) -> Option<Append> {
        let p = *self.out.iter().find(|p| p.ev.id == id)?;
        if idempotent {
            if p.pseq < self.expected_pseq {
                return Some(Append::Duplicate);
            }
            if p.pseq > self.expected_pseq {
                return Some(Append::OutOfSequence);
            }
            self.expected_pseq += 1;
        }
        let last = self.last_seq.entry(p.ev.entity).or_insert(0);
        if p.ev.seq < *last {
            self.reordered += 1;
        }
        *last = (*last).max(p.ev.seq);
        let offset = self.end();
        self.records.push_back(Record { offset, ev: p.ev, replicated_us, pseq: p.pseq });
        Some(Append::Appended)
    }

    /// The offset up to which records are replicated at `now_us` (the high
    /// watermark): records are replicated in offset order.
    pub fn high_watermark(&self, now_us: u64) -> u64 {
        let unreplicated = self.records.iter().rev().take_while(|r| r.replicated_us > now_us).count();
        self.end() - unreplicated as u64
    }

    /// The leader crashed and a follower took over: the records it had not
    /// replicated at `now_us` are gone. Returns their event ids.
    pub fn truncate_unreplicated(&mut self, now_us: u64) -> Vec<u64> {
        self.epoch = self.epoch.wrapping_add(1);
        let mut gone = Vec::new();
        while self.records.back().is_some_and(|r| r.replicated_us > now_us) {
            if let Some(r) = self.records.pop_back() {
                self.expected_pseq = self.expected_pseq.min(r.pseq);
                gone.push(r.ev.id);
                // The entity's latest appended sequence is now what remains.
                let kept = self.records.iter().filter(|k| k.ev.entity == r.ev.entity).map(|k| k.ev.seq).max();
                match kept {
                    Some(s) => self.last_seq.insert(r.ev.entity, s),
                    None => self.last_seq.remove(&r.ev.entity),
                };
            }
        }
        gone
    }

    /// Whether a copy of event `id` is in the partition.
    pub fn holds(&self, id: u64) -> bool {
        self.records.iter().any(|r| r.ev.id == id)
    }

    /// Whether event `id` is still at the producer.
    pub fn at_producer_has(&self, id: u64) -> bool {
        self.queue.iter().chain(&self.out).any(|p| p.ev.id == id)
    }

    /// The producer got its acknowledgement: the event leaves it.
    pub fn acked(&mut self, id: u64) -> Option<LogEvent> {
        let i = self.out.iter().position(|p| p.ev.id == id)?;
        Some(self.out.remove(i).ev)
    }

    /// The request failed (or its answer was lost): retry it while retries
    /// remain (always, when idempotent), else give up.
    pub fn failed(&mut self, id: u64, retries: u32, unbounded: bool) -> Option<Failed> {
        let i = self.out.iter().position(|p| p.ev.id == id)?;
        let p = &mut self.out[i];
        if unbounded || p.attempts <= retries {
            p.backoff = true;
            return Some(Failed::Retry);
        }
        Some(Failed::GiveUp(self.out.remove(i).ev))
    }

    /// The oldest offset still kept.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Entities with an event at the producer.
    pub fn producer_entities(&self) -> impl Iterator<Item = u64> + '_ {
        self.queue.iter().chain(&self.out).map(|p| p.ev.entity)
    }

    /// Events at the producer: waiting to be sent or out.
    pub fn at_producer(&self) -> impl Iterator<Item = u64> + '_ {
        self.queue.iter().chain(&self.out).map(|p| p.ev.id)
    }
}

/// The partition a key goes to: a mixing hash mod the count, like Kafka's
/// default partitioner (murmur2 mod N), so adding partitions moves about
/// N/(N+1) of the keys.
pub fn partition_of(key: u64, partitions: u32) -> u16 {
    (crate::rng::mix64(key ^ 0x9e37_79b9_7f4a_7c15) % u64::from(partitions.max(1))) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: u64, seq: u32) -> LogEvent {
        LogEvent { id, entity: 1, seq, etype: 0, op: 0, key: 1, publish: 0, born_us: 0 }
    }

    #[test]
    fn a_retried_request_lands_after_a_later_one_without_idempotence() {
        let mut p = Partition::default();
        p.enqueue(ev(0, 1));
        p.enqueue(ev(1, 2));
        assert_eq!((p.next_send(5), p.next_send(5)), (Some(0), Some(1)));
        assert_eq!(p.failed(0, 3, false), Some(Failed::Retry));
        assert_eq!(p.receive(1, false, 0), Some(Append::Appended));
        p.acked(1);
        assert!(p.resend(0));
        assert_eq!(p.receive(0, false, 0), Some(Append::Appended));
        assert_eq!(p.reordered, 1);
        let seqs: Vec<u32> = p.records().map(|r| r.ev.seq).collect();
        assert_eq!(seqs, vec![2, 1]);
    }

    #[test]
    fn idempotence_refuses_out_of_sequence_and_deduplicates() {
        let mut p = Partition::default();
        p.enqueue(ev(0, 1));
        p.enqueue(ev(1, 2));
        p.next_send(5);
        p.next_send(5);
        p.failed(0, 0, true);
        assert_eq!(p.receive(1, true, 0), Some(Append::OutOfSequence));
        p.failed(1, 0, true);
        p.resend(0);
        assert_eq!(p.receive(0, true, 0), Some(Append::Appended));
        // Its answer is lost: the retry is a duplicate.
        p.failed(0, 0, true);
        p.resend(0);
        assert_eq!(p.receive(0, true, 0), Some(Append::Duplicate));
        p.acked(0);
        p.resend(1);
        assert_eq!(p.receive(1, true, 0), Some(Append::Appended));
        let seqs: Vec<u32> = p.records().map(|r| r.ev.seq).collect();
        assert_eq!((seqs, p.reordered), (vec![1, 2], 0));
    }

    #[test]
    fn a_leader_change_truncates_the_unreplicated_tail_and_rewinds_the_sequence() {
        let mut p = Partition::default();
        for (id, at) in [(0, 10), (1, 20), (2, 30)] {
            p.enqueue(ev(id, id as u32 + 1));
            p.next_send(5);
            assert_eq!(p.receive(id, true, at), Some(Append::Appended));
            p.acked(id);
        }
        assert_eq!((p.high_watermark(15), p.high_watermark(30)), (1, 3));
        assert_eq!(p.truncate_unreplicated(15), vec![2, 1]);
        assert_eq!((p.end(), p.epoch, p.expected_pseq), (1, 1, 1));
    }

    #[test]
    fn one_in_flight_sends_one_at_a_time_and_a_backoff_blocks_new_sends() {
        let mut p = Partition::default();
        p.enqueue(ev(0, 1));
        p.enqueue(ev(1, 2));
        assert_eq!((p.next_send(1), p.next_send(1)), (Some(0), None));
        let mut q = Partition::default();
        q.enqueue(ev(0, 1));
        q.enqueue(ev(1, 2));
        q.next_send(5);
        q.failed(0, 1, false);
        assert_eq!(q.next_send(5), None, "a retry waits at the head");
        q.resend(0);
        assert_eq!(q.failed(0, 1, false), Some(Failed::GiveUp(ev(0, 1))), "out of retries");
    }

    #[test]
    fn adding_a_partition_moves_about_n_over_n_plus_one_of_the_keys() {
        for n in [3u32, 6, 12] {
            let keys = 20_000u64;
            let moved = (0..keys).filter(|&k| partition_of(k, n) != partition_of(k, n + 1)).count() as f64;
            let expected = f64::from(n) / f64::from(n + 1);
            assert!((moved / keys as f64 - expected).abs() < 0.02, "n = {n}: {moved}");
        }
    }
}
