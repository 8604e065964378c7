//! A Kafka-like event log: a partitioned topic, its producer, and one
//! consumer group (the service on its one outgoing edge).
//!
//! Why a kind of its own, next to the queue: a log orders events only
//! within a partition, and ordering is what breaks in the incidents it is
//! here to reproduce. An order's `PaymentProcessed` keyed by payment id and
//! its `InventoryDecremented` keyed by SKU land on different partitions,
//! consumed at different paces; a produce request retried behind a later
//! one (more than one in flight, no idempotence) lands out of order; a
//! consumer crash rebalances the group and replays everything processed
//! since the last commit. The log counts what that does to the business:
//! duplicates processed, order violations, events lost, and phantom
//! deductions (an event processed before the event it requires).
//!
//! The node holds the producer's and the consumer's client libraries as well
//! as the broker: a publish arriving here is `producer.send()`, and the call
//! is answered when every event it publishes is acknowledged (at once with
//! `acks` 0); records go to the consumer as calls over the outgoing edge
//! (the service's work is the processing, its answer the acknowledgement).
//! Like the queue, the log is durable: a crash keeps every record, and the
//! group rebalances after the restart.
//!
//! Pieces: `producer` (partitions, produce requests, idempotence), `group`
//! (assignment, offsets, commits, rebalances), `consumer` (idempotent store,
//! reorder buffer), `books` (every event's outcome, and the checkers).

pub mod books;
pub mod consumer;
pub mod group;
pub mod producer;
pub mod replay;
pub mod source;

use super::Behaviour;
use crate::calls::{FailReason, Outcome, Phase, Req, QUEUE_PARENT};
use crate::dist::Sampler;
use crate::event::Event;
use crate::metrics::Metrics;
use crate::rng::{unit_open, SimRng};
use crate::scenario::{Acks, Commit, ConsumerMode, EventKey, HoldTimeout, LogConfig};
use crate::sim::Sim;
use books::Books;
use consumer::{DedupStore, Held, ReorderBuffer, Verdict};
use group::{Delivery, Group, GroupState, Ready};
use producer::{Append, Failed, LogEvent, Partition};
use source::{Pending, Row, SourceRt};
use std::collections::BTreeMap;

/// One event type of a publish.
#[derive(Clone, Copy, Debug)]
struct TypeSpec {
    key: EventKey,
    requires: Option<u16>,
}

/// Something the log waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Timer {
    /// A produce request's answer (or its timeout).
    Produce {
        partition: u16,
        event: u64,
    },
    /// A failed produce request's backoff is over.
    Retry {
        partition: u16,
        event: u64,
    },
    /// The group checks its consumer's liveness.
    Heartbeat,
    AutoCommit,
    RebalanceDone {
        generation: u32,
    },
    /// An instance's failed delivery waited out its backoff.
    ConsumerRetry {
        instance: u32,
        generation: u32,
    },
    /// A produce request's followers have copied it (`acks` all).
    Replicated {
        partition: u16,
        event: u64,
        epoch: u32,
    },
    /// A record in the reorder buffer waited long enough.
    HoldExpired {
        entity: u64,
        seq: u32,
        generation: u32,
    },
    /// The outbox relay polls its table.
    Relay,
}

/// A publish waiting for its events' acknowledgements.
#[derive(Clone, Copy, Debug)]
struct Publish {
    call: u32,
    gen: u32,
    waiting: u32,
    failed: bool,
}

#[derive(Clone, Debug)]
pub struct LogRt {
    pub partitions: Vec<Partition>,
    pub group: Group,
    pub books: Books,
    buffer: Option<ReorderBuffer>,
    store: Option<DedupStore>,
    /// The edge to the consumer.
    pub edge: u32,
    acks: Acks,
    retries: u32,
    max_in_flight: u32,
    idempotent: bool,
    produce: Sampler,
    produce_error_rate: f64,
    ack_loss_rate: f64,
    retry_backoff_us: u64,
    types: Vec<TypeSpec>,
    commit: Commit,
    auto_commit_us: u64,
    session_us: u64,
    rebalance_us: u64,
    hold_us: Option<u64>,
    on_hold: HoldTimeout,
    max_redeliveries: u32,
    replicas: u32,
    replication_us: u64,
    /// Produce-request times; error rolls apart, so an error rate leaves the times alone.
    rng: SimRng,
    err_rng: SimRng,
    publishes: BTreeMap<u32, Publish>,
    next_publish: u32,
    timers: BTreeMap<u32, Timer>,
    next_timer: u32,
    /// The last sequence number per entity (events without a type list).
    seqs: BTreeMap<u64, u32>,
    next_event: u64,
    started: bool,
    /// The log crashed: its group rebalances when it is back.
    restarting: bool,
    /// Records sent to the consumer (every attempt).
    pub deliveries: u64,
    /// Records skipped as already processed (store or sequence check).
    pub deduplicated: u64,
    /// Records whose hold timeout expired.
    pub hold_expired: u64,
    /// Publish to first processing, per event (from the database commit
    /// when the events record a database's writes).
    pub end_to_end: Metrics,
    /// The database writes the events record (`source`); `None` costs one branch.
    pub source: Option<Box<SourceRt>>,
    /// Keep every record from offset 0 (a `replay_log` is on the timeline).
    pub retain: bool,
    /// The replays' comparisons, in order.
    pub replays: Vec<replay::Replay>,
}

