//! Read replicas of a database in the scenario document: how many, how far
//! behind the primary they run, where reads go, and how long a failover
//! takes. The behaviour lives in `nodes/replication.rs`.

use crate::dist::Dist;
use serde::{Deserialize, Serialize};

/// Where a database with replicas sends a read (a GET). Writes always go to
/// the primary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReadRouting {
    /// Every read goes to the primary (what an application does until it is
    /// told about its replicas): always fresh, no read offloaded.
    #[default]
    Primary,
    /// Reads go round robin over the replicas (as pgpool-II and ProxySQL
    /// spread them): even load, and no random stream, so adding replicas
    /// leaves every other draw of the run as it was.
    AnyReplica,
    /// A session (the client that sent the user request) reads a key from
    /// the primary for `ryw_window_ms` after its own write of it, and from
    /// the replicas round robin otherwise (Rails' automatic role switching,
    /// whose `delay` is 2 s).
    ReadYourWrites,
}

impl ReadRouting {
    pub fn is_default(&self) -> bool {
        *self == ReadRouting::Primary
    }
}

/// Most replicas a database may have.
pub const MAX_REPLICAS: u16 = 16;
/// Longest read-your-writes window, failover detection or promotion (10 min).
pub const MAX_REPLICATION_MS: u64 = 600_000;
/// The default replica lag: exponential with this mean.
pub const DEFAULT_REPLICA_LAG_MS: f64 = 20.0;
pub const DEFAULT_RYW_WINDOW_MS: u64 = 2_000;
/// Patroni's `loop_wait` (10 s): how long before a dead primary is noticed.
pub const DEFAULT_FAILOVER_DETECTION_MS: u64 = 10_000;
pub const DEFAULT_PROMOTION_MS: u64 = 2_000;

pub(crate) fn default_lag() -> Dist {
    Dist::exponential(DEFAULT_REPLICA_LAG_MS)
}

pub(crate) fn is_default_lag(d: &Dist) -> bool {
    *d == default_lag()
}

pub(crate) fn is_zero_u16(x: &u16) -> bool {
    *x == 0
}

pub(crate) fn is_default_ryw(x: &u64) -> bool {
    *x == DEFAULT_RYW_WINDOW_MS
}

pub(crate) fn is_default_detection(x: &u64) -> bool {
    *x == DEFAULT_FAILOVER_DETECTION_MS
}

pub(crate) fn is_default_promotion(x: &u64) -> bool {
    *x == DEFAULT_PROMOTION_MS
}

/// A database's replication settings that are wrong on their own: (path,
/// message) pairs under `p` (the node's path).
pub(crate) fn replication_problems(p: &str, d: &super::DatabaseConfig) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if d.replicas > MAX_REPLICAS {
        out.push((
            format!("{p}.kind.replicas"),
            format!("must be at most {MAX_REPLICAS} (limit MAX_REPLICAS, got {})", d.replicas),
        ));
    }
    if d.replicas > 0 && d.shards > 1 {
        out.push((format!("{p}.kind.replicas"), "a sharded database cannot have replicas yet: set shards to 1".into()));
    }
    for (field, msg) in d.replica_lag.problems(super::LIMITS.max_latency_ms) {
        out.push((format!("{p}.kind.replica_lag.{field}"), msg));
    }
    for (field, v) in [
        ("ryw_window_ms", d.ryw_window_ms),
        ("failover_detection_ms", d.failover_detection_ms),
        ("promotion_ms", d.promotion_ms),
    ] {
        if v > MAX_REPLICATION_MS {
            out.push((format!("{p}.kind.{field}"), format!("must be at most {MAX_REPLICATION_MS} ms (got {v})")));
        }
    }
    if d.replicas == 0 && d.read_routing != ReadRouting::Primary {
        out.push((format!("{p}.kind.read_routing"), "routes reads to replicas: needs replicas of at least 1".into()));
    }
    out
}
