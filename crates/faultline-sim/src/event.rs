//! The event queue.
//!
//! A binary heap ordered by (time, sequence number): events due at the same
//! microsecond pop in the order they were scheduled, which keeps runs
//! deterministic without relying on the heap's internal tie-breaking.

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
        };
        (tag << 56) ^ (u64::from(a) << 24) ^ u64::from(b)
    }
}

#[derive(Clone, Debug)]
struct Entry {
    time: u64,
    seq: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// Pending events, earliest first, FIFO among equal times.
///
/// Events due at the current time (zero network latency, zero work, an
/// answer sent straight back) skip the heap: they wait in a plain FIFO, and
/// `pop` takes whichever of the FIFO's front and the heap's top comes first by
/// (time, sequence). The order is exactly the heap-only order, at a fraction
/// of the cost for the many zero-delay events a topology produces.
#[derive(Clone, Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    now_fifo: VecDeque<Entry>,
    /// Time of the last event popped.
    now: u64,
    seq: u64,
}

/// Sequence numbers of ordinary events start here; those below are faults',
/// which go first among events due at the same moment (see `schedule_fault`).
const ORDINARY_SEQ: u64 = 1 << 32;

impl EventQueue {
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: Event) {
        self.seq += 1;
        let entry = Entry { time: at.0, seq: ORDINARY_SEQ + self.seq, event };
        if at.0 == self.now {
            self.now_fifo.push_back(entry);
        } else {
            self.heap.push(entry);
        }
    }

    /// Schedules the start or end of fault `index` (its place on the scenario's
    /// timeline). Faults come before every other event due at the same
    /// moment, and among themselves in timeline order, whenever they were
    /// scheduled: so a fault injected into a running simulation (or into a
    /// snapshot of it) plays out exactly as in a fresh run of the scenario
    /// that has it on its timeline from the start.
    pub fn schedule_fault(&mut self, at: SimTime, index: u32, event: Event) {
        self.heap.push(Entry { time: at.0, seq: u64::from(index), event });
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        match (self.now_fifo.front(), self.heap.peek()) {
            (Some(f), Some(h)) => Some(SimTime(f.time.min(h.time))),
            (Some(f), None) => Some(SimTime(f.time)),
            (None, h) => h.map(|e| SimTime(e.time)),
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, Event)> {
        let from_fifo = match (self.now_fifo.front(), self.heap.peek()) {
            (Some(f), Some(h)) => (f.time, f.seq) < (h.time, h.seq),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let e = if from_fifo { self.now_fifo.pop_front() } else { self.heap.pop() }?;
        self.now = e.time;
        Some((SimTime(e.time), e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.now_fifo.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.now_fifo.is_empty()
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
