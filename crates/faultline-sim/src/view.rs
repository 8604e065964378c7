//! What the page reads every animation frame: small, cheap, already in
//! display units. Rates and percentiles come from the last closed metrics
//! window (the previous simulated second), so they describe "now" rather than
//! the whole run; before the first window closes they fall back to the run so far.
//! Percentiles are of successful calls; failed calls have their own (see
//! `Metrics` for why).

use crate::metrics::Metrics;
use crate::sim::Sim;
use crate::sim::WINDOW_US;
use serde::{Deserialize, Serialize};

/// Live numbers for one node or edge.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Live {
    /// Completed calls per second.
    pub throughput_rps: f64,
    /// Share of completed calls that failed (0..1).
    pub error_rate: f64,
    /// Of successful calls (ok or degraded).
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub in_flight: u64,
    /// Of failed calls; 0 when none failed (and then left out of the JSON,
    /// which the page receives for every node and link ten times a second).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_p50_ms: f64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_p99_ms: f64,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub live: Live,
    /// Calls waiting (services, databases) or messages held (queues).
    pub queue_depth: u32,
    /// Busy workers/connections, or deliveries in progress for a queue.
    pub busy: u32,
    /// Workers/connections, or a queue's message capacity.
    pub capacity: u32,
    pub down: bool,
    pub paused: bool,
    /// Healthy backends of a load balancer (of `backends`).
    pub healthy_backends: u32,
    pub backends: u32,
    /// A balancer hashing with bounded loads: calls sent past their key's own
    /// backend so far, and calls it placed so far (the card shows the share);
    /// `None` for other kinds and plain hashing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spilled: Option<(u64, u64)>,
    /// Busy share of each shard of a sharded database (the card's heat strip).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shard_busy: Vec<f32>,
    /// A cache's hit ratio (0..1) over the last second; `None` for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_hit_ratio: Option<f64>,
    /// A service's instances (the card's pips), when it has several or pools.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<crate::nodes::service::instances::InstancePip>,
    /// The replicas a service's autoscaler asks for now; `None` without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_instances: Option<u32>,
    /// Connections open of those allowed, on a database clients' pools connect to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<(u32, u32)>,
    /// A replicated store's members, leader and correctness counters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreView>,
    /// An event log's lag per partition and its checkers; `None` for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogView>,
    /// A cache's stale reads so far, when it reads a database directly
    /// (which keeps versions); `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_stale_reads: Option<u64>,
    /// A database's replicas (the card's pips and readout); `None` without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<ReplicasView>,
}

/// What a database with replicas shows on its card.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicasView {
    /// Every member, the primary's first pool included (index = member).
    pub members: Vec<MemberPip>,
    /// Replication lag p99 of the last writes, in ms.
    pub lag_p99_ms: f64,
    pub stale_reads: u64,
    pub ryw_violations: u64,
    pub lost_writes: u64,
    /// The primary is gone and no replica is promoted yet.
    pub failing_over: bool,
}

/// One member of a replicated database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberPip {
    /// "primary", "replica" or "down".
    pub role: String,
    /// Busy share of its connections.
    pub busy: f32,
}

/// What a store's card shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreView {
    /// "cp" or "ap".
    pub mode: String,
    /// Per replica: up (not crashed by a fault).
    pub replicas_up: Vec<bool>,
    /// CP: the replica leading now, if any.
    pub leader: Option<u16>,
    /// CP: the highest term any replica has seen.
    pub term: u64,
    pub stale_reads: u64,
    pub unavailable: u64,
    /// AP: writes kept as siblings (or, last-writer-wins, discarded at a
    /// replica holding a newer version), and acknowledged writes lost.
    #[serde(default)]
    pub conflicts: u64,
    #[serde(default)]
    pub lost_writes: u64,
    /// AP with a sloppy quorum: hints kept for unreachable replicas and not
    /// yet handed over.
    #[serde(default)]
    pub hints_pending: u64,
    /// The linearizability checker's verdict on the history so far, when a
    /// live driver checks it as the run goes (`faultline-live`'s
    /// `verdicts`): "linearizable", "not-linearizable" or "unknown". The
    /// engine leaves it empty: the run report has the whole-history verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// With a "not-linearizable" verdict: the few operations no order fits,
    /// for the card's history diagram (see `check::explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation: Option<ViolationView>,
}

/// A linearizability violation, small enough to draw: bars per client over time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ViolationView {
    pub key: u64,
    /// In invoke order.
    pub ops: Vec<HistoryOpView>,
    /// Which of `ops` to point at.
    pub offending: usize,
    /// One sentence: why no order works.
    pub why: String,
}

