//! The fault timeline: each fault does what it says, is undone after its
//! duration, and injecting it live replays exactly like scheduling it.

use faultline_sim::scenario::{Fault, FaultAction};
use faultline_sim::{slice_scenario, FailReason, Scenario, Sim, SimTime};

fn slice(duration_ms: u64) -> Scenario {
    let mut s = slice_scenario();
    s.duration_ms = duration_ms;
    s
}

fn fault(at_ms: u64, duration_ms: Option<u64>, action: FaultAction) -> Fault {
    Fault { at_ms, duration_ms, action }
}

/// Successful and failed client requests completed in windows ending in (from, to] seconds.
fn window_counts(sim: &Sim, from_s: u64, to_s: u64) -> (u64, u64) {
    sim.node_metrics(0)
        .series()
        .filter(|p| p.t_ms > from_s * 1_000 && p.t_ms <= to_s * 1_000)
        .fold((0, 0), |(ok, failed), p| (ok + p.ok, failed + p.failed))
}

#[test]
fn a_crashed_database_fails_requests_until_it_restarts() {
    let mut s = slice(8_000);
    s.faults.push(fault(3_000, Some(2_000), FaultAction::Crash { node: "db".into() }));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let (ok_before, failed_before) = window_counts(&sim, 0, 3);
    let (ok_during, failed_during) = window_counts(&sim, 3, 5);
    let (ok_after, failed_after) = window_counts(&sim, 6, 8);
    assert_eq!(failed_before, 0);
    assert!(ok_during < 10 && failed_during > 700, "during: {ok_during} ok, {failed_during} failed");
    assert_eq!(failed_after, 0);
    assert!(ok_before > 1_100 && ok_after > 700);
    // The API reports the database's refusals as errors; the database refused them.
    let r = sim.report();
    assert!(r.nodes[2].failed.refused > 700);
    assert_eq!(r.requests.failed.total, r.requests.failed.error_status);
    assert!(sim.totals().balanced());
}

#[test]
fn a_partition_swallows_requests_and_callers_time_out() {
    let mut s = slice(6_000);
    s.edges[1].timeout_ms = Some(200.0);
    s.faults.push(fault(
        2_000,
        Some(2_000),
        FaultAction::Partition { id: None, a: vec!["api".into()], b: vec!["db".into()] },
    ));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let r = sim.report();
    let api_db = &r.edges[1];
    // A cut link is silence, not a polite error: the API's calls time out.
    // Its 8 workers each wait out a 200 ms timeout: 8 / 0.2 s x 2 s = 80 calls.
    assert!((75..=90).contains(&api_db.failed.timeout), "{:?}", api_db.failed);
    assert_eq!(api_db.failed.refused, 0);
    // Stuck workers back the queue up: the rest of the load is turned away (503).
    assert!(r.requests.failed.rejected > 600, "{:?}", r.requests.failed);
    assert_eq!(r.requests.failed.error_status, api_db.failed.timeout);
    let (_, failed_after) = window_counts(&sim, 5, 6);
    assert_eq!(failed_after, 0, "healed after 2 s");
    assert!(sim.totals().balanced());
}

#[test]
fn partitions_by_region_cut_only_cross_region_edges() {
    let mut s = slice(3_000);
    s.nodes[2].region = Some("eu".into());
    s.nodes[0].region = Some("us".into());
    s.nodes[1].region = Some("us".into());
    s.faults.push(fault(
        1_000,
        None,
        FaultAction::Partition { id: Some("atlantic".into()), a: vec!["us".into()], b: vec!["eu".into()] },
    ));
    s.faults.push(fault(2_000, None, FaultAction::Heal { id: Some("atlantic".into()) }));
    let mut sim = Sim::new(&s).unwrap();
    sim.step_until(SimTime::from_millis(1_500));
    assert_eq!(sim.edge(0).blocked, 0, "client -> api is inside us");
    assert_eq!(sim.edge(1).blocked, 1, "api -> db crosses the partition");
    sim.step_until(SimTime::from_millis(2_500));
    assert_eq!(sim.edge(1).blocked, 0);
}

#[test]
fn a_pause_holds_work_without_losing_it() {
    let mut s = slice(6_000);
    for e in &mut s.edges {
        e.timeout_ms = None;
    }
    if let faultline_sim::scenario::NodeKind::Service(api) = &mut s.nodes[1].kind {
        api.queue_capacity = 100_000;
    }
    s.faults.push(fault(2_000, Some(1_000), FaultAction::Pause { node: "db".into() }));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let r = sim.report();
    assert_eq!(r.requests.failed.total, 0, "nothing is lost in a pause");
    assert!(r.latency_ms.max >= 990.0, "a request waited through the pause: max {}", r.latency_ms.max);
    // While paused, the API's workers pile up waiting for the database.
    let api_peak = sim.node_metrics(1).series().map(|p| p.in_flight).max().unwrap();
    assert!(api_peak >= 8, "{api_peak}");
}

