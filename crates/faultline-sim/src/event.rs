//! The event queue.
//!
//! Pending events ordered by (time, sequence number): events due at the same
//! microsecond pop in the order they were scheduled, which keeps runs
//! deterministic without relying on a heap's internal tie-breaking (and
//! makes any exact priority queue pop them in the same order).

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Something that happens at a point in simulated time.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The next request of a workload is generated.
    Arrival { workload: u32, gen: u32 },
    /// A call reaches the node it was sent to.
    Deliver { call: u32, gen: u32 },
    /// A node finished the local work of a call.
    WorkDone { call: u32, gen: u32 },
    /// A call's response reaches its caller.
    Response { call: u32, gen: u32 },
    /// A call's timeout fires at the caller.
    Timeout { call: u32, gen: u32 },
    /// Fault `index` of the scenario's timeline starts.
    FaultStart { index: u32 },
    /// Fault `index` reaches the end of its duration and is undone.
    FaultEnd { index: u32 },
    /// A load balancer checks its backends.
    HealthCheck { node: u32 },
    /// A retry's backoff is over: send it.
    RetrySend { call: u32, gen: u32 },
    /// A call waiting for a bulkhead slot gives up.
    WaitExpired { call: u32, gen: u32 },
    /// A queue's redelivery delay is over for its longest-waiting failed message.
    Redeliver { node: u32 },
    /// A load balancer's health-check probe `seq` over `edge` reaches the backend.
    ProbeDeliver { edge: u32, seq: u32 },
    /// The backend has its answer to probe `seq` ready.
    ProbeAnswer { edge: u32, seq: u32 },
    /// The backend's answer to probe `seq` reaches the load balancer.
    ProbeReply { edge: u32, seq: u32, passed: bool },
    /// Probe `seq`'s timeout fires at the load balancer.
    ProbeTimeout { edge: u32, seq: u32 },
    /// Timer `timer` of a node fires: a service's instances (connections
    /// opening, boots, restarts, drains: `nodes/service/instances.rs`) or a
    /// pooler's query wait timeouts (`nodes/pooler.rs`).
    Fleet { node: u32, timer: u32 },
    /// A store's internal message or timer `msg` (see `nodes::store`).
    Store { node: u32, msg: u32 },
    /// An event log's timer `token` fires (see `nodes::log`).
    LogTimer { node: u32, token: u32 },
}

