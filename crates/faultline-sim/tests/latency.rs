//! Latency is of successful calls; failures have their own.
//!
//! A failure is often answered at once: a rate limiter's 429, shed load's
//! 503, a circuit breaker's short circuit. Recorded with the successes, they
//! pull the percentiles down, so a system that starts refusing half its load
//! looks faster. These runs shed load and open a breaker and check the
//! headline percentiles (run, node, link, operation, and the charts'
//! windows) against the successes' own distribution, computed here from
//! queueing-free models: with more workers than calls, a successful call's
//! latency is the fixed network delay plus an exponential service time.

use faultline_sim::report::Latency;
use faultline_sim::{Report, Scenario, Sim};

/// Mean service time, in ms, of every service here.
const SERVICE_MS: f64 = 10.0;

/// The q-quantile of `fixed_ms` plus an exponential of mean `SERVICE_MS`.
fn quantile_ms(fixed_ms: f64, q: f64) -> f64 {
    fixed_ms - SERVICE_MS * libm::log(1.0 - q)
}

/// Within `tol` (relative) of `expect`.
fn near(got: f64, expect: f64, tol: f64) -> bool {
    (got / expect - 1.0).abs() < tol
}

/// Expected k-th smallest of n exponentials of mean `SERVICE_MS` (Rényi):
/// the sum of mean / i for i from n - k + 1 to n.
fn order_statistic_ms(k: u64, n: u64) -> f64 {
    (n - k + 1..=n).map(|i| SERVICE_MS / i as f64).sum()
}

fn run(json: &str) -> (Sim, Report) {
    let scenario = Scenario::from_json(json).unwrap();
    let mut sim = Sim::new(&scenario).unwrap();
    sim.run();
    sim.audit().unwrap();
    let report = sim.report();
    (sim, report)
}

/// Users send Poisson load at `rate_rps` to a service that has a token
/// bucket of 100 requests/s and a worker for every call; 1 ms each way.
fn rate_limited(rate_rps: f64) -> String {
    format!(
        r#"{{
  "version": 1, "name": "rate limited", "seed": 7, "duration_ms": 600000,
  "nodes": [
    {{ "id": "users", "kind": {{ "type": "client" }} }},
    {{ "id": "svc", "kind": {{ "type": "service", "workers": 1000, "queue_capacity": 10,
        "service_time": {{ "type": "exponential", "mean_ms": {SERVICE_MS} }},
        "rate_limit": {{ "rate_rps": 100.0, "burst": 10.0 }} }} }}
  ],
  "edges": [ {{ "from": "users", "to": "svc", "latency": {{ "type": "constant", "ms": 1.0 }} }} ],
  "workloads": [ {{ "id": "load", "client": "users", "target": "svc",
    "arrival": {{ "type": "poisson", "rate_rps": {rate_rps} }} }} ]
}}"#
    )
}

/// The mean over the run's windows of the clients' window p99, and the mean
/// of what it should be: in a window of n successes the p99 is the
/// ceil(0.99 n)-th smallest, whose expectation `order_statistic_ms` gives.
fn window_p99s(sim: &Sim, fixed_ms: f64) -> (f64, f64) {
    let windows: Vec<_> = sim.overall_metrics().series().filter(|p| p.ok > 0).collect();
    let n = windows.len() as f64;
    let got = windows.iter().map(|p| p.p99_us as f64 / 1e3).sum::<f64>() / n;
    let expect =
        windows.iter().map(|p| fixed_ms + order_statistic_ms((0.99 * p.ok as f64).ceil() as u64, p.ok)).sum::<f64>()
            / n;
    (got, expect)
}

fn show(what: &str, l: &Latency, f: &Latency) {
    eprintln!(
        "{what}: p50 {:.2} p99 {:.2} mean {:.2} ms; failed p50 {:.2} p99 {:.2} ms",
        l.p50, l.p99, l.mean, f.p50, f.p99
    );
}