impl LogRt {
    pub fn new(cfg: &LogConfig, edge: u32, rng: SimRng, err_rng: SimRng) -> LogRt {
        let types = cfg
            .events
            .iter()
            .map(|t| TypeSpec {
                key: t.key,
                requires: t
                    .requires
                    .as_ref()
                    .and_then(|r| cfg.events.iter().position(|o| &o.name == r))
                    .map(|i| i as u16),
            })
            .collect();
        LogRt {
            partitions: vec![Partition::default(); cfg.partitions.max(1) as usize],
            group: Group::new(cfg.partitions.max(1), cfg.consumers),
            books: Books::default(),
            buffer: cfg.hold_timeout_ms.map(|_| ReorderBuffer::default()),
            store: (cfg.consumer == ConsumerMode::Idempotent).then(|| DedupStore::new(cfg.dedup_capacity)),
            edge,
            acks: cfg.acks,
            retries: cfg.retries,
            max_in_flight: cfg.max_in_flight.max(1),
            idempotent: cfg.idempotent,
            produce: cfg.produce_time.sampler(),
            produce_error_rate: cfg.produce_error_rate,
            ack_loss_rate: cfg.ack_loss_rate,
            retry_backoff_us: cfg.retry_backoff_ms.saturating_mul(1_000),
            types,
            commit: cfg.commit,
            auto_commit_us: cfg.auto_commit_interval_ms.saturating_mul(1_000).max(1_000),
            session_us: cfg.session_timeout_ms.saturating_mul(1_000).max(1_000),
            rebalance_us: cfg.rebalance_ms.saturating_mul(1_000),
            hold_us: cfg.hold_timeout_ms.map(|h| h.saturating_mul(1_000)),
            on_hold: cfg.on_hold_timeout,
            max_redeliveries: cfg.max_redeliveries,
            replicas: cfg.replicas.max(1),
            replication_us: cfg.replication_ms.saturating_mul(1_000),
            rng,
            err_rng,
            publishes: BTreeMap::new(),
            next_publish: 0,
            timers: BTreeMap::new(),
            next_timer: 0,
            seqs: BTreeMap::new(),
            next_event: 0,
            started: false,
            restarting: false,
            deliveries: 0,
            deduplicated: 0,
            hold_expired: 0,
            end_to_end: Metrics::default(),
            source: None,
            retain: false,
            replays: Vec::new(),
        }
    }

    fn type_of(&self, etype: u16) -> Option<TypeSpec> {
        self.types.get(usize::from(etype)).copied()
    }

    /// Consumer lag per partition: end offset minus committed offset.
    pub fn lag(&self) -> Vec<u64> {
        self.partitions.iter().zip(&self.group.cursors).map(|(p, c)| p.end().saturating_sub(c.committed)).collect()
    }

    /// The deliveries out in the current generation.
    pub fn delivering(&self) -> u32 {
        self.group.out.iter().filter(|d| d.generation == self.group.generation).count() as u32
    }

    /// Records in the reorder buffer.
    pub fn held(&self) -> u32 {
        self.buffer.as_ref().map_or(0, ReorderBuffer::held)
    }

    /// Records appended out of order within their partition (an entity's
    /// event after a later one of the same entity).
    pub fn append_reorders(&self) -> u64 {
        self.partitions.iter().map(|p| p.reordered).sum()
    }

    /// The books, recounted: every event without an outcome is at the
    /// producer or in the log at or past its partition's committed offset
    /// (so the group will still deliver it), and the counters agree with
    /// the events' flags. Linear in the log; for tests.
    pub fn audit(&self) -> Result<(), String> {
        self.books.audit()?;
        let mut present = std::collections::BTreeSet::new();
        for (p, c) in self.partitions.iter().zip(&self.group.cursors) {
            present.extend(p.at_producer());
            present.extend(p.records().filter(|r| r.offset >= c.committed).map(|r| r.ev.id));
        }
        if let Some(e) = self.books.open_events().find(|e| !present.contains(e)) {
            return Err(format!("log: event {e} has no outcome, yet is neither at the producer nor uncommitted"));
        }
        Ok(())
    }

    /// A crash: deliveries out can no longer be answered, and the group
    /// rebalances once the log is back. With one replica every record and
    /// offset is kept (the disk); with more, a follower takes over and
    /// what the leader had not replicated at `now_us` is gone: lost if the
    /// producer was told it was sent, retried if it is still waiting.
    pub fn crash(&mut self, now_us: u64) {
        if self.replicas > 1 {
            for part in &mut self.partitions {
                for id in part.truncate_unreplicated(now_us) {
                    if part.holds(id) {
                        continue;
                    }
                    self.books.unappended(id);
                    if self.books.is_acked(id) {
                        self.books.lose(id);
                    } else if !part.at_producer_has(id) {
                        self.books.give_up(id);
                    }
                }
            }
        }
        self.group.out.clear();
        self.group.busy.iter_mut().for_each(|b| *b = false);
        self.restarting = true;
    }
}