impl Event {
    /// A stable 64-bit summary of the event, folded into the run's trace hash.
    pub fn fingerprint(&self) -> u64 {
        let (tag, a, b) = match *self {
            Event::Arrival { workload, gen } => (1u64, workload, gen),
            Event::Deliver { call, gen } => (2, call, gen),
            Event::WorkDone { call, gen } => (3, call, gen),
            Event::Response { call, gen } => (4, call, gen),
            Event::Timeout { call, gen } => (5, call, gen),
            Event::FaultStart { index } => (6, index, 0),
            Event::FaultEnd { index } => (7, index, 0),
            Event::HealthCheck { node } => (8, node, 0),
            Event::RetrySend { call, gen } => (9, call, gen),
            Event::WaitExpired { call, gen } => (10, call, gen),
            Event::Redeliver { node } => (11, node, 0),
            Event::ProbeDeliver { edge, seq } => (12, edge, seq),
            Event::ProbeAnswer { edge, seq } => (13, edge, seq),
            Event::ProbeReply { edge, seq, passed } => (if passed { 14 } else { 15 }, edge, seq),
            Event::ProbeTimeout { edge, seq } => (16, edge, seq),
            Event::Fleet { node, timer } => (17, node, timer),
            Event::Store { node, msg } => (18, node, msg),
            Event::LogTimer { node, token } => (19, node, token),
        };
        (tag << 56) ^ (u64::from(a) << 24) ^ u64::from(b)
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    time: u64,
    seq: u64,
    event: Event,
}

impl Entry {
    /// (time, sequence) as one number: one comparison instead of two.
    #[inline]
    fn key(&self) -> u128 {
        (u128::from(self.time) << 64) | u128::from(self.seq)
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
    #[inline]
    fn le(&self, other: &Self) -> bool {
        other.key() <= self.key()
    }
    #[inline]
    fn lt(&self, other: &Self) -> bool {
        other.key() < self.key()
    }
    #[inline]
    fn ge(&self, other: &Self) -> bool {
        other.key() >= self.key()
    }
    #[inline]
    fn gt(&self, other: &Self) -> bool {
        other.key() > self.key()
    }
}
impl Ord for Entry {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        other.key().cmp(&self.key())
    }
}

/// Pending events, earliest first, FIFO among equal times.
///
/// Two kinds of events skip the heap, because they arrive already in order:
/// - events due at the current time (zero work, a retry without backoff; a
///   zero-latency response is not even an event, see `Sim::answer_now`)
///   wait in a plain FIFO;
/// - timeouts wait in lanes, one per delay: every call arms one, nearly all
///   are stale by the time they are due (the call finished), and with a
///   fixed delay per link they are scheduled in time order anyway. In the
///   heap they made it several times larger and every pop slower (on the
///   200-node benchmark the stale timeouts were a fifth of the events and
///   most of the run time);
/// - so do messages over constant-latency links (`schedule_steady`): a
///   delivery and its response each wait the link's fixed latency, so they
///   too arrive in time order per delay. On the 200-node benchmark (all links
///   constant) this leaves the heap only work and arrivals, a third of its
///   traffic.
///
/// The rest wait in `few` while they are few, kept sorted with the next one
/// last (taking it is a `Vec::pop`; placing one shifts the few due before it),
/// and in a binary heap when there are more than `FEW` of them. An M/M/c
/// model has at most c + 1 (its next arrival and the work in progress), and
/// for so few a heap's pop, which sifts a 32-byte entry down and up again,
/// cost more than the whole insertion: callgrind per request, M/M/1 and M/M/8.
///
/// `pop` takes whichever front comes first by (time, sequence), so the order
/// is exactly the heap-only order: runs and their trace hashes are unchanged.
#[derive(Clone, Debug, Default)]
pub struct EventQueue {
    /// Latest first: the next event is the last. Empty while `heap` is not.
    few: Vec<Entry>,
    heap: BinaryHeap<Entry>,
    now_fifo: VecDeque<Entry>,
    /// Timeouts by delay. A lane's entries are `now + delay` for a `now`
    /// that never decreases, so each lane is sorted by (time, sequence).
    lanes: Vec<Lane>,
    /// Time of the last event popped.
    now: u64,
    seq: u64,
}

#[derive(Clone, Debug)]
struct Lane {
    delay: u64,
    entries: VecDeque<Entry>,
}

/// Events in `few` at most: one more moves them all to the heap, and they
/// come back when the heap is down to `FEW_AGAIN` (well below, so a count
/// hovering at the limit does not move them back and forth).
const FEW: usize = 24;
const FEW_AGAIN: usize = 8;

/// Timeout lanes at most (a design with more distinct timeouts sends the
/// rest through the heap, which orders anything).
const MAX_LANES: usize = 8;

/// Where the next event comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Fifo,
    Few,
    Heap,
    Lane(usize),
}

/// Sequence numbers of ordinary events start here; those below are faults',
/// which go first among events due at the same moment (see `schedule_fault`).
const ORDINARY_SEQ: u64 = 1 << 32;

impl EventQueue {
    // Always inlined: the hot loop's most frequent call; with more node kinds
    // the callers grew past the inliner's threshold and the call cost 2.5% of
    // an M/M/1 run's instructions.
    #[inline(always)]
    pub fn schedule(&mut self, at: SimTime, event: Event) {
        self.push(at, event, matches!(event, Event::Timeout { .. }));
    }

