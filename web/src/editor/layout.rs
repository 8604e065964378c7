//! Geometry of the canvas: card sizes, the box each region (and each zone
//! within a region) draws around its nodes, and which box a point falls in.
//!
//! Regions and zones are not shapes in the document, only names on each
//! node; a box is the padded hull of its members (a zone's sits inside its
//! region's). Dropping a node inside another box moves it there, dropping it
//! outside every box takes it out.

use faultline_sim::scenario::Node;
use faultline_sim::Scenario;

pub const CARD_W: f64 = 190.0;
pub const CARD_H: f64 = 136.0;
/// Space between a region's border and its cards.
pub const REGION_PAD: f64 = 28.0;
/// Space between a zone's border and its cards (inside the region's).
pub const ZONE_PAD: f64 = 12.0;

#[derive(Clone, Debug, PartialEq)]
pub struct RegionBox {
    pub name: String,
    /// For a zone's box, the region it is in.
    pub region: Option<String>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl RegionBox {
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }
}

/// Boxes of every region, in first-seen order, leaving out nodes in `skip`.
pub fn region_boxes(doc: &Scenario, skip: &[usize]) -> Vec<RegionBox> {
    region_boxes_at(doc, |i, n| (!skip.contains(&i)).then_some((n.x, n.y)))
}

/// Boxes of every zone (a zone is named within its region).
pub fn zone_boxes(doc: &Scenario, skip: &[usize]) -> Vec<RegionBox> {
    zone_boxes_at(doc, |i, n| (!skip.contains(&i)).then_some((n.x, n.y)))
}

/// Boxes of every region with each node's centre given by `at` (`None`:
/// left out); the canvas draws a drag with it without copying the document.
pub fn region_boxes_at(doc: &Scenario, at: impl Fn(usize, &Node) -> Option<(f64, f64)>) -> Vec<RegionBox> {
    hull_boxes(doc, at, |n| n.region.clone().map(|r| (r, None)), REGION_PAD)
}

/// Boxes of every zone with each node's centre given by `at`, as [`region_boxes_at`].
pub fn zone_boxes_at(doc: &Scenario, at: impl Fn(usize, &Node) -> Option<(f64, f64)>) -> Vec<RegionBox> {
    hull_boxes(doc, at, |n| n.zone.clone().map(|z| (z, n.region.clone())), ZONE_PAD)
}

/// The padded hull of the cards that share a group (name, region).
fn hull_boxes(
    doc: &Scenario,
    at: impl Fn(usize, &Node) -> Option<(f64, f64)>,
    group: impl Fn(&Node) -> Option<(String, Option<String>)>,
    pad: f64,
) -> Vec<RegionBox> {
    // (group, x0, y0, x1, y1) per group, in first-seen order.
    type Hull = ((String, Option<String>), f64, f64, f64, f64);
    let mut boxes: Vec<Hull> = Vec::new();
    for (i, n) in doc.nodes.iter().enumerate() {
        let Some(key) = group(n) else { continue };
        let Some((x, y)) = at(i, n) else { continue };
        let (x0, y0, x1, y1) = (x - CARD_W / 2.0, y - CARD_H / 2.0, x + CARD_W / 2.0, y + CARD_H / 2.0);
        match boxes.iter_mut().find(|b| b.0 == key) {
            Some(b) => {
                b.1 = b.1.min(x0);
                b.2 = b.2.min(y0);
                b.3 = b.3.max(x1);
                b.4 = b.4.max(y1);
            }
            None => boxes.push((key, x0, y0, x1, y1)),
        }
    }
    boxes
        .into_iter()
        .map(|((name, region), x0, y0, x1, y1)| RegionBox {
            name,
            region,
            x: x0 - pad,
            y: y0 - pad - 14.0,
            w: x1 - x0 + 2.0 * pad,
            h: y1 - y0 + 2.0 * pad + 14.0,
        })
        .collect()
}

