//! The fault timeline: what breaks, when, and for how long.
//!
//! Faults are data in the scenario, not calls on the engine, so a run with
//! faults replays exactly: a fault injected live in the browser is appended
//! here at the current simulated time, and a share link carries it.

use serde::{Deserialize, Serialize};

/// One timed fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// When it starts, in simulated milliseconds from the start of the run.
    pub at_ms: u64,
    /// How long it lasts; when it ends it is undone (a crashed node restarts,
    /// a partition heals, a spike subsides). `null`: until the end of the run
    /// or an explicit `restart`/`resume`/`heal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    pub action: FaultAction,
}

crate::tagged::tagged_enum! {
    /// What a fault does.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum FaultAction {
        /// The node's process dies: its queued and in-progress calls fail
        /// (connection reset) and new connections are refused.
        Crash { node: String },
        /// A crashed node comes back, empty.
        Restart { node: String },
        /// The node stops processing (a long GC pause, SIGSTOP): everything sent
        /// to it waits, nothing is lost, callers may time out.
        Pause { node: String },
        /// A paused node resumes and works through what waited.
        Resume { node: String },
        /// Messages between the two sides are silently dropped (callers see
        /// timeouts, not errors). Each entry is a node id or a region name.
        Partition {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            id: Option<String>,
            a: Vec<String>,
            b: Vec<String>,
        },
        /// Heals the partition with this id, or every partition when `id` is null.
        Heal {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            id: Option<String>,
        },
        /// The node's work takes `factor` times as long (a slow dependency).
        /// Overlapping slow-downs multiply.
        SlowNode { node: String, factor: f64 },
        /// The node answers this share of calls with a 5xx error (overlapping
        /// error faults combine as independent causes).
        NodeErrors { node: String, rate: f64 },
        /// Adds latency to every message on the edge `from -> to` (both
        /// directions); overlapping latency faults add up.
        EdgeLatency { from: String, to: String, add_ms: f64 },
        /// Each message on the edge is also lost with this probability (an
        /// independent cause on top of the edge's own loss and other loss faults).
        EdgeLoss { from: String, to: String, loss: f64 },
        /// Multiplies a workload's arrival rate (a load spike); overlapping
        /// spikes multiply.
        Spike { workload: String, factor: f64 },
        /// A database goes to `shards` shards (add or remove shards): the keys
        /// whose owner changes are counted, and for the database's
        /// `migration_window_ms` queries for them also pay its
        /// `migration_penalty_ms`. Instantaneous: a later reshard undoes it.
        Reshard { node: String, shards: u16 },
        /// A rolling deploy of a service's instances (a Kubernetes Deployment's
        /// RollingUpdate): new instances boot, open their pools and get ready
        /// `readiness_delay_ms` later; old ones stop taking calls, drain, then
        /// close their connections. `max_surge` / `max_unavailable`: a count or
        /// "N%" of the instances, 25% each by default. Instantaneous: the rollout
        /// runs on by itself.
        Deploy {
            node: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            max_surge: Option<super::Scale>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            max_unavailable: Option<super::Scale>,
            /// A new instance's time from start to ready; `null`: the service's `startup_ms`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            readiness_delay_ms: Option<u64>,
            /// What is wrong with the new version; `null`: nothing.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            bad: Option<super::BadVersion>,
        },
        /// Empties a cache (an operator's FLUSHALL): every entry is gone and the
        /// next reads miss. A write-behind cache keeps its unflushed writes.
        /// Instantaneous.
        FlushCache { node: String },
        /// Expires a cache's entries for keys `from` to `to` (both included): the
        /// next read of each misses as expired, as if their TTLs ran out at
        /// once (a mass expiry). Instantaneous.
        ExpireKeys { node: String, from: u64, to: u64 },
        /// A database's primary dies (the node stays up: its replicas keep
        /// serving reads). After the database's `failover_detection_ms` and
        /// `promotion_ms` the most caught-up replica is the new primary; writes
        /// it had not received are lost, and writes fail meanwhile. When the
        /// fault ends (or a `restart` of the node) the old primary rejoins as a
        /// replica. Needs `replicas` of at least 1.
        FailPrimary { node: String },
        /// Writes a database commits while this lasts reach its replicas
        /// `add_ms` later than their lag would have them (a replica's apply
        /// stalls: a long query on it, a vacuum, a saturated link).
        /// Overlapping lag faults add up.
        ReplicaLag { node: String, add_ms: f64 },
        /// A store replica's clock (`<store>/<i>`) runs `skew_ms` ahead (or,
        /// negative, behind) true time. An AP store stamps a write with its
        /// coordinator's clock, so under last-writer-wins a write coordinated
        /// by a replica behind loses to an earlier write stamped later: it is
        /// acknowledged, then silently dropped (counted as a lost write).
        /// Overlapping skews on a replica add up.
        ClockSkew { node: String, skew_ms: f64 },
        /// Event sourcing: rebuilds an event log's consumer state by replaying
        /// every partition from offset 0 through the consumer's checks (a plain
        /// consumer applies each record, an idempotent one each event once),
        /// and compares it with the live state, entity by entity, over the
        /// entities with nothing still on its way. The live run goes on
        /// untouched; the comparison is in the log's report. Instantaneous.
        ReplayLog { node: String },
    }
}

