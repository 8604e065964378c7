//! Fan-out by key against its closed forms, end to end. A post by account k
//! is ceil(f(k) / batch) timeline writes, f(k) = floor(top / (k + 1)^a); a
//! timeline read with posts above a threshold pulled is 1 + N queries, N the
//! number of pulled accounts the reader follows, a sum of Bernoulli(f(j) /
//! accounts) over those accounts. On a database of one connection with a
//! constant 1 ms query time, one request a second (so no two overlap: the
//! widest takes 100 ms), a request's latency at the database is exactly its
//! width in milliseconds: the latency histogram is the distribution of
//! widths, compared here with the one computed from the formula, whole
//! (Kolmogorov-Smirnov), not only its mean.

use faultline_sim::scenario::Scenario;
use faultline_sim::Sim;
use serde_json::json;

const ACCOUNTS: u64 = 1_000;
const TOP: u64 = 100_000;
const BATCH: u64 = 1_000;
const REQUESTS: u64 = 20_000;

/// followers(k), written out again from the law (not the engine's function).
fn followers(k: u64) -> u64 {
    (TOP as f64 / (k + 1) as f64) as u64
}

fn scenario(method: &str, pull_above: Option<u64>) -> Scenario {
    let s: Scenario = serde_json::from_value(json!({
        "version": 1, "seed": 5, "duration_ms": REQUESTS * 1_000 + 500,
        "nodes": [ { "id": "users", "kind": { "type": "client" } },
                   { "id": "timelines", "kind": { "type": "database", "max_connections": 1, "queue_capacity": 1_000,
                     "query_time": { "type": "constant", "ms": 1.0 }, "saturation": 0.0,
                     "pull_above_followers": pull_above } } ],
        "edges": [ { "from": "users", "to": "timelines", "latency": { "type": "constant", "ms": 0.0 }, "timeout_ms": null } ],
        "workloads": [{ "id": "w", "client": "users", "target": "timelines",
                        "arrival": { "type": "constant", "rate_rps": 1.0 },
                        "ops": [{ "name": "op", "method": method,
                                  "followers": { "accounts": ACCOUNTS, "top": TOP, "exponent": 1.0, "batch": BATCH } }],
                        "keys": { "type": "uniform", "count": ACCOUNTS } }]
    }))
    .unwrap();
    s.validate().unwrap();
    s
}

/// Runs it: the database's latencies (ms, one per request) as a histogram,
/// and its report entry.
fn run(s: &Scenario) -> (hdrhistogram::Histogram<u64>, faultline_sim::nodes::fanout::FanoutReport) {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    let h = sim.node_metrics(1).success_histogram();
    let report = sim.report();
    let fanout = report.nodes[1].fanout.expect("a fan-out entry");
    assert_eq!(report.nodes[1].ok, REQUESTS, "every request answered");
    (h, fanout)
}

/// The largest distance between the measured distribution of widths
/// (latency in whole ms) and `pmf` (width -> probability).
fn ks(h: &hdrhistogram::Histogram<u64>, pmf: &[f64]) -> f64 {
    let n = h.len() as f64;
    let (mut cdf, mut worst) = (0.0, 0.0f64);
    for (w, p) in pmf.iter().enumerate().skip(1) {
        cdf += p;
        // Latencies are in microseconds; width w is w * 1,000 (hdr's 3 digits keep them apart).
        let measured = h.count_between(0, w as u64 * 1_000 + 500) as f64 / n;
        worst = worst.max((measured - cdf).abs());
    }
    worst
}

#[test]
fn post_widths_are_the_batches_of_the_authors_followers() {
    // Keys uniform over the accounts: width w has probability #{k : ceil(f(k) / batch) = w} / accounts.
    let widths: Vec<u64> = (0..ACCOUNTS).map(|k| followers(k).div_ceil(BATCH).max(1)).collect();
    let mut pmf = vec![0.0; 101];
    for &w in &widths {
        pmf[w as usize] += 1.0 / ACCOUNTS as f64;
    }
    let mean: f64 = widths.iter().sum::<u64>() as f64 / ACCOUNTS as f64;
    let var: f64 = widths.iter().map(|&w| (w as f64 - mean) * (w as f64 - mean)).sum::<f64>() / ACCOUNTS as f64;

    let (h, fanout) = run(&scenario("POST", None));
    assert_eq!(fanout.posts_pushed, REQUESTS);
    assert_eq!(fanout.widest, 100, "account 0: 100,000 followers in batches of 1,000");
    let per_post = fanout.timeline_writes as f64 / REQUESTS as f64;
    let se = (var / REQUESTS as f64).sqrt();
    eprintln!("writes per post: measured {per_post:.4}, E[ceil(F/B)] = {mean:.4} (sd of the mean {se:.4})");
    assert!((per_post - mean).abs() < 4.0 * se, "{per_post} vs {mean}");
    // The mean latency is the mean width, in ms.
    assert!((h.mean() / 1e3 - per_post).abs() < 0.01, "{} vs {per_post}", h.mean() / 1e3);
    let d = ks(&h, &pmf);
    // Kolmogorov-Smirnov at 1%: 1.63 / sqrt(n) = 0.0115.
    eprintln!("widths: KS distance {d:.4} over {REQUESTS} posts");
    assert!(d < 1.63 / (REQUESTS as f64).sqrt(), "KS {d}");
    // And the mean number of writes per post is not what a mean of followers / batch would say.
    let naive = (0..ACCOUNTS).map(|k| followers(k) as f64 / BATCH as f64).sum::<f64>() / ACCOUNTS as f64;
    assert!(mean - naive > 0.4, "the ceiling of each batch count adds about half a write a post: {mean} vs {naive}");
}

