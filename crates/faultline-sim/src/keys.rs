//! Which key a request touches: uniform, or Zipf over the whole key space.
//!
//! Keys are 0-based ranks, rank 0 the most popular. Zipf with exponent `s`
//! over `n` keys gives rank `k - 1` the probability `k^-s / H(n, s)`, where
//! `H(n, s) = sum_{j=1..n} j^-s`. Validation allows `n` up to `u64::MAX`, so no
//! table of the CDF can cover it (a table truncated at a few thousand ranks
//! inflates the head and empties the tail: with a million keys and `s = 1`
//! the most popular key got 11% of the requests instead of 7%).
//!
//! The sampler is rejection-inversion (W. Hörmann and G. Derflinger,
//! "Rejection-inversion to generate variates from monotone discrete
//! distributions", ACM TOMACS 6(3), 1996): it inverts the integral `H(x)` of
//! the hat `h(x) = x^-s` in O(1) and accepts with a test that makes each rank's
//! acceptance area exactly `h(k)`, so it is exact for every `n` and `s >= 0`,
//! with about one draw per sample (never more than ~1.2 on average).
//!
//! It is written here rather than taken from `rand_distr::Zipf` because a run
//! must be bit-identical natively and in wasm32: every transcendental goes
//! through `libm` (a pure-Rust port of musl's maths, the same bits everywhere),
//! whereas a library's use of `f64::powf` or `f64::ln` is whatever the target's
//! maths library returns. The near-`s = 1` forms `log1p(t)/t` and
//! `expm1(t)/t` keep `H` and its inverse accurate as `1 - s` goes to 0, so
//! `s = 1` needs no special case.
//!
//! Ranks above 2^53 cannot all be told apart in an `f64`: with that many keys
//! a sample is still below the key count and the distribution of the head is
//! exact, but the far tail is drawn at the resolution of an `f64`.

use crate::rng::{below, unit_open, SimRng};
use crate::scenario::Keys;

/// Draws keys for one workload.
#[derive(Clone, Debug)]
pub enum KeySampler {
    Uniform {
        count: u64,
    },
    Zipf(Zipf),
    /// The next key to hand out (no randomness: the stream is left alone).
    Sequential {
        next: u64,
    },
}

impl KeySampler {
    pub fn new(keys: &Keys) -> KeySampler {
        match *keys {
            Keys::Uniform { count } => KeySampler::Uniform { count: count.max(1) },
            // Zipf with s = 0 is uniform (validation refuses s < 0); drawing it directly keeps every rank
            // reachable even past 2^53 keys.
            Keys::Zipf { count, s } if s <= 0.0 => KeySampler::Uniform { count: count.max(1) },
            Keys::Zipf { count, s } => KeySampler::Zipf(Zipf::new(count.max(1), s)),
            Keys::Sequential { start } => KeySampler::Sequential { next: start },
        }
    }

    /// The next request's key: a draw, or the next sequential key.
    pub fn next(&mut self, rng: &mut SimRng) -> u64 {
        match self {
            KeySampler::Sequential { next } => {
                let k = *next;
                *next = next.wrapping_add(1);
                k
            }
            _ => self.sample(rng),
        }
    }

    /// A key: a rank in `0..count`.
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        match self {
            KeySampler::Uniform { count } => uniform_u64(rng, *count),
            KeySampler::Zipf(z) => z.sample(rng) - 1,
            KeySampler::Sequential { next } => *next,
        }
    }
}

