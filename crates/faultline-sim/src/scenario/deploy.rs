//! Replicas, connection pools and rolling deploys in the scenario document,
//! and the arithmetic of a Kubernetes rolling update.
//!
//! A service may run several `instances` (pods), each with its own workers
//! and its own `connection_pool` to each database it calls; a `deploy`
//! fault replaces them with a new version the way a Deployment's
//! RollingUpdate strategy does. The behaviour lives in
//! `nodes/service/instances.rs`; the rules a rollout follows are here, as
//! plain functions, so they can be checked against the Kubernetes
//! documentation ("Deployments", Rolling Update Deployment) on their own:
//!
//! - `maxSurge` and `maxUnavailable` are a count or a whole percentage of
//!   the replicas, 25% each by default; a percentage of surge rounds up, of
//!   unavailable rounds down; both may not be 0 (if percentages round both
//!   to 0, unavailable becomes 1, as the controller does);
//! - the controller starts new pods while old + new stays at most
//!   replicas + maxSurge, and stops old pods while the available ones stay
//!   at least replicas - maxUnavailable. Stopping pods are no longer
//!   counted, although they still drain and hold their connections: which
//!   is how a rollout briefly runs more pods than its replicas and surge.

use serde::{Deserialize, Serialize};

/// Each instance's pool of connections to each database (or pooler) it
/// calls, like HikariCP's: a call takes an idle connection, or the pool
/// opens one if it has fewer than `pool_size`, or the call waits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionPool {
    /// Connections an instance may hold to one database (HikariCP's maximumPoolSize).
    pub pool_size: u32,
    /// Connections opened at start-up; an instance that cannot open them
    /// fails its start-up probe and exits (HikariCP's minimumIdle).
    pub min_pool: u32,
    /// Opening a connection fails after this long without an answer.
    pub connect_timeout_ms: u64,
    /// A call that waits this long for a connection fails with a 5xx
    /// (HikariCP's connectionTimeout, 30 s).
    pub acquire_timeout_ms: u64,
    /// After a failed open, the pool tries again this much later while calls wait.
    pub retry_connect_ms: u64,
}

impl Default for ConnectionPool {
    fn default() -> Self {
        ConnectionPool {
            pool_size: 10,
            min_pool: 2,
            connect_timeout_ms: 5_000,
            acquire_timeout_ms: 30_000,
            retry_connect_ms: 250,
        }
    }
}

/// A count of pods or a whole percentage of the replicas ("25%").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Scale {
    Count(u32),
    Percent(String),
}

/// Untagged, read through the value's JSON text (see `crate::tagged`).
impl<'de> Deserialize<'de> for Scale {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scale, D::Error> {
        crate::tagged::untagged(
            d,
            "Scale",
            &[
                |text| serde_json::from_str(text).ok().map(Scale::Count),
                |text| serde_json::from_str(text).ok().map(Scale::Percent),
            ],
        )
    }
}

impl Scale {
    /// The percentage, if this is one ("25%" -> 25); `None` for a count or a
    /// malformed string.
    pub fn percent(&self) -> Option<u32> {
        match self {
            Scale::Count(_) => None,
            Scale::Percent(s) => s.strip_suffix('%').and_then(|p| p.trim().parse().ok()),
        }
    }

    /// Whether the text is a valid count or percentage.
    pub fn is_valid(&self) -> bool {
        matches!(self, Scale::Count(_)) || self.percent().is_some()
    }

    /// Zero as written ("0" or "0%").
    pub fn is_zero(&self) -> bool {
        matches!(self, Scale::Count(0)) || self.percent() == Some(0)
    }

    /// The value for `replicas`, a percentage rounded up or down.
    pub fn resolve(&self, replicas: u32, round_up: bool) -> u32 {
        match (self, self.percent()) {
            (Scale::Count(n), _) => *n,
            (_, Some(p)) => {
                let x = u64::from(p) * u64::from(replicas);
                let v = if round_up { x.div_ceil(100) } else { x / 100 };
                v.min(u64::from(u32::MAX)) as u32
            }
            _ => 0,
        }
    }
}

/// What is wrong with the version a deploy rolls out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BadVersion {
    /// Share of its requests the new version answers with a 5xx (0..1); its
    /// readiness probe still passes, so the rollout completes regardless.
    #[serde(skip_serializing_if = "is_zero_f64")]
    pub error_rate: f64,
    /// The new version exits as soon as it boots: its pods crash-loop and
    /// the rollout stalls.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub crash_at_start: bool,
}

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}

/// A service's boot time unless it says otherwise.
pub const DEFAULT_STARTUP_MS: u64 = 5_000;
/// A database's work to open a connection unless it says otherwise.
pub const DEFAULT_CONNECT_TIME_MS: f64 = 2.0;

