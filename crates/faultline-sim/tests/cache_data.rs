//! The cache's data semantics: versions kept by the database (the system
//! of record), stale reads, write policies, and what a crash loses.
//!
//! A stale read is a hit on an entry whose key the database has written
//! since the entry's value was read. Nothing here is scripted: every stale
//! read comes from the order in which reads, fills, writes and deletes
//! happen to meet, so each test sets up the timing that makes (or rules
//! out) a race and checks the count against what that timing implies.

use faultline_sim::calls::FailReason;
use faultline_sim::nodes::cache::CacheStats;
use faultline_sim::nodes::Behaviour;
use faultline_sim::scenario::{NodeKind, Scenario};
use faultline_sim::{Sim, SimTime};
use serde_json::{json, Value};

/// Client -> cache -> database; `db_ms` is the database's (constant) query
/// time and `link_ms` the cache -> database latency: their sum is how long
/// a fetch is in flight, the window of the invalidation race.
fn design(cache: Value, db_ms: f64, link_ms: f64, keys: u64, ops: Value, rate_rps: f64, duration_ms: u64) -> Scenario {
    let mut cache = cache;
    cache["type"] = json!("cache");
    if cache.get("lookup_time").is_none() {
        cache["lookup_time"] = json!({ "type": "constant", "ms": 0.0 });
    }
    serde_json::from_value(json!({
        "version": 1, "seed": 7, "duration_ms": duration_ms,
        "nodes": [
            { "id": "client", "kind": { "type": "client" } },
            { "id": "cache", "kind": cache },
            { "id": "db", "kind": { "type": "database", "max_connections": 100_000, "queue_capacity": 0,
                                    "query_time": { "type": "constant", "ms": db_ms }, "saturation": 0.0 } }
        ],
        "edges": [
            { "from": "client", "to": "cache", "latency": { "type": "constant", "ms": 0.0 }, "timeout_ms": null },
            { "from": "cache", "to": "db", "latency": { "type": "constant", "ms": link_ms }, "timeout_ms": null }
        ],
        "workloads": [{ "id": "w", "client": "client", "target": "cache",
                        "arrival": { "type": "poisson", "rate_rps": rate_rps },
                        "keys": { "type": "uniform", "count": keys }, "ops": ops }]
    }))
    .unwrap()
}

fn read_write(read: f64, write: f64) -> Value {
    json!([
        { "name": "read", "method": "GET", "weight": read },
        { "name": "write", "method": "PUT", "weight": write }
    ])
}

fn stats(sim: &Sim) -> CacheStats {
    match &sim.node(1).behaviour {
        Behaviour::Cache(c) => c.stats,
        _ => panic!("node 1 is not a cache"),
    }
}

fn run(s: &Scenario) -> (CacheStats, Sim) {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    assert!(sim.totals().balanced());
    sim.audit().unwrap();
    (stats(&sim), sim)
}

