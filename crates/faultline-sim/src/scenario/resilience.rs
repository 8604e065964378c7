//! Resilience settings in the scenario document: what a caller does about
//! failures on an edge (retry, circuit breaker, fallback) and how a service
//! protects itself (bulkheads, rate limit, load shedding, error rates).
//! The behaviour lives in `policy/`; these are the documented knobs.

use crate::policy::{Backoff, BudgetConfig, Jitter};
use serde::{Deserialize, Serialize};

/// Retries on an edge, applied by the caller.
///
/// Retried: timeouts, refused connections, 503 (rejected, shed) and 429 (rate
/// limited). Never: other 5xx, 4xx, short-circuited or bulkhead-rejected
/// calls. Only idempotent methods (GET, PUT, DELETE) are retried, and POST
/// when its operation carries an idempotency key; unless `retry_post` is set,
/// which is exactly the mistake that creates duplicates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub backoff: Backoff,
    pub jitter: Jitter,
    /// A retry budget shared by the edge's calls; `null` for none.
    pub budget: Option<BudgetConfig>,
    /// Wait at least as long as a 429's retry-after says.
    pub honour_retry_after: bool,
    /// Retry POSTs without an idempotency key too (unsafe).
    pub retry_post: bool,
}

impl Default for RetryPolicy {
    /// The seed's schedule: 100 ms + U(0, 50), 200 + U(0, 100), ..., 3 attempts.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            backoff: Backoff::Exponential { base_ms: 100.0, cap_ms: 10_000.0 },
            jitter: Jitter::Additive,
            budget: None,
            honour_retry_after: true,
            retry_post: false,
        }
    }
}

/// What a caller answers with when a call fails or its breaker is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// A cached (possibly stale) answer.
    Cache,
    /// A default answer.
    Default,
    /// On a call to a cache: a read the cache did not answer (a partition,
    /// a timeout, a crash) goes to the database behind it instead, over the
    /// caller's own edge to that database (which must exist): a full answer,
    /// not a degraded one. Writes fail as they did.
    Database,
}

/// A concurrency pool for some of a service's dependencies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Bulkhead {
    /// The dependencies (node ids) whose calls share this pool.
    pub to: Vec<String>,
    /// Calls in progress at once.
    pub max_concurrent: u32,
    /// How long a call may wait for a free slot, in ms; 0 rejects at once.
    #[serde(default)]
    pub max_wait_ms: f64,
}

/// A token bucket in front of a service: answers 429 when empty.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Tokens added per second.
    pub rate_rps: f64,
    /// Bucket size: the burst it absorbs.
    #[serde(default = "default_burst")]
    pub burst: f64,
    /// Retry-After sent with a 429, in ms; 0 sends none.
    #[serde(default)]
    pub retry_after_ms: f64,
}

fn default_burst() -> f64 {
    10.0
}