fn log_mut(sim: &mut Sim, node: usize) -> Option<&mut LogRt> {
    match &mut sim.nodes[node].behaviour {
        Behaviour::Log(l) => Some(l),
        _ => None,
    }
}

/// Sets timer `t` to fire `after_us` from now. Not inlined: one call site
/// of the event queue's `schedule` for the whole kind keeps the engine's
/// hot paths compiled as they were.
#[inline(never)]
fn set_timer(sim: &mut Sim, node: usize, after_us: u64, t: Timer) {
    let at = sim.now().plus(after_us);
    let Some(l) = log_mut(sim, node) else { return };
    let token = l.next_timer;
    l.next_timer = l.next_timer.wrapping_add(1);
    l.timers.insert(token, t);
    sim.queue.schedule(at, Event::LogTimer { node: node as u32, token });
}

/// A publish arrives: its events go to the producer, each to its key's
/// partition, and the call waits for their acknowledgements.
#[inline(never)] // off the hot path of designs without a log
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    let now = sim.now().0;
    let c = sim.calls.at(idx);
    let (request, op, key, gen) = (c.request, c.op, c.key, c.gen);
    let Some(l) = log_mut(sim, node) else { return };
    // A dual write's publish: the event dates from its write's commit.
    let born = match &mut l.source {
        Some(src) if !src.outbox => src.pending.remove(&request).map_or(now, |p| p.committed_us),
        _ => now,
    };
    let first = start(l);
    let (publish, touched) = l.publish_events(request, op, key, born);
    let acks0 = l.acks == Acks::Zero;
    if !acks0 {
        let waiting = touched.1;
        l.publishes.insert(publish, Publish { call: idx, gen, waiting, failed: false });
    }
    if first {
        start_timers(sim, node);
    }
    if acks0 {
        sim.refuse(node, idx, Outcome::Ok);
    } else {
        sim.nodes[node].add_in_flight(1);
        sim.calls.at_mut(idx).phase = Phase::Working;
    }
    for p in touched.0 {
        pump_producer(sim, node, p);
    }
}

/// Marks the log started; true the first time (its timers are then set).
fn start(l: &mut LogRt) -> bool {
    let first = !l.started;
    l.started = true;
    first
}

/// The group's timers, and the outbox relay's, from the first event on.
fn start_timers(sim: &mut Sim, node: usize) {
    let Some(l) = log_mut(sim, node) else { return };
    let (commit, auto, session) = (l.commit, l.auto_commit_us, l.session_us);
    let relay = l.source.as_ref().filter(|s| s.outbox).map(|s| s.relay_us);
    set_timer(sim, node, (session / 3).max(1), Timer::Heartbeat);
    if commit == Commit::Auto {
        set_timer(sim, node, auto, Timer::AutoCommit);
    }
    if let Some(relay) = relay {
        set_timer(sim, node, relay, Timer::Relay);
    }
}

impl LogRt {
    /// Hands the events of one publish (request `request`, born at
    /// `born_us`) to the producer: the publish's number, the partitions
    /// touched and how many events.
    fn publish_events(&mut self, request: u64, op: u16, key: u64, born_us: u64) -> (u32, (Vec<u16>, u32)) {
        let publish = self.next_publish;
        self.next_publish = self.next_publish.wrapping_add(1);
        let count = self.types.len().max(1);
        let mut touched = Vec::with_capacity(count);
        for t in 0..count {
            let (entity, seq, pkey) = match self.types.get(t) {
                None => {
                    let s = self.seqs.entry(key).or_insert(0);
                    *s += 1;
                    (key, *s, key)
                }
                Some(spec) => {
                    let pkey = match spec.key {
                        EventKey::Entity => request,
                        EventKey::Own => crate::rng::mix64(request ^ ((t as u64 + 1) << 56)),
                        EventKey::RequestKey => key,
                    };
                    (request, t as u32 + 1, pkey)
                }
            };
            let id = self.next_event;
            self.next_event += 1;
            self.books.publish(id);
            if self.acks == Acks::Zero {
                self.books.ack(id);
            }
            let p = producer::partition_of(pkey, self.partitions.len() as u32);
            let ev = LogEvent { id, entity, seq, etype: t as u16, op, key, publish, born_us };
            self.partitions[usize::from(p)].enqueue(ev);
            if !touched.contains(&p) {
                touched.push(p);
            }
        }
        (publish, (touched, count as u32))
    }

    /// Events that should have been and never will be (a dual write's
    /// write whose publish never came): counted published and lost, so the
    /// books still balance.
    fn lose_unpublished(&mut self) {
        let count = self.types.len().max(1);
        for _ in 0..count {
            let id = self.next_event;
            self.next_event += 1;
            self.books.publish(id);
            self.books.lose(id);
        }
        if let Some(src) = &mut self.source {
            src.unpublished += count as u64;
        }
    }
}