#[test]
fn the_invalidation_race_leaves_stale_entries_and_nothing_else_does() {
    // 20 keys, 1,000 req/s, one write in ten: a write lands on a key while
    // a read's fetch of it is in flight about rate x share x fetch time
    // x (1/keys) of the time. The read then fills the value it read before
    // the write, after the write deleted the key: later hits are stale.
    let ops = read_write(9.0, 1.0);
    let (raced, sim) = run(&design(json!({ "capacity": 100 }), 20.0, 1.0, 20, ops.clone(), 1_000.0, 20_000));
    eprintln!("race: {raced:?}");
    assert!(raced.stale_reads > 100, "stale reads with a 22 ms fetch window: {}", raced.stale_reads);
    assert!(raced.stale_reads < raced.hits / 2);
    let report = sim.report();
    assert_eq!(report.nodes[1].cache.as_ref().unwrap().stats.stale_reads, raced.stale_reads);
    assert_eq!(sim.view().nodes[1].cache_stale_reads, Some(raced.stale_reads), "on the card");

    // The same traffic with an instantaneous fetch: no read is ever in
    // flight when a write lands, so no entry can be older than the database.
    let (instant, _) = run(&design(json!({ "capacity": 100 }), 0.0, 0.0, 20, ops.clone(), 1_000.0, 20_000));
    assert_eq!(instant.stale_reads, 0, "{instant:?}");
    assert!(instant.writes > 1_000 && instant.hits > 10_000);

    // Reads only: nothing is ever written, nothing is stale.
    let (reads, _) = run(&design(json!({ "capacity": 100 }), 20.0, 1.0, 20, read_write(1.0, 0.0), 1_000.0, 20_000));
    assert_eq!(reads.stale_reads, 0);
    assert!(reads.hits > 15_000);

    // Leases: the same race, with the write's delete revoking the lease of
    // the fetch in flight, so its fill is dropped. Timings are constant, so
    // no read can reach the database before a write it followed: nothing
    // stale is ever filled.
    let (leased, _) =
        run(&design(json!({ "capacity": 100, "lease": true }), 20.0, 1.0, 20, ops.clone(), 1_000.0, 20_000));
    eprintln!("race with leases: {leased:?}");
    assert_eq!(leased.stale_reads, 0);
    assert!(leased.refused_fills > 100, "the racing fills were dropped: {}", leased.refused_fills);

    // A TTL bounds how long a stale entry lives: fewer stale reads.
    let (ttl, _) = run(&design(json!({ "capacity": 100, "ttl_ms": 100.0 }), 20.0, 1.0, 20, ops, 1_000.0, 20_000));
    eprintln!("race with a 100 ms TTL: {ttl:?}");
    assert!(ttl.stale_reads > 0 && ttl.stale_reads < raced.stale_reads, "{} vs {}", ttl.stale_reads, raced.stale_reads);
}

#[test]
fn a_cache_in_front_of_a_service_tracks_no_versions() {
    // Versions are kept by a database read directly; anything else in
    // between and the card shows no stale count (there is nothing to compare).
    let mut s = design(json!({ "capacity": 100 }), 20.0, 1.0, 20, read_write(9.0, 1.0), 100.0, 2_000);
    s.nodes[2].kind = serde_json::from_value(json!({ "type": "service" })).unwrap();
    let (st, sim) = run(&s);
    assert_eq!(st.stale_reads, 0);
    assert_eq!(sim.view().nodes[1].cache_stale_reads, None);
}

/// The design above with exponential database query times (a mean of
/// `db_ms`): queries overtake one another, so writes commit in another
/// order than they were sent.
fn variable(cache: Value, db_ms: f64, link: Value, keys: u64, ops: Value, rate_rps: f64) -> Scenario {
    let mut s = design(cache, db_ms, 0.0, keys, ops, rate_rps, 20_000);
    let mut v = serde_json::to_value(&s).unwrap();
    v["nodes"][2]["kind"]["query_time"] = json!({ "type": "exponential", "mean_ms": db_ms });
    v["edges"][1]["latency"] = link;
    s = serde_json::from_value(v).unwrap();
    s
}

#[test]
fn write_policies_differ_in_how_stale_they_leave_the_cache() {
    let zero = json!({ "type": "constant", "ms": 0.0 });
    let ops = read_write(8.0, 2.0);
    let policy = |write: &str, link: &Value| {
        let s = variable(json!({ "capacity": 100, "write": write }), 10.0, link.clone(), 10, ops.clone(), 2_000.0);
        let (st, sim) = run(&s);
        eprintln!("{write} (link {link}): {st:?}");
        (st, sim)
    };
    // Answers come back the moment they are committed: a write-through
    // cache, applying versions in order, never holds an overwritten value;
    // invalidation still races (a read in flight across a write fills the
    // value it read), and so does setting after the write.
    let (through, sim) = policy("write_through", &zero);
    assert_eq!(through.stale_reads, 0);
    assert!(through.hits > 20_000 && through.writes > 7_000);
    assert_eq!(sim.node_metrics(2).arrivals, through.fetches + through.writes, "every write reaches the database");
    let (invalidate, _) = policy("invalidate", &zero);
    assert!(invalidate.stale_reads > 100, "{invalidate:?}");
}

