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
