//! Checking a scenario before it runs.
//!
//! Validation collects every problem instead of stopping at the first, each
//! with a path into the document (`edges[2].to`) and a plain message, so the
//! inspector can show it beside the field and the CLI can list them all. Every
//! size and rate has a named limit: no document, however hostile, can make the
//! engine hang a browser tab or exhaust memory.
//!
//! With the feature `inline-cold` (which only the engine's worker turns
//! on), every function here is `#[inline]`, not for speed: an `#[inline]`
//! function is compiled in the crate that calls it, at that crate's
//! opt-level. The worker builds this crate at opt-level 3 for its hot loop
//! (Cargo.toml, profile `wasm-fast`), but validation is cold, and its callers
//! in the worker (faultline-live) are built at "z". The same goes for the
//! cold paths that call it here (`Sim::new`, `Sim::inject`, the exercise
//! check's `check`, `run_variant`, `apply` and `Exercise::validate`): one of
//! them left out would keep a second copy of all this at opt-level 3.
//! Together 4.2 KB of the worker's gzipped wasm. The page, built at "z"
//! throughout, leaves the feature off: there the inlined copies only added a
//! second copy (its wasm was 8.9 KB bigger gzipped).

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
    pub max_faults: usize,
    pub max_schedule_points: usize,
    pub max_virtual_nodes: u32,
    pub max_factor: f64,
    /// A queue's redelivery delay (`redelivery_delay_ms`).
    pub max_redelivery_delay_ms: u64,
    /// A cache's entries (`capacity`).
    pub max_cache_entries: u32,
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
    max_faults: 10_000,
    max_schedule_points: 1_000,
    max_virtual_nodes: 1_000,
    max_factor: 1_000.0,
    max_redelivery_delay_ms: 3_600_000,
    max_cache_entries: 1_000_000,
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
    #[cfg_attr(feature = "inline-cold", inline)]
    pub(crate) fn from_json(e: serde_json::Error) -> ScenarioError {
        let message = if e.is_syntax() || e.is_eof() {
            format!("not valid JSON: {e}")
        } else {
            format!("not a valid scenario: {e}")
        };
        ScenarioError { problems: vec![Problem { path: String::new(), message }] }
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
    /// Problems of a design that is not finished yet (nothing on the canvas,
    /// a queue without its consumer): it cannot run, but an editor may hold it.
    unfinished: Vec<Problem>,
}

impl Collector {
    #[cfg_attr(feature = "inline-cold", inline)]
    fn unfinished(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.unfinished.push(Problem { path: path.into(), message: message.into() });
    }

    #[cfg_attr(feature = "inline-cold", inline)]
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem { path: path.into(), message: message.into() });
    }

    #[cfg_attr(feature = "inline-cold", inline)]
    fn dist(&mut self, path: &str, d: &Dist) {
        for (field, msg) in d.problems(LIMITS.max_latency_ms) {
            self.add(format!("{path}.{field}"), msg);
        }
    }

    #[cfg_attr(feature = "inline-cold", inline)]
    fn range_u32(&mut self, path: String, v: u32, lo: u32, hi: u32, limit: &str) {
        if v < lo {
            self.add(path, format!("must be >= {lo} (got {v})"));
        } else if v > hi {
            self.add(path, format!("must be at most {hi} (limit {limit}, got {v})"));
        }
    }

    #[cfg_attr(feature = "inline-cold", inline)]
    fn fraction(&mut self, path: String, v: f64) {
        if !v.is_finite() || !(0.0..=1.0).contains(&v) {
            self.add(path, format!("must be between 0 and 1 (got {v})"));
        }
    }

    #[cfg_attr(feature = "inline-cold", inline)]
    fn id(&mut self, path: String, id: &str) {
        if id.is_empty() {
            self.add(path, "must not be empty");
        } else if id.len() > LIMITS.max_id_len {
            self.add(path, format!("must be at most {} characters (limit MAX_ID_LEN)", LIMITS.max_id_len));
        }
    }
}

