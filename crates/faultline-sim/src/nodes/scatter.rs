//! Scatter-gather on a sharded database: a query without a shard key (an
//! operation with `scatter: true`, such as "top 10 posts of the day" over
//! posts sharded by user) has to ask every shard, and can answer only when
//! the slowest shard has. Its latency is the maximum of the shards' (with N
//! shards of exponential query time 1/mu and no waiting, a mean of H_N/mu:
//! 2.08/mu at N = 4, 3.55/mu at N = 16), which is why a fan-out's tail
//! grows with the fan-out (J. Dean and L. A. Barroso, "The tail at scale",
//! CACM 2013).
//!
//! The scatter query itself waits at the database (`Phase::Gathering`,
//! holding no connection) while one *shard part* per shard queues and runs
//! on that shard's pool like any other query. A part is a call in the slab
//! whose parent is the scatter query and which is marked `shard_part`: it
//! never travels over an edge, so its answer (`Sim::respond`) comes here
//! instead of going on the wire. The first part that fails decides the
//! scatter query's failure (partial results are not modelled: a query that
//! must see every shard has no answer without one). The node's metrics count
//! the scatter query once, from its arrival to its last part's answer; its
//! in-flight count and each shard's load count every part.

use crate::calls::{Outcome, Phase};
use crate::sim::Sim;

/// The scatter query `idx` arrived at sharded database `node`: one part a
/// shard, each admitted to its shard's pool.
pub(crate) fn fan_out(sim: &mut Sim, node: usize, idx: u32) {
    let super::Behaviour::Database(db) = &mut sim.nodes[node].behaviour else { unreachable!("a database") };
    let shards = db.route_everywhere();
    split(sim, node, idx, shards, 0);
}

/// Splits query `idx` at database `node` into `parts` parts, part i on
/// shard (`base` + i) mod the shard count (0 unsharded), each admitted to
/// its pool; the query answers when the last has (`gathered`). The scatter
/// query's parts are one a shard; a fan-out's (`fanout.rs`) its batches.
pub(crate) fn split(sim: &mut Sim, node: usize, idx: u32, parts: u16, base: u16) {
    let super::Behaviour::Database(db) = &sim.nodes[node].behaviour else { unreachable!("a database") };
    let shards = u32::from(db.shard_count().max(1));
    let now = sim.now;
    let parent = sim.calls.at_mut(idx);
    parent.phase = Phase::Gathering;
    parent.pending = parts;
    parent.outcome = Outcome::Ok;
    let (req, edge) = (parent.req(), parent.edge);
    for i in 0..parts {
        let (part, _) = sim.calls.open(req, idx, edge, now);
        let c = sim.calls.at_mut(part);
        c.shard = ((u32::from(base) + u32::from(i)) % shards) as u16;
        c.shard_part = true;
        sim.admit(node, part);
    }
}

/// Shard part `part` answered `outcome`: it is over; when it was the last,
/// the scatter query answers its caller, failed if any part failed.
pub(crate) fn gathered(sim: &mut Sim, part: u32, outcome: Outcome) {
    let parent = sim.calls.at(part).parent;
    sim.calls.close(part);
    let p = sim.calls.at_mut(parent);
    if p.outcome.is_success() && !outcome.is_success() {
        p.outcome = outcome;
    }
    p.pending -= 1;
    if p.pending > 0 {
        return;
    }
    let (outcome, arrived, node) = (p.outcome, p.arrived_at, sim.edges[p.edge as usize].to as usize);
    let now = sim.now;
    sim.nodes[node].metrics.complete(outcome, now.since(arrived));
    sim.respond(parent, outcome);
}
