//! Built-in scenarios that the page, the CLI and the tests share.

use super::*;

/// The walking skeleton's slice: Poisson clients -> an API service with a
/// worker pool and a bounded queue -> a database.
///
/// At 400 req/s the API (8 workers, ~5 ms local work plus a ~2 ms query and
/// two 0.5 ms hops) runs near 45% utilisation, so queues form now and then
/// without the system saturating.
pub fn slice_scenario() -> Scenario {
    Scenario {
        version: SCENARIO_VERSION,
        name: "Client -> API -> database".into(),
        seed: 42,
        duration_ms: 600_000,
        nodes: vec![
            Node {
                id: "client".into(),
                name: "Clients".into(),
                region: None,
                zone: None,
                x: 120.0,
                y: 160.0,
                kind: NodeKind::Client(ClientConfig {}),
            },
            Node {
                id: "api".into(),
                name: "API service".into(),
                region: None,
                zone: None,
                x: 400.0,
                y: 160.0,
                kind: NodeKind::Service(ServiceConfig {
                    calls: vec![DownstreamCall { to: "db".into(), ops: vec![] }],
                    ..ServiceConfig::default()
                }),
            },
            Node {
                id: "db".into(),
                name: "Database".into(),
                region: None,
                zone: None,
                x: 680.0,
                y: 160.0,
                kind: NodeKind::Database(DatabaseConfig::default()),
            },
        ],
        edges: vec![Edge::new("client", "api"), Edge::new("api", "db")],
        workloads: vec![Workload {
            id: "users".into(),
            client: "client".into(),
            target: "api".into(),
            arrival: Arrival::Poisson { rate_rps: 400.0 },
            ops: vec![],
            keys: Keys::default(),
            deadline_ms: None,
            split_hot_keys: None,
        }],
        faults: vec![],
    }
}
