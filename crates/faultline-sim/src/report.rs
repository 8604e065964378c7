//! The whole-run report: what `faultline run --json` prints and what tests
//! compare. Field names are part of the CLI's contract; add fields, never
//! rename them.
//!
//! Every `latency_ms` is of successful calls (ok or degraded); the failed
//! calls' latency is `failed_latency_ms` beside it (all zeros when none
//! failed). Kept apart because a failure is often answered at once (a
//! refusal, a breaker's short circuit, shed load, a rate limit): mixed in, it
//! would make the percentiles look better exactly when things go wrong.

use crate::calls::FailReason;
use crate::metrics::Metrics;
use crate::nodes::Behaviour;
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    pub duration_ms: u64,
    pub sim_time_ms: f64,
    pub events: u64,
    /// Hash of the ordered event trace, as 16 hex digits.
    pub trace_hash: String,
    pub requests: RequestTotals,
    /// End-to-end latency of user requests that succeeded.
    pub latency_ms: Latency,
    /// End-to-end latency of user requests that failed.
    pub failed_latency_ms: Latency,
    pub nodes: Vec<NodeReport>,
    pub edges: Vec<EdgeReport>,
    /// Results per operation, at the clients.
    pub ops: Vec<OpReport>,
    /// Instance-seconds of every service over the run (see `RunSummary`).
    pub instance_seconds: f64,
    /// What they cost at each service's price per instance-hour.
    pub cost: f64,
}

