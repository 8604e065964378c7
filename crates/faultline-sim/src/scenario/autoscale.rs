//! Autoscaling and the price of instances in the scenario document.
//!
//! A service's `autoscale` is a Kubernetes HorizontalPodAutoscaler on its
//! instances: every `sync_period_ms` it measures the ready instances'
//! utilisation (busy workers over workers, averaged over the period) and
//! sets the replicas to ceil(replicas × utilisation / target) within
//! `min_instances` and `max_instances`, after the tolerance and the
//! stabilisation windows (`policy/hpa.rs` has the arithmetic and why each
//! piece is there; `nodes/service/instances.rs` starts and stops the
//! instances, which boot and open their connection pools like any other).
//!
//! `price_per_instance_hour` is per service, not per scenario: an instance's
//! price follows its size, and services differ in size (workers) the way
//! machine types do. Every service is billed for the time each of its
//! instances exists, booting, ready, draining or backing off (a pod in
//! CrashLoopBackOff still holds its node's resources); not while the whole
//! service is crashed by a fault (its instances are gone) or stopped.

use crate::policy::hpa;
use serde::{Deserialize, Serialize};

/// A HorizontalPodAutoscaler on a service's instances.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Autoscale {
    /// Fewest instances (minReplicas), at least 1.
    pub min_instances: u32,
    /// Most instances (maxReplicas).
    pub max_instances: u32,
    /// Busy workers over workers the autoscaler aims at, averaged over the
    /// ready instances (more than 0, at most 1).
    pub target_utilisation: f64,
    /// No change while |utilisation / target - 1| is at most this (HPA: 0.1).
    pub tolerance: f64,
    /// How often the autoscaler measures and decides (HPA: 15 s).
    pub sync_period_ms: u64,
    /// Scale-up stabilisation window: going up, the lowest recommendation of
    /// this long is used (HPA: 0, up at once).
    pub scale_up_window_ms: u64,
    /// Scale-down stabilisation window: going down, the highest
    /// recommendation of this long is used (HPA: 300 s).
    pub scale_down_window_ms: u64,
}

impl Default for Autoscale {
    fn default() -> Self {
        Autoscale {
            min_instances: 1,
            max_instances: 10,
            target_utilisation: 0.5,
            tolerance: hpa::DEFAULT_TOLERANCE,
            sync_period_ms: hpa::DEFAULT_SYNC_PERIOD_MS,
            scale_up_window_ms: hpa::DEFAULT_SCALE_UP_WINDOW_MS,
            scale_down_window_ms: hpa::DEFAULT_SCALE_DOWN_WINDOW_MS,
        }
    }
}

impl Autoscale {
    /// The controller's settings.
    pub fn hpa(&self) -> hpa::HpaConfig {
        hpa::HpaConfig {
            min: self.min_instances,
            max: self.max_instances,
            target: self.target_utilisation,
            tolerance: self.tolerance,
            up_window_us: self.scale_up_window_ms.saturating_mul(1_000),
            down_window_us: self.scale_down_window_ms.saturating_mul(1_000),
        }
    }

    /// The instances a service starts with: its `instances`, brought within
    /// min and max (where the autoscaler's first sync would bring them).
    pub fn initial(&self, instances: u32) -> u32 {
        instances.clamp(self.min_instances.max(1), self.max_instances.max(self.min_instances.max(1)))
    }
}

/// An instance-hour's price unless the service says otherwise: about a small
/// cloud machine's on-demand price (2 vCPUs, 8 GB), in no currency in particular.
pub const DEFAULT_PRICE_PER_INSTANCE_HOUR: f64 = 0.1;
/// Highest price per instance-hour accepted.
pub const MAX_PRICE_PER_INSTANCE_HOUR: f64 = 1_000_000.0;
/// Shortest sync period.
pub const MIN_SYNC_PERIOD_MS: u64 = 100;
/// Longest sync period or stabilisation window.
pub const MAX_WINDOW_MS: u64 = 3_600_000;

pub(crate) fn is_default_price(x: &f64) -> bool {
    *x == DEFAULT_PRICE_PER_INSTANCE_HOUR
}

/// What is wrong with a service's autoscaler and price (`p`: its path).
pub(crate) fn problems(p: &str, s: &super::ServiceConfig) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let price = s.price_per_instance_hour;
    if !price.is_finite() || !(0.0..=MAX_PRICE_PER_INSTANCE_HOUR).contains(&price) {
        out.push((
            format!("{p}.kind.price_per_instance_hour"),
            format!("must be between 0 and {MAX_PRICE_PER_INSTANCE_HOUR} (got {price})"),
        ));
    }
    let Some(a) = &s.autoscale else { return out };
    let q = format!("{p}.kind.autoscale");
    let max = super::deploy::MAX_INSTANCES;
    for (field, v) in [("min_instances", a.min_instances), ("max_instances", a.max_instances)] {
        if v < 1 || v > max {
            out.push((format!("{q}.{field}"), format!("must be between 1 and {max} (got {v})")));
        }
    }
    if a.min_instances > a.max_instances {
        out.push((
            format!("{q}.min_instances"),
            format!("must be at most max_instances ({}, got {})", a.max_instances, a.min_instances),
        ));
    }
    let t = a.target_utilisation;
    if !t.is_finite() || t <= 0.0 || t > 1.0 {
        out.push((format!("{q}.target_utilisation"), format!("must be more than 0 and at most 1 (got {t})")));
    }
    if !a.tolerance.is_finite() || !(0.0..1.0).contains(&a.tolerance) {
        out.push((format!("{q}.tolerance"), format!("must be at least 0 and less than 1 (got {})", a.tolerance)));
    }
    if a.sync_period_ms < MIN_SYNC_PERIOD_MS || a.sync_period_ms > MAX_WINDOW_MS {
        out.push((
            format!("{q}.sync_period_ms"),
            format!("must be between {MIN_SYNC_PERIOD_MS} and {MAX_WINDOW_MS} (got {})", a.sync_period_ms),
        ));
    }
    for (field, v) in [("scale_up_window_ms", a.scale_up_window_ms), ("scale_down_window_ms", a.scale_down_window_ms)] {
        if v > MAX_WINDOW_MS {
            out.push((format!("{q}.{field}"), format!("must be between 0 and {MAX_WINDOW_MS} (got {v})")));
        }
    }
    out
}
