//! The order the caller-side policies wrap a call in, resilience4j's:
//! Retry ( CircuitBreaker ( RateLimiter ( TimeLimiter ( Bulkhead ( call ) ) ) ) ).
//! The bulkhead is innermost, so its slot is held for one attempt only: a
//! call sleeping out its retry backoff holds none, and its next attempt
//! enters the bulkhead again (where it may be rejected or wait).
//!
//! One deterministic design, every link a constant 1 ms: client -> A -> B,
//! A's calls to B go through a bulkhead of one slot and are retried once after
//! a fixed 150 ms. B is down until 850 ms, then takes `b_ms` per request.
//! Request 1 (from client 1) arrives at 800 ms: A calls B at 802, refused,
//! the answer is back at 804 and the retry is due at 954. Request 2 (from
//! client 2) arrives at 900 ms: A calls B at 902 and holds the slot until
//! B's answer is back, at 904 + `b_ms`.

use faultline_sim::nodes::Behaviour;
use faultline_sim::{Scenario, Sim, SimTime};
use serde_json::json;

fn design(b_ms: f64, max_wait_ms: f64, timeout_ms: f64) -> Scenario {
    let constant = json!({ "type": "constant", "ms": 1.0 });
    serde_json::from_value(json!({
        "version": 1, "seed": 1, "duration_ms": 1_599,
        "nodes": [
            { "id": "c1", "kind": { "type": "client" } },
            { "id": "c2", "kind": { "type": "client" } },
            { "id": "a", "kind": { "type": "service", "workers": 10, "service_time": constant,
                "calls": [{ "to": "b" }],
                "bulkheads": [{ "to": ["b"], "max_concurrent": 1, "max_wait_ms": max_wait_ms }] } },
            { "id": "b", "kind": { "type": "service", "workers": 10,
                "service_time": { "type": "constant", "ms": b_ms } } }
        ],
        "edges": [
            { "from": "c1", "to": "a", "latency": constant, "timeout_ms": null },
            { "from": "c2", "to": "a", "latency": constant, "timeout_ms": null },
            { "from": "a", "to": "b", "latency": constant, "timeout_ms": timeout_ms,
              "retry": { "max_attempts": 3, "backoff": { "type": "fixed", "ms": 150.0 }, "jitter": "none" } }
        ],
        // Constant rates whose first arrival is the only one before the end.
        "workloads": [
            { "id": "w1", "client": "c1", "target": "a", "arrival": { "type": "constant", "rate_rps": 1.25 } },
            { "id": "w2", "client": "c2", "target": "a", "arrival": { "type": "constant", "rate_rps": 1.0 / 0.9 } }
        ],
        "faults": [{ "at_ms": 0, "duration_ms": 850, "action": { "type": "crash", "node": "b" } }]
    }))
    .unwrap()
}

/// (slots in use, calls waiting for one) of A's bulkhead.
fn bulkhead(sim: &Sim) -> (u32, usize) {
    let Behaviour::Service(a) = &sim.node(2).behaviour else { unreachable!() };
    let b = &a.bulkheads[0];
    (b.active, b.waiters.len())
}

/// (ok, failed) at each client.
fn clients(sim: &Sim) -> [(u64, u64); 2] {
    [0, 1].map(|c| (sim.node_metrics(c).ok, sim.node_metrics(c).completed() - sim.node_metrics(c).ok))
}

/// Run latencies come from a histogram with two significant digits, which
/// answers the top of the value's bucket: at most 1% above it.
fn assert_near(ms: f64, expected: f64) {
    assert!(ms >= expected && ms <= expected * 1.01, "{ms} ms, expected {expected}");
}

fn step_audited(sim: &mut Sim, t_us: u64) {
    sim.step_until(SimTime(t_us));
    sim.audit().unwrap_or_else(|e| panic!("at {t_us} us: {e}"));
}

#[test]
fn a_call_sleeping_between_attempts_holds_no_bulkhead_slot() {
    let s = design(100.0, 0.0, 1_000.0);
    let mut sim = Sim::new(&s).unwrap();
    step_audited(&mut sim, 803_000);
    assert_eq!(bulkhead(&sim), (1, 0), "the first attempt holds the slot");
    step_audited(&mut sim, 850_000);
    assert_eq!(bulkhead(&sim), (0, 0), "refused at 804 ms, sleeping until 954 ms: no slot held");
    // Request 2 finds the slot free and keeps it until 1,004 ms; the retry
    // re-enters the bulkhead at 954 ms and, with no wait allowed, is rejected.
    step_audited(&mut sim, 953_000);
    assert_eq!(bulkhead(&sim), (1, 0));
    sim.run();
    sim.audit().unwrap();
    assert_eq!(clients(&sim), [(0, 1), (1, 0)]);
    let r = sim.report();
    assert_eq!(r.requests.failed.error_status, 1, "A answers 500 when its dependency call fails");
    // A -> B: three attempts (refused, turned away by the bulkhead, ok), one of them a retry.
    let ab = &r.edges[2];
    assert_eq!((ab.calls, ab.ok, ab.retries, ab.failed.refused, ab.failed.bulkhead_full), (3, 1, 1, 1, 1));
}

#[test]
fn the_next_attempt_waits_for_the_slot_and_the_time_limiter_counts_the_wait() {
    // Up to 100 ms of waiting: the retry (954 ms) gets the slot when request
    // 2's answer is back (1,004 ms), so B has it at 1,005, answers at 1,105,
    // A at 1,106 and client 1 at 1,107: 307 ms after it sent it.
    let s = design(100.0, 100.0, 1_000.0);
    let mut sim = Sim::new(&s).unwrap();
    step_audited(&mut sim, 960_000);
    assert_eq!(bulkhead(&sim), (1, 1), "the retry waits for request 2's slot");
    step_audited(&mut sim, 1_005_000);
    assert_eq!(bulkhead(&sim), (1, 0), "and has it");
    sim.run();
    sim.audit().unwrap();
    assert_eq!(clients(&sim), [(1, 0), (1, 0)]);
    assert_near(sim.report().latency_ms.max, 307.0);

    // The time limiter wraps the bulkhead, so its clock starts before the
    // wait: with a 120 ms timeout the retry that starts waiting at 954 ms
    // gets the slot at 1,004 but times out at 1,074 (not 1,124, 120 ms after
    // it got the slot). The third attempt, at 1,224 ms, finds the slot free
    // and is back at A at 1,326 ms, at client 1 at 1,327: 527 ms in all.
    let s = design(100.0, 100.0, 120.0);
    let mut sim = Sim::new(&s).unwrap();
    step_audited(&mut sim, 1_073_000);
    assert_eq!(sim.edge(2).retries, 1);
    step_audited(&mut sim, 1_074_000);
    assert_eq!(sim.edge(2).retries, 2, "timed out 120 ms after it entered the bulkhead's wait");
    sim.run();
    sim.audit().unwrap();
    assert_eq!(clients(&sim), [(1, 0), (1, 0)]);
    assert_near(sim.report().latency_ms.max, 527.0);
}
