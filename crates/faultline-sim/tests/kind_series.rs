//! A cache's per-window series (the page's "Hit ratio" chart and the CSV's
//! `hit_ratio`): its windows' hits and misses add up to the report's, and on
//! the hot-key-behind-a-cache preset each second's ratio sits near the share
//! of views in the reads (1,000 of 2,200 a second, plus the users' reads that
//! the cache happens to hold, (C - 1)/N of them).

use faultline_sim::scenario::{Keys, NodeKind, Scenario};
use faultline_sim::Sim;

#[test]
fn the_cache_series_adds_up_to_the_report_and_tracks_the_hit_ratio() {
    let s = Scenario::from_json(include_str!("../../../assets/scenarios/hot-key-cache-after.json")).unwrap();
    let cache = s.node_index("cache").unwrap();
    let NodeKind::Cache(cfg) = &s.nodes[cache].kind else { panic!("a cache") };
    let Keys::Uniform { count } = s.workloads[0].keys else { panic!("uniform reads") };
    let rate = |id: &str| s.workloads.iter().find(|w| w.id == id).unwrap().arrival.rate_rps();
    let (views, reads) = (rate("views"), rate("users"));
    let expected = (views + reads * (f64::from(cfg.capacity) - 1.0) / count as f64) / (views + reads);
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let report = sim.report().nodes.into_iter().find(|n| n.id == "cache").unwrap().cache.unwrap();
    let points: Vec<_> = sim.kind_series(cache).cloned().collect();
    assert_eq!(points.len() as u64, s.duration_ms / 1_000);
    let hits: u64 = points.iter().map(|p| u64::from(p.counts[0])).sum();
    let misses: u64 = points.iter().map(|p| u64::from(p.counts[1])).sum();
    assert_eq!((hits, misses), (report.stats.hits, report.stats.misses));
    // Each second holds about 2,200 reads: the ratio's sampling error is
    // about sqrt(0.25/2200) = 0.011; tolerance 5 of those, after the first
    // second (the cold start).
    for p in &points[1..] {
        let r = p.hit_ratio().unwrap();
        assert!((r - expected).abs() < 0.055, "{} ms: hit ratio {r}, expected about {expected}", p.t_ms);
    }
}