#[test]
fn shedding_half_the_load_does_not_lower_the_p99() {
    let (calm_sim, calm) = run(&rate_limited(50.0));
    let (busy_sim, busy) = run(&rate_limited(200.0));
    let shed = busy.requests.failed.rate_limited as f64 / busy.requests.generated as f64;
    eprintln!("shed {:.1}% of the busy run, {} of the calm one", shed * 100.0, calm.requests.failed.total);
    show("calm", &calm.latency_ms, &calm.failed_latency_ms);
    show("busy", &busy.latency_ms, &busy.failed_latency_ms);
    assert!((0.45..0.55).contains(&shed), "{shed}");
    assert!(calm.requests.failed.total * 1_000 < calm.requests.generated, "{:?}", calm.requests);

    // End to end, at the client and over the link: 2 ms of network plus the
    // service time. At the service: the service time alone.
    let e2e = quantile_ms(2.0, 0.99); // 48.05 ms
    for (what, c, b, expect) in [
        ("run", &calm.latency_ms, &busy.latency_ms, e2e),
        ("users", &calm.nodes[0].latency_ms, &busy.nodes[0].latency_ms, e2e),
        ("svc", &calm.nodes[1].latency_ms, &busy.nodes[1].latency_ms, quantile_ms(0.0, 0.99)),
        ("users -> svc", &calm.edges[0].latency_ms, &busy.edges[0].latency_ms, e2e),
        ("op get", &calm.ops[0].latency_ms, &busy.ops[0].latency_ms, e2e),
    ] {
        assert!(near(c.p99, expect, 0.04), "{what}: calm p99 {} vs {expect}", c.p99);
        assert!(near(b.p99, expect, 0.04), "{what}: busy p99 {} vs {expect}", b.p99);
        assert!(b.p99 >= 0.97 * c.p99, "{what}: shedding lowered the p99 from {} to {}", c.p99, b.p99);
        assert!(near(b.p50, quantile_ms(expect - quantile_ms(0.0, 0.99), 0.5), 0.04), "{what}: p50 {}", b.p50);
    }
    // The shed calls have a latency of their own: the network round trip
    // (2 ms) at the client, nothing at the service.
    assert!(near(busy.failed_latency_ms.p99, 2.0, 0.02), "{:?}", busy.failed_latency_ms);
    assert_eq!(busy.nodes[1].failed_latency_ms.p99, 0.0);
    assert_eq!(busy.ops[0].failed, busy.requests.failed.total);
    assert_eq!(calm.failed_latency_ms.p99 == 0.0, calm.requests.failed.total == 0);
    // One operation: its latency is the run's.
    assert_eq!((&busy.ops[0].latency_ms, &busy.ops[0].failed_latency_ms), (&busy.latency_ms, &busy.failed_latency_ms));

    // The charts' windows, and so the live view, agree.
    for (what, sim) in [("calm", &calm_sim), ("busy", &busy_sim)] {
        let (got, expect) = window_p99s(sim, 2.0);
        eprintln!("{what}: mean window p99 {got:.2} ms, expected {expect:.2}");
        assert!(near(got, expect, 0.03), "{what}: window p99s {got} vs {expect}");
        let last = sim.overall_metrics().last_point().unwrap();
        assert_eq!(sim.view().overall.p99_ms, last.p99_us as f64 / 1e3);
    }
    let last = busy_sim.overall_metrics().last_point().unwrap();
    assert!(last.fail_p99_us > 0 && last.fail_p99_us < 2_100, "{last:?}");
    assert_eq!(busy_sim.view().overall.failed_p99_ms, last.fail_p99_us as f64 / 1e3);
}

/// Users call an api that calls a db over a link with the seed's circuit
/// breaker; `faulty`: the db answers every call with a 5xx for half the run.
fn breaker(faulty: bool) -> String {
    let faults = if faulty {
        r#"[ { "at_ms": 150000, "duration_ms": 300000, "action": { "type": "node_errors", "node": "db", "rate": 1.0 } } ]"#
    } else {
        "[]"
    };
    format!(
        r#"{{
  "version": 1, "name": "breaker", "seed": 3, "duration_ms": 600000,
  "nodes": [
    {{ "id": "users", "kind": {{ "type": "client" }} }},
    {{ "id": "api", "kind": {{ "type": "service", "workers": 1000, "calls": [ {{ "to": "db" }} ],
        "service_time": {{ "type": "constant", "ms": 1.0 }} }} }},
    {{ "id": "db", "kind": {{ "type": "service", "workers": 1000,
        "service_time": {{ "type": "exponential", "mean_ms": {SERVICE_MS} }} }} }}
  ],
  "edges": [
    {{ "from": "users", "to": "api", "latency": {{ "type": "constant", "ms": 1.0 }} }},
    {{ "from": "api", "to": "db", "latency": {{ "type": "constant", "ms": 1.0 }}, "breaker": "seed" }}
  ],
  "workloads": [ {{ "id": "load", "client": "users", "target": "api",
    "arrival": {{ "type": "poisson", "rate_rps": 100.0 }} }} ],
  "faults": {faults}
}}"#
    )
}

