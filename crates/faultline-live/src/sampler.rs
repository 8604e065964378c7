//! Which of the engine's recent messages become particles on the page.
//!
//! A busy design moves hundreds of thousands of messages per simulated
//! second; the page draws a few per link per frame. The sampler reads the
//! engine's movement ring after every slice of work (the ring keeps only the
//! latest few thousand) and keeps at most `PER_LINK` per link and `MAX` in
//! all until the page pulls them, so what crosses to the page stays small
//! whatever the load, and busier links still show more traffic.

use faultline_sim::movements::Kind;
use faultline_sim::Sim;

/// The kinds in their packed order (see `pack`).
const KINDS: [Kind; 7] =
    [Kind::Request, Kind::Ok, Kind::Error, Kind::Lost, Kind::Timeout, Kind::Retry, Kind::ShortCircuited];

/// One sampled movement as one number (link index times 8 plus the kind),
/// so a frame's hundreds of them cross to the page as a short list of
/// numbers rather than as pairs with a name each.
pub fn pack(edge: u32, kind: Kind) -> u32 {
    let k = KINDS.iter().position(|&x| x == kind).unwrap_or(0) as u32;
    edge.saturating_mul(8) | k
}

/// The link and kind packed by `pack` (`None` for a number it never makes).
pub fn unpack(n: u32) -> Option<(u32, Kind)> {
    Some((n / 8, *KINDS.get((n % 8) as usize)?))
}

/// Particles per link per frame, at most.
pub const PER_LINK: u8 = 2;
/// Particles per frame, at most.
pub const MAX: usize = 600;

#[derive(Clone, Debug, Default)]
pub struct Sampler {
    /// Packed movements (see `pack`).
    pending: Vec<u32>,
    per_link: Vec<u8>,
    read_until_us: u64,
}

impl Sampler {
    /// Takes what `sim` moved since the last read.
    pub fn read(&mut self, sim: &Sim) {
        let links = sim.scenario().edges.len();
        if self.per_link.len() != links {
            self.per_link = vec![0; links];
        }
        for m in sim.movements().since(self.read_until_us) {
            let e = m.edge as usize;
            if e >= links || self.per_link[e] >= PER_LINK || self.pending.len() >= MAX {
                continue;
            }
            self.per_link[e] += 1;
            self.pending.push(pack(m.edge, m.kind));
        }
        self.read_until_us = sim.now().micros() + 1;
    }

    /// What was sampled since the last take, packed (see `pack`).
    pub fn take(&mut self) -> Vec<u32> {
        self.per_link.iter_mut().for_each(|n| *n = 0);
        std::mem::take(&mut self.pending)
    }

    /// Starts over (the engine was replaced): nothing read, nothing pending.
    pub fn reset(&mut self, sim: &Sim) {
        self.pending.clear();
        self.per_link.clear();
        self.read_until_us = sim.now().micros();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::{slice_scenario, SimTime};

    #[test]
    fn packing_round_trips_every_kind() {
        for (i, &kind) in KINDS.iter().enumerate() {
            assert_eq!(unpack(pack(405, kind)), Some((405, kind)));
            assert_eq!(pack(0, kind), i as u32);
        }
        assert_eq!(unpack(7), None);
    }

    #[test]
    fn caps_per_link_until_taken() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        let mut s = Sampler::default();
        sim.step_until(SimTime::from_millis(500));
        s.read(&sim);
        let first = s.take();
        assert!(!first.is_empty());
        for e in 0..2u32 {
            assert!(first.iter().filter_map(|&m| unpack(m)).filter(|m| m.0 == e).count() <= PER_LINK as usize);
        }
        assert!(s.take().is_empty(), "taken once");
        sim.step_until(SimTime::from_millis(1_000));
        s.read(&sim);
        assert!(!s.take().is_empty(), "the caps start again after a take");
    }
}