impl Scenario {
    /// Every problem with this scenario; `Ok` when it can run.
    #[cfg_attr(feature = "inline-cold", inline)]
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let mut c = self.collect();
        c.problems.append(&mut c.unfinished);
        if c.problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError { problems: c.problems })
        }
    }

    /// The problems that make this a broken document, leaving out those of a
    /// design still being drawn (no nodes yet, a queue not yet connected to
    /// its consumer). The playground's editor accepts what passes this; the
    /// engine runs only what passes `validate`.
    #[cfg_attr(feature = "inline-cold", inline)]
    pub fn validate_draft(&self) -> Result<(), ScenarioError> {
        let c = self.collect();
        if c.problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError { problems: c.problems })
        }
    }

    /// Every problem, in document order: the document's sizes, then nodes,
    /// edges, calls, workloads and faults, then (if all else is sound) cycles.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn collect(&self) -> Collector {
        let mut c = Collector { problems: Vec::new(), unfinished: Vec::new() };
        self.validate_document(&mut c);
        if !c.problems.is_empty() && (self.nodes.len() > LIMITS.max_nodes || self.edges.len() > LIMITS.max_edges) {
            // Do not walk a hostile document any further.
            return c;
        }
        self.validate_nodes(&mut c);
        let links = self.validate_edges(&mut c);
        self.validate_calls_have_edges(&mut c, &links);
        self.validate_workloads(&mut c, &links);
        self.validate_faults(&mut c, &links);
        if c.problems.is_empty() {
            if let Some(cycle) = self.call_cycle() {
                c.add(
                    "edges",
                    format!("calls form a cycle ({}): a request would call itself forever", cycle.join(" -> ")),
                );
            }
        }
        c
    }

    /// The kind of the node with this id.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn kind_of(&self, id: &str) -> Option<&NodeKind> {
        self.nodes.iter().find(|n| n.id == id).map(|n| &n.kind)
    }

    /// The version, the duration and the document's sizes.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_document(&self, c: &mut Collector) {
        if self.version != SCENARIO_VERSION {
            c.add(
                "version",
                format!("unsupported version {} (this build reads version {SCENARIO_VERSION})", self.version),
            );
        }
        if self.duration_ms == 0 {
            c.add("duration_ms", "must be > 0");
        } else if self.duration_ms > LIMITS.max_duration_ms {
            c.add(
                "duration_ms",
                format!("must be at most {} ms (limit MAX_DURATION_MS, 24 h)", LIMITS.max_duration_ms),
            );
        }
        if self.nodes.is_empty() {
            c.unfinished("nodes", "a scenario needs at least one node");
        }
        if self.nodes.len() > LIMITS.max_nodes {
            c.add("nodes", format!("at most {} nodes (limit MAX_NODES, got {})", LIMITS.max_nodes, self.nodes.len()));
        }
        if self.edges.len() > LIMITS.max_edges {
            c.add("edges", format!("at most {} edges (limit MAX_EDGES, got {})", LIMITS.max_edges, self.edges.len()));
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
    }

    /// Each node: a unique id, and the settings of its kind.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_nodes(&self, c: &mut Collector) {
        let mut ids = HashSet::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let p = format!("nodes[{i}]");
            c.id(format!("{p}.id"), &n.id);
            if !ids.insert(n.id.as_str()) {
                c.add(format!("{p}.id"), format!("duplicate node id \"{}\"", n.id));
            }
            match &n.kind {
                NodeKind::Client(_) => {}
                NodeKind::LoadBalancer(lb) => self.validate_balancer(c, &p, n, lb),
                NodeKind::Queue(q) => self.validate_queue(c, &p, n, q),
                NodeKind::Service(s) => validate_service(c, &p, n, s),
                NodeKind::Database(d) => validate_database(c, &p, d),
                NodeKind::Cache(k) => self.validate_cache(c, &p, n, k),
                NodeKind::Pooler(k) => {
                    for (path, msg) in super::pooler::problems(&p, k) {
                        c.add(path, msg);
                    }
                    let out: Vec<&str> = self.edges.iter().filter(|e| e.from == n.id).map(|e| e.to.as_str()).collect();
                    let msg = format!(
                        "pooler \"{}\" needs exactly one outgoing edge, to a database (has {})",
                        n.id,
                        out.len()
                    );
                    if out.is_empty() {
                        c.unfinished(format!("{p}.kind"), msg);
                    } else if out.len() > 1 || !matches!(self.kind_of(out[0]), Some(NodeKind::Database(_))) {
                        c.add(format!("{p}.kind"), msg);
                    }
                }
                NodeKind::Store(k) => c.problems.extend(k.problems(&p)),
                NodeKind::Log(l) => self.validate_log(c, &p, n, l),
            }
        }
    }

    /// A load balancer's ring and health checks, and that it has backends.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_balancer(&self, c: &mut Collector, p: &str, n: &Node, lb: &LoadBalancerConfig) {
        c.range_u32(
            format!("{p}.kind.virtual_nodes"),
            lb.virtual_nodes,
            1,
            LIMITS.max_virtual_nodes,
            "MAX_VIRTUAL_NODES",
        );
        if let Some(f) = lb.hash_balance_factor {
            if !(100..=super::MAX_HASH_BALANCE_FACTOR).contains(&f) {
                c.add(
                    format!("{p}.kind.hash_balance_factor"),
                    format!(
                        "must be a percentage of the average load between 100 and {} (got {f}); empty for plain consistent hashing",
                        super::MAX_HASH_BALANCE_FACTOR
                    ),
                );
            }
        }
        c.range_u32(format!("{p}.kind.unhealthy_threshold"), lb.unhealthy_threshold, 1, 1_000, "1000");
        c.range_u32(format!("{p}.kind.healthy_threshold"), lb.healthy_threshold, 1, 1_000, "1000");
        if (lb.health_check_interval_ms > 0 && lb.health_check_interval_ms < 10)
            || lb.health_check_interval_ms > LIMITS.max_duration_ms
        {
            c.add(
                format!("{p}.kind.health_check_interval_ms"),
                "must be 0 (off), or between 10 ms and 24 h (limit MAX_DURATION_MS)",
            );
        }
        if let Some(t) = lb.health_check_timeout_ms {
            if t == 0 || (lb.health_check_interval_ms > 0 && t > lb.health_check_interval_ms) {
                c.add(
                    format!("{p}.kind.health_check_timeout_ms"),
                    format!(
                        "must be between 1 ms and the health-check interval ({} ms) (got {t})",
                        lb.health_check_interval_ms
                    ),
                );
            }
        }
        if !self.edges.iter().any(|e| e.from == n.id) {
            c.unfinished(format!("{p}.kind"), format!("load balancer \"{}\" has no backends (no outgoing edge)", n.id));
        }
    }

    /// A queue's capacity, consumers and redelivery, and its one consumer edge.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_queue(&self, c: &mut Collector, p: &str, n: &Node, q: &QueueConfig) {
        c.range_u32(format!("{p}.kind.capacity"), q.capacity, 1, LIMITS.max_queue_capacity, "MAX_QUEUE_CAPACITY");
        c.range_u32(format!("{p}.kind.consumers"), q.consumers, 1, LIMITS.max_workers, "MAX_WORKERS");
        c.range_u32(format!("{p}.kind.max_redeliveries"), q.max_redeliveries, 0, 100, "100");
        if q.redelivery_delay_ms > LIMITS.max_redelivery_delay_ms {
            c.add(
                format!("{p}.kind.redelivery_delay_ms"),
                format!(
                    "must be at most {} ms (limit MAX_REDELIVERY_DELAY_MS, 1 h; got {})",
                    LIMITS.max_redelivery_delay_ms, q.redelivery_delay_ms
                ),
            );
        }
        let out = self.edges.iter().filter(|e| e.from == n.id).count();
        if out == 0 {
            c.unfinished(
                format!("{p}.kind"),
                format!("queue \"{}\" needs exactly one outgoing edge to its consumer (has 0)", n.id),
            );
        } else if out > 1 {
            c.add(
                format!("{p}.kind"),
                format!("queue \"{}\" needs exactly one outgoing edge to its consumer (has {out})", n.id),
            );
        }
    }

    /// An event log's settings, and its one consumer edge.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_log(&self, c: &mut Collector, p: &str, n: &Node, l: &super::LogConfig) {
        for (path, msg) in l.problems(p) {
            c.add(path, msg);
        }
        let out = self.edges.iter().filter(|e| e.from == n.id).count();
        let msg = format!("log \"{}\" needs exactly one outgoing edge to its consumer service (has {out})", n.id);
        match out {
            0 => c.unfinished(format!("{p}.kind"), msg),
            1 => {}
            _ => c.add(format!("{p}.kind"), msg),
        }
        if let Some(src) = &l.source {
            self.validate_log_source(c, p, n, src);
        }
    }

    /// A log fed by a database's writes: the database exists, and some
    /// service writes to it (and, for a dual write, publishes to the log too).
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_log_source(&self, c: &mut Collector, p: &str, n: &Node, src: &super::WriteSource) {
        let path = format!("{p}.kind.source.database");
        match self.kind_of(&src.database) {
            Some(NodeKind::Database(_)) => {}
            Some(_) => return c.add(path, format!("\"{}\" is not a database", src.database)),
            None => return c.add(path, format!("no node \"{}\"", src.database)),
        }
        let writers: Vec<&str> = self.edges.iter().filter(|e| e.to == src.database).map(|e| e.from.as_str()).collect();
        let publishers = writers
            .iter()
            .filter(|w| matches!(self.kind_of(w), Some(NodeKind::Service(_))))
            .filter(|w| self.edges.iter().any(|e| e.from == **w && e.to == n.id))
            .count();
        if src.outbox {
            if writers.is_empty() {
                c.unfinished(path, format!("nothing writes to \"{}\", so its outbox stays empty", src.database));
            }
        } else if publishers == 0 {
            c.unfinished(
                path,
                format!("a dual write needs a service that calls both \"{}\" and this log \"{}\"", src.database, n.id),
            );
        }
    }

    /// A cache's size, TTL and lookup time, and its one backing store.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_cache(&self, c: &mut Collector, p: &str, n: &Node, k: &CacheConfig) {
        c.range_u32(format!("{p}.kind.capacity"), k.capacity, 1, LIMITS.max_cache_entries, "MAX_CACHE_ENTRIES");
        if let Some(t) = k.ttl_ms {
            if !t.is_finite() || t <= 0.0 || t > LIMITS.max_duration_ms as f64 {
                c.add(
                    format!("{p}.kind.ttl_ms"),
                    format!("must be > 0 and at most {} ms (24 h), or null for none (got {t})", LIMITS.max_duration_ms),
                );
            }
        }
        c.dist(&format!("{p}.kind.lookup_time"), &k.lookup_time);
        self.validate_cache_data(c, p, k);
        let out = self.edges.iter().filter(|e| e.from == n.id).count();
        for e in self.edges.iter().filter(|e| e.from == n.id) {
            if matches!(self.kind_of(&e.to), Some(NodeKind::Database(d)) if d.replicas > 0) {
                c.add(
                    format!("{p}.kind"),
                    format!(
                        "a cache cannot read \"{}\" yet: its replicas' lag would hide in the cache's stale reads",
                        e.to
                    ),
                );
            }
        }
        let msg = format!("cache \"{}\" needs exactly one outgoing edge to its backing store (has {out})", n.id);
        if out == 0 {
            c.unfinished(format!("{p}.kind"), msg);
        } else if out > 1 {
            c.add(format!("{p}.kind"), msg);
        }
    }

    /// A `database` fallback: on an edge to a cache that reads a database,
    /// from a node with its own edge to that database.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_cache_bypass(&self, c: &mut Collector, p: &str, e: &Edge) {
        if !matches!(self.kind_of(&e.to), Some(NodeKind::Cache(_))) {
            return c.add(
                format!("{p}.fallback"),
                format!("\"database\" falls back past a cache: \"{}\" is not one", e.to),
            );
        }
        let db = self.edges.iter().find(|b| b.from == e.to).map(|b| b.to.as_str());
        let Some(db) = db.filter(|db| matches!(self.kind_of(db), Some(NodeKind::Database(_)))) else {
            return c.add(format!("{p}.fallback"), format!("cache \"{}\" does not read a database", e.to));
        };
        if !self.edges.iter().any(|d| d.from == e.from && d.to == db) {
            c.add(format!("{p}.fallback"), format!("\"{}\" needs its own edge to \"{db}\" to fall back to it", e.from));
        }
    }

    /// A cache's data options: write-behind's flush interval, TTL jitter and early refresh.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_cache_data(&self, c: &mut Collector, p: &str, k: &CacheConfig) {
        let f = k.flush_interval_ms;
        if !f.is_finite() || !(1.0..=60_000.0).contains(&f) {
            c.add(format!("{p}.kind.flush_interval_ms"), format!("must be from 1 to 60000 ms (got {f})"));
        }
        let j = k.ttl_jitter;
        if !j.is_finite() || !(0.0..1.0).contains(&j) {
            c.add(format!("{p}.kind.ttl_jitter"), format!("must be a fraction from 0 to below 1 (got {j})"));
        } else if j > 0.0 && k.ttl_ms.is_none() {
            c.add(format!("{p}.kind.ttl_jitter"), "jitters the TTL: needs a ttl_ms");
        }
        if let Some(t) = k.negative_ttl_ms {
            if !t.is_finite() || t <= 0.0 || t > LIMITS.max_duration_ms as f64 {
                c.add(
                    format!("{p}.kind.negative_ttl_ms"),
                    format!("must be > 0 and at most {} ms, or null for none (got {t})", LIMITS.max_duration_ms),
                );
            }
        }
        let b = k.early_refresh_beta;
        if !b.is_finite() || !(0.0..=100.0).contains(&b) {
            c.add(format!("{p}.kind.early_refresh_beta"), format!("must be from 0 (off) to 100 (got {b})"));
        } else if b > 0.0 && k.ttl_ms.is_none() {
            c.add(format!("{p}.kind.early_refresh_beta"), "refreshes before expiry: needs a ttl_ms");
        }
    }

    /// Each edge: its two ends, latency, loss, retries, breaker and timeout.
    /// Returns the (from, to) pairs of the edges, for the checks that need a link.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_edges(&self, c: &mut Collector) -> HashSet<(&str, &str)> {
        let kind_of = |id: &str| self.kind_of(id);
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
                c.add(format!("{p}.to"), format!("\"{}\" is a client: clients only send requests", e.to));
            }
            if matches!(kind_of(&e.from), Some(NodeKind::Store(_))) {
                c.add(format!("{p}.from"), format!("\"{}\" is a store: stores do not call other nodes", e.from));
            }
            if matches!(kind_of(&e.from), Some(NodeKind::Database(_))) {
                c.add(format!("{p}.from"), format!("\"{}\" is a database: databases do not call other nodes", e.from));
            }
            if !links.insert((e.from.as_str(), e.to.as_str())) {
                c.add(p.clone(), format!("duplicate edge \"{}\" -> \"{}\"", e.from, e.to));
            }
            c.dist(&format!("{p}.latency"), &e.latency);
            c.fraction(format!("{p}.loss"), e.loss);
            if let Some(r) = &e.retry {
                validate_retry(c, &p, r);
            }
            if e.fallback == Some(crate::scenario::Fallback::Database) {
                self.validate_cache_bypass(c, &p, e);
            }
            if let Some(b) = &e.breaker.map(|b| b.config()) {
                validate_breaker(c, &p, b);
            }
            if let Some(t) = e.timeout_ms {
                if !t.is_finite() || t <= 0.0 || t > LIMITS.max_latency_ms {
                    c.add(
                        format!("{p}.timeout_ms"),
                        format!("must be > 0 and at most {} ms, or null for none (got {t})", LIMITS.max_latency_ms),
                    );
                }
            }
        }
        links
    }

    /// Each call a service makes goes over one of its edges.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_calls_have_edges(&self, c: &mut Collector, links: &HashSet<(&str, &str)>) {
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
    }

    /// Each workload: a unique id, its client and target, arrivals, deadline, operations and keys.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_workloads(&self, c: &mut Collector, links: &HashSet<(&str, &str)>) {
        let kind_of = |id: &str| self.kind_of(id);
        let mut wl_ids = HashSet::new();
        for (i, w) in self.workloads.iter().enumerate() {
            let p = format!("workloads[{i}]");
            c.id(format!("{p}.id"), &w.id);
            if !wl_ids.insert(w.id.as_str()) {
                c.add(format!("{p}.id"), format!("duplicate workload id \"{}\"", w.id));
            }
            match kind_of(&w.client) {
                None => c.add(format!("{p}.client"), format!("no node with id \"{}\"", w.client)),
                Some(NodeKind::Client(_)) => {}
                Some(k) => c.add(format!("{p}.client"), format!("\"{}\" is a {}, not a client", w.client, k.name())),
            }
            if !links.contains(&(w.client.as_str(), w.target.as_str())) {
                c.add(format!("{p}.target"), format!("no edge from \"{}\" to \"{}\"", w.client, w.target));
            }
            validate_arrival(c, &p, &w.arrival);
            if let Some(d) = w.deadline_ms {
                if !d.is_finite() || d <= 0.0 || d > LIMITS.max_latency_ms {
                    c.add(
                        format!("{p}.deadline_ms"),
                        format!("must be > 0 and at most {} ms, or null", LIMITS.max_latency_ms),
                    );
                }
            }
            let rate = w.arrival.rate_rps();
            if !rate.is_finite() || rate < 0.0 {
                c.add(format!("{p}.arrival.rate_rps"), format!("must be a number >= 0 (got {rate})"));
            } else if rate > LIMITS.max_rate_rps {
                c.add(
                    format!("{p}.arrival.rate_rps"),
                    format!("must be at most {} req/s (limit MAX_RATE_RPS)", LIMITS.max_rate_rps),
                );
            }
            validate_ops(c, &p, &w.ops);
            validate_keys(c, &p, &w.keys);
            if let Some(s) = w.split_hot_keys {
                let ways = crate::scenario::sharding::MAX_SPLIT_WAYS;
                c.range_u32(format!("{p}.split_hot_keys.ways"), s.ways, 1, ways, "MAX_SPLIT_WAYS");
            }
        }
    }
}

