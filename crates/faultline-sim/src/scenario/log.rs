//! An event log's settings in the scenario document (`"type": "log"`): a
//! Kafka-like partitioned topic with its producer, its consumer group and
//! the consumer's safeguards. The behaviour lives in `nodes/log.rs`.
//!
//! Defaults follow the Apache Kafka documentation where Kafka has one
//! (`acks`, `max.in.flight.requests.per.connection` = 5, auto-commit every
//! 5 s, `session.timeout.ms`); the incident-prone settings (no idempotence,
//! plain consumers) are the defaults, as they were in Kafka before 3.0.

use crate::dist::Dist;
use serde::{Deserialize, Serialize};

/// Partitions of one log.
pub const MAX_LOG_PARTITIONS: u32 = 1_024;
/// Consumer instances in the group.
pub const MAX_LOG_CONSUMERS: u32 = 1_024;
/// Produce attempts in flight per partition.
pub const MAX_LOG_IN_FLIGHT: u32 = 100;
/// Retries of one produce request, and redeliveries of one record.
pub const MAX_LOG_RETRIES: u32 = 1_000;
/// Entries of an idempotent consumer's processed-event store.
pub const MAX_LOG_DEDUP: u32 = 10_000_000;
/// Event types one publish sends.
pub const MAX_LOG_EVENTS: usize = 16;
/// Copies of each partition.
pub const MAX_LOG_REPLICAS: u32 = 7;
/// Any setting in milliseconds (1 h).
pub const MAX_LOG_MS: u64 = 3_600_000;

/// A partitioned, durable event log: producers publish over its incoming
/// edges, its one outgoing edge is the consumer group's service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// Partitions of the topic: an event's key picks one by hash, and order
    /// holds only within a partition.
    pub partitions: u32,
    /// When the producer counts an event as sent: `0` at once, `1` when the
    /// leader appended it, `all` when the in-sync replicas have it.
    pub acks: Acks,
    /// Times a failed produce request is retried (ignored with `acks` 0, and
    /// unbounded with `idempotent`, as in Kafka).
    pub retries: u32,
    /// Produce requests in flight per partition
    /// (`max.in.flight.requests.per.connection`).
    pub max_in_flight: u32,
    /// Idempotent producer: the broker deduplicates by producer sequence
    /// number and refuses a request out of sequence, so retries keep order
    /// (Kafka allows at most 5 in flight).
    pub idempotent: bool,
    /// Time of one produce request, send to response.
    pub produce_time: Dist,
    /// Share of produce requests that fail before the append (0..1).
    pub produce_error_rate: f64,
    /// Share of produce requests appended whose response is lost: the
    /// producer retries an event that is already in the log (0..1).
    pub ack_loss_rate: f64,
    /// Milliseconds a failed produce request waits before it is retried.
    pub retry_backoff_ms: u64,
    /// Events one publish sends, in order; empty: one event keyed by the
    /// request's key, numbered per key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventType>,
    /// Consumer instances in the group; partitions are shared out among them.
    pub consumers: u32,
    /// When the consumer commits its offsets.
    pub commit: Commit,
    /// Milliseconds between auto-commits (`auto.commit.interval.ms`).
    pub auto_commit_interval_ms: u64,
    /// Milliseconds a consumer may be unreachable before the group drops it
    /// and rebalances (`session.timeout.ms`).
    pub session_timeout_ms: u64,
    /// Milliseconds a rebalance stops consumption.
    pub rebalance_ms: u64,
    /// What the consumer does before processing a record.
    pub consumer: ConsumerMode,
    /// Processed-event ids an idempotent consumer remembers (oldest forgotten first).
    pub dedup_capacity: u32,
    /// Reorder buffer: milliseconds a record ahead of its entity's next
    /// sequence number waits for the missing ones; `null`: no buffer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_timeout_ms: Option<u64>,
    /// What a record held past the timeout becomes.
    pub on_hold_timeout: HoldTimeout,
    /// Failed deliveries of a record before it is dead-lettered.
    pub max_redeliveries: u32,
    /// Copies of each partition: a leader and followers. With more than
    /// one, a crash of the log is a leader failover (the new leader lacks
    /// what was not replicated yet) and consumers see only replicated records.
    pub replicas: u32,
    /// Replicas that must have an event before `acks` "all" acknowledges it.
    pub min_insync_replicas: u32,
    /// Milliseconds for the followers to copy an appended record.
    pub replication_ms: u64,
    /// The events are a service's writes to a database: published by the
    /// service after its commit (a dual write), or through an outbox table
    /// committed with the write and relayed; `null`: events are whatever
    /// callers publish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<WriteSource>,
}