/// Gives every log with a `source` its database and the edges whose writes
/// are its events (into the database from services that also call the
/// log); returns the (database, log) pairs the database's commits go to.
pub(crate) fn link_sources(
    scenario: &crate::scenario::Scenario,
    nodes: &mut [crate::sim::NodeRt],
    index: &std::collections::HashMap<&str, u32>,
) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    for (i, n) in scenario.nodes.iter().enumerate() {
        let crate::scenario::NodeKind::Log(cfg) = &n.kind else { continue };
        let replayed = scenario
            .faults
            .iter()
            .any(|f| matches!(&f.action, crate::scenario::FaultAction::ReplayLog { node } if *node == n.id));
        if let Behaviour::Log(l) = &mut nodes[i].behaviour {
            l.retain = replayed;
        }
        let Some(src) = &cfg.source else { continue };
        let Some(&db) = index.get(src.database.as_str()) else { continue };
        let services: Vec<&str> = scenario
            .nodes
            .iter()
            .filter(|s| matches!(s.kind, crate::scenario::NodeKind::Service(_)))
            .map(|s| s.id.as_str())
            .filter(|s| src.outbox || scenario.edges.iter().any(|e| e.from == *s && e.to == n.id))
            .collect();
        let writer_edges = scenario
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.to == src.database && services.contains(&e.from.as_str()))
            .map(|(k, _)| k as u32)
            .collect();
        let relay_us = src.relay_interval_ms.saturating_mul(1_000);
        if let Behaviour::Log(l) = &mut nodes[i].behaviour {
            l.source = Some(Box::new(SourceRt::new((db, src.database.clone()), writer_edges, src.outbox, relay_us)));
        }
        pairs.push((db, i as u32));
    }
    pairs
}

/// A `replay_log`: rebuilds the consumer's state from offset 0 and
/// compares it with the live one (see `replay`).
#[inline(never)]
pub(crate) fn replay(sim: &mut Sim, node: usize) {
    let now = sim.now().0;
    let Some(l) = log_mut(sim, node) else { return };
    let mut unsettled = std::collections::BTreeSet::new();
    let mut rebuilt: BTreeMap<u64, u32> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    let idempotent = l.store.is_some();
    let mut records = 0;
    for (p, c) in l.partitions.iter().zip(&l.group.cursors) {
        unsettled.extend(p.producer_entities());
        for r in p.records() {
            if r.offset >= c.committed && !c.is_handled(r.offset) {
                unsettled.insert(r.ev.entity);
            }
            records += 1;
            if !idempotent || seen.insert(r.ev.id) {
                *rebuilt.entry(r.ev.entity).or_insert(0) += 1;
            }
        }
    }
    unsettled.extend(l.group.out.iter().map(|d| d.record.ev.entity));
    let mut out = replay::Replay {
        at_ms: now / 1_000,
        from_offset_0: l.partitions.iter().all(|p| p.base() == 0),
        records,
        compared: 0,
        differ: 0,
        live_effects: 0,
        rebuilt_effects: 0,
    };
    let live: BTreeMap<u64, u32> = l.books.live_effects().collect();
    let entities: std::collections::BTreeSet<u64> = live.keys().chain(rebuilt.keys()).copied().collect();
    for e in entities.into_iter().filter(|e| !unsettled.contains(e)) {
        let (a, b) = (live.get(&e).copied().unwrap_or(0), rebuilt.get(&e).copied().unwrap_or(0));
        out.compared += 1;
        out.differ += u64::from(a != b);
        out.live_effects += u64::from(a);
        out.rebuilt_effects += u64::from(b);
    }
    l.replays.push(out);
}

/// Database `db` committed call `idx`: if it is a producing service's write
/// for a log fed by `db`, the event it owes is now pending (dual write), a
/// row in the outbox, or lost at once (its caller gave up on it already).
#[inline(never)] // off the hot path: only designs with a write source get here
pub(crate) fn committed(sim: &mut Sim, db: usize, idx: u32) {
    let now = sim.now().0;
    let c = sim.calls.at(idx);
    let (request, op, key, edge, parent, abandoned) = (c.request, c.op, c.key, c.edge, c.parent, c.abandoned);
    if !sim.is_write(op) {
        return;
    }
    let parent_gen =
        (parent < QUEUE_PARENT).then(|| sim.calls.at(parent)).filter(|p| p.phase == Phase::Working).map(|p| p.gen);
    for i in 0..sim.log_sources.len() {
        let (src_db, node) = sim.log_sources[i];
        if src_db as usize != db {
            continue;
        }
        let node = node as usize;
        let Some(l) = log_mut(sim, node) else { continue };
        let Some(src) = &mut l.source else { continue };
        if !src.writer_edges.contains(&edge) {
            continue;
        }
        src.committed += 1;
        if src.outbox {
            src.rows.push(Row { request, op, key, committed_us: now });
            if start(l) {
                start_timers(sim, node);
            }
        } else if abandoned || parent_gen.is_none() {
            l.lose_unpublished();
        } else if let Some(parent_gen) = parent_gen {
            src.pending.insert(request, Pending { parent, parent_gen, committed_us: now });
        }
    }
}