/// The whole-run part of a `Report` (see `Sim::run_summary`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub sim_time_ms: f64,
    pub trace_hash: String,
    pub requests: RequestTotals,
    /// Of successful user requests.
    pub latency_ms: Latency,
    /// Of failed user requests.
    #[serde(default)]
    pub failed_latency_ms: Latency,
    /// Results per operation, at the clients (as `Report::ops`): the page
    /// shows them while running, since the whole-run numbers hide which
    /// operation fails (one failing, one fine average out to "half fail").
    #[serde(default)]
    pub ops: Vec<OpReport>,
    /// Instance-seconds of every service so far (each instance alive,
    /// booting, ready, draining or backing off, times how long).
    #[serde(default)]
    pub instance_seconds: f64,
    /// Their cost: each service's instance-hours x its price per instance-hour.
    #[serde(default)]
    pub cost: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpReport {
    pub name: String,
    pub ok: u64,
    pub degraded: u64,
    pub failed: u64,
    /// End-to-end latency of this operation's successful requests.
    pub latency_ms: Latency,
    pub failed_latency_ms: Latency,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestTotals {
    pub generated: u64,
    /// Successful, including degraded ones.
    pub ok: u64,
    /// Answered by a fallback (cache or default).
    pub degraded: u64,
    /// POSTs applied twice (no idempotency key): duplicated side effects.
    pub duplicates: u64,
    /// Repeated POSTs recognised by their idempotency key.
    pub deduplicated: u64,
    /// Retries made on every edge.
    pub retries: u64,
    pub failed: Failures,
    pub in_flight: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Failures {
    pub total: u64,
    pub timeout: u64,
    pub rejected: u64,
    pub refused: u64,
    pub error_status: u64,
    pub rate_limited: u64,
    pub client_error: u64,
    pub short_circuited: u64,
    pub bulkhead_full: u64,
}

impl Failures {
    /// Every cause with a short label, in a fixed order (the CLI's table and
    /// the page's run summary both list them this way).
    pub fn by_cause(&self) -> [(&'static str, u64); 8] {
        [
            ("timeout", self.timeout),
            ("rejected", self.rejected),
            ("refused", self.refused),
            ("5xx", self.error_status),
            ("429", self.rate_limited),
            ("4xx", self.client_error),
            ("short-circuited", self.short_circuited),
            ("bulkhead", self.bulkhead_full),
        ]
    }

    fn of(m: &[u64; FailReason::COUNT]) -> Failures {
        Failures {
            total: m.iter().sum(),
            timeout: m[FailReason::Timeout as usize],
            rejected: m[FailReason::Rejected as usize],
            refused: m[FailReason::Refused as usize],
            error_status: m[FailReason::ErrorStatus as usize],
            rate_limited: m[FailReason::RateLimited as usize],
            client_error: m[FailReason::ClientError as usize],
            short_circuited: m[FailReason::ShortCircuited as usize],
            bulkhead_full: m[FailReason::BulkheadFull as usize],
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

const QUANTILES: [f64; 4] = [0.5, 0.9, 0.99, 0.999];

impl Latency {
    /// Of the successful calls of `m`.
    pub fn of(m: &Metrics) -> Latency {
        Latency::from_us(m.mean_us(), m.quantiles_us(QUANTILES))
    }

    /// Of the failed calls of `m`.
    pub fn of_failures(m: &Metrics) -> Latency {
        Latency::from_us(m.failed_mean_us(), m.failed_quantiles_us(QUANTILES))
    }

    fn from_us(mean_us: f64, (q, max): ([u64; 4], u64)) -> Latency {
        let ms = |us: u64| us as f64 / 1e3;
        Latency { mean: mean_us / 1e3, p50: ms(q[0]), p90: ms(q[1]), p99: ms(q[2]), p999: ms(q[3]), max: ms(max) }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeReport {
    pub id: String,
    pub kind: &'static str,
    pub arrivals: u64,
    pub ok: u64,
    pub failed: Failures,
    pub in_flight: u64,
    /// Completed calls per simulated second over the run.
    pub throughput_rps: f64,
    /// Time-average share of workers busy (0..1); 0 for clients.
    pub utilisation: f64,
    /// Time-average number of calls at the node (queued + in service). A
    /// queue node answers its producers as it accepts their messages, so the
    /// messages it holds are not calls here (0 for it): see `queue.depth`.
    pub mean_in_system: f64,
    /// Time each successful call spent at the node, arrival to answer.
    pub latency_ms: Latency,
    /// The same for failed calls (refused ones count 0).
    pub failed_latency_ms: Latency,
    /// POSTs this service applied twice (services only).
    pub duplicates: u64,
    /// Message counts, for queue nodes only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueReport>,
    /// Per-shard load, for sharded databases only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<ShardReport>,
    /// Hits, misses and evictions, for cache nodes only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheReport>,
    /// Connections held against the limit, for databases clients' pools connect to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<crate::nodes::connections::ConnectionsReport>,
    /// Instances, restarts and failed starts, for services with instances or pools.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances: Option<crate::nodes::service::instances::InstancesReport>,
    /// Instance-seconds over the run, for services (every one is billed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_seconds: Option<f64>,
    /// Instance-hours x `price_per_instance_hour`, for services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Replicas asked for and each change, for services with an autoscaler.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<crate::nodes::service::autoscaler::AutoscaleReport>,
    /// Client and server connections and waits, for poolers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pooler: Option<crate::nodes::pooler::PoolerReport>,
    /// Consistency and availability counters, for store nodes only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreReport>,
    /// Events, offsets and the ordering checkers, for event logs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<LogReport>,
    /// Replicas, stale reads, read-your-writes violations and failovers,
    /// for databases with replicas only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<ReplicationReport>,
    /// Posts pushed (and their timeline writes) or pulled, and timeline
    /// reads' pulled queries, for databases that fan out by key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fanout: Option<crate::nodes::fanout::FanoutReport>,
    /// A load balancer hashing with bounded loads: calls the bound sent past
    /// their key's own backend (`nodes::balancer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spilled: Option<u64>,
}

/// A database's replicas (see `nodes::replication`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicationReport {
    pub replicas: u16,
    /// "primary", "any_replica" or "read_your_writes".
    pub read_routing: &'static str,
    /// The member that is the primary at the end (0 until a failover);
    /// `null` during a failover.
    pub primary: Option<u16>,
    /// Members serving reads as replicas at the end.
    pub replicas_up: u16,
    /// Reads served by the primary and by the replicas.
    pub reads_primary: u64,
    pub reads_replicas: u64,
    /// Reads that returned an older version than the primary's when served.
    pub stale_reads: u64,
    /// The same by member (index 0: the first primary), and every read.
    pub stale_reads_by_member: Vec<u64>,
    pub reads_by_member: Vec<u64>,
    /// Reads that missed their session's own earlier write.
    pub ryw_violations: u64,
    /// Committed writes a failover lost (the promoted replica lacked them).
    pub lost_writes: u64,
    pub failovers: u32,
    /// Writes refused while there was no primary.
    pub writes_refused: u64,
    /// Replication lag of the last 4,096 writes to a replica, in ms.
    pub lag_mean_ms: f64,
    pub lag_p99_ms: f64,
    /// Writes applied early because too many were in flight to a replica.
    pub overflowed: u64,
}

/// A replicated store's books (see `nodes::store`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreReport {
    /// "cp" or "ap".
    pub mode: &'static str,
    pub replicas: u32,
    /// Replicas not crashed at the end.
    pub replicas_up: u32,
    /// AP: R and W in force.
    pub read_quorum: u32,
    pub write_quorum: u32,
    /// Client reads and writes that succeeded.
    pub reads: u64,
    pub writes: u64,
    /// Reads that returned a value older than the newest write acknowledged
    /// before they began.
    pub stale_reads: u64,
    /// Requests the store could not serve (no replica, quorum or leader
    /// reachable; timed out).
    pub unavailable: u64,
    /// AP: writes kept as siblings (conflict: siblings), or discarded at a
    /// replica by last-writer-wins.
    pub conflicts: u64,
    /// AP with a sloppy quorum: hints a coordinator kept for an unreachable
    /// replica, and hints handed over to their replica since.
    pub hints_stored: u64,
    pub hints_delivered: u64,
    /// Acknowledged writes undone by the end.
    pub lost_writes: u64,
    /// Broken promises: stale reads and lost writes where the configuration
    /// promises fresh reads (CP through the leader, AP with R + W > N); 0
    /// otherwise (eventual consistency promises no fresh reads).
    pub violations: u64,
    /// Stale reads x `stale_read_cost`.
    pub money_lost: f64,
    /// CP: the leader at the end, the highest term, elections started and
    /// uncommitted entries discarded.
    pub leader: Option<u16>,
    pub term: u64,
    pub elections: u64,
    pub discarded_entries: u64,
    /// Events in the store's history (`faultline run --history`), and
    /// whether it stopped at `HISTORY_LIMIT`.
    pub history_events: u64,
    pub history_truncated: bool,
    /// The linearizability checker's verdict on that history (each key a
    /// register; `check::Limits` as `nodes::store::REPORT_CHECK_LIMITS`):
    /// `true` or `false`, or `null` when the search passed its limits.
    pub linearizable: Option<bool>,
    /// The verdict in words, with the counterexample's operations when the
    /// history is not linearizable.
    pub linearizability: String,
}

/// An event log's books: published = processed + dead_lettered + lost +
/// rejected + in_flight, at every moment (each event counted by its first
/// outcome), and what processing did to the business.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogReport {
    /// Events the producer was given.
    pub published: u64,
    /// Records sent to the consumer, every attempt and redelivery.
    pub delivered: u64,
    /// Events whose side effect was applied (the first time).
    pub processed: u64,
    /// Side effects applied again to an event already processed.
    pub duplicates_processed: u64,
    /// Events processed after a later event of the same entity.
    pub order_violations: u64,
    /// Events processed before the event type they require (same entity).
    pub phantom_deductions: u64,
    /// Acknowledged to the producer, never in the log (`acks` 0).
    pub lost: u64,
    /// The producer gave up and said so; never in the log.
    pub rejected: u64,
    pub dead_lettered: u64,
    /// At the producer, in the log unprocessed, held or out for delivery.
    pub in_flight: u64,
    /// Consumer lag over every partition, and per partition.
    pub lag: u64,
    pub partition_lag: Vec<u64>,
    /// Appends of an entity's event after a later one in the same partition.
    pub append_reorders: u64,
    /// Records the consumer skipped as already processed.
    pub deduplicated: u64,
    /// Records the reorder buffer held past its timeout.
    pub hold_expired: u64,
    pub rebalances: u64,
    /// Publish to first processing (from the database commit when the
    /// events record a database's writes).
    pub end_to_end_ms: Latency,
    /// Each `replay_log` on the timeline: the consumer's state rebuilt from
    /// offset 0, against the live one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replays: Vec<crate::nodes::log::replay::Replay>,
    /// The database writes the events record (`source`): dual write or outbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<WriteSourceReport>,
}

/// A log fed by a database's writes: committed = events published (or
/// relayed) + unpublished (lost, also counted in `lost`) + waiting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WriteSourceReport {
    pub database: String,
    pub outbox: bool,
    /// Writes the producing services committed to the database.
    pub committed: u64,
    /// Dual write: committed writes whose event was never published (the
    /// service stopped between its commit and its publish).
    pub unpublished: u64,
    /// Outbox: rows the relay published.
    pub relayed: u64,
    /// Committed writes not yet events: publishes on their way, or outbox
    /// rows waiting for the relay.
    pub waiting: u64,
}

/// A sharded database's load over its shards (those keys go to at the end).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShardReport {
    pub count: u16,
    pub partitioning: crate::scenario::Partitioning,
    /// Queries routed to each shard.
    pub arrivals: Vec<u64>,
    /// The busiest shard's arrivals over the mean shard's (1 = even).
    pub max_mean_ratio: f64,
    /// The busiest shard.
    pub hottest: u16,
    pub reshards: u32,
    /// Share of a fixed sample of the key space the latest reshard moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_keys: Option<f64>,
    /// Queries that paid the migration penalty.
    pub migrated_queries: u64,
}

/// A cache's books: hits + misses = reads looked up; misses = fetches +
/// coalesced (+ reads that crashed with the cache before their fetch).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CacheReport {
    /// The cache's counters over the run (hits, misses, evictions, stale
    /// reads, ...: see `CacheStats`), as fields of this entry.
    #[serde(flatten)]
    pub stats: crate::nodes::cache::CacheStats,
    /// hits / (hits + misses); 0 before any read.
    pub hit_ratio: f64,
    /// Write-behind: writes waiting for a flush at the end.
    pub dirty: u64,
    /// Entries held at the end.
    pub entries: u32,
}

/// A queue's books: published = delivered + dropped + dead_lettered + depth
/// + delivering, at every moment (a crash keeps every message).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueReport {
    /// Messages held: queued or waiting out their redelivery delay.
    pub depth: u32,
    pub delivered: u64,
    pub redelivered: u64,
    pub dropped: u64,
    pub dead_lettered: u64,
    /// Messages accepted from producers.
    pub published: u64,
    /// Messages out for delivery to the consumer, not yet acknowledged.
    pub delivering: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgeReport {
    pub from: String,
    pub to: String,
    pub calls: u64,
    pub ok: u64,
    pub failed: Failures,
    pub in_flight: u64,
    /// Round trip of successful calls as the caller sees it.
    pub latency_ms: Latency,
    /// The same for failed calls (short-circuited ones count 0).
    pub failed_latency_ms: Latency,
    pub retries: u64,
    /// The caller's circuit breaker, if the edge has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreakerReport {
    pub state: &'static str,
    pub short_circuited: u64,
    /// Transitions as (time ms, new state), oldest first (the last 64).
    pub transitions: Vec<(f64, &'static str)>,
}

impl Sim {
    /// The whole-run numbers without the per-node and per-link detail:
    /// cheap enough for the page to refresh while running.
    pub fn run_summary(&self) -> RunSummary {
        let t = self.totals;
        let services = || {
            self.nodes.iter().filter_map(|n| match &n.behaviour {
                Behaviour::Service(s) => Some(s),
                _ => None,
            })
        };
        let (instance_seconds, cost) =
            services().map(|s| s.cost(self.now.0)).fold((0.0, 0.0), |(a, b), (s, c)| (a + s, b + c));
        RunSummary {
            instance_seconds,
            cost,
            sim_time_ms: self.now.as_millis_f64(),
            trace_hash: format!("{:016x}", self.trace),
            requests: RequestTotals {
                generated: t.generated,
                ok: t.ok,
                failed: Failures::of(&t.failed),
                in_flight: t.in_flight,
                degraded: t.degraded,
                duplicates: services().map(|s| s.duplicates).sum(),
                deduplicated: services().map(|s| s.deduplicated).sum(),
                retries: self.edges.iter().map(|e| e.retries).sum(),
            },
            latency_ms: Latency::of(self.overall_metrics()),
            failed_latency_ms: Latency::of_failures(self.overall_metrics()),
            ops: self.op_reports(),
        }
    }

    /// Results per operation; an operation's latency is the whole run's when
    /// the design has only one.
    fn op_reports(&self) -> Vec<OpReport> {
        self.op_stats()
            .enumerate()
            .map(|(i, (name, o))| (name, o, self.op_latency.get(i).unwrap_or(self.overall_metrics())))
            .map(|(name, o, m)| OpReport {
                name: name.to_string(),
                ok: o.ok,
                degraded: o.degraded,
                failed: o.failed,
                latency_ms: Latency::of(m),
                failed_latency_ms: Latency::of_failures(m),
            })
            .collect()
    }

    pub fn report(&self) -> Report {
        let secs = self.now.as_secs_f64().max(1e-9);
        let RunSummary {
            sim_time_ms,
            trace_hash,
            requests,
            latency_ms,
            failed_latency_ms,
            ops,
            instance_seconds,
            cost,
        } = self.run_summary();
        Report {
            scenario: self.scenario.name.clone(),
            seed: self.scenario.seed,
            duration_ms: self.scenario.duration_ms,
            sim_time_ms,
            events: self.events,
            trace_hash,
            requests,
            latency_ms,
            failed_latency_ms,
            nodes: self
                .scenario
                .nodes
                .iter()
                .enumerate()
                .map(|(i, spec)| {
                    let n = &self.nodes[i];
                    let (l, busy) = self.node_occupancy(i);
                    let cap: u32 = match &n.behaviour {
                        Behaviour::Database(d) => d.serving_pools().iter().map(|p| p.capacity).sum(),
                        b => b.pools().iter().map(|p| p.capacity).sum(),
                    };
                    let mut r = NodeReport {
                        id: spec.id.clone(),
                        kind: spec.kind.name(),
                        arrivals: n.metrics.arrivals,
                        ok: n.metrics.ok,
                        failed: Failures::of(&n.metrics.failed),
                        in_flight: u64::from(n.in_flight),
                        throughput_rps: n.metrics.completed() as f64 / secs,
                        utilisation: if cap == 0 { 0.0 } else { busy / f64::from(cap) },
                        mean_in_system: l,
                        latency_ms: Latency::of(&n.metrics),
                        failed_latency_ms: Latency::of_failures(&n.metrics),
                        duplicates: 0,
                        queue: None,
                        shards: None,
                        cache: None,
                        connections: None,
                        instances: None,
                        instance_seconds: None,
                        cost: None,
                        autoscale: None,
                        pooler: None,
                        store: None,
                        log: None,
                        replication: None,
                        fanout: None,
                        spilled: None,
                    };
                    n.behaviour.fill_report(&mut r);
                    if let Behaviour::Service(s) = &n.behaviour {
                        let (seconds, cost) = s.cost(self.now.0);
                        r.instance_seconds = Some(seconds);
                        r.cost = Some(cost);
                    }
                    r
                })
                .collect(),
            edges: self
                .scenario
                .edges
                .iter()
                .zip(&self.edges)
                .map(|(spec, e)| EdgeReport {
                    from: spec.from.clone(),
                    to: spec.to.clone(),
                    calls: e.metrics.arrivals,
                    ok: e.metrics.ok,
                    failed: Failures::of(&e.metrics.failed),
                    in_flight: u64::from(e.in_flight),
                    latency_ms: Latency::of(&e.metrics),
                    failed_latency_ms: Latency::of_failures(&e.metrics),
                    retries: e.retries,
                    breaker: e.breaker.as_ref().map(|b| BreakerReport {
                        state: b.state().name(),
                        short_circuited: b.short_circuited,
                        transitions: b.history.iter().map(|&(t, st)| (t as f64 / 1e3, st.name())).collect(),
                    }),
                })
                .collect(),
            ops,
            instance_seconds,
            cost,
        }
    }
}