/// A service's pool, work, error rates, bulkheads, rate limit and calls.
#[cfg_attr(feature = "inline-cold", inline)]
fn validate_service(c: &mut Collector, p: &str, n: &Node, s: &ServiceConfig) {
    c.range_u32(format!("{p}.kind.workers"), s.workers, 1, LIMITS.max_workers, "MAX_WORKERS");
    c.range_u32(
        format!("{p}.kind.queue_capacity"),
        s.queue_capacity,
        0,
        LIMITS.max_queue_capacity,
        "MAX_QUEUE_CAPACITY",
    );
    c.dist(&format!("{p}.kind.service_time"), &s.service_time);
    for (path, msg) in super::deploy::service_problems(p, s).into_iter().chain(super::autoscale::problems(p, s)) {
        c.add(path, msg);
    }
    c.fraction(format!("{p}.kind.error_rate"), s.error_rate);
    c.fraction(format!("{p}.kind.client_error_rate"), s.client_error_rate);
    for (j, b) in s.bulkheads.iter().enumerate() {
        let bp = format!("{p}.kind.bulkheads[{j}]");
        c.range_u32(format!("{bp}.max_concurrent"), b.max_concurrent, 1, LIMITS.max_workers, "MAX_WORKERS");
        if !b.max_wait_ms.is_finite() || b.max_wait_ms < 0.0 || b.max_wait_ms > LIMITS.max_latency_ms {
            c.add(format!("{bp}.max_wait_ms"), format!("must be between 0 and {} ms", LIMITS.max_latency_ms));
        }
        for (k, to) in b.to.iter().enumerate() {
            if !s.calls.iter().any(|call| &call.to == to) {
                c.add(format!("{bp}.to[{k}]"), format!("\"{}\" does not call \"{to}\"", n.id));
            }
            let earlier = s.bulkheads[..j].iter().any(|other| other.to.contains(to));
            if earlier {
                c.add(format!("{bp}.to[{k}]"), format!("\"{to}\" is already in another bulkhead"));
            }
        }
    }
    if let Some(r) = &s.rate_limit {
        if !r.rate_rps.is_finite() || r.rate_rps <= 0.0 || r.rate_rps > LIMITS.max_rate_rps {
            c.add(
                format!("{p}.kind.rate_limit.rate_rps"),
                format!("must be > 0 and at most {} (limit MAX_RATE_RPS)", LIMITS.max_rate_rps),
            );
        }
        if !r.burst.is_finite() || r.burst < 1.0 || r.burst > LIMITS.max_rate_rps {
            c.add(format!("{p}.kind.rate_limit.burst"), "must be at least 1");
        }
        if !r.retry_after_ms.is_finite() || r.retry_after_ms < 0.0 || r.retry_after_ms > LIMITS.max_latency_ms {
            c.add(
                format!("{p}.kind.rate_limit.retry_after_ms"),
                format!("must be between 0 and {} ms", LIMITS.max_latency_ms),
            );
        }
    }
    if s.calls.len() > LIMITS.max_calls_per_service {
        c.add(
            format!("{p}.kind.calls"),
            format!("at most {} calls (limit MAX_CALLS_PER_SERVICE)", LIMITS.max_calls_per_service),
        );
    }
}

