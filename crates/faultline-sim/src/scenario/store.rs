//! A replicated key-value store in the scenario document: how many replicas,
//! in which regions, and whether it is AP (Dynamo-style partial quorums,
//! last writer wins) or CP (one leader, majority commit, Raft-like). The
//! behaviour lives in `nodes/store.rs` and `nodes/store/`.
//!
//! A replica is a member of the store that faults can target on its own: its
//! id is `<store id>/<index>` (crash, restart, partition sides), and a
//! partition naming a region cuts the replicas placed there from the others
//! and from clients in other regions.

use super::validate::Problem;
use crate::dist::Dist;
use serde::{Deserialize, Serialize};

/// Most replicas a store may have (a vote is a bit in a 64-bit mask; far
/// more than any real quorum system uses).
pub const MAX_STORE_REPLICAS: u32 = 15;

/// Largest clock skew a `clock_skew` fault may give a replica, either way
/// (an hour: NTP-less machines drift seconds a day; an hour is a wrong
/// time zone).
pub const MAX_CLOCK_SKEW_MS: f64 = 3_600_000.0;

/// A replicated key-value store: `replicas` copies of every key, placed in
/// `regions` round-robin (replica i in regions[i % len]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Copies of every key (N), 1 to 15.
    pub replicas: u32,
    pub mode: StoreMode,
    /// AP: replicas a read asks and waits for (R).
    pub read_quorum: u32,
    /// AP: replicas that must acknowledge a write before it is acknowledged (W).
    pub write_quorum: u32,
    /// Regions the replicas are placed in, replica i in regions[i % len];
    /// empty: all in the store node's region.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// AP: a Cassandra-style level for reads (one, quorum, all) instead of
    /// `read_quorum`; `null`: `read_quorum`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_consistency: Option<Consistency>,
    /// AP: the same for writes, instead of `write_quorum`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_consistency: Option<Consistency>,
    /// AP: levels for single operations, by name (Cassandra sets one per
    /// query): a GET reads, anything else writes, at that level.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub op_consistency: Vec<OpConsistency>,
    /// AP: which replicas a quorum asks.
    pub quorum_choice: QuorumChoice,
    /// One-way latency between two replicas in the same region (and from a
    /// client to a replica in its region: none).
    pub replica_latency: Dist,
    /// Added to every message that crosses regions (replica to replica, or
    /// a client to a replica elsewhere), one way.
    pub cross_region_latency_ms: f64,
    /// AP: the extra delay of the asynchronous copies (to the replicas past
    /// the first W a write is sent to).
    pub replication_lag: Dist,
    /// AP: after a read, replicas that answered with an older version are
    /// sent the newest.
    pub read_repair: bool,
    /// AP: every this many milliseconds each replica exchanges its data with
    /// a random reachable peer (both keep the newest of each key); `null`: never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anti_entropy_interval_ms: Option<u64>,
    /// The store fails a request it could not complete in this time
    /// (counted unavailable; a write's outcome is then unknown).
    pub request_timeout_ms: u64,
    /// CP: a follower that hears nothing from a leader for a random time in
    /// [min, max] starts an election.
    pub election_timeout_min_ms: u64,
    pub election_timeout_max_ms: u64,
    /// CP: how often the leader sends heartbeats (and log entries).
    pub heartbeat_interval_ms: u64,
    /// CP: how reads are served.
    pub read_mode: ReadMode,
    /// AP: how replicas resolve two versions of a key: `lww` keeps the one
    /// with the later timestamp (the coordinator's clock), `siblings` keeps
    /// concurrent versions side by side under version vectors until a
    /// write merges them.
    #[serde(skip_serializing_if = "is_default")]
    pub conflict: Conflict,
    /// AP: sloppy quorums with hinted handoff (Dynamo): a write whose
    /// replica is unreachable leaves a hint for it at the coordinator, which
    /// counts toward W, and hands the write over when the replica is
    /// reachable again.
    #[serde(skip_serializing_if = "is_default")]
    pub sloppy_quorum: bool,
    /// Money lost per stale read (say, a price difference): the report's
    /// `money_lost` is stale reads x this.
    #[serde(skip_serializing_if = "is_zero")]
    pub stale_read_cost: f64,
}

