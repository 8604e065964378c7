//! Structural edits: add, connect, delete, duplicate, move.
//!
//! Each takes the current document and returns the next one, validated by the
//! engine, or the reason it was refused. Connecting two nodes also wires what
//! the connection means for the caller's kind (a service calls the target, a
//! client sends it a workload), so a freshly drawn arrow carries traffic.

use faultline_sim::catalogue::default_kind;
use faultline_sim::scenario::{Arrival, DownstreamCall, Edge, Fault, FaultAction, Keys, Node, NodeKind, Workload};
use faultline_sim::Scenario;
use std::collections::{HashMap, HashSet};

/// Canvas grid that moved and added nodes snap to, in pixels.
pub const GRID: f64 = 20.0;
/// Rate a new client connection starts with.
pub const NEW_WORKLOAD_RPS: f64 = 100.0;

pub fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

fn checked(doc: Scenario) -> Result<Scenario, String> {
    doc.validate_draft().map_err(|e| e.to_string())?;
    Ok(doc)
}

/// A fresh id like `service-3` that no node (or workload) uses yet.
pub fn fresh_id(doc: &Scenario, base: &str) -> String {
    let taken: HashSet<&str> = doc.nodes.iter().map(|n| n.id.as_str()).collect();
    (1..).map(|k| format!("{base}-{k}")).find(|id| !taken.contains(id.as_str())).expect("ids are unbounded")
}

/// Adds a node of `kind` (as in the scenario document) centred at (x, y).
/// Returns the next document and the new node's index.
pub fn add_node(doc: &Scenario, kind: &str, x: f64, y: f64) -> Result<(Scenario, usize), String> {
    let Some(node_kind) = default_kind(kind) else {
        return Err(format!("Unknown node kind \"{kind}\"."));
    };
    let mut next = doc.clone();
    let base = kind.replace('_', "-");
    let id = fresh_id(doc, &base);
    next.nodes.push(Node {
        id,
        name: String::new(),
        region: None,
        zone: None,
        x: snap(x),
        y: snap(y),
        kind: node_kind,
    });
    let index = next.nodes.len() - 1;
    Ok((checked(next)?, index))
}

/// Why `from -> to` cannot be a connection, before asking the engine.
fn connection_refusal(doc: &Scenario, from: usize, to: usize) -> Option<String> {
    let (a, b) = (&doc.nodes[from], &doc.nodes[to]);
    if from == to {
        return Some(format!("{} cannot call itself.", a.display_name()));
    }
    if doc.edges.iter().any(|e| e.from == a.id && e.to == b.id) {
        return Some(format!("{} already calls {}.", a.display_name(), b.display_name()));
    }
    if matches!(b.kind, NodeKind::Client(_)) {
        return Some(format!("{} is a client: clients send traffic, nothing calls them.", b.display_name()));
    }
    if matches!(a.kind, NodeKind::Database(_)) {
        return Some(format!("{} is a database: it answers calls and makes none.", a.display_name()));
    }
    if matches!(a.kind, NodeKind::Store(_)) {
        return Some(format!("{} is a store: it answers calls and makes none.", a.display_name()));
    }
    None
}

/// Connects `from` to `to`, wiring the call into the caller's configuration.
pub fn connect(doc: &Scenario, from: usize, to: usize) -> Result<Scenario, String> {
    if from >= doc.nodes.len() || to >= doc.nodes.len() {
        return Err("That node no longer exists.".into());
    }
    if let Some(reason) = connection_refusal(doc, from, to) {
        return Err(reason);
    }
    let mut next = doc.clone();
    let (a, b) = (next.nodes[from].id.clone(), next.nodes[to].id.clone());
    next.edges.push(Edge::new(&a, &b));
    match &mut next.nodes[from].kind {
        NodeKind::Service(s) => s.calls.push(DownstreamCall { to: b.clone(), ops: Vec::new() }),
        NodeKind::Client(_) => {
            let id = fresh_workload_id(&next, &a);
            next.workloads.push(Workload {
                id,
                client: a.clone(),
                target: b.clone(),
                arrival: Arrival::Poisson { rate_rps: NEW_WORKLOAD_RPS },
                ops: Vec::new(),
                keys: Keys::default(),
                deadline_ms: None,
                split_hot_keys: None,
            });
        }
        _ => {}
    }
    checked(next).map_err(|e| format!("{} -> {} refused: {e}", a, b))
}

fn fresh_workload_id(doc: &Scenario, client: &str) -> String {
    let taken: HashSet<&str> = doc.workloads.iter().map(|w| w.id.as_str()).collect();
    (1..).map(|k| format!("{client}-load-{k}")).find(|id| !taken.contains(id.as_str())).expect("ids are unbounded")
}

/// Whether `name` is one of `nodes`, or a member of one (a store's replica `<store>/<i>`).
fn named(nodes: &HashSet<String>, name: &str) -> bool {
    nodes.contains(name) || name.rsplit_once('/').is_some_and(|(store, _)| nodes.contains(store))
}

