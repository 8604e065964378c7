//! A card's health tint, with hysteresis.
//!
//! The tint follows the last second's error rate and how busy the node's
//! workers are. Those numbers wobble around any threshold: with one line
//! each, a node running near 90% busy would flip between tints on most
//! readouts, which is noise to the eye and, at 200 cards, a repaint of the
//! canvas ten times a second. So a tint is entered at one level and left
//! only well below it, the way a thermostat has a dead band. And the busy
//! share the engine reports is a snapshot (3 of 4 workers busy this instant,
//! 4 of 4 the next), so the tint follows its moving average over readouts.

use faultline_sim::{NodeView, SimView};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Health {
    #[default]
    Fine,
    /// Some errors (over 1%) or nearly saturated (over 90% busy).
    Strained,
    /// Failing: over 20% of calls.
    Failing,
}

/// Enter "failing" above this error rate ...
const FAILING_ENTER: f64 = 0.2;
/// ... and leave it at or below this one.
const FAILING_LEAVE: f64 = 0.1;
const STRAINED_ERRORS_ENTER: f64 = 0.01;
const STRAINED_ERRORS_LEAVE: f64 = 0.005;
const STRAINED_BUSY_ENTER: f64 = 0.9;
const STRAINED_BUSY_LEAVE: f64 = 0.8;

impl Health {
    /// The tint for a node `busy` (0..1) failing `err` of its calls (0..1),
    /// given the tint shown until now. Applying it again to the same numbers
    /// gives the same tint.
    pub fn next(self, busy: f64, err: f64) -> Health {
        let failing = if self == Health::Failing { FAILING_LEAVE } else { FAILING_ENTER };
        let (errors, saturated) = if self == Health::Fine {
            (STRAINED_ERRORS_ENTER, STRAINED_BUSY_ENTER)
        } else {
            (STRAINED_ERRORS_LEAVE, STRAINED_BUSY_LEAVE)
        };
        if err > failing {
            Health::Failing
        } else if err > errors || busy > saturated {
            Health::Strained
        } else {
            Health::Fine
        }
    }

    /// The card's CSS class.
    pub fn class(self) -> Option<&'static str> {
        match self {
            Health::Fine => None,
            Health::Strained => Some("warn"),
            Health::Failing => Some("bad"),
        }
    }
}

/// Weight of the newest readout in the moving average of the busy share.
const BUSY_WEIGHT: f64 = 0.25;

/// The tints of every card, carried from readout to readout.
#[derive(Default)]
pub struct Tints {
    /// The readout they were last moved on: a render for any other reason
    /// (a drag step) leaves them as they are.
    seen: Option<Rc<SimView>>,
    /// Per node, kept with its id so that a deletion does not pass a tint
    /// on to the next node: the id, the averaged busy share, the tint.
    nodes: Vec<(String, f64, Health)>,
}

impl Tints {
    /// Moves the tints on to `view`, if it is a readout they have not seen.
    /// `ids`: the document's node ids, in order.
    pub fn update<'a>(&mut self, ids: impl ExactSizeIterator<Item = &'a str>, view: &Rc<SimView>) {
        if self.seen.as_ref().is_some_and(|v| Rc::ptr_eq(v, view)) && self.nodes.len() == ids.len() {
            return;
        }
        self.seen = Some(Rc::clone(view));
        self.nodes.resize_with(ids.len(), Default::default);
        for (i, (slot, id)) in self.nodes.iter_mut().zip(ids).enumerate() {
            let v = view.nodes.get(i);
            let (busy, errors) = v.map_or((0.0, 0.0), |v| (busy_share(v), v.live.error_rate));
            if slot.0 != id {
                *slot = (id.to_string(), busy, Health::Fine);
            }
            slot.1 += BUSY_WEIGHT * (busy - slot.1);
            slot.2 = slot.2.next(slot.1, errors);
        }
    }

    pub fn get(&self, i: usize) -> Health {
        self.nodes.get(i).map_or(Health::Fine, |t| t.2)
    }
}

