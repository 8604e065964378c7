//! A service's HorizontalPodAutoscaler at run time: it measures, asks the
//! policy (`policy/hpa.rs`) for the replicas, and has the instances
//! (`instances.rs`) start or stop to match.
//!
//! What it measures: the utilisation of the ready instances over the last
//! sync period, busy workers over workers, as a time average (the service's
//! integral of busy workers over the period, divided by the workers times
//! the integral of ready instances over the same period). It is what the
//! HPA's CPU utilisation is for a thread-per-request server: the share of
//! the capacity of the ready pods that was in use, averaged over them and
//! over the metrics window. A time average rather than a snapshot at the
//! sync, so a sync that falls in a lull does not read 0. Workers of
//! instances draining at the time are counted in the busy integral (they
//! finish what they hold); instances booting hold no calls and add nothing.
//!
//! The first sync is one period after the start, then one every period; a
//! crashed service (no instances) is not scaled, and a paused one syncs
//! when it resumes.

use super::billing::Integral;
use super::instances::{fleet_of, scale_to, schedule, Timer};
use crate::policy::hpa::Hpa;
use crate::scenario::Autoscale;
use crate::sim::Sim;
use serde::Serialize;

/// Changes remembered for the report.
const CHANGES_KEPT: usize = 64;

#[derive(Clone, Debug)]
pub struct Autoscaler {
    hpa: Hpa,
    pub(super) period_us: u64,
    /// Ready instances over time.
    pub(super) ready: Integral,
    /// The busy and ready integrals at the previous sync.
    busy_mark: u64,
    ready_mark: u64,
    syncs: u64,
    scale_ups: u32,
    scale_downs: u32,
    peak: u32,
    last_utilisation: f64,
    changes: Vec<(f64, u32)>,
}

/// What the run report says of an autoscaler.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AutoscaleReport {
    pub min_instances: u32,
    pub max_instances: u32,
    pub target_utilisation: f64,
    /// Replicas it asks for at the end.
    pub desired: u32,
    /// Most replicas it asked for.
    pub peak_desired: u32,
    pub syncs: u64,
    pub scale_ups: u32,
    pub scale_downs: u32,
    /// Utilisation of the ready instances measured at the latest sync (0..1).
    pub last_utilisation: f64,
    /// Each change of the replicas as (time ms, replicas), oldest first
    /// (the first 64).
    pub changes: Vec<(f64, u32)>,
}

impl Autoscaler {
    pub fn new(cfg: &Autoscale, replicas: u32) -> Autoscaler {
        Autoscaler {
            hpa: Hpa::new(cfg.hpa()),
            period_us: cfg.sync_period_ms.max(1) * 1_000,
            ready: Integral::new(replicas),
            busy_mark: 0,
            ready_mark: 0,
            syncs: 0,
            scale_ups: 0,
            scale_downs: 0,
            peak: replicas,
            last_utilisation: 0.0,
            changes: Vec::new(),
        }
    }

    pub fn report(&self, replicas: u32) -> AutoscaleReport {
        let c = self.hpa.cfg;
        AutoscaleReport {
            min_instances: c.min,
            max_instances: c.max,
            target_utilisation: c.target,
            desired: replicas,
            peak_desired: self.peak,
            syncs: self.syncs,
            scale_ups: self.scale_ups,
            scale_downs: self.scale_downs,
            last_utilisation: self.last_utilisation,
            changes: self.changes.clone(),
        }
    }
}

/// The autoscaler's sync: measure, decide, scale; and the next sync.
pub(super) fn sync(sim: &mut Sim, node: usize) {
    let now = sim.now.0;
    let busy_area = sim.busy_area(node);
    let f = fleet_of(sim, node);
    let (ready, unready) = f.readiness();
    let (workers, current, crashed) = (f.workers, f.replicas, f.crashed);
    let Some(a) = f.autoscaler.as_deref_mut() else { return };
    let ready_area = a.ready.area_at(now);
    let (busy, instance_us) = (busy_area - a.busy_mark, ready_area - a.ready_mark);
    a.busy_mark = busy_area;
    a.ready_mark = ready_area;
    let period = a.period_us;
    let utilisation =
        if instance_us == 0 || workers == 0 { 0.0 } else { busy as f64 / (instance_us as f64 * f64::from(workers)) };
    let desired = if crashed {
        current
    } else {
        a.syncs += 1;
        a.last_utilisation = utilisation;
        // No instance was ready over the period: nothing was measured.
        let ready = if instance_us == 0 { 0 } else { ready };
        a.hpa.sync(now, current, ready, unready, utilisation)
    };
    if desired != current {
        if desired > current {
            a.scale_ups += 1;
        } else {
            a.scale_downs += 1;
        }
        a.peak = a.peak.max(desired);
        if a.changes.len() < CHANGES_KEPT {
            a.changes.push((now as f64 / 1e3, desired));
        }
        scale_to(sim, node, desired);
    }
    schedule(sim, node, now + period, Timer::Sync);
}
