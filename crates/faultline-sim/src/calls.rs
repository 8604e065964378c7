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

/// Parent of a client's own request.
pub const NO_PARENT: u32 = u32::MAX;
/// Parent of a queue's delivery to its consumer.
pub const QUEUE_PARENT: u32 = u32::MAX - 1;

/// Why a call failed, with the HTTP status it stands for where there is one.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FailReason {
    /// The caller gave up waiting (slow callee, lost message, partition).
    Timeout = 0,
    /// 503: the callee's queue was full, it shed load, or no backend was healthy.
    Rejected = 1,
    /// The callee was down and refused (or reset) the connection.
    Refused = 2,
    /// 500: the callee failed (including failed dependencies).
    ErrorStatus = 3,
    /// 429: a rate limiter said no.
    RateLimited = 4,
    /// 4xx (404 on a missing key, 409 on a conflict): the request itself is wrong.
    ClientError = 5,
    /// The caller's circuit breaker was open: failed fast, never sent.
    ShortCircuited = 6,
    /// The caller's bulkhead for that dependency was full.
    BulkheadFull = 7,
}

impl FailReason {
    pub const COUNT: usize = 8;
    pub const ALL: [FailReason; FailReason::COUNT] = [
        FailReason::Timeout,
        FailReason::Rejected,
        FailReason::Refused,
        FailReason::ErrorStatus,
        FailReason::RateLimited,
        FailReason::ClientError,
        FailReason::ShortCircuited,
        FailReason::BulkheadFull,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FailReason::Timeout => "timeout",
            FailReason::Rejected => "rejected",
            FailReason::Refused => "refused",
            FailReason::ErrorStatus => "error_status",
            FailReason::RateLimited => "rate_limited",
            FailReason::ClientError => "client_error",
            FailReason::ShortCircuited => "short_circuited",
            FailReason::BulkheadFull => "bulkhead_full",
        }
    }

    /// Worth retrying, per the seed: timeouts, connection failures, 429 and
    /// 503. Never 4xx, never a plain 500, never what the caller refused itself.
    pub fn retryable(self) -> bool {
        matches!(self, FailReason::Timeout | FailReason::Refused | FailReason::Rejected | FailReason::RateLimited)
    }
}

/// How a call ended, as the callee reports it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// A fallback answered (cache or default): a success, but a degraded one.
    Degraded,
    Failed(FailReason),
}

impl Outcome {
    pub fn is_success(self) -> bool {
        !matches!(self, Outcome::Failed(_))
    }
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
    /// A retry waiting out its backoff at the caller.
    Backoff,
    /// Waiting at the caller for a free slot in a bulkhead.
    Waiting,
    /// Over; the slot is free.
    Closed,
    /// A scatter query at a sharded database waiting for its shards'
    /// sub-queries (`nodes/scatter.rs`); it holds no connection itself.
    Gathering,
}

/// What a call carries about the user request it serves; children inherit it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Req {
    pub request: u64,
    pub op: u16,
    pub key: u64,
    /// Nodes the request has passed through.
    pub hops: u16,
    pub attempt: u8,
    pub deadline: u64,
    /// When the user request started (for end-to-end latency across retries).
    pub started_us: u64,
}

impl Call {
    /// The request as this call carries it.
    pub fn req(&self) -> Req {
        Req {
            request: self.request,
            op: self.op,
            key: self.key,
            hops: self.hops,
            attempt: self.attempt,
            deadline: self.deadline,
            started_us: self.started_us,
        }
    }

    /// The request this call serves, one hop further.
    pub fn req_next_hop(&self) -> Req {
        Req { hops: self.hops.saturating_add(1), attempt: 1, ..self.req() }
    }
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
    /// Attempt number of this call (1 for the first try).
    pub attempt: u8,
    /// Absolute deadline of the user request, in microseconds (u64::MAX: none).
    pub deadline: u64,
    /// Retry-After the callee sent with a 429, in microseconds.
    pub retry_after_us: u32,
    /// The previous backoff sleep, for decorrelated jitter.
    pub prev_sleep_us: u32,
    /// The call holds a slot of its caller's bulkhead.
    pub holds_slot: bool,
    pub started_us: u64,
    /// The shard of a sharded database this call queues and works on (0
    /// elsewhere): a freed connection takes the next call of the same shard.
    pub shard: u16,
    /// A query for a key a reshard is moving: it pays the migration penalty.
    pub migrating: bool,
    /// One shard's part of a scatter query (its parent): it never travels,
    /// and answers the scatter query instead of a caller (`nodes/scatter.rs`).
    pub shard_part: bool,
}

/// Slab of calls with generation-checked references.
#[derive(Clone, Debug, Default)]
pub struct Calls {
    slots: Vec<Call>,
    free: Vec<u32>,
    live: u32,
}

impl Calls {
    /// Opens a call. Always inlined: once per call, and the call's set-up
    /// (an 88-byte `Call` through memory) cost more than its few stores.
    #[inline(always)]
    pub fn open(&mut self, req: Req, parent: u32, edge: u32, now: SimTime) -> (u32, u32) {
        let Req { request, op, key, hops, attempt, deadline, started_us } = req;
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
            attempt,
            deadline,
            retry_after_us: 0,
            prev_sleep_us: 0,
            holds_slot: false,
            started_us,
            shard: 0,
            migrating: false,
            shard_part: false,
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
        let c = &mut self.slots[idx as usize];
        debug_assert!(c.phase != Phase::Closed, "call {idx} used after it closed");
        c
    }

    pub fn close(&mut self, idx: u32) {
        let slot = &mut self.slots[idx as usize];
        debug_assert!(slot.phase != Phase::Closed, "call {idx} closed twice");
        // Bump the generation now so every pending event about it goes stale;
        // `open` bumps it again, so a closed slot's generation is never reissued.
        slot.gen = slot.gen.wrapping_add(1);
        slot.phase = Phase::Closed;
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

    /// Indices of every live call (closed slots are skipped), for the rare
    /// whole-slab sweeps a crash needs.
    pub fn live_indices(&self) -> Vec<u32> {
        let mut free = vec![false; self.slots.len()];
        for &f in &self.free {
            free[f as usize] = true;
        }
        (0..self.slots.len() as u32).filter(|&i| !free[i as usize]).collect()
    }
}

#[cfg(test)]
mod size {
    /// A sharded database's shard and migration flag fit in the padding: a
    /// call is as big as it was without them.
    #[test]
    fn a_call_is_88_bytes() {
        assert_eq!(std::mem::size_of::<super::Call>(), 88);
    }
}