/// Whether a fault names any of `nodes` (by id) or an edge in `edges` (from, to).
fn fault_touches(
    f: &Fault,
    nodes: &HashSet<String>,
    edges: &HashSet<(String, String)>,
    loads: &HashSet<String>,
) -> bool {
    match &f.action {
        FaultAction::EdgeLatency { from, to, .. } | FaultAction::EdgeLoss { from, to, .. } => {
            edges.contains(&(from.clone(), to.clone()))
        }
        FaultAction::Spike { workload, .. } => loads.contains(workload),
        // The fields that name a node are listed once, by the engine
        // (`node_fields_mut`); an edit is rare enough for the copy.
        action => action.clone().node_fields_mut().into_iter().any(|n| named(nodes, n)),
    }
}

/// Deletes nodes and edges by index, with everything that refers to them
/// (their edges, calls, workloads and faults).
pub fn delete(doc: &Scenario, nodes: &[usize], edges: &[usize]) -> Result<Scenario, String> {
    let gone: HashSet<String> = nodes.iter().filter_map(|&i| doc.nodes.get(i)).map(|n| n.id.clone()).collect();
    let mut cut: HashSet<(String, String)> =
        edges.iter().filter_map(|&i| doc.edges.get(i)).map(|e| (e.from.clone(), e.to.clone())).collect();
    for e in &doc.edges {
        if gone.contains(&e.from) || gone.contains(&e.to) {
            cut.insert((e.from.clone(), e.to.clone()));
        }
    }
    let mut next = doc.clone();
    next.nodes.retain(|n| !gone.contains(&n.id));
    next.edges.retain(|e| !cut.contains(&(e.from.clone(), e.to.clone())));
    for n in &mut next.nodes {
        if let NodeKind::Service(s) = &mut n.kind {
            s.calls.retain(|c| !cut.contains(&(n.id.clone(), c.to.clone())));
            for b in &mut s.bulkheads {
                b.to.retain(|t| !cut.contains(&(n.id.clone(), t.clone())));
            }
            s.bulkheads.retain(|b| !b.to.is_empty());
        }
    }
    let loads: HashSet<String> = next
        .workloads
        .iter()
        .filter(|w| gone.contains(&w.client) || cut.contains(&(w.client.clone(), w.target.clone())))
        .map(|w| w.id.clone())
        .collect();
    next.workloads.retain(|w| !loads.contains(&w.id));
    next.faults.retain(|f| !fault_touches(f, &gone, &cut, &loads));
    checked(next)
}

/// Moves nodes by (dx, dy), snapping each to the grid.
pub fn move_nodes(doc: &Scenario, nodes: &[usize], dx: f64, dy: f64) -> Scenario {
    let mut next = doc.clone();
    for &i in nodes {
        if let Some(n) = next.nodes.get_mut(i) {
            n.x = snap(n.x + dx);
            n.y = snap(n.y + dy);
        }
    }
    next
}

