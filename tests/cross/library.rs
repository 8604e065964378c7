//! The playground's incident library (assets/scenarios/library.json): every
//! entry names shipped scenarios that validate and run, every shipped scenario
//! has an entry, and what each narrative tells the learner holds in the engine.
//! The thresholds are the measured values with a margin; the measurement is in
//! the comment beside each one.

use faultline_sim::report::{NodeReport, OpReport};
use faultline_sim::scenario::{Arrival, Fallback, NodeKind};
use faultline_sim::{Dist, Report, Scenario, Sim};
use faultline_tests::{repo_root, shipped_scenarios};
use serde_json::{Map, Value};
use std::collections::HashSet;

const LIBRARY: &str = "library.json";
const FIELDS: [&str; 9] = ["name", "title", "group", "summary", "happens", "look", "try", "before", "after"];
const TEXT_FIELDS: [&str; 7] = ["name", "title", "group", "summary", "happens", "look", "try"];
const GROUPS: [&str; 3] = ["incident", "starter", "theory"];

type Entry = Map<String, Value>;

fn library() -> Vec<Entry> {
    let path = repo_root().join("assets/scenarios").join(LIBRARY);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let entries = doc.as_array().expect("library.json is an array of entries");
    entries.iter().map(|e| e.as_object().expect("each library entry is an object").clone()).collect()
}

fn text<'a>(e: &'a Entry, field: &str) -> &'a str {
    e.get(field).and_then(Value::as_str).unwrap_or_else(|| panic!("{e:?}: \"{field}\" must be a string"))
}

/// The entry's "after" scenario, if it has one.
fn after(e: &Entry) -> Option<&str> {
    match e.get("after") {
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        other => panic!("{}: \"after\" must be a file stem or null (got {other:?})", text(e, "name")),
    }
}

/// Every scenario the library refers to, in order, without repeats.
fn referenced(entries: &[Entry]) -> Vec<String> {
    let mut seen = HashSet::new();
    let stems = entries.iter().flat_map(|e| std::iter::once(text(e, "before")).chain(after(e)));
    stems.filter(|s| seen.insert(s.to_string())).map(str::to_string).collect()
}

/// Entry `name`'s narrative (summary, what happens, what to look at, what
/// to try) says `phrase`: the numbers a narrative quotes are the run's, so
/// an engine change that moves them fails here until the text follows.
fn says(name: &str, phrase: &str) {
    let entries = library();
    let e = entries.iter().find(|e| text(e, "name") == name).unwrap_or_else(|| panic!("no library entry {name}"));
    let narrative = ["summary", "happens", "look", "try"].map(|f| text(e, f)).join(" ");
    assert!(narrative.contains(phrase), "{name}'s narrative should say {phrase:?}: {narrative}");
}

/// `n` with thousands separators, as the narratives write numbers.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

fn load(name: &str) -> Scenario {
    let path = repo_root().join("assets/scenarios").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run_scenario(s: &Scenario) -> (Sim, Report) {
    let mut sim = Sim::new(s).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    sim.run();
    assert!(sim.audit().is_ok(), "{}: {:?}", s.name, sim.audit());
    let report = sim.report();
    (sim, report)
}

fn run(name: &str) -> (Sim, Report) {
    run_scenario(&load(name))
}

fn node<'a>(r: &'a Report, id: &str) -> &'a NodeReport {
    r.nodes.iter().find(|n| n.id == id).unwrap_or_else(|| panic!("no node {id}"))
}

fn op<'a>(r: &'a Report, name: &str) -> &'a OpReport {
    r.ops.iter().find(|o| o.name == name).unwrap_or_else(|| panic!("no operation {name}"))
}

fn failure_share(o: &OpReport) -> f64 {
    o.failed as f64 / (o.ok + o.failed).max(1) as f64
}

/// Share of the finished requests that succeeded, over the whole run.
fn success(r: &Report) -> f64 {
    r.requests.ok as f64 / (r.requests.ok + r.requests.failed.total).max(1) as f64
}

/// A node's one-second windows that end in (from_s, to_s].
#[derive(Debug)]
struct Window {
    ok: u64,
    failed: u64,
    seconds: u64,
    /// The mean of the windows' p99s of successful calls, in ms (what the p99 chart shows).
    p99_ms: f64,
}

impl Window {
    fn success(&self) -> f64 {
        self.ok as f64 / (self.ok + self.failed).max(1) as f64
    }

    /// Finished calls per second.
    fn rate(&self) -> f64 {
        (self.ok + self.failed) as f64 / self.seconds.max(1) as f64
    }
}

fn window(sim: &Sim, id: &str, from_s: u64, to_s: u64) -> Window {
    let idx = sim.scenario().node_index(id).unwrap_or_else(|| panic!("no node {id}"));
    let points: Vec<_> =
        sim.node_metrics(idx).series().filter(|p| p.t_ms > from_s * 1_000 && p.t_ms <= to_s * 1_000).collect();
    assert_eq!(points.len() as u64, to_s - from_s, "{id} ({from_s}, {to_s}]: missing windows");
    Window {
        ok: points.iter().map(|p| p.ok).sum(),
        failed: points.iter().map(|p| p.failed).sum(),
        seconds: points.len() as u64,
        p99_ms: points.iter().map(|p| p.p99_us as f64 / 1e3).sum::<f64>() / points.len().max(1) as f64,
    }
}

#[test]
fn every_entry_has_a_complete_narrative_and_unique_name() {
    let entries = library();
    assert!(!entries.is_empty());
    let mut names = HashSet::new();
    for e in &entries {
        let mut keys: Vec<&str> = e.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected = FIELDS.to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected, "{e:?}: the fields of a library entry");
        let name = text(e, "name");
        for field in TEXT_FIELDS {
            assert!(!text(e, field).trim().is_empty(), "{name}: \"{field}\" is empty");
        }
        assert!(names.insert(name), "{name}: duplicate name (the playground's test id is preset-{name})");
        assert_eq!(text(e, "before"), name, "{name}: the name is the stem of its (before) scenario");
        let group = text(e, "group");
        assert!(GROUPS.contains(&group), "{name}: unknown group {group}");
        match group {
            "incident" => assert!(after(e).is_some(), "{name}: an incident comes with its fix"),
            "starter" => assert_eq!(after(e), None, "{name}: a starter is a single scenario"),
            _ => {}
        }
        for stem in std::iter::once(name).chain(after(e)) {
            let path = repo_root().join("assets/scenarios").join(format!("{stem}.json"));
            assert!(path.is_file(), "{name}: {} does not exist", path.display());
        }
        assert_ne!(after(e), Some(name), "{name}: before and after are the same file");
    }
}

#[test]
fn every_shipped_scenario_is_in_the_library() {
    let listed: HashSet<String> = referenced(&library()).into_iter().collect();
    let shipped: Vec<String> = shipped_scenarios()
        .iter()
        .filter(|p| !p.ends_with(LIBRARY))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(!shipped.is_empty());
    let missing: Vec<&String> = shipped.iter().filter(|s| !listed.contains(*s)).collect();
    assert!(missing.is_empty(), "shipped scenarios with no library entry: {missing:?}");
}

#[test]
fn every_library_scenario_validates_and_runs_to_completion() {
    for name in referenced(&library()) {
        let (sim, report) = run(&name);
        assert!(sim.is_finished(), "{name}");
        assert_eq!(report.sim_time_ms, report.duration_ms as f64, "{name}");
        assert!(sim.totals().balanced(), "{name}");
        assert!(report.requests.generated > 0, "{name} generates no load");
    }
}

// The incidents: the "after" beats the "before" on what the narrative claims.

