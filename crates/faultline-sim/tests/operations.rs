//! Operations route calls: a service's call with `ops` is made by exactly the
//! requests of those operations, however many operation names the workloads
//! have between them (validation allows 64 workloads of 32 operations each).

use faultline_sim::scenario::{Scenario, LIMITS, SCENARIO_VERSION};
use faultline_sim::Sim;
use serde_json::json;

// The 65-name scenario below needs 4 workloads of up to 32 operations.
const _: () = assert!(LIMITS.max_ops >= 32 && LIMITS.max_workloads >= 4);

/// client -> api -> db, where api calls db only for `db_ops`. One Constant
/// workload per entry of `workloads` (its operation names, equal weights).
fn scenario(workloads: &[Vec<String>], db_ops: &[&str]) -> Scenario {
    let wl: Vec<_> = workloads
        .iter()
        .enumerate()
        .map(|(i, ops)| {
            let ops: Vec<_> = ops.iter().map(|name| json!({ "name": name, "method": "GET", "weight": 1.0 })).collect();
            json!({ "id": format!("w{i}"), "client": "client", "target": "api",
                    "arrival": { "type": "constant", "rate_rps": 100.0 }, "ops": ops })
        })
        .collect();
    let doc = json!({
        "version": SCENARIO_VERSION, "name": "ops", "seed": 1, "duration_ms": 2_000,
        "nodes": [
            { "id": "client", "kind": { "type": "client" } },
            { "id": "api", "kind": { "type": "service", "workers": 1_000,
                "service_time": { "type": "constant", "ms": 1.0 },
                "calls": [{ "to": "db", "ops": db_ops }] } },
            { "id": "db", "kind": { "type": "database", "max_connections": 1_000 } }
        ],
        "edges": [
            { "from": "client", "to": "api", "latency": { "type": "constant", "ms": 0.0 } },
            { "from": "api", "to": "db", "latency": { "type": "constant", "ms": 0.0 } }
        ],
        "workloads": wl
    });
    let s: Scenario = serde_json::from_str(&doc.to_string()).expect("a valid scenario document");
    s.validate().expect("valid");
    s
}

fn run(s: &Scenario) -> (u64, u64, Vec<(String, u64)>) {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    let api = s.node_index("api").unwrap();
    let db = s.node_index("db").unwrap();
    let per_op = sim.op_stats().map(|(name, st)| (name.to_string(), st.ok + st.failed)).collect();
    (sim.node_metrics(api).arrivals, sim.node_metrics(db).arrivals, per_op)
}

/// Two workloads with different operations: the second one's requests are
/// its own operation ("b"), not the first one's ("a") at the same position.
#[test]
fn each_workload_routes_by_its_own_operation_names() {
    let s = scenario(&[vec!["a".into()], vec!["b".into()]], &["b"]);
    let (api, db, per_op) = run(&s);
    eprintln!("api {api}, db {db}, per operation {per_op:?}");
    let each = api / 2; // equal constant rates
    assert!(each > 100);
    assert_eq!(db, each, "only the requests of \"b\" call the database");
    assert_eq!(per_op, vec![("a".to_string(), each), ("b".to_string(), each)]);
}

/// 65 operation names over three workloads; the db is called by the 64th and
/// 65th names only (indices 63 and 64), which a 64-bit mask cannot tell apart.
#[test]
fn operations_past_the_sixty_fourth_route_to_their_own_calls() {
    let names: Vec<String> = (0..65).map(|i| format!("op{i}")).collect();
    let workloads =
        vec![names[0..32].to_vec(), names[32..63].to_vec(), vec![names[63].clone()], vec![names[64].clone()]];
    // Only op64 (the last workload's only operation) calls the db.
    let (api, db, per_op) = run(&scenario(&workloads, &["op64"]));
    eprintln!("api {api}, db {db}");
    let each = api / 4; // equal constant rates
    assert!(each > 100);
    assert_eq!(db, each, "only op64's requests call the database");
    assert_eq!(per_op.len(), 65);
    assert_eq!(per_op[64], ("op64".to_string(), each));
    // And op63 alone routes only its own requests.
    let (_, db, _) = run(&scenario(&workloads, &["op63"]));
    assert_eq!(db, each, "only op63's requests call the database");
}
