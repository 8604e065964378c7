//! The design linter: warnings read from the document alone, before any run.
//!
//! Why a linter when the engine can run the design: a run shows what goes
//! wrong under the workload and faults it was given, and a design can look
//! healthy until the fault that finds its weak spot. These rules name the
//! weak spots experienced reviewers look for (a retry without jitter, a call
//! with no timeout, a database every service shares), each with a one-line
//! why and the pattern that fixes it, so a learner knows what to break next.
//! They are advice, not errors: a warned design still runs.
//!
//! Each rule is a small function over the scenario; `lint` runs them all and
//! returns the warnings in a stable order (by rule, then by document order).

use crate::policy::{Backoff, Jitter};
use crate::scenario::{Edge, NodeKind, Scenario};
use serde::Serialize;

/// Calls a synchronous chain may make in a row before it is called deep.
pub const MAX_SYNC_DEPTH: usize = 4;

/// Redeliveries past which a queue is read as having no dead-letter limit:
/// RabbitMQ's quorum queues dead-letter after 20 deliveries by default, and
/// SQS redrive policies are usually set to a handful.
pub const MAX_SANE_REDELIVERIES: u32 = 20;

/// One warning.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Warning {
    /// The rule's stable id (`call-without-timeout`, ...).
    pub rule: &'static str,
    /// Where in the document: `nodes[3]` or `edges[1]`.
    pub path: String,
    /// The node or link, as the page names it (`api`, `api -> db`).
    pub subject: String,
    /// What is wrong and why it matters, in one line.
    pub why: String,
    /// The pattern that fixes it.
    pub pattern: &'static str,
}

impl Warning {
    /// A warning about node `i` of the document, `id`.
    fn node(rule: &'static str, i: usize, id: &str, why: impl Into<String>, pattern: &'static str) -> Warning {
        Warning { rule, path: format!("nodes[{i}]"), subject: id.to_string(), why: why.into(), pattern }
    }

    /// A warning about edge `i` of the document, `e`.
    fn edge(rule: &'static str, i: usize, e: &Edge, why: impl Into<String>, pattern: &'static str) -> Warning {
        Warning {
            rule,
            path: format!("edges[{i}]"),
            subject: format!("{} -> {}", e.from, e.to),
            why: why.into(),
            pattern,
        }
    }
}

/// Every warning for `s`. Expects a document that parses; references that do
/// not resolve (a draft being edited) are skipped, not reported: validation
/// reports those.
pub fn lint(s: &Scenario) -> Vec<Warning> {
    let mut out = Vec::new();
    retry_without_backoff_or_jitter(s, &mut out);
    call_without_timeout(s, &mut out);
    fallback_without_breaker(s, &mut out);
    shared_database(s, &mut out);
    callers_over_connections(s, &mut out);
    deep_sync_chain(s, &mut out);
    single_instance(s, &mut out);
    queue_redelivers_at_once(s, &mut out);
    pools_over_connections(s, &mut out);
    cache_without_ttl_on_written_keys(s, &mut out);
    queue_without_dead_letter(s, &mut out);
    unbounded_hash_balancing(s, &mut out);
    out
}

fn kind_of<'a>(s: &'a Scenario, id: &str) -> Option<&'a NodeKind> {
    s.nodes.iter().find(|n| n.id == id).map(|n| &n.kind)
}

fn is_client(s: &Scenario, id: &str) -> bool {
    matches!(kind_of(s, id), Some(NodeKind::Client(_)))
}

/// A retry that comes back at once, or at fixed or exponential times with no
/// jitter, synchronises: every caller that failed together retries together,
/// and the retries hit a recovering service in waves (a retry storm).
fn retry_without_backoff_or_jitter(s: &Scenario, out: &mut Vec<Warning>) {
    for (i, e) in s.edges.iter().enumerate() {
        let Some(r) = &e.retry else { continue };
        if r.max_attempts <= 1 {
            continue;
        }
        let why = match (r.backoff, r.jitter) {
            (Backoff::None, _) => {
                "retries at once: failed calls come straight back, multiplying the load on a struggling service"
            }
            (_, Jitter::None) => "retries without jitter: callers that failed together retry together, in waves",
            _ => continue,
        };
        out.push(Warning::edge(
            "retry-without-backoff-or-jitter",
            i,
            e,
            why,
            "exponential backoff with full jitter, and a retry budget",
        ));
    }
}

/// A call with no timeout waits as long as the callee takes: a slow
/// dependency holds the caller's workers until none is left (a cascade).
fn call_without_timeout(s: &Scenario, out: &mut Vec<Warning>) {
    for (i, e) in s.edges.iter().enumerate() {
        let from_service = matches!(kind_of(s, &e.from), Some(NodeKind::Service(_)));
        if from_service && e.timeout_ms.is_none() {
            out.push(Warning::edge(
                "call-without-timeout",
                i,
                e,
                format!("no timeout: if {} slows down, {}'s workers wait on it until none is left", e.to, e.from),
                "a timeout a little above the dependency's p99",
            ));
        }
    }
}