/// Dual write: the pending writes whose service call is over (crashed,
/// failed or timed out) with no publish on its way to the log are lost.
fn sweep_unpublished(sim: &mut Sim, node: usize) {
    let Behaviour::Log(l) = &sim.nodes[node].behaviour else { return };
    let Some(src) = &l.source else { return };
    if src.outbox || src.pending.is_empty() {
        return;
    }
    let over: Vec<u64> = src
        .pending
        .iter()
        .filter(|(_, p)| sim.calls.get(p.parent, p.parent_gen).is_none_or(|c| c.phase != Phase::Working))
        .map(|(&r, _)| r)
        .collect();
    if over.is_empty() {
        return;
    }
    // Publishes still on the wire to the log will arrive.
    let on_wire: std::collections::BTreeSet<u64> = sim
        .calls
        .live_indices()
        .into_iter()
        .map(|i| sim.calls.at(i))
        .filter(|c| sim.edges[c.edge as usize].to as usize == node && c.phase == Phase::Requesting && !c.lost)
        .map(|c| c.request)
        .collect();
    let Some(l) = log_mut(sim, node) else { return };
    for r in over.into_iter().filter(|r| !on_wire.contains(r)) {
        if let Some(src) = &mut l.source {
            src.pending.remove(&r);
        }
        l.lose_unpublished();
    }
}

/// A node crashed: every dual-write log looks for the writes it orphaned.
#[inline(never)]
pub(crate) fn node_crashed(sim: &mut Sim) {
    for i in 0..sim.log_sources.len() {
        let node = sim.log_sources[i].1 as usize;
        sweep_unpublished(sim, node);
    }
}

/// The outbox relay's poll: while the database is up, every row goes to
/// the producer.
fn relay(sim: &mut Sim, node: usize) {
    let now = sim.now().0;
    let Some(l) = log_mut(sim, node) else { return };
    let Some(src) = &mut l.source else { return };
    let every = src.relay_us;
    let db = src.database as usize;
    set_timer(sim, node, every, Timer::Relay);
    if sim.nodes[db].down || sim.nodes[db].paused {
        return;
    }
    let Some(l) = log_mut(sim, node) else { return };
    let rows = l.source.as_mut().map(|s| std::mem::take(&mut s.rows)).unwrap_or_default();
    let mut touched: Vec<u16> = Vec::new();
    for r in &rows {
        let (_, (parts, _)) = l.publish_events(r.request, r.op, r.key, r.committed_us);
        for p in parts {
            if !touched.contains(&p) {
                touched.push(p);
            }
        }
    }
    if let Some(src) = &mut l.source {
        src.relayed += rows.len() as u64;
        for r in &rows {
            src.relay_wait.complete(Outcome::Ok, now.saturating_sub(r.committed_us));
        }
    }
    for p in touched {
        pump_producer(sim, node, p);
    }
}

/// Sends what the partition's producer may send now.
fn pump_producer(sim: &mut Sim, node: usize, p: u16) {
    let now = sim.now().0;
    loop {
        let Some(l) = log_mut(sim, node) else { return };
        let Some(event) = l.partitions[usize::from(p)].next_send(l.max_in_flight) else { return };
        let t = l.produce.sample(&mut l.rng);
        let after = l.partitions[usize::from(p)].arrival(now, t) - now;
        set_timer(sim, node, after, Timer::Produce { partition: p, event });
    }
}

/// The event's publish learns it was acknowledged or failed; the call is
/// answered when all its events are.
fn settle_publish(sim: &mut Sim, node: usize, publish: u32, ok: bool) {
    let Some(l) = log_mut(sim, node) else { return };
    let Some(pb) = l.publishes.get_mut(&publish) else { return };
    pb.waiting -= 1;
    pb.failed |= !ok;
    if pb.waiting > 0 {
        return;
    }
    let pb = l.publishes.remove(&publish).expect("present");
    let still_here = sim.calls.get(pb.call, pb.gen).is_some_and(|c| {
        c.phase == Phase::Working && sim.edges[c.edge as usize].to as usize == node && c.parent != QUEUE_PARENT
    });
    if still_here {
        let outcome = if pb.failed { Outcome::Failed(FailReason::ErrorStatus) } else { Outcome::Ok };
        sim.finish(node, pb.call, outcome);
    }
}

/// A produce request reaches its end: appended and acknowledged, or failed
/// (before the append, refused out of sequence, or appended with its
/// answer lost), then retried or given up.
fn produce_done(sim: &mut Sim, node: usize, p: u16, event: u64) {
    let now = sim.now().0;
    let n = &sim.nodes[node];
    let (down, fault_rate) = (n.down, n.error_rate);
    let Some(l) = log_mut(sim, node) else { return };
    let part = usize::from(p);
    let p_err = 1.0 - (1.0 - l.produce_error_rate) * (1.0 - fault_rate);
    let mut failed = down || (p_err > 0.0 && unit_open(&mut l.err_rng) < p_err);
    let mut answer_lost = false;
    if !failed {
        answer_lost = l.ack_loss_rate > 0.0 && unit_open(&mut l.err_rng) < l.ack_loss_rate;
        let replicated = if l.replicas > 1 { now.saturating_add(l.replication_us) } else { now };
        match l.partitions[part].receive(event, l.idempotent, replicated) {
            Some(Append::Appended) => l.books.appended(event),
            Some(Append::Duplicate) => {}
            Some(Append::OutOfSequence) => failed = true,
            None => return,
        }
    }
    if !failed && !answer_lost && l.acks == Acks::All && l.replicas > 1 {
        // Acknowledged once the followers have it, if the leader lasts.
        let (after, epoch) = (l.replication_us, l.partitions[part].epoch);
        set_timer(sim, node, after, Timer::Replicated { partition: p, event, epoch });
    } else if !failed && !answer_lost {
        if let Some(ev) = l.partitions[part].acked(event) {
            l.books.ack(event);
            settle_publish(sim, node, ev.publish, true);
        }
    } else if l.acks == Acks::Zero {
        // Fire and forget: never retried; lost unless a copy got in.
        l.partitions[part].acked(event);
        if !l.books.is_appended(event) {
            l.books.lose(event);
        }
    } else {
        produce_failed(sim, node, p, event);
    }
    pump_producer(sim, node, p);
    pump_consumers(sim, node);
}