#[test]
fn cascade_the_breaker_saves_the_catalog_and_the_tail() {
    let (_, before) = run("cascade-before");
    let (_, after) = run("cascade-after");
    let (cb, ca) = (failure_share(op(&before, "catalog")), failure_share(op(&after, "catalog")));
    eprintln!(
        "cascade: catalog failures {:.1}% -> {:.1}%, p99 {:.1} -> {:.1} ms",
        cb * 100.0,
        ca * 100.0,
        before.latency_ms.p99,
        after.latency_ms.p99
    );
    assert!(cb > 0.25, "{cb}"); // 36.7%
    assert_eq!(op(&after, "catalog").failed, 0);
    assert!(after.latency_ms.p99 * 10.0 < before.latency_ms.p99); // 39.7 vs 1196.0 ms (successes; mixed with the fast failures it read 38.9 vs 1146.9)

    // B is still slow: the orders fail, at once.
    assert!(failure_share(op(&after, "orders")) > 0.5); // 75.6%
    let breaker = after.edges.iter().find(|e| e.from == "a" && e.to == "b").unwrap().breaker.as_ref().unwrap();
    let (opened_ms, state) = breaker.transitions[0];
    assert_eq!(state, "OPEN");
    assert!((10_000.0..11_000.0).contains(&opened_ms), "{opened_ms}"); // 10,348 ms
}

#[test]
fn retry_storm_backoff_jitter_and_a_budget_let_b_recover() {
    let (before_sim, before) = run("retry-storm-before");
    let (after_sim, after) = run("retry-storm-after");
    // The cut heals at 50 s; the run ends at 90 s.
    let (tb, ta) = (window(&before_sim, "clients", 60, 90), window(&after_sim, "clients", 60, 90));
    eprintln!(
        "retry storm: last 30 s success {:.1}% -> {:.1}%, run {:.1}% -> {:.1}%, retries {} -> {}",
        tb.success() * 100.0,
        ta.success() * 100.0,
        success(&before) * 100.0,
        success(&after) * 100.0,
        before.requests.retries,
        after.requests.retries
    );
    assert!(tb.success() < 0.05, "{tb:?}"); // 0%
    assert!(ta.success() > 0.95, "{ta:?}"); // 100%

    // Back to full success about 2 s after the heal.
    assert!(window(&after_sim, "clients", 53, 90).success() > 0.999);
    assert!(success(&after) > success(&before) + 0.3); // 66.8% vs 25.2%
    assert!(before.requests.retries > 100 * after.requests.retries); // 143,138 vs 83
    says("retry-storm-before", &format!("only {} retries are made", grouped(after.requests.retries)));
}

#[test]
fn noisy_neighbour_bulkheads_keep_b_and_c_whole() {
    let (before_sim, before) = run("noisy-neighbour-before");
    let (after_sim, after) = run("noisy-neighbour-after");
    for name in ["b", "c"] {
        let fb = failure_share(op(&before, name));
        assert!(fb > 0.2, "{name}: {fb}"); // about 30%
        assert_eq!(op(&after, name).failed, 0, "{name}");
    }
    // a is turned away at once by its full pool: it fails more often.
    assert!(failure_share(op(&after, "a")) > failure_share(op(&before, "a"))); // 51.4% vs 29.5%
    let (wb, wa) = (window(&before_sim, "users", 10, 30), window(&after_sim, "users", 10, 30));
    eprintln!("noisy neighbour: success after 10 s {:.1}% -> {:.1}%", wb.success() * 100.0, wa.success() * 100.0);
    assert!(wb.success() < 0.6, "{wb:?}"); // 54.6%
    assert!(wa.success() > wb.success() + 0.15, "{wa:?}"); // 74.1%
}

#[test]
fn idempotency_keys_deduplicate_the_same_retries() {
    let (_, before) = run("idempotency-before");
    let (_, after) = run("idempotency-after");
    eprintln!(
        "idempotency: duplicates {} -> {}, deduplicated {}, retries {}",
        before.requests.duplicates, after.requests.duplicates, after.requests.deduplicated, after.requests.retries
    );
    assert!(before.requests.duplicates > 300); // 564
    assert_eq!(after.requests.duplicates, 0);
    assert_eq!(after.requests.deduplicated, before.requests.duplicates);
    assert_eq!(before.requests.retries, after.requests.retries); // 567
    let name = "idempotency-before";
    says(name, &format!("{} customers are charged twice", grouped(before.requests.duplicates)));
    says(name, &format!("the same {} retries happen", grouped(after.requests.retries)));
    says(name, &format!("{} deduplicated, 0 duplicates", grouped(after.requests.deduplicated)));

    // The error-rate chart cannot tell the two runs apart.
    assert_eq!(before.requests.ok, after.requests.ok);
    assert!(success(&before) > 0.99); // 99.9%
}

#[test]
fn power_of_two_choices_steers_around_the_slow_backend() {
    let (_, before) = run("lb-random");
    let (_, after) = run("lb-power-of-two");
    eprintln!(
        "load balancing: p99 {:.1} -> {:.1} ms, left waiting {} -> {}",
        before.latency_ms.p99, after.latency_ms.p99, before.requests.in_flight, after.requests.in_flight
    );
    assert!(after.latency_ms.p99 * 50.0 < before.latency_ms.p99); // 84.5 ms vs 22.7 s
    assert!(before.requests.in_flight > 1_000); // 5,403 still queued at Backend 3
    assert!(after.requests.in_flight < 100); // 19
    let (slow_before, slow_after) = (node(&before, "b3").arrivals, node(&after, "b3").arrivals);
    assert!(slow_after * 3 < slow_before * 2, "{slow_before} vs {slow_after}"); // 13,563 vs 6,985
}

#[test]
fn bounded_loads_spread_the_viral_key_for_a_share_of_affinity() {
    let (_, before) = run("lb-hot-key-before");
    let (_, after) = run("lb-hot-key-after");
    let (b0, a0) = (node(&before, "b0"), node(&after, "b0"));
    let spilled = node(&after, "lb").spilled.expect("a bounded balancer reports its spills");
    eprintln!(
        "viral key: Backend 0 busy {:.3} -> {:.3}, rejected {} -> {}, p99 {:.1} -> {:.1} ms, spilled {spilled}",
        b0.utilisation,
        a0.utilisation,
        before.requests.failed.rejected,
        after.requests.failed.rejected,
        before.latency_ms.p99,
        after.latency_ms.p99
    );
    assert!(b0.utilisation > 0.995); // 1.000
    assert!(before.requests.failed.rejected > 4_000); // 5,996
    assert!(a0.utilisation < 0.9); // 0.854
    assert_eq!(after.requests.failed.total, 0);
    assert!(after.latency_ms.p99 * 5.0 < before.latency_ms.p99); // 50.7 vs 577.5 ms
    assert_eq!(node(&before, "lb").spilled, None, "plain hashing has no bound to spill over");
    let name = "lb-hot-key-before";
    says(name, &format!("({} calls)", grouped(before.requests.failed.rejected)));
    says(name, &format!("users see {:.1}% errors", 100.0 * (1.0 - success(&before))));
    says(name, &format!("a p99 of about {:.0} ms", before.latency_ms.p99));
    says(name, &format!("Backend 0 is {:.0}% busy", 100.0 * a0.utilisation));
    says(name, &format!("the users' p99 is about {:.0} ms", after.latency_ms.p99));
    let share = 100.0 * spilled as f64 / node(&after, "lb").arrivals as f64;
    says(name, &format!("{} calls ({share:.1}%)", grouped(spilled)));
    says(name, &format!("offered about {:.0} req/s", (b0.throughput_rps / 10.0).round() * 10.0));
    says(name, &format!("rejects {:.0}% of what it gets", 100.0 * b0.failed.rejected as f64 / b0.arrivals as f64));
    says(name, &format!("its p99 is about {:.0} ms", b0.latency_ms.p99));
    let others: Vec<f64> = ["b1", "b2", "b3"].iter().map(|b| 100.0 * node(&before, b).utilisation).collect();
    let (lo, hi) = (others.iter().copied().fold(f64::MAX, f64::min), others.iter().copied().fold(0.0, f64::max));
    says(name, &format!("Backends 1-3 are {lo:.0}-{hi:.0}% busy"));
    // The "try": other factors on the same design, as the share spilled and
    // Backend 0's busy share (in percent).
    let with_factor = |factor: u32| {
        let mut s = load("lb-hot-key-after");
        let NodeKind::LoadBalancer(lb) = &mut s.nodes[1].kind else { panic!("the balancer") };
        lb.hash_balance_factor = Some(factor);
        let (_, r) = run_scenario(&s);
        let lb = node(&r, "lb");
        (100.0 * lb.spilled.unwrap() as f64 / lb.arrivals as f64, 100.0 * node(&r, "b0").utilisation)
    };
    let (spilled, busy) = with_factor(150);
    says(name, &format!("150 ({spilled:.1}% of calls spilled, Backend 0 {busy:.0}% busy)"));
    let (spilled, busy) = with_factor(200);
    says(name, &format!("200 ({spilled:.1}%, {busy:.0}% busy)"));
    let (spilled, _) = with_factor(100);
    says(name, &format!("sends {spilled:.1}% of calls away"));
}

