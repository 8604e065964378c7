//! The driver as the page uses it: commands in, reports out, through JSON.

use faultline_live::{Command, Live, Report, Subject};
use faultline_sim::scenario::FaultAction;
use faultline_sim::{slice_scenario, Sim, SimTime};
use std::cell::Cell;

/// Sends `cmd` through JSON both ways, as the worker boundary does.
fn send(live: &mut Live, cmd: Command, wall_ms: f64) -> Vec<Report> {
    let cmd = Command::from_json(&cmd.to_json()).unwrap();
    live.handle(cmd, wall_ms).into_iter().map(|r| Report::from_json(&r.to_json()).unwrap()).collect()
}

#[test]
fn a_paced_run_with_pulls_is_the_same_run_as_stepping_straight_through() {
    let doc = slice_scenario();
    let mut live = Live::new();
    let r = send(&mut live, Command::Load { rev: 7, doc: Box::new(doc.clone()) }, 0.0);
    assert!(matches!(&r[..], [Report::Rebuilt { rev: 7, readout }] if readout.series.is_some()));
    send(&mut live, Command::Play { speed: 50.0 }, 0.0);
    // A clock where every reading costs a quarter of a millisecond.
    let t = Cell::new(0.0);
    let clock = || {
        t.set(t.get() + 0.25);
        t.get()
    };
    let mut frames = 0;
    let mut particles = 0;
    let mut wall = 0.0;
    let mut finished = None;
    while finished.is_none() {
        wall += 16.0;
        finished = live.run(wall, 6.0, &clock);
        for r in send(&mut live, Command::Pull, wall) {
            if let Report::Frame { moved, readout, .. } = r {
                frames += 1;
                particles += moved.len();
                if let Some(ro) = readout {
                    assert!(ro.view.now_ms <= doc.duration_ms as f64);
                }
            }
        }
        assert!(wall < 1e7, "the run ends");
    }
    assert!(frames > 10 && particles > 0, "{frames} frames, {particles} particles");
    let Some(Report::Finished(end)) = finished else { panic!("finished") };
    let mut straight = Sim::new(&doc).unwrap();
    straight.run();
    assert_eq!(end.summary.unwrap().trace_hash, straight.run_summary().trace_hash);
    assert_eq!(end.view, straight.view(), "the numbers survive JSON exactly");
    assert!(!live.playing());
}

#[test]
fn step_inject_scrub_and_follow() {
    let doc = slice_scenario();
    let mut live = Live::new();
    send(&mut live, Command::Load { rev: 1, doc: Box::new(doc.clone()) }, 0.0);
    let r = send(&mut live, Command::Step { ms: 2_000 }, 0.0);
    assert!(matches!(&r[..], [Report::Moment(ro)] if ro.view.now_ms == 2_000.0));
    let crash = vec![FaultAction::Crash { node: "db".into() }];
    let r = send(&mut live, Command::Inject { actions: crash.clone(), duration_ms: Some(500), at_ms: None }, 0.0);
    let [Report::Injected { faults, readout }] = &r[..] else { panic!("{r:?}") };
    assert_eq!(faults[0].at_ms, 2_001);
    assert!(readout.view.nodes[2].down);
    // A fault for a moment already past restarts the run instead.
    let r = send(&mut live, Command::Inject { actions: crash, duration_ms: None, at_ms: Some(10) }, 0.0);
    assert!(matches!(&r[..], [Report::Restart { faults }] if faults[0].at_ms == 10));
    send(&mut live, Command::Step { ms: 3_000 }, 0.0);
    let at_5s = live.sim().trace_hash();
    let r = send(&mut live, Command::Scrub { t_ms: 1_500.0 }, 0.0);
    assert!(matches!(&r[..], [Report::Scrubbed(ro)] if ro.view.now_ms == 1_500.0));
    // The injection ran the engine to 2.001 s, so the first pass stopped at 5.001 s.
    send(&mut live, Command::Step { ms: 3_501 }, 0.0);
    assert_eq!(live.sim().trace_hash(), at_5s, "scrubbing back and on replays the fault");
    let r = send(&mut live, Command::Follow(Subject::Node(2)), 0.0);
    let [Report::Moment(ro)] = &r[..] else { panic!() };
    assert_eq!(ro.series.as_ref().unwrap(), &live.sim().node_metrics(2).series().collect::<Vec<_>>());
    let mut with = doc.clone();
    with.faults.extend(faults.iter().cloned());
    let mut replay = Sim::new(&with).unwrap();
    replay.step_until(SimTime::from_millis(5_001));
    assert_eq!(replay.trace_hash(), at_5s, "the document with the fault replays the live run");
}