/// A produce request failed: retried after the backoff, or given up.
fn produce_failed(sim: &mut Sim, node: usize, p: u16, event: u64) {
    let Some(l) = log_mut(sim, node) else { return };
    match l.partitions[usize::from(p)].failed(event, l.retries, l.idempotent) {
        Some(Failed::Retry) => {
            let backoff = l.retry_backoff_us;
            set_timer(sim, node, backoff, Timer::Retry { partition: p, event });
        }
        Some(Failed::GiveUp(ev)) => {
            l.books.give_up(event);
            settle_publish(sim, node, ev.publish, false);
        }
        None => {}
    }
}

/// Delivers to every idle instance what it may process next.
fn pump_consumers(sim: &mut Sim, node: usize) {
    if sim.nodes[node].down {
        return;
    }
    let instances = match log_mut(sim, node) {
        Some(l) if l.group.state == GroupState::Running => l.group.instances,
        _ => return,
    };
    for i in 0..instances {
        deliver_next(sim, node, i);
    }
}

/// What the instance takes next: a ready record, or the next fetched one.
fn take_next(l: &mut LogRt, instance: u32, now: u64) -> Option<(u16, Ready)> {
    for p in l.group.rotation(instance) {
        let c = &mut l.group.cursors[usize::from(p)];
        if let Some(r) = c.ready.pop_front() {
            return Some((p, r));
        }
        let part = &l.partitions[usize::from(p)];
        if c.position >= part.high_watermark(now) {
            continue;
        }
        if let Some(record) = part.record(c.position) {
            c.position += 1;
            return Some((p, Ready { record, attempts: 0, forced: false }));
        }
    }
    None
}

/// The instance's next record, through the consumer's checks, to the consumer.
fn deliver_next(sim: &mut Sim, node: usize, instance: u32) {
    let now = sim.now().0;
    loop {
        let Some(l) = log_mut(sim, node) else { return };
        if l.group.busy[instance as usize] || l.group.state != GroupState::Running {
            return;
        }
        let Some((p, r)) = take_next(l, instance, now) else { return };
        let ev = r.record.ev;
        let cursor = usize::from(p);
        if l.store.as_ref().is_some_and(|s| s.contains(ev.id)) {
            l.deduplicated += 1;
            l.group.cursors[cursor].handle(r.record.offset);
            continue;
        }
        if let (Some(b), false) = (&mut l.buffer, r.forced) {
            match b.judge(ev.entity, ev.seq) {
                Verdict::Process => {}
                Verdict::Hold => {
                    if b.hold(Held { partition: p, record: r.record }) {
                        let (hold, generation) = (l.hold_us.unwrap_or(0), l.group.generation);
                        let t = Timer::HoldExpired { entity: ev.entity, seq: ev.seq, generation };
                        set_timer(sim, node, hold, t);
                    } else {
                        l.group.cursors[cursor].handle(r.record.offset);
                    }
                    continue;
                }
                Verdict::Late if l.books.is_done(ev.id) => {
                    l.deduplicated += 1;
                    l.group.cursors[cursor].handle(r.record.offset);
                    continue;
                }
                Verdict::Late if l.on_hold == HoldTimeout::DeadLetter => {
                    l.books.dead_letter(ev.id);
                    l.group.cursors[cursor].handle(r.record.offset);
                    continue;
                }
                Verdict::Late => {}
            }
        }
        l.group.busy[instance as usize] = true;
        l.deliveries += 1;
        let generation = l.group.generation;
        l.group.out.push(Delivery {
            record: r.record,
            partition: p,
            instance,
            sent_us: now,
            attempts: r.attempts,
            forced: r.forced,
            generation,
        });
        let edge = l.edge;
        let attempt = (r.attempts + 1).min(255) as u8;
        let req = Req { request: ev.id, op: ev.op, key: ev.key, hops: 1, attempt, deadline: u64::MAX, started_us: now };
        sim.send(req, QUEUE_PARENT, edge);
        return;
    }
}