pub(crate) fn is_one(x: &u32) -> bool {
    *x == 1
}

pub(crate) fn is_zero_u32(x: &u32) -> bool {
    *x == 0
}

pub(crate) fn is_default_startup(x: &u64) -> bool {
    *x == DEFAULT_STARTUP_MS
}

pub(crate) fn is_default_connect_time(x: &f64) -> bool {
    *x == DEFAULT_CONNECT_TIME_MS
}

/// The default of both limits.
pub fn default_scale() -> Scale {
    Scale::Percent("25%".into())
}

/// maxSurge and maxUnavailable in pods for `replicas`, as the Deployment
/// controller resolves them.
pub fn resolve_limits(replicas: u32, max_surge: &Scale, max_unavailable: &Scale) -> (u32, u32) {
    let surge = max_surge.resolve(replicas, true);
    let mut unavailable = max_unavailable.resolve(replicas, false).min(replicas);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

/// The pods of a rollout at one moment (stopping ones are not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RolloutCounts {
    pub old: u32,
    pub old_ready: u32,
    pub new: u32,
    pub new_ready: u32,
}

/// New pods to start now: up to the replicas, keeping old + new within
/// replicas + maxSurge.
pub fn scale_up(replicas: u32, surge: u32, c: RolloutCounts) -> u32 {
    let room = replicas.saturating_add(surge).saturating_sub(c.old + c.new);
    replicas.saturating_sub(c.new).min(room)
}

/// Old pods to stop now, (not ready ones, ready ones): unready old pods
/// first, as long as that leaves replicas - maxUnavailable pods that are
/// or may become available; then ready ones while the available pods stay
/// at least replicas - maxUnavailable.
pub fn scale_down(replicas: u32, unavailable: u32, c: RolloutCounts) -> (u32, u32) {
    let min_available = replicas.saturating_sub(unavailable);
    let new_unavailable = c.new - c.new_ready;
    let max_cleanup = (c.old + c.new).saturating_sub(min_available).saturating_sub(new_unavailable);
    let unhealthy = (c.old - c.old_ready).min(max_cleanup);
    let healthy = (c.old_ready + c.new_ready).saturating_sub(min_available).min(c.old_ready);
    (unhealthy, healthy)
}

/// Most instances a service may have.
pub const MAX_INSTANCES: u32 = 1_000;
/// Longest boot, readiness delay or connection timeout, in milliseconds.
pub const MAX_STARTUP_MS: u64 = 3_600_000;

type Problems = Vec<(String, String)>;

fn bounded(out: &mut Problems, path: String, v: u64, lo: u64, hi: u64) {
    if v < lo || v > hi {
        out.push((path, format!("must be between {lo} and {hi} (got {v})")));
    }
}

/// What is wrong with a service's instances and pool settings (`p`: its path).
pub(crate) fn service_problems(p: &str, s: &super::ServiceConfig) -> Problems {
    let mut out = Problems::new();
    bounded(&mut out, format!("{p}.kind.instances"), u64::from(s.instances), 1, u64::from(MAX_INSTANCES));
    bounded(&mut out, format!("{p}.kind.startup_ms"), s.startup_ms, 0, MAX_STARTUP_MS);
    if let Some(c) = &s.connection_pool {
        let q = format!("{p}.kind.connection_pool");
        bounded(&mut out, format!("{q}.pool_size"), u64::from(c.pool_size), 1, 10_000);
        if c.min_pool > c.pool_size {
            out.push((
                format!("{q}.min_pool"),
                format!("must be at most pool_size ({}, got {})", c.pool_size, c.min_pool),
            ));
        }
        bounded(&mut out, format!("{q}.connect_timeout_ms"), c.connect_timeout_ms, 1, MAX_STARTUP_MS);
        bounded(&mut out, format!("{q}.acquire_timeout_ms"), c.acquire_timeout_ms, 1, MAX_STARTUP_MS);
        bounded(&mut out, format!("{q}.retry_connect_ms"), c.retry_connect_ms, 1, MAX_STARTUP_MS);
    }
    out
}

/// What is wrong with a database's connection settings.
pub(crate) fn database_problems(p: &str, d: &super::DatabaseConfig) -> Problems {
    let mut out = Problems::new();
    if d.reserved_connections >= d.max_connections.max(1) {
        out.push((
            format!("{p}.kind.reserved_connections"),
            format!("must be less than max_connections ({}, got {})", d.max_connections, d.reserved_connections),
        ));
    }
    if !d.connect_time_ms.is_finite() || d.connect_time_ms < 0.0 || d.connect_time_ms > 60_000.0 {
        out.push((format!("{p}.kind.connect_time_ms"), "must be between 0 and 60000 ms".into()));
    }
    out
}

