//! Property tests: on random topologies, workloads and fault timelines, the
//! engine never panics and every request is accounted for at every step.

use faultline_sim::{Scenario, Sim, SimTime};
use proptest::prelude::*;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
struct Shape {
    services: Vec<(u32, u32, f64, u8)>, // workers, queue, mean ms, fanout parallel?
    databases: u8,
    balancer: Option<u8>,
    queue: bool,
    links: Vec<(u8, u8)>,       // service i calls node j (only later nodes: no cycles)
    timeouts: Vec<Option<u16>>, // per edge, ms
    loss: Vec<u8>,              // per edge, in 1/256
    rate: f64,
    faults: Vec<(u8, u16, Option<u16>, u8)>, // kind, at ms, duration ms, target
    seed: u64,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        prop::collection::vec((1u32..6, 0u32..20, 0.5f64..20.0, 0u8..2), 1..6),
        0u8..3,
        prop::option::of(0u8..5),
        any::<bool>(),
        prop::collection::vec((0u8..8, 0u8..8), 0..10),
        prop::collection::vec(prop::option::of(5u16..400), 16),
        prop::collection::vec(0u8..40, 16),
        10.0f64..1500.0,
        prop::collection::vec((0u8..10, 0u16..3000, prop::option::of(1u16..1500), any::<u8>()), 0..6),
        any::<u64>(),
    )
        .prop_map(|(services, databases, balancer, queue, links, timeouts, loss, rate, faults, seed)| Shape {
            services,
            databases,
            balancer,
            queue,
            links,
            timeouts,
            loss,
            rate,
            faults,
            seed,
        })
}

