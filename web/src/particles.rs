//! Request particles: what the page draws of the engine's recent movements.
//!
//! Simulated messages cross a link in microseconds, far too fast to see, so
//! particles live in wall-clock time instead: each sampled movement becomes a
//! dot that crosses its link in `TRAVEL_MS` (requests forward, responses back,
//! coloured by outcome). Density follows the rate; a cap per link per frame
//! and overall keeps the cost flat. All dots of one colour are drawn as a
//! single SVG path, so there is never a DOM element per request.

use faultline_sim::movements::Kind;
use faultline_sim::Sim;

/// How long a particle takes to cross its link, in wall-clock milliseconds.
pub const TRAVEL_MS: f64 = 700.0;
/// New particles per link per frame, at most.
const PER_LINK_PER_FRAME: usize = 2;
/// Particles alive at once, at most.
const MAX_PARTICLES: usize = 600;
const RADIUS: f64 = 3.5;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Particle {
    edge: u32,
    kind: Kind,
    born_ms: f64,
}

/// The particles alive, and how far the engine's movements have been read.
#[derive(Clone, Debug, Default)]
pub struct Particles {
    alive: Vec<Particle>,
    read_until_us: u64,
}

/// Particle colours.
pub const COLOURS: usize = 6;
/// The CSS class of each particle colour, in drawing order: requests, retries,
/// successes, errors, timeouts and losses, short-circuited calls.
pub const CLASSES: [&str; COLOURS] = ["p-request", "p-retry", "p-ok", "p-error", "p-timeout", "p-short"];

fn class_index(kind: Kind) -> usize {
    match kind {
        Kind::Request => 0,
        Kind::Retry => 1,
        Kind::Ok => 2,
        Kind::Error => 3,
        Kind::Lost | Kind::Timeout => 4,
        Kind::ShortCircuited => 5,
    }
}

impl Particles {
    /// Spawns particles for what the engine moved since the last call and
    /// retires those that have arrived. `wall_ms` is the frame's timestamp.
    pub fn update(&mut self, sim: &Sim, wall_ms: f64, edges: usize) {
        self.alive.retain(|p| wall_ms - p.born_ms < TRAVEL_MS);
        let mut spawned = vec![0usize; edges];
        let now_us = sim.now().micros();
        for m in sim.movements().since(self.read_until_us) {
            let e = m.edge as usize;
            if e >= edges || spawned[e] >= PER_LINK_PER_FRAME || self.alive.len() >= MAX_PARTICLES {
                continue;
            }
            spawned[e] += 1;
            self.alive.push(Particle { edge: m.edge, kind: m.kind, born_ms: wall_ms });
        }
        self.read_until_us = now_us + 1;
    }

    /// Forgets everything (the run was reset).
    pub fn clear(&mut self) {
        self.alive.clear();
        self.read_until_us = 0;
    }

    /// SVG path data per colour, given each link's end points.
    pub fn paths(&self, wall_ms: f64, line: impl Fn(usize) -> Option<(f64, f64, f64, f64)>) -> [String; COLOURS] {
        let mut out: [String; COLOURS] = Default::default();
        for p in &self.alive {
            let Some((x1, y1, x2, y2)) = line(p.edge as usize) else { continue };
            let t = ((wall_ms - p.born_ms) / TRAVEL_MS).clamp(0.0, 1.0);
            // Requests travel forward, answers come back; lost ones stop halfway;
            // short-circuited calls barely leave the caller.
            let f = match p.kind {
                Kind::Request | Kind::Retry => t,
                Kind::Lost => t.min(0.5),
                Kind::ShortCircuited => 0.12 * t,
                _ => 1.0 - t,
            };
            let (x, y) = (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f);
            let d = &mut out[class_index(p.kind)];
            // A circle as two arcs.
            d.push_str(&format!(
                "M{:.1} {:.1}m-{RADIUS} 0a{RADIUS} {RADIUS} 0 1 0 {} 0a{RADIUS} {RADIUS} 0 1 0 -{} 0",
                x,
                y,
                2.0 * RADIUS,
                2.0 * RADIUS
            ));
        }
        out
    }

    pub fn len(&self) -> usize {
        self.alive.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alive.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::{slice_scenario, SimTime};

    #[test]
    fn spawns_capped_per_link_and_retires_after_the_crossing() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        let mut p = Particles::default();
        sim.step_until(SimTime::from_millis(100));
        p.update(&sim, 0.0, 2);
        assert!(p.len() <= 2 * PER_LINK_PER_FRAME && !p.is_empty());
        let paths = p.paths(100.0, |_| Some((0.0, 0.0, 100.0, 0.0)));
        assert!(paths.iter().any(|d| d.starts_with('M')));
        sim.step_until(SimTime::from_millis(200));
        p.update(&sim, TRAVEL_MS + 1.0, 2);
        assert!(p.len() <= 2 * PER_LINK_PER_FRAME, "the first batch retired");
        p.clear();
        assert!(p.is_empty());
    }
}