/// A fallback with no breaker still sends every call and waits for each to
/// fail before falling back: the user gets the fallback, but late, and the
/// failing dependency gets the full load.
fn fallback_without_breaker(s: &Scenario, out: &mut Vec<Warning>) {
    for (i, e) in s.edges.iter().enumerate() {
        if e.fallback.is_some() && e.breaker.is_none() {
            out.push(Warning::edge(
                "fallback-without-breaker",
                i,
                e,
                format!("a fallback but no circuit breaker: every call still waits for {} to fail first", e.to),
                "a circuit breaker, so calls fail fast to the fallback while the dependency is down",
            ));
        }
    }
}

/// The services that call database `db` (from their edges).
fn callers_of<'a>(s: &'a Scenario, db: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    s.edges
        .iter()
        .filter(move |e| e.to == db && matches!(kind_of(s, &e.from), Some(NodeKind::Service(_))))
        .map(|e| e.from.as_str())
}

/// A database several services call couples them: one service's heavy
/// queries slow every other's, and a schema change needs them all.
fn shared_database(s: &Scenario, out: &mut Vec<Warning>) {
    for (i, n) in s.nodes.iter().enumerate() {
        if !matches!(n.kind, NodeKind::Database(_)) {
            continue;
        }
        let callers: Vec<&str> = callers_of(s, &n.id).collect();
        if callers.len() >= 2 {
            out.push(Warning::node(
                "shared-database",
                i,
                &n.id,
                format!("shared by {}: one service's load slows the others' queries", callers.join(", ")),
                "a database per service, or bulkheads (separate pools) per caller",
            ));
        }
    }
}

/// More concurrent callers than the database has connections: past its
/// connections, queries queue, and past its queue they are refused.
fn callers_over_connections(s: &Scenario, out: &mut Vec<Warning>) {
    for (i, n) in s.nodes.iter().enumerate() {
        let NodeKind::Database(db) = &n.kind else { continue };
        let workers: u64 = callers_of(s, &n.id)
            .filter_map(|c| match kind_of(s, c) {
                Some(NodeKind::Service(svc)) => Some(u64::from(svc.workers)),
                _ => None,
            })
            .sum();
        if workers > u64::from(db.max_connections) {
            let why = format!(
                "its callers run {workers} workers against {} connections: under load, queries queue and then are refused",
                db.max_connections
            );
            let pattern = "a connection pooler, smaller pools, or a bulkhead on the database calls";
            out.push(Warning::node("callers-over-connections", i, &n.id, why, pattern));
        }
    }
}

/// Each synchronous hop adds its latency and its failure chance to the
/// user's request: past a few hops, the tail and the error rate compound.
fn deep_sync_chain(s: &Scenario, out: &mut Vec<Warning>) {
    // Longest chain of synchronous calls from each node (a queue ends a
    // chain: what is behind it is asynchronous). Depth-first with a cycle
    // guard; validation refuses cyclic designs, drafts may still have one.
    let index = |id: &str| s.nodes.iter().position(|n| n.id == id);
    let mut memo: Vec<Option<usize>> = vec![None; s.nodes.len()];
    fn depth(
        s: &Scenario,
        node: usize,
        memo: &mut Vec<Option<usize>>,
        on_path: &mut Vec<bool>,
        index: &dyn Fn(&str) -> Option<usize>,
    ) -> usize {
        if let Some(d) = memo[node] {
            return d;
        }
        if on_path[node] || matches!(s.nodes[node].kind, NodeKind::Queue(_)) {
            return 0;
        }
        on_path[node] = true;
        let id = &s.nodes[node].id;
        let d = s
            .edges
            .iter()
            .filter(|e| &e.from == id)
            .filter_map(|e| index(&e.to))
            .map(|t| 1 + depth(s, t, memo, on_path, index))
            .max()
            .unwrap_or(0);
        on_path[node] = false;
        memo[node] = Some(d);
        d
    }
    let mut on_path = vec![false; s.nodes.len()];
    for (i, n) in s.nodes.iter().enumerate() {
        if !matches!(n.kind, NodeKind::Client(_)) {
            continue;
        }
        let d = depth(s, i, &mut memo, &mut on_path, &index);
        if d > MAX_SYNC_DEPTH {
            let why = format!(
                "its requests go {d} synchronous calls deep (more than {MAX_SYNC_DEPTH}): every hop adds its tail latency and its failures"
            );
            let pattern = "fewer hops: call in parallel, cache, or move work behind a queue";
            out.push(Warning::node("deep-sync-chain", i, &n.id, why, pattern));
        }
    }
}

/// A service or database that users' requests need, with no second copy
/// behind a load balancer: when it crashes, every request through it fails.
fn single_instance(s: &Scenario, out: &mut Vec<Warning>) {
    let balanced = |id: &str| {
        s.edges.iter().any(|e| {
            e.to == id
                && matches!(kind_of(s, &e.from), Some(NodeKind::LoadBalancer(_)))
                && s.edges.iter().filter(|b| b.from == e.from).count() >= 2
        })
    };
    // Nodes a workload reaches synchronously (through services and balancers).
    let reached = reached(s, s.workloads.iter().map(|w| w.target.as_str()));
    for (i, n) in s.nodes.iter().enumerate() {
        let single = matches!(n.kind, NodeKind::Service(_) | NodeKind::Database(_)) && reached[i] && !balanced(&n.id);
        if single {
            out.push(Warning::node(
                "single-instance",
                i,
                &n.id,
                "on the users' path with no redundancy: if it crashes, every request through it fails",
                "two or more instances behind a load balancer with health checks",
            ));
        }
    }
}

