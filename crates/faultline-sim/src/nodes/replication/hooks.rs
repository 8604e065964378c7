//! What a database with replicas does at each step of a query and a fault:
//! the engine's side of `replication.rs` (routing a query to a member's
//! pool, applying a write or checking a read when it is served, killing the
//! primary, promoting a replica, and what the card and the report show).

use super::{Replication, Role, Route};
use crate::calls::{FailReason, Outcome, Phase, NO_PARENT, QUEUE_PARENT};
use crate::event::Event;
use crate::nodes::{Behaviour, DatabaseRt};
use crate::scenario::DatabaseConfig;
use crate::sim::Sim;
use crate::time::SimTime;

const REFUSED: Outcome = Outcome::Failed(FailReason::Refused);

fn replication(sim: &mut Sim, node: usize) -> &mut Replication {
    match &mut sim.nodes[node].behaviour {
        Behaviour::Database(DatabaseRt { replication: Some(r), .. }) => r,
        _ => unreachable!("a database with replicas"),
    }
}

/// The session a call serves: the node that sent the user request at the
/// root of its chain of parents (a client, or a queue for its deliveries).
fn session_of(sim: &Sim, idx: u32) -> u32 {
    let mut call = sim.calls.at(idx);
    // A chain is at most as deep as the design's calls (validation refuses
    // cycles); the bound only guards against a slot reused under an
    // abandoned call.
    for _ in 0..1_024 {
        if call.parent == NO_PARENT || call.parent == QUEUE_PARENT {
            break;
        }
        call = sim.calls.at(call.parent);
    }
    sim.edges[call.edge as usize].from
}

/// A query arrives: it goes to the member the routing picks, or is refused
/// when there is none (a write during a failover).
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    let now = sim.now().0;
    let call = sim.calls.at(idx);
    let (write, key) = (sim.is_write(call.op), call.key);
    let session = || session_of(sim, idx);
    let routing = replication_ref(sim, node).routing;
    // Only read-your-writes routing needs the session to route a read.
    let s = if !write && routing == crate::scenario::ReadRouting::ReadYourWrites { session() } else { 0 };
    match replication(sim, node).route(write, key, now, || s) {
        Route::To(member) => {
            sim.calls.at_mut(idx).shard = member;
            sim.admit(node, idx);
        }
        Route::Unavailable => sim.refuse(node, idx, REFUSED),
    }
}

fn replication_ref(sim: &Sim, node: usize) -> &Replication {
    match &sim.nodes[node].behaviour {
        Behaviour::Database(DatabaseRt { replication: Some(r), .. }) => r,
        _ => unreachable!("a database with replicas"),
    }
}

/// A query is served: a write on the primary is committed and sent on its
/// way to the replicas; a read is checked for staleness and, against its
/// session's own writes, for read-your-writes.
pub(crate) fn served(sim: &mut Sim, node: usize, idx: u32, op: u16) {
    let now = sim.now().0;
    let call = sim.calls.at(idx);
    let (member, key, arrived, abandoned) = (call.shard, call.key, call.arrived_at.0, call.abandoned);
    if sim.is_write(op) {
        let session = session_of(sim, idx);
        let Behaviour::Database(DatabaseRt { pools, saturation, replication: Some(r), .. }) =
            &mut sim.nodes[node].behaviour
        else {
            return;
        };
        // A replica's lag is stretched by its contention, as its queries are.
        let contention = |i: usize| {
            let u = pools[i].utilisation();
            1.0 + *saturation * u * u
        };
        if r.primary == Some(member) {
            r.write(key, session, now, contention);
        }
        return;
    }
    // An abandoned read's caller is gone: its session is not asked (its
    // chain of parents may have ended), and nobody sees what it read.
    let session = if abandoned { u32::MAX } else { session_of(sim, idx) };
    replication(sim, node).read(member, key, now, arrived, || session);
}

