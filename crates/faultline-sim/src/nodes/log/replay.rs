//! Event sourcing: a consumer's state rebuilt by replaying the log from
//! offset 0, compared with the state the live consumer built.
//!
//! Why: an event-sourced consumer's state is supposed to be a pure fold of
//! the log, so a rebuild must give it back. It does only if the live
//! consumer applied each record as the replay does: a plain consumer that
//! processed duplicates after a rebalance has applied some events twice,
//! and its live state differs from the rebuild; an idempotent consumer's
//! matches. The state of an entity here is the count of side effects
//! applied to it (a balance each event adds one to). Only entities with
//! nothing still on its way are compared: an event at the producer, in the
//! log unhandled, or out for delivery makes the live state legitimately
//! behind the log.

use serde::Serialize;

/// One replay's comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Replay {
    pub at_ms: u64,
    /// The replay read every partition from offset 0 (false: committed
    /// records had been trimmed before, and the rebuild misses them).
    pub from_offset_0: bool,
    /// Records replayed.
    pub records: u64,
    /// Entities compared (those settled), and of them those whose rebuilt
    /// state differs from the live one.
    pub compared: u64,
    pub differ: u64,
    /// Side effects over the compared entities: live and rebuilt.
    pub live_effects: u64,
    pub rebuilt_effects: u64,
}