    /// Schedules an event whose delay the caller will use again and again (a
    /// message over a constant-latency link): it waits in the lane of its
    /// delay, as timeouts do, when there is one. Same order as `schedule`.
    #[inline]
    pub fn schedule_steady(&mut self, at: SimTime, event: Event) {
        self.push(at, event, true);
    }

    #[inline(always)]
    fn push(&mut self, at: SimTime, event: Event, steady: bool) {
        self.seq += 1;
        let entry = Entry { time: at.0, seq: ORDINARY_SEQ + self.seq, event };
        if at.0 == self.now {
            self.now_fifo.push_back(entry);
        } else if !(steady && self.push_lane(entry)) {
            self.push_ordered::<true>(entry);
        }
    }

    /// Puts an entry in `few` at its place, or in the heap when there are
    /// too many for `few`. `LATEST`: the entry has the highest sequence
    /// number of all (an ordinary event just scheduled, not a fault).
    #[inline(always)]
    fn push_ordered<const LATEST: bool>(&mut self, entry: Entry) {
        if !self.heap.is_empty() {
            self.heap.push(entry);
        } else if self.few.len() < FEW {
            // Insertion: shift the entries due before it one place up. With
            // the highest sequence number, an entry comes after every entry
            // due no later than it: one comparison of times, not of keys.
            let (key, time) = (entry.key(), entry.time);
            self.few.push(entry);
            // On a slice, not the `Vec`: its pointer and length stay in
            // registers (a store through the `Vec` could change them, as far
            // as the compiler knows) and the indices need no bounds checks;
            // an entry due last (the usual case) is not written twice. With
            // c + 1 pending events the loop runs often: callgrind per
            // request, M/M/8 1,462 -> 1,425, M/M/1 1,420 -> 1,414.
            let few = self.few.as_mut_slice();
            let last = few.len() - 1;
            let mut i = last;
            while i > 0 && if LATEST { few[i - 1].time <= time } else { few[i - 1].key() < key } {
                few[i] = few[i - 1];
                i -= 1;
            }
            if i < last {
                few[i] = entry;
            }
        } else {
            self.spill(entry);
        }
    }

    /// Moves `few` to the heap, with one more entry.
    #[inline(never)]
    fn spill(&mut self, entry: Entry) {
        self.heap.extend(self.few.drain(..));
        self.heap.push(entry);
    }

    /// Moves the heap's entries back to `few` once they are few again.
    #[inline(never)]
    fn back_to_few(&mut self) {
        // Popped earliest first; `few` wants the earliest last.
        while let Some(e) = self.heap.pop() {
            self.few.push(e);
        }
        self.few.reverse();
    }

    /// Puts a timeout in the lane of its delay (opening one if there is
    /// room); false if there is none.
    fn push_lane(&mut self, entry: Entry) -> bool {
        let Some(delay) = entry.time.checked_sub(self.now) else { return false };
        let lane = match self.lanes.iter().position(|l| l.delay == delay) {
            Some(i) => i,
            None => match self.lanes.iter().position(|l| l.entries.is_empty()) {
                Some(i) => {
                    self.lanes[i].delay = delay;
                    i
                }
                None if self.lanes.len() < MAX_LANES => {
                    self.lanes.push(Lane { delay, entries: VecDeque::new() });
                    self.lanes.len() - 1
                }
                None => return false,
            },
        };
        self.lanes[lane].entries.push_back(entry);
        true
    }