#[test]
fn out_of_order_sets_stay_stale_with_update_and_not_with_write_through() {
    // Readers at 1,000 req/s on 5 keys; writers in bursts (20 writes in the
    // first 20 ms of every second), their answers delayed by an exponential
    // latency (5 ms mean), so a key's sets land out of order. An `update`
    // cache keeps whichever set came last, often an older version, until the
    // next burst; a write-through cache applies versions in order, so once
    // the burst's answers are in (a few latencies) nothing is stale.
    let policy = |write: &str| {
        let mut s = variable(
            json!({ "capacity": 100, "write": write }),
            1.0,
            json!({ "type": "exponential", "mean_ms": 5.0 }),
            5,
            read_write(1.0, 0.0),
            1_000.0,
        );
        let mut v = serde_json::to_value(&s).unwrap();
        v["workloads"].as_array_mut().unwrap().push(json!({
            "id": "writers", "client": "client", "target": "cache",
            "arrival": { "type": "bursts", "rate_rps": 0.0, "burst_rps": 1_000.0, "every_ms": 1_000, "burst_ms": 20 },
            "keys": { "type": "uniform", "count": 5 }, "ops": read_write(0.0, 1.0)
        }));
        s = serde_json::from_value(v).unwrap();
        // Stale reads in the quiet part of each second (from 200 ms after
        // the burst began), when every set has long arrived.
        let mut sim = Sim::new(&s).unwrap();
        let mut quiet = 0;
        for second in 0..20u64 {
            sim.step_until(SimTime::from_millis(second * 1_000 + 200));
            let before = stats(&sim).stale_reads;
            sim.step_until(SimTime::from_millis(second * 1_000 + 999));
            quiet += stats(&sim).stale_reads - before;
        }
        sim.run();
        let st = stats(&sim);
        eprintln!("{write}: {quiet} stale reads in the quiet parts, {st:?}");
        (quiet, st)
    };
    let (update_quiet, update) = policy("update");
    let (through_quiet, through) = policy("write_through");
    assert!(update_quiet > 1_000, "reordered sets stay stale for the rest of the second: {update_quiet}");
    assert_eq!(through_quiet, 0);
    assert!(through.stale_reads > 0, "while a burst's sets travel");
    assert!(update.stale_reads > 3 * through.stale_reads);
    assert!(update.hit_ratio_at_least(0.9) && through.hit_ratio_at_least(0.9), "writes set the key: reads hit");
}

trait Ratio {
    fn hit_ratio_at_least(&self, r: f64) -> bool;
}

impl Ratio for CacheStats {
    fn hit_ratio_at_least(&self, r: f64) -> bool {
        self.hits as f64 >= r * (self.hits + self.misses) as f64
    }
}

#[test]
fn write_behind_loses_exactly_the_writes_not_yet_flushed_at_a_crash() {
    // Writes only, 50 keys, 1,000 req/s; flushes every 100 ms on a fixed
    // grid; everything else instantaneous, so a write is acknowledged the
    // moment it arrives and a flush is applied the moment it is sent. The
    // cache crashes at 5,050 ms: the writes acknowledged after the flush at
    // 5,000 ms are the ones lost, counted here from the recorded arrivals.
    let mut s = design(
        json!({ "capacity": 1_000, "write": "write_behind", "flush_interval_ms": 100.0 }),
        0.0,
        0.0,
        50,
        read_write(0.0, 1.0),
        1_000.0,
        10_000,
    );
    s.faults = serde_json::from_value(json!([
        { "at_ms": 5_050, "duration_ms": 200, "action": { "type": "crash", "node": "cache" } }
    ]))
    .unwrap();
    let mut sim = Sim::new(&s).unwrap();
    sim.record_draws(true);
    sim.run();
    assert!(sim.totals().balanced());
    sim.audit().unwrap();
    let arrivals: Vec<u64> = sim
        .draws()
        .iter()
        .filter_map(|d| match *d {
            faultline_sim::journal::Draw::Arrival { at_us, .. } => Some(at_us),
            _ => None,
        })
        .collect();
    assert!(arrivals.iter().all(|t| t % 100_000 != 0), "no write at the very moment of a flush");
    let lost = arrivals.iter().filter(|&&t| t > 5_000_000 && t < 5_050_000).count() as u64;
    let refused = arrivals.iter().filter(|&&t| (5_050_000..5_250_000).contains(&t)).count() as u64;
    let st = stats(&sim);
    eprintln!("write-behind: {lost} writes after the last flush, {st:?}");
    assert!(lost > 20, "about 50 expected: {lost}");
    assert_eq!(st.lost_writes, lost);
    // Every other acknowledged write was flushed (the last ones at the end
    // of the run still wait for theirs).
    let acked = arrivals.len() as u64 - refused;
    let dirty = sim.report().nodes[1].cache.as_ref().unwrap().dirty;
    assert_eq!(st.writes, acked);
    assert_eq!(st.flushed + st.lost_writes + dirty, acked);
    assert_eq!(sim.totals().failed_total(), refused, "only the writes sent while it was down failed");
    // A flush writes each dirty key once: 50 keys, 100 flushes a second.
    let queries = sim.node_metrics(2).arrivals;
    assert!(queries < st.flushed, "flushes coalesce a key's writes: {queries} queries for {} writes", st.flushed);
    assert_eq!(st.stale_reads, 0);
}