/// Where a log's events come from when they record a database write
/// (`source`): the write and the event must both happen, or neither.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct WriteSource {
    /// The database whose committed writes are the events (the id of a
    /// database node).
    pub database: String,
    /// `false`: a dual write. The service calls the database, then this log;
    /// the two are not atomic, so a write committed by a service that
    /// crashes (or gives up) before its publish reaches the log is an event
    /// lost. `true`: the event is a row of an outbox table committed in the
    /// same transaction, and a relay polls the table and publishes it: none
    /// lost, for the relay's delay.
    pub outbox: bool,
    /// Milliseconds between the relay's polls of the outbox table.
    pub relay_interval_ms: u64,
}

impl Default for WriteSource {
    fn default() -> Self {
        WriteSource { database: String::new(), outbox: false, relay_interval_ms: 500 }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            partitions: 6,
            acks: Acks::One,
            retries: 3,
            max_in_flight: 5,
            idempotent: false,
            produce_time: Dist::constant(2.0),
            produce_error_rate: 0.0,
            ack_loss_rate: 0.0,
            retry_backoff_ms: 100,
            events: Vec::new(),
            consumers: 3,
            commit: Commit::Auto,
            auto_commit_interval_ms: 5_000,
            session_timeout_ms: 10_000,
            rebalance_ms: 3_000,
            consumer: ConsumerMode::Plain,
            dedup_capacity: 100_000,
            hold_timeout_ms: None,
            on_hold_timeout: HoldTimeout::Process,
            max_redeliveries: 10,
            replicas: 1,
            min_insync_replicas: 1,
            replication_ms: 5,
            source: None,
        }
    }
}

/// Producer acknowledgements (`acks`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Acks {
    /// Fire and forget: counted as sent at once, never retried.
    #[serde(rename = "0")]
    Zero,
    /// When the leader has appended it.
    #[default]
    #[serde(rename = "1")]
    One,
    /// When every in-sync replica has it (one replica here: as `1`).
    #[serde(rename = "all")]
    All,
}

/// When consumed offsets are committed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Commit {
    /// Every `auto_commit_interval_ms` (`enable.auto.commit`).
    #[default]
    Auto,
    /// After each record is processed.
    AfterProcessing,
}

/// What a consumer checks before processing a record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsumerMode {
    /// Nothing: at-least-once, a redelivered record is processed again.
    #[default]
    Plain,
    /// Skips events whose id is in its processed-event store.
    Idempotent,
}

/// What a record held past the reorder buffer's timeout becomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldTimeout {
    /// Processed anyway, out of order.
    #[default]
    Process,
    /// Dead-lettered, never processed.
    DeadLetter,
}

/// One event a publish sends (`events`), e.g. `PaymentProcessed`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EventType {
    pub name: String,
    /// What its partition key is.
    #[serde(default)]
    pub key: EventKey,
    /// The event type that must be processed first for the same entity (an
    /// `InventoryDecremented` requires its `PaymentProcessed`); processing it
    /// before counts a phantom deduction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

/// An event's partition key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKey {
    /// The entity (the order): every event of an order in one partition.
    #[default]
    Entity,
    /// An id of its own (a payment id).
    Own,
    /// The request's key (a SKU, drawn by the workload's key distribution).
    RequestKey,
}