fn busy_share(v: &NodeView) -> f64 {
    if v.capacity == 0 {
        0.0
    } else {
        f64::from(v.busy) / f64::from(v.capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Reading(f64, f64);

    impl Health {
        fn on(self, r: Reading) -> Health {
            self.next(r.1 / 100.0, r.0)
        }
    }

    fn view(err: f64, busy: u32) -> Reading {
        Reading(err, f64::from(busy))
    }

    #[test]
    fn enters_at_the_upper_line_and_leaves_at_the_lower() {
        let h = Health::Fine;
        assert_eq!(h.on(view(0.0, 85)), Health::Fine);
        let h = h.on(view(0.0, 91));
        assert_eq!(h, Health::Strained);
        // Wobbling between 85% and 91% busy no longer flips it.
        assert_eq!(h.on(view(0.0, 85)), Health::Strained);
        assert_eq!(h.on(view(0.0, 80)), Health::Fine);
        assert_eq!(Health::Fine.on(view(0.008, 0)), Health::Fine);
        assert_eq!(Health::Strained.on(view(0.008, 0)), Health::Strained);
        assert_eq!(Health::Fine.on(view(0.3, 0)), Health::Failing);
        assert_eq!(Health::Failing.on(view(0.15, 0)), Health::Failing);
        assert_eq!(Health::Failing.on(view(0.05, 0)), Health::Strained);
        assert_eq!(Health::Failing.on(view(0.0, 0)), Health::Fine);
        assert_eq!(Health::Strained.on(view(0.25, 0)), Health::Failing);
    }

    #[test]
    fn the_same_numbers_twice_give_the_same_tint() {
        for start in [Health::Fine, Health::Strained, Health::Failing] {
            for err in [0.0, 0.004, 0.007, 0.02, 0.12, 0.25] {
                for busy in [0, 50, 85, 95] {
                    let once = start.on(view(err, busy));
                    assert_eq!(once.on(view(err, busy)), once, "{start:?} {err} {busy}");
                }
            }
        }
    }

    #[test]
    fn a_node_without_workers_is_never_saturated() {
        let v = NodeView { busy: 5, capacity: 0, ..NodeView::default() };
        assert_eq!(busy_share(&v), 0.0);
    }

    fn doc<'a>(ids: &'a [&'a str]) -> impl ExactSizeIterator<Item = &'a str> + Clone {
        ids.iter().copied()
    }

    fn readout(busy: &[u32]) -> Rc<SimView> {
        let nodes = busy.iter().map(|&b| NodeView { busy: b, capacity: 4, ..NodeView::default() }).collect();
        Rc::new(SimView { nodes, ..SimView::default() })
    }

    #[test]
    fn a_snapshot_of_busy_workers_is_averaged() {
        let d = doc(&["a"]);
        let mut t = Tints::default();
        // 3 of 4 then 4 of 4 busy, back and forth: about 87% on average,
        // under the line to enter (90%), so the card never flips.
        for k in 0..40 {
            t.update(d.clone(), &readout(&[3 + k % 2]));
            assert_eq!(t.get(0), Health::Fine, "readout {k}");
        }
        // Every worker busy for good: strained within a few readouts.
        for _ in 0..10 {
            t.update(d.clone(), &readout(&[4]));
        }
        assert_eq!(t.get(0), Health::Strained);
    }

    #[test]
    fn only_a_new_readout_moves_the_tints() {
        let d = doc(&["a"]);
        let mut t = Tints::default();
        t.update(d.clone(), &readout(&[0]));
        // One readout with every worker busy moves the average a quarter of the way.
        let full = readout(&[4]);
        for _ in 0..20 {
            t.update(d.clone(), &full); // the same readout, drawn again
        }
        assert_eq!(t.get(0), Health::Fine);
    }

    #[test]
    fn a_tint_stays_with_its_node() {
        let mut t = Tints::default();
        let sick = Rc::new(SimView {
            nodes: vec![
                NodeView {
                    live: faultline_sim::view::Live { error_rate: 0.5, ..Default::default() },
                    ..NodeView::default()
                },
                NodeView::default(),
            ],
            ..SimView::default()
        });
        t.update(doc(&["a", "b"]), &sick);
        assert_eq!((t.get(0), t.get(1)), (Health::Failing, Health::Fine));
        // "a" deleted: "b" is first now, and starts fine.
        t.update(doc(&["b"]), &readout(&[0]));
        assert_eq!(t.get(0), Health::Fine);
    }
}