/// A database's pool, query time and saturation.
#[cfg_attr(feature = "inline-cold", inline)]
fn validate_database(c: &mut Collector, p: &str, d: &DatabaseConfig) {
    for (path, msg) in super::deploy::database_problems(p, d) {
        c.add(path, msg);
    }
    c.range_u32(format!("{p}.kind.max_connections"), d.max_connections, 1, LIMITS.max_workers, "MAX_WORKERS");
    c.range_u32(
        format!("{p}.kind.queue_capacity"),
        d.queue_capacity,
        0,
        LIMITS.max_queue_capacity,
        "MAX_QUEUE_CAPACITY",
    );
    c.dist(&format!("{p}.kind.query_time"), &d.query_time);
    if !d.saturation.is_finite() || !(0.0..=100.0).contains(&d.saturation) {
        c.add(format!("{p}.kind.saturation"), format!("must be between 0 and 100 (got {})", d.saturation));
    }
    validate_sharding(c, p, d);
    for (path, msg) in super::replication::replication_problems(p, d) {
        c.add(path, msg);
    }
    if d.rows == Some(0) {
        c.add(format!("{p}.kind.rows"), "must be at least 1 (null: every key exists)");
    }
    if d.pull_above_followers.is_some() && d.replicas > 0 {
        c.add(
            format!("{p}.kind.pull_above_followers"),
            "a database with replicas does not fan out by key yet: set replicas to 0 or this to null",
        );
    }
}

