//! A load balancer's health checks are probes over the network, not a look
//! at the backend's state: a probe fails when it is lost, cut off by a
//! partition, answered with an error, or not answered within the check's
//! timeout. One design throughout: client -> lb -> b0, b1, b2, every link a
//! constant 1 ms, each backend 5 ms of work per request; checks every
//! 500 ms (at 500, 1,000, ... ms), two failures take a backend out, two
//! passes put it back. Faults hit b1 at 2,000 ms, a check time (faults go
//! first among events due at the same moment).

use faultline_sim::nodes::Behaviour;
use faultline_sim::scenario::{Fault, FaultAction, NodeKind};
use faultline_sim::{Scenario, Sim, SimTime};
use serde_json::json;

const B1: usize = 3;

fn design(faults: Vec<Fault>) -> Scenario {
    let constant = |ms: f64| json!({ "type": "constant", "ms": ms });
    let mut nodes = vec![
        json!({ "id": "client", "kind": { "type": "client" } }),
        json!({ "id": "lb", "kind": { "type": "load_balancer", "health_check_interval_ms": 500,
            "unhealthy_threshold": 2, "healthy_threshold": 2 } }),
    ];
    let mut edges = vec![json!({ "from": "client", "to": "lb", "latency": constant(1.0), "timeout_ms": null })];
    for b in ["b0", "b1", "b2"] {
        nodes.push(json!({ "id": b, "kind": { "type": "service", "workers": 8, "queue_capacity": 10_000,
            "service_time": constant(5.0) } }));
        edges.push(json!({ "from": "lb", "to": b, "latency": constant(1.0), "timeout_ms": 1_000.0 }));
    }
    let mut s: Scenario = serde_json::from_value(json!({
        "version": 1, "seed": 11, "duration_ms": 12_000, "nodes": nodes, "edges": edges,
        "workloads": [{ "id": "w", "client": "client", "target": "lb",
                        "arrival": { "type": "poisson", "rate_rps": 300.0 } }]
    }))
    .unwrap();
    s.faults = faults;
    s
}

fn on_b1(at_ms: u64, duration_ms: Option<u64>, action: FaultAction) -> Fault {
    Fault { at_ms, duration_ms, action }
}

fn healthy(sim: &Sim) -> Vec<bool> {
    let Behaviour::Balancer(lb) = &sim.node(1).behaviour else { unreachable!() };
    lb.health.iter().map(|h| h.healthy).collect()
}

/// Requests b1 received in the windows ending in (from, to] ms.
fn b1_arrivals(sim: &Sim, from: u64, to: u64) -> u64 {
    sim.node_metrics(B1).series().filter(|p| p.t_ms > from && p.t_ms <= to).map(|p| p.arrivals).sum()
}

/// Runs to `t_ms` and checks the books.
fn at(sim: &mut Sim, t_ms: u64) -> Vec<bool> {
    sim.step_until(SimTime::from_millis(t_ms));
    sim.audit().unwrap_or_else(|e| panic!("at {t_ms} ms: {e}"));
    healthy(sim)
}

/// b1 is taken out when the second failed probe's failure is known, at
/// `out_ms` (not a microsecond before), and gets no more traffic.
fn assert_taken_out(s: &Scenario, out_ms: u64) {
    let mut sim = Sim::new(s).unwrap();
    assert_eq!(at(&mut sim, 1_999), vec![true; 3]);
    sim.step_until(SimTime(out_ms * 1_000 - 1));
    assert_eq!(healthy(&sim), vec![true; 3], "one failed check is not enough");
    assert_eq!(at(&mut sim, out_ms), vec![true, false, true]);
    assert_eq!(at(&mut sim, 12_000), vec![true, false, true], "and it stays out");
    assert_eq!(b1_arrivals(&sim, 4_000, 12_000), 0);
}

#[test]
fn a_backend_slowed_past_the_probe_timeout_is_taken_out() {
    // 5 ms x 1,000 = 5 s per answer: past the timeout (by default the
    // interval, 500 ms). The probes sent at 2,000 and 2,500 ms time out at
    // 2,500 and 3,000 ms.
    let slow = FaultAction::SlowNode { node: "b1".into(), factor: 1_000.0 };
    assert_taken_out(&design(vec![on_b1(2_000, None, slow)]), 3_000);
}

#[test]
fn a_partitioned_backend_is_taken_out() {
    let cut = FaultAction::Partition { id: None, a: vec!["lb".into()], b: vec!["b1".into()] };
    assert_taken_out(&design(vec![on_b1(2_000, None, cut)]), 3_000);
}