/// The consumer answered a delivery: processed (its side effect applied,
/// unless its idempotent check found the event), or failed.
#[inline(never)] // off the hot path of designs without a log
pub(crate) fn delivery_answered(sim: &mut Sim, node: usize, outcome: Outcome, req: Req) {
    let now = sim.now().0;
    let Some(l) = log_mut(sim, node) else { return };
    let Some(d) = l.group.take(req.request, req.started_us) else { return };
    let ev = d.record.ev;
    let current = d.generation == l.group.generation && l.group.state == GroupState::Running;
    let cursor = usize::from(d.partition);
    if outcome.is_success() {
        if l.store.as_ref().is_some_and(|s| s.contains(ev.id)) {
            l.deduplicated += 1;
        } else {
            let requires = l.type_of(ev.etype).and_then(|t| t.requires);
            let first = !l.books.is_done(ev.id);
            l.books.apply(ev.id, ev.entity, ev.seq, ev.etype, requires);
            if first {
                l.end_to_end.complete(Outcome::Ok, now.saturating_sub(ev.born_us));
            }
            if let Some(s) = &mut l.store {
                s.insert(ev.id);
            }
        }
        let released = l.buffer.as_mut().and_then(|b| b.advance(ev.entity, ev.seq));
        if current {
            l.group.cursors[cursor].handle(d.record.offset);
            if l.commit == Commit::AfterProcessing {
                l.group.cursors[cursor].commit();
            }
            l.group.busy[d.instance as usize] = false;
            if let Some(h) = released {
                l.group.cursors[usize::from(h.partition)].ready.push_front(Ready {
                    record: h.record,
                    attempts: 0,
                    forced: false,
                });
            }
        }
    } else if current {
        let refused = outcome == Outcome::Failed(FailReason::Refused);
        l.group.member_lost |= refused;
        let attempts = if refused { d.attempts } else { d.attempts + 1 };
        if attempts > l.max_redeliveries {
            l.books.dead_letter(ev.id);
            l.group.cursors[cursor].handle(d.record.offset);
            l.group.busy[d.instance as usize] = false;
            if let Some(h) = l.buffer.as_mut().and_then(|b| b.advance(ev.entity, ev.seq)) {
                let ready = Ready { record: h.record, attempts: 0, forced: false };
                l.group.cursors[usize::from(h.partition)].ready.push_front(ready);
            }
        } else {
            let ready = Ready { record: d.record, attempts, forced: d.forced };
            l.group.cursors[cursor].ready.push_front(ready);
            let (backoff, generation) = (l.retry_backoff_us, l.group.generation);
            set_timer(sim, node, backoff, Timer::ConsumerRetry { instance: d.instance, generation });
        }
    }
    pump_consumers(sim, node);
}

/// A rebalance starts (the consumer rejoined, or was dropped: `evicted`).
fn rebalance(sim: &mut Sim, node: usize, evicted: bool) {
    let Some(l) = log_mut(sim, node) else { return };
    l.group.rebalance(evicted);
    if let Some(b) = &mut l.buffer {
        b.drop_held();
    }
    if !evicted {
        let (after, generation) = (l.rebalance_us, l.group.generation);
        set_timer(sim, node, after, Timer::RebalanceDone { generation });
    }
}

/// The group coordinator's look at its consumer: a consumer unreachable
/// (down or paused) past the session timeout is dropped; one that crashed,
/// or was dropped, rejoins when it is back. Either way the group rebalances.
fn heartbeat(sim: &mut Sim, node: usize) {
    let now = sim.now().0;
    let Some(l) = log_mut(sim, node) else { return };
    let (period, edge) = ((l.session_us / 3).max(1), l.edge);
    let to = sim.edges[edge as usize].to as usize;
    set_timer(sim, node, period, Timer::Heartbeat);
    if sim.nodes[node].down {
        return;
    }
    let (down, paused) = (sim.nodes[to].down, sim.nodes[to].paused);
    let Some(l) = log_mut(sim, node) else { return };
    if down {
        l.group.member_lost = true;
    }
    if !down && !paused {
        l.group.unreachable_since = None;
        if l.group.state == GroupState::Evicted || l.group.member_lost {
            l.group.member_lost = false;
            rebalance(sim, node, false);
        }
        return;
    }
    let since = *l.group.unreachable_since.get_or_insert(now);
    if now.saturating_sub(since) >= l.session_us && l.group.state != GroupState::Evicted {
        rebalance(sim, node, true);
    }
}