#[test]
fn an_unrunnable_document_is_blocked_and_the_engine_restarts_the_last_one() {
    let mut live = Live::new();
    send(&mut live, Command::Load { rev: 1, doc: Box::new(slice_scenario()) }, 0.0);
    send(&mut live, Command::Step { ms: 1_000 }, 0.0);
    let mut bad = slice_scenario();
    bad.nodes.clear();
    let r = send(&mut live, Command::Load { rev: 2, doc: Box::new(bad) }, 0.0);
    assert!(matches!(&r[..], [Report::Blocked { rev: 2, .. }]));
    assert_eq!(live.sim().now(), SimTime(0));
    let r = send(&mut live, Command::Scrub { t_ms: -5.0 }, 0.0);
    assert!(matches!(&r[..], [Report::Refused(_)]));
    assert!(Command::from_json("{\"Nope\":1}").is_err());
    let csv = send(&mut live, Command::Csv, 0.0);
    assert!(matches!(&csv[..], [Report::Csv(text)] if text.starts_with("subject,kind,t_ms")));
}

/// The page gets the successes' percentiles as the headline and the failed
/// calls' apart: in the view, the followed series, the run summary and the CSV.
#[test]
fn failed_calls_have_their_own_latency_on_the_page() {
    let doc = slice_scenario();
    let mut live = Live::new();
    send(&mut live, Command::Load { rev: 1, doc: Box::new(doc.clone()) }, 0.0);
    send(&mut live, Command::Step { ms: 2_000 }, 0.0);
    let crash = vec![FaultAction::Crash { node: "db".into() }];
    // Down for half of the next second: its window has successes and failures.
    send(&mut live, Command::Inject { actions: crash, duration_ms: Some(500), at_ms: None }, 0.0);
    send(&mut live, Command::Step { ms: 1_000 }, 0.0);
    let r = send(&mut live, Command::Follow(Subject::Node(1)), 0.0);
    let [Report::Moment(ro)] = &r[..] else { panic!("{r:?}") };
    let sim = live.sim();
    let last = sim.node_metrics(1).last_point().unwrap();
    assert!(last.failed > 0 && last.ok > 0, "{last:?}");
    assert!(last.fail_p99_us > 0, "{last:?}");
    assert_eq!(ro.series.as_ref().unwrap().last(), Some(&last), "the failures' percentiles survive JSON");
    let api = &ro.view.nodes[1].live;
    assert_eq!((api.p99_ms, api.failed_p99_ms), (last.p99_us as f64 / 1e3, last.fail_p99_us as f64 / 1e3));
    let summary = ro.summary.as_ref().unwrap();
    assert_eq!(summary, &sim.run_summary());
    assert!(summary.failed_latency_ms.p99 > 0.0 && summary.latency_ms.p99 > 0.0, "{summary:?}");
    let csv = send(&mut live, Command::Csv, 0.0);
    let [Report::Csv(text)] = &csv[..] else { panic!() };
    assert!(
        text.starts_with("subject,kind,t_ms,arrivals,ok,failed,p50_ms,p99_ms,in_flight,failed_p50_ms,failed_p99_ms,")
    );
    let api_row = text.lines().rfind(|l| l.starts_with("api,node,")).unwrap();
    assert!(
        api_row.contains(&format!(",{},{},,,", last.fail_p50_us as f64 / 1e3, last.fail_p99_us as f64 / 1e3)),
        "{api_row}"
    );
    // The crash's failures by cause, in the readout and in the CSV: the
    // database refuses, so the API answers 500.
    let causes = ro.cause_series.as_ref().unwrap();
    let c = causes.last().unwrap();
    assert_eq!((c.t_ms, c.total()), (last.t_ms, last.failed), "{causes:?}");
    assert_eq!(u64::from(c.of(faultline_sim::FailReason::ErrorStatus)), last.failed, "{c:?}");
    let cols: Vec<&str> = api_row.split(',').collect();
    assert_eq!(cols[16], last.failed.to_string(), "failed_error_status: {api_row}");
}