#[test]
fn a_spike_multiplies_the_arrival_rate_for_its_duration() {
    let mut s = slice(6_000);
    s.faults.push(fault(2_000, Some(2_000), FaultAction::Spike { workload: "users".into(), factor: 3.0 }));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let arrivals = |from: u64, to: u64| -> u64 {
        sim.node_metrics(0).series().filter(|p| p.t_ms > from && p.t_ms <= to).map(|p| p.arrivals).sum()
    };
    let before = arrivals(0, 2_000) as f64 / 2.0;
    let during = arrivals(2_000, 4_000) as f64 / 2.0;
    let after = arrivals(4_000, 6_000) as f64 / 2.0;
    assert!((during / before - 3.0).abs() < 0.3, "{before} -> {during}");
    assert!((after / before - 1.0).abs() < 0.15, "{before} -> {after}");
}

#[test]
fn added_edge_latency_shows_in_end_to_end_latency() {
    // Light load, so the extra latency does not also back the API up.
    let light = || {
        let mut s = slice(4_000);
        s.workloads[0].arrival = faultline_sim::scenario::Arrival::Poisson { rate_rps: 20.0 };
        s
    };
    let base = {
        let mut sim = Sim::new(&light()).unwrap();
        sim.run();
        sim.report().latency_ms.p50
    };
    let mut s = light();
    s.faults.push(fault(0, None, FaultAction::EdgeLatency { from: "api".into(), to: "db".into(), add_ms: 50.0 }));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let slowed = sim.report().latency_ms.p50;
    // Request and response each cross the edge once: +100 ms.
    assert!((slowed - base - 100.0).abs() < 5.0, "{base} -> {slowed}");
}

#[test]
fn slow_nodes_and_error_rates_apply_and_wear_off() {
    let mut s = slice(6_000);
    s.faults.push(fault(1_000, Some(2_000), FaultAction::NodeErrors { node: "api".into(), rate: 0.25 }));
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let (ok, failed) = window_counts(&sim, 1, 3);
    let share = failed as f64 / (ok + failed) as f64;
    assert!((share - 0.25).abs() < 0.04, "{share}");
    assert_eq!(window_counts(&sim, 4, 6).1, 0);
    assert_eq!(sim.report().requests.failed.error_status, sim.report().requests.failed.total);
}

#[test]
fn a_fault_injected_live_replays_exactly_from_the_timeline() {
    let mut live = Sim::new(&slice(5_000)).unwrap();
    live.step_until(SimTime::from_millis(1_733));
    live.inject(fault(0, Some(1_500), FaultAction::Crash { node: "api".into() })).unwrap();
    live.run();
    // The injected fault is on the timeline at the moment it was injected.
    let recorded = live.scenario().clone();
    assert_eq!(recorded.faults.len(), 1);
    assert_eq!(recorded.faults[0].at_ms, 1_734, "the next whole millisecond after now");
    let mut replay = Sim::new(&recorded).unwrap();
    replay.run();
    assert_eq!(replay.report().trace_hash, live.report().trace_hash);
    assert_eq!(replay.totals(), live.totals());
    assert!(live.totals().failed[FailReason::Refused as usize] > 0);
}

/// Stepping lands exactly on whole milliseconds, where periodic events (health
/// checks every second) have already run when the user injects: the fault
/// must still replay exactly, at every moment and into snapshots taken earlier.
#[test]
fn injections_on_a_millisecond_boundary_and_into_earlier_snapshots_replay_exactly() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/scenarios/three-tier.json"))
        .unwrap();
    let mut base = Scenario::from_json(&text).unwrap();
    base.faults.clear();
    base.duration_ms = 8_000;
    for at in [700, 1_000, 2_000, 3_000] {
        let mut live = Sim::new(&base).unwrap();
        live.step_until(SimTime::from_millis(500));
        let mut snapshot = live.clone();
        live.step_until(SimTime::from_millis(at));
        let node = live.scenario().nodes.iter().find(|n| n.id.starts_with("web")).unwrap().id.clone();
        live.inject(fault(0, Some(1_000), FaultAction::Crash { node })).unwrap();
        let f = live.scenario().faults[0].clone();
        assert_eq!(f.at_ms, at + 1);
        snapshot.inject(f).unwrap();
        live.run();
        snapshot.run();
        let mut replay = Sim::new(live.scenario()).unwrap();
        replay.run();
        assert_eq!(replay.trace_hash(), live.trace_hash(), "injected at {at} ms");
        assert_eq!(snapshot.trace_hash(), live.trace_hash(), "into a snapshot, at {at} ms");
        assert_eq!(replay.totals(), live.totals());
    }
}