/// Builds a valid scenario from the shape: client -> [lb ->] services (a DAG)
/// -> databases, with an optional queue in front of the last service.
fn build(s: &Shape) -> Scenario {
    let algorithms = ["round_robin", "random", "least_outstanding", "power_of_two", "consistent_hash"];
    let mut nodes = vec![json!({ "id": "client", "kind": { "type": "client" } })];
    let mut edges: Vec<(String, String)> = Vec::new();
    let svc: Vec<String> = (0..s.services.len()).map(|i| format!("s{i}")).collect();
    let dbs: Vec<String> = (0..s.databases).map(|i| format!("d{i}")).collect();
    let mut calls: Vec<Vec<String>> = vec![Vec::new(); svc.len()];
    for &(a, b) in &s.links {
        let (a, b) = (a as usize % svc.len(), b as usize);
        let targets: Vec<&String> = svc[a + 1..].iter().chain(dbs.iter()).collect();
        if targets.is_empty() {
            continue;
        }
        let t = targets[b % targets.len()].clone();
        if !calls[a].contains(&t) {
            calls[a].push(t.clone());
            edges.push((svc[a].clone(), t));
        }
    }
    let queue_in_front = s.queue && svc.len() > 1;
    if queue_in_front {
        // s0 also publishes to a queue that feeds the last service.
        nodes.push(json!({ "id": "q", "kind": { "type": "queue", "capacity": 50, "consumers": 2 } }));
        let last = svc.last().unwrap().clone();
        if !calls[0].contains(&"q".to_string()) {
            calls[0].push("q".into());
            edges.push(("s0".into(), "q".into()));
        }
        edges.push(("q".into(), last));
    }
    let bits = s.seed;
    for (i, &(workers, queue, mean, parallel)) in s.services.iter().enumerate() {
        let c: Vec<Value> = calls[i].iter().map(|t| json!({ "to": t })).collect();
        let mut kind = json!({ "type": "service", "workers": workers, "queue_capacity": queue,
            "service_time": { "type": "exponential", "mean_ms": mean }, "calls": c,
            "fanout": if parallel == 1 { "parallel" } else { "sequential" },
            "error_rate": if bits & 1 != 0 { 0.05 } else { 0.0 },
            "client_error_rate": if bits & 2 != 0 { 0.05 } else { 0.0 } });
        if bits & 4 != 0 && !calls[i].is_empty() {
            let wait = if bits & 8 != 0 { 20.0 } else { 0.0 };
            kind["bulkheads"] =
                json!([{ "to": [calls[i][0]], "max_concurrent": 1 + (workers / 2), "max_wait_ms": wait }]);
        }
        if bits & 16 != 0 {
            kind["rate_limit"] = json!({ "rate_rps": 200.0, "burst": 5.0, "retry_after_ms": 50.0 });
        }
        if bits & 32 != 0 {
            kind["shed_queue_threshold"] = json!(queue / 2);
        }
        nodes.push(json!({ "id": svc[i], "region": if i % 2 == 0 { "east" } else { "west" }, "kind": kind }));
    }
    for (i, d) in dbs.iter().enumerate() {
        // d0 unsharded (until a reshard), d1 two shards on a consistent ring.
        let partitioning = ["hash", "consistent", "range"][i % 3];
        nodes.push(json!({ "id": d, "kind": { "type": "database", "max_connections": 3, "shards": i + 1,
            "partitioning": partitioning, "migration_penalty_ms": 5.0, "migration_window_ms": 500 } }));
    }
    let entry = match s.balancer {
        Some(a) => {
            nodes.push(json!({ "id": "lb", "kind": { "type": "load_balancer",
                "algorithm": algorithms[a as usize], "health_check_interval_ms": 200 } }));
            edges.push(("client".into(), "lb".into()));
            edges.push(("lb".into(), "s0".into()));
            if svc.len() > 1 {
                edges.push(("lb".into(), svc[1].clone()));
            }
            "lb".to_string()
        }
        None => {
            edges.push(("client".into(), "s0".into()));
            "s0".to_string()
        }
    };
    let edge_docs: Vec<Value> = edges
        .iter()
        .enumerate()
        .map(|(i, (f, t))| {
            let mut e = json!({ "from": f, "to": t, "timeout_ms": s.timeouts[i % 16].map(f64::from),
                    "loss": f64::from(s.loss[i % 16]) / 256.0,
                    "latency": { "type": "normal", "mean_ms": 1.0, "sd_ms": 0.5 } });
            let k = (bits >> (8 + 2 * (i % 16))) & 3;
            if k & 1 != 0 {
                let jitter = ["none", "full", "equal", "decorrelated", "additive"][i % 5];
                e["retry"] = json!({ "max_attempts": 3, "jitter": jitter, "retry_post": bits & 64 != 0,
                    "backoff": { "type": "exponential", "base_ms": 5.0, "cap_ms": 200.0 },
                    "budget": if bits & 128 != 0 { json!({}) } else { Value::Null } });
            }
            if k & 2 != 0 {
                e["breaker"] = json!({ "window": { "type": "count", "size": 10 }, "minimum_calls": 5,
                    "wait_in_open_ms": 300, "permitted_in_half_open": 2 });
                if i % 2 == 0 {
                    e["fallback"] = json!("cache");
                }
            }
            e
        })
        .collect();
    let names: Vec<String> = nodes.iter().skip(1).map(|n| n["id"].as_str().unwrap().to_string()).collect();
    let faults: Vec<Value> = s
        .faults
        .iter()
        .map(|&(kind, at, duration, target)| {
            let node = &names[target as usize % names.len()];
            let (f, t) = &edges[target as usize % edges.len()];
            let action = match kind {
                0 => json!({ "type": "crash", "node": node }),
                1 => json!({ "type": "pause", "node": node }),
                2 => json!({ "type": "partition", "a": ["east"], "b": ["client", names.last().unwrap()] }),
                3 => json!({ "type": "slow_node", "node": node, "factor": 10.0 }),
                4 => json!({ "type": "node_errors", "node": node, "rate": 0.5 }),
                5 => json!({ "type": "edge_latency", "from": f, "to": t, "add_ms": 100.0 }),
                6 => json!({ "type": "edge_loss", "from": f, "to": t, "loss": 0.5 }),
                7 => json!({ "type": "spike", "workload": "w", "factor": 3.0 }),
                8 if !dbs.is_empty() => {
                    json!({ "type": "reshard", "node": dbs[target as usize % dbs.len()], "shards": 1 + target % 5 })
                }
                _ => json!({ "type": "restart", "node": node }),
            };
            json!({ "at_ms": at, "duration_ms": duration, "action": action })
        })
        .collect();
    serde_json::from_value(json!({
        "version": 1, "seed": s.seed, "duration_ms": 3_000, "nodes": nodes, "edges": edge_docs,
        "workloads": [{ "id": "w", "client": "client", "target": entry,
                        "arrival": { "type": "poisson", "rate_rps": s.rate }, "deadline_ms": 500.0,
                        "ops": [{ "name": "read", "method": "GET", "weight": 3.0 },
                                { "name": "write", "method": "POST", "weight": 1.0, "idempotency_key": bits & 256 != 0 },
                                // A query without a shard key: a part on every shard (scatter-gather).
                                { "name": "search", "method": "GET", "weight": if bits & 512 != 0 { 1.0 } else { 0.0 }, "scatter": true }],
                        "keys": { "type": "zipf", "count": 1000, "s": 1.1 } }],
        "faults": faults
    }))
    .expect("the generator writes valid documents")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_request_is_accounted_for_at_every_step(shape in shape()) {
        let scenario = build(&shape);
        prop_assert!(scenario.validate().is_ok(), "{:?}", scenario.validate());
        let mut sim = Sim::new(&scenario).unwrap();
        let mut t = 0;
        while !sim.is_finished() {
            t += 137_000;
            sim.step_until(SimTime(t));
            if let Err(e) = sim.audit() {
                prop_assert!(false, "at {} us: {}", t, e);
            }
        }
        let r = sim.report();
        prop_assert_eq!(r.requests.generated, r.requests.ok + r.requests.failed.total + r.requests.in_flight);
    }

    #[test]
    fn the_same_scenario_runs_the_same_twice(shape in shape()) {
        let scenario = build(&shape);
        let run = || { let mut sim = Sim::new(&scenario).unwrap(); sim.run(); (sim.trace_hash(), sim.totals()) };
        prop_assert_eq!(run(), run());
    }

    #[test]
    fn arbitrary_json_never_panics_the_parser(text in "\\PC{0,200}") {
        let _ = Scenario::from_json(&text);
    }
}
