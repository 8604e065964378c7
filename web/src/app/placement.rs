//! Where nodes go: moves that carry nodes into the region box they land in,
//! a free spot for a new card, and the draft check every move goes through.

use crate::editor::edits::{self, GRID};
use crate::editor::layout::{region_at, zone_at, CARD_H, CARD_W};
use faultline_sim::Scenario;

/// `doc` if it is at least a valid draft (a move into another region can
/// orphan a region-wide fault, for one).
pub fn checked(doc: Scenario) -> Result<Scenario, String> {
    doc.validate_draft().map(|_| doc.clone()).map_err(|e| format!("Refused: {e}"))
}

/// The nodes moved by (dx, dy), each joining the region (and zone) box it lands in.
pub fn moved_into_regions(doc: &Scenario, nodes: &[usize], dx: f64, dy: f64) -> Scenario {
    let mut next = edits::move_nodes(doc, nodes, dx, dy);
    for &i in nodes {
        let Some(n) = next.nodes.get(i) else { continue };
        let landed = region_at(&next, nodes, n.x, n.y);
        let others_left =
            n.region.as_ref().is_some_and(|r| kept_by_others(&next, nodes, |m| m.region.as_ref() == Some(r)));
        match landed {
            Some(r) => next.nodes[i].region = Some(r),
            // Dragged out of its region's box (the box stays with the others).
            None if others_left => next.nodes[i].region = None,
            None => {}
        }
        let n = &next.nodes[i];
        let zone_left = n.zone.as_ref().is_some_and(|z| kept_by_others(&next, nodes, |m| m.zone.as_ref() == Some(z)));
        match zone_at(&next, nodes, n.x, n.y) {
            Some((zone, region)) => {
                next.nodes[i].zone = Some(zone);
                next.nodes[i].region = region;
            }
            None if zone_left => next.nodes[i].zone = None,
            None => {}
        }
    }
    next
}

/// Whether a node not being moved still matches `member` (so its box stays).
fn kept_by_others(doc: &Scenario, moving: &[usize], member: impl Fn(&faultline_sim::scenario::Node) -> bool) -> bool {
    doc.nodes.iter().enumerate().any(|(k, m)| !moving.contains(&k) && member(m))
}

/// A free spot for a new node, the nearest to (x, y) whose card overlaps no
/// other: grid points a card's size apart, ring by ring around (x, y), so
/// cards added one after another fill the view around its middle instead of
/// stacking off along a diagonal. Falls back to (x, y) itself when the
/// twelve rings around it are full.
pub fn free_spot(doc: &Scenario, x: f64, y: f64) -> (f64, f64) {
    let (x, y) = (edits::snap(x), edits::snap(y));
    let overlaps = |x: f64, y: f64| doc.nodes.iter().any(|n| (n.x - x).abs() < CARD_W && (n.y - y).abs() < CARD_H);
    let (sx, sy) = (edits::snap(CARD_W + 2.0 * GRID), edits::snap(CARD_H + 2.0 * GRID));
    for ring in 0..=12_i32 {
        let mut spots: Vec<(f64, f64)> = (-ring..=ring)
            .flat_map(|i| (-ring..=ring).map(move |j| (i, j)))
            .filter(|(i, j)| i.abs().max(j.abs()) == ring)
            .map(|(i, j)| (x + f64::from(i) * sx, y + f64::from(j) * sy))
            .collect();
        // The nearest first; ties in a fixed order (right, then down).
        spots.sort_by(|a, b| {
            let d = |p: &(f64, f64)| (p.0 - x).hypot(p.1 - y);
            d(a).total_cmp(&d(b)).then(b.0.total_cmp(&a.0)).then(b.1.total_cmp(&a.1))
        });
        if let Some(&spot) = spots.iter().find(|(x, y)| !overlaps(*x, *y)) {
            return spot;
        }
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    #[test]
    fn a_node_dropped_in_a_region_box_joins_it_and_one_dragged_out_leaves() {
        let mut doc = slice_scenario();
        doc.nodes[1].region = Some("eu".into());
        doc.nodes[2].region = Some("eu".into());
        // The client, dropped onto the database, joins eu.
        let (dx, dy) = (doc.nodes[2].x - doc.nodes[0].x, doc.nodes[2].y - doc.nodes[0].y + 40.0);
        let moved = moved_into_regions(&doc, &[0], dx, dy);
        assert_eq!(moved.nodes[0].region.as_deref(), Some("eu"));
        // The api, dragged far away, leaves eu (the db keeps the box).
        let out = moved_into_regions(&doc, &[1], 0.0, 2_000.0);
        assert_eq!(out.nodes[1].region, None);
        assert_eq!(out.nodes[2].region.as_deref(), Some("eu"));
        // Zones too: the client dropped onto a zoned database joins its zone and region.
        let mut zoned = doc.clone();
        zoned.nodes[2].zone = Some("eu-1a".into());
        let moved = moved_into_regions(&zoned, &[0], dx, dy);
        assert_eq!(moved.nodes[0].zone.as_deref(), Some("eu-1a"));
    }

    #[test]
    fn a_free_spot_overlaps_no_card() {
        let doc = slice_scenario();
        let (x, y) = free_spot(&doc, doc.nodes[1].x, doc.nodes[1].y);
        assert!(doc.nodes.iter().all(|n| (n.x - x).abs() >= CARD_W || (n.y - y).abs() >= CARD_H));
        assert!(checked(doc).is_ok());
        let _ = (edits::snap(1.0), GRID);
    }

    #[test]
    fn cards_added_in_the_middle_fill_the_space_around_it() {
        let mut doc = slice_scenario();
        let (cx, cy) = (doc.nodes[1].x, doc.nodes[1].y);
        let mut far: f64 = 0.0;
        for k in 0..8 {
            let (x, y) = free_spot(&doc, cx, cy);
            assert!(
                doc.nodes.iter().all(|n| (n.x - x).abs() >= CARD_W || (n.y - y).abs() >= CARD_H),
                "card {k} overlaps"
            );
            far = far.max((x - cx).hypot(y - cy));
            let (next, _) = edits::add_node(&doc, "service", x, y).unwrap();
            doc = next;
        }
        // Eight cards around a full middle stay within two card-steps of it
        // (the old diagonal walk put the eighth ten steps away).
        assert!(far <= 2.0 * (CARD_W + 2.0 * GRID).hypot(CARD_H + 2.0 * GRID), "farthest {far}");
    }
}