#[test]
fn an_invalid_injection_is_refused_and_changes_nothing() {
    let mut sim = Sim::new(&slice(2_000)).unwrap();
    let err = sim.inject(fault(0, None, FaultAction::Crash { node: "nope".into() })).unwrap_err();
    assert!(err.to_string().contains("faults[0].action.node: no node with id \"nope\""), "{err}");
    assert!(sim.scenario().faults.is_empty());
}

#[test]
fn recent_movements_show_what_the_partition_does() {
    use faultline_sim::movements::Kind;
    let mut s = slice(3_000);
    s.edges[1].timeout_ms = Some(100.0);
    s.faults.push(fault(2_000, None, FaultAction::Partition { id: None, a: vec!["api".into()], b: vec!["db".into()] }));
    let mut sim = Sim::new(&s).unwrap();
    sim.step_until(SimTime::from_millis(1_900));
    let before: Vec<_> = sim.movements().since(1_800_000).copied().collect();
    assert!(before.iter().any(|m| m.edge == 1 && m.kind == Kind::Request && m.travel_us == 500));
    assert!(before.iter().any(|m| m.edge == 1 && m.kind == Kind::Ok));
    assert!(!before.iter().any(|m| m.kind == Kind::Lost));
    sim.run();
    let after: Vec<_> = sim.movements().since(2_200_000).copied().collect();
    assert!(after.iter().any(|m| m.edge == 1 && m.kind == Kind::Lost));
    assert!(after.iter().any(|m| m.edge == 1 && m.kind == Kind::Timeout));
    assert!(!after.iter().any(|m| m.edge == 1 && m.kind == Kind::Ok));
}