/// One hot key read at `rate_rps` (Poisson), a fill of `fill_ms`, a TTL of
/// `ttl_ms`; returns the stats and the peak of concurrent database queries
/// (sampled every 5 ms).
fn hot_key(cache: Value, rate_rps: f64, fill_ms: f64, duration_ms: u64) -> (CacheStats, u32) {
    let s = design(cache, fill_ms, 0.0, 1, read_write(1.0, 0.0), rate_rps, duration_ms);
    let mut sim = Sim::new(&s).unwrap();
    let (mut t, mut peak) = (0, 0);
    while !sim.is_finished() {
        t += 5;
        sim.step_until(SimTime::from_millis(t));
        peak = peak.max(sim.node(2).in_flight);
    }
    assert!(sim.totals().balanced());
    assert_eq!(sim.totals().failed_total(), 0);
    (stats(&sim), peak)
}

#[test]
fn expiry_stampedes_are_rate_times_fill_time_one_with_single_flight_and_rare_with_xfetch() {
    // 20 reads/s of one key, a 500 ms fill, a 2 s TTL, 10 minutes. When the
    // key expires every read until the refill lands misses and queries the
    // database, so a stampede is 1 + N queries, N ~ Poisson(lambda F):
    // 1 + 20 x 0.5 = 11 on average (tolerance 10%: about 200 expiries, the
    // mean's standard error is about 2%).
    let (lambda, fill_s) = (20.0, 0.5);
    let expected = 1.0 + lambda * fill_s;
    let (plain, plain_peak) = hot_key(json!({ "ttl_ms": 2_000.0 }), lambda, fill_s * 1e3, 600_000);
    let per_expiry = plain.fetches as f64 / (plain.expired + 1) as f64;
    eprintln!("no coalescing: {per_expiry:.2} queries per expiry (expected {expected}), peak {plain_peak}, {plain:?}");
    assert!(plain.expired > 150);
    assert!((per_expiry / expected - 1.0).abs() < 0.10, "{per_expiry} vs {expected}");
    assert!(plain_peak as f64 > expected, "the worst stampede is above the mean: {plain_peak}");

    // Single-flight: exactly one query per expiry (and one to start).
    let (single, single_peak) = hot_key(json!({ "ttl_ms": 2_000.0, "coalesce": true }), lambda, fill_s * 1e3, 600_000);
    eprintln!("single-flight: peak {single_peak}, {single:?}");
    assert_eq!(single.fetches, single.expired + 1);
    assert_eq!(single_peak, 1);

    // XFetch (beta = 1): a read refreshes early with probability
    // exp(-gap / delta) at `gap` before the expiry, delta = 0.5 s, so the key
    // is almost always refilled before it expires. It expires anyway only
    // if no read refreshed it in the last delta before its expiry... or
    // earlier: P = exp(-lambda x delta x beta x e^-1) = exp(-3.68) = 2.5% of
    // cycles. Expiries (and with them stampedes) mostly vanish.
    let (xfetch, xfetch_peak) =
        hot_key(json!({ "ttl_ms": 2_000.0, "early_refresh_beta": 1.0 }), lambda, fill_s * 1e3, 600_000);
    let cycles = xfetch.early_refreshes + xfetch.expired;
    eprintln!("xfetch: peak {xfetch_peak}, {} expiries of {cycles} refreshes, {xfetch:?}", xfetch.expired);
    assert!(xfetch.early_refreshes > 200);
    // Each cycle ends in an expiry with probability p = exp(-lambda x delta x
    // beta / e): a binomial count, held to its mean plus four standard
    // deviations (not to a share of the plain run's, which a different
    // random stream can cross by chance).
    let p = libm::exp(-lambda * fill_s / std::f64::consts::E);
    let n = cycles as f64;
    let bound = n * p + 4.0 * libm::sqrt(n * p * (1.0 - p));
    assert!(
        (xfetch.expired as f64) <= bound,
        "expiries: {} with XFetch of {cycles} cycles (bound {bound:.1}, p = {p:.3}), {} without",
        xfetch.expired,
        plain.expired
    );
    assert!((xfetch.expired as f64) < 0.1 * plain.expired as f64, "{} vs {}", xfetch.expired, plain.expired);
    // The queries of the stampedes left: every query that was not an early
    // refresh (nor the first fill); each remaining expiry stampedes like the
    // plain run's (1 + lambda F queries), so they are bounded by that.
    let stampeding = xfetch.fetches - xfetch.early_refreshes - 1;
    let per_expiry = plain.fetches as f64 / plain.expired as f64;
    assert!(
        (stampeding as f64) <= 2.0 * per_expiry * xfetch.expired as f64,
        "{stampeding} stampeding queries with XFetch ({} expiries), {per_expiry:.1} per expiry without",
        xfetch.expired
    );
    assert!((stampeding as f64) < 0.1 * plain.fetches as f64, "{stampeding} vs {}", plain.fetches);
    // Each early refresh costs its reader a miss, but the others keep hitting
    // through the refill instead of missing until it lands.
    assert!(xfetch.hits > plain.hits + plain.hits / 20, "hits {} vs {}", xfetch.hits, plain.hits);
}