/// Copies of `nodes` shifted by (dx, dy), with the edges among them, their
/// calls and their clients' workloads. Returns the next document and the
/// copies' indices.
pub fn duplicate(
    doc: &Scenario,
    nodes: &[Node],
    edges: &[Edge],
    dx: f64,
    dy: f64,
) -> Result<(Scenario, Vec<usize>), String> {
    let mut next = doc.clone();
    let mut renamed: HashMap<String, String> = HashMap::new();
    let first = next.nodes.len();
    for n in nodes {
        let base = n.id.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
        let base = if base.is_empty() { n.kind.name() } else { base };
        let id = fresh_id(&next, base);
        renamed.insert(n.id.clone(), id.clone());
        let mut copy = n.clone();
        copy.id = id;
        copy.name = String::new();
        copy.x = snap(n.x + dx);
        copy.y = snap(n.y + dy);
        next.nodes.push(copy);
    }
    for copy in &mut next.nodes[first..] {
        if let NodeKind::Service(s) = &mut copy.kind {
            // Calls follow the copied edges; calls leaving the copied set are dropped with their edges.
            s.calls.retain_mut(|c| match renamed.get(&c.to) {
                Some(to) => {
                    c.to = to.clone();
                    true
                }
                None => false,
            });
            for b in &mut s.bulkheads {
                b.to = b.to.iter().filter_map(|t| renamed.get(t).cloned()).collect();
            }
            s.bulkheads.retain(|b| !b.to.is_empty());
        }
    }
    for e in edges {
        if let (Some(from), Some(to)) = (renamed.get(&e.from), renamed.get(&e.to)) {
            let mut copy = e.clone();
            copy.from = from.clone();
            copy.to = to.clone();
            next.edges.push(copy);
        }
    }
    let loads: Vec<Workload> = doc
        .workloads
        .iter()
        .filter_map(|w| {
            let client = renamed.get(&w.client)?;
            let target = renamed.get(&w.target)?;
            Some(Workload { client: client.clone(), target: target.clone(), ..w.clone() })
        })
        .collect();
    for mut w in loads {
        w.id = fresh_workload_id(&next, &w.client);
        next.workloads.push(w);
    }
    let indices = (first..next.nodes.len()).collect();
    Ok((checked(next)?, indices))
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    fn idx(doc: &Scenario, id: &str) -> usize {
        doc.node_index(id).unwrap()
    }

    #[test]
    fn a_client_service_database_chain_built_from_nothing_runs() {
        let mut doc = slice_scenario();
        doc.nodes.clear();
        doc.edges.clear();
        doc.workloads.clear();
        let (doc, c) = add_node(&doc, "client", 0.0, 0.0).unwrap();
        let (doc, s) = add_node(&doc, "service", 260.0, 0.0).unwrap();
        let (doc, d) = add_node(&doc, "database", 520.0, 0.0).unwrap();
        let doc = connect(&doc, c, s).unwrap();
        let doc = connect(&doc, s, d).unwrap();
        assert_eq!(doc.workloads.len(), 1);
        let mut sim = faultline_sim::Sim::new(&doc).unwrap();
        sim.step_until(faultline_sim::SimTime::from_millis(2_000));
        let v = sim.view();
        assert!(v.ok > 100, "traffic flows through a drawn chain: {v:?}");
        assert!(v.nodes[d].live.throughput_rps > 0.0, "the service calls the database it was connected to");
    }

    #[test]
    fn invalid_connections_are_refused_with_a_reason() {
        let doc = slice_scenario();
        let (c, api, db) = (idx(&doc, "client"), idx(&doc, "api"), idx(&doc, "db"));
        assert!(connect(&doc, api, api).unwrap_err().contains("itself"));
        assert!(connect(&doc, api, db).unwrap_err().contains("already"));
        assert!(connect(&doc, api, c).unwrap_err().contains("client"));
        assert!(connect(&doc, db, api).unwrap_err().contains("database"));
        let (doc, s) = add_node(&doc, "service", 0.0, 400.0).unwrap();
        let doc = connect(&doc, api, s).unwrap();
        let err = connect(&doc, s, api).unwrap_err();
        assert!(err.contains("cycle") || err.contains("->"), "a call cycle is refused: {err}");
    }

    #[test]
    fn a_store_is_added_and_fed_and_deleting_it_takes_its_replicas_faults() {
        let doc = slice_scenario();
        let c = idx(&doc, "client");
        let (doc, kv) = add_node(&doc, "store", 400.0, 400.0).unwrap();
        let doc = connect(&doc, c, kv).unwrap();
        assert!(connect(&doc, kv, idx(&doc, "db")).unwrap_err().contains("store"), "a store calls no one");
        let id = doc.nodes[kv].id.clone();
        let mut doc = doc;
        doc.faults.push(Fault {
            at_ms: 1_000,
            duration_ms: None,
            action: FaultAction::Crash { node: format!("{id}/1") },
        });
        let next = delete(&doc, &[kv], &[]).unwrap();
        assert!(next.faults.is_empty(), "the replica's crash goes with the store: {:?}", next.faults);
    }

    #[test]
    fn deleting_a_node_takes_its_edges_calls_workloads_and_faults() {
        let mut doc = slice_scenario();
        doc.faults.push(Fault { at_ms: 1_000, duration_ms: None, action: FaultAction::Crash { node: "db".into() } });
        let next = delete(&doc, &[idx(&doc, "db")], &[]).unwrap();
        assert!(next.node_index("db").is_none());
        assert!(next.edges.iter().all(|e| e.to != "db"));
        assert!(next.faults.is_empty());
        let next = delete(&doc, &[idx(&doc, "client")], &[]).unwrap();
        assert!(next.workloads.is_empty());
        let next = delete(&doc, &[], &[1]).unwrap();
        match &next.nodes[idx(&next, "api")].kind {
            NodeKind::Service(s) => assert!(s.calls.is_empty(), "the call goes with its edge"),
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn moves_snap_and_duplicates_get_fresh_ids() {
        let doc = slice_scenario();
        let api = idx(&doc, "api");
        let moved = move_nodes(&doc, &[api], 13.0, -7.0);
        assert_eq!(moved.nodes[api].x % GRID, 0.0);
        let nodes = vec![doc.nodes[api].clone(), doc.nodes[idx(&doc, "db")].clone()];
        let (next, copies) = duplicate(&doc, &nodes, &doc.edges, 40.0, 40.0).unwrap();
        assert_eq!(copies.len(), 2);
        let ids: Vec<&str> = copies.iter().map(|&i| next.nodes[i].id.as_str()).collect();
        assert!(ids.iter().all(|id| doc.node_index(id).is_none()), "{ids:?}");
        assert!(next.edges.iter().any(|e| e.from == ids[0] && e.to == ids[1]), "the edge between copies is copied");
    }
}