/// The page colours retries and short-circuited calls apart: the movement
/// ring must say which is which.
#[test]
fn movements_tell_retries_and_short_circuited_calls_apart() {
    use faultline_sim::movements::Kind;
    let load = |name: &str| {
        let path = format!("{}/../../assets/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let seen = |name: &str, until_ms: u64| {
        let mut sim = Sim::new(&load(name)).unwrap();
        let mut kinds = std::collections::HashSet::new();
        let mut t = 0;
        while t < until_ms {
            t += 100;
            sim.step_until(SimTime::from_millis(t));
            kinds.extend(sim.movements().since(0).map(|m| m.kind));
        }
        kinds
    };
    // Retries sent into the partition are lost; after the heal (50 s) they travel.
    let storm = seen("retry-storm-before", 55_000);
    assert!(storm.contains(&Kind::Retry), "{storm:?}");
    let fixed = seen("cascade-after", 15_000);
    assert!(fixed.contains(&Kind::ShortCircuited), "{fixed:?}");
    assert!(!seen("slice", 2_000).contains(&Kind::Retry), "no retry policy, no retries");
}

/// Runs `s` to each time (ms) in turn and reads `probe` there.
fn probe_at<T>(s: &Scenario, times_ms: &[u64], probe: impl Fn(&Sim) -> T) -> Vec<T> {
    let mut sim = Sim::new(s).unwrap();
    times_ms
        .iter()
        .map(|&t| {
            sim.step_until(SimTime::from_millis(t));
            probe(&sim)
        })
        .collect()
}

#[test]
fn overlapping_slow_downs_and_error_faults_stack_and_end_separately() {
    let mut s = slice(8_000);
    let slow = |f| FaultAction::SlowNode { node: "db".into(), factor: f };
    let errors = |r| FaultAction::NodeErrors { node: "api".into(), rate: r };
    s.faults = vec![
        fault(1_000, Some(2_000), slow(4.0)),
        fault(2_000, Some(3_000), slow(2.0)),
        fault(1_000, Some(2_000), errors(0.5)),
        fault(2_000, Some(3_000), errors(0.2)),
    ];
    let (db, api) = (s.node_index("db").unwrap(), s.node_index("api").unwrap());
    let got = probe_at(&s, &[1_500, 2_500, 3_500, 5_500], |sim| (sim.node(db).slow, sim.node(api).error_rate));
    assert_eq!(got[0], (4.0, 0.5));
    assert_eq!(got[1].0, 8.0);
    assert!((got[1].1 - 0.6).abs() < 1e-12, "{:?}", got[1]);
    // The first pair ended at 3 s; the second is still in force.
    assert_eq!(got[2].0, 2.0);
    assert!((got[2].1 - 0.2).abs() < 1e-12, "{:?}", got[2]);
    assert_eq!(got[3], (1.0, 0.0));
}

#[test]
fn overlapping_latency_and_loss_faults_stack_on_an_edge() {
    let mut s = slice(8_000);
    s.edges[1].loss = 0.1;
    let latency = |ms| FaultAction::EdgeLatency { from: "api".into(), to: "db".into(), add_ms: ms };
    let loss = |p| FaultAction::EdgeLoss { from: "api".into(), to: "db".into(), loss: p };
    s.faults = vec![
        fault(1_000, Some(2_000), latency(50.0)),
        fault(2_000, Some(3_000), latency(20.0)),
        fault(1_000, Some(2_000), loss(0.5)),
        fault(2_000, Some(3_000), loss(0.2)),
    ];
    let got = probe_at(&s, &[1_500, 2_500, 3_500, 5_500], |sim| (sim.edge(1).extra_latency_us, sim.edge(1).loss));
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert_eq!(got[0].0, 50_000);
    assert!(close(got[0].1, 1.0 - 0.9 * 0.5));
    assert_eq!(got[1].0, 70_000);
    assert!(close(got[1].1, 1.0 - 0.9 * 0.5 * 0.8));
    assert_eq!(got[2].0, 20_000, "the second latency fault is still in force");
    assert!(close(got[2].1, 1.0 - 0.9 * 0.8));
    assert_eq!(got[3].0, 0);
    assert!(close(got[3].1, 0.1), "back to the edge's own loss");
}

#[test]
fn overlapping_spikes_multiply_and_end_separately() {
    let mut s = slice(6_000);
    s.workloads[0].arrival = faultline_sim::scenario::Arrival::Constant { rate_rps: 100.0 };
    let spike = |f| FaultAction::Spike { workload: "users".into(), factor: f };
    s.faults = vec![fault(1_000, Some(2_000), spike(3.0)), fault(2_000, Some(3_000), spike(2.0))];
    let mut sim = Sim::new(&s).unwrap();
    sim.record_draws(true);
    sim.run();
    let arrivals = |from_ms: u64, to_ms: u64| {
        sim.draws()
            .iter()
            .filter(|d| {
                matches!(d, faultline_sim::journal::Draw::Arrival { at_us, .. }
                if *at_us >= from_ms * 1_000 && *at_us < to_ms * 1_000)
            })
            .count() as i64
    };
    // Constant arrivals: 300/s, then 600/s, then 200/s while only the second lasts.
    assert!((arrivals(1_100, 1_900) - 240).abs() <= 2, "{}", arrivals(1_100, 1_900));
    assert!((arrivals(2_100, 2_900) - 480).abs() <= 2, "{}", arrivals(2_100, 2_900));
    assert!((arrivals(3_100, 4_900) - 360).abs() <= 2, "{}", arrivals(3_100, 4_900));
    assert!((arrivals(5_100, 5_900) - 80).abs() <= 2, "{}", arrivals(5_100, 5_900));
}

#[test]
fn overlapping_crashes_and_pauses_hold_until_the_last_one_ends() {
    let mut s = slice(8_000);
    let crash = FaultAction::Crash { node: "db".into() };
    let pause = FaultAction::Pause { node: "api".into() };
    s.faults = vec![
        fault(1_000, Some(2_000), crash.clone()),
        fault(2_000, Some(3_000), crash.clone()),
        fault(1_000, Some(2_000), pause.clone()),
        fault(2_000, Some(3_000), pause),
    ];
    let (db, api) = (s.node_index("db").unwrap(), s.node_index("api").unwrap());
    let state = |sim: &Sim| (sim.node(db).down, sim.node(api).paused);
    let got = probe_at(&s, &[1_500, 3_500, 5_500], state);
    assert_eq!(got, vec![(true, true), (true, true), (false, false)]);
    // An explicit restart ends every crash in force; their ends then do nothing.
    s.faults = vec![
        fault(1_000, Some(2_000), crash.clone()),
        fault(2_000, Some(3_000), crash),
        fault(2_500, None, FaultAction::Restart { node: "db".into() }),
        fault(4_000, Some(500), FaultAction::Crash { node: "db".into() }),
    ];
    let got = probe_at(&s, &[2_200, 2_700, 3_500, 4_200, 4_700], |sim| sim.node(db).down);
    assert_eq!(got, vec![true, false, false, true, false]);
}