/// A queue that redelivers a failed message at once burns all its
/// redeliveries in the first seconds of a consumer outage and dead-letters
/// everything that arrives during it.
fn queue_redelivers_at_once(s: &Scenario, out: &mut Vec<Warning>) {
    for (i, n) in s.nodes.iter().enumerate() {
        let NodeKind::Queue(q) = &n.kind else { continue };
        if q.redelivery_delay_ms == 0 {
            let why = format!(
                "failed messages come back at once: a consumer outage burns their {} redeliveries in moments and dead-letters them",
                q.max_redeliveries
            );
            let pattern =
                "a redelivery delay (a visibility timeout) longer than a typical outage over the redeliveries";
            out.push(Warning::node("queue-redelivers-at-once", i, &n.id, why, pattern));
        }
    }
}

/// Connection pools that together may hold more connections than the
/// database allows: the instances started last (in a deploy's surge, after a
/// crash) are refused, fail their start and crash-loop.
fn pools_over_connections(s: &Scenario, out: &mut Vec<Warning>) {
    use crate::scenario::deploy::{default_scale, resolve_limits};
    use crate::scenario::FaultAction;
    for (i, n) in s.nodes.iter().enumerate() {
        let NodeKind::Database(db) = &n.kind else { continue };
        let mut wanted = 0u64;
        for caller in callers_of(s, &n.id) {
            let Some(NodeKind::Service(svc)) = kind_of(s, caller) else { continue };
            let Some(pool) = svc.connection_pool else { continue };
            // An autoscaler may take it to its max (each new instance opens its pool).
            let replicas = svc.autoscale.map_or(svc.instances, |a| a.max_instances.max(svc.instances));
            // The largest surge any deploy of it asks for.
            let surge = s
                .faults
                .iter()
                .filter_map(|f| match &f.action {
                    FaultAction::Deploy { node, max_surge, max_unavailable, .. } if node == caller => {
                        let d = default_scale();
                        let limits = resolve_limits(
                            replicas,
                            max_surge.as_ref().unwrap_or(&d),
                            max_unavailable.as_ref().unwrap_or(&d),
                        );
                        Some(limits.0)
                    }
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            wanted += u64::from(replicas + surge) * u64::from(pool.pool_size);
        }
        let limit = db.max_connections.saturating_sub(db.reserved_connections);
        if wanted > u64::from(limit) {
            let why = format!(
                "its callers' pools (instances or an autoscaler's max, a deploy's surge included, x pool size) may hold {wanted} connections against {limit}: instances that start last are refused and crash-loop"
            );
            let pattern = "a connection pooler in transaction mode, smaller pools, or a smaller max_surge";
            out.push(Warning::node("pools-over-connections", i, &n.id, why, pattern));
        }
    }
}

/// The nodes a request of operation `op` reaches from `start`, each with
/// whether it got there through `through` (a node on the way). A service
/// passes the operation only to the calls that serve it; every other kind
/// passes it on along each of its edges (a balancer to its backends, a
/// cache, pooler or queue to what is behind it).
fn reached_by_op(s: &Scenario, start: &str, op: &str, through: &str) -> Vec<(usize, bool)> {
    let index = |id: &str| s.nodes.iter().position(|n| n.id == id);
    // Seen (via `through`, not via it): a node may be reached both ways.
    let mut seen = vec![[false; 2]; s.nodes.len()];
    let mut stack: Vec<(usize, bool)> = index(start).map(|i| (i, start == through)).into_iter().collect();
    let mut out = Vec::new();
    while let Some((i, via)) = stack.pop() {
        if std::mem::replace(&mut seen[i][usize::from(via)], true) {
            continue;
        }
        out.push((i, via));
        let n = &s.nodes[i];
        let next: Vec<&str> = match &n.kind {
            NodeKind::Client(_) => continue,
            NodeKind::Service(svc) => svc
                .calls
                .iter()
                .filter(|c| c.ops.is_empty() || c.ops.iter().any(|o| o == op))
                .map(|c| c.to.as_str())
                .collect(),
            _ => s.edges.iter().filter(|e| e.from == n.id).map(|e| e.to.as_str()).collect(),
        };
        for t in next {
            if let Some(j) = index(t) {
                stack.push((j, via || t == through));
            }
        }
    }
    out
}

/// A cache with no TTL keeps an entry until it is evicted: if its key is
/// written where the cache does not see it (another service writing the
/// database), or its write policy can leave an older value in it (a read's
/// fill racing an invalidation, two updates landing out of order), that
/// stale value is served until evicted, with no expiry to bound it.
fn cache_without_ttl_on_written_keys(s: &Scenario, out: &mut Vec<Warning>) {
    use crate::scenario::{Method, WritePolicy};
    for (i, n) in s.nodes.iter().enumerate() {
        let NodeKind::Cache(c) = &n.kind else { continue };
        if c.ttl_ms.is_some() {
            continue;
        }
        let Some(behind) = s.edges.iter().find(|e| e.from == n.id).map(|e| e.to.as_str()) else { continue };
        // Writes reaching what the cache fronts: around it, and through it.
        let (mut around, mut through) = (Vec::new(), false);
        for w in &s.workloads {
            for op in w.ops.iter().filter(|o| o.method != Method::Get) {
                for (j, via) in reached_by_op(s, &w.target, &op.name, &n.id) {
                    if s.nodes[j].id != behind {
                        continue;
                    }
                    if via {
                        through = true;
                    } else if !around.contains(&op.name) {
                        around.push(op.name.clone());
                    }
                }
            }
        }
        let racy = match c.write {
            WritePolicy::Invalidate | WritePolicy::Update => !c.lease,
            WritePolicy::WriteThrough | WritePolicy::WriteBehind => false,
        };
        let why = if !around.is_empty() {
            format!(
                "no TTL, and {behind} is written around it ({}): its copies of those keys stay stale until evicted",
                around.join(", ")
            )
        } else if through && racy {
            format!(
                "no TTL on written keys: a read's fill racing a write (its `{}` policy, no lease) leaves an old value that is served until evicted",
                match c.write {
                    WritePolicy::Update => "update",
                    _ => "invalidate",
                }
            )
        } else {
            continue;
        };
        out.push(Warning::node(
            "cache-without-ttl-on-written-keys",
            i,
            &n.id,
            why,
            "a TTL to bound staleness, and every write through the cache (invalidate with leases, or write-through)",
        ));
    }
}

/// A queue whose consumer can fail and that redelivers a failed message
/// many times has no dead letter in practice: a message the consumer cannot
/// process (a poison message) keeps coming back, taking a consumer and room
/// in the queue from the messages behind it, instead of being set aside for
/// a person to look at. (The engine dead-letters a message after
/// `max_redeliveries`; validation caps it at 100.)
fn queue_without_dead_letter(s: &Scenario, out: &mut Vec<Warning>) {
    use crate::scenario::FaultAction;
    for (i, n) in s.nodes.iter().enumerate() {
        let NodeKind::Queue(q) = &n.kind else { continue };
        if q.max_redeliveries <= MAX_SANE_REDELIVERIES {
            continue;
        }
        let Some(consumer) = s.edges.iter().find(|e| e.from == n.id).map(|e| e.to.as_str()) else { continue };
        // A consumer can fail when it has an error rate or dependencies of
        // its own, or the fault timeline breaks it.
        let own = match kind_of(s, consumer) {
            Some(NodeKind::Service(svc)) => svc.error_rate > 0.0 || !svc.calls.is_empty(),
            _ => false,
        };
        let faulted = s.faults.iter().any(|f| match &f.action {
            FaultAction::Crash { node }
            | FaultAction::Pause { node }
            | FaultAction::NodeErrors { node, .. }
            | FaultAction::Deploy { node, .. } => node == consumer,
            _ => false,
        });
        if !own && !faulted {
            continue;
        }
        let why = format!(
            "a message {consumer} fails goes back up to {} times before it is dead-lettered: one it can never process keeps taking a consumer and queue room",
            q.max_redeliveries
        );
        let pattern = "a dead-letter queue after a few deliveries (SQS maxReceiveCount, RabbitMQ delivery-limit), with an alert on it";
        out.push(Warning::node("queue-without-dead-letter", i, &n.id, why, pattern));
    }
}

/// How far one key may lift its backend above an even share before the
/// linter calls it hot: a key carrying a quarter of an even backend's share
/// (share x backends >= 0.25) puts its backend a quarter above the rest.
pub const HOT_KEY_LIFT: f64 = 0.25;

/// A consistent-hash balancer without a load bound whose hottest key (over
/// the workloads that reach it, weighted by their peak rates) would lift its
/// backend well above the others: plain consistent hashing keeps a key on its
/// backend however hot the key gets, so that backend can drown while the
/// others idle (the `lb-hot-key-*` presets).
fn unbounded_hash_balancing(s: &Scenario, out: &mut Vec<Warning>) {
    use crate::keys::hottest_share;
    use crate::scenario::Balancing;
    let mut feeds: Option<Vec<Vec<bool>>> = None;
    for (i, n) in s.nodes.iter().enumerate() {
        let NodeKind::LoadBalancer(lb) = &n.kind else { continue };
        let backends = s.edges.iter().filter(|e| e.from == n.id).count();
        if lb.algorithm != Balancing::ConsistentHash || lb.hash_balance_factor.is_some() || backends < 2 {
            continue;
        }
        // What each workload reaches, worked out once for every balancer.
        let feeds = feeds.get_or_insert_with(|| s.workloads.iter().map(|w| reached(s, [w.target.as_str()])).collect());
        let feeding: Vec<_> = s.workloads.iter().zip(feeds.iter()).filter(|(_, r)| r[i]).map(|(w, _)| w).collect();
        let total: f64 = feeding.iter().map(|w| w.arrival.rate_rps()).sum();
        if total <= 0.0 {
            continue;
        }
        let hottest = feeding
            .iter()
            .map(|w| (w, w.arrival.rate_rps() / total * hottest_share(&w.keys)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((w, share)) = hottest.filter(|&(_, share)| share * backends as f64 >= HOT_KEY_LIFT) else {
            continue;
        };
        let why = format!(
            "consistent hashing keeps each key on one backend however hot it gets, and one key of {} carries {:.0}% of the calls here ({:.1}x an even share of {backends} backends): its backend must take every one of them however busy it is",
            w.id,
            share * 100.0,
            share * backends as f64
        );
        let pattern = "consistent hashing with bounded loads (hash_balance_factor 125-200, as in HAProxy and Envoy)";
        out.push(Warning::node("unbounded-hash-balancing", i, &n.id, why, pattern));
    }
}

/// The nodes calls sent to `starts` reach synchronously: through services and
/// balancers (a queue, cache or database ends a path; clients are skipped).
fn reached<'a>(s: &'a Scenario, starts: impl IntoIterator<Item = &'a str>) -> Vec<bool> {
    let index: std::collections::HashMap<&str, usize> =
        s.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut seen = vec![false; s.nodes.len()];
    let mut stack: Vec<&str> = starts.into_iter().collect();
    while let Some(id) = stack.pop() {
        let Some(&i) = index.get(id) else { continue };
        if seen[i] || is_client(s, id) {
            continue;
        }
        seen[i] = true;
        if matches!(s.nodes[i].kind, NodeKind::Service(_) | NodeKind::LoadBalancer(_)) {
            stack.extend(s.edges.iter().filter(|e| e.from == id).map(|e| e.to.as_str()));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{
        DatabaseConfig, DownstreamCall, Edge, LoadBalancerConfig, Node, QueueConfig, RetryPolicy, ServiceConfig,
    };
    use crate::slice_scenario;

    fn rules(s: &Scenario) -> Vec<(&'static str, String)> {
        lint(s).into_iter().map(|w| (w.rule, w.subject)).collect()
    }

    fn has(s: &Scenario, rule: &str, subject: &str) -> bool {
        rules(s).iter().any(|(r, x)| *r == rule && x == subject)
    }

    fn node(id: &str, kind: NodeKind) -> Node {
        Node { id: id.into(), name: String::new(), region: None, zone: None, x: 0.0, y: 0.0, kind }
    }

    fn service_calling(to: &[&str]) -> NodeKind {
        NodeKind::Service(ServiceConfig {
            calls: to.iter().map(|t| DownstreamCall { to: (*t).into(), ops: vec![] }).collect(),
            ..ServiceConfig::default()
        })
    }

    #[test]
    fn a_retry_without_jitter_or_backoff_is_flagged_and_a_jittered_one_is_not() {
        let mut s = slice_scenario();
        s.edges[1].retry = Some(RetryPolicy { jitter: Jitter::None, ..RetryPolicy::default() });
        assert!(has(&s, "retry-without-backoff-or-jitter", "api -> db"));
        s.edges[1].retry = Some(RetryPolicy { backoff: Backoff::None, ..RetryPolicy::default() });
        assert!(has(&s, "retry-without-backoff-or-jitter", "api -> db"));
        s.edges[1].retry = Some(RetryPolicy {
            backoff: Backoff::Exponential { base_ms: 100.0, cap_ms: 2_000.0 },
            jitter: Jitter::Full,
            ..RetryPolicy::default()
        });
        assert!(!has(&s, "retry-without-backoff-or-jitter", "api -> db"));
        // One attempt is no retry.
        s.edges[1].retry = Some(RetryPolicy { max_attempts: 1, backoff: Backoff::None, ..RetryPolicy::default() });
        assert!(!has(&s, "retry-without-backoff-or-jitter", "api -> db"));
    }

    #[test]
    fn a_service_call_without_timeout_is_flagged_but_not_a_clients() {
        let mut s = slice_scenario();
        assert!(!has(&s, "call-without-timeout", "api -> db"), "links have a timeout by default");
        s.edges[0].timeout_ms = None;
        s.edges[1].timeout_ms = None;
        assert!(has(&s, "call-without-timeout", "api -> db"));
        assert!(!has(&s, "call-without-timeout", "client -> api"), "a client's own timeout is its users' patience");
        s.edges[1].timeout_ms = Some(200.0);
        assert!(!has(&s, "call-without-timeout", "api -> db"));
    }

    #[test]
    fn a_fallback_without_a_breaker_is_flagged() {
        let mut s = slice_scenario();
        s.edges[1].fallback = Some(crate::scenario::Fallback::Default);
        assert!(has(&s, "fallback-without-breaker", "api -> db"));
        s.edges[1].breaker = Some(crate::policy::BreakerSpec::Preset(crate::policy::breaker::Preset::Resilience4j));
        assert!(!has(&s, "fallback-without-breaker", "api -> db"));
    }

    #[test]
    fn a_database_two_services_call_is_shared_and_their_workers_can_exceed_its_connections() {
        let mut s = slice_scenario();
        assert!(!has(&s, "shared-database", "db"));
        s.nodes.push(node("reports", service_calling(&["db"])));
        s.edges.push(Edge::new("reports", "db"));
        assert!(has(&s, "shared-database", "db"));
        // Two services of 20 workers against 20 connections (the defaults).
        let connections = match &s.nodes[2].kind {
            NodeKind::Database(d) => d.max_connections,
            _ => unreachable!(),
        };
        let workers = ServiceConfig::default().workers;
        assert_eq!(2 * workers > connections, has(&s, "callers-over-connections", "db"));
        s.nodes[2].kind =
            NodeKind::Database(DatabaseConfig { max_connections: 2 * workers, ..DatabaseConfig::default() });
        assert!(!has(&s, "callers-over-connections", "db"));
        s.nodes[2].kind =
            NodeKind::Database(DatabaseConfig { max_connections: 2 * workers - 1, ..DatabaseConfig::default() });
        assert!(has(&s, "callers-over-connections", "db"));
    }

    #[test]
    fn a_chain_deeper_than_the_limit_is_flagged_and_a_queue_ends_it() {
        let mut s = slice_scenario();
        // client -> api -> s1 -> s2 -> s3 -> db: 5 calls deep.
        s.nodes[1].kind = service_calling(&["s1"]);
        s.edges[1] = Edge::new("api", "s1");
        for (a, b) in [("s1", "s2"), ("s2", "s3"), ("s3", "db")] {
            s.nodes.push(node(a, service_calling(&[b])));
            s.edges.push(Edge::new(a, b));
        }
        assert!(has(&s, "deep-sync-chain", "client"), "{:?}", rules(&s));
        // s2 hands off to a queue whose consumer is s3: 3 synchronous calls.
        let q = node("q", NodeKind::Queue(QueueConfig::default()));
        s.nodes.push(q);
        s.nodes.iter_mut().find(|n| n.id == "s2").unwrap().kind = service_calling(&["q"]);
        s.edges.retain(|e| e.from != "s2");
        s.edges.push(Edge::new("s2", "q"));
        s.edges.push(Edge::new("q", "s3"));
        assert!(!has(&s, "deep-sync-chain", "client"), "{:?}", rules(&s));
    }

    #[test]
    fn a_single_instance_on_the_users_path_is_flagged_until_balanced() {
        let mut s = slice_scenario();
        assert!(has(&s, "single-instance", "api"));
        assert!(has(&s, "single-instance", "db"));
        // Two API instances behind a balancer.
        s.nodes.push(node("lb", NodeKind::LoadBalancer(LoadBalancerConfig::default())));
        s.nodes.push(node("api2", service_calling(&["db"])));
        s.edges.push(Edge::new("lb", "api"));
        s.edges.push(Edge::new("lb", "api2"));
        s.edges.push(Edge::new("api2", "db"));
        s.edges[0].to = "lb".into();
        s.workloads[0].target = "lb".into();
        assert!(!has(&s, "single-instance", "api"));
        assert!(!has(&s, "single-instance", "api2"));
        assert!(has(&s, "single-instance", "db"), "the database is still one");
    }

    #[test]
    fn a_queue_without_a_redelivery_delay_is_flagged() {
        let mut s = slice_scenario();
        s.nodes.push(node("q", NodeKind::Queue(QueueConfig::default())));
        s.nodes.push(node("worker", NodeKind::Service(ServiceConfig::default())));
        s.edges.push(Edge::new("q", "worker"));
        assert!(has(&s, "queue-redelivers-at-once", "q"));
        if let NodeKind::Queue(q) = &mut s.nodes[3].kind {
            q.redelivery_delay_ms = 5_000;
        }
        assert!(!has(&s, "queue-redelivers-at-once", "q"));
    }

    /// client -> api -> cache -> db, with a read and a write operation.
    fn cached(write_through_cache: bool) -> Scenario {
        use crate::scenario::{CacheConfig, Method, Operation};
        let mut s = slice_scenario();
        s.nodes.push(node("cache", NodeKind::Cache(CacheConfig::default())));
        let calls = if write_through_cache {
            vec![DownstreamCall { to: "cache".into(), ops: vec![] }]
        } else {
            vec![
                DownstreamCall { to: "cache".into(), ops: vec!["read".into()] },
                DownstreamCall { to: "db".into(), ops: vec!["write".into()] },
            ]
        };
        s.nodes[1].kind = NodeKind::Service(ServiceConfig { calls, ..ServiceConfig::default() });
        s.edges.retain(|e| e.from != "api");
        s.edges.push(Edge::new("api", "cache"));
        if !write_through_cache {
            s.edges.push(Edge::new("api", "db"));
        }
        s.edges.push(Edge::new("cache", "db"));
        let op = |name: &str, method| Operation {
            name: name.into(),
            method,
            weight: 1.0,
            idempotency_key: false,
            scatter: false,
            followers: None,
        };
        s.workloads[0].ops = vec![op("read", Method::Get), op("write", Method::Put)];
        s
    }

    fn cache_mut(s: &mut Scenario) -> &mut crate::scenario::CacheConfig {
        match &mut s.nodes.iter_mut().find(|n| n.id == "cache").unwrap().kind {
            NodeKind::Cache(c) => c,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_cache_without_ttl_whose_keys_are_written_around_it_is_flagged_until_it_has_a_ttl() {
        let mut s = cached(false);
        s.validate().unwrap();
        let w = lint(&s).into_iter().find(|w| w.rule == "cache-without-ttl-on-written-keys").unwrap();
        assert_eq!((w.subject.as_str(), w.path.as_str()), ("cache", "nodes[3]"));
        assert!(w.why.contains("db is written around it (write)"), "{}", w.why);
        // Leases do not help a write the cache never sees.
        cache_mut(&mut s).lease = true;
        assert!(has(&s, "cache-without-ttl-on-written-keys", "cache"));
        cache_mut(&mut s).ttl_ms = Some(30_000.0);
        assert!(!has(&s, "cache-without-ttl-on-written-keys", "cache"));
        // No write at all: nothing goes stale.
        let mut s = cached(false);
        s.workloads[0].ops.retain(|o| o.name == "read");
        assert!(!has(&s, "cache-without-ttl-on-written-keys", "cache"));
    }

    #[test]
    fn a_cache_without_ttl_written_through_is_flagged_only_when_its_policy_can_race() {
        use crate::scenario::WritePolicy;
        let mut s = cached(true);
        s.validate().unwrap();
        let w = lint(&s).into_iter().find(|w| w.rule == "cache-without-ttl-on-written-keys").unwrap();
        assert!(w.why.contains("`invalidate` policy, no lease"), "{}", w.why);
        cache_mut(&mut s).write = WritePolicy::Update;
        assert!(has(&s, "cache-without-ttl-on-written-keys", "cache"));
        for fixed in [WritePolicy::WriteThrough, WritePolicy::WriteBehind] {
            cache_mut(&mut s).write = fixed;
            assert!(!has(&s, "cache-without-ttl-on-written-keys", "cache"), "{fixed:?}");
        }
        cache_mut(&mut s).write = WritePolicy::Invalidate;
        cache_mut(&mut s).lease = true;
        assert!(!has(&s, "cache-without-ttl-on-written-keys", "cache"));
    }

    /// client -> api -> q -> worker, the worker failing 10% of its messages.
    fn queued(max_redeliveries: u32) -> Scenario {
        let mut s = slice_scenario();
        s.nodes.push(node(
            "q",
            NodeKind::Queue(QueueConfig { max_redeliveries, redelivery_delay_ms: 1_000, ..QueueConfig::default() }),
        ));
        s.nodes.push(node("worker", NodeKind::Service(ServiceConfig { error_rate: 0.1, ..ServiceConfig::default() })));
        s.nodes[1].kind = service_calling(&["q"]);
        s.edges.retain(|e| e.from != "api");
        s.edges.push(Edge::new("api", "q"));
        s.edges.push(Edge::new("q", "worker"));
        s.nodes.retain(|n| n.id != "db");
        s
    }

    #[test]
    fn a_queue_redelivering_a_failing_consumers_messages_without_limit_is_flagged() {
        let s = queued(100);
        s.validate().unwrap();
        let w = lint(&s).into_iter().find(|w| w.rule == "queue-without-dead-letter").unwrap();
        assert!(w.why.contains("worker fails goes back up to 100 times"), "{}", w.why);
        assert!(has(&queued(MAX_SANE_REDELIVERIES + 1), "queue-without-dead-letter", "q"));
        // A dead letter after a few deliveries (the default is 3).
        assert!(!has(&queued(MAX_SANE_REDELIVERIES), "queue-without-dead-letter", "q"));
        assert!(!has(&queued(QueueConfig::default().max_redeliveries), "queue-without-dead-letter", "q"));
        // A consumer that cannot fail sends nothing back.
        let mut s = queued(100);
        s.nodes.iter_mut().find(|n| n.id == "worker").unwrap().kind = NodeKind::Service(ServiceConfig::default());
        assert!(!has(&s, "queue-without-dead-letter", "q"));
        // ... unless the timeline crashes it.
        s.faults.push(crate::scenario::Fault {
            at_ms: 1_000,
            duration_ms: Some(5_000),
            action: crate::scenario::FaultAction::Crash { node: "worker".into() },
        });
        assert!(has(&s, "queue-without-dead-letter", "q"));
    }

    #[test]
    fn a_hash_balancer_with_a_hot_key_is_flagged_until_it_bounds_its_loads() {
        use crate::scenario::{Balancing, Keys};
        let mut s = slice_scenario();
        let mut lb = LoadBalancerConfig { algorithm: Balancing::ConsistentHash, ..LoadBalancerConfig::default() };
        s.nodes.push(node("lb", NodeKind::LoadBalancer(lb.clone())));
        s.nodes.push(node("api2", service_calling(&["db"])));
        s.edges.push(Edge::new("lb", "api"));
        s.edges.push(Edge::new("lb", "api2"));
        s.edges.push(Edge::new("api2", "db"));
        s.edges[0].to = "lb".into();
        s.workloads[0].target = "lb".into();
        let flagged = |s: &Scenario| has(s, "unbounded-hash-balancing", "lb");
        // A million uniform keys spread well; so does Zipf with s = 0 (uniform)
        // or 0.5 over a million keys (the top key has 0.05% of the calls). At
        // s = 1 over 10,000 keys the top key has 10.2%, 0.2 of an even share
        // of two backends: under the line; at s = 1.2, 20.8%: over it.
        assert!(!flagged(&s), "{:?}", rules(&s));
        let zipf = [(1_000_000, 0.0, false), (1_000_000, 0.5, false), (10_000, 1.0, false), (10_000, 1.2, true)];
        for (count, exponent, hot) in zipf {
            s.workloads[0].keys = Keys::Zipf { count, s: exponent };
            assert_eq!(flagged(&s), hot, "zipf {count} {exponent}");
        }
        // Five keys on two backends: each a fifth of the calls, 0.4 of a share.
        s.workloads[0].keys = Keys::Uniform { count: 5 };
        assert!(flagged(&s));
        let w = lint(&s).into_iter().find(|w| w.rule == "unbounded-hash-balancing").unwrap();
        assert!(w.why.contains("carries 20% of the calls here (0.4x an even share of 2 backends)"), "{}", w.why);
        // A hot key of a trickle beside a flood of spread keys is not.
        let mut trickle = s.workloads[0].clone();
        trickle.id = "trickle".into();
        trickle.keys = Keys::Uniform { count: 1 };
        trickle.arrival = crate::scenario::Arrival::Poisson { rate_rps: 1.0 };
        s.workloads[0].keys = Keys::Uniform { count: 1_000_000 };
        s.workloads[0].arrival = crate::scenario::Arrival::Poisson { rate_rps: 10_000.0 };
        s.workloads.push(trickle);
        assert!(!flagged(&s));
        s.workloads[1].arrival = crate::scenario::Arrival::Poisson { rate_rps: 2_000.0 };
        assert!(flagged(&s), "a sixth of the calls on one key");
        // Bounded, or not hashing, or one backend only: nothing to flag.
        lb.hash_balance_factor = Some(150);
        s.nodes[3].kind = NodeKind::LoadBalancer(lb.clone());
        assert!(!flagged(&s));
        lb.hash_balance_factor = None;
        lb.algorithm = Balancing::RoundRobin;
        s.nodes[3].kind = NodeKind::LoadBalancer(lb.clone());
        assert!(!flagged(&s));
        lb.algorithm = Balancing::ConsistentHash;
        s.nodes[3].kind = NodeKind::LoadBalancer(lb);
        assert!(flagged(&s));
        s.edges.retain(|e| !(e.from == "lb" && e.to == "api2"));
        assert!(!flagged(&s), "one backend");
    }

    #[test]
    fn a_hash_balancer_behind_a_service_is_judged_by_the_workloads_that_reach_it() {
        use crate::scenario::{Balancing, Keys};
        // client -> api -> lb -> (db, db2): the workload reaches the balancer
        // through the service.
        let mut s = slice_scenario();
        let lb = LoadBalancerConfig { algorithm: Balancing::ConsistentHash, ..LoadBalancerConfig::default() };
        s.nodes.push(node("lb", NodeKind::LoadBalancer(lb)));
        s.nodes.push(node("db2", NodeKind::Database(DatabaseConfig::default())));
        s.edges.retain(|e| e.to != "db");
        s.edges.push(Edge::new("api", "lb"));
        s.edges.push(Edge::new("lb", "db"));
        s.edges.push(Edge::new("lb", "db2"));
        s.nodes[1].kind = service_calling(&["lb"]);
        s.workloads[0].keys = Keys::Uniform { count: 1 };
        assert!(has(&s, "unbounded-hash-balancing", "lb"), "{:?}", rules(&s));
        // No workload reaches it: nothing to judge.
        s.workloads[0].target = "db".into();
        assert!(!has(&s, "unbounded-hash-balancing", "lb"), "{:?}", rules(&s));
    }

    #[test]
    fn every_shipped_after_design_lints_no_worse_than_its_before() {
        // The fixes the library teaches must not add warnings of the kind
        // they fix: the retry storm's fix removes the jitter warning, the
        // cascade's the missing timeout on A -> B.
        let load = |name: &str| -> Scenario {
            let path = format!("{}/../../assets/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
            Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
        };
        let count = |s: &Scenario, rule: &str| lint(s).iter().filter(|w| w.rule == rule).count();
        let (before, after) = (load("retry-storm-before"), load("retry-storm-after"));
        assert!(count(&after, "retry-without-backoff-or-jitter") < count(&before, "retry-without-backoff-or-jitter"));
        let (before, after) = (load("cascade-before"), load("cascade-after"));
        assert!(count(&after, "call-without-timeout") < count(&before, "call-without-timeout"));
        let (before, after) = (load("lb-hot-key-before"), load("lb-hot-key-after"));
        assert_eq!((count(&before, "unbounded-hash-balancing"), count(&after, "unbounded-hash-balancing")), (1, 0));
        // (50 + 13 surge) x 20 = 1,260 against 500; the fix's (50 + 5) x 8 = 440.
        let (before, after) = (load("connection-storm-before"), load("connection-storm-after"));
        assert_eq!((count(&before, "pools-over-connections"), count(&after, "pools-over-connections")), (1, 0));
        let w = lint(&before).into_iter().find(|w| w.rule == "pools-over-connections").unwrap();
        assert!(w.why.contains("1260 connections against 500"), "{}", w.why);
        // The autoscaled spike: 4 pods x 8 fit under 40 connections, its autoscaler's 12 x 8 do not.
        let (mut before, mut after) = (load("autoscale-spike-before"), load("autoscale-spike-after"));
        for s in [&mut before, &mut after] {
            let NodeKind::Database(db) = &mut s.nodes[2].kind else { panic!("a database") };
            db.max_connections = 40;
        }
        assert_eq!((count(&before, "pools-over-connections"), count(&after, "pools-over-connections")), (0, 1));
        let w = lint(&after).into_iter().find(|w| w.rule == "pools-over-connections").unwrap();
        assert!(w.why.contains("96 connections against 40"), "{}", w.why);
    }
}