// The starters: the headline of each narrative.

#[test]
fn slice_is_a_healthy_baseline() {
    let (_, r) = run("slice");
    assert_eq!(r.requests.failed.total, 0);
    assert!(r.latency_ms.p99 < 40.0, "{}", r.latency_ms.p99); // 27.6 ms
    let api = node(&r, "api").utilisation;
    assert!((0.3..0.5).contains(&api), "{api}"); // 0.40
}

#[test]
fn three_tier_loses_a_second_of_requests_and_little_latency_with_a_spare_replica() {
    let (sim, r) = run("three-tier");
    eprintln!("three-tier: success {:.2}%, {:?}", success(&r) * 100.0, r.requests.failed);
    assert!(success(&r) > 0.99); // 99.4%

    // Every failure is a request sent to the dead replica before the health check noticed.
    assert!(r.requests.failed.refused > 50); // 204
    assert_eq!(r.requests.failed.total, r.requests.failed.refused);
    assert_eq!(window(&sim, "users", 20, 23).failed, r.requests.failed.total, "failures outside 20-23 s");
    // The survivors step up from about 200/s to about 300/s each.
    for id in ["web-1", "web-3"] {
        let (normal, crash) = (window(&sim, id, 5, 20).rate(), window(&sim, id, 23, 35).rate());
        assert!((1.3..1.7).contains(&(crash / normal)), "{id}: {normal:.0}/s -> {crash:.0}/s");
    }
    // Web 2 is out while down and back two health checks after its restart at 35 s.
    assert_eq!(window(&sim, "web-2", 22, 35).ok, 0);
    assert!(window(&sim, "web-2", 38, 40).ok > 300); // about 200/s

    // p99 rises only a little: the tier had N+1 headroom.
    let (normal, crash) = (window(&sim, "users", 5, 20), window(&sim, "users", 23, 35));
    eprintln!("three-tier: users' p99 {:.1} -> {:.1} ms", normal.p99_ms, crash.p99_ms);
    assert!(crash.p99_ms < 1.5 * normal.p99_ms); // 66 -> 76 ms
}

/// read-heavy with a fourth replica, as its narrative suggests.
fn read_heavy_with_four_replicas() -> Scenario {
    let mut s = load("read-heavy");
    let mut replica = s.nodes[s.node_index("replica-3").unwrap()].clone();
    replica.id = "replica-4".into();
    replica.name = "Read replica 4".into();
    replica.y += 170.0;
    s.nodes.push(replica);
    let mut link = s.edges.iter().find(|e| e.from == "replicas" && e.to == "replica-3").unwrap().clone();
    link.to = "replica-4".into();
    s.edges.push(link);
    s.validate().unwrap();
    s
}

#[test]
fn read_heavy_replicas_take_the_reads_but_two_of_three_cannot_keep_up() {
    let (sim, r) = run("read-heavy");
    // Writes, about 10% of requests, are all the primary sees; it stays nearly idle.
    let (primary, writes) = (node(&r, "primary"), op(&r, "write"));
    assert!(primary.arrivals <= writes.ok + writes.failed);
    let share = primary.arrivals as f64 / r.requests.generated as f64;
    assert!((0.08..0.12).contains(&share), "{share}");
    assert!(primary.utilisation < 0.1, "{}", primary.utilisation); // 0.05
    let replica_calls: u64 = ["replica-1", "replica-2", "replica-3"].iter().map(|id| node(&r, id).arrivals).sum();
    // Every call the replicas saw came through the balancer (health-check
    // probes are not counted); one forwarded at the very end may still be on the wire.
    let forwarded = node(&r, "replicas").arrivals;
    assert!(replica_calls <= forwarded && forwarded - replica_calls <= 2, "{replica_calls} of {forwarded}");
    // Losing one replica of three overloads the two left; writes fail too.
    let (normal, crash, later) =
        (window(&sim, "users", 5, 20), window(&sim, "users", 23, 40), window(&sim, "users", 45, 60));
    eprintln!(
        "read-heavy: users' p99 {:.1} -> {:.1} -> {:.1} ms, success in the crash {:.1}%, run {:.1}%",
        normal.p99_ms,
        crash.p99_ms,
        later.p99_ms,
        crash.success() * 100.0,
        success(&r) * 100.0
    );
    assert_eq!(normal.failed, 0);
    assert!(crash.p99_ms > 5.0 * normal.p99_ms); // 79 -> 632 ms
    assert!(crash.success() < 0.98); // 94.4%
    assert!(writes.failed > 0); // 92, with the primary 5% busy

    // Replica 3 is back at 40 s and the backlog is gone within seconds.
    assert_eq!(later.failed, 0);
    assert!(later.p99_ms < 1.5 * normal.p99_ms); // 77 ms
    assert!(success(&r) > 0.95); // 97.4%

    // With a fourth replica the three left keep up.
    let (sim4, _) = run_scenario(&read_heavy_with_four_replicas());
    let (normal4, crash4) = (window(&sim4, "users", 5, 20), window(&sim4, "users", 23, 40));
    assert_eq!(crash4.failed, 0);
    assert!(crash4.p99_ms < 1.5 * normal4.p99_ms, "{normal4:?} {crash4:?}"); // 78 ms
}