/// Most shards a database may have (a reshard too).
pub const MAX_SHARDS: u16 = 256;

/// A database's shards: count, ring points, directory, migration penalty.
#[cfg_attr(feature = "inline-cold", inline)]
fn validate_sharding(c: &mut Collector, p: &str, d: &DatabaseConfig) {
    use crate::scenario::Partitioning;
    let shards = u32::from(d.shards);
    c.range_u32(format!("{p}.kind.shards"), shards, 1, u32::from(MAX_SHARDS), "MAX_SHARDS");
    c.range_u32(format!("{p}.kind.virtual_nodes"), d.virtual_nodes, 1, LIMITS.max_virtual_nodes, "MAX_VIRTUAL_NODES");
    if d.partitioning == Partitioning::Directory && d.directory.first().is_none_or(|e| e.from != 0) {
        c.add(format!("{p}.kind.directory"), "needs rows sorted by `from`, the first from 0");
    }
    for (j, e) in d.directory.iter().enumerate() {
        if j > 0 && e.from <= d.directory[j - 1].from {
            c.add(format!("{p}.kind.directory[{j}].from"), "must be above the previous row's");
        }
        if u32::from(e.shard) >= shards {
            c.add(format!("{p}.kind.directory[{j}].shard"), format!("must be below shards ({shards})"));
        }
    }
    if !d.migration_penalty_ms.is_finite() || !(0.0..=LIMITS.max_latency_ms).contains(&d.migration_penalty_ms) {
        c.add(format!("{p}.kind.migration_penalty_ms"), format!("must be between 0 and {} ms", LIMITS.max_latency_ms));
    }
    if d.migration_window_ms > LIMITS.max_duration_ms {
        c.add(format!("{p}.kind.migration_window_ms"), format!("must be at most {} ms", LIMITS.max_duration_ms));
    }
}

/// An edge's retry policy: attempts, backoff and budget.
#[cfg_attr(feature = "inline-cold", inline)]
fn validate_retry(c: &mut Collector, p: &str, r: &RetryPolicy) {
    c.range_u32(format!("{p}.retry.max_attempts"), r.max_attempts, 1, 10, "10");
    let ok = match r.backoff {
        crate::policy::Backoff::None => true,
        crate::policy::Backoff::Fixed { ms } => ms.is_finite() && (0.0..=LIMITS.max_latency_ms).contains(&ms),
        crate::policy::Backoff::Exponential { base_ms, cap_ms } => {
            base_ms.is_finite()
                && cap_ms.is_finite()
                && base_ms > 0.0
                && cap_ms >= base_ms
                && cap_ms <= LIMITS.max_latency_ms
        }
    };
    if !ok {
        c.add(format!("{p}.retry.backoff"), "needs 0 <= ms, and 0 < base_ms <= cap_ms <= 1 h");
    }
    if let Some(b) = r.budget {
        if !(b.deposit.is_finite() && b.cost.is_finite() && b.max_tokens.is_finite())
            || b.deposit < 0.0
            || b.cost <= 0.0
            || b.max_tokens < 0.0
            || b.max_tokens > 1e6
        {
            c.add(format!("{p}.retry.budget"), "needs deposit >= 0, cost > 0 and 0 <= max_tokens <= 1e6");
        }
    }
}

/// An edge's circuit breaker.
#[cfg_attr(feature = "inline-cold", inline)]
fn validate_breaker(c: &mut Collector, p: &str, b: &crate::policy::breaker::BreakerConfig) {
    let bp = format!("{p}.breaker");
    for (field, v) in
        [("failure_rate_threshold", b.failure_rate_threshold), ("slow_call_rate_threshold", b.slow_call_rate_threshold)]
    {
        if !v.is_finite() || !(0.0..=100.0).contains(&v) {
            c.add(format!("{bp}.{field}"), format!("must be a percentage between 0 and 100 (got {v})"));
        }
    }
    if !b.slow_call_duration_ms.is_finite() || b.slow_call_duration_ms < 0.0 {
        c.add(format!("{bp}.slow_call_duration_ms"), "must be >= 0");
    }
    let size = match b.window {
        crate::policy::breaker::Window::Count { size } => size,
        crate::policy::breaker::Window::Time { seconds } => seconds,
    };
    c.range_u32(format!("{bp}.window"), size, 1, 100_000, "100000");
    c.range_u32(format!("{bp}.minimum_calls"), b.minimum_calls, 1, 1_000_000, "1000000");
    c.range_u32(format!("{bp}.permitted_in_half_open"), b.permitted_in_half_open, 1, 100_000, "100000");
    if b.wait_in_open_ms > LIMITS.max_duration_ms {
        c.add(format!("{bp}.wait_in_open_ms"), "must be at most 24 h (limit MAX_DURATION_MS)");
    }
}