/// A uniform integer in `0..n` (n > 0). Up to 2^32 keys: Lemire's 32-bit
/// multiply-shift (as every run so far has drawn them); beyond, the 64-bit
/// form over a `u128` product, exact and the same on every target.
fn uniform_u64(rng: &mut SimRng, n: u64) -> u64 {
    if n <= u64::from(u32::MAX) {
        u64::from(below(rng, n as u32))
    } else {
        use rand::Rng;
        ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// Zipf over ranks `1..=n` with exponent `s > 0`, by rejection-inversion.
#[derive(Clone, Debug)]
pub struct Zipf {
    n: u64,
    s: f64,
    /// `H(1.5) - h(1)`: the low end of the proposal interval, so that rank 1
    /// owns exactly `h(1)` of it.
    h_integral_x1: f64,
    /// `H(n + 0.5)`: the high end.
    h_integral_n: f64,
    /// Points within this distance left of their rank are accepted at once
    /// (the squeeze that makes most draws cost no extra `H` evaluation).
    squeeze: f64,
}

impl Zipf {
    fn new(n: u64, s: f64) -> Zipf {
        let mut z = Zipf { n, s, h_integral_x1: 0.0, h_integral_n: 0.0, squeeze: 0.0 };
        z.h_integral_x1 = z.h_integral(1.5) - 1.0;
        z.h_integral_n = z.h_integral(n as f64 + 0.5);
        z.squeeze = 2.0 - z.h_integral_inverse(z.h_integral(2.5) - z.h(2.0));
        z
    }

    /// A rank in `1..=n`.
    fn sample(&self, rng: &mut SimRng) -> u64 {
        if self.n == 1 {
            return 1;
        }
        loop {
            let u = self.h_integral_n + unit_open(rng) * (self.h_integral_x1 - self.h_integral_n);
            let x = self.h_integral_inverse(u);
            // `as` saturates, so a huge x still lands in range.
            let k = ((x + 0.5) as u64).clamp(1, self.n);
            let kf = k as f64;
            if kf - x <= self.squeeze || u >= self.h_integral(kf + 0.5) - self.h(kf) {
                return k;
            }
        }
    }

    /// The hat `h(x) = x^-s`.
    fn h(&self, x: f64) -> f64 {
        libm::exp(-self.s * libm::log(x))
    }

    /// `H(x)`: see `h_integral`.
    fn h_integral(&self, x: f64) -> f64 {
        h_integral(self.s, x)
    }

    /// The inverse of `H`.
    fn h_integral_inverse(&self, y: f64) -> f64 {
        // For s > 1, H stays below 1 / (s - 1); rounding may step just past it.
        let t = (y * (1.0 - self.s)).max(-1.0);
        libm::exp(log1p_over_x(t) * y)
    }
}

/// The share of a workload's calls that go to its most frequent key: 1/N for
/// `count` uniform keys, 1/H(N, s) for Zipf (H the generalised harmonic
/// number: its first thousand terms summed, the rest by the midpoint
/// integral, within 1e-6 relative), 0 for sequential keys (never repeated).
/// The design linter uses it to tell a hot key from a spread of keys.
pub fn hottest_share(keys: &Keys) -> f64 {
    match *keys {
        Keys::Uniform { count } => 1.0 / count.max(1) as f64,
        Keys::Zipf { count, s } => {
            let n = count.max(1);
            let head = n.min(1_000);
            let mut h: f64 = (1..=head).rev().map(|j| libm::pow(j as f64, -s)).sum();
            if n > head {
                // The integral of x^-s from head + 1/2 to n + 1/2.
                h += h_integral(s, n as f64 + 0.5) - h_integral(s, head as f64 + 0.5);
            }
            1.0 / h
        }
        Keys::Sequential { .. } => 0.0,
    }
}

/// `H(x) = (x^(1-s) - 1) / (1 - s)`, or `ln x` at `s = 1`: the integral of
/// `t^-s` from 1 to `x`, written to stay accurate as `s` approaches 1.
fn h_integral(s: f64, x: f64) -> f64 {
    let log_x = libm::log(x);
    expm1_over_x((1.0 - s) * log_x) * log_x
}

/// `ln(1 + x) / x`, and its limit 1 at 0.
fn log1p_over_x(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        libm::log1p(x) / x
    } else {
        1.0 - x * (0.5 - x / 3.0)
    }
}

/// `(e^x - 1) / x`, and its limit 1 at 0.
fn expm1_over_x(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        libm::expm1(x) / x
    } else {
        1.0 + x * (0.5 + x / 6.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, StreamKind};

    /// `sum_{j=1..n} j^-s`.
    fn harmonic(n: u64, s: f64) -> f64 {
        // Smallest terms first, for accuracy.
        (1..=n).rev().map(|j| libm::pow(j as f64, -s)).sum()
    }

    #[test]
    fn the_hottest_share_is_one_over_the_harmonic_number() {
        for (n, s) in [(1u64, 1.0), (10, 0.0), (1_000, 1.0), (50_000, 0.8), (200_000, 1.2), (100_000, 0.5)] {
            let exact = 1.0 / harmonic(n, s);
            let got = hottest_share(&Keys::Zipf { count: n, s });
            assert!((got / exact - 1.0).abs() < 1e-6, "n {n} s {s}: {got} vs {exact}");
        }
        assert_eq!(hottest_share(&Keys::Uniform { count: 4 }), 0.25);
        assert_eq!(hottest_share(&Keys::Sequential { start: 0 }), 0.0);
    }

    fn draws(keys: Keys, seed: u64, n: u32) -> Vec<u64> {
        let k = KeySampler::new(&keys);
        let mut rng = stream(seed, StreamKind::Workload, 0);
        (0..n).map(|_| k.sample(&mut rng)).collect()
    }

    /// Pearson's chi-square of `counts` against probabilities `p` (summing to 1).
    fn chi_square(counts: &[u64], p: &[f64]) -> f64 {
        let total: u64 = counts.iter().sum();
        counts
            .iter()
            .zip(p)
            .map(|(&o, &p)| {
                let e = p * total as f64;
                (o as f64 - e) * (o as f64 - e) / e
            })
            .sum()
    }

    /// A million keys at s = 1: the head ranks, and bands of ranks out to the
    /// last, against `k^-s / H(n, s)`. The old table over the first 4096 ranks
    /// gave rank 0 about 11% (here 6.95%) and left the ranks past 4096 with
    /// almost nothing (here 38% of all requests).
    #[test]
    fn zipf_over_a_million_keys_matches_the_formula_in_head_and_tail() {
        let n = 1_000_000u64;
        for s in [1.0, 0.8, 1.3] {
            let h = harmonic(n, s);
            let p_rank = |r: u64| libm::pow((r + 1) as f64, -s) / h;
            // Bands of 0-based ranks: [lo, hi).
            let edges = [0u64, 1, 2, 3, 5, 10, 100, 1_000, 4_096, 10_000, 100_000, 300_000, 1_000_000];
            let p: Vec<f64> = edges.windows(2).map(|w| (w[0]..w[1]).map(p_rank).sum()).collect();
            let mut counts = vec![0u64; p.len()];
            let samples = 400_000;
            for k in draws(Keys::Zipf { count: n, s }, 11, samples) {
                assert!(k < n);
                counts[edges.partition_point(|&e| e <= k) - 1] += 1;
            }
            let chi2 = chi_square(&counts, &p);
            let freq = |i: usize| counts[i] as f64 / f64::from(samples);
            let tail: f64 = p[8..].iter().sum();
            let tail_seen: f64 = (8..p.len()).map(freq).sum();
            eprintln!(
                "s={s}: rank 0 {:.4} (theory {:.4}), beyond rank 4096 {tail_seen:.4} (theory {tail:.4}), chi2 {chi2:.1} on {} df",
                freq(0),
                p[0],
                p.len() - 1
            );
            // 11 degrees of freedom: P(chi2 > 31.3) = 0.001.
            assert!(chi2 < 31.3, "s={s}: chi-square {chi2:.1}, counts {counts:?}");
            assert!((freq(0) - p[0]).abs() < 0.005, "s={s}: rank 0 {} vs {}", freq(0), p[0]);
            assert!((tail_seen - tail).abs() < 0.01, "s={s}: tail {tail_seen} vs {tail}");
        }
    }

    #[test]
    fn zipf_over_a_few_keys_matches_each_rank() {
        for (n, s) in [(2u64, 1.0), (5, 1.0), (7, 0.5), (10, 2.5), (3, 9.0)] {
            let h = harmonic(n, s);
            let p: Vec<f64> = (1..=n).map(|k| libm::pow(k as f64, -s) / h).collect();
            let mut counts = vec![0u64; n as usize];
            for k in draws(Keys::Zipf { count: n, s }, 3, 200_000) {
                counts[k as usize] += 1;
            }
            let chi2 = chi_square(&counts, &p);
            // At most 9 df: P(chi2 > 27.9) = 0.001 (every expected count here is at least 10).
            assert!(chi2 < 27.9, "n={n} s={s}: chi2 {chi2:.1}, counts {counts:?}, p {p:?}");
        }
    }

    #[test]
    fn one_key_is_always_key_zero() {
        for keys in [Keys::Zipf { count: 1, s: 1.0 }, Keys::Zipf { count: 1, s: 0.0 }, Keys::Uniform { count: 1 }] {
            assert!(draws(keys, 1, 1_000).iter().all(|&k| k == 0));
        }
    }

    /// With 2^64 - 1 keys the head is Zipf's over infinitely many:
    /// P(rank 0) = 1 / zeta(2) = 6 / pi^2 at s = 2, and 1 / H(inf, 1) -> 0 at s = 1
    /// (there, 1 / H(2^64) = 1 / 45.0).
    #[test]
    fn a_huge_key_space_keeps_the_head_exact() {
        let d = draws(Keys::Zipf { count: u64::MAX, s: 2.0 }, 5, 200_000);
        let top = d.iter().filter(|&&k| k == 0).count() as f64 / 200_000.0;
        let p = 6.0 / (std::f64::consts::PI * std::f64::consts::PI);
        assert!((top - p).abs() < 0.005, "{top} vs {p}");
        // H(2^64, 1) = ln(2^64) + Euler-Mascheroni + 1/(2 * 2^64) ...
        let h = 64.0 * std::f64::consts::LN_2 + 0.577_215_664_901_532_9;
        let d = draws(Keys::Zipf { count: u64::MAX, s: 1.0 }, 6, 200_000);
        let top = d.iter().filter(|&&k| k == 0).count() as f64 / 200_000.0;
        assert!((top - 1.0 / h).abs() < 0.002, "{top} vs {}", 1.0 / h);
        // Past 2^53 keys: about half the samples sit above rank 2^32 (ln 2^32 / ln 2^64).
        let high = d.iter().filter(|&&k| k >= 1 << 32).count() as f64 / 200_000.0;
        let expect = 1.0 - (32.0 * std::f64::consts::LN_2 + 0.577_215_664_901_532_9) / h;
        assert!((high - expect).abs() < 0.01, "{high} vs {expect}");
    }

    #[test]
    fn uniform_keys_cover_the_range_even_past_four_billion() {
        let n = 10_000_000_000u64;
        let d = draws(Keys::Uniform { count: n }, 2, 100_000);
        let mean = d.iter().map(|&k| k as f64).sum::<f64>() / 100_000.0;
        assert!(d.iter().all(|&k| k < n));
        assert!((mean / n as f64 - 0.5).abs() < 0.005, "{mean}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn samples_stay_below_the_key_count(
                count in prop_oneof![1u64..20, 1u64..u64::MAX, Just(u64::MAX)],
                s in prop_oneof![0.0..=10.0f64, Just(0.0), Just(1.0), Just(10.0), 0.999..1.001f64],
                seed in any::<u64>(),
                zipf in any::<bool>(),
            ) {
                let keys = if zipf { Keys::Zipf { count, s } } else { Keys::Uniform { count } };
                let k = KeySampler::new(&keys);
                let mut rng = stream(seed, StreamKind::Workload, 0);
                for _ in 0..200 {
                    prop_assert!(k.sample(&mut rng) < count);
                }
            }
        }
    }
}