/// Che's approximation of an LRU cache's hit ratio under independent
/// requests with popularities `p`: T solves sum (1 - exp(-p_i T)) = c, and the
/// hit ratio is sum p_i (1 - exp(-p_i T)) (Che, Tung, Wang, IEEE JSAC 2002).
fn che_lru(p: &[f64], c: f64) -> f64 {
    let occupancy = |t: f64| p.iter().map(|&q| 1.0 - libm::exp(-q * t)).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while occupancy(hi) < c {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if occupancy(mid) < c {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = 0.5 * (lo + hi);
    p.iter().map(|&q| q * (1.0 - libm::exp(-q * t))).sum()
}

#[test]
fn cache_aside_takes_most_reads_off_the_database_near_ches_prediction() {
    let s = load("cache-aside");
    let NodeKind::Cache(cache) = &s.nodes[s.node_index("cache").unwrap()].kind else { panic!("no cache") };
    let faultline_sim::scenario::Keys::Zipf { count, s: alpha } = s.workloads[0].keys else { panic!("Zipf keys") };
    let weights: Vec<f64> = (1..=count).map(|i| libm::pow(i as f64, -alpha)).collect();
    let total: f64 = weights.iter().sum();
    let p: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let che = che_lru(&p, f64::from(cache.capacity));

    let mut sim = Sim::new(&s).unwrap();
    sim.step_until(faultline_sim::SimTime::from_secs(50));
    let card = sim.view().nodes[s.node_index("cache").unwrap()].cache_hit_ratio.unwrap();
    sim.run();
    let r = sim.report();
    let hit = node(&r, "cache").cache.as_ref().unwrap().hit_ratio;
    eprintln!("cache-aside: hit ratio {hit:.4} over the run, {card:.4} on the card at 50 s, Che {che:.4}");
    // 0.557 over the run against Che's 0.605 for a warm cache without writes:
    // the cold start and the updates' deletes cost a few points.
    assert!(hit < che && che - hit < 0.07, "hit ratio {hit}, Che {che}");
    assert!((0.5..0.7).contains(&card), "the card near 60%: {card}"); // 0.58
    assert_eq!(r.requests.failed.total, 0);

    // The same design without the cache: the API queries the database itself.
    let mut bare = s.clone();
    bare.nodes.retain(|n| n.id != "cache");
    bare.edges.retain(|e| e.from != "cache" && e.to != "cache");
    bare.edges.push(faultline_sim::scenario::Edge { from: "api".into(), to: "db".into(), ..s.edges[1].clone() });
    let api = bare.node_index("api").unwrap();
    let NodeKind::Service(api) = &mut bare.nodes[api].kind else { panic!("no api") };
    api.calls[0].to = "db".into();
    let (_, without) = run_scenario(&bare);
    let (db_with, db_without) = (node(&r, "db").arrivals, node(&without, "db").arrivals);
    eprintln!(
        "cache-aside: database queries {db_without} -> {db_with}; p99 {:.1} -> {:.1} ms; failed {} -> 0",
        without.latency_ms.p99, r.latency_ms.p99, without.requests.failed.total
    );
    assert!((db_with as f64) < 0.6 * db_without as f64); // 42,540 vs 85,530
    assert!(without.latency_ms.p99 > 200.0 && r.latency_ms.p99 < 80.0); // 249 vs 59 ms
    assert!(without.requests.failed.total as f64 > 0.03 * without.requests.generated as f64);
    // 5.0% rejected
}

#[test]
fn fanout_gateway_inherits_the_slowest_backends_tail() {
    let (_, r) = run("fanout-gateway");
    let gateway = &node(&r, "gateway").latency_ms;
    let recs = &node(&r, "recs").latency_ms;
    let others = ["profile", "catalog", "pricing", "inventory"];
    eprintln!(
        "fan-out: gateway p50 {:.1} p99 {:.1} ms, recommendations p99 {:.1} ms",
        gateway.p50, gateway.p99, recs.p99
    );
    assert!(success(&r) > 0.999); // nothing is broken
    assert!(gateway.p99 >= 0.9 * recs.p99); // 325.6 vs 323.6 ms
    for id in others {
        let p99 = node(&r, id).latency_ms.p99;
        assert!(gateway.p99 > 8.0 * p99, "{id}: {p99}"); // at most 20.7 ms
    }
    // Each page waits for the slowest of five: its median is above every backend's.
    for id in others.iter().chain(&["recs"]) {
        let p50 = node(&r, id).latency_ms.p50;
        assert!(gateway.p50 > p50, "{id}: {p50} vs {}", gateway.p50); // 13.9 vs at most 7.8 ms
    }
    // The suggested fix: a 60 ms timeout with a default fallback on the long-tail call.
    let mut s = load("fanout-gateway");
    let link = s.edges.iter_mut().find(|e| e.from == "gateway" && e.to == "recs").unwrap();
    link.timeout_ms = Some(60.0);
    link.fallback = Some(Fallback::Default);
    let (_, fixed) = run_scenario(&s);
    let fixed_gateway = &node(&fixed, "gateway").latency_ms;
    let link = fixed.edges.iter().find(|e| e.from == "gateway" && e.to == "recs").unwrap();
    let without = link.failed.timeout as f64 / link.calls as f64;
    eprintln!(
        "fan-out with the fallback: gateway p99 {:.1} ms, {:.1}% without recommendations",
        fixed_gateway.p99,
        without * 100.0
    );
    assert!(fixed_gateway.p99 < 100.0); // 62.2 ms
    assert!((0.05..0.15).contains(&without), "{without}"); // 9.9%
    assert!(success(&fixed) > 0.999);
}

// The theory presets: the claims their narratives make.

/// Time in an M/M/c system, in ms (Erlang C), from the scenario's one
/// exponential service and Poisson workload.
fn erlang_c_w_ms(s: &Scenario) -> f64 {
    let NodeKind::Service(svc) = &s.nodes[s.node_index("svc").unwrap()].kind else { panic!("svc is a service") };
    let Dist::Exponential { mean_ms } = svc.service_time else { panic!("exponential service") };
    let Arrival::Poisson { rate_rps } = s.workloads[0].arrival else { panic!("Poisson arrivals") };
    let (c, mu, lambda) = (svc.workers, 1.0 / mean_ms, rate_rps / 1e3);
    let a = lambda / mu;
    let (mut term, mut sum) = (1.0, 0.0); // a^k / k!
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let top = term * f64::from(c) / (f64::from(c) - a);
    let p_wait = top / (sum + top);
    p_wait / (f64::from(c) * mu - lambda) + 1.0 / mu
}

/// Seeds the M/M/1 preset's mean is averaged over. One 10-minute run at
/// rho 0.9 (54,000 requests, strongly correlated) has a standard error of
/// about 7% on its mean time in system (per seed: 91.5 to 113.1 ms against
/// 100), so the old 10% bound on one seed passed by luck of that seed; over
/// 16 seeds the standard error is under 2%.
const MM1_SEEDS: u64 = 16;

#[test]
fn queueing_presets_match_theory_and_pooling_cuts_the_wait() {
    let (s1, s8) = (load("mm1-rho-0.9"), load("mmc-8-rho-0.9"));
    let (_, one) = run_scenario(&s1);
    let (_, eight) = run_scenario(&s8);
    let (w1, w8) = (erlang_c_w_ms(&s1), erlang_c_w_ms(&s8));
    let means: Vec<f64> = (0..MM1_SEEDS)
        .map(|i| {
            let mut s = s1.clone();
            s.seed = s1.seed + i;
            run_scenario(&s).1.latency_ms.mean
        })
        .collect();
    let mean1 = means.iter().sum::<f64>() / means.len() as f64;
    eprintln!(
        "queueing: M/M/1 W {mean1:.1} ms over {MM1_SEEDS} seeds {means:.1?} (theory {w1:.1}), M/M/8 W {:.1} ms (theory {w8:.1}); p99 {:.1} vs {:.1} ms",
        eight.latency_ms.mean, one.latency_ms.p99, eight.latency_ms.p99
    );
    assert!((mean1 / w1 - 1.0).abs() < 0.06, "M/M/1: W {mean1:.1} ms over {MM1_SEEDS} seeds, theory {w1:.1}");
    assert!((eight.latency_ms.mean / w8 - 1.0).abs() < 0.05); // 18.8 vs 18.77 ms
    assert!(eight.latency_ms.p99 * 4.0 < one.latency_ms.p99); // 70.1 vs 473.1 ms
    assert_eq!(one.requests.failed.total + eight.requests.failed.total, 0);
}

/// The celebrity's shard carries the likes plus its eighth of the reads: a
/// max/mean load of (likes + reads/S) / ((likes + reads)/S), computed from the
/// scenario's rates (4.18 measured); split over 16 salted sub-keys the
/// busiest shard carries 1.24 times the mean and nothing fails.
#[test]
fn hot_key_one_shard_carries_the_celebrity_until_the_key_is_split() {
    let rate = |s: &Scenario, id: &str| s.workloads.iter().find(|w| w.id == id).unwrap().arrival.rate_rps();
    let s = load("hot-key-before");
    let NodeKind::Database(db) = &s.nodes.iter().find(|n| n.id == "db").unwrap().kind else { panic!("db") };
    let shards = f64::from(db.shards);
    let (likes, reads) = (rate(&s, "likes"), rate(&s, "users"));
    let expected = (likes + reads / shards) / ((likes + reads) / shards);
    let (_, before) = run_scenario(&s);
    let (_, after) = run("hot-key-after");
    let hot = node(&before, "db").shards.as_ref().unwrap().max_mean_ratio;
    assert!((hot - expected).abs() < 0.05 * expected, "hot shard {hot} x the mean, expected {expected}");
    assert!(success(&before) < 0.7, "the hot shard's backlog fails requests everywhere: {}", success(&before));
    let split = node(&after, "db").shards.as_ref().unwrap().max_mean_ratio;
    assert!(split < 1.5, "salted: {split}");
    assert!(success(&after) > 0.999, "{}", success(&after));
}

/// The most queries the database holds at once (running or queued), sampled
/// every 50 ms, and the cache's books.
fn stampede_peak(name: &str) -> (u32, faultline_sim::report::CacheReport, Report) {
    let s = load(name);
    let db = s.node_index("db").unwrap();
    let mut sim = Sim::new(&s).unwrap();
    let (mut peak, mut t) = (0, 0);
    while !sim.is_finished() {
        t += 50;
        sim.step_until(faultline_sim::SimTime::from_millis(t));
        peak = peak.max(sim.node(db).in_flight);
    }
    assert!(sim.audit().is_ok(), "{name}: {:?}", sim.audit());
    let r = sim.report();
    let cache = node(&r, "cache").cache.clone().expect("a cache reports its books");
    (peak, cache, r)
}

/// Every read that arrives while the expired hot key is being fetched misses
/// too: without single-flight the database holds rate x fill time queries at
/// once (20/s x 2 s = 40; 40 measured, 41 queries a fill), with it one.
#[test]
fn cache_stampede_sends_rate_times_fill_queries_until_misses_coalesce() {
    let s = load("cache-stampede-before");
    let Arrival::Constant { rate_rps } = s.workloads[0].arrival else { panic!("evenly spaced reads") };
    let NodeKind::Database(db) = &s.nodes[s.node_index("db").unwrap()].kind else { panic!("db") };
    let Dist::Constant { ms: fill_ms } = db.query_time else { panic!("a constant query time") };
    let expected = rate_rps * fill_ms / 1e3;
    let (peak, before, r) = stampede_peak("cache-stampede-before");
    eprintln!("cache stampede: peak {peak} concurrent queries (rate x fill {expected}), {before:?}");
    assert!((f64::from(peak) - expected).abs() <= 0.05 * expected, "peak {peak}, expected about {expected}");
    assert_eq!(before.stats.coalesced, 0);
    assert_eq!(before.stats.fetches, before.stats.misses, "every miss queries the database");
    // One fill at the start and one per expiry, each about rate x fill queries.
    let fills = before.stats.expired + 1;
    assert!(fills >= 4, "several expiries in the run: {fills}");
    let per_fill = before.stats.fetches as f64 / fills as f64;
    assert!((per_fill - expected).abs() <= 0.05 * expected, "{per_fill} queries a fill");
    assert_eq!(r.requests.failed.total, 0);

    let (peak, after, r) = stampede_peak("cache-stampede-after");
    eprintln!("cache stampede, single-flight: peak {peak} concurrent queries, {after:?}");
    assert_eq!(peak, 1);
    assert_eq!(after.stats.fetches, after.stats.expired + 1, "one query per fill");
    assert_eq!(after.stats.coalesced + after.stats.fetches, after.stats.misses);
    assert_eq!(
        (after.stats.hits, after.stats.misses),
        (before.stats.hits, before.stats.misses),
        "the same reads miss in both runs"
    );
    assert_eq!(r.requests.failed.total, 0);
}

/// A reshard 8 -> 9: under mod-N hashing a key stays only when h mod 8 =
/// h mod 9, so N/(N + 1) = 8/9 of the keys move (89.0% measured); on a
/// consistent ring of V = 100 points a shard only the new shard's arcs move,
/// about 1/(N + 1) (11.7% measured; its share varies by about 1/sqrt(V),
/// so the tolerance is three of those). Queries for moved keys pay the
/// migration penalty during the window: rate x window x moved share.
#[test]
fn resharding_moves_n_over_n_plus_one_of_the_keys_unless_the_ring_is_consistent() {
    let s = load("resharding-mod-vs-consistent");
    let NodeKind::Database(db) = &s.nodes[s.node_index("db").unwrap()].kind else { panic!("db") };
    let (n, points) = (f64::from(db.shards), f64::from(db.virtual_nodes));
    let (window_s, rate) = (db.migration_window_ms as f64 / 1e3, s.workloads[0].arrival.rate_rps());
    let shards = |r: &Report| node(r, "db").shards.clone().expect("a sharded database reports its shards");
    let (_, r) = run_scenario(&s);
    let hash = shards(&r);
    let moved = hash.moved_keys.unwrap();
    eprintln!("resharding, hash: {hash:?}, p99 {:.1} ms", r.latency_ms.p99);
    assert_eq!((hash.count, hash.reshards), (db.shards + 1, 1));
    assert!((moved - n / (n + 1.0)).abs() < 0.01, "hash moved {moved}, expected {}", n / (n + 1.0));
    let paid = rate * window_s * moved;
    assert!(
        (hash.migrated_queries as f64 - paid).abs() < 0.05 * paid,
        "{} paid, expected {paid}",
        hash.migrated_queries
    );
    assert!(success(&r) > 0.999);

    // The "try": the same scenario on a consistent-hashing ring.
    let mut ring = s.clone();
    let idx = ring.node_index("db").unwrap();
    let NodeKind::Database(db) = &mut ring.nodes[idx].kind else { panic!("db") };
    db.partitioning = faultline_sim::scenario::Partitioning::Consistent;
    let (_, c) = run_scenario(&ring);
    let consistent = shards(&c);
    let moved = consistent.moved_keys.unwrap();
    eprintln!("resharding, consistent: {consistent:?}, p99 {:.1} ms", c.latency_ms.p99);
    let expected = 1.0 / (n + 1.0);
    let tol = 3.0 * expected / libm::sqrt(points);
    assert!((moved - expected).abs() < tol, "consistent moved {moved}, expected {expected} +- {tol}");
    let paid = rate * window_s * moved;
    let got = consistent.migrated_queries as f64;
    assert!((got - paid).abs() < 0.1 * paid, "{got} paid, expected {paid}");
    assert!(c.latency_ms.p99 < r.latency_ms.p99, "fewer penalised queries, a lower p99");
    assert!(success(&c) > 0.999);
}

#[test]
fn queue_decoupling_keeps_checkout_whole_while_email_is_down() {
    let (_, r) = run("queue-decoupling");
    let queue = node(&r, "events").queue.as_ref().expect("events is a queue");
    eprintln!("queue decoupling: checkout p99 {:.1} ms, {queue:?}", r.latency_ms.p99);
    assert_eq!(r.requests.failed.total, 0);
    assert!(r.latency_ms.p99 < 30.0); // 20.1 ms
    assert!(node(&r, "email").failed.total > 0);
    assert!(queue.dead_lettered > 1_000); // 1,679 events lost to the crash
                                          // The "try": a 5 s redelivery delay outlasts the outage (3 redeliveries, 15 s).
    let with = |delay_ms: u64, consumers: u32| {
        let mut s = load("queue-decoupling");
        for n in &mut s.nodes {
            match &mut n.kind {
                NodeKind::Queue(q) => {
                    q.redelivery_delay_ms = delay_ms;
                    q.consumers = consumers;
                }
                NodeKind::Service(svc) if n.id == "email" => svc.workers = consumers,
                _ => {}
            }
        }
        let (_, r) = run_scenario(&s);
        node(&r, "events").queue.clone().expect("events is a queue")
    };
    let delayed = with(5_000, 4);
    eprintln!("queue decoupling, 5 s redelivery delay: {delayed:?}");
    assert_eq!(delayed.dead_lettered, 0);
    // Email is busy to the end either way: it delivers as many, and holds
    // what the other run lost (give or take the deliveries on their way at
    // the end: at most one per consumer, 4 per run).
    assert!(delayed.delivered.abs_diff(queue.delivered) <= 8, "{} vs {}", delayed.delivered, queue.delivered);
    let accounted = |q: &faultline_sim::report::QueueReport| q.delivered + u64::from(q.depth);
    assert!(accounted(&delayed).abs_diff(accounted(queue) + queue.dead_lettered) <= 8);
    let spare = with(5_000, 8);
    assert_eq!((spare.dead_lettered, spare.depth), (0, 0));
    // All of the events, but the few (at most one per consumer) on their way at the end.
    assert!(spare.delivered <= r.requests.ok && r.requests.ok - spare.delivered <= 8);
}

#[test]
fn region_partition_fails_everything_and_overload_lingers() {
    let (sim, r) = run("region-partition");
    let (early, cut, heal, late) = (
        window(&sim, "client", 0, 20),
        window(&sim, "client", 20, 40),
        window(&sim, "client", 41, 47),
        window(&sim, "client", 48, 60),
    );
    eprintln!(
        "region partition: success {:.1}% / {:.1}% / {:.1}% / {:.1}%, run {:.1}%",
        early.success() * 100.0,
        cut.success() * 100.0,
        heal.success() * 100.0,
        late.success() * 100.0,
        success(&r) * 100.0
    );
    assert!(early.failed > 0 && early.success() > 0.95); // overload just before the cut: 97.1%
    assert!(cut.success() < 0.01); // 0.1%
    assert!(heal.failed > 0);
    assert_eq!(late.failed, 0);
    assert_eq!(node(&r, "db").failed.total, 0, "the database itself never fails");
    // With 64 workers nothing fails outside the cut: that part was overload.
    let mut s = load("region-partition");
    let web = s.node_index("web").unwrap();
    let NodeKind::Service(svc) = &mut s.nodes[web].kind else { panic!("web is a service") };
    svc.workers = 64;
    let (sim64, _) = run_scenario(&s);
    assert_eq!(window(&sim64, "client", 0, 19).failed + window(&sim64, "client", 42, 60).failed, 0);
}

/// The pool settings, replicas and deploy limits of a connection-storm preset.
fn storm_numbers(s: &Scenario) -> (u32, u32, u32, u32, u32, u32) {
    let NodeKind::Service(api) = &s.nodes[s.node_index("api").unwrap()].kind else { panic!("api") };
    let NodeKind::Database(db) = &s.nodes[s.node_index("db").unwrap()].kind else { panic!("db") };
    let pool = api.connection_pool.expect("the api has a connection pool");
    let faultline_sim::scenario::FaultAction::Deploy { max_surge, max_unavailable, .. } = &s.faults[0].action else {
        panic!("a deploy")
    };
    let default = faultline_sim::scenario::deploy::default_scale();
    let (surge, unavailable) = faultline_sim::scenario::deploy::resolve_limits(
        api.instances,
        max_surge.as_ref().unwrap_or(&default),
        max_unavailable.as_ref().unwrap_or(&default),
    );
    (api.instances, pool.pool_size, pool.min_pool, db.max_connections, surge, unavailable)
}

/// Seconds in which the users saw at least one failed request.
fn error_seconds(sim: &Sim) -> usize {
    let users = sim.scenario().node_index("users").unwrap();
    sim.node_metrics(users).series().filter(|p| p.failed > 0).count()
}

/// 50 pods that may each hold 20 connections want 1,000 of PostgreSQL's 500.
/// Before the deploy they hold their minimum pools, 50 x 10 = 500: the
/// database is full. The deploy (25%: surge ceil(12.5) = 13, unavailable
/// floor(12.5) = 12) starts 25 new pods that cannot open their minimum
/// pools: they exit and crash-loop, and the old pods' growing pools take
/// every connection the drained ones free, so the rollout stalls at 38 old
/// pods (measured: 78 failed starts, 66 restarts, 7,871 refused
/// connections, 0 error seconds, 38 ready at the end). The fix: pools of 8
/// with a 10% surge and no unavailable pod: at most (50 + 5) x 8 = 440
/// connections, none refused, the rollout done (at 80 s), no errors.
#[test]
fn connection_storm_crash_loops_until_pools_fit_under_max_connections() {
    let s = load("connection-storm-before");
    let (replicas, pool, min_pool, max, surge, unavailable) = storm_numbers(&s);
    assert!(replicas * pool > max, "the pools want more than the database allows");
    assert_eq!(replicas * min_pool, max, "the minimum pools alone fill it");
    let (sim, r) = run_scenario(&s);
    let api = node(&r, "api").instances.expect("instances reported");
    let db = node(&r, "db").connections.expect("connections reported");
    let errors = error_seconds(&sim);
    eprintln!("connection storm: {api:?}, {db:?}, {errors} error seconds");
    assert_eq!(db.peak, max, "never past max_connections");
    assert!(db.refused > 1_000, "refused {}", db.refused);
    // At least the first wave fails: every new pod of it finds the database full.
    assert!(api.failed_starts >= u64::from(surge + unavailable) * 2, "{api:?}");
    assert!(api.restarts >= u64::from(surge + unavailable), "{api:?}");
    assert_eq!(api.rollout_done_ms, None, "the rollout stalls");
    assert_eq!(api.ready, replicas - unavailable, "the old pods the controller may keep serve alone");

    let s = load("connection-storm-after");
    let (replicas, pool, _, max, surge, unavailable) = storm_numbers(&s);
    assert_eq!((surge, unavailable), (5, 0), "10% of 50 rounds up to 5");
    let bound = (replicas + surge) * pool;
    assert!(bound < max);
    let (sim, r) = run_scenario(&s);
    let api = node(&r, "api").instances.expect("instances reported");
    let db = node(&r, "db").connections.expect("connections reported");
    let errors = error_seconds(&sim);
    eprintln!("connection storm fixed: {api:?}, {db:?}, {errors} error seconds");
    assert_eq!(db.peak, bound, "every pod's pool at once, surge included");
    assert_eq!((db.refused, api.failed_starts, api.restarts), (0, 0, 0));
    assert!(api.rollout_done_ms.is_some_and(|t| t < s.duration_ms), "{api:?}");
    assert_eq!(api.ready, replicas);
    assert_eq!(errors, 0);
    assert_eq!(r.requests.failed.total, 0);
}

/// The seed's own telling of the storm: pools of 20 opened in full at
/// start-up (min pool 20) by 50 pods that all restart at once (API crashes
/// for 0.1 s at 10 s) against max_connections 500. The first 500 / 20 = 25
/// pods to connect take every connection; the other 25 are refused, exit
/// and crash-loop (restarted at once, then 10 s, 20 s and 40 s later: each
/// fails again), and the users' requests that reach them fail. The
/// connection-storm entry's "try" tells it, on the preset's own 90 s run.
/// (Measured: 25 ready, 100 failed starts, 4,975 refused connections, 18%
/// of requests failed.)
#[test]
fn the_seeds_connection_storm_half_the_pods_restarted_together_cannot_start() {
    let path = repo_root().join("assets/scenarios/connection-storm-before.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["nodes"][1]["kind"]["connection_pool"]["min_pool"] = 20.into();
    doc["faults"] =
        serde_json::json!([{ "at_ms": 10_000, "duration_ms": 100, "action": { "type": "crash", "node": "api" } }]);
    let s = Scenario::from_json(&doc.to_string()).unwrap();
    let (replicas, pool, min_pool, max, ..) = storm_numbers_of_pool(&s);
    assert_eq!((replicas, pool, min_pool, max), (50, 20, 20, 500));
    let (_, r) = run_scenario(&s);
    let api = node(&r, "api").instances.expect("instances reported");
    let db = node(&r, "db").connections.expect("connections reported");
    eprintln!("the seed's storm: {api:?}, {db:?}, {} of {} failed", r.requests.failed.total, r.requests.generated);
    let fit = max / min_pool;
    assert_eq!(api.ready, fit, "exactly the pods whose minimum pools fit start");
    assert_eq!(db.peak, max);
    // Every pod left out fails its start at least three times within the
    // run (the restart, then at once and 10 s later; the next is 20 s on).
    assert!(api.failed_starts >= 3 * u64::from(replicas - fit), "{api:?}");
    let failed_pct = (100.0 * r.requests.failed.total as f64 / r.requests.generated as f64).round();
    assert!(failed_pct > 10.0, "the users see it: {failed_pct}%");
    says(
        "connection-storm-before",
        &format!(
            "{fit} pods ({max} / {min_pool}) start, the other {} crash-loop, and {failed_pct}% of requests fail",
            replicas - fit
        ),
    );
}

/// Replicas, pool size, minimum pool and max_connections of a storm design.
fn storm_numbers_of_pool(s: &Scenario) -> (u32, u32, u32, u32) {
    let NodeKind::Service(api) = &s.nodes[s.node_index("api").unwrap()].kind else { panic!("api") };
    let NodeKind::Database(db) = &s.nodes[s.node_index("db").unwrap()].kind else { panic!("db") };
    let pool = api.connection_pool.expect("the api has a connection pool");
    (api.instances, pool.pool_size, pool.min_pool, db.max_connections)
}

/// An AP price store read and written at ONE sells at the old price where a
/// change has not arrived: the EU replica while it is partitioned from the
/// US (8 s to 20 s) and every replica for the replication lag after each
/// change (810 stale reads measured, $16,200 at $20 each). The CP store never
/// reads stale; its EU replica, a minority of one, fails EU's purchases
/// while cut off instead (664 measured, 50/s x 12 s + the timeout's reach).
#[test]
fn flash_sale_sells_at_the_old_price_until_the_store_is_cp() {
    let store = |r: &Report| {
        let n = node(r, "prices");
        n.store.clone().expect("a store reports its books")
    };
    let (_, before) = run("flash-sale-before");
    let b = store(&before);
    eprintln!("flash sale, AP: {b:?}");
    assert!(b.stale_reads > 600, "EU reads the old price for ~12 s at 50/s: {}", b.stale_reads);
    assert_eq!(b.money_lost, b.stale_reads as f64 * 20.0);
    let (stale, lost) = (grouped(b.stale_reads), grouped(b.money_lost as u64));
    says("flash-sale-before", &format!("{stale} purchases at a stale price, ${lost} lost"));
    says("flash-sale-before", &format!("counts {stale} stale reads, ${lost} of money lost"));
    assert_eq!((b.unavailable, before.requests.failed.total), (0, 0), "an AP store answers on both sides");
    let (_, after) = run("flash-sale-after");
    let a = store(&after);
    eprintln!("flash sale, CP: {a:?}");
    assert_eq!((a.stale_reads, a.lost_writes, a.money_lost), (0, 0, 0.0));
    // The linearizability checker, independent of the store's own counters:
    // the AP store's stale prices make its history impossible for one copy.
    // The CP store's whole history (3,858 operations on one key, hundreds of
    // reads overlapping the second price change as the partition heals) is
    // proved linearizable within the report's search budget: reads that see
    // the register's value are no choice points for the search.
    assert_eq!(b.linearizable, Some(false), "{}", b.linearizability);
    assert_eq!(a.linearizable, Some(true), "{}", a.linearizability);
    assert_eq!(a.writes, 2, "both price changes commit on the majority side");
    let eu = node(&after, "shoppers-eu");
    assert!(eu.failed.total > 500, "EU's purchases fail while it is cut off: {}", eu.failed.total);
    says("flash-sale-before", &format!("{} EU purchases fail", grouped(eu.failed.total)));
    // Only before the first leader is elected (the first second or two).
    let us = node(&after, "shoppers-us");
    assert!(us.failed.total * 20 < us.ok, "US is on the majority side: {} failed", us.failed.total);
}

/// One shop, two stores over three zones, zone C cut off from 10 s to 20 s.
/// Inventory (CP) never reads stale stock and refuses zone C during the cut
/// (171 unavailable measured, about 20/s x 10 s less the leader's reads
/// that got through before the cut); the cart (AP at ONE, siblings) answers
/// every request, keeps the carts written on both sides as siblings (94
/// measured) and loses no acknowledged write.
#[test]
fn cart_vs_inventory_trades_availability_for_consistency_per_store() {
    let (_, r) = run("cart-vs-inventory");
    let inv = node(&r, "inventory").store.clone().expect("inventory is a store");
    let cart = node(&r, "cart").store.clone().expect("cart is a store");
    eprintln!("inventory: {inv:?}\ncart: {cart:?}");
    assert_eq!((inv.mode, cart.mode), ("cp", "ap"));
    assert_eq!((inv.stale_reads, inv.lost_writes), (0, 0), "CP: never oversold");
    assert_eq!(inv.linearizable, Some(true), "{}", inv.linearizability);
    assert!(inv.unavailable > 100, "zone C cannot reach a majority for 10 s: {}", inv.unavailable);
    // The failures are zone C's: A and B hold the majority.
    let c = node(&r, "shoppers-c").failed.total;
    let ab = node(&r, "shoppers-a").failed.total + node(&r, "shoppers-b").failed.total;
    assert!(c > 100 && ab * 5 < c, "zone C {c} failed, zones A and B {ab}");
    assert_eq!(cart.unavailable, 0, "AP: the cart answers in every zone");
    for name in ["add_to_cart", "view_cart"] {
        assert_eq!(op(&r, name).failed, 0, "{name} never fails");
    }
    assert!(cart.conflicts > 20, "carts written on both sides come back as siblings: {}", cart.conflicts);
    assert_eq!(cart.lost_writes, 0, "siblings lose no acknowledged write");
}

#[test]
fn phantom_deductions_vanish_when_an_order_is_keyed_together_and_checked_in_sequence() {
    let (_, before) = run("phantom-deductions-before");
    let (_, after) = run("phantom-deductions-after");
    let b = node(&before, "events").log.clone().expect("events is a log");
    let a = node(&after, "events").log.clone().expect("events is a log");
    eprintln!("phantom deductions before: {b:?}\nafter: {a:?}");
    // The same traffic: one event of each type per order, every one processed by the end.
    assert_eq!(a.published, b.published);
    assert_eq!(b.published, 2 * before.requests.generated);
    for l in [&a, &b] {
        assert_eq!(l.published, l.processed + l.dead_lettered + l.lost + l.rejected + l.in_flight);
        assert_eq!(l.rebalances, 1, "the consumer crash rebalances the group once");
    }
    // Before: the two events of an order race on different partitions (about
    // 40% lose), retries land out of order, the rebalance replays.
    assert!(b.phantom_deductions > 1_000, "{}", b.phantom_deductions); // 1,286
    assert!(b.phantom_deductions * 5 > b.published, "roughly two orders in five");
    assert!(b.duplicates_processed > 200, "{}", b.duplicates_processed); // 275
    assert!(b.append_reorders > 0);
    let name = "phantom-deductions-before";
    says(name, &format!("({} phantom deductions in 60 s)", grouped(b.phantom_deductions)));
    says(name, &format!("({} appends out of order)", grouped(b.append_reorders)));
    says(name, &format!("{} duplicates in all", grouped(b.duplicates_processed)));
    says(name, &format!("skips the {} replayed records", grouped(a.deduplicated)));
    let p50 = |l: &faultline_sim::report::LogReport| l.end_to_end_ms.p50;
    says(name, &format!("(p50 {:.1} ms against {:.1} ms", p50(&a), p50(&b)));
    // After: nothing of the sort, for a little end-to-end latency.
    assert_eq!((a.phantom_deductions, a.duplicates_processed, a.order_violations), (0, 0, 0));
    assert_eq!((a.append_reorders, a.dead_lettered, a.lost), (0, 0, 0));
    assert!(a.deduplicated > 100, "the replay is skipped, not processed: {}", a.deduplicated);
    assert!(a.end_to_end_ms.p50 > b.end_to_end_ms.p50, "{} vs {}", a.end_to_end_ms.p50, b.end_to_end_ms.p50);
}

/// Dual write: the orders committed while Orders was crashing (its calls
/// to the database open at each crash, counted here at the crash moments)
/// and every order committed while the broker was down (the publish is
/// refused after the commit) are never published. The outbox loses none of
/// the same committed writes, and customers no longer see an error for an
/// order that was placed, for the relay's delay.
#[test]
fn a_dual_write_loses_orders_at_each_crash_and_the_outbox_none() {
    let s = load("outbox-before");
    let mut sim = Sim::new(&s).unwrap();
    let db_edge = s.edges.iter().position(|e| e.from == "orders" && e.to == "orders-db").unwrap();
    let mut open_at_crashes = 0;
    for at in [15_000_000u64, 30_000_000] {
        sim.step_until(faultline_sim::SimTime(at - 1));
        open_at_crashes += u64::from(sim.edge(db_edge).in_flight);
    }
    sim.run();
    let before = sim.report();
    let (_, after) = run("outbox-after");
    let b = node(&before, "events").log.clone().expect("events is a log");
    let a = node(&after, "events").log.clone().expect("events is a log");
    let (bs, as_) = (b.source.clone().unwrap(), a.source.clone().unwrap());
    eprintln!("outbox before: {b:?}\nafter: {a:?}\nopen at the service crashes: {open_at_crashes}");
    // The broker is down 3 s at 200 orders/s: about 600 orders published into a refusal.
    let broker_outage = bs.unpublished - open_at_crashes;
    assert!(open_at_crashes > 5, "{open_at_crashes}");
    assert!((550..=650).contains(&broker_outage), "{broker_outage}");
    assert_eq!(b.lost, bs.unpublished);
    assert_eq!(bs.committed, as_.committed, "the same orders committed");
    assert_eq!((a.lost, as_.unpublished, a.rejected), (0, 0, 0));
    assert_eq!(as_.committed, as_.relayed + as_.waiting);
    for l in [&a, &b] {
        assert_eq!(l.published, l.processed + l.dead_lettered + l.lost + l.rejected + l.in_flight);
    }
    // The customers' errors: the orders refused by the crashed service in
    // both, plus, with the dual write, those whose publish the broker refused.
    assert!(before.requests.failed.total > after.requests.failed.total + 500);
    let name = "outbox-before";
    says(name, &format!("{} orders committed over a minute never become events", grouped(b.lost)));
    says(name, &format!("{} committed orders (the writes open at the two crash moments)", grouped(open_at_crashes)));
    says(name, &format!("{} more events are never published", grouped(broker_outage)));
    says(name, &format!("{} orders committed, {} lost", grouped(bs.committed), grouped(b.lost)));
    let (failed_before, failed_after) = (before.requests.failed.total, after.requests.failed.total);
    says(name, &format!("({} failed requests instead of {}", grouped(failed_after), grouped(failed_before)));
    assert!(a.end_to_end_ms.p50 > b.end_to_end_ms.p50 + 50.0, "{} vs {}", a.end_to_end_ms.p50, b.end_to_end_ms.p50);
}

/// Two rebalances with auto-commit every 5 s: Billing crashes for 2 s and
/// rejoins; later it pauses for 18 s, past the session timeout, is dropped
/// and rejoins. Each time every partition goes back to its last commit, so
/// the duplicates processed are exactly the events processed between the
/// last commit and the end of each rebalance (the test watches the commits
/// and the group every 100 us, not the log's own counters), and the lag
/// climbs while nothing is consumed.
#[test]
fn a_rebalance_with_auto_commit_processes_again_what_was_not_committed() {
    use faultline_sim::nodes::log::group::GroupState;
    use faultline_sim::nodes::Behaviour;
    let s = load("consumer-rebalance");
    let mut sim = Sim::new(&s).unwrap();
    let log = |sim: &Sim| match &sim.node(1).behaviour {
        Behaviour::Log(l) => {
            let lag: u64 = l.lag().iter().sum();
            (l.group.cursors.iter().map(|c| c.committed).sum::<u64>(), l.group.state, l.books.processed, lag)
        }
        _ => unreachable!("node 1 is the log"),
    };
    let (mut last_commit, mut processed_at_commit, mut expected, mut max_lag) = (0, 0, Vec::new(), 0);
    let mut previous = GroupState::Running;
    let mut t = 0;
    while !sim.is_finished() {
        t += 100;
        sim.step_until(faultline_sim::SimTime(t));
        let (committed, state, processed, lag) = log(&sim);
        if committed != last_commit && state == GroupState::Running {
            last_commit = committed;
            processed_at_commit = processed;
        }
        if previous != GroupState::Running && state == GroupState::Running {
            expected.push(processed - processed_at_commit);
        }
        previous = state;
        max_lag = max_lag.max(lag);
    }
    let r = sim.report();
    let l = node(&r, "ledger-events").log.clone().expect("a log");
    eprintln!("consumer rebalance: processed since the last commit at each rebalance {expected:?}, {l:?}");
    assert_eq!(l.rebalances, 3, "the crash's rejoin, the eviction, the rejoin after the pause");
    assert_eq!(expected.len(), 2);
    assert!(expected.iter().all(|&e| e > 100), "{expected:?}");
    assert_eq!(l.duplicates_processed, expected.iter().sum::<u64>());
    // 150 events/s and nothing consumed for the pause and the rebalance.
    assert!(max_lag > 150 * 18, "{max_lag}");
    assert_eq!(l.published, l.processed + l.in_flight + l.lost + l.dead_lettered + l.rejected);
}

/// A write that lands while a read's fetch of its key is out deletes a key
/// that is not there yet; the fetch then fills the version it read, older
/// than the database's, and hits serve it until the next write (283 stale
/// reads of 10,611 hits measured). Leases drop those fills: none stale, for
/// a slightly lower hit ratio (92.5% -> 91.6%).
#[test]
fn cache_invalidation_race_serves_stale_reads_until_leases_drop_the_racing_fills() {
    let (_, before) = run("cache-invalidation-race-before");
    let (_, after) = run("cache-invalidation-race-after");
    let (b, a) = (node(&before, "cache").cache.clone().unwrap(), node(&after, "cache").cache.clone().unwrap());
    eprintln!("invalidation race: before {b:?}, after {a:?}");
    assert!(b.stats.stale_reads as f64 > 0.01 * b.stats.hits as f64, "{b:?}");
    assert_eq!(b.stats.refused_fills, 0);
    assert_eq!(a.stats.stale_reads, 0);
    assert!(a.stats.refused_fills > 0);
    assert_eq!(b.stats.writes, a.stats.writes, "the same traffic");
    assert!(b.hit_ratio - a.hit_ratio < 0.02, "{} vs {}", b.hit_ratio, a.hit_ratio);
    assert_eq!(before.requests.failed.total + after.requests.failed.total, 0);
}
