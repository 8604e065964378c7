//! Compare mode: two designs on the same traffic. The claims the compare
//! view makes are checked here: the same client draws the same arrivals
//! whatever is behind it, each side equals a separate run of its document
//! (what `faultline run` prints), the cascade's fix shows per operation, and
//! a fault B cannot take is listed, not dropped.

use faultline_live::compare::{compare, rows, Verdict};
use faultline_live::{Command, Live, Report};
use faultline_sim::journal::Draw;
use faultline_sim::scenario::{FaultAction, NodeKind};
use faultline_sim::{slice_scenario, Scenario, Sim};

fn shipped(name: &str) -> Scenario {
    let path = format!("{}/../../assets/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Every arrival of a run at its clients: (workload, time, operation, key).
fn arrivals(s: &Scenario) -> Vec<(u32, u64, u16, u64)> {
    let mut sim = Sim::new(s).unwrap();
    sim.record_draws(true);
    sim.run();
    sim.draws()
        .iter()
        .filter_map(|d| match *d {
            Draw::Arrival { workload, at_us, op, key } => Some((workload, at_us, op, key)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_same_client_sees_exactly_the_same_arrivals_whatever_is_behind_it() {
    // The cascade's before and after: the same client, a breaker and a
    // timeout added behind it (and B slowed down tenfold at 10 s in both).
    let (before, after) = (shipped("cascade-before"), shipped("cascade-after"));
    let arrivals_before = arrivals(&before);
    assert!(arrivals_before.len() > 7_000, "{} arrivals", arrivals_before.len());
    assert_eq!(arrivals_before, arrivals(&after));

    // A different back end altogether: the slice's client in front of a
    // service with a tenth of the workers and no database behind it.
    let a = slice_scenario();
    let mut b = a.clone();
    let target = b.workloads[0].target.clone();
    b.edges.retain(|e| e.from != target);
    for n in &mut b.nodes {
        if n.id == target {
            if let NodeKind::Service(cfg) = &mut n.kind {
                cfg.workers = (cfg.workers / 10).max(1);
                cfg.calls.clear();
            }
        }
    }
    let dependents: Vec<String> = a.edges.iter().filter(|e| e.from == target).map(|e| e.to.clone()).collect();
    b.nodes.retain(|n| !dependents.contains(&n.id));
    b.faults.clear();
    assert_ne!(a.nodes.len(), b.nodes.len(), "B really lacks A's back end");
    let (got_a, got_b) = (arrivals(&a), arrivals(&b));
    assert!(!got_a.is_empty());
    assert_eq!(got_a, got_b);
    // And the comparison runs them as such: B with A's seed.
    let mut reseeded = b.clone();
    reseeded.seed = a.seed.wrapping_add(1);
    let c = compare(&a, &reseeded);
    assert_eq!(c.b.unwrap().summary.requests.generated, c.a.unwrap().summary.requests.generated);
}

#[test]
fn each_side_equals_a_separate_run_and_the_cascade_fix_shows_per_operation() {
    let (before, after) = (shipped("cascade-before"), shipped("cascade-after"));
    let c = compare(&before, &after);
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    assert_eq!((c.seed, c.duration_ms), (11, 40_000));
    let (a, b) = (c.a.unwrap(), c.b.unwrap());
    for (side, doc) in [(&a, &before), (&b, &after)] {
        let mut sim = Sim::new(doc).unwrap();
        sim.run();
        assert_eq!(side.summary, sim.run_summary(), "{}: the compare equals a separate run", doc.name);
        assert_eq!(side.summary.trace_hash, sim.report().trace_hash, "and `faultline run`'s trace");
        assert_eq!(side.series.len(), 40, "a point a second");
        assert_eq!(side.ops.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["orders", "catalog"]);
    }
    let table = rows(&a.summary, &b.summary);
    let get = |k: &str| table.iter().find(|r| r.key == k).unwrap_or_else(|| panic!("no row {k}"));
    // Catalog never touches B: after the fix it is back to ~100% and ~10 ms
    // (A's 2 ms plus the links), while before it queued behind orders.
    let catalog = get("op-catalog-success");
    assert!(catalog.b.unwrap() > 0.999, "{catalog:?}");
    assert!(catalog.a.unwrap() < 0.9, "{catalog:?}");
    assert_eq!(catalog.verdict(), Verdict::Better);
    let p99 = get("op-catalog-p99");
    assert!(p99.b.unwrap() < 20.0 && p99.a.unwrap() > 200.0, "{p99:?}");
    assert_eq!(p99.verdict(), Verdict::Better);
    // Orders fail fast after the fix: the breaker refuses at once, and the
    // failed calls' p99 is under the 200 ms timeout.
    let orders = b.summary.ops.iter().find(|o| o.name == "orders").unwrap();
    assert!(orders.failed > 1_000, "{orders:?}");
    assert!(orders.failed_latency_ms.p99 <= 210.0, "{orders:?}");
    assert!(orders.failed_latency_ms.p50 < 5.0, "most are refused at once by the open breaker: {orders:?}");
    assert_eq!(get("success").verdict(), Verdict::Better);
}

#[test]
fn a_fault_b_cannot_take_is_listed_and_b_still_runs() {
    let a = shipped("cascade-before");
    let mut b = slice_scenario();
    b.name = "Slice".into();
    b.faults.clear();
    let c = compare(&a, &b);
    assert_eq!(c.skipped.len(), 1, "{:?}", c.skipped);
    assert!(matches!(&c.skipped[0].fault.action, FaultAction::SlowNode { node, .. } if node == "b"));
    assert!(!c.skipped[0].why.is_empty());
    let side = c.b.unwrap();
    assert_eq!(side.summary.sim_time_ms, 40_000.0, "B ran for A's duration");
    // B's own faults are not used: A's timeline is.
    let mut with_own = shipped("cascade-after");
    with_own.faults[0].at_ms = 30_000;
    with_own.seed = 99;
    let c = compare(&a, &with_own);
    let mut as_run = shipped("cascade-after");
    as_run.faults = a.faults.clone();
    let mut sim = Sim::new(&as_run).unwrap();
    sim.run();
    assert_eq!(c.b.unwrap().summary, sim.run_summary());
}

#[test]
fn a_side_that_cannot_run_says_why_and_the_other_still_runs() {
    let a = shipped("cascade-before");
    let mut b = a.clone();
    b.name = "Broken".into();
    b.edges[0].to = "nowhere".into();
    let c = compare(&a, &b);
    assert!(c.a.is_ok());
    let why = c.b.unwrap_err();
    assert!(why.starts_with("Broken cannot run"), "{why}");
}

#[test]
fn the_worker_answers_a_compare_and_leaves_the_live_run_alone() {
    let mut live = Live::new();
    let send = |live: &mut Live, cmd: Command| -> Vec<Report> {
        let cmd = Command::from_json(&cmd.to_json()).unwrap();
        live.handle(cmd, 0.0).into_iter().map(|r| Report::from_json(&r.to_json()).unwrap()).collect()
    };
    send(&mut live, Command::Load { rev: 1, doc: Box::new(slice_scenario()) });
    send(&mut live, Command::Step { ms: 700 });
    let (before_t, before_hash) = (live.sim().now(), live.sim().trace_hash());
    let (a, b) = (shipped("cascade-before"), shipped("cascade-after"));
    let r = send(&mut live, Command::Compare { id: 7, a: Box::new(a.clone()), b: Box::new(b.clone()) });
    let [Report::Compared { id: 7, comparison }] = &r[..] else { panic!("{r:?}") };
    assert_eq!(**comparison, compare(&a, &b), "the same numbers across the JSON boundary");
    assert_eq!((live.sim().now(), live.sim().trace_hash()), (before_t, before_hash), "the live run did not move");
}