fn is_default<T: Default + PartialEq>(x: &T) -> bool {
    *x == T::default()
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            replicas: 3,
            mode: StoreMode::Ap,
            read_quorum: 2,
            write_quorum: 2,
            regions: Vec::new(),
            read_consistency: None,
            write_consistency: None,
            op_consistency: Vec::new(),
            quorum_choice: QuorumChoice::Nearest,
            replica_latency: Dist::constant(1.0),
            cross_region_latency_ms: 40.0,
            replication_lag: Dist::constant(0.0),
            read_repair: false,
            anti_entropy_interval_ms: None,
            request_timeout_ms: 1_000,
            election_timeout_min_ms: 150,
            election_timeout_max_ms: 300,
            heartbeat_interval_ms: 50,
            read_mode: ReadMode::ReadIndex,
            stale_read_cost: 0.0,
            conflict: Conflict::Lww,
            sloppy_quorum: false,
        }
    }
}

/// Which side of CAP the store takes under a partition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StoreMode {
    /// Available: any reachable replica coordinates, partial quorums, last
    /// writer wins (Dynamo, Cassandra).
    #[default]
    Ap,
    /// Consistent: one leader, writes commit on a majority, reads through
    /// the leader (Raft); the minority side of a partition is unavailable.
    Cp,
}

/// How an AP store resolves two versions of one key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Conflict {
    /// Last writer wins: the later timestamp (the coordinating replica's
    /// clock, so a skewed clock drops writes silently). Cassandra.
    #[default]
    Lww,
    /// Version vectors: concurrent versions are kept as siblings, a read
    /// returns them all, and a write made with them in its context merges
    /// them (Dynamo's shopping cart, Riak's allow_mult).
    Siblings,
}

/// A Cassandra-style consistency level: how many of the N replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    One,
    /// A majority: N/2 + 1.
    Quorum,
    All,
}

impl Consistency {
    pub fn count(self, n: u32) -> u32 {
        match self {
            Consistency::One => 1,
            Consistency::Quorum => n / 2 + 1,
            Consistency::All => n,
        }
    }
}

/// The consistency level of one operation (by its name in the workloads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OpConsistency {
    pub op: String,
    pub level: Consistency,
}

/// Which replicas an AP quorum asks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuorumChoice {
    /// The coordinator (a replica in the client's region) first, then the
    /// others in its region, then the rest.
    #[default]
    Nearest,
    /// Replicas picked uniformly at random (the coordinator only routes):
    /// the model of Probabilistically Bounded Staleness.
    Random,
}

/// How a CP store serves reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// The leader confirms it still leads (a heartbeat round acknowledged by
    /// a majority) before answering: never stale.
    #[default]
    ReadIndex,
    /// The leader answers at once while a majority acknowledged it within
    /// the minimum election timeout (no clock drift here, so still fresh).
    Lease,
    /// The replica nearest the client answers from its own copy: fast and
    /// available, possibly stale.
    Follower,
}

impl StoreConfig {
    /// Replicas a read waits for (AP).
    pub fn r(&self) -> u32 {
        self.read_consistency.map_or(self.read_quorum, |c| c.count(self.replicas))
    }

    /// Replicas a write waits for (AP).
    pub fn w(&self) -> u32 {
        self.write_consistency.map_or(self.write_quorum, |c| c.count(self.replicas))
    }

    /// The region of replica `i`.
    pub fn region_of(&self, i: u32, node_region: Option<&str>) -> String {
        if self.regions.is_empty() {
            node_region.unwrap_or("").to_string()
        } else {
            self.regions[(i as usize) % self.regions.len()].clone()
        }
    }