#[test]
fn an_open_breaker_does_not_lower_the_p99() {
    let (_, healthy) = run(&breaker(false));
    let (_, broken) = run(&breaker(true));
    let b = broken.edges[1].breaker.as_ref().unwrap();
    let failed = broken.requests.failed.total as f64 / broken.requests.generated as f64;
    eprintln!(
        "{:.1}% failed, {} short-circuited, breaker {:?}",
        failed * 100.0,
        b.short_circuited,
        &b.transitions[..2]
    );
    show("healthy", &healthy.latency_ms, &healthy.failed_latency_ms);
    show("broken", &broken.latency_ms, &broken.failed_latency_ms);
    show("broken api -> db", &broken.edges[1].latency_ms, &broken.edges[1].failed_latency_ms);
    assert_eq!(healthy.requests.failed.total, 0);
    assert!((0.45..0.55).contains(&failed), "{failed}");
    assert_eq!(b.transitions.first().map(|t| t.1), Some("OPEN"));
    assert!(b.short_circuited as f64 > 0.4 * broken.requests.generated as f64, "{b:?}");

    // A success crosses four 1 ms hops and the api's 1 ms; over the link,
    // two hops; at the db, the service time alone.
    for (what, h, x, fixed_ms) in [
        ("run", &healthy.latency_ms, &broken.latency_ms, 5.0),
        ("users", &healthy.nodes[0].latency_ms, &broken.nodes[0].latency_ms, 5.0),
        ("api", &healthy.nodes[1].latency_ms, &broken.nodes[1].latency_ms, 3.0),
        ("api -> db", &healthy.edges[1].latency_ms, &broken.edges[1].latency_ms, 2.0),
        ("op get", &healthy.ops[0].latency_ms, &broken.ops[0].latency_ms, 5.0),
    ] {
        let expect = quantile_ms(fixed_ms, 0.99);
        assert!(near(h.p99, expect, 0.04), "{what}: healthy p99 {} vs {expect}", h.p99);
        assert!(near(x.p99, expect, 0.04), "{what}: broken p99 {} vs {expect}", x.p99);
        assert!(x.p99 >= 0.97 * h.p99, "{what}: the open breaker lowered the p99 from {} to {}", h.p99, x.p99);
        assert!(near(x.mean, fixed_ms + SERVICE_MS, 0.04), "{what}: mean {}", x.mean);
    }
    // Short-circuited calls take no time on the link; the users' failures
    // mostly take the api's 1 ms and two hops (the db is not called).
    assert_eq!(broken.edges[1].failed_latency_ms.p50, 0.0);
    assert!(near(broken.failed_latency_ms.p50, 3.0, 0.02), "{:?}", broken.failed_latency_ms);
    assert_eq!(healthy.failed_latency_ms, Latency::default());
}

/// Each operation has its own latency: reads answered by the service alone,
/// writes that also wait for a database (a constant 20 ms, failing half of
/// them with a 5xx).
#[test]
fn each_operation_has_its_own_latency() {
    let (_, r) = run(&format!(
        r#"{{
  "version": 1, "name": "two operations", "seed": 5, "duration_ms": 600000,
  "nodes": [
    {{ "id": "users", "kind": {{ "type": "client" }} }},
    {{ "id": "svc", "kind": {{ "type": "service", "workers": 1000, "calls": [ {{ "to": "db", "ops": ["write"] }} ],
        "service_time": {{ "type": "exponential", "mean_ms": {SERVICE_MS} }} }} }},
    {{ "id": "db", "kind": {{ "type": "service", "workers": 1000, "error_rate": 0.5,
        "service_time": {{ "type": "constant", "ms": 20.0 }} }} }}
  ],
  "edges": [
    {{ "from": "users", "to": "svc", "latency": {{ "type": "constant", "ms": 1.0 }} }},
    {{ "from": "svc", "to": "db", "latency": {{ "type": "constant", "ms": 1.0 }} }}
  ],
  "workloads": [ {{ "id": "load", "client": "users", "target": "svc",
    "arrival": {{ "type": "poisson", "rate_rps": 100.0 }},
    "ops": [ {{ "name": "read" }}, {{ "name": "write", "method": "POST" }} ] }} ]
}}"#
    ));
    let op = |name: &str| r.ops.iter().find(|o| o.name == name).unwrap();
    let (read, write) = (op("read"), op("write"));
    show("read", &read.latency_ms, &read.failed_latency_ms);
    show("write", &write.latency_ms, &write.failed_latency_ms);
    assert_eq!(read.failed, 0);
    assert!(near(write.failed as f64, write.ok as f64, 0.05), "{} failed, {} ok", write.failed, write.ok);
    for (what, l, fixed_ms) in [
        ("read", &read.latency_ms, 2.0),
        ("write", &write.latency_ms, 24.0),
        ("failed write", &write.failed_latency_ms, 24.0),
    ] {
        for q in [0.5, 0.99] {
            let got = if q == 0.5 { l.p50 } else { l.p99 };
            assert!(
                near(got, quantile_ms(fixed_ms, q), 0.04),
                "{what}: p{} {got} vs {}",
                q * 100.0,
                quantile_ms(fixed_ms, q)
            );
        }
    }
    assert_eq!(read.failed_latency_ms, Latency::default());
}