#[test]
fn a_jittered_ttl_is_uniform_over_its_range() {
    // One key read 1,000 times a second, fills instantaneous: the key is
    // refilled within a millisecond of expiring, so the time between
    // expiries is the TTL drawn at the fill (+ up to ~1 ms). TTL 100 ms,
    // jitter 0.5: uniform over [50, 150] ms. Kolmogorov-Smirnov against it.
    let s = design(json!({ "ttl_ms": 100.0, "ttl_jitter": 0.5 }), 0.0, 0.0, 1, read_write(1.0, 0.0), 1_000.0, 120_000);
    let mut sim = Sim::new(&s).unwrap();
    let (mut expiries, mut last) = (Vec::new(), 0);
    for t in 1..=120_000u64 {
        sim.step_until(SimTime::from_millis(t));
        let e = stats(&sim).expired;
        if e > last {
            expiries.push(t as f64);
            last = e;
        }
    }
    let mut gaps: Vec<f64> = expiries.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_by(f64::total_cmp);
    let n = gaps.len() as f64;
    assert!(n > 1_000.0, "{n} expiries");
    // Above, the TTL's 150 ms plus the wait for the next read, exponential
    // with mean 1 ms (over ~1,100 gaps the largest is about ln(1100) = 7 ms;
    // past 20 ms has probability 1100 x e^-20, about 2e-6) and the 1 ms grid.
    assert!(gaps[0] >= 49.0 && gaps[gaps.len() - 1] <= 171.0, "{} .. {}", gaps[0], gaps[gaps.len() - 1]);
    let mean = gaps.iter().sum::<f64>() / n;
    // The grid of 1 ms steps and the refill delay add about 1 ms.
    let d = gaps
        .iter()
        .enumerate()
        .map(|(i, &g)| {
            let f = ((g - 1.0 - 50.0) / 100.0).clamp(0.0, 1.0);
            (f - i as f64 / n).abs().max((f - (i + 1) as f64 / n).abs())
        })
        .fold(0.0, f64::max);
    eprintln!("jittered TTL: {n} gaps, mean {mean:.2} ms, KS distance {d:.4}");
    assert!((mean - 101.0).abs() < 2.5, "mean {mean}");
    assert!(d < 1.63 / n.sqrt() + 0.01, "KS distance {d} (1% critical value {})", 1.63 / n.sqrt());

    // Without jitter every gap is the TTL (plus the refill's millisecond).
    let exact = design(json!({ "ttl_ms": 100.0 }), 0.0, 0.0, 1, read_write(1.0, 0.0), 1_000.0, 10_000);
    let mut sim = Sim::new(&exact).unwrap();
    sim.run();
    let e = stats(&sim).expired;
    assert!((97..=100).contains(&e), "{e} expiries in 10 s");
}

