//! Request particles: what the page draws of the engine's recent movements.
//!
//! Simulated messages cross a link in microseconds, far too fast to see, so
//! particles live in wall-clock time instead: each sampled movement becomes a
//! dot that crosses its link in `TRAVEL_MS` (requests forward, responses back,
//! coloured by outcome). Density follows the rate; a cap per link per frame
//! and overall keeps the cost flat. The state here knows nothing of where
//! movements come from (`spawn` takes them as `(edge, kind)` pairs, as the
//! engine's worker samples them) nor of how dots are drawn (`positions` fills
//! reusable buffers; the canvas layer paints them).

use faultline_sim::movements::Kind;

/// How long a particle takes to cross its link, in wall-clock milliseconds.
pub const TRAVEL_MS: f64 = 700.0;
/// New particles per link per frame, at most.
const PER_LINK_PER_FRAME: u8 = 2;
/// Particles alive at once, at most.
const MAX_PARTICLES: usize = 600;
/// A particle's radius, in design pixels.
pub const RADIUS: f64 = 3.5;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Particle {
    edge: u32,
    kind: Kind,
    born_ms: f64,
}

/// The particles alive.
#[derive(Clone, Debug, Default)]
pub struct Particles {
    alive: Vec<Particle>,
    /// Particles spawned per link this frame (kept to reuse its memory).
    spawned: Vec<u8>,
}

/// Particle colours.
pub const COLOURS: usize = 6;
/// The name of each particle colour, in drawing order: requests, retries,
/// successes, errors, timeouts and losses, short-circuited calls. The colour
/// itself is the CSS custom property `--{name}`; the particle layer says how
/// many dots of it are alive in its attribute `data-{name}`.
pub const CLASSES: [&str; COLOURS] = ["p-request", "p-retry", "p-ok", "p-error", "p-timeout", "p-short"];

/// Where each particle is, by colour: design coordinates of the dots' centres.
pub type Positions = [Vec<(f64, f64)>; COLOURS];

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
    /// Retires the particles that have arrived and spawns one for each of
    /// `moved` (what crossed which link since the last call), within the caps.
    /// `wall_ms` is the frame's timestamp; `edges` the number of links (moves
    /// on links beyond it are ignored).
    pub fn spawn(&mut self, moved: impl IntoIterator<Item = (u32, Kind)>, wall_ms: f64, edges: usize) {
        self.alive.retain(|p| wall_ms - p.born_ms < TRAVEL_MS);
        self.spawned.clear();
        self.spawned.resize(edges, 0);
        for (edge, kind) in moved {
            if self.alive.len() >= MAX_PARTICLES {
                break;
            }
            let Some(n) = self.spawned.get_mut(edge as usize) else { continue };
            if *n >= PER_LINK_PER_FRAME {
                continue;
            }
            *n += 1;
            self.alive.push(Particle { edge, kind, born_ms: wall_ms });
        }
    }

    /// Forgets everything (the run was reset).
    pub fn clear(&mut self) {
        self.alive.clear();
    }

    /// Fills `out` (cleared first; its memory is reused) with where every
    /// particle is at `wall_ms`, given each link's end points.
    pub fn positions(&self, wall_ms: f64, line: impl Fn(usize) -> Option<(f64, f64, f64, f64)>, out: &mut Positions) {
        for v in out.iter_mut() {
            v.clear();
        }
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
            out[class_index(p.kind)].push((x1 + (x2 - x1) * f, y1 + (y2 - y1) * f));
        }
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
    use faultline_sim::{slice_scenario, Sim, SimTime};

    #[test]
    fn spawns_capped_per_link_and_retires_after_the_crossing() {
        let mut sim = Sim::new(&slice_scenario()).unwrap();
        let mut p = Particles::default();
        sim.step_until(SimTime::from_millis(100));
        p.spawn(sim.movements().since(0).map(|m| (m.edge, m.kind)), 0.0, 2);
        assert!(p.len() <= 2 * PER_LINK_PER_FRAME as usize && !p.is_empty());
        let mut at = Positions::default();
        p.positions(100.0, |_| Some((0.0, 0.0, 100.0, 0.0)), &mut at);
        assert_eq!(at.iter().map(Vec::len).sum::<usize>(), p.len());
        sim.step_until(SimTime::from_millis(200));
        p.spawn(sim.movements().since(100_001).map(|m| (m.edge, m.kind)), TRAVEL_MS + 1.0, 2);
        assert!(p.len() <= 2 * PER_LINK_PER_FRAME as usize, "the first batch retired");
        p.clear();
        assert!(p.is_empty());
    }

    #[test]
    fn spawn_takes_movements_from_anywhere_within_the_caps() {
        let mut p = Particles::default();
        let moved = [(0, Kind::Request); 5].into_iter().chain([(1, Kind::Ok), (7, Kind::Error)]);
        p.spawn(moved, 0.0, 2);
        // Two on link 0 (the cap), one on link 1, none on the link that does not exist.
        assert_eq!(p.len(), 3);
        p.spawn(std::iter::empty(), TRAVEL_MS / 2.0, 2);
        assert_eq!(p.len(), 3, "still crossing");
        p.spawn((0..1000).map(|i| (i % 500, Kind::Timeout)), TRAVEL_MS / 2.0, 500);
        assert_eq!(p.len(), MAX_PARTICLES);
        p.spawn(std::iter::empty(), TRAVEL_MS, 500);
        assert_eq!(p.len(), MAX_PARTICLES - 3, "the first three arrived");
    }

    #[test]
    fn dots_go_the_way_their_message_goes() {
        let mut p = Particles::default();
        let moved = [(0, Kind::Request), (0, Kind::Ok), (1, Kind::Lost), (1, Kind::ShortCircuited)];
        p.spawn(moved, 0.0, 2);
        let mut at = Positions::default();
        let line = |_| Some((0.0, 0.0, 100.0, 0.0));
        p.positions(TRAVEL_MS * 0.75, line, &mut at);
        let x = |class: usize| at[class][0].0.round();
        assert_eq!(x(0), 75.0, "requests go forward");
        assert_eq!(x(2), 25.0, "answers come back");
        assert_eq!(x(4), 50.0, "lost ones stop halfway");
        assert_eq!(x(5), 9.0, "short-circuited calls barely leave");
        p.positions(0.0, |e| (e == 0).then_some((0.0, 0.0, 1.0, 1.0)), &mut at);
        assert_eq!(at.iter().map(Vec::len).sum::<usize>(), 2, "links without a line draw nothing");
    }
}