/// The shape of a workload's arrivals (bursts, schedule points); the rate
/// itself is checked with the workload.
#[cfg_attr(feature = "inline-cold", inline)]
fn validate_arrival(c: &mut Collector, p: &str, arrival: &Arrival) {
    match arrival {
        Arrival::Bursts { rate_rps, every_ms, burst_ms, .. } => {
            if *every_ms == 0 || burst_ms > every_ms {
                c.add(format!("{p}.arrival"), "needs every_ms > 0 and burst_ms <= every_ms");
            }
            if !rate_rps.is_finite() || *rate_rps < 0.0 {
                c.add(format!("{p}.arrival.rate_rps"), format!("must be a number >= 0 (got {rate_rps})"));
            }
        }
        Arrival::Schedule { points } => {
            if points.is_empty() || points.len() > LIMITS.max_schedule_points {
                c.add(
                    format!("{p}.arrival.points"),
                    format!("needs 1 to {} points (limit MAX_SCHEDULE_POINTS)", LIMITS.max_schedule_points),
                );
            }
            if points.windows(2).any(|w| w[1].t_ms < w[0].t_ms) {
                c.add(format!("{p}.arrival.points"), "t_ms must not decrease from one point to the next");
            }
            if points.iter().any(|pt| !pt.rate_rps.is_finite() || pt.rate_rps < 0.0) {
                c.add(format!("{p}.arrival.points"), "every rate_rps must be a number >= 0");
            }
        }
        _ => {}
    }
}

/// A workload's request mix: how many operations, their names and weights.
#[cfg_attr(feature = "inline-cold", inline)]
fn validate_ops(c: &mut Collector, p: &str, ops: &[Operation]) {
    if ops.len() > LIMITS.max_ops {
        c.add(format!("{p}.ops"), format!("at most {} operations (limit MAX_OPS)", LIMITS.max_ops));
    }
    for (j, op) in ops.iter().enumerate() {
        c.id(format!("{p}.ops[{j}].name"), &op.name);
        if !op.weight.is_finite() || op.weight < 0.0 {
            c.add(format!("{p}.ops[{j}].weight"), format!("must be a number >= 0 (got {})", op.weight));
        }
        if let Some(f) = &op.followers {
            for (field, msg) in f.problems() {
                c.add(format!("{p}.ops[{j}].followers.{field}"), msg);
            }
            if op.scatter {
                c.add(
                    format!("{p}.ops[{j}].followers"),
                    "an operation on every shard (scatter) has no account to fan out",
                );
            }
        }
    }
    if !ops.is_empty() && ops.iter().map(|o| o.weight).sum::<f64>() <= 0.0 {
        c.add(format!("{p}.ops"), "the weights must add up to more than 0");
    }
}

/// A workload's key space: its size and Zipf exponent.
#[cfg_attr(feature = "inline-cold", inline)]
fn validate_keys(c: &mut Collector, p: &str, keys: &Keys) {
    match *keys {
        Keys::Uniform { count } | Keys::Zipf { count, .. } if count == 0 => {
            c.add(format!("{p}.keys.count"), "must be >= 1");
        }
        Keys::Zipf { s, .. } if !s.is_finite() || !(0.0..=10.0).contains(&s) => {
            c.add(format!("{p}.keys.s"), format!("must be between 0 and 10 (got {s})"));
        }
        _ => {}
    }
}

