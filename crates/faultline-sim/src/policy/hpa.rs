//! Kubernetes' Horizontal Pod Autoscaler: how many replicas a service
//! should run for the utilisation it measured.
//!
//! Kept apart from the instances it scales (`nodes/service/instances.rs`)
//! so its arithmetic can be checked against the Kubernetes documentation
//! ("Horizontal Pod Autoscaling", "Algorithm details" and "Configurable
//! scaling behavior") and the controller's replica calculator on its own.
//! What it takes from the HPA, and why:
//!
//! - **The formula**: desired = ceil(current × currentMetric / target), the
//!   metric being the average utilisation of the ready pods. With pods that
//!   are not ready yet (booting), the calculator counts them at 0% when it
//!   would scale up and redoes the ratio; if that no longer says "up" it
//!   keeps the count. Without this, a slow start-up makes every sync during
//!   the boot add pods again for load the booting ones will take.
//! - **The tolerance** (default 0.1): no change while |ratio − 1| ≤ 0.1, so
//!   noise around the target does not move the count up and down.
//! - **The sync period** (default 15 s): the controller looks once a period,
//!   at the utilisation over that period. A spike is seen up to a period late.
//! - **Stabilisation windows**: the recommendation used is the lowest of the
//!   last `scale_up` window's (default 0 s: scale up at once) when going up,
//!   the highest of the last `scale_down` window's (default 300 s) when going
//!   down. A dip in load must last five minutes before pods are taken away,
//!   which is what stops flapping when load oscillates.
//! - **The default scale-up policy**: at most +4 pods or +100% (whichever is
//!   more) per 15 s, counted from the replicas at the start of that period.
//!   A huge spike is followed in doublings, not in one jump. The default
//!   scale-down policy (100% per 15 s) limits nothing, so there is none here.
//! - **min and max replicas** bound the result; a count outside them is
//!   brought inside at the next sync without looking at metrics.
//!
//! Not taken: scaling to or from zero (min is at least 1), several metrics
//! (utilisation of workers is the only one), missing-metric pods (every
//! ready instance reports), the CPU initialisation period (an instance's
//! busy workers count from the moment it is ready).

use std::collections::VecDeque;

/// HPA's `--horizontal-pod-autoscaler-tolerance`.
pub const DEFAULT_TOLERANCE: f64 = 0.1;
/// HPA's `--horizontal-pod-autoscaler-sync-period`.
pub const DEFAULT_SYNC_PERIOD_MS: u64 = 15_000;
/// `behavior.scaleDown.stabilizationWindowSeconds`' default.
pub const DEFAULT_SCALE_DOWN_WINDOW_MS: u64 = 300_000;
/// `behavior.scaleUp.stabilizationWindowSeconds`' default.
pub const DEFAULT_SCALE_UP_WINDOW_MS: u64 = 0;
/// The default scale-up policies: this many pods ...
pub const SCALE_UP_PODS: u32 = 4;
/// ... or this percentage of the replicas, whichever allows more ...
pub const SCALE_UP_PERCENT: u32 = 100;
/// ... per this period.
pub const SCALE_UP_PERIOD_US: u64 = 15_000_000;

/// The replica calculator for one resource metric: `current` replicas
/// (the Deployment's count), `ready` of them ready and measured at
/// `utilisation` (0..1, averaged over them), `unready` others booting.
/// Returns the recommendation before stabilisation and limits.
pub fn recommend(current: u32, ready: u32, unready: u32, utilisation: f64, target: f64, tolerance: f64) -> u32 {
    if ready == 0 || target <= 0.0 {
        return current; // no metrics: nothing to go by
    }
    let ratio = utilisation / target;
    if (1.0 - ratio).abs() <= tolerance {
        return current;
    }
    let (ratio, pods) = if ratio > 1.0 && unready > 0 {
        // Scaling up: the pods not yet ready count as using nothing.
        let pods = ready + unready;
        let again = utilisation * f64::from(ready) / (target * f64::from(pods));
        if (1.0 - again).abs() <= tolerance || again < 1.0 {
            return current;
        }
        (again, pods)
    } else {
        (ratio, ready)
    };
    let desired = (ratio * f64::from(pods)).ceil() as u32;
    // Never against the direction the ratio says.
    if (ratio < 1.0 && desired > current) || (ratio > 1.0 && desired < current) {
        return current;
    }
    desired
}