#[test]
fn absurd_data_options_are_refused_with_their_path() {
    let problems = |cache: Value| -> Vec<String> {
        let s = design(cache, 1.0, 0.0, 10, read_write(1.0, 0.0), 10.0, 1_000);
        s.validate().err().map(|e| e.problems.iter().map(|p| p.to_string()).collect()).unwrap_or_default()
    };
    let has = |cache: Value, path: &str| {
        let p = problems(cache);
        assert!(p.iter().any(|m| m.starts_with(path)), "{path}: {p:?}");
    };
    has(json!({ "write": "write_behind", "flush_interval_ms": 0.0 }), "nodes[1].kind.flush_interval_ms");
    has(json!({ "flush_interval_ms": 1e9 }), "nodes[1].kind.flush_interval_ms");
    has(json!({ "ttl_ms": 100.0, "ttl_jitter": 1.0 }), "nodes[1].kind.ttl_jitter");
    has(json!({ "ttl_ms": 100.0, "ttl_jitter": -0.1 }), "nodes[1].kind.ttl_jitter");
    has(json!({ "ttl_jitter": 0.1 }), "nodes[1].kind.ttl_jitter");
    has(json!({ "ttl_ms": 100.0, "early_refresh_beta": -1.0 }), "nodes[1].kind.early_refresh_beta");
    has(json!({ "early_refresh_beta": 1.0 }), "nodes[1].kind.early_refresh_beta");
    has(json!({ "negative_ttl_ms": 0.0 }), "nodes[1].kind.negative_ttl_ms");
    let mut rows = design(json!({}), 1.0, 0.0, 10, read_write(1.0, 0.0), 10.0, 1_000);
    let NodeKind::Database(db) = &mut rows.nodes[2].kind else { unreachable!() };
    db.rows = Some(0);
    let p = rows.validate().unwrap_err().problems.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    assert!(p.iter().any(|m| m.starts_with("nodes[2].kind.rows")), "{p:?}");
    let unknown = serde_json::from_value::<Scenario>(
        json!({ "nodes": [{ "id": "c", "kind": { "type": "cache", "write": "sometimes" } }] }),
    );
    assert!(unknown.is_err());
    assert!(problems(json!({ "ttl_ms": 100.0, "ttl_jitter": 0.2, "early_refresh_beta": 1.0, "write": "write_behind",
                              "flush_interval_ms": 50.0, "lease": true }))
    .is_empty());
}

fn zipf_reads(rate_rps: f64, duration_ms: u64) -> Scenario {
    // LFU keeps the most popular keys, so the hottest ones stay cached.
    let cache = json!({ "capacity": 1_000, "eviction": "lfu" });
    let mut s = design(cache, 0.0, 0.0, 1, read_write(1.0, 0.0), rate_rps, duration_ms);
    s.workloads[0].keys = serde_json::from_value(json!({ "type": "zipf", "count": 10_000, "s": 0.8 })).unwrap();
    s
}

fn cached(sim: &Sim, keys: std::ops::Range<u64>) -> u64 {
    let Behaviour::Cache(c) = &sim.node(1).behaviour else { unreachable!() };
    keys.filter(|&k| c.store.contains(k)).count() as u64
}