    /// The source whose front comes first by (time, sequence).
    fn first(&self) -> Option<(Source, &Entry)> {
        let key = Entry::key;
        let mut best: Option<(Source, &Entry)> = match self.few.last() {
            Some(e) => Some((Source::Few, e)),
            None => self.heap.peek().map(|e| (Source::Heap, e)),
        };
        if let Some(f) = self.now_fifo.front() {
            if best.is_none_or(|(_, b)| key(f) < key(b)) {
                best = Some((Source::Fifo, f));
            }
        }
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(f) = lane.entries.front() {
                if best.is_none_or(|(_, b)| key(f) < key(b)) {
                    best = Some((Source::Lane(i), f));
                }
            }
        }
        best
    }

    /// Schedules the start or end of fault `index` (its place on the scenario's
    /// timeline). Faults come before every other event due at the same
    /// moment, and among themselves in timeline order, whenever they were
    /// scheduled: so a fault injected into a running simulation (or into a
    /// snapshot of it) plays out exactly as in a fresh run of the scenario
    /// that has it on its timeline from the start.
    pub fn schedule_fault(&mut self, at: SimTime, index: u32, event: Event) {
        self.push_ordered::<false>(Entry { time: at.0, seq: u64::from(index), event });
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.first().map(|(_, e)| SimTime(e.time))
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, Event)> {
        let (source, _) = self.first()?;
        self.take(source)
    }

    /// Pops the next event if it is due at or before `limit` (one look at
    /// the fronts instead of `peek_time` then `pop`).
    #[inline]
    pub fn pop_due(&mut self, limit: SimTime) -> Option<(SimTime, Event)> {
        let (source, e) = self.first()?;
        if e.time > limit.0 {
            return None;
        }
        self.take(source)
    }

    #[inline]
    fn take(&mut self, source: Source) -> Option<(SimTime, Event)> {
        let e = match source {
            Source::Fifo => self.now_fifo.pop_front(),
            Source::Few => self.few.pop(),
            Source::Heap => {
                let e = self.heap.pop();
                if self.heap.len() <= FEW_AGAIN {
                    self.back_to_few();
                }
                e
            }
            Source::Lane(i) => self.lanes[i].entries.pop_front(),
        }?;
        self.now = e.time;
        Some((SimTime(e.time), e.event))
    }

    pub fn len(&self) -> usize {
        self.few.len()
            + self.heap.len()
            + self.now_fifo.len()
            + self.lanes.iter().map(|l| l.entries.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_fifo_on_ties() {
        let mut q = EventQueue::default();
        q.schedule(SimTime(5), Event::Arrival { workload: 1, gen: 0 });
        q.schedule(SimTime(3), Event::Arrival { workload: 2, gen: 0 });
        q.schedule(SimTime(5), Event::Arrival { workload: 3, gen: 0 });
        q.schedule(SimTime(5), Event::Arrival { workload: 4, gen: 0 });
        let order: Vec<u32> = std::iter::from_fn(|| q.pop())
            .map(|(_, e)| match e {
                Event::Arrival { workload, .. } => workload,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, vec![2, 1, 3, 4]);
    }

    /// A small deterministic number source for the order tests (an LCG's high bits).
    fn lcg(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            x >> 33
        }
    }

    /// Pops everything, scheduling more as it goes (what a simulation does):
    /// the order must be exactly (time, sequence), whichever lane, FIFO or
    /// heap each event waited in. Delays come from a small LCG: timeouts with
    /// more distinct delays than there are lanes, zero delays, random ones.
    #[test]
    fn timeout_lanes_keep_the_heap_order() {
        let id = |e: Event| match e {
            Event::Timeout { call, .. } | Event::Deliver { call, .. } => u64::from(call),
            _ => unreachable!(),
        };
        for seed in 1..=20u64 {
            let mut next = lcg(seed);
            let mut q = EventQueue::default();
            let mut reference = Vec::new(); // (time, seq) of every event scheduled
            let mut seq = 0u64;
            let mut popped = Vec::new();
            let mut now = 0u64;
            for round in 0..4_000u32 {
                for _ in 0..(next() % 3) {
                    let kind = next() % 4;
                    let delay = match kind {
                        0 => 0,
                        1 => 1_000 * (1 + next() % (MAX_LANES as u64 + 4)),
                        _ => next() % 5_000,
                    };
                    seq += 1;
                    let call = seq as u32;
                    let event = if kind == 1 {
                        Event::Timeout { call, gen: round }
                    } else {
                        Event::Deliver { call, gen: round }
                    };
                    q.schedule(SimTime(now + delay), event);
                    reference.push((now + delay, seq));
                }
                if let Some((t, e)) = q.pop() {
                    assert!(t.0 >= now);
                    now = t.0;
                    popped.push((now, id(e)));
                }
            }
            while let Some((t, e)) = q.pop() {
                popped.push((t.0, id(e)));
            }
            reference.sort();
            assert_eq!(popped, reference, "seed {seed}");
            assert!(q.is_empty());
        }
    }

    /// Steady messages share lanes with timeouts (more distinct delays than
    /// lanes, zero delays, random heap events in between): the order is still
    /// exactly (time, sequence), and `pop_due` stops at its limit.
    #[test]
    fn steady_lanes_keep_the_heap_order() {
        for seed in 1..=20u64 {
            let mut next = lcg(seed);
            let mut q = EventQueue::default();
            let mut reference = Vec::new();
            let mut popped = Vec::new();
            let mut seq = 0u32;
            let mut now = 0u64;
            for _ in 0..4_000u32 {
                for _ in 0..(next() % 3) {
                    seq += 1;
                    let (call, gen) = (seq, 0);
                    let at = match next() % 4 {
                        0 => {
                            let at = now + 250 * (1 + next() % (MAX_LANES as u64 + 2));
                            q.schedule_steady(SimTime(at), Event::Deliver { call, gen });
                            at
                        }
                        1 => {
                            let at = now + 1_000 * (1 + next() % 3);
                            q.schedule(SimTime(at), Event::Timeout { call, gen });
                            at
                        }
                        2 => {
                            q.schedule_steady(SimTime(now), Event::Response { call, gen });
                            now
                        }
                        _ => {
                            let at = now + next() % 5_000;
                            q.schedule(SimTime(at), Event::WorkDone { call, gen });
                            at
                        }
                    };
                    reference.push((at, seq));
                }
                let limit = SimTime(now + next() % 300);
                while let Some((t, e)) = q.pop_due(limit) {
                    assert!(t.0 >= now && t <= limit);
                    now = t.0;
                    let (Event::Deliver { call, .. }
                    | Event::Timeout { call, .. }
                    | Event::Response { call, .. }
                    | Event::WorkDone { call, .. }) = e
                    else {
                        unreachable!()
                    };
                    popped.push((now, call));
                }
                assert!(q.peek_time().is_none_or(|t| t > limit));
            }
            while let Some((t, e)) = q.pop() {
                let (Event::Deliver { call, .. }
                | Event::Timeout { call, .. }
                | Event::Response { call, .. }
                | Event::WorkDone { call, .. }) = e
                else {
                    unreachable!()
                };
                popped.push((t.0, call));
            }
            reference.sort();
            assert_eq!(popped, reference, "seed {seed}");
        }
    }

    /// Many events pending, then few, again and again: they move between the
    /// sorted few and the heap (both ways, faults among them) and still pop
    /// exactly in (time, sequence) order.
    #[test]
    fn few_and_heap_keep_the_order() {
        for seed in 1..=10u64 {
            let mut next = lcg(seed);
            let mut q = EventQueue::default();
            let mut reference = Vec::new();
            let mut popped = Vec::new();
            let (mut now, mut seq, mut fault) = (0u64, 0u32, 0u32);
            for round in 0..60u32 {
                // Up to four times FEW pending, then down to a few or none.
                let burst = next() % (4 * FEW as u64);
                for _ in 0..burst {
                    let at = now + 1 + next() % 2_000;
                    if next() % 50 == 0 {
                        fault += 1;
                        q.schedule_fault(SimTime(at), fault, Event::FaultStart { index: fault });
                        reference.push((at, 0, fault));
                    } else {
                        seq += 1;
                        q.schedule(SimTime(at), Event::WorkDone { call: seq, gen: round });
                        reference.push((at, 1, seq));
                    }
                }
                let keep = (next() % (FEW as u64 + 4)) as usize;
                while q.len() > keep {
                    let (t, e) = q.pop().expect("pending");
                    assert!(t.0 >= now);
                    now = t.0;
                    popped.push(match e {
                        Event::FaultStart { index } => (t.0, 0, index),
                        Event::WorkDone { call, .. } => (t.0, 1, call),
                        _ => unreachable!(),
                    });
                }
            }
            while let Some((t, e)) = q.pop() {
                popped.push(match e {
                    Event::FaultStart { index } => (t.0, 0, index),
                    Event::WorkDone { call, .. } => (t.0, 1, call),
                    _ => unreachable!(),
                });
            }
            // Faults first among events due at the same time, each kind in
            // the order scheduled.
            reference.sort();
            assert_eq!(popped, reference, "seed {seed}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// The sorted insertion into `few` (and the spill to the heap
            /// past `FEW`) against a reference sorted by (time, sequence):
            /// ordinary events and faults, many ties (times drawn from a few
            /// values), pops in between.
            #[test]
            fn pops_in_time_then_sequence_order(
                ops in proptest::collection::vec((0u64..6, 0u8..10), 1..120),
            ) {
                let mut q = EventQueue::default();
                let mut pending: Vec<(u64, u64, u32)> = Vec::new(); // (time, rank, id)
                let (mut now, mut id, mut ordinary) = (0u64, 0u32, 0u64);
                for (delay, op) in ops {
                    id += 1;
                    match op {
                        // Pop: the reference's earliest.
                        0..=2 => {
                            pending.sort();
                            let got = q.pop().map(|(t, e)| (t.0, e));
                            let want = (!pending.is_empty()).then(|| pending.remove(0));
                            prop_assert_eq!(got.map(|(t, _)| t), want.map(|w| w.0));
                            if let (Some((t, e)), Some((_, _, wid))) = (got, want) {
                                let (Event::WorkDone { call: gid, .. } | Event::FaultStart { index: gid }) = e else {
                                    unreachable!()
                                };
                                prop_assert_eq!(gid, wid);
                                now = t;
                            }
                        }
                        // A fault: before every ordinary event due then, by index.
                        3 => {
                            let at = now + 1 + delay;
                            q.schedule_fault(SimTime(at), id, Event::FaultStart { index: id });
                            pending.push((at, u64::from(id), id));
                        }
                        _ => {
                            let at = now + 1 + delay;
                            ordinary += 1;
                            q.schedule(SimTime(at), Event::WorkDone { call: id, gen: 0 });
                            pending.push((at, ORDINARY_SEQ + ordinary, id));
                        }
                    }
                }
                pending.sort();
                let rest: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop())
                    .map(|(t, e)| match e {
                        Event::WorkDone { call, .. } => (t.0, call),
                        Event::FaultStart { index } => (t.0, index),
                        _ => unreachable!(),
                    })
                    .collect();
                let want: Vec<(u64, u32)> = pending.iter().map(|&(t, _, id)| (t, id)).collect();
                prop_assert_eq!(rest, want);
            }
        }
    }

    #[test]
    fn zero_delay_events_keep_the_heap_order() {
        // Interleave events due now (FIFO path) with heap events at the same time.
        let mut q = EventQueue::default();
        q.schedule(SimTime(10), Event::Arrival { workload: 1, gen: 0 });
        q.schedule(SimTime(10), Event::Arrival { workload: 2, gen: 0 });
        let mut order = Vec::new();
        while let Some((t, e)) = q.pop() {
            let Event::Arrival { workload, .. } = e else { unreachable!() };
            order.push((t.0, workload));
            if workload == 1 {
                q.schedule(SimTime(10), Event::Arrival { workload: 3, gen: 0 });
                q.schedule(SimTime(11), Event::Arrival { workload: 4, gen: 0 });
                q.schedule(SimTime(10), Event::Arrival { workload: 5, gen: 0 });
            }
        }
        assert_eq!(order, vec![(10, 1), (10, 2), (10, 3), (10, 5), (11, 4)]);
    }
}