/// The highest count the scale-up policy allows now: `period_start`
/// replicas at the start of the policy's period, plus 4 or doubled.
pub fn scale_up_limit(period_start: u32) -> u32 {
    let pods = period_start.saturating_add(SCALE_UP_PODS);
    let percent = u64::from(period_start) * u64::from(100 + SCALE_UP_PERCENT);
    pods.max(percent.div_ceil(100).min(u64::from(u32::MAX)) as u32)
}

/// An autoscaler's settings, in the units the controller works in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HpaConfig {
    pub min: u32,
    pub max: u32,
    /// Target utilisation (0..1].
    pub target: f64,
    pub tolerance: f64,
    pub up_window_us: u64,
    pub down_window_us: u64,
}

/// One autoscaler's memory: recent recommendations (for the stabilisation
/// windows) and recent scale events (for the scale-up policy).
#[derive(Clone, Debug)]
pub struct Hpa {
    pub cfg: HpaConfig,
    /// (time, raw recommendation), oldest first.
    recs: VecDeque<(u64, u32)>,
    /// (time, replicas added (+) or removed (−)), oldest first.
    events: VecDeque<(u64, i64)>,
}

impl Hpa {
    pub fn new(cfg: HpaConfig) -> Hpa {
        Hpa { cfg, recs: VecDeque::new(), events: VecDeque::new() }
    }

    /// One sync at `now_us` with the Deployment at `current` replicas
    /// (`ready` and `unready` pods, `utilisation` measured over the ready
    /// ones): the replicas to set.
    pub fn sync(&mut self, now_us: u64, current: u32, ready: u32, unready: u32, utilisation: f64) -> u32 {
        let c = self.cfg;
        let desired = if current > c.max {
            c.max
        } else if current < c.min {
            c.min
        } else {
            let raw = recommend(current, ready, unready, utilisation, c.target, c.tolerance);
            let stable = self.stabilise(now_us, current, raw);
            self.limit(now_us, current, stable)
        };
        if desired != current {
            self.events.push_back((now_us, i64::from(desired) - i64::from(current)));
        }
        desired
    }

    /// The stabilisation windows: going up, the lowest recommendation of the
    /// up window; going down, the highest of the down window (HPA's
    /// `stabilizeRecommendationWithBehaviors`). `raw` is remembered.
    fn stabilise(&mut self, now_us: u64, current: u32, raw: u32) -> u32 {
        let c = self.cfg;
        let (mut up, mut down) = (raw, raw);
        for &(t, r) in &self.recs {
            // Kubernetes keeps those strictly after the cutoff.
            if now_us.checked_sub(c.up_window_us).is_none_or(|cut| t > cut) {
                up = up.min(r);
            }
            if now_us.checked_sub(c.down_window_us).is_none_or(|cut| t > cut) {
                down = down.max(r);
            }
        }
        self.recs.push_back((now_us, raw));
        let keep = c.up_window_us.max(c.down_window_us);
        while self.recs.front().is_some_and(|&(t, _)| now_us.checked_sub(keep).is_some_and(|cut| t <= cut)) {
            self.recs.pop_front();
        }
        current.max(up).min(down)
    }

