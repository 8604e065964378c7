//! The hot-key presets beyond the incident's own pair: the engine's key
//! splitting (`hot-key-split`) and a cache in front of the hot shard
//! (`hot-key-cache-*`), each against the numbers its narrative quotes,
//! computed here from the scenario's own rates and the partitioner.

use faultline_sim::nodes::partition::Partitioner;
use faultline_sim::report::{NodeReport, ShardReport};
use faultline_sim::scenario::NodeKind;
use faultline_sim::{Report, Scenario, Sim};
use faultline_tests::repo_root;

fn load(name: &str) -> Scenario {
    let path = repo_root().join("assets/scenarios").join(format!("{name}.json"));
    Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run(s: &Scenario) -> Report {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    assert!(sim.audit().is_ok(), "{}: {:?}", s.name, sim.audit());
    sim.report()
}

fn node<'a>(r: &'a Report, id: &str) -> &'a NodeReport {
    r.nodes.iter().find(|n| n.id == id).unwrap()
}

fn shards(r: &Report) -> &ShardReport {
    node(r, "db").shards.as_ref().unwrap()
}

fn success(r: &Report) -> f64 {
    r.requests.ok as f64 / (r.requests.ok + r.requests.failed.total).max(1) as f64
}

fn rate(s: &Scenario, id: &str) -> f64 {
    s.workloads.iter().find(|w| w.id == id).unwrap().arrival.rate_rps()
}

/// The likes' one key split k ways lands on sub-keys 0..k; the hash places
/// them, and the reads spread evenly: shard j expects reads/S + likes x (its
/// sub-keys)/k. The engine's max/mean load matches within 0.05 and nothing
/// fails, where the unsplit incident fails about 40% of requests.
#[test]
fn hot_key_split_spreads_the_celebrity_as_the_partitioner_places_its_sub_keys() {
    let s = load("hot-key-split");
    let NodeKind::Database(db) = &s.nodes[s.node_index("db").unwrap()].kind else { panic!("db") };
    let split = s.workloads.iter().find(|w| w.id == "likes").unwrap().split_hot_keys.expect("the likes are split");
    let (likes, reads, n) = (rate(&s, "likes"), rate(&s, "users"), db.shards);
    let map = Partitioner::new(db.partitioning, n, db.virtual_nodes, s.key_space(), &db.directory);
    let mut per_shard = vec![reads / f64::from(n); usize::from(n)];
    for r in 0..u64::from(split.ways) {
        per_shard[usize::from(map.owner(r))] += likes / f64::from(split.ways);
    }
    let expected = per_shard.iter().copied().fold(0.0, f64::max) / ((likes + reads) / f64::from(n));
    let r = run(&s);
    let got = shards(&r).max_mean_ratio;
    println!("hot-key-split: max/mean {got:.3}, expected {expected:.3}; success {:.4}", success(&r));
    assert!((got - expected).abs() < 0.05, "max/mean {got}, expected {expected}");
    assert!(got < 1.2 && success(&r) > 0.999, "{got} {}", success(&r));
    let before = run(&load("hot-key-before"));
    assert!(success(&before) < 0.7 && shards(&before).max_mean_ratio > 4.0);
}

/// Reads of the celebrity's post through a cache: after its first fill every
/// view hits, and the users' uniform reads hit about as often as the cache
/// holds their keys ((C - 1)/N, Che's approximation for uniform keys). So the
/// hit ratio is views/(views + reads) + reads/(views + reads) x (C - 1)/N,
/// the database sees only the users' reads, spread evenly over its shards,
/// and nothing fails; without the cache the post's shard carries
/// (views + reads/S)/((views + reads)/S) times the mean and about 40% fail.
#[test]
fn a_cache_in_front_of_the_hot_shard_takes_every_view_of_the_celebrity() {
    let before_s = load("hot-key-cache-before");
    let s = load("hot-key-cache-after");
    let NodeKind::Cache(cache) = &s.nodes[s.node_index("cache").unwrap()].kind else { panic!("a cache") };
    let (views, reads) = (rate(&s, "views"), rate(&s, "users"));
    let faultline_sim::scenario::Keys::Uniform { count } = s.workloads.iter().find(|w| w.id == "users").unwrap().keys
    else {
        panic!("uniform reads")
    };
    let held = (f64::from(cache.capacity) - 1.0) / count as f64;
    let expected = (views + reads * held) / (views + reads);
    let after = run(&s);
    let got = node(&after, "cache").cache.as_ref().unwrap().hit_ratio;
    println!(
        "hot-key-cache: hit ratio {got:.4}, expected {expected:.4}; db max/mean {:.3}",
        shards(&after).max_mean_ratio
    );
    assert!((got - expected).abs() < 0.01, "hit ratio {got}, expected {expected}");
    assert!(shards(&after).max_mean_ratio < 1.05, "{}", shards(&after).max_mean_ratio);
    assert!(success(&after) > 0.999, "{}", success(&after));
    let NodeKind::Database(db) = &before_s.nodes[before_s.node_index("db").unwrap()].kind else { panic!("db") };
    let n = f64::from(db.shards);
    let hot = (views + reads / n) / ((views + reads) / n);
    let before = run(&before_s);
    let got = shards(&before).max_mean_ratio;
    assert!((got - hot).abs() < 0.05 * hot, "hot shard {got} x the mean, expected {hot}");
    assert!(success(&before) < 0.7, "{}", success(&before));
}
