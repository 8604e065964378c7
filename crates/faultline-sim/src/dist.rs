//! Latency and service-time distributions.
//!
//! Scenario documents describe a distribution in milliseconds (`Dist`); the
//! engine compiles it once into a `Sampler` that draws whole microseconds.
//! All transcendental maths goes through `libm`, whose results are the same
//! bits on every target, unlike the platform's own `ln`/`exp`.

use crate::rng::{unit_open, SimRng};
use crate::time::ms_to_micros;
use serde::Serialize;

/// z-score of the 99th percentile of the standard normal distribution.
const Z_P99: f64 = 2.326_347_874_040_840_8;

crate::tagged::tagged_enum! {
    /// A non-negative duration distribution, written in milliseconds.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Dist {
        /// Always the same value.
        Constant { ms: f64 },
        /// Exponential with the given mean (memoryless: the M in M/M/c).
        Exponential { mean_ms: f64 },
        /// Uniform between two values.
        Uniform { min_ms: f64, max_ms: f64 },
        /// Normal, folded at zero (|X|), as in Brooker's network-delay model.
        Normal { mean_ms: f64, sd_ms: f64 },
        /// Log-normal with the given median and shape (sigma of the underlying normal).
        LogNormal { median_ms: f64, sigma: f64 },
        /// Log-normal fitted so that its median and 99th percentile are the given values.
        Percentiles { p50_ms: f64, p99_ms: f64 },
    }
}

impl Dist {
    pub fn constant(ms: f64) -> Dist {
        Dist::Constant { ms }
    }

    pub fn exponential(mean_ms: f64) -> Dist {
        Dist::Exponential { mean_ms }
    }

    /// Every parameter problem, as (field, message) pairs.
    pub fn problems(&self, max_ms: f64) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut check = |field: &'static str, v: f64| {
            if !v.is_finite() || v < 0.0 {
                out.push((field, format!("must be a finite number >= 0 (got {v})")));
            } else if v > max_ms {
                out.push((field, format!("must be at most {max_ms} ms (limit MAX_DURATION_MS)")));
            }
        };
        match *self {
            Dist::Constant { ms } => check("ms", ms),
            Dist::Exponential { mean_ms } => check("mean_ms", mean_ms),
            Dist::Uniform { min_ms, max_ms: hi } => {
                check("min_ms", min_ms);
                check("max_ms", hi);
                if hi < min_ms {
                    out.push(("max_ms", format!("must be >= min_ms ({min_ms})")));
                }
            }
            Dist::Normal { mean_ms, sd_ms } => {
                check("mean_ms", mean_ms);
                check("sd_ms", sd_ms);
            }
            Dist::LogNormal { median_ms, sigma } => {
                check("median_ms", median_ms);
                if !sigma.is_finite() || !(0.0..=5.0).contains(&sigma) {
                    out.push(("sigma", format!("must be between 0 and 5 (got {sigma})")));
                }
            }
            Dist::Percentiles { p50_ms, p99_ms } => {
                check("p50_ms", p50_ms);
                check("p99_ms", p99_ms);
                if p99_ms < p50_ms {
                    out.push(("p99_ms", format!("must be >= p50_ms ({p50_ms})")));
                }
            }
        }
        out
    }

    /// The mean in milliseconds of what the sampler draws: for `Normal`, of
    /// the folded draws (|X|: a time cannot be negative), which is above
    /// `mean_ms` once `sd_ms` is a sizeable share of it (10 ms +- 10 ms
    /// averages 11.67 ms).
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Dist::Constant { ms } => ms,
            Dist::Exponential { mean_ms } => mean_ms,
            Dist::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
            Dist::Normal { mean_ms, sd_ms } => folded_normal_mean(mean_ms, sd_ms),
            Dist::LogNormal { median_ms, sigma } => median_ms * libm::exp(sigma * sigma / 2.0),
            Dist::Percentiles { p50_ms, p99_ms } => {
                let s = lognormal_sigma(p50_ms, p99_ms);
                p50_ms * libm::exp(s * s / 2.0)
            }
        }
    }

    /// Compiles the distribution into a sampler of microseconds.
    pub fn sampler(&self) -> Sampler {
        match *self {
            Dist::Constant { ms } => Sampler::Constant(ms_to_micros(ms)),
            Dist::Exponential { mean_ms } => Sampler::Exponential { mean_us: mean_ms * 1e3 },
            Dist::Uniform { min_ms, max_ms } => {
                Sampler::Uniform { lo_us: min_ms * 1e3, span_us: (max_ms - min_ms) * 1e3 }
            }
            Dist::Normal { mean_ms, sd_ms } => Sampler::FoldedNormal { mean_us: mean_ms * 1e3, sd_us: sd_ms * 1e3 },
            Dist::LogNormal { median_ms, sigma } => Sampler::LogNormal { mu: ln_us(median_ms), sigma },
            Dist::Percentiles { p50_ms, p99_ms } => {
                Sampler::LogNormal { mu: ln_us(p50_ms), sigma: lognormal_sigma(p50_ms, p99_ms) }
            }
        }
    }
}