    /// min, max and the scale-up policy (HPA's
    /// `convertDesiredReplicasWithBehaviorRate`).
    fn limit(&mut self, now_us: u64, current: u32, desired: u32) -> u32 {
        let c = self.cfg;
        while self.events.front().is_some_and(|&(t, _)| t + SCALE_UP_PERIOD_US <= now_us) {
            self.events.pop_front();
        }
        if desired > current {
            let changed: i64 = self.events.iter().map(|&(_, d)| d).sum();
            let period_start = (i64::from(current) - changed).clamp(0, i64::from(u32::MAX)) as u32;
            let allowed = c.max.min(scale_up_limit(period_start).max(current));
            desired.min(allowed)
        } else if desired < current {
            desired.max(c.min)
        } else {
            desired
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000;

    fn hpa(min: u32, max: u32, target: f64) -> Hpa {
        Hpa::new(HpaConfig {
            min,
            max,
            target,
            tolerance: DEFAULT_TOLERANCE,
            up_window_us: DEFAULT_SCALE_UP_WINDOW_MS * 1_000,
            down_window_us: DEFAULT_SCALE_DOWN_WINDOW_MS * 1_000,
        })
    }

    #[test]
    fn the_formula_is_the_ceiling_of_replicas_times_the_ratio() {
        // The documentation's example: 1 replica at 200m against a 100m target -> 2.
        assert_eq!(recommend(1, 1, 0, 1.0, 0.5, 0.1), 2);
        // ceil(4 x 0.9 / 0.6) = ceil(6.000...) : the float product decides, as in Go.
        assert_eq!(recommend(4, 4, 0, 0.9, 0.6, 0.1), (4.0 * (0.9 / 0.6_f64)).ceil() as u32);
        assert_eq!(recommend(3, 3, 0, 0.75, 0.5, 0.1), 5, "ceil(4.5)");
        assert_eq!(recommend(10, 10, 0, 0.2, 0.5, 0.1), 4, "down: ceil(10 x 0.4)");
        for n in 1..40u32 {
            for u in [0.05, 0.33, 0.61, 0.97] {
                let want = if (1.0 - u / 0.5_f64).abs() <= 0.1 { n } else { (f64::from(n) * (u / 0.5)).ceil() as u32 };
                assert_eq!(recommend(n, n, 0, u, 0.5, 0.1), want, "n {n} u {u}");
            }
        }
    }

    #[test]
    fn the_tolerance_band_is_inclusive_on_both_sides() {
        // Ratios exactly on the edges (binary fractions, so no rounding):
        // tolerance 0.25 keeps ratios 0.75 and 1.25.
        assert_eq!(recommend(10, 10, 0, 0.375, 0.5, 0.25), 10);
        assert_eq!(recommend(10, 10, 0, 0.625, 0.5, 0.25), 10);
        assert_eq!(recommend(10, 10, 0, 0.63, 0.5, 0.25), 13, "ratio 1.26 -> ceil(12.6)");
        assert_eq!(recommend(10, 10, 0, 0.37, 0.5, 0.25), 8, "ratio 0.74 -> ceil(7.4)");
        // The default 0.1 around a 0.5 target: 0.46 to 0.54 change nothing.
        assert_eq!(recommend(10, 10, 0, 0.46, 0.5, 0.1), 10);
        assert_eq!(recommend(10, 10, 0, 0.54, 0.5, 0.1), 10);
        assert_eq!(recommend(10, 10, 0, 0.56, 0.5, 0.1), 12, "ratio 1.12 -> ceil(11.2)");
        assert_eq!(recommend(10, 10, 0, 0.44, 0.5, 0.1), 9, "ratio 0.88 -> ceil(8.8)");
        assert_eq!(recommend(10, 10, 0, 0.9, 0.5, 0.0), 18, "no tolerance");
    }

    #[test]
    fn booting_pods_count_as_idle_when_scaling_up() {
        // 4 ready at 90% of a 50% target, 4 more booting: 0.9 x 4 / (0.5 x 8) = 0.9 < 1: keep 8.
        assert_eq!(recommend(8, 4, 4, 0.9, 0.5, 0.1), 8);
        // 4 ready at 90%, 1 booting: 3.6 / (0.5 x 5) = 1.44 -> ceil(1.44 x 5) = 8.
        assert_eq!(recommend(5, 4, 1, 0.9, 0.5, 0.1), 8);
        // Scaling down, booting pods are left out: ceil(4 x 0.2 / 0.5) = 2.
        assert_eq!(recommend(6, 4, 2, 0.2, 0.5, 0.1), 2);
        assert_eq!(recommend(5, 0, 5, 1.0, 0.5, 0.1), 5, "nothing ready, nothing measured");
    }

    #[test]
    fn scale_up_is_limited_to_four_pods_or_double_per_period() {
        assert_eq!(scale_up_limit(1), 5);
        assert_eq!(scale_up_limit(4), 8);
        assert_eq!(scale_up_limit(10), 20);
        let mut h = hpa(1, 100, 0.5);
        // 10 pods at 100% want 20; 2 pods at 100% of 0.1 want 20 but may go to 6.
        assert_eq!(h.sync(15 * S, 10, 10, 0, 1.0), 20);
        let mut h = hpa(1, 100, 0.1);
        assert_eq!(h.sync(15 * S, 2, 2, 0, 1.0), 6);
        // The next period starts from 6: up to 12.
        assert_eq!(h.sync(30 * S, 6, 6, 0, 1.0), 12);
        // Two syncs inside one 15 s period share its allowance.
        let mut h = hpa(1, 100, 0.1);
        assert_eq!(h.sync(15 * S, 2, 2, 0, 1.0), 6);
        assert_eq!(h.sync(20 * S, 6, 6, 0, 1.0), 6, "still within 15 s of the +4: period start 2");
        assert_eq!(h.sync(30 * S, 6, 6, 0, 1.0), 12);
    }

    #[test]
    fn scale_down_waits_for_the_stabilisation_window() {
        let mut h = hpa(2, 20, 0.5);
        assert_eq!(h.sync(15 * S, 4, 4, 0, 1.0), 8, "up at once");
        // Load falls at 30 s: every sync recommends 2, but 8 was recommended at 15 s.
        let mut t = 30;
        while t < 315 {
            assert_eq!(h.sync(t * S, 8, 8, 0, 0.1), 8, "at {t} s the 15 s recommendation holds");
            t += 15;
        }
        // At 315 s the recommendation of 15 s is exactly 300 s old: out of the window.
        assert_eq!(h.sync(315 * S, 8, 8, 0, 0.1), 2);
        // Never below min.
        assert_eq!(h.sync(330 * S, 2, 2, 0, 0.0), 2);
    }

    #[test]
    fn the_highest_recommendation_of_the_window_is_kept_on_the_way_down() {
        let mut h = hpa(1, 20, 0.5);
        h.sync(0, 10, 10, 0, 0.5);
        // 10 pods at 30%: 6; at 20%: 4; the window keeps 10 (time 0) until 300 s.
        assert_eq!(h.sync(100 * S, 10, 10, 0, 0.3), 10);
        assert_eq!(h.sync(200 * S, 10, 10, 0, 0.2), 10);
        assert_eq!(h.sync(300 * S, 10, 10, 0, 0.2), 6, "the 100 s recommendation of 6 is the highest left");
        assert_eq!(h.sync(400 * S, 6, 6, 0, 0.3), 4, "ceil(6 x 0.6)");
    }

    #[test]
    fn an_up_window_takes_the_lowest_recommendation() {
        let mut h = hpa(1, 50, 0.5);
        h.cfg.up_window_us = 60 * S;
        assert_eq!(h.sync(0, 4, 4, 0, 0.5), 4);
        assert_eq!(h.sync(15 * S, 4, 4, 0, 1.0), 4, "the 4 of time 0 is in the up window");
        assert_eq!(h.sync(61 * S, 4, 4, 0, 1.0), 8, "only 8s left in the last 60 s");
    }

    #[test]
    fn min_and_max_bound_every_result() {
        let mut h = hpa(3, 7, 0.5);
        assert_eq!(h.sync(15 * S, 1, 1, 0, 0.0), 3, "below min: raised without metrics");
        assert_eq!(h.sync(30 * S, 9, 9, 0, 0.0), 7, "above max: lowered");
        assert_eq!(h.sync(45 * S, 7, 7, 0, 1.0), 7);
        let mut h = hpa(3, 7, 0.5);
        h.cfg.down_window_us = 0;
        assert_eq!(h.sync(15 * S, 5, 5, 0, 0.01), 3);
    }
}