impl FaultAction {
    /// Whether the action has an effect that lasts until it is undone (by
    /// its duration running out, or a restart, resume or heal), as opposed
    /// to an instantaneous one (restart, resume, heal).
    pub fn lasts(&self) -> bool {
        !matches!(
            self,
            FaultAction::Restart { .. }
                | FaultAction::Resume { .. }
                | FaultAction::Heal { .. }
                | FaultAction::Reshard { .. }
                | FaultAction::Deploy { .. }
                | FaultAction::FlushCache { .. }
                | FaultAction::ExpireKeys { .. }
                | FaultAction::ReplayLog { .. }
        )
    }

    /// The fields that name a node, in the order their keys sort (`a`, `b`,
    /// `from`, `node`, `to`): what an exercise's role-aimed fault aims
    /// (`exercise::apply`). A match rather than a walk over the fault's
    /// JSON, which would add a second copy of the faults' serde code to the
    /// engine's worker; a new fault kind must say here which of its fields
    /// are nodes.
    pub fn node_fields_mut(&mut self) -> Vec<&mut String> {
        match self {
            FaultAction::Crash { node }
            | FaultAction::Restart { node }
            | FaultAction::Pause { node }
            | FaultAction::Resume { node }
            | FaultAction::SlowNode { node, .. }
            | FaultAction::NodeErrors { node, .. }
            | FaultAction::Reshard { node, .. }
            | FaultAction::Deploy { node, .. }
            | FaultAction::FlushCache { node }
            | FaultAction::ExpireKeys { node, .. }
            | FaultAction::FailPrimary { node }
            | FaultAction::ReplicaLag { node, .. }
            | FaultAction::ClockSkew { node, .. }
            | FaultAction::ReplayLog { node } => vec![node],
            FaultAction::Partition { a, b, .. } => a.iter_mut().chain(b.iter_mut()).collect(),
            FaultAction::EdgeLatency { from, to, .. } | FaultAction::EdgeLoss { from, to, .. } => vec![from, to],
            FaultAction::Heal { .. } | FaultAction::Spike { .. } => Vec::new(),
        }
    }

    /// The name used in the UI and the fault timeline.
    pub fn name(&self) -> &'static str {
        match self {
            FaultAction::Crash { .. } => "crash",
            FaultAction::Restart { .. } => "restart",
            FaultAction::Pause { .. } => "pause",
            FaultAction::Resume { .. } => "resume",
            FaultAction::Partition { .. } => "partition",
            FaultAction::Heal { .. } => "heal",
            FaultAction::SlowNode { .. } => "slow_node",
            FaultAction::NodeErrors { .. } => "node_errors",
            FaultAction::EdgeLatency { .. } => "edge_latency",
            FaultAction::EdgeLoss { .. } => "edge_loss",
            FaultAction::Spike { .. } => "spike",
            FaultAction::Reshard { .. } => "reshard",
            FaultAction::Deploy { .. } => "deploy",
            FaultAction::FlushCache { .. } => "flush_cache",
            FaultAction::ExpireKeys { .. } => "expire_keys",
            FaultAction::FailPrimary { .. } => "fail_primary",
            FaultAction::ReplicaLag { .. } => "replica_lag",
            FaultAction::ClockSkew { .. } => "clock_skew",
            FaultAction::ReplayLog { .. } => "replay_log",
        }
    }
}