/// A `fail_primary` fault: the primary's queries fail, and the promotion
/// of a replica is due after detection and promotion.
pub(crate) fn fail_primary(sim: &mut Sim, node: usize) {
    let now = sim.now();
    let Some((dead, due)) = replication(sim, node).fail_primary(now.0) else { return };
    sim.nodes[node].account(now);
    for idx in sim.calls.live_indices() {
        let c = sim.calls.at(idx);
        let to = sim.edges[c.edge as usize].to as usize;
        if to == node && c.shard == dead && matches!(c.phase, Phase::Queued | Phase::Working) {
            sim.refuse_held(node, idx);
        }
    }
    if let Behaviour::Database(db) = &mut sim.nodes[node].behaviour {
        db.pools[usize::from(dead)].reset();
    }
    sim.nodes[node].sync_busy();
    sim.queue.schedule(SimTime(due), Event::Redeliver { node: node as u32 });
}

/// The failover's timer: a replica becomes the primary.
pub(crate) fn promote(sim: &mut Sim, node: usize) {
    if let Behaviour::Database(DatabaseRt { replication: Some(r), .. }) = &mut sim.nodes[node].behaviour {
        r.promote();
    }
}

/// The failed primary comes back (its fault ended, or the node was
/// restarted): it rejoins as a replica.
pub(crate) fn rejoin(sim: &mut Sim, node: usize) {
    if let Behaviour::Database(DatabaseRt { replication: Some(r), .. }) = &mut sim.nodes[node].behaviour {
        r.rejoin();
    }
}

/// Sets the lag `replica_lag` faults add to writes from now on.
pub(crate) fn set_extra_lag(sim: &mut Sim, node: usize, add_ms: f64) {
    if let Behaviour::Database(DatabaseRt { replication: Some(r), .. }) = &mut sim.nodes[node].behaviour {
        r.extra_lag_us = super::extra_lag_us(add_ms);
    }
}

/// The card: the primary's pool as its bar, and the members.
pub(crate) fn fill_view(db: &DatabaseRt, r: &Replication, v: &mut crate::view::NodeView) {
    let main = usize::from(r.primary.unwrap_or(0));
    db.pools[main].fill_view(v);
    v.replicas = Some(crate::view::ReplicasView {
        members: r
            .members
            .iter()
            .zip(&db.pools)
            .map(|(m, p)| crate::view::MemberPip {
                role: match m.role {
                    Role::Primary => "primary",
                    Role::Replica => "replica",
                    Role::Down => "down",
                }
                .into(),
                busy: p.utilisation() as f32,
            })
            .collect(),
        lag_p99_ms: r.lag_quantile_ms(0.99),
        stale_reads: r.stale_reads,
        ryw_violations: r.ryw_violations,
        lost_writes: r.lost_writes,
        failing_over: r.failing_over(),
    });
}

/// The report's `replication` entry.
pub(crate) fn report(r: &Replication, cfg: &DatabaseConfig) -> crate::report::ReplicationReport {
    crate::report::ReplicationReport {
        replicas: cfg.replicas,
        read_routing: match r.routing {
            crate::scenario::ReadRouting::Primary => "primary",
            crate::scenario::ReadRouting::AnyReplica => "any_replica",
            crate::scenario::ReadRouting::ReadYourWrites => "read_your_writes",
        },
        primary: r.primary,
        replicas_up: r.replicas_up() as u16,
        reads_primary: r.reads_primary,
        reads_replicas: r.reads_replicas,
        stale_reads: r.stale_reads,
        stale_reads_by_member: r.members.iter().map(|m| m.stale_reads).collect(),
        reads_by_member: r.members.iter().map(|m| m.reads).collect(),
        ryw_violations: r.ryw_violations,
        lost_writes: r.lost_writes,
        failovers: r.failovers,
        writes_refused: r.writes_refused,
        lag_mean_ms: r.lag_mean_ms(),
        lag_p99_ms: r.lag_quantile_ms(0.99),
        overflowed: r.overflowed,
    }
}
