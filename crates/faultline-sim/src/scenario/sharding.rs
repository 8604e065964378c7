//! Sharding settings of a database in the scenario document: how many shards,
//! how keys are partitioned over them, and what a resharding costs. The
//! behaviour lives in `nodes/partition.rs` and `nodes/database.rs`.

use serde::{Deserialize, Serialize};

/// How a sharded database maps keys to shards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Partitioning {
    /// A mixing hash of the key mod the shard count: even, but a new shard
    /// moves about N/(N+1) of the keys.
    #[default]
    Hash,
    /// A hash ring with `virtual_nodes` points per shard: a new shard moves
    /// about 1/(N+1) of the keys.
    Consistent,
    /// Contiguous key ranges over the key space, the last one open-ended:
    /// increasing keys all land on the last shard.
    Range,
    /// An explicit table of key ranges to shards (`directory`).
    Directory,
}

/// One row of a directory: keys from `from` up to the next row's `from` live
/// on `shard` (mod the shard count, if shards were removed since).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DirectoryEntry {
    pub from: u64,
    pub shard: u16,
}

pub(super) fn is_one(x: &u16) -> bool {
    *x == 1
}

pub(super) fn is_default_partitioning(p: &Partitioning) -> bool {
    *p == Partitioning::Hash
}

pub(super) fn is_default_virtual_nodes(v: &u32) -> bool {
    *v == DEFAULT_VIRTUAL_NODES
}

pub(super) fn is_default_window(w: &u64) -> bool {
    *w == DEFAULT_MIGRATION_WINDOW_MS
}

pub(super) fn is_zero_ms(x: &f64) -> bool {
    *x == 0.0
}

pub const DEFAULT_VIRTUAL_NODES: u32 = 100;
pub const DEFAULT_MIGRATION_WINDOW_MS: u64 = 5_000;
/// Most sub-keys a hot key may be split into.
pub const MAX_SPLIT_WAYS: u32 = 1_024;

/// Key splitting for hot keys (a workload's `split_hot_keys`): the `hot_keys`
/// hottest keys (ranks `0..hot_keys`; a Zipf workload's rank 0 is its
/// hottest) are each spread over `ways` sub-keys, so one celebrity key's
/// load lands on several shards instead of one.
///
/// Every key `k` becomes `k * ways + r`: `r` is 0 for the other keys and, for
/// a hot key, one of `0..ways` picked by a hash of the request's number (no
/// random stream is drawn, so every other draw of the run stays the same).
/// The key space grows `ways`-fold, so `range` partitioning splits the new
/// space. Reads of a split key read one of its copies: the model is that of
/// a read-mostly celebrity row replicated `ways` times, or a counter split
/// into `ways` sub-counters whose writes pick one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct KeySplit {
    /// Keys split: those of rank below this.
    pub hot_keys: u64,
    /// Sub-keys each hot key is spread over (1: no split).
    pub ways: u32,
}

impl KeySplit {
    /// The sub-key request number `request` uses for `key`.
    #[inline]
    pub fn apply(&self, key: u64, request: u64) -> u64 {
        let ways = u64::from(self.ways.max(1));
        let r = if key < self.hot_keys { crate::rng::mix64(request ^ 0x9E37_79B9_7F4A_7C15) % ways } else { 0 };
        key.saturating_mul(ways).saturating_add(r)
    }
}