/// The zone (and its region) a node dropped at (x, y) belongs to, given the other nodes.
pub fn zone_at(doc: &Scenario, moved: &[usize], x: f64, y: f64) -> Option<(String, Option<String>)> {
    zone_boxes(doc, moved).into_iter().find(|b| b.contains(x, y)).map(|b| (b.name, b.region))
}

/// The region a node dropped at (x, y) belongs to, given the other nodes.
pub fn region_at(doc: &Scenario, moved: &[usize], x: f64, y: f64) -> Option<String> {
    region_boxes(doc, moved).into_iter().find(|b| b.contains(x, y)).map(|b| b.name)
}

/// The rectangle (x, y, w, h) holding every card, padded; a default when empty.
pub fn bounds(doc: &Scenario) -> (f64, f64, f64, f64) {
    if doc.nodes.is_empty() {
        return (-400.0, -300.0, 800.0, 600.0);
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for n in &doc.nodes {
        x0 = x0.min(n.x - CARD_W / 2.0);
        y0 = y0.min(n.y - CARD_H / 2.0);
        x1 = x1.max(n.x + CARD_W / 2.0);
        y1 = y1.max(n.y + CARD_H / 2.0);
    }
    for b in region_boxes(doc, &[]) {
        x0 = x0.min(b.x);
        y0 = y0.min(b.y);
        x1 = x1.max(b.x + b.w);
        y1 = y1.max(b.y + b.h);
    }
    let pad = 40.0;
    (x0 - pad, y0 - pad, x1 - x0 + 2.0 * pad, y1 - y0 + 2.0 * pad)
}

/// A link's line: (x1, y1, x2, y2).
pub type Line = (f64, f64, f64, f64);

/// Where every link is drawn: from the border of the caller's card to the
/// border of the callee's, along the line between their centres. One pass
/// indexes the nodes, so a big design costs O(nodes + links).
pub fn edge_lines(doc: &Scenario) -> Vec<Option<Line>> {
    let (nodes, ends) = (&doc.nodes, edge_ends(doc));
    ends.iter().map(|e| e.map(|(a, b)| line_between((nodes[a].x, nodes[a].y), (nodes[b].x, nodes[b].y)))).collect()
}

/// Each link's (caller, callee) node indices; `None` for a dangling link.
/// One pass indexes the nodes.
pub fn edge_ends(doc: &Scenario) -> Vec<Option<(usize, usize)>> {
    let index: std::collections::HashMap<&str, usize> =
        doc.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    doc.edges.iter().map(|e| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?))).collect()
}

/// A link's line between cards centred at `a` (the caller) and `b`.
pub fn line_between((ax, ay): (f64, f64), (bx, by): (f64, f64)) -> Line {
    let (dx, dy) = (bx - ax, by - ay);
    // Fraction of the centre-to-centre line inside one card.
    let inside = |gap: f64| {
        let tx = if dx == 0.0 { f64::INFINITY } else { (CARD_W / 2.0 + gap) / dx.abs() };
        let ty = if dy == 0.0 { f64::INFINITY } else { (CARD_H / 2.0 + gap) / dy.abs() };
        tx.min(ty).min(0.5)
    };
    let (s, t) = (inside(0.0), inside(6.0));
    (ax + dx * s, ay + dy * s, bx - dx * t, by - dy * t)
}

/// Regions cut off from the rest of the design: at least one link crosses
/// the region's border (one end inside, the other in another region or in
/// none) and every such link is cut (`cut`, per link, is the engine's: a link
/// is cut while some partition blocks it). This is what a partition of a
/// region does to it, and it holds too when partitions of nodes together cut
/// all its links; a region still reachable over some link is not isolated,
/// whatever the faults name.
pub fn isolated_regions(doc: &Scenario, cut: &[bool]) -> std::collections::BTreeSet<String> {
    // Per region: (some link crosses, every crossing link is cut).
    let mut seen: std::collections::BTreeMap<&str, (bool, bool)> = std::collections::BTreeMap::new();
    for (i, ends) in edge_ends(doc).into_iter().enumerate() {
        let Some((a, b)) = ends else { continue };
        let (ra, rb) = (doc.nodes[a].region.as_deref(), doc.nodes[b].region.as_deref());
        if ra == rb {
            continue;
        }
        let is_cut = cut.get(i).copied().unwrap_or(false);
        for r in [ra, rb].into_iter().flatten() {
            let e = seen.entry(r).or_insert((false, true));
            *e = (true, e.1 && is_cut);
        }
    }
    seen.into_iter().filter(|(_, (crosses, all_cut))| *crosses && *all_cut).map(|(r, _)| r.to_string()).collect()
}