/// One operation of a violation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryOpView {
    /// The client's process (one per operation in a store's history).
    pub process: u64,
    /// "read", "write" or "cas".
    pub f: String,
    /// What a read returned (`None`: nothing), a write wrote, a
    /// compare-and-set's new value.
    pub value: Option<i64>,
    /// A compare-and-set's expected value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<i64>,
    pub invoke_us: u64,
    /// `None`: it never answered (indeterminate).
    pub return_us: Option<u64>,
    /// "ok" or "info" (indeterminate: it may or may not have happened).
    pub status: String,
}

/// What an event log's card shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogView {
    /// Consumer lag of each partition (end offset minus committed offset).
    pub lag: Vec<u32>,
    pub published: u64,
    pub processed: u64,
    pub duplicates_processed: u64,
    pub order_violations: u64,
    pub phantom_deductions: u64,
    pub lost: u64,
    /// The consumer group is rebalancing (or its consumer was dropped).
    pub rebalancing: bool,
    /// Rebalances so far.
    #[serde(default)]
    pub rebalances: u64,
    /// The consumer instance each partition is assigned to.
    #[serde(default)]
    pub assignment: Vec<u32>,
    /// Dual write: committed writes never published (also in `lost`).
    #[serde(default)]
    pub unpublished: u64,
    /// Outbox: committed rows waiting for the relay.
    #[serde(default)]
    pub outbox_waiting: u64,
}

/// A circuit breaker as the playground draws it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakerView {
    pub state: crate::policy::breaker::State,
    /// Until an open breaker lets a trial call through, in milliseconds.
    pub open_remaining_ms: f64,
    pub short_circuited: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SimView {
    pub now_ms: f64,
    pub end_ms: f64,
    pub nodes: Vec<NodeView>,
    pub edges: Vec<Live>,
    /// Edges cut by a partition (same order as `edges`).
    pub cut: Vec<bool>,
    /// The breaker of each edge that has one (same order as `edges`).
    pub breakers: Vec<Option<BreakerView>>,
    pub overall: Live,
    pub generated: u64,
    pub ok: u64,
    pub failed: u64,
    pub in_flight: u64,
}

fn live(m: &Metrics, in_flight: u64, now_us: u64) -> Live {
    let secs = WINDOW_US as f64 / 1e6;
    match m.last_point() {
        Some(p) => {
            let done = p.ok + p.failed;
            Live {
                throughput_rps: done as f64 / secs,
                error_rate: if done == 0 { 0.0 } else { p.failed as f64 / done as f64 },
                p50_ms: p.p50_us as f64 / 1e3,
                p99_ms: p.p99_us as f64 / 1e3,
                in_flight,
                failed_p50_ms: p.fail_p50_us as f64 / 1e3,
                failed_p99_ms: p.fail_p99_us as f64 / 1e3,
            }
        }
        None => {
            let done = m.completed();
            let elapsed = (now_us.max(1)) as f64 / 1e6;
            let (q, _) = m.quantiles_us([0.5, 0.99]);
            let (f, _) = m.failed_quantiles_us([0.5, 0.99]);
            Live {
                throughput_rps: done as f64 / elapsed,
                error_rate: if done == 0 { 0.0 } else { m.failed_total() as f64 / done as f64 },
                p50_ms: q[0] as f64 / 1e3,
                p99_ms: q[1] as f64 / 1e3,
                in_flight,
                failed_p50_ms: f[0] as f64 / 1e3,
                failed_p99_ms: f[1] as f64 / 1e3,
            }
        }
    }
}

impl Sim {
    /// The live numbers of every node and edge, for one frame.
    pub fn view(&self) -> SimView {
        let now = self.now.0;
        let totals = self.totals;
        SimView {
            now_ms: self.now.as_millis_f64(),
            end_ms: self.end.as_millis_f64(),
            nodes: self
                .nodes
                .iter()
                .map(|n| {
                    let mut v = NodeView {
                        live: live(&n.metrics, u64::from(n.in_flight), now),
                        down: n.down,
                        paused: n.paused,
                        ..NodeView::default()
                    };
                    n.behaviour.fill_view(&mut v);
                    v
                })
                .collect(),
            edges: self.edges.iter().map(|e| live(&e.metrics, u64::from(e.in_flight), now)).collect(),
            cut: self.edges.iter().map(|e| e.blocked > 0).collect(),
            breakers: self
                .edges
                .iter()
                .map(|e| {
                    e.breaker.as_ref().map(|b| BreakerView {
                        state: b.state(),
                        open_remaining_ms: b.open_remaining_us(now) as f64 / 1e3,
                        short_circuited: b.short_circuited,
                    })
                })
                .collect(),
            overall: live(self.overall_metrics(), totals.in_flight, now),
            generated: totals.generated,
            ok: totals.ok,
            failed: totals.failed_total(),
            in_flight: totals.in_flight,
        }
    }
}