fn ln_us(ms: f64) -> f64 {
    libm::log((ms * 1e3).max(1e-9))
}

fn lognormal_sigma(p50: f64, p99: f64) -> f64 {
    if p50 <= 0.0 || p99 <= p50 {
        0.0
    } else {
        libm::log(p99 / p50) / Z_P99
    }
}

/// A compiled distribution: draws durations in whole microseconds.
#[derive(Clone, Debug)]
pub enum Sampler {
    Constant(u64),
    Exponential { mean_us: f64 },
    Uniform { lo_us: f64, span_us: f64 },
    FoldedNormal { mean_us: f64, sd_us: f64 },
    LogNormal { mu: f64, sigma: f64 },
}

impl Sampler {
    /// One draw, in microseconds. Always inlined: every message and every
    /// piece of work draws one, and the constant and exponential cases are
    /// a few instructions once the call is gone.
    #[inline(always)]
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        let us = match *self {
            Sampler::Constant(us) => return us,
            Sampler::Exponential { mean_us } => mean_us * crate::ziggurat::exp1(rng),
            _ => self.shaped(rng),
        };
        to_micros(us)
    }

    /// A draw of the other distributions, in (unrounded) microseconds: out
    /// of line, so `sample` stays small where it is inlined.
    #[inline(never)]
    fn shaped(&self, rng: &mut SimRng) -> f64 {
        match *self {
            Sampler::Constant(us) => us as f64,
            Sampler::Exponential { mean_us } => mean_us * crate::ziggurat::exp1(rng),
            Sampler::Uniform { lo_us, span_us } => lo_us + span_us * unit_open(rng),
            Sampler::FoldedNormal { mean_us, sd_us } => libm::fabs(mean_us + sd_us * standard_normal(rng)),
            Sampler::LogNormal { mu, sigma } => libm::exp(mu + sigma * standard_normal(rng)),
        }
    }

    /// Every draw is the same.
    pub fn is_constant(&self) -> bool {
        matches!(self, Sampler::Constant(_))
    }

    /// Scales every draw by `factor` (used for slow-down faults and
    /// saturation). Always inlined, as `sample` is: it is every piece of
    /// work's draw, and the call cost more than the scaling's check.
    #[inline(always)]
    pub fn sample_scaled(&self, rng: &mut SimRng, factor: f64) -> u64 {
        let base = self.sample(rng);
        if factor == 1.0 {
            base
        } else {
            to_micros(base as f64 * factor)
        }
    }
}

#[inline(always)]
fn to_micros(us: f64) -> u64 {
    // Round to nearest; cap at one hour so a wild parameter cannot overflow
    // time (rounding cannot carry a value below the cap above it).
    if us >= 3.6e9 {
        3_600_000_000
    } else {
        crate::time::round_us(us)
    }
}

