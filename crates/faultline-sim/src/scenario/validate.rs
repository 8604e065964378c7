//! Checking a scenario before it runs.
//!
//! Validation collects every problem instead of stopping at the first, each
//! with a path into the document (`edges[2].to`) and a plain message, so the
//! inspector can show it beside the field and the CLI can list them all. Every
//! size and rate has a named limit: no document, however hostile, can make the
//! engine hang a browser tab or exhaust memory.

use super::*;
use std::collections::HashSet;
use std::fmt;

/// The hard limits a scenario must respect.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_nodes: usize,
    pub max_edges: usize,
    pub max_workloads: usize,
    pub max_ops: usize,
    pub max_calls_per_service: usize,
    pub max_duration_ms: u64,
    pub max_rate_rps: f64,
    pub max_workers: u32,
    pub max_queue_capacity: u32,
    pub max_latency_ms: f64,
    pub max_id_len: usize,
}

pub const LIMITS: Limits = Limits {
    max_nodes: 2_000,
    max_edges: 10_000,
    max_workloads: 64,
    max_ops: 32,
    max_calls_per_service: 32,
    max_duration_ms: 24 * 3_600_000,
    max_rate_rps: 1_000_000.0,
    max_workers: 100_000,
    max_queue_capacity: 1_000_000,
    max_latency_ms: 3_600_000.0,
    max_id_len: 64,
};

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a path into the document (`nodes[3].kind.workers`); empty for the whole document.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Why a scenario was refused: every problem found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    pub(crate) fn from_json(e: serde_json::Error) -> ScenarioError {
        let message = if e.is_syntax() || e.is_eof() {
            format!("not valid JSON: {e}")
        } else {
            format!("not a valid scenario: {e}")
        };
        ScenarioError {
            problems: vec![Problem {
                path: String::new(),
                message,
            }],
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

struct Collector {
    problems: Vec<Problem>,
}

impl Collector {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    fn dist(&mut self, path: &str, d: &Dist) {
        for (field, msg) in d.problems(LIMITS.max_latency_ms) {
            self.add(format!("{path}.{field}"), msg);
        }
    }

    fn range_u32(&mut self, path: String, v: u32, lo: u32, hi: u32, limit: &str) {
        if v < lo {
            self.add(path, format!("must be >= {lo} (got {v})"));
        } else if v > hi {
            self.add(
                path,
                format!("must be at most {hi} (limit {limit}, got {v})"),
            );
        }
    }

    fn fraction(&mut self, path: String, v: f64) {
        if !v.is_finite() || !(0.0..=1.0).contains(&v) {
            self.add(path, format!("must be between 0 and 1 (got {v})"));
        }
    }

    fn id(&mut self, path: String, id: &str) {
        if id.is_empty() {
            self.add(path, "must not be empty");
        } else if id.len() > LIMITS.max_id_len {
            self.add(
                path,
                format!(
                    "must be at most {} characters (limit MAX_ID_LEN)",
                    LIMITS.max_id_len
                ),
            );
        }
    }
}

impl Scenario {
    /// Every problem with this scenario; `Ok` when it can run.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let mut c = Collector {
            problems: Vec::new(),
        };
        if self.version != SCENARIO_VERSION {
            c.add(
                "version",
                format!(
                    "unsupported version {} (this build reads version {SCENARIO_VERSION})",
                    self.version
                ),
            );
        }
        if self.duration_ms == 0 {
            c.add("duration_ms", "must be > 0");
        } else if self.duration_ms > LIMITS.max_duration_ms {
            c.add(
                "duration_ms",
                format!(
                    "must be at most {} ms (limit MAX_DURATION_MS, 24 h)",
                    LIMITS.max_duration_ms
                ),
            );
        }
        if self.nodes.is_empty() {
            c.add("nodes", "a scenario needs at least one node");
        }
        if self.nodes.len() > LIMITS.max_nodes {
            c.add(
                "nodes",
                format!(
                    "at most {} nodes (limit MAX_NODES, got {})",
                    LIMITS.max_nodes,
                    self.nodes.len()
                ),
            );
        }
        if self.edges.len() > LIMITS.max_edges {
            c.add(
                "edges",
                format!(
                    "at most {} edges (limit MAX_EDGES, got {})",
                    LIMITS.max_edges,
                    self.edges.len()
                ),
            );
        }
        if self.workloads.len() > LIMITS.max_workloads {
            c.add(
                "workloads",
                format!(
                    "at most {} workloads (limit MAX_WORKLOADS, got {})",
                    LIMITS.max_workloads,
                    self.workloads.len()
                ),
            );
        }
        if !c.problems.is_empty()
            && (self.nodes.len() > LIMITS.max_nodes || self.edges.len() > LIMITS.max_edges)
        {
            // Do not walk a hostile document any further.
            return Err(ScenarioError {
                problems: c.problems,
            });
        }

        let mut ids = HashSet::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let p = format!("nodes[{i}]");
            c.id(format!("{p}.id"), &n.id);
            if !ids.insert(n.id.as_str()) {
                c.add(format!("{p}.id"), format!("duplicate node id \"{}\"", n.id));
            }
            match &n.kind {
                NodeKind::Client(_) => {}
                NodeKind::Service(s) => {
                    c.range_u32(
                        format!("{p}.kind.workers"),
                        s.workers,
                        1,
                        LIMITS.max_workers,
                        "MAX_WORKERS",
                    );
                    c.range_u32(
                        format!("{p}.kind.queue_capacity"),
                        s.queue_capacity,
                        0,
                        LIMITS.max_queue_capacity,
                        "MAX_QUEUE_CAPACITY",
                    );
                    c.dist(&format!("{p}.kind.service_time"), &s.service_time);
                    if s.calls.len() > LIMITS.max_calls_per_service {
                        c.add(
                            format!("{p}.kind.calls"),
                            format!(
                                "at most {} calls (limit MAX_CALLS_PER_SERVICE)",
                                LIMITS.max_calls_per_service
                            ),
                        );
                    }
                }
                NodeKind::Database(d) => {
                    c.range_u32(
                        format!("{p}.kind.max_connections"),
                        d.max_connections,
                        1,
                        LIMITS.max_workers,
                        "MAX_WORKERS",
                    );
                    c.range_u32(
                        format!("{p}.kind.queue_capacity"),
                        d.queue_capacity,
                        0,
                        LIMITS.max_queue_capacity,
                        "MAX_QUEUE_CAPACITY",
                    );
                    c.dist(&format!("{p}.kind.query_time"), &d.query_time);
                    if !d.saturation.is_finite() || !(0.0..=100.0).contains(&d.saturation) {
                        c.add(
                            format!("{p}.kind.saturation"),
                            format!("must be between 0 and 100 (got {})", d.saturation),
                        );
                    }
                }
            }
        }

        let kind_of = |id: &str| self.nodes.iter().find(|n| n.id == id).map(|n| &n.kind);
        let mut links = HashSet::new();
        for (i, e) in self.edges.iter().enumerate() {
            let p = format!("edges[{i}]");
            for (field, id) in [("from", &e.from), ("to", &e.to)] {
                if kind_of(id).is_none() {
                    c.add(format!("{p}.{field}"), format!("no node with id \"{id}\""));
                }
            }
            if e.from == e.to {
                c.add(format!("{p}.to"), "an edge cannot connect a node to itself");
            }
            if matches!(kind_of(&e.to), Some(NodeKind::Client(_))) {
                c.add(
                    format!("{p}.to"),
                    format!("\"{}\" is a client: clients only send requests", e.to),
                );
            }
            if matches!(kind_of(&e.from), Some(NodeKind::Database(_))) {
                c.add(
                    format!("{p}.from"),
                    format!(
                        "\"{}\" is a database: databases do not call other nodes",
                        e.from
                    ),
                );
            }
            if !links.insert((e.from.as_str(), e.to.as_str())) {
                c.add(
                    p.clone(),
                    format!("duplicate edge \"{}\" -> \"{}\"", e.from, e.to),
                );
            }
            c.dist(&format!("{p}.latency"), &e.latency);
            c.fraction(format!("{p}.loss"), e.loss);
            if let Some(t) = e.timeout_ms {
                if !t.is_finite() || t <= 0.0 || t > LIMITS.max_latency_ms {
                    c.add(
                        format!("{p}.timeout_ms"),
                        format!(
                            "must be > 0 and at most {} ms, or null for none (got {t})",
                            LIMITS.max_latency_ms
                        ),
                    );
                }
            }
        }

        for (i, n) in self.nodes.iter().enumerate() {
            if let NodeKind::Service(s) = &n.kind {
                for (j, call) in s.calls.iter().enumerate() {
                    if !links.contains(&(n.id.as_str(), call.to.as_str())) {
                        c.add(
                            format!("nodes[{i}].kind.calls[{j}].to"),
                            format!("no edge from \"{}\" to \"{}\"", n.id, call.to),
                        );
                    }
                }
            }
        }

        let mut wl_ids = HashSet::new();
        for (i, w) in self.workloads.iter().enumerate() {
            let p = format!("workloads[{i}]");
            c.id(format!("{p}.id"), &w.id);
            if !wl_ids.insert(w.id.as_str()) {
                c.add(
                    format!("{p}.id"),
                    format!("duplicate workload id \"{}\"", w.id),
                );
            }
            match kind_of(&w.client) {
                None => c.add(
                    format!("{p}.client"),
                    format!("no node with id \"{}\"", w.client),
                ),
                Some(NodeKind::Client(_)) => {}
                Some(k) => c.add(
                    format!("{p}.client"),
                    format!("\"{}\" is a {}, not a client", w.client, k.name()),
                ),
            }
            if !links.contains(&(w.client.as_str(), w.target.as_str())) {
                c.add(
                    format!("{p}.target"),
                    format!("no edge from \"{}\" to \"{}\"", w.client, w.target),
                );
            }
            let rate = w.arrival.rate_rps();
            if !rate.is_finite() || rate < 0.0 {
                c.add(
                    format!("{p}.arrival.rate_rps"),
                    format!("must be a number >= 0 (got {rate})"),
                );
            } else if rate > LIMITS.max_rate_rps {
                c.add(
                    format!("{p}.arrival.rate_rps"),
                    format!(
                        "must be at most {} req/s (limit MAX_RATE_RPS)",
                        LIMITS.max_rate_rps
                    ),
                );
            }
            if w.ops.len() > LIMITS.max_ops {
                c.add(
                    format!("{p}.ops"),
                    format!("at most {} operations (limit MAX_OPS)", LIMITS.max_ops),
                );
            }
            for (j, op) in w.ops.iter().enumerate() {
                c.id(format!("{p}.ops[{j}].name"), &op.name);
                if !op.weight.is_finite() || op.weight < 0.0 {
                    c.add(
                        format!("{p}.ops[{j}].weight"),
                        format!("must be a number >= 0 (got {})", op.weight),
                    );
                }
            }
            if !w.ops.is_empty() && w.ops.iter().map(|o| o.weight).sum::<f64>() <= 0.0 {
                c.add(format!("{p}.ops"), "the weights must add up to more than 0");
            }
            match w.keys {
                Keys::Uniform { count } | Keys::Zipf { count, .. } if count == 0 => {
                    c.add(format!("{p}.keys.count"), "must be >= 1");
                }
                Keys::Zipf { s, .. } if !s.is_finite() || !(0.0..=10.0).contains(&s) => {
                    c.add(
                        format!("{p}.keys.s"),
                        format!("must be between 0 and 10 (got {s})"),
                    );
                }
                _ => {}
            }
        }

        if c.problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError {
                problems: c.problems,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(s: &Scenario) -> Vec<String> {
        s.validate()
            .err()
            .map(|e| e.problems.iter().map(|p| p.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_slice_is_valid() {
        assert_eq!(messages(&slice_scenario()), Vec::<String>::new());
    }

    #[test]
    fn a_dangling_edge_names_the_missing_node() {
        let mut s = slice_scenario();
        s.edges[1].to = "db2".into();
        let m = messages(&s);
        assert!(
            m.contains(&"edges[1].to: no node with id \"db2\"".to_string()),
            "{m:?}"
        );
        assert!(
            m.contains(&"nodes[1].kind.calls[0].to: no edge from \"api\" to \"db\"".to_string()),
            "{m:?}"
        );
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let mut s = slice_scenario();
        s.version = 99;
        s.duration_ms = 0;
        s.workloads[0].arrival = Arrival::Poisson { rate_rps: 5e9 };
        if let NodeKind::Service(cfg) = &mut s.nodes[1].kind {
            cfg.workers = 0;
        }
        let m = messages(&s);
        assert_eq!(m.len(), 4, "{m:?}");
        assert!(m[0].starts_with("version: unsupported version 99"));
        assert!(m
            .iter()
            .any(|x| x == "nodes[1].kind.workers: must be >= 1 (got 0)"));
        assert!(m.iter().any(|x| x.contains("limit MAX_RATE_RPS")));
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let mut v: serde_json::Value = serde_json::to_value(slice_scenario()).unwrap();
        v["nodes"][1]["kind"]["wrokers"] = 3.into();
        let err = Scenario::from_json(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains("unknown field `wrokers`"), "{err}");
    }

    #[test]
    fn broken_json_says_so() {
        let err = Scenario::from_json("{\"version\": 1,").unwrap_err();
        assert!(err.to_string().starts_with("not valid JSON"), "{err}");
    }

    #[test]
    fn too_many_nodes_stops_early_with_the_limit_named() {
        let mut s = slice_scenario();
        let n = s.nodes[0].clone();
        s.nodes = vec![n; LIMITS.max_nodes + 1];
        let m = messages(&s);
        assert!(m.iter().any(|x| x.contains("limit MAX_NODES")), "{m:?}");
    }
}