#[test]
fn flush_cache_empties_it_and_expire_keys_expires_exactly_the_range() {
    let mut s = zipf_reads(20_000.0, 6_000);
    s.faults = serde_json::from_value(json!([
        { "at_ms": 2_000, "action": { "type": "flush_cache", "node": "cache" } },
        { "at_ms": 4_000, "action": { "type": "expire_keys", "node": "cache", "from": 0, "to": 99 } }
    ]))
    .unwrap();
    let mut sim = Sim::new(&s).unwrap();
    sim.step_until(SimTime::from_millis(1_999));
    assert_eq!(sim.report().nodes[1].cache.as_ref().unwrap().entries, 1_000, "warm");
    sim.step_until(SimTime(2_000_000));
    assert_eq!(sim.report().nodes[1].cache.as_ref().unwrap().entries, 0, "flushed");
    let before = stats(&sim);
    sim.step_until(SimTime::from_millis(2_020));
    let after = stats(&sim);
    assert!(after.misses - before.misses > 50, "cold again");
    assert!(!sim.node(1).down, "a flush is not a crash");

    sim.step_until(SimTime::from_millis(3_999));
    let hot = cached(&sim, 0..100);
    assert_eq!(hot, 100, "the 100 hottest keys are cached");
    let before = stats(&sim);
    sim.run();
    let after = stats(&sim);
    // No TTL: the only expiries are the fault's, one per key in the range,
    // each found at its next read (all of them are read within 2 s).
    assert_eq!(after.expired - before.expired, hot);
    assert_eq!(before.expired, 0);
    assert!(sim.totals().balanced());

    let bad = |action: Value| -> Vec<String> {
        let mut s = zipf_reads(10.0, 1_000);
        s.faults = serde_json::from_value(json!([{ "at_ms": 10, "action": action }])).unwrap();
        s.validate().err().map(|e| e.problems.iter().map(|p| p.to_string()).collect()).unwrap_or_default()
    };
    let p = bad(json!({ "type": "flush_cache", "node": "db" }));
    assert!(p.iter().any(|m| m.starts_with("faults[0].action.node") && m.contains("not a cache")), "{p:?}");
    let p = bad(json!({ "type": "expire_keys", "node": "cache", "from": 5, "to": 4 }));
    assert!(p.iter().any(|m| m.starts_with("faults[0].action.to")), "{p:?}");
    let p = bad(json!({ "type": "expire_keys", "node": "nope", "from": 0, "to": 4 }));
    assert!(p.iter().any(|m| m.starts_with("faults[0].action.node")), "{p:?}");
    assert!(bad(json!({ "type": "expire_keys", "node": "cache", "from": 0, "to": 4 })).is_empty());
}

#[test]
fn negative_caching_keeps_not_found_for_its_ttl() {
    // 100 keys read uniformly at 1,000 req/s; the database holds keys 0-49,
    // so half the reads ask for a key that does not exist (404). Without
    // negative caching each of those reaches the database. With a negative
    // TTL T each missing key, read as a Poisson stream of rate lambda =
    // 10/s, is kept for T after each 404: the TTL cache's hit ratio
    // lambda T / (1 + lambda T) = 10/11 for T = 1 s.
    let with = |negative: Value| {
        let mut s = design(
            json!({ "capacity": 1_000, "negative_ttl_ms": negative }),
            0.0,
            0.0,
            100,
            read_write(1.0, 0.0),
            1_000.0,
            60_000,
        );
        let NodeKind::Database(db) = &mut s.nodes[2].kind else { unreachable!() };
        db.rows = Some(50);
        let (st, sim) = run(&s);
        let not_found = sim.totals().failed[FailReason::ClientError as usize];
        (st, not_found, sim.node_metrics(2).arrivals)
    };
    let (plain, not_found, queries) = with(Value::Null);
    assert!((not_found as f64 / 60_000.0 - 0.5).abs() < 0.01, "half the reads: {not_found}");
    assert_eq!(plain.negative_hits, 0);
    assert!(queries >= not_found, "every 404 came from the database");

    let (neg, not_found, queries) = with(json!(1_000.0));
    let ratio = neg.negative_hits as f64 / not_found as f64;
    eprintln!("negative caching: {ratio:.4} of the 404s from the cache (10/11 = 0.9091), {neg:?}");
    assert!((ratio - 10.0 / 11.0).abs() < 0.01, "{ratio}");
    assert_eq!(queries, neg.fetches, "the database sees only the misses");
    assert!(queries < not_found / 5);
}

