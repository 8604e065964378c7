//! Failures by cause over time (`faultline_sim::causes`) and where failures
//! are counted: each window's causes sum exactly to its failed count, over
//! the run to the run's failures by cause; a preset's causes change with its
//! fix the way its narrative says; and a partitioned link's own series
//! carries the failures of the calls it stops, when and as its caller sees them.

use faultline_sim::causes::CausePoint;
use faultline_sim::metrics::Metrics;
use faultline_sim::report::Failures;
use faultline_sim::scenario::{Fault, FaultAction};
use faultline_sim::{FailReason, Scenario, Sim};
use proptest::prelude::*;

fn load(name: &str) -> Scenario {
    let path = format!("{}/../../assets/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Each cause point's counts sum to the `failed` of its window, every
/// window with a failure has its point, and the points plus the open window
/// add up to the metrics' failures by cause.
fn check_metrics(what: &str, m: &Metrics) -> Result<(), TestCaseError> {
    let causes: Vec<CausePoint> = m.cause_series().iter().copied().collect();
    let failing: Vec<_> = m.series().filter(|p| p.failed > 0).collect();
    prop_assert_eq!(causes.len(), failing.len(), "{}: a point per failing window", what);
    for (c, p) in causes.iter().zip(&failing) {
        prop_assert_eq!((c.t_ms, c.total()), (p.t_ms, p.failed), "{}", what);
    }
    let mut sum = m.open_window_causes().map(u64::from);
    for c in &causes {
        sum.iter_mut().zip(c.counts).for_each(|(s, n)| *s += u64::from(n));
    }
    prop_assert_eq!(sum, m.failed, "{}: over the run", what);
    Ok(())
}

fn by_cause(f: &Failures) -> [u64; FailReason::COUNT] {
    f.by_cause().map(|c| c.1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Over presets that fail in different ways (timeouts, rejections,
    /// short circuits, a partition, 5xx) and random seeds: every node's,
    /// link's and the whole system's windows, and the whole system's total
    /// against the run summary's failures by cause.
    #[test]
    fn causes_sum_to_the_failed_counts(preset in 0usize..6, seed in any::<u64>()) {
        let name = ["cascade-before", "cascade-after", "retry-storm-before", "retry-storm-after",
            "noisy-neighbour-before", "idempotency-before"][preset];
        let mut s = load(name);
        s.seed = seed;
        s.duration_ms = s.duration_ms.min(60_000);
        let mut sim = Sim::new(&s).unwrap();
        sim.run();
        check_metrics("system", sim.overall_metrics())?;
        for i in 0..s.nodes.len() {
            check_metrics(&s.nodes[i].id, sim.node_metrics(i))?;
        }
        for i in 0..s.edges.len() {
            check_metrics(&format!("{} -> {}", s.edges[i].from, s.edges[i].to), sim.edge_metrics(i))?;
        }
        let summary = sim.run_summary();
        prop_assert_eq!(by_cause(&summary.requests.failed), sim.overall_metrics().failed);
    }
}

/// The windows' causes of `m`, summed over `[from_ms, to_ms)` window ends.
fn causes_between(m: &Metrics, from_ms: u64, to_ms: u64) -> [u64; FailReason::COUNT] {
    let mut sum = [0u64; FailReason::COUNT];
    for c in m.cause_series().iter().filter(|c| c.t_ms > from_ms && c.t_ms <= to_ms) {
        sum.iter_mut().zip(c.counts).for_each(|(s, n)| *s += u64::from(n));
    }
    sum
}

fn cause(sum: &[u64; FailReason::COUNT], r: FailReason) -> u64 {
    sum[r as usize]
}

/// The cascade: before the fix A's workers all wait on the slow B (no
/// timeout), its queue fills and the users are turned away (503, rejected);
/// after it, A -> B times out until the breaker opens at about 10.3 s, then
/// short-circuits, and the users see A's 500 for the orders. As the
/// narrative and `faultline run` say.
#[test]
fn the_cascade_turns_rejections_into_timeouts_then_short_circuits() {
    let mut before = Sim::new(&load("cascade-before")).unwrap();
    before.run();
    let users = causes_between(before.overall_metrics(), 10_000, 40_000);
    let total: u64 = users.iter().sum();
    eprintln!("before, at the users from 10 s: {users:?}");
    assert!(total > 1_000, "{users:?}");
    assert_eq!(cause(&users, FailReason::Rejected), total, "A's full queue turns them away");
    assert_eq!(causes_between(before.overall_metrics(), 0, 10_000), [0; 8], "nothing fails before B slows");

    let mut after = Sim::new(&load("cascade-after")).unwrap();
    after.run();
    let link = after.edge_metrics(1);
    let early = causes_between(link, 10_000, 11_000);
    let late = causes_between(link, 11_000, 40_000);
    eprintln!("after, on A -> B: 10-11 s {early:?}, 11-40 s {late:?}");
    assert!(cause(&early, FailReason::Timeout) > 0, "{early:?}");
    assert!(cause(&late, FailReason::ShortCircuited) > 1_000, "{late:?}");
    assert_eq!(cause(&late, FailReason::Timeout), 0, "open from about 10.3 s: {late:?}");
    let users = causes_between(after.overall_metrics(), 10_000, 40_000);
    assert_eq!(cause(&users, FailReason::ErrorStatus), users.iter().sum::<u64>(), "{users:?}");
    assert_eq!(by_cause(&after.report().edges[1].failed), link.failed);
}

/// The retry storm: during the cut (20 s to 50 s) every attempt times out,
/// before and after the fix. Before it, the clients keep failing after the
/// heal, and the cause changes: B's queue is full (rejected) of work whose
/// callers have given up, and what it takes in waits past the timeout.
/// After it, nothing fails once B has caught up.
#[test]
fn the_retry_storm_times_out_during_the_cut_and_only_before_the_fix_after_it() {
    for (name, storm) in [("retry-storm-before", true), ("retry-storm-after", false)] {
        let mut sim = Sim::new(&load(name)).unwrap();
        sim.run();
        let m = sim.node_metrics(0);
        let cut = causes_between(m, 21_000, 50_000);
        assert!(cause(&cut, FailReason::Timeout) > 10_000, "{name}: {cut:?}");
        assert_eq!(cut.iter().sum::<u64>(), cause(&cut, FailReason::Timeout), "{name}: {cut:?}");
        let healed = causes_between(m, 60_000, 90_000);
        eprintln!("{name}: cut {cut:?}, from 60 s {healed:?}");
        if storm {
            assert!(cause(&healed, FailReason::Rejected) > 10_000, "{name}: {healed:?}");
            assert!(cause(&healed, FailReason::Timeout) > 5_000, "{name}: {healed:?}");
        } else {
            assert_eq!(healed.iter().sum::<u64>(), 0, "{name}: {healed:?}");
        }
    }
}

/// A client and a service with one link between them, cut from 5 s to 15 s.
fn partitioned(timeout_ms: Option<f64>, cut: bool) -> Sim {
    let mut s = load("retry-storm-before");
    s.duration_ms = 25_000;
    s.edges[0].retry = None;
    s.edges[0].timeout_ms = timeout_ms;
    s.faults.clear();
    if cut {
        let action = FaultAction::Partition { id: None, a: vec!["clients".into()], b: vec!["b".into()] };
        s.faults.push(Fault { at_ms: 5_000, duration_ms: Some(10_000), action });
    }
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    sim
}

/// The calls a partition stops are counted on the link, as the caller sees
/// them: timeouts, in the window its timeout fires, with its latency. So the
/// link's failures window by window are exactly the client's (one link, no
/// retry): nothing is attributed anywhere else.
#[test]
fn a_partitioned_link_counts_the_calls_it_stops_as_its_caller_does() {
    let sim = partitioned(Some(1_000.0), true);
    let (client, link) = (sim.node_metrics(0), sim.edge_metrics(0));
    assert_eq!(client.series().len(), link.series().len());
    for (c, l) in client.series().zip(link.series()) {
        assert_eq!((c.t_ms, c.failed, c.ok), (l.t_ms, l.failed, l.ok), "{c:?} {l:?}");
        if (7_000..=15_000).contains(&c.t_ms) {
            assert!(l.failed > 600 && l.ok == 0, "cut: every call times out {l:?}");
            // The failures' latency is the caller's: its 1 s timeout.
            assert!((1_000_000..=1_010_000).contains(&l.fail_p50_us), "{l:?}");
        }
    }
    assert_eq!(client.cause_series(), link.cause_series());
    let cut = causes_between(link, 5_000, 16_000);
    assert_eq!(cut.iter().sum::<u64>(), cause(&cut, FailReason::Timeout), "{cut:?}");
    // Without a timeout the caller never gives up: the calls stay in flight
    // on the link (and at the client), none failed.
    let forever = partitioned(None, true);
    let l = forever.edge_metrics(0);
    assert_eq!(l.failed_total(), 0);
    let at_15 = l.series().find(|p| p.t_ms == 15_000).unwrap();
    assert!(at_15.in_flight > 6_000, "{at_15:?}");
    assert_eq!(forever.node_metrics(0).series().nth(14).unwrap().in_flight, at_15.in_flight);
}

/// With no fault, the link's and the client's books are the same and
/// nothing fails.
#[test]
fn without_a_fault_nothing_fails_on_the_link() {
    let sim = partitioned(Some(1_000.0), false);
    assert_eq!(sim.edge_metrics(0).failed_total(), 0);
    assert!(sim.edge_metrics(0).cause_series().is_empty());
    assert_eq!(sim.edge_metrics(0).ok, sim.node_metrics(0).ok);
}