#[test]
fn pulled_reads_query_each_followed_pulled_account() {
    // Pull above 5,000 followers: accounts 0..18 (100,000 / (k + 1) > 5,000 for k + 1 < 20), each followed
    // with probability f(k) / 1,000 capped at 1: every reader follows accounts 0..99 (f >= 1,000), so the
    // 19 all (N = 19 exactly); with a threshold of 50,000 only account 0 is pulled (N = 1).
    for (above, pulled) in [(5_000, 19), (50_000, 1)] {
        let (h, fanout) = run(&scenario("GET", Some(above)));
        assert_eq!(fanout.reads, REQUESTS);
        assert_eq!(fanout.pulled_queries, REQUESTS * pulled, "above {above}");
        let width = 1 + pulled;
        assert_eq!(
            h.count_between(width * 1_000 - 500, width * 1_000 + 500),
            REQUESTS,
            "above {above}: every read is one query plus one per pulled account, {width} ms"
        );
    }
    // Pushed everything: a read is one query.
    let (h, fanout) = run(&scenario("GET", None));
    assert_eq!((fanout.reads, fanout.pulled_queries, h.count_between(500, 1_500)), (REQUESTS, 0, REQUESTS));
}

#[test]
fn pulled_reads_on_a_sparse_graph_follow_the_poisson_binomial() {
    // A million accounts: account k is followed by each reader with probability f(k) / 1,000,000;
    // pull above 5,000: accounts 0..18, p_k = 0.1 / (k + 1) for the 19 of them.
    let mut s = scenario("GET", Some(5_000));
    let law = json!({ "accounts": 1_000_000, "top": 100_000, "exponent": 1.0, "batch": 1_000 });
    s.workloads[0].ops[0].followers = Some(serde_json::from_value(law).unwrap());
    let probs: Vec<f64> = (0..19).map(|k| followers(k) as f64 / 1e6).collect();
    let mut pmf = vec![1.0];
    for p in &probs {
        let mut next = vec![0.0; pmf.len() + 1];
        for (k, q) in pmf.iter().enumerate() {
            next[k] += q * (1.0 - p);
            next[k + 1] += q * p;
        }
        pmf = next;
    }
    // Width 1 + N.
    let widths: Vec<f64> = std::iter::once(0.0).chain(pmf.iter().copied()).collect();
    let (h, fanout) = run(&s);
    let mean: f64 = probs.iter().sum();
    let var: f64 = probs.iter().map(|p| p * (1.0 - p)).sum();
    let measured = fanout.pulled_queries as f64 / REQUESTS as f64;
    eprintln!("pulled per read: measured {measured:.4}, sum of p = {mean:.4}");
    assert!((measured - mean).abs() < 4.0 * (var / REQUESTS as f64).sqrt(), "{measured} vs {mean}");
    let d = ks(&h, &widths);
    eprintln!("read widths: KS distance {d:.4}");
    assert!(d < 1.63 / (REQUESTS as f64).sqrt(), "KS {d}");
}

#[test]
fn a_database_without_an_account_operation_has_no_fan_out_and_the_same_run() {
    let mut s = scenario("POST", Some(1_000));
    s.workloads[0].ops[0].followers = None;
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    assert!(sim.report().nodes[1].fanout.is_none());
    let mut bare = s.clone();
    if let faultline_sim::scenario::NodeKind::Database(d) = &mut bare.nodes[1].kind {
        d.pull_above_followers = None;
    }
    let mut other = Sim::new(&bare).unwrap();
    other.run();
    assert_eq!(sim.trace_hash(), other.trace_hash(), "the threshold alone changes nothing");
}

#[test]
fn absurd_fan_out_settings_are_refused_with_the_field_named() {
    let problems = |s: &Scenario| -> Vec<String> {
        s.validate().unwrap_err().problems.into_iter().map(|p| format!("{}: {}", p.path, p.message)).collect()
    };
    let mut s = scenario("POST", None);
    if let Some(f) = &mut s.workloads[0].ops[0].followers {
        f.batch = 1;
    }
    let p = problems(&s);
    assert!(p.len() == 1 && p[0].starts_with("workloads[0].ops[0].followers.batch: too small"), "{p:?}");
    let mut s = scenario("POST", Some(10));
    if let faultline_sim::scenario::NodeKind::Database(d) = &mut s.nodes[1].kind {
        d.replicas = 1;
    }
    let p = problems(&s);
    assert!(p.iter().any(|m| m.starts_with("nodes[1].kind.pull_above_followers: a database with replicas")), "{p:?}");
}
