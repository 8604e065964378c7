//! Exponential variates by the ziggurat method (G. Marsaglia and W. W. Tsang,
//! "The ziggurat method for generating random variables", Journal of
//! Statistical Software 5(8), 2000), 256 layers.
//!
//! Why: every exponential draw used to cost a `log`, and an M/M/c run draws
//! two per request (the gap to the next arrival and the service time): the
//! logarithm was a fifth of the engine's time. The ziggurat covers the
//! density with 256 stacked layers of equal area; a draw picks a layer and a
//! point in it with one 64-bit random number and, about 99% of the time, is
//! done with one multiplication and one comparison. Only a point in a
//! layer's sliver beyond the curve (a wedge) or in the base layer's tail
//! needs an `exp` or a `log`.
//!
//! Bit for bit the same on every target: the tables are constants computed
//! with `libm` (whose results do not depend on the platform; a test computes
//! them again and compares every bit), and the draw uses only `libm` and IEEE
//! arithmetic.

use crate::rng::{unit_open, SimRng};
use rand::Rng;

mod tables;

/// Where the base layer's rectangle ends and its tail begins.
const R: f64 = 7.697_117_470_131_05;
/// The area of each layer (and of the base layer with its tail).
#[cfg(test)]
const V: f64 = 0.003_949_659_822_581_557;

/// Layer widths `x[0..=256]` (decreasing: `x[0] = V / e^-R` is the base
/// layer's virtual width, `x[1] = R`, `x[256] = 0`) and the density at each.
struct Tables {
    x: [f64; 257],
    f: [f64; 257],
}

/// The tables, as constants: they used to be computed on first use behind a
/// `OnceLock`, whose check on every draw cost 0.7% of an M/M/1 run.
static TABLES: Tables = Tables { x: tables::X, f: tables::F };

/// The tables from `R` and `V`, as `tables.rs` holds them (what the test
/// compares the constants with).
#[cfg(test)]
fn compute() -> Tables {
    let mut x = [0.0; 257];
    let mut f = [0.0; 257];
    x[0] = V / libm::exp(-R);
    x[1] = R;
    for i in 2..256 {
        x[i] = -libm::log(libm::exp(-x[i - 1]) + V / x[i - 1]);
    }
    x[256] = 0.0;
    for i in 0..257 {
        f[i] = libm::exp(-x[i]);
    }
    Tables { x, f }
}

/// A standard exponential variate (rate 1, mean 1).
///
/// Always inlined, and only the rectangle test in line: the wedges and the
/// tail (about 1% of draws) are out of line in `exp1_edge`. As one function
/// it was called, not inlined, and saving and restoring its registers cost
/// a third of a draw.
#[inline(always)]
pub fn exp1(rng: &mut SimRng) -> f64 {
    let t = &TABLES;
    let bits = rng.next_u64();
    // The low 8 bits pick the layer, the top 53 the point across it.
    let i = (bits & 0xFF) as usize;
    let x = crate::rng::bits_53(bits) * (1.0 / (1u64 << 53) as f64) * t.x[i];
    if x < t.x[i + 1] {
        return x; // inside the layer's rectangle: under the curve
    }
    exp1_edge(rng, i, x)
}

/// The rest of `exp1` after a draw `x` in layer `i` fell outside the layer's
/// rectangle: the tail, a wedge's test, and the draws again while rejected.
#[cold]
#[inline(never)]
fn exp1_edge(rng: &mut SimRng, mut i: usize, mut x: f64) -> f64 {
    let t = &TABLES;
    loop {
        if i == 0 {
            // The tail beyond R: exponential again (memoryless), shifted.
            return R - libm::log(unit_open(rng));
        }
        // The wedge: accept if a uniform height lies under the density.
        if t.f[i + 1] + (t.f[i] - t.f[i + 1]) * unit_open(rng) < libm::exp(-x) {
            return x;
        }
        let bits = rng.next_u64();
        i = (bits & 0xFF) as usize;
        x = crate::rng::bits_53(bits) * (1.0 / (1u64 << 53) as f64) * t.x[i];
        if x < t.x[i + 1] {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, StreamKind};

    #[test]
    fn the_layers_close_the_ziggurat() {
        // Layer 255 must end where the density peaks: the constants R and V
        // are the ones that make 256 layers of area V fit exactly.
        let t = &TABLES;
        assert!((t.f[255] + V / t.x[255] - 1.0).abs() < 1e-9, "top layer reaches {}", t.f[255] + V / t.x[255]);
        assert!(t.x.windows(2).all(|w| w[0] > w[1]), "widths decrease");
    }

    #[test]
    fn the_constant_tables_are_the_computed_ones() {
        let c = compute();
        for i in 0..257 {
            assert_eq!(TABLES.x[i].to_bits(), c.x[i].to_bits(), "x[{i}]: {} vs {}", TABLES.x[i], c.x[i]);
            assert_eq!(TABLES.f[i].to_bits(), c.f[i].to_bits(), "f[{i}]: {} vs {}", TABLES.f[i], c.f[i]);
        }
    }

    #[test]
    fn draws_follow_the_exponential_distribution() {
        // Kolmogorov-Smirnov against 1 - e^-x over a million draws: the 0.1%
        // critical value is 1.95 / sqrt(n) = 0.00195. Also the mean, the
        // variance and the far tail (the base layer's tail and the wedges).
        let n = 1_000_000;
        let mut r = stream(17, StreamKind::Node, 3);
        let mut xs: Vec<f64> = (0..n).map(|_| exp1(&mut r)).collect();
        xs.sort_by(f64::total_cmp);
        let d = xs
            .iter()
            .enumerate()
            .map(|(k, &x)| {
                let cdf = -libm::expm1(-x);
                (cdf - k as f64 / n as f64).abs().max(((k + 1) as f64 / n as f64 - cdf).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 1.95 / libm::sqrt(n as f64), "KS distance {d}");
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 0.005, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "variance {var}");
        // P(X > 7) = e^-7 = 9.1e-4 (about 912 of a million, sd 30); P(X > R) = e^-R.
        let beyond = |t: f64| xs.iter().filter(|&&x| x > t).count() as f64;
        assert!((beyond(7.0) - n as f64 * libm::exp(-7.0)).abs() < 5.0 * libm::sqrt(n as f64 * libm::exp(-7.0)));
        assert!((beyond(R) - n as f64 * libm::exp(-R)).abs() < 5.0 * libm::sqrt(n as f64 * libm::exp(-R)) + 1.0);
        assert!(xs[n - 1] > R, "the tail is reached");
    }
}