/// What is wrong with a `deploy` fault at path `p` (`target`: the node it names, if any).
pub(crate) fn deploy_problems(p: &str, action: &super::FaultAction, target: Option<&super::Node>) -> Problems {
    let mut out = Problems::new();
    let super::FaultAction::Deploy { node, max_surge, max_unavailable, readiness_delay_ms, bad } = action else {
        return out;
    };
    match target {
        None => out.push((format!("{p}.action.node"), format!("no node with id \"{node}\""))),
        Some(n) if !matches!(n.kind, super::NodeKind::Service(_)) => {
            out.push((format!("{p}.action.node"), format!("\"{node}\" is not a service: only services are deployed")))
        }
        Some(_) => {}
    }
    for (field, scale) in [("max_surge", max_surge), ("max_unavailable", max_unavailable)] {
        let Some(s) = scale else { continue };
        if !s.is_valid() || s.percent().is_some_and(|x| x > 100) {
            out.push((
                format!("{p}.action.{field}"),
                "must be a count or a whole percentage from \"0%\" to \"100%\"".into(),
            ));
        }
    }
    if max_surge.as_ref().is_some_and(Scale::is_zero) && max_unavailable.as_ref().is_some_and(Scale::is_zero) {
        out.push((
            format!("{p}.action.max_unavailable"),
            "may not be 0 when max_surge is 0: the rollout could never progress".into(),
        ));
    }
    if let Some(ms) = readiness_delay_ms {
        bounded(&mut out, format!("{p}.action.readiness_delay_ms"), *ms, 0, MAX_STARTUP_MS);
    }
    if let Some(b) = bad {
        if !(0.0..=1.0).contains(&b.error_rate) {
            out.push((format!("{p}.action.bad.error_rate"), format!("must be between 0 and 1 (got {})", b.error_rate)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(p: &str) -> Scale {
        Scale::Percent(p.into())
    }

    #[test]
    fn percentages_round_as_kubernetes_does() {
        // 25% of 10 = 2.5: surge rounds up to 3, unavailable down to 2.
        assert_eq!(resolve_limits(10, &pct("25%"), &pct("25%")), (3, 2));
        assert_eq!(resolve_limits(50, &pct("25%"), &pct("25%")), (13, 12));
        assert_eq!(resolve_limits(50, &pct("10%"), &Scale::Count(0)), (5, 0));
        // Both round to zero: unavailable becomes 1.
        assert_eq!(resolve_limits(3, &pct("10%"), &pct("10%")), (1, 0));
        assert_eq!(resolve_limits(3, &Scale::Count(0), &pct("10%")), (0, 1));
        assert!(!pct("25").is_valid() && !pct("x%").is_valid() && pct(" 5%").is_valid());
        assert!(pct("0%").is_zero() && Scale::Count(0).is_zero());
    }

    #[test]
    fn a_rollout_of_fifty_steps_as_the_controller_does() {
        let (r, s, u) = (50, 13, 12);
        let mut c = RolloutCounts { old: 50, old_ready: 50, ..Default::default() };
        // Sync 1: 13 surge pods, then 12 old ones stopped (50 available - 38).
        assert_eq!(scale_up(r, s, c), 13);
        c.new = 13;
        assert_eq!(scale_down(r, u, c), (0, 12));
        c.old = 38;
        c.old_ready = 38;
        // Sync 2: room for 12 more new pods (63 - 51): 25 new pods start while 38 old serve.
        assert_eq!(scale_up(r, s, c), 12);
        c.new = 25;
        assert_eq!(scale_down(r, u, c), (0, 0), "no new pod is ready yet");
        // 10 new pods ready: 10 more old ones may stop.
        c.new_ready = 10;
        assert_eq!(scale_down(r, u, c), (0, 10));
        c.old = 28;
        c.old_ready = 28;
        assert_eq!(scale_up(r, s, c), 10);
        // Old pods that crash-loop are cleaned up first, within the limits.
        let stuck = RolloutCounts { old: 40, old_ready: 30, new: 13, new_ready: 0 };
        // 53 pods - 38 to keep available - 13 new ones not yet available: 2 of the 10 unready old ones.
        assert_eq!(scale_down(r, u, stuck), (2, 0));
    }

    #[test]
    fn a_version_that_never_gets_ready_stalls_at_surge_plus_unavailable() {
        let r = 50;
        let (s, u) = resolve_limits(r, &pct("25%"), &pct("25%"));
        let mut c = RolloutCounts { old: r, old_ready: r, ..Default::default() };
        for _ in 0..10 {
            c.new += scale_up(r, s, c);
            let (a, b) = scale_down(r, u, c);
            c.old -= a + b;
            c.old_ready -= b;
        }
        assert_eq!(c, RolloutCounts { old: 38, old_ready: 38, new: 25, new_ready: 0 });
    }
}