/// Horizontal and vertical distance between laid-out cards.
pub const LAYOUT_STEP: (f64, f64) = (280.0, 180.0);

/// Centres closer than this (both ways) count as stacked cards.
const STACKED: f64 = 50.0;

/// Lays the design out left to right by call depth when its cards are stacked
/// (documents written by hand or by tools often carry no positions).
/// Returns whether it moved anything.
pub fn auto_layout(doc: &mut Scenario) -> bool {
    // Only when at least half the cards sit almost exactly on one another (no
    // positions at all, or a generator's tight grid): a person's own layout,
    // even with a card dropped on another, is never rearranged.
    let stacked = (0..doc.nodes.len())
        .filter(|&i| {
            let a = &doc.nodes[i];
            doc.nodes
                .iter()
                .enumerate()
                .any(|(k, b)| k != i && (a.x - b.x).abs() < STACKED && (a.y - b.y).abs() < STACKED)
        })
        .count();
    if stacked < 2 || stacked * 2 < doc.nodes.len() {
        return false;
    }
    let n = doc.nodes.len();
    // Longest path from a node nobody calls; validation guarantees no cycles,
    // and n rounds of relaxation settle every depth.
    let links: Vec<(usize, usize)> =
        doc.edges.iter().filter_map(|e| Some((doc.node_index(&e.from)?, doc.node_index(&e.to)?))).collect();
    let mut depth = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for &(a, b) in &links {
            if depth[b] < depth[a] + 1 && depth[a] + 1 < n {
                depth[b] = depth[a] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let columns = depth.iter().copied().max().unwrap_or(0) + 1;
    for col in 0..columns {
        let members: Vec<usize> = (0..n).filter(|&i| depth[i] == col).collect();
        let top = -(members.len() as f64 - 1.0) / 2.0 * LAYOUT_STEP.1;
        for (row, &i) in members.iter().enumerate() {
            doc.nodes[i].x = col as f64 * LAYOUT_STEP.0;
            doc.nodes[i].y = top + row as f64 * LAYOUT_STEP.1;
        }
    }
    true
}

/// Index of the node whose card contains (x, y), topmost first.
pub fn node_at(doc: &Scenario, x: f64, y: f64) -> Option<usize> {
    doc.nodes.iter().rposition(|n| (x - n.x).abs() <= CARD_W / 2.0 && (y - n.y).abs() <= CARD_H / 2.0)
}

/// Nodes whose centre lies in the rectangle spanned by two corners.
pub fn nodes_in(doc: &Scenario, (ax, ay): (f64, f64), (bx, by): (f64, f64)) -> Vec<usize> {
    let (x0, x1, y0, y1) = (ax.min(bx), ax.max(bx), ay.min(by), ay.max(by));
    (0..doc.nodes.len())
        .filter(|&i| (x0..=x1).contains(&doc.nodes[i].x) && (y0..=y1).contains(&doc.nodes[i].y))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    #[test]
    fn region_boxes_wrap_their_nodes_and_decide_membership() {
        let mut doc = slice_scenario();
        doc.nodes[1].region = Some("eu".into());
        doc.nodes[2].region = Some("eu".into());
        let boxes = region_boxes(&doc, &[]);
        assert_eq!(boxes.len(), 1);
        let (a, b) = (&doc.nodes[1], &doc.nodes[2]);
        assert!(boxes[0].contains(a.x, a.y) && boxes[0].contains(b.x, b.y));
        assert!(!boxes[0].contains(doc.nodes[0].x, doc.nodes[0].y));
        assert_eq!(region_at(&doc, &[0], a.x, a.y).as_deref(), Some("eu"));
        assert_eq!(region_at(&doc, &[0], doc.nodes[0].x, doc.nodes[0].y), None);
        let (bx, by) = (b.x, b.y);
        doc.nodes[2].zone = Some("eu-1a".into());
        let zones = zone_boxes(&doc, &[]);
        assert_eq!((zones[0].name.as_str(), zones[0].region.as_deref()), ("eu-1a", Some("eu")));
        assert!(zones[0].w < boxes[0].w, "a zone's box sits inside its region's");
        assert_eq!(zone_at(&doc, &[0], bx, by), Some(("eu-1a".to_string(), Some("eu".to_string()))));
    }

    #[test]
    fn a_region_is_isolated_when_every_link_across_its_border_is_cut() {
        // client -> web -> db; client and web in "us", db in "eu".
        let mut doc = slice_scenario();
        doc.nodes[0].region = Some("us".into());
        doc.nodes[1].region = Some("us".into());
        doc.nodes[2].region = Some("eu".into());
        let crossing = doc.edges.iter().position(|e| e.from == doc.nodes[1].id && e.to == doc.nodes[2].id).unwrap();
        let mut cut = vec![false; doc.edges.len()];
        assert!(isolated_regions(&doc, &cut).is_empty());
        cut[crossing] = true;
        let both: Vec<String> = isolated_regions(&doc, &cut).into_iter().collect();
        assert_eq!(both, ["eu", "us"]);
        // A cut link inside a region does not count; a second, uncut way out does.
        let within = 1 - crossing; // client -> web, both in "us"
        let mut inside = vec![false; doc.edges.len()];
        inside[within] = true;
        assert!(isolated_regions(&doc, &inside).is_empty());
        doc.nodes[0].region = None;
        let only_eu: Vec<String> = isolated_regions(&doc, &cut).into_iter().collect();
        assert_eq!(only_eu, ["eu"], "us is still reached by the client outside it");
        // A view older than the document (fewer flags) counts missing links as not cut.
        assert!(isolated_regions(&doc, &[]).is_empty());
    }

    #[test]
    fn boxes_follow_nodes_placed_elsewhere() {
        let mut doc = slice_scenario();
        doc.nodes[1].region = Some("eu".into());
        let moved = region_boxes_at(&doc, |i, n| Some(if i == 1 { (n.x + 100.0, n.y) } else { (n.x, n.y) }));
        let mut copy = doc.clone();
        copy.nodes[1].x += 100.0;
        assert_eq!(moved, region_boxes(&copy, &[]));
        assert!(region_boxes_at(&doc, |_, _| None).is_empty());
    }

    #[test]
    fn hit_testing_and_rubber_band() {
        let doc = slice_scenario();
        let n = &doc.nodes[1];
        assert_eq!(node_at(&doc, n.x + 10.0, n.y - 10.0), Some(1));
        assert_eq!(node_at(&doc, n.x, n.y + 500.0), None);
        let all = nodes_in(&doc, (-10_000.0, -10_000.0), (10_000.0, 10_000.0));
        assert_eq!(all, vec![0, 1, 2]);
        let lines = edge_lines(&doc);
        assert_eq!(lines.len(), doc.edges.len());
        let (x1, _, x2, _) = lines[0].unwrap();
        assert_eq!(x1, doc.nodes[0].x + CARD_W / 2.0, "a link leaves from the caller's border");
        assert_eq!(x2, doc.nodes[1].x - CARD_W / 2.0 - 6.0, "and stops short of the callee's for the arrow");
        let (x, y, w, h) = bounds(&doc);
        assert!(w > 0.0 && h > 0.0 && x < n.x && y < n.y);
    }
}