/// A log timer fired.
#[inline(never)] // off the hot path of designs without a log
pub(crate) fn timer(sim: &mut Sim, node: usize, token: u32) {
    let now = sim.now().0;
    let Some(l) = log_mut(sim, node) else { return };
    let Some(t) = l.timers.remove(&token) else { return };
    match t {
        Timer::Produce { partition, event } => produce_done(sim, node, partition, event),
        Timer::Retry { partition, event } => {
            if l.partitions[usize::from(partition)].resend(event) {
                let t = l.produce.sample(&mut l.rng);
                let after = l.partitions[usize::from(partition)].arrival(now, t) - now;
                set_timer(sim, node, after, Timer::Produce { partition, event });
            }
        }
        Timer::Replicated { partition, event, epoch } => {
            let part = &mut l.partitions[usize::from(partition)];
            if part.epoch == epoch {
                if let Some(ev) = part.acked(event) {
                    l.books.ack(event);
                    settle_publish(sim, node, ev.publish, true);
                }
            } else {
                // The leader changed first: the append may be gone.
                produce_failed(sim, node, partition, event);
            }
            pump_producer(sim, node, partition);
            pump_consumers(sim, node);
        }
        Timer::Heartbeat => {
            sweep_unpublished(sim, node);
            heartbeat(sim, node);
        }
        Timer::Relay => relay(sim, node),
        Timer::AutoCommit => {
            let (every, running, edge) = (l.auto_commit_us, l.group.state == GroupState::Running, l.edge);
            let to = sim.edges[edge as usize].to as usize;
            let alive = !sim.nodes[node].down && !sim.nodes[to].down && !sim.nodes[to].paused;
            set_timer(sim, node, every, Timer::AutoCommit);
            if alive && running {
                let Some(l) = log_mut(sim, node) else { return };
                l.group.commit_all();
                if !l.retain {
                    for (p, c) in l.partitions.iter_mut().zip(&l.group.cursors) {
                        p.trim_before(c.committed);
                    }
                }
            }
        }
        Timer::RebalanceDone { generation } => {
            if generation == l.group.generation && l.group.state == GroupState::Rebalancing {
                l.group.state = GroupState::Running;
                pump_consumers(sim, node);
            }
        }
        Timer::ConsumerRetry { instance, generation } => {
            if generation == l.group.generation {
                l.group.busy[instance as usize] = false;
                pump_consumers(sim, node);
            }
        }
        Timer::HoldExpired { entity, seq, generation } => {
            if generation != l.group.generation {
                return;
            }
            let Some(h) = l.buffer.as_mut().and_then(|b| b.expire(entity, seq)) else { return };
            l.hold_expired += 1;
            let cursor = usize::from(h.partition);
            match l.on_hold {
                HoldTimeout::Process => {
                    l.group.cursors[cursor].ready.push_back(Ready { record: h.record, attempts: 0, forced: true });
                }
                HoldTimeout::DeadLetter => {
                    l.books.dead_letter(h.record.ev.id);
                    l.group.cursors[cursor].handle(h.record.offset);
                    if let Some(next) = l.buffer.as_mut().and_then(|b| b.advance(entity, seq)) {
                        let ready = Ready { record: next.record, attempts: 0, forced: false };
                        l.group.cursors[usize::from(next.partition)].ready.push_front(ready);
                    }
                }
            }
            pump_consumers(sim, node);
        }
    }
}

/// The log is up again after a crash or pause: after a crash its group
/// rebalances; either way consumption resumes.
#[inline(never)] // off the hot path of designs without a log
pub(crate) fn resumed(sim: &mut Sim, node: usize) {
    if sim.nodes[node].down || sim.nodes[node].paused {
        return;
    }
    let Some(l) = log_mut(sim, node) else { return };
    if l.restarting {
        l.restarting = false;
        rebalance(sim, node, false);
    }
    pump_consumers(sim, node);
}

impl LogRt {
    /// Lag and deliveries on the log's card.
    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        let lag = self.lag();
        v.queue_depth = lag.iter().sum::<u64>().min(u64::from(u32::MAX)) as u32;
        v.busy = self.delivering();
        v.capacity = self.group.instances;
        v.live.in_flight = self.books.in_flight();
        v.log = Some(crate::view::LogView {
            lag: lag.iter().map(|&x| x.min(u64::from(u32::MAX)) as u32).collect(),
            published: self.books.published,
            processed: self.books.processed,
            duplicates_processed: self.books.duplicates_processed,
            order_violations: self.books.order_violations,
            phantom_deductions: self.books.phantom_deductions,
            lost: self.books.lost,
            rebalancing: self.group.state != GroupState::Running,
            rebalances: self.group.rebalances,
            assignment: (0..self.partitions.len() as u32).map(|p| self.group.owner(p)).collect(),
            unpublished: self.source.as_ref().map_or(0, |s| s.unpublished),
            outbox_waiting: self.source.as_ref().filter(|s| s.outbox).map_or(0, |s| s.waiting()),
        });
    }

    /// The log's books in the run report.
    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        let lag = self.lag();
        r.log = Some(crate::report::LogReport {
            published: self.books.published,
            delivered: self.deliveries,
            processed: self.books.processed,
            duplicates_processed: self.books.duplicates_processed,
            order_violations: self.books.order_violations,
            phantom_deductions: self.books.phantom_deductions,
            lost: self.books.lost,
            rejected: self.books.rejected,
            dead_lettered: self.books.dead_lettered,
            in_flight: self.books.in_flight(),
            lag: lag.iter().sum(),
            partition_lag: lag,
            append_reorders: self.append_reorders(),
            deduplicated: self.deduplicated,
            hold_expired: self.hold_expired,
            rebalances: self.group.rebalances,
            end_to_end_ms: crate::report::Latency::of(&self.end_to_end),
            replays: self.replays.clone(),
            source: self.source.as_ref().map(|s| crate::report::WriteSourceReport {
                database: s.database_id.clone(),
                outbox: s.outbox,
                committed: s.committed,
                unpublished: s.unpublished,
                relayed: s.relayed,
                waiting: s.waiting(),
            }),
        });
    }
}