/// Users -> api -> cache -> db, and api -> db: a partition cuts the api
/// from the cache from 2 s to 4 s; the api's calls to it time out after
/// 50 ms. `fallback` on the api -> cache edge.
fn cache_aside_partition(fallback: Value) -> (Sim, u64) {
    let zero = json!({ "type": "constant", "ms": 1.0 });
    let s: Scenario = serde_json::from_value(json!({
        "version": 1, "seed": 11, "duration_ms": 6_000,
        "nodes": [
            { "id": "users", "kind": { "type": "client" } },
            { "id": "api", "kind": { "type": "service", "workers": 1_000, "service_time": { "type": "constant", "ms": 1.0 },
                                      "calls": [{ "to": "cache" }] } },
            { "id": "cache", "kind": { "type": "cache", "capacity": 1_000 } },
            { "id": "db", "kind": { "type": "database", "max_connections": 1_000,
                                    "query_time": { "type": "constant", "ms": 5.0 }, "saturation": 0.0 } }
        ],
        "edges": [
            { "from": "users", "to": "api", "latency": zero, "timeout_ms": null },
            { "from": "api", "to": "cache", "latency": zero, "timeout_ms": 50.0, "fallback": fallback },
            { "from": "cache", "to": "db", "latency": zero, "timeout_ms": null },
            { "from": "api", "to": "db", "latency": zero, "timeout_ms": null }
        ],
        "workloads": [{ "id": "w", "client": "users", "target": "api",
                        "arrival": { "type": "poisson", "rate_rps": 500.0 },
                        "keys": { "type": "uniform", "count": 100 } }],
        "faults": [{ "at_ms": 2_000, "duration_ms": 2_000,
                     "action": { "type": "partition", "a": ["api"], "b": ["cache"] } }]
    }))
    .unwrap();
    s.validate().unwrap();
    let mut sim = Sim::new(&s).unwrap();
    sim.record_draws(true);
    sim.run();
    assert!(sim.totals().balanced());
    sim.audit().unwrap();
    // Requests sent while the api could not reach the cache (their call
    // left after 2 s and, timing out 50 ms later, before the heal at 4 s).
    let cut = sim
        .draws()
        .iter()
        .filter(|d| matches!(**d, faultline_sim::journal::Draw::Arrival { at_us, .. } if (2_000_000..3_940_000).contains(&at_us)))
        .count() as u64;
    (sim, cut)
}

#[test]
fn a_read_the_cache_cannot_answer_falls_back_to_its_database() {
    // No fallback: every read sent during the partition times out.
    let (sim, cut) = cache_aside_partition(Value::Null);
    let failed = sim.totals().failed_total();
    eprintln!("partition without a fallback: {failed} failed of {}, {cut} sent while cut", sim.totals().generated);
    assert!(failed >= cut && cut > 900, "{failed} failed, {cut} cut");
    // Falling back to the database: none fails, none is degraded, and the
    // database answers them over the api's own edge.
    let (sim, cut) = cache_aside_partition(json!("database"));
    let t = sim.totals();
    eprintln!("partition with the database fallback: {t:?}");
    assert_eq!(t.failed_total(), 0);
    assert_eq!(t.degraded, 0);
    let direct = sim.edge_metrics(3).arrivals;
    assert!(direct >= cut && direct < cut + 100, "{direct} direct reads for {cut} cut off");
    // A database fallback needs the caller's own edge to the database.
    let mut s = serde_json::to_value(sim.scenario()).unwrap();
    s["edges"].as_array_mut().unwrap().pop();
    let s: Scenario = serde_json::from_value(s).unwrap();
    let p = s.validate().unwrap_err().problems.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    assert!(p.iter().any(|m| m.starts_with("edges[1].fallback") && m.contains("own edge")), "{p:?}");
}