/// A standard normal draw (Box-Muller, one of the pair), through libm.
pub fn standard_normal(rng: &mut SimRng) -> f64 {
    let u1 = unit_open(rng);
    let u2 = unit_open(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(core::f64::consts::TAU * u2)
}

/// E|X| for X ~ Normal(mu, sd): sd sqrt(2/pi) exp(-mu^2 / 2 sd^2) + mu erf(mu / (sd sqrt 2)).
fn folded_normal_mean(mu: f64, sd: f64) -> f64 {
    let sd = libm::fabs(sd);
    if sd == 0.0 {
        return libm::fabs(mu);
    }
    let z = mu / sd;
    sd * libm::sqrt(2.0 / core::f64::consts::PI) * libm::exp(-z * z / 2.0)
        + mu * libm::erf(z / core::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, StreamKind};

    fn mean_of(d: &Dist, n: u32) -> f64 {
        let s = d.sampler();
        let mut r = stream(11, StreamKind::Node, 0);
        (0..n).map(|_| s.sample(&mut r) as f64).sum::<f64>() / f64::from(n) / 1e3
    }

    #[test]
    fn sample_means_match_the_distribution_mean() {
        for d in [
            Dist::constant(5.0),
            Dist::exponential(10.0),
            Dist::Uniform { min_ms: 2.0, max_ms: 4.0 },
            Dist::Normal { mean_ms: 10.0, sd_ms: 2.0 },
            // Folded: a sixth of the draws (Phi(-1)) are below zero before the fold.
            Dist::Normal { mean_ms: 10.0, sd_ms: 10.0 },
            Dist::Normal { mean_ms: 0.0, sd_ms: 5.0 },
            Dist::LogNormal { median_ms: 8.0, sigma: 0.5 },
            Dist::Percentiles { p50_ms: 20.0, p99_ms: 200.0 },
        ] {
            let got = mean_of(&d, 200_000);
            let want = d.mean_ms();
            assert!((got - want).abs() / want < 0.02, "{d:?}: sample mean {got} vs {want}");
        }
    }

    #[test]
    fn the_folded_normal_mean_is_the_half_normal_and_the_normal_at_the_ends() {
        // Mean 0: the half-normal's sd sqrt(2 / pi).
        assert!((folded_normal_mean(0.0, 3.0) - 3.0 * (2.0 / core::f64::consts::PI).sqrt()).abs() < 1e-12);
        // Far from 0 the fold changes nothing.
        assert!((folded_normal_mean(50.0, 2.0) - 50.0).abs() < 1e-12);
        assert_eq!(folded_normal_mean(-4.0, 0.0), 4.0);
        // 10 +- 10: 10 sqrt(2/pi) e^-1/2 + 10 erf(1/sqrt 2) = 4.8394 + 6.8269.
        assert!((folded_normal_mean(10.0, 10.0) - 11.6663).abs() < 1e-4);
    }

    #[test]
    fn percentile_fit_hits_the_requested_p99() {
        let d = Dist::Percentiles { p50_ms: 20.0, p99_ms: 200.0 };
        let s = d.sampler();
        let mut r = stream(3, StreamKind::Node, 9);
        let mut xs: Vec<u64> = (0..200_000).map(|_| s.sample(&mut r)).collect();
        xs.sort_unstable();
        let p50 = xs[100_000] as f64 / 1e3;
        let p99 = xs[198_000] as f64 / 1e3;
        assert!((p50 - 20.0).abs() < 0.5, "p50 {p50}");
        assert!((p99 - 200.0).abs() < 10.0, "p99 {p99}");
    }

    #[test]
    fn invalid_parameters_are_reported() {
        assert!(!Dist::constant(-1.0).problems(1e6).is_empty());
        assert!(!Dist::Uniform { min_ms: 5.0, max_ms: 1.0 }.problems(1e6).is_empty());
        assert!(!Dist::constant(f64::NAN).problems(1e6).is_empty());
        assert!(Dist::exponential(3.0).problems(1e6).is_empty());
    }
}