impl Scenario {
    /// A cycle in who-calls-whom (service calls, balancer backends, queue
    /// consumers, caches' backing stores), as the ids along it, if there is one.
    #[cfg_attr(feature = "inline-cold", inline)]
    fn call_cycle(&self) -> Option<Vec<String>> {
        let index: std::collections::HashMap<&str, usize> =
            self.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
        let next: Vec<Vec<usize>> = self
            .nodes
            .iter()
            .map(|n| match &n.kind {
                NodeKind::Service(s) => s.calls.iter().filter_map(|c| index.get(c.to.as_str()).copied()).collect(),
                NodeKind::LoadBalancer(_)
                | NodeKind::Queue(_)
                | NodeKind::Cache(_)
                | NodeKind::Pooler(_)
                | NodeKind::Log(_) => self
                    .edges
                    .iter()
                    .filter(|e| e.from == n.id)
                    .filter_map(|e| index.get(e.to.as_str()).copied())
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        // Iterative depth-first search: 0 unvisited, 1 on the path, 2 done.
        let mut state = vec![0u8; self.nodes.len()];
        for root in 0..self.nodes.len() {
            if state[root] != 0 {
                continue;
            }
            let mut stack = vec![(root, 0usize)];
            state[root] = 1;
            while let Some(&mut (node, ref mut k)) = stack.last_mut() {
                if let Some(&m) = next[node].get(*k) {
                    *k += 1;
                    match state[m] {
                        0 => {
                            state[m] = 1;
                            stack.push((m, 0));
                        }
                        1 => {
                            let from = stack.iter().position(|&(x, _)| x == m).unwrap_or(0);
                            let mut ids: Vec<String> =
                                stack[from..].iter().map(|&(x, _)| self.nodes[x].id.clone()).collect();
                            ids.push(self.nodes[m].id.clone());
                            return Some(ids);
                        }
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    stack.pop();
                }
            }
        }
        None
    }

    #[cfg_attr(feature = "inline-cold", inline)]
    fn validate_faults(&self, c: &mut Collector, links: &HashSet<(&str, &str)>) {
        if self.faults.len() > LIMITS.max_faults {
            c.add(
                "faults",
                format!("at most {} faults (limit MAX_FAULTS, got {})", LIMITS.max_faults, self.faults.len()),
            );
            return;
        }
        let node = |id: &str| self.nodes.iter().find(|n| n.id == id);
        let is_region = |r: &str| self.nodes.iter().any(|n| n.region.as_deref() == Some(r));
        for (i, f) in self.faults.iter().enumerate() {
            let p = format!("faults[{i}]");
            if f.at_ms > LIMITS.max_duration_ms || f.duration_ms.is_some_and(|d| d > LIMITS.max_duration_ms) {
                c.add(
                    p.clone(),
                    format!("at_ms and duration_ms must be at most {} (limit MAX_DURATION_MS)", LIMITS.max_duration_ms),
                );
            }
            let mut need_node = |field: &str, id: &str, allow_client: bool| match node(id) {
                None => c.add(format!("{p}.action.{field}"), format!("no node with id \"{id}\"")),
                Some(n) if !allow_client && matches!(n.kind, NodeKind::Client(_)) => c.add(
                    format!("{p}.action.{field}"),
                    format!("\"{id}\" is a client: use a spike to change its load"),
                ),
                Some(_) => {}
            };
            match &f.action {
                FaultAction::Crash { node } | FaultAction::Restart { node } if self.store_member(node).is_some() => {}
                FaultAction::Crash { node } | FaultAction::Restart { node } => need_node("node", node, false),
                FaultAction::Pause { node } | FaultAction::Resume { node } => need_node("node", node, false),
                FaultAction::SlowNode { node, factor } => {
                    need_node("node", node, false);
                    if !factor.is_finite() || *factor < 0.01 || *factor > LIMITS.max_factor {
                        c.add(
                            format!("{p}.action.factor"),
                            format!("must be between 0.01 and {} (limit MAX_FACTOR)", LIMITS.max_factor),
                        );
                    }
                }
                FaultAction::NodeErrors { node, rate } => {
                    need_node("node", node, false);
                    c.fraction(format!("{p}.action.rate"), *rate);
                }
                FaultAction::Partition { a, b, .. } => {
                    for (side, list) in [("a", a), ("b", b)] {
                        if list.is_empty() {
                            c.add(format!("{p}.action.{side}"), "needs at least one node id or region");
                        }
                        for (j, x) in list.iter().enumerate() {
                            let member = self.store_member(x).is_some() || self.is_store_region(x);
                            if node(x).is_none() && !is_region(x) && !member {
                                c.add(format!("{p}.action.{side}[{j}]"), format!("no node or region named \"{x}\""));
                            }
                        }
                    }
                }
                FaultAction::Heal { .. } => {}
                FaultAction::Deploy { node: id, .. } => {
                    for (path, msg) in super::deploy::deploy_problems(&p, &f.action, node(id)) {
                        c.add(path, msg);
                    }
                }
                FaultAction::Reshard { node: id, shards } => match node(id) {
                    Some(Node { kind: NodeKind::Database(d), .. }) if d.replicas > 0 => {
                        c.add(format!("{p}.action.node"), format!("\"{id}\" has replicas: it cannot be resharded yet"));
                    }
                    Some(n) if matches!(n.kind, NodeKind::Database(_)) => {
                        if *shards == 0 || *shards > MAX_SHARDS {
                            c.add(format!("{p}.action.shards"), format!("must be between 1 and {MAX_SHARDS}"));
                        }
                    }
                    Some(_) => c.add(format!("{p}.action.node"), format!("\"{id}\" is not a database")),
                    None => c.add(format!("{p}.action.node"), format!("no node with id \"{id}\"")),
                },
                FaultAction::ReplayLog { node: id } => match node(id) {
                    Some(Node { kind: NodeKind::Log(_), .. }) => {}
                    Some(_) => c.add(format!("{p}.action.node"), format!("\"{id}\" is not an event log")),
                    None => c.add(format!("{p}.action.node"), format!("no node with id \"{id}\"")),
                },
                FaultAction::FailPrimary { node: id } | FaultAction::ReplicaLag { node: id, .. } => {
                    match node(id) {
                        Some(Node { kind: NodeKind::Database(d), .. }) if d.replicas > 0 => {}
                        Some(Node { kind: NodeKind::Database(_), .. }) => {
                            c.add(format!("{p}.action.node"), format!("\"{id}\" has no replicas (set its replicas)"))
                        }
                        Some(_) => c.add(format!("{p}.action.node"), format!("\"{id}\" is not a database")),
                        None => c.add(format!("{p}.action.node"), format!("no node with id \"{id}\"")),
                    }
                    if let FaultAction::ReplicaLag { add_ms, .. } = &f.action {
                        if !add_ms.is_finite() || *add_ms < 0.0 || *add_ms > LIMITS.max_latency_ms {
                            c.add(
                                format!("{p}.action.add_ms"),
                                format!("must be between 0 and {} ms (got {add_ms})", LIMITS.max_latency_ms),
                            );
                        }
                    }
                }
                FaultAction::ClockSkew { node: id, skew_ms } => {
                    match self.store_member(id) {
                        Some(_) => {}
                        None if node(id).is_some_and(|n| matches!(n.kind, NodeKind::Store(_))) => c.add(
                            format!("{p}.action.node"),
                            format!("\"{id}\" is a store: name one of its replicas (\"{id}/0\")"),
                        ),
                        None => c.add(
                            format!("{p}.action.node"),
                            format!("no store replica named \"{id}\" (a replica is \"<store>/<index>\")"),
                        ),
                    }
                    let max = super::store::MAX_CLOCK_SKEW_MS;
                    if !skew_ms.is_finite() || skew_ms.abs() > max {
                        c.add(
                            format!("{p}.action.skew_ms"),
                            format!("must be between -{max} and {max} ms (got {skew_ms})"),
                        );
                    }
                }
                FaultAction::FlushCache { node: id } | FaultAction::ExpireKeys { node: id, .. } => {
                    match node(id) {
                        Some(n) if matches!(n.kind, NodeKind::Cache(_)) => {}
                        Some(_) => c.add(format!("{p}.action.node"), format!("\"{id}\" is not a cache")),
                        None => c.add(format!("{p}.action.node"), format!("no node with id \"{id}\"")),
                    }
                    if let FaultAction::ExpireKeys { from, to, .. } = &f.action {
                        if from > to {
                            c.add(format!("{p}.action.to"), format!("must be at least from ({from}; got {to})"));
                        }
                    }
                }
                FaultAction::EdgeLatency { from, to, add_ms } => {
                    if !links.contains(&(from.as_str(), to.as_str())) {
                        c.add(format!("{p}.action"), format!("no edge from \"{from}\" to \"{to}\""));
                    }
                    if !add_ms.is_finite() || *add_ms < 0.0 || *add_ms > LIMITS.max_latency_ms {
                        c.add(
                            format!("{p}.action.add_ms"),
                            format!("must be between 0 and {} ms", LIMITS.max_latency_ms),
                        );
                    }
                }
                FaultAction::EdgeLoss { from, to, loss } => {
                    if !links.contains(&(from.as_str(), to.as_str())) {
                        c.add(format!("{p}.action"), format!("no edge from \"{from}\" to \"{to}\""));
                    }
                    c.fraction(format!("{p}.action.loss"), *loss);
                }
                FaultAction::Spike { workload, factor } => {
                    if !self.workloads.iter().any(|w| &w.id == workload) {
                        c.add(format!("{p}.action.workload"), format!("no workload with id \"{workload}\""));
                    }
                    if !factor.is_finite() || *factor < 0.0 || *factor > LIMITS.max_factor {
                        c.add(
                            format!("{p}.action.factor"),
                            format!("must be between 0 and {} (limit MAX_FACTOR)", LIMITS.max_factor),
                        );
                    } else if self
                        .workloads
                        .iter()
                        .any(|w| &w.id == workload && w.arrival.rate_rps() * factor > LIMITS.max_rate_rps)
                    {
                        c.add(
                            format!("{p}.action.factor"),
                            format!("would push the rate past {} req/s (limit MAX_RATE_RPS)", LIMITS.max_rate_rps),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn node(id: &str, kind: NodeKind) -> Node {
        Node { id: id.into(), name: String::new(), region: None, zone: None, x: 0.0, y: 0.0, kind }
    }

    fn messages(s: &Scenario) -> Vec<String> {
        s.validate().err().map(|e| e.problems.iter().map(|p| p.to_string()).collect()).unwrap_or_default()
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
        assert!(m.contains(&"edges[1].to: no node with id \"db2\"".to_string()), "{m:?}");
        assert!(m.contains(&"nodes[1].kind.calls[0].to: no edge from \"api\" to \"db\"".to_string()), "{m:?}");
    }

    #[test]
    fn a_hash_balance_factor_is_a_percentage_from_100() {
        let mut s = slice_scenario();
        s.nodes.push(node("lb", NodeKind::LoadBalancer(LoadBalancerConfig::default())));
        s.edges.push(Edge::new("lb", "api"));
        for (factor, ok) in [(99, false), (100, true), (125, true), (10_000, true), (10_001, false)] {
            if let NodeKind::LoadBalancer(lb) = &mut s.nodes[3].kind {
                lb.hash_balance_factor = Some(factor);
            }
            let m = messages(&s);
            assert_eq!(m.is_empty(), ok, "{factor}: {m:?}");
            if !ok {
                assert!(m[0].starts_with("nodes[3].kind.hash_balance_factor: must be a percentage"), "{m:?}");
            }
        }
    }

    #[test]
    fn a_probe_timeout_past_the_interval_is_refused() {
        let mut s = slice_scenario();
        s.nodes.push(node(
            "lb",
            NodeKind::LoadBalancer(LoadBalancerConfig {
                health_check_timeout_ms: Some(5_000),
                ..LoadBalancerConfig::default()
            }),
        ));
        s.edges.push(Edge::new("lb", "api"));
        let m = messages(&s);
        assert!(
            m.iter().any(|x| x.starts_with("nodes[3].kind.health_check_timeout_ms: must be between 1 ms")),
            "{m:?}"
        );
        if let NodeKind::LoadBalancer(lb) = &mut s.nodes[3].kind {
            lb.health_check_timeout_ms = Some(300);
        }
        assert_eq!(messages(&s), Vec::<String>::new());
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
        assert!(m.iter().any(|x| x == "nodes[1].kind.workers: must be >= 1 (got 0)"));
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
    fn call_cycles_are_refused_with_the_path() {
        let mut s = slice_scenario();
        s.edges.push(Edge::new("db", "api"));
        // Databases cannot call; make the cycle with two services instead.
        s.edges.pop();
        s.nodes[2].kind = NodeKind::Service(ServiceConfig {
            calls: vec![DownstreamCall { to: "api".into(), ops: vec![] }],
            ..ServiceConfig::default()
        });
        s.edges.push(Edge::new("db", "api"));
        let m = messages(&s);
        assert_eq!(m, vec!["edges: calls form a cycle (api -> db -> api): a request would call itself forever"]);
    }

    #[test]
    fn fault_problems_name_the_fault() {
        let mut s = slice_scenario();
        s.faults.push(Fault { at_ms: 0, duration_ms: None, action: FaultAction::Crash { node: "client".into() } });
        s.faults.push(Fault {
            at_ms: 0,
            duration_ms: None,
            action: FaultAction::Partition { id: None, a: vec!["mars".into()], b: vec![] },
        });
        s.faults.push(Fault {
            at_ms: 0,
            duration_ms: None,
            action: FaultAction::Spike { workload: "users".into(), factor: 1e9 },
        });
        let m = messages(&s);
        assert!(
            m.contains(&"faults[0].action.node: \"client\" is a client: use a spike to change its load".to_string()),
            "{m:?}"
        );
        assert!(m.contains(&"faults[1].action.a[0]: no node or region named \"mars\"".to_string()), "{m:?}");
        assert!(m.contains(&"faults[1].action.b: needs at least one node id or region".to_string()), "{m:?}");
        assert!(m.iter().any(|x| x.starts_with("faults[2].action.factor") && x.contains("MAX_FACTOR")), "{m:?}");
    }

    #[test]
    fn balancers_and_queues_need_their_edges() {
        let mut s = slice_scenario();
        s.nodes.push(node("lb", NodeKind::LoadBalancer(LoadBalancerConfig::default())));
        s.nodes.push(node("q", NodeKind::Queue(QueueConfig::default())));
        let m = messages(&s);
        assert!(
            m.contains(&"nodes[3].kind: load balancer \"lb\" has no backends (no outgoing edge)".to_string()),
            "{m:?}"
        );
        assert!(
            m.contains(
                &"nodes[4].kind: queue \"q\" needs exactly one outgoing edge to its consumer (has 0)".to_string()
            ),
            "{m:?}"
        );
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

#[cfg(test)]
mod draft_tests {
    use super::tests::node;
    use crate::scenario::{slice_scenario, NodeKind, QueueConfig};

    #[test]
    fn an_unfinished_design_is_a_valid_draft_but_cannot_run() {
        let mut empty = slice_scenario();
        empty.nodes.clear();
        empty.edges.clear();
        empty.workloads.clear();
        assert!(empty.validate_draft().is_ok());
        assert!(empty.validate().unwrap_err().to_string().contains("at least one node"));

        let mut q = slice_scenario();
        q.nodes.push(node("q", NodeKind::Queue(QueueConfig::default())));
        assert!(q.validate_draft().is_ok());
        assert!(q.validate().unwrap_err().to_string().contains("consumer"));

        let mut lb = slice_scenario();
        lb.nodes.push(node("lb", NodeKind::LoadBalancer(Default::default())));
        assert!(lb.validate_draft().is_ok());
        assert!(lb.validate().unwrap_err().to_string().contains("no backends"));

        // A broken value is a problem for drafts too.
        q.duration_ms = 0;
        assert!(q.validate_draft().is_err());
    }
}
