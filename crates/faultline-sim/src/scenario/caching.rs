//! A cache's data options: what a write does to it, and when a write-behind
//! cache hands its writes to the database.

use serde::{Deserialize, Serialize};

/// What a write (PUT, POST, DELETE) through a cache does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WritePolicy {
    /// Delete the key, then write the database (write-around): the next
    /// read fetches the new value.
    #[default]
    Invalidate,
    /// Write the database, then set the key to what was written (cache-aside
    /// "update"): two writers' sets can land out of order and leave the
    /// older value.
    Update,
    /// The cache writes the database synchronously and keeps the value it
    /// wrote, applying the database's versions in order: neither a write nor
    /// a read's fill ever replaces a newer entry.
    WriteThrough,
    /// The cache keeps the value and answers at once; dirty keys are written
    /// to the database every `flush_interval_ms`. A crash loses the writes
    /// not yet flushed.
    WriteBehind,
}

impl WritePolicy {
    pub fn is_default(&self) -> bool {
        *self == WritePolicy::Invalidate
    }
}

/// How often a write-behind cache flushes, by default.
pub const DEFAULT_FLUSH_INTERVAL_MS: f64 = 100.0;

pub(crate) fn is_default_flush(ms: &f64) -> bool {
    *ms == DEFAULT_FLUSH_INTERVAL_MS
}

pub(crate) fn is_zero(x: &f64) -> bool {
    *x == 0.0
}
