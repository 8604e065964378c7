//! Calls in flight.
//!
//! A call is one request from a caller to a callee over an edge; a user's
//! request is the root call from a client, and every dependency call a service
//! makes is a child of the call it is serving. Calls live in a slab whose slots
//! are reused, with a generation number so that an event about a call that has
//! since ended (a timeout after the response came back) is recognised as stale.
//! Memory therefore follows the number of calls in flight, never the number of
//! requests simulated.

use crate::time::SimTime;

pub const NO_PARENT: u32 = u32::MAX;

/// Why a call failed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FailReason {
    /// The caller gave up waiting (slow callee, lost message, partition).
    Timeout = 0,
    /// The callee's queue was full (503).
    Rejected = 1,
    /// The callee was down and refused the connection.
    Refused = 2,
    /// The callee answered with an error status (including failed dependencies).
    ErrorStatus = 3,
}

impl FailReason {
    pub const COUNT: usize = 4;
    pub const ALL: [FailReason; FailReason::COUNT] = [
        FailReason::Timeout,
        FailReason::Rejected,
        FailReason::Refused,
        FailReason::ErrorStatus,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FailReason::Timeout => "timeout",
            FailReason::Rejected => "rejected",
            FailReason::Refused => "refused",
            FailReason::ErrorStatus => "error_status",
        }
    }
}

/// How a call ended, as the callee reports it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed(FailReason),
}

/// Where a call is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// On the wire towards the callee.
    Requesting,
    /// Waiting in the callee's queue.
    Queued,
    /// A worker is on it (local work or waiting for dependencies).
    Working,
    /// The response is on the wire back to the caller.
    Responding,
}

#[derive(Clone, Debug)]
pub struct Call {
    pub gen: u32,
    /// Id of the user request this call serves.
    pub request: u64,
    /// The call this one was made for, or `NO_PARENT` for a client's request.
    pub parent: u32,
    pub edge: u32,
    pub op: u16,
    pub key: u64,
    pub sent_at: SimTime,
    pub arrived_at: SimTime,
    pub phase: Phase,
    /// Index of the next downstream call to make (sequential fan-out) or the
    /// number still outstanding (parallel fan-out).
    pub stage: u16,
    pub pending: u16,
    /// A dependency failed; the call will answer with an error.
    pub dep_failed: bool,
    /// The caller stopped waiting (timed out); the response will be dropped.
    pub abandoned: bool,
    /// A message of this call was lost on the wire; only the timeout can end it.
    pub lost: bool,
    pub outcome: Outcome,
    pub hops: u16,
}

/// Slab of calls with generation-checked references.
#[derive(Clone, Debug, Default)]
pub struct Calls {
    slots: Vec<Call>,
    free: Vec<u32>,
    live: u32,
}

impl Calls {
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &mut self,
        request: u64,
        parent: u32,
        edge: u32,
        op: u16,
        key: u64,
        now: SimTime,
        hops: u16,
    ) -> (u32, u32) {
        let call = Call {
            gen: 0,
            request,
            parent,
            edge,
            op,
            key,
            sent_at: now,
            arrived_at: now,
            phase: Phase::Requesting,
            stage: 0,
            pending: 0,
            dep_failed: false,
            abandoned: false,
            lost: false,
            outcome: Outcome::Ok,
            hops,
        };
        self.live += 1;
        if let Some(idx) = self.free.pop() {
            let slot = &mut self.slots[idx as usize];
            let gen = slot.gen.wrapping_add(1);
            *slot = Call { gen, ..call };
            (idx, gen)
        } else {
            self.slots.push(call);
            (self.slots.len() as u32 - 1, 0)
        }
    }

    /// The call if `gen` still names it.
    #[inline]
    pub fn get(&self, idx: u32, gen: u32) -> Option<&Call> {
        self.slots.get(idx as usize).filter(|c| c.gen == gen)
    }

    #[inline]
    pub fn get_mut(&mut self, idx: u32, gen: u32) -> Option<&mut Call> {
        self.slots.get_mut(idx as usize).filter(|c| c.gen == gen)
    }

    #[inline]
    pub fn at(&self, idx: u32) -> &Call {
        &self.slots[idx as usize]
    }

    #[inline]
    pub fn at_mut(&mut self, idx: u32) -> &mut Call {
        &mut self.slots[idx as usize]
    }

    pub fn close(&mut self, idx: u32) {
        let slot = &mut self.slots[idx as usize];
        // Bump the generation now so every pending event about it goes stale;
        // `open` bumps it again, so a closed slot's generation is never reissued.
        slot.gen = slot.gen.wrapping_add(1);
        slot.phase = Phase::Responding;
        slot.abandoned = true;
        self.free.push(idx);
        self.live -= 1;
    }

    pub fn live(&self) -> u32 {
        self.live
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}