#[test]
fn a_backend_behind_a_99_percent_lossy_link_is_taken_out() {
    // A probe passes only if both legs get through: 1 in 10,000. Two failures
    // in a row take b1 out; two passes in a row (1 in 10^8) would bring it back.
    let loss = FaultAction::EdgeLoss { from: "lb".into(), to: "b1".into(), loss: 0.99 };
    assert_taken_out(&design(vec![on_b1(2_000, None, loss)]), 3_000);
}

#[test]
fn a_backend_answering_errors_is_taken_out() {
    // Answered with a 500 after 1 + 5 + 1 ms: failures known at 2,007 and 2,507 ms.
    let errors = FaultAction::NodeErrors { node: "b1".into(), rate: 1.0 };
    assert_taken_out(&design(vec![on_b1(2_000, None, errors)]), 2_507);
}

#[test]
fn healthy_backends_stay_in_and_probes_are_not_user_traffic() {
    // A backend slowed x10 (50 ms answers) is slow, not dead: it stays in.
    let s = design(vec![on_b1(2_000, None, FaultAction::SlowNode { node: "b1".into(), factor: 10.0 })]);
    let mut sim = Sim::new(&s).unwrap();
    for t in (100..=12_000).step_by(100) {
        assert_eq!(at(&mut sim, t), vec![true; 3], "at {t} ms");
    }
    // Every request the backends saw came through the balancer: the 6
    // probes a second that reach them (72 in the run) are not counted.
    let r = sim.report();
    let backends: u64 = r.nodes[2..].iter().map(|n| n.arrivals).sum();
    let forwarded: u64 = r.edges[1..].iter().map(|e| e.calls).sum();
    // (Some forwarded in the last millisecond are still on the wire.)
    assert!(backends <= forwarded && forwarded - backends <= 5, "{backends} vs {forwarded}");
    assert_eq!(forwarded, r.nodes[1].arrivals);
    assert_eq!(r.requests.failed.total, 0);
}

#[test]
fn a_recovered_backend_comes_back_after_the_healthy_threshold() {
    // Slowed from 2 s to 7 s: out at 3,000 ms. The probe sent at 7,000 ms
    // (the fault has ended: faults go first) passes at 7,007, the next at
    // 7,507: back after two passes.
    let slow = FaultAction::SlowNode { node: "b1".into(), factor: 1_000.0 };
    let s = design(vec![on_b1(2_000, Some(5_000), slow)]);
    let mut sim = Sim::new(&s).unwrap();
    assert_eq!(at(&mut sim, 3_100), vec![true, false, true]);
    assert_eq!(at(&mut sim, 7_506), vec![true, false, true], "one pass is not enough");
    assert_eq!(at(&mut sim, 7_508), vec![true; 3]);
    sim.run();
    sim.audit().unwrap();
    // Round robin over three again: a third of 300 req/s for 4 s.
    let back = b1_arrivals(&sim, 8_000, 12_000) as f64;
    assert!((back - 400.0).abs() < 40.0, "b1 takes its third again: {back}");
}

#[test]
fn the_probe_timeout_is_the_balancers_setting() {
    // b1 slowed x30: 150 ms answers. Within the default timeout (the 500 ms
    // interval) it stays in; with a 100 ms timeout it is taken out when the
    // probe sent at 2,500 ms times out, at 2,600.
    let slow = FaultAction::SlowNode { node: "b1".into(), factor: 30.0 };
    let mut s = design(vec![on_b1(2_000, None, slow)]);
    let mut sim = Sim::new(&s).unwrap();
    assert_eq!(at(&mut sim, 12_000), vec![true; 3]);
    let NodeKind::LoadBalancer(lb) = &mut s.nodes[1].kind else { unreachable!() };
    lb.health_check_timeout_ms = Some(100);
    assert_taken_out(&s, 2_600);
}

#[test]
fn a_paused_backend_does_not_answer_and_a_crashed_one_refuses() {
    // Paused: the probes wait with it and time out, at 2,500 and 3,000 ms.
    assert_taken_out(&design(vec![on_b1(2_000, None, FaultAction::Pause { node: "b1".into() })]), 3_000);
    // Crashed: the refusal is back after a round trip, at 2,002 and 2,502 ms.
    assert_taken_out(&design(vec![on_b1(2_000, None, FaultAction::Crash { node: "b1".into() })]), 2_502);
}
