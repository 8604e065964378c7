//! The resilience reproductions: each pattern's "before" and "after" preset
//! (assets/scenarios/*-before.json, *-after.json) run and compared, with the
//! outcome the seed and the reference implementations promise.

use faultline_sim::{Report, Scenario, Sim};

fn load(name: &str) -> Scenario {
    let path = format!("{}/../../assets/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn run(name: &str) -> (Sim, Report) {
    let mut sim = Sim::new(&load(name)).unwrap();
    sim.run();
    assert!(sim.audit().is_ok(), "{name}: {:?}", sim.audit());
    let report = sim.report();
    (sim, report)
}

fn op<'a>(r: &'a Report, name: &str) -> &'a faultline_sim::report::OpReport {
    r.ops.iter().find(|o| o.name == name).unwrap()
}

fn failure_share(o: &faultline_sim::report::OpReport) -> f64 {
    o.failed as f64 / (o.ok + o.failed).max(1) as f64
}

#[test]
fn cascade_a_breaker_and_a_timeout_keep_the_other_endpoint_alive() {
    let (_, before) = run("cascade-before");
    let (after_sim, after) = run("cascade-after");
    let (cat_before, cat_after) = (failure_share(op(&before, "catalog")), failure_share(op(&after, "catalog")));
    eprintln!("catalog failures: before {:.1}%, after {:.1}%", cat_before * 100.0, cat_after * 100.0);
    // Without: A's workers all wait on the slow B, so the catalog (which never calls B) fails too.
    assert!(cat_before > 0.25, "{cat_before}");
    // With: the breaker opens, orders fail fast, the catalog is untouched.
    assert_eq!(op(&after, "catalog").failed, 0);
    let breaker = after.edges[1].breaker.as_ref().unwrap();
    assert_eq!(breaker.transitions.first().map(|t| t.1), Some("OPEN"));
    assert!(breaker.short_circuited > 1_000, "{breaker:?}");
    // The live view shows it open, with the countdown to its trial call (seed: 30 s open).
    let view = after_sim.view();
    let b = view.breakers[1].expect("A -> B has a breaker");
    assert_eq!(b.state.name(), "OPEN");
    let opened_ms = breaker.transitions[0].0;
    assert!((b.open_remaining_ms - (opened_ms + 30_000.0 - 40_000.0)).abs() < 1.0, "{b:?}");
    assert!(view.breakers[0].is_none());
}

/// Seconds from `from_s` until the first one-second window in which the
/// clients saw under 5% errors, if any.
fn recovery_s(sim: &Sim, from_s: u64) -> Option<u64> {
    sim.node_metrics(0)
        .series()
        .filter(|p| p.t_ms > from_s * 1_000)
        .find(|p| p.ok > 0 && (p.failed as f64) < 0.05 * (p.ok + p.failed) as f64)
        .map(|p| p.t_ms / 1_000 - from_s)
}

#[test]
fn retry_storm_immediate_retries_keep_b_down_backoff_and_a_budget_let_it_recover() {
    let (before_sim, before) = run("retry-storm-before");
    let (after_sim, after) = run("retry-storm-after");
    // The partition heals at 50 s; the runs end at 90 s.
    let (rb, ra) = (recovery_s(&before_sim, 50), recovery_s(&after_sim, 50));
    eprintln!(
        "recovery after the partition heals: immediate retries {rb:?} s, backoff+jitter+budget {ra:?} s; retries {} vs {}",
        before.requests.retries, after.requests.retries
    );
    assert_eq!(rb, None, "immediate retries: metastable, no recovery in 40 s");
    assert!(ra.is_some_and(|s| s <= 5), "{ra:?}");
    assert!(before.requests.retries > 50 * after.requests.retries);
}

#[test]
fn noisy_neighbour_bulkheads_confine_the_slow_dependency() {
    let (_, before) = run("noisy-neighbour-before");
    let (_, after) = run("noisy-neighbour-after");
    for name in ["b", "c"] {
        let (fb, fa) = (failure_share(op(&before, name)), failure_share(op(&after, name)));
        eprintln!("endpoint {name}: failures before {:.1}%, after {:.1}%", fb * 100.0, fa * 100.0);
        assert!(fb > 0.2, "shared pool: {name} fails too ({fb})");
        assert_eq!(op(&after, name).failed, 0, "bulkheads: {name} is unaffected");
    }
    assert!(failure_share(op(&after, "a")) > 0.3, "the slow dependency's endpoint still fails");
}

#[test]
fn idempotency_keys_turn_duplicates_into_deduplicated_retries() {
    let (_, before) = run("idempotency-before");
    let (_, after) = run("idempotency-after");
    eprintln!(
        "duplicates: without keys {} (of {} retries), with keys {} ({} deduplicated)",
        before.requests.duplicates, before.requests.retries, after.requests.duplicates, after.requests.deduplicated
    );
    assert!(before.requests.duplicates > 0);
    assert_eq!(after.requests.duplicates, 0);
    assert!(after.requests.deduplicated > 0);
    assert_eq!(before.requests.retries, after.requests.retries, "the same retries happen either way");
}

#[test]
fn post_without_a_key_is_not_retried_by_default() {
    let mut s = load("idempotency-before");
    s.edges[0].retry.as_mut().unwrap().retry_post = false;
    let mut sim = Sim::new(&s).unwrap();
    sim.run();
    let r = sim.report();
    assert_eq!((r.requests.retries, r.requests.duplicates), (0, 0));
}