/// Following a cache or a sharded database brings its kind series with the
/// readout's series (the page's hit-ratio and per-shard charts); following
/// a service brings none.
#[test]
fn following_a_cache_or_a_sharded_database_brings_its_kind_series() {
    let text = include_str!("../../../assets/scenarios/hot-key-cache-after.json");
    let doc = faultline_sim::Scenario::from_json(text).unwrap();
    let (cache, db, api) =
        (doc.node_index("cache").unwrap(), doc.node_index("db").unwrap(), doc.node_index("api").unwrap());
    let mut live = Live::new();
    send(&mut live, Command::Load { rev: 1, doc: Box::new(doc) }, 0.0);
    send(&mut live, Command::Step { ms: 3_000 }, 0.0);
    let follow = |live: &mut Live, s: Subject| {
        let out = send(live, Command::Follow(s), 0.0);
        let Some(Report::Moment(ro)) = out.into_iter().last() else { panic!("a readout") };
        ro.kind_series.expect("sent with the series")
    };
    let c = follow(&mut live, Subject::Node(cache));
    assert_eq!(c.len(), 3);
    assert!(c[2].hit_ratio().unwrap() > 0.4, "{c:?}");
    let d = follow(&mut live, Subject::Node(db));
    assert_eq!(d[2].counts.len(), 8, "{d:?}");
    assert!(follow(&mut live, Subject::Node(api)).is_empty());
}

/// A replicated store's view carries the live checker's verdict through the
/// JSON the worker sends: the flash sale's AP store is caught by its end.
#[test]
fn the_store_view_carries_the_live_verdict() {
    let path = format!("{}/../../assets/scenarios/flash-sale-before.json", env!("CARGO_MANIFEST_DIR"));
    let doc: faultline_sim::Scenario = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut live = Live::new();
    send(&mut live, Command::Load { rev: 1, doc: Box::new(doc.clone()) }, 0.0);
    let mut verdict = None;
    for _ in 0..30 {
        for r in send(&mut live, Command::Step { ms: 1_000 }, 0.0) {
            if let Report::Moment(ro) | Report::Finished(ro) = r {
                verdict = ro.view.nodes.iter().find_map(|n| n.store.as_ref()).and_then(|s| s.verdict.clone());
            }
        }
    }
    assert_eq!(verdict.as_deref(), Some("not-linearizable"));
}

/// The cascade's lesson per operation: after the fix "orders" fails fast and
/// "catalog" is untouched. The series the charts draw per operation add up,
/// window by window, to the run's per-operation totals (40 windows, fewer
/// than the series keeps), and they follow only the whole system or a client.
#[test]
fn operations_have_their_own_series_that_add_up_to_their_totals() {
    let doc: faultline_sim::Scenario =
        serde_json::from_str(include_str!("../../../assets/scenarios/cascade-after.json")).unwrap();
    let mut live = Live::new();
    send(&mut live, Command::Load { rev: 1, doc: Box::new(doc.clone()) }, 0.0);
    let r = send(&mut live, Command::Step { ms: doc.duration_ms }, 0.0);
    let [Report::Finished(end)] = &r[..] else { panic!("finished: {r:?}") };
    let series = end.op_series.as_ref().expect("sent with the series");
    let summary = end.summary.as_ref().unwrap();
    assert_eq!(series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["orders", "catalog"]);
    for s in series {
        let op = summary.ops.iter().find(|o| o.name == s.name).unwrap();
        assert_eq!(s.points.len(), 40, "{}: one point a simulated second", s.name);
        let (ok, failed) = s.points.iter().fold((0, 0), |(a, b), p| (a + p.ok, b + p.failed));
        assert_eq!((ok, failed), (op.ok, op.failed), "{}", s.name);
    }
    let catalog = series.iter().find(|s| s.name == "catalog").unwrap();
    assert!(catalog.points.iter().all(|p| p.failed == 0), "the breaker keeps catalog whole");
    let worst = catalog.points.iter().map(|p| p.p99_us).max().unwrap();
    assert!(worst < 200_000, "catalog's p99 stays under the 200 ms timeout every second: {worst} us");
    // A link is not where operations are seen: no per-operation series.
    let r = send(&mut live, Command::Follow(Subject::Edge(0)), 0.0);
    assert!(matches!(&r[..], [Report::Moment(ro)] if ro.op_series.as_ref().is_some_and(Vec::is_empty)));
}
