//! Common random numbers: every random stream belongs to an owner (by its
//! stable id, never its list position) and a purpose, so an edit to one part
//! of a design leaves the draws of every other part as they were. A
//! before/after pair then sees the same traffic, and the difference between
//! their results is the design's, not luck's.

mod common;

#[allow(unused_imports)]
use common::mmc as _;
use common::node;
use faultline_sim::journal::Draw;
use faultline_sim::scenario::*;
use faultline_sim::{slice_scenario, Sim};

/// Runs `s` recording its draws.
fn draws(s: &Scenario) -> Vec<Draw> {
    let mut sim = Sim::new(s).unwrap();
    sim.record_draws(true);
    sim.run();
    sim.draws().to_vec()
}

/// Every arrival: (time, operation, key).
fn arrivals(d: &[Draw]) -> Vec<(u64, u16, u64)> {
    d.iter()
        .filter_map(|d| match *d {
            Draw::Arrival { at_us, op, key, .. } => Some((at_us, op, key)),
            _ => None,
        })
        .collect()
}

/// The work times drawn at node `node`, in the order they were drawn.
fn work_times(d: &[Draw], node: usize) -> Vec<u64> {
    d.iter()
        .filter_map(|d| match *d {
            Draw::Work { node: n, work_us, .. } if n as usize == node => Some(work_us),
            _ => None,
        })
        .collect()
}

/// The slice with a read/write mix and Zipf keys, for 20 s.
fn slice() -> Scenario {
    let mut s = slice_scenario();
    s.duration_ms = 20_000;
    s.workloads[0].ops = vec![
        Operation {
            name: "read".into(),
            method: Method::Get,
            weight: 4.0,
            idempotency_key: false,
            scatter: false,
            followers: None,
        },
        Operation {
            name: "write".into(),
            method: Method::Put,
            weight: 1.0,
            idempotency_key: false,
            scatter: false,
            followers: None,
        },
    ];
    s.workloads[0].keys = Keys::Zipf { count: 10_000, s: 1.0 };
    s
}

fn service_mut<'a>(s: &'a mut Scenario, id: &str) -> &'a mut ServiceConfig {
    match &mut s.nodes.iter_mut().find(|n| n.id == id).unwrap().kind {
        NodeKind::Service(cfg) => cfg,
        _ => panic!("{id} is not a service"),
    }
}

#[test]
fn an_error_rate_leaves_arrivals_keys_and_service_times_unchanged() {
    let before = slice();
    let mut after = slice();
    service_mut(&mut after, "api").error_rate = 0.2;
    let (a, b) = (draws(&before), draws(&after));
    assert!(arrivals(&a).len() > 7_000);
    assert!(arrivals(&a) == arrivals(&b), "the same workload must produce the same requests");
    let api = before.node_index("api").unwrap();
    let (wa, wb) = (work_times(&a, api), work_times(&b, api));
    assert_eq!(wa.len(), wb.len());
    assert!(wa == wb, "the API's service times must not depend on its error rolls");
    // The database does see fewer calls: a fifth of them end at the API.
    let db = before.node_index("db").unwrap();
    assert!(work_times(&b, db).len() < work_times(&a, db).len() * 9 / 10);
}

#[test]
fn changing_the_mix_or_the_keys_leaves_arrival_times_unchanged() {
    // One operation and uniform keys, then a second operation, then Zipf
    // keys over a million (whose sampler may draw more than once per key).
    let mut base = slice();
    base.workloads[0].ops.truncate(1);
    base.workloads[0].keys = Keys::Uniform { count: 50 };
    let mut mix = base.clone();
    mix.workloads[0].ops = slice().workloads[0].ops.clone();
    let mut keys = base.clone();
    keys.workloads[0].keys = Keys::Zipf { count: 1_000_000, s: 1.0 };
    let times = |d: &[Draw]| arrivals(d).iter().map(|a| a.0).collect::<Vec<_>>();
    let ops = |d: &[Draw]| arrivals(d).iter().map(|a| a.1).collect::<Vec<_>>();
    let (a, m, k) = (draws(&base), draws(&mix), draws(&keys));
    assert!(times(&a) == times(&m), "the mix has a stream of its own");
    assert!(ops(&a) != ops(&m), "the mix did change");
    assert!(times(&a) == times(&k), "the keys have a stream of their own");
    assert!(ops(&a) == ops(&k), "the keys have a stream of their own");
}

/// Two independent chains in one design: users -> b, shoppers -> c.
fn two_chains(with_b: bool) -> Scenario {
    let mut s = slice_scenario();
    s.duration_ms = 10_000;
    let svc = || NodeKind::Service(ServiceConfig::default());
    s.nodes = vec![node("u", NodeKind::Client(ClientConfig {}))];
    s.edges = vec![];
    s.workloads = vec![];
    if with_b {
        s.nodes.push(node("b", svc()));
        s.edges.push(Edge::new("u", "b"));
        s.workloads.push(Workload { id: "users".into(), target: "b".into(), ..slice_scenario().workloads[0].clone() });
        s.workloads[0].client = "u".into();
    }
    s.nodes.push(node("shop", NodeKind::Client(ClientConfig {})));
    s.nodes.push(node("c", svc()));
    s.edges.push(Edge::new("shop", "c"));
    s.workloads.push(Workload {
        id: "shoppers".into(),
        client: "shop".into(),
        target: "c".into(),
        ..slice_scenario().workloads[0].clone()
    });
    s
}

#[test]
fn deleting_a_node_leaves_another_nodes_draws_unchanged() {
    let (with, without) = (two_chains(true), two_chains(false));
    let (a, b) = (draws(&with), draws(&without));
    let c_with = with.node_index("c").unwrap();
    let c_without = without.node_index("c").unwrap();
    assert_ne!(c_with, c_without, "the test must move c in the node list");
    let (wa, wb) = (work_times(&a, c_with), work_times(&b, c_without));
    assert!(wb.len() > 3_000);
    assert!(wa == wb, "c's service times must not depend on b's existence");
    let shoppers =
        |d: &[Draw], w: u32| d.iter().filter(|x| matches!(x, Draw::Arrival { workload, .. } if *workload == w)).count();
    assert_eq!(shoppers(&a, 1), shoppers(&b, 0));
}

#[test]
fn recording_draws_does_not_change_the_run() {
    let s = slice();
    let mut plain = Sim::new(&s).unwrap();
    plain.run();
    let mut recorded = Sim::new(&s).unwrap();
    recorded.record_draws(true);
    recorded.run();
    assert_eq!(plain.trace_hash(), recorded.trace_hash());
    assert!(!recorded.draws().is_empty());
    assert!(plain.draws().is_empty());
}