    /// Every problem with these settings, paths below `p` (`nodes[3]`).
    pub(crate) fn problems(&self, p: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut add = |field: &str, message: String| out.push(Problem { path: format!("{p}.kind.{field}"), message });
        let n = self.replicas;
        if n == 0 || n > MAX_STORE_REPLICAS {
            add("replicas", format!("must be between 1 and {MAX_STORE_REPLICAS} (limit MAX_STORE_REPLICAS, got {n})"));
        }
        for (field, v) in [("read_quorum", self.read_quorum), ("write_quorum", self.write_quorum)] {
            if v == 0 || v > n.max(1) {
                add(field, format!("must be between 1 and replicas ({n}) (got {v})"));
            }
        }
        for (i, o) in self.op_consistency.iter().enumerate() {
            if o.op.is_empty() || o.op.len() > 64 {
                add(&format!("op_consistency[{i}].op"), "must be an operation's name (1 to 64 characters)".into());
            }
        }
        for (i, r) in self.regions.iter().enumerate() {
            if r.is_empty() || r.len() > 64 {
                add(&format!("regions[{i}]"), "must be 1 to 64 characters".into());
            }
        }
        for (field, d) in [("replica_latency", &self.replica_latency), ("replication_lag", &self.replication_lag)] {
            for (sub, msg) in d.problems(super::LIMITS.max_latency_ms) {
                add(&format!("{field}.{sub}"), msg);
            }
        }
        let max_ms = super::LIMITS.max_latency_ms;
        if !self.cross_region_latency_ms.is_finite() || !(0.0..=max_ms).contains(&self.cross_region_latency_ms) {
            add("cross_region_latency_ms", format!("must be between 0 and {max_ms} ms"));
        }
        if let Some(t) = self.anti_entropy_interval_ms {
            if !(10..=3_600_000).contains(&t) {
                add("anti_entropy_interval_ms", format!("must be between 10 ms and 1 h, or null (got {t})"));
            }
        }
        if !(1..=3_600_000).contains(&self.request_timeout_ms) {
            add("request_timeout_ms", format!("must be between 1 ms and 1 h (got {})", self.request_timeout_ms));
        }
        let (lo, hi) = (self.election_timeout_min_ms, self.election_timeout_max_ms);
        if !(10..=60_000).contains(&lo) {
            add("election_timeout_min_ms", format!("must be between 10 ms and 60 s (got {lo})"));
        }
        if hi < lo || hi > 60_000 {
            add("election_timeout_max_ms", format!("must be between the minimum ({lo} ms) and 60 s (got {hi})"));
        }
        let hb = self.heartbeat_interval_ms;
        if hb == 0 || hb >= lo.max(1) {
            add(
                "heartbeat_interval_ms",
                format!("must be >= 1 ms and below the minimum election timeout ({lo} ms) (got {hb})"),
            );
        }
        if !self.stale_read_cost.is_finite() || !(0.0..=1e12).contains(&self.stale_read_cost) {
            add("stale_read_cost", "must be between 0 and 1e12".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_count_replicas() {
        assert_eq!([Consistency::One, Consistency::Quorum, Consistency::All].map(|c| c.count(5)), [1, 3, 5]);
        let cfg = StoreConfig { read_consistency: Some(Consistency::All), ..StoreConfig::default() };
        assert_eq!((cfg.r(), cfg.w()), (3, 2));
    }

    #[test]
    fn quorums_above_the_replicas_are_refused_by_path() {
        let cfg = StoreConfig { replicas: 3, read_quorum: 4, write_quorum: 0, ..StoreConfig::default() };
        let m: Vec<String> = cfg.problems("nodes[2]").iter().map(|p| p.to_string()).collect();
        assert!(
            m.contains(&"nodes[2].kind.read_quorum: must be between 1 and replicas (3) (got 4)".to_string()),
            "{m:?}"
        );
        assert!(m.iter().any(|x| x.starts_with("nodes[2].kind.write_quorum")), "{m:?}");
        assert!(StoreConfig::default().problems("n").is_empty());
    }

    #[test]
    fn replicas_go_round_robin_over_regions() {
        let cfg = StoreConfig { regions: vec!["us".into(), "eu".into()], ..StoreConfig::default() };
        assert_eq!((0..3).map(|i| cfg.region_of(i, None)).collect::<Vec<_>>(), ["us", "eu", "us"]);
        assert_eq!(StoreConfig::default().region_of(1, Some("x")), "x");
    }
}
