//! Seeded random streams.
//!
//! Every source of randomness in a run (each node, each workload, each edge)
//! owns its own stream derived from the scenario seed and a stable stream id.
//! Adding a node therefore does not reshuffle the randomness of the others, and
//! the same scenario gives the same run on every target: the generator
//! (xoshiro256++) is specified bit for bit and uses only 64-bit integer maths,
//! never `usize`, so wasm32 and x86_64 agree.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every stream uses.
pub type SimRng = Xoshiro256PlusPlus;

/// What a stream belongs to; part of the stream id so two kinds of owner with
/// the same index never share a stream.
#[derive(Copy, Clone, Debug)]
pub enum StreamKind {
    Node = 1,
    Edge = 2,
    Workload = 3,
}

/// SplitMix64 finaliser: spreads nearby inputs over the whole 64-bit space.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for one owner.
pub fn stream(seed: u64, kind: StreamKind, index: u32) -> SimRng {
    let id = ((kind as u64) << 32) | u64::from(index);
    SimRng::seed_from_u64(mix64(seed ^ mix64(id)))
}

/// A uniform sample in the open interval (0, 1): 53 random bits, never 0, so
/// `ln(u)` is always finite.
pub fn unit_open(rng: &mut SimRng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (n > 0) by Lemire's multiply-shift; the bias is
/// below 2^-32 for the small `n` used here.
pub fn below(rng: &mut SimRng, n: u32) -> u32 {
    ((u64::from(rng.next_u32()) * u64::from(n)) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = stream(7, StreamKind::Node, 0);
        let mut b = stream(7, StreamKind::Node, 0);
        let mut c = stream(7, StreamKind::Edge, 0);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn unit_open_stays_inside_the_interval() {
        let mut r = stream(1, StreamKind::Workload, 3);
        let mut sum = 0.0;
        for _ in 0..100_000 {
            let u = unit_open(&mut r);
            assert!(u > 0.0 && u < 1.0);
            sum += u;
        }
        assert!((sum / 100_000.0 - 0.5).abs() < 0.01);
    }

    #[test]
    fn below_covers_the_range() {
        let mut r = stream(2, StreamKind::Node, 1);
        let mut seen = [0u32; 5];
        for _ in 0..10_000 {
            seen[below(&mut r, 5) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 1_800 && n < 2_200), "{seen:?}");
    }
}
