//! A worker pool in front of a bounded FIFO queue.
//!
//! The shared mechanism of every node that does work: a service's threads, a
//! database's connections. A call either gets a worker at once, waits in the
//! queue, or is rejected when the queue is full. With Poisson arrivals and
//! exponential work this is exactly an M/M/c/K station, which is what lets the
//! tests check it against Erlang's formulas.

use std::collections::VecDeque;

/// What happened to a call offered to the pool.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Admit {
    /// A worker took it.
    Start,
    /// It waits in the queue.
    Queued,
    /// Queue full: rejected.
    Rejected,
}

#[derive(Clone, Debug)]
pub struct Pool {
    pub capacity: u32,
    pub busy: u32,
    pub queue_capacity: u32,
    queue: VecDeque<u32>,
}

impl Pool {
    pub fn new(capacity: u32, queue_capacity: u32) -> Pool {
        Pool { capacity, busy: 0, queue_capacity, queue: VecDeque::new() }
    }

    pub fn offer(&mut self, call: u32) -> Admit {
        if self.busy < self.capacity {
            self.busy += 1;
            Admit::Start
        } else if (self.queue.len() as u32) < self.queue_capacity {
            self.queue.push_back(call);
            Admit::Queued
        } else {
            Admit::Rejected
        }
    }

    /// A worker finished; returns the queued call it takes next, if any.
    pub fn release(&mut self) -> Option<u32> {
        match self.queue.pop_front() {
            Some(next) => Some(next),
            None => {
                self.busy = self.busy.saturating_sub(1);
                None
            }
        }
    }

    /// Empties the pool (its node crashed); the calls it held are the
    /// caller's to fail.
    pub fn reset(&mut self) {
        self.busy = 0;
        self.queue.clear();
    }

    pub fn queue_depth(&self) -> u32 {
        self.queue.len() as u32
    }

    pub fn utilisation(&self) -> f64 {
        if self.capacity == 0 {
            0.0
        } else {
            f64::from(self.busy) / f64::from(self.capacity)
        }
    }
}

impl Pool {
    /// Takes a waiting call out of the queue (it gave up); false if it is not there.
    pub fn remove_queued(&mut self, call: u32) -> bool {
        match self.queue.iter().position(|&c| c == call) {
            Some(at) => {
                self.queue.remove(at);
                true
            }
            None => false,
        }
    }

    /// A pool's bar on its node's card: busy of capacity, and the queue.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        v.queue_depth = self.queue_depth();
        v.busy = self.busy;
        v.capacity = self.capacity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_queues_then_rejects_and_drains_fifo() {
        let mut p = Pool::new(2, 2);
        assert_eq!(p.offer(1), Admit::Start);
        assert_eq!(p.offer(2), Admit::Start);
        assert_eq!(p.offer(3), Admit::Queued);
        assert_eq!(p.offer(4), Admit::Queued);
        assert_eq!(p.offer(5), Admit::Rejected);
        assert_eq!(p.queue_depth(), 2);
        assert_eq!(p.release(), Some(3));
        assert_eq!(p.release(), Some(4));
        assert_eq!(p.busy, 2);
        assert_eq!(p.release(), None);
        assert_eq!(p.release(), None);
        assert_eq!(p.busy, 0);
    }

    #[test]
    fn a_zero_queue_rejects_as_soon_as_workers_are_busy() {
        let mut p = Pool::new(1, 0);
        assert_eq!(p.offer(1), Admit::Start);
        assert_eq!(p.offer(2), Admit::Rejected);
    }
}
