//! A log whose events record a database's writes (`source`): the dual
//! write and the transactional outbox.
//!
//! Why it lives with the log: the write is committed at the database and the
//! event appended at the log, and only something watching both can say
//! which committed writes never became events. The database tells the log
//! of each write it commits for a producing service (`Sim::succeeded_at`);
//! the log matches it with the service's publish, by request.
//!
//! - Dual write: the service calls the database, then the log. Nothing ties
//!   the two: if the service crashes (or gives up on the database's answer)
//!   after the commit and before its publish is on its way, the write stays
//!   and the event never comes. Such a write is lost as soon as it is
//!   certain: committed for a call its caller has abandoned, or pending
//!   while the service's call for it is over with no publish on the wire.
//! - Outbox: the event is a row committed in the same transaction as the
//!   write, so it exists exactly when the write does. A relay polls the
//!   table every `relay_interval_ms` (while the database is up) and hands
//!   the rows to the producer: nothing lost, each event later by up to the
//!   interval (half of it on average).

use std::collections::BTreeMap;

/// A committed write waiting for its publish (dual write).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The producing service's call that made the write (and will publish).
    pub parent: u32,
    pub parent_gen: u32,
    pub committed_us: u64,
}

/// A committed row of the outbox table, not yet relayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub request: u64,
    pub op: u16,
    pub key: u64,
    pub committed_us: u64,
}

#[derive(Clone, Debug)]
pub struct SourceRt {
    /// The database node, and its id.
    pub database: u32,
    pub database_id: String,
    /// Edges into the database from services that also call the log: the
    /// writes over them are the events.
    pub writer_edges: Vec<u32>,
    pub outbox: bool,
    pub relay_us: u64,
    /// Dual write: committed writes by request, waiting for their publish.
    pub pending: BTreeMap<u64, Pending>,
    /// Outbox: rows committed, waiting for the relay.
    pub rows: Vec<Row>,
    /// Writes committed at the database (each should become an event).
    pub committed: u64,
    /// Dual write: committed writes whose event was never published.
    pub unpublished: u64,
    /// Outbox: rows the relay handed to the producer.
    pub relayed: u64,
    /// Outbox: each relayed row's wait in the table, commit to relay.
    pub relay_wait: crate::metrics::Metrics,
}

impl SourceRt {
    pub fn new(database: (u32, String), writer_edges: Vec<u32>, outbox: bool, relay_us: u64) -> SourceRt {
        SourceRt {
            database: database.0,
            database_id: database.1,
            writer_edges,
            outbox,
            relay_us: relay_us.max(1),
            pending: BTreeMap::new(),
            rows: Vec::new(),
            committed: 0,
            unpublished: 0,
            relayed: 0,
            relay_wait: crate::metrics::Metrics::default(),
        }
    }

    /// Committed writes not yet events: pending publishes or outbox rows.
    pub fn waiting(&self) -> u64 {
        (self.pending.len() + self.rows.len()) as u64
    }
}