impl LogConfig {
    /// Every problem of the settings, as (path, message) pairs under `p`
    /// (the node's path); the edges are checked with the document.
    pub(super) fn problems(&self, p: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut range = |field: &str, v: u64, lo: u64, hi: u64, what: &str| {
            if v < lo || v > hi {
                out.push((format!("{p}.kind.{field}"), format!("must be between {lo} and {hi} {what}(got {v})")));
            }
        };
        range("partitions", self.partitions.into(), 1, MAX_LOG_PARTITIONS.into(), "(limit MAX_LOG_PARTITIONS) ");
        range("consumers", self.consumers.into(), 1, MAX_LOG_CONSUMERS.into(), "(limit MAX_LOG_CONSUMERS) ");
        range("max_in_flight", self.max_in_flight.into(), 1, MAX_LOG_IN_FLIGHT.into(), "");
        range("retries", self.retries.into(), 0, MAX_LOG_RETRIES.into(), "");
        range("max_redeliveries", self.max_redeliveries.into(), 0, MAX_LOG_RETRIES.into(), "");
        range("dedup_capacity", self.dedup_capacity.into(), 1, MAX_LOG_DEDUP.into(), "(limit MAX_LOG_DEDUP) ");
        range("retry_backoff_ms", self.retry_backoff_ms, 0, MAX_LOG_MS, "ms ");
        range("auto_commit_interval_ms", self.auto_commit_interval_ms, 1, MAX_LOG_MS, "ms ");
        range("session_timeout_ms", self.session_timeout_ms, 3, MAX_LOG_MS, "ms ");
        range("rebalance_ms", self.rebalance_ms, 0, MAX_LOG_MS, "ms ");
        range("replicas", self.replicas.into(), 1, MAX_LOG_REPLICAS.into(), "(limit MAX_LOG_REPLICAS) ");
        range("min_insync_replicas", self.min_insync_replicas.into(), 1, MAX_LOG_REPLICAS.into(), "");
        range("replication_ms", self.replication_ms, 0, MAX_LOG_MS, "ms ");
        if let Some(h) = self.hold_timeout_ms {
            range("hold_timeout_ms", h, 1, MAX_LOG_MS, "ms, or null for no reorder buffer ");
        }
        if let Some(src) = &self.source {
            range("source.relay_interval_ms", src.relay_interval_ms, 1, MAX_LOG_MS, "ms ");
        }
        if self.idempotent && self.max_in_flight > 5 {
            out.push((
                format!("{p}.kind.max_in_flight"),
                format!(
                    "an idempotent producer allows at most 5 requests in flight, as Kafka does (got {})",
                    self.max_in_flight
                ),
            ));
        }
        if self.acks == Acks::All && self.min_insync_replicas > self.replicas {
            out.push((
                format!("{p}.kind.min_insync_replicas"),
                format!(
                    "with acks \"all\" must be at most the replicas ({}), or every write is refused (got {})",
                    self.replicas, self.min_insync_replicas
                ),
            ));
        }
        if self.idempotent && self.acks != Acks::All {
            out.push((format!("{p}.kind.acks"), "an idempotent producer needs acks \"all\", as Kafka requires".into()));
        }
        for (field, v) in [("produce_error_rate", self.produce_error_rate), ("ack_loss_rate", self.ack_loss_rate)] {
            if !v.is_finite() || !(0.0..1.0).contains(&v) {
                out.push((format!("{p}.kind.{field}"), format!("must be at least 0 and below 1 (got {v})")));
            }
        }
        for (field, msg) in self.produce_time.problems(MAX_LOG_MS as f64) {
            out.push((format!("{p}.kind.produce_time.{field}"), msg));
        }
        if self.events.len() > MAX_LOG_EVENTS {
            out.push((
                format!("{p}.kind.events"),
                format!("at most {MAX_LOG_EVENTS} event types (limit MAX_LOG_EVENTS, got {})", self.events.len()),
            ));
        }
        for (i, t) in self.events.iter().enumerate() {
            let q = format!("{p}.kind.events[{i}]");
            if t.name.is_empty() {
                out.push((format!("{q}.name"), "must not be empty".into()));
            }
            if self.events[..i].iter().any(|o| o.name == t.name) {
                out.push((format!("{q}.name"), format!("duplicate event type \"{}\"", t.name)));
            }
            if let Some(r) = &t.requires {
                match self.events.iter().position(|o| &o.name == r) {
                    None => out.push((format!("{q}.requires"), format!("no event type \"{r}\" in this log's events"))),
                    Some(j) if j == i => {
                        out.push((format!("{q}.requires"), "an event type cannot require itself".into()))
                    }
                    Some(_) => {}
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(cfg: &LogConfig) -> Vec<String> {
        cfg.problems("nodes[1]").into_iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn the_defaults_are_valid_and_each_problem_names_its_field() {
        assert!(paths(&LogConfig::default()).is_empty());
        let bad = LogConfig {
            partitions: 0,
            idempotent: true,
            max_in_flight: 6,
            acks: Acks::All,
            replicas: 1,
            min_insync_replicas: 2,
            produce_error_rate: 1.0,
            events: vec![
                EventType { name: "Paid".into(), key: EventKey::Own, requires: None },
                EventType { name: "Paid".into(), key: EventKey::Entity, requires: Some("Shipped".into()) },
            ],
            ..LogConfig::default()
        };
        assert_eq!(
            paths(&bad),
            vec![
                "nodes[1].kind.partitions",
                "nodes[1].kind.max_in_flight",
                "nodes[1].kind.min_insync_replicas",
                "nodes[1].kind.produce_error_rate",
                "nodes[1].kind.events[1].name",
                "nodes[1].kind.events[1].requires",
            ]
        );
    }

    #[test]
    fn acks_are_written_as_kafka_writes_them() {
        let cfg: LogConfig = serde_json::from_str(r#"{"acks": "all", "partitions": 3}"#).unwrap();
        assert_eq!((cfg.acks, cfg.partitions), (Acks::All, 3));
        let err = serde_json::from_str::<LogConfig>(r#"{"acks": 2}"#).unwrap_err().to_string();
        assert!(err.contains("acks") || err.contains("expected"), "{err}");
        assert!(serde_json::from_str::<LogConfig>(r#"{"partition": 3}"#).is_err(), "unknown fields are refused");
    }
}
