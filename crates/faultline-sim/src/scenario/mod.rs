//! The scenario document: the one source of truth.
//!
//! The canvas edits it, share links and JSON files carry it, the CLI runs it.
//! It is plain serde data with a `version` so old documents can be migrated.
//! Every field has a default (see the `Default` impls) and a unit in its name
//! (`_ms`, `_rps`), so a document reads without a manual. Unknown fields are
//! rejected by name: a typo must not silently fall back to a default.

pub mod generated;
mod presets;
mod validate;

pub use presets::slice_scenario;
pub use validate::{Limits, Problem, ScenarioError, LIMITS};

use crate::dist::Dist;
use serde::{Deserialize, Serialize};

/// The document version this build writes and reads.
pub const SCENARIO_VERSION: u32 = 1;

/// A whole simulation: topology, load, faults and the seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Document version; must be `SCENARIO_VERSION`.
    pub version: u32,
    /// A title shown to the user.
    #[serde(default)]
    pub name: String,
    /// The seed every random stream of the run derives from.
    #[serde(default)]
    pub seed: u64,
    /// How long the run lasts, in simulated milliseconds.
    pub duration_ms: u64,
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub edges: Vec<Edge>,
    #[serde(default)]
    pub workloads: Vec<Workload>,
}

/// One box on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Unique id, referenced by edges and workloads.
    pub id: String,
    /// Display name; the id when empty.
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Canvas position in pixels; the engine ignores it.
    #[serde(default)]
    pub x: f64,
    #[serde(default)]
    pub y: f64,
    pub kind: NodeKind,
}

impl Node {
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// What a node is, with its kind-specific configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeKind {
    Client(ClientConfig),
    Service(ServiceConfig),
    Database(DatabaseConfig),
}

impl NodeKind {
    pub fn name(&self) -> &'static str {
        match self {
            NodeKind::Client(_) => "client",
            NodeKind::Service(_) => "service",
            NodeKind::Database(_) => "database",
        }
    }
}

/// A load generator; its traffic is described by the scenario's workloads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {}

/// An application service: a worker pool in front of a bounded queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Concurrent requests it can work on (threads, event-loop slots).
    pub workers: u32,
    /// Requests waiting for a worker; one more is rejected with 503.
    pub queue_capacity: u32,
    /// Local processing time per request, before any downstream calls.
    pub service_time: Dist,
    /// Downstream calls made for each request, after local processing.
    /// A worker stays busy while it waits for them.
    pub calls: Vec<DownstreamCall>,
    /// Whether the calls run one after another or all at once.
    pub fanout: Fanout,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            workers: 8,
            queue_capacity: 100,
            service_time: Dist::exponential(5.0),
            calls: Vec::new(),
            fanout: Fanout::Sequential,
        }
    }
}

/// One dependency call a service makes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownstreamCall {
    /// The node called; an edge from this service to it must exist.
    pub to: String,
    /// Operations that make this call; empty means every operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fanout {
    #[default]
    Sequential,
    Parallel,
}

/// A database primary: a connection limit and a query-time distribution that
/// stretches as the connections fill up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Queries it runs at once (PostgreSQL's max_connections).
    pub max_connections: u32,
    /// Queries waiting for a connection; one more is refused.
    pub queue_capacity: u32,
    /// Query time on an idle database.
    pub query_time: Dist,
    /// Contention: query time is multiplied by 1 + saturation x (busy/max)^2.
    pub saturation: f64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            max_connections: 20,
            queue_capacity: 200,
            query_time: Dist::exponential(2.0),
            saturation: 0.5,
        }
    }
}

/// A directed network link a node calls another over; responses return on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// One-way network latency (request and response each draw once).
    #[serde(default = "default_edge_latency")]
    pub latency: Dist,
    /// Probability that a message on this link is lost (0..1).
    #[serde(default)]
    pub loss: f64,
    /// Per-call timeout in milliseconds; `null` waits forever.
    #[serde(default = "default_timeout")]
    pub timeout_ms: Option<f64>,
}

fn default_edge_latency() -> Dist {
    Dist::constant(0.5)
}

fn default_timeout() -> Option<f64> {
    Some(30_000.0)
}

impl Edge {
    pub fn new(from: &str, to: &str) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            latency: default_edge_latency(),
            loss: 0.0,
            timeout_ms: default_timeout(),
        }
    }
}

/// Traffic a client node generates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    pub id: String,
    /// The client node that sends the requests.
    pub client: String,
    /// The node the client sends them to (an edge client -> target must exist).
    pub target: String,
    pub arrival: Arrival,
    /// The request mix; empty means a single GET operation named "get".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<Operation>,
    #[serde(default)]
    pub keys: Keys,
}

/// When requests are generated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Arrival {
    /// Exponential inter-arrival times (the M in M/M/c).
    Poisson { rate_rps: f64 },
    /// Evenly spaced requests.
    Constant { rate_rps: f64 },
}

impl Arrival {
    pub fn rate_rps(&self) -> f64 {
        match *self {
            Arrival::Poisson { rate_rps } | Arrival::Constant { rate_rps } => rate_rps,
        }
    }
}

/// One kind of request in the mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub name: String,
    #[serde(default)]
    pub method: Method,
    /// Relative share of the mix.
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    Get,
    Post,
    Put,
    Delete,
}

/// How request keys are drawn (caches and shards care).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Keys {
    Uniform { count: u64 },
    Zipf { count: u64, s: f64 },
}

impl Default for Keys {
    fn default() -> Self {
        Keys::Uniform { count: 1_000_000 }
    }
}

impl Scenario {
    /// Parses a JSON document and validates it; every problem is reported.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(ScenarioError::from_json)?;
        scenario.validate()?;
        Ok(scenario)
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }
}
