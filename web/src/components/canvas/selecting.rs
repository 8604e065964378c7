//! What a click, a shift-click and the selection box select, and the box
//! itself while it is drawn.
//!
//! Why a module of its own: the rules (shift toggles one item, a plain click
//! selects only it, the box adds what it covers) are pure and tested here,
//! apart from the pointer plumbing of `gestures.rs`.

use crate::editor::layout::nodes_in;
use crate::state::Selection;
use faultline_sim::Scenario;
use yew::prelude::*;

/// Shift-click toggles one item in the selection; a plain click selects only it.
pub fn toggle_or_only(selection: &[Selection], item: Selection, shift: bool) -> Vec<Selection> {
    if !shift {
        return vec![item];
    }
    let mut next: Vec<Selection> = selection.iter().copied().filter(|s| *s != item).collect();
    if next.len() == selection.len() {
        next.push(item);
    }
    next
}

/// The selection after a box from `a` to `b` (design points): what was
/// selected, plus every node the box covers.
pub fn band_selection(doc: &Scenario, selection: &[Selection], a: (f64, f64), b: (f64, f64)) -> Vec<Selection> {
    let mut next = selection.to_vec();
    for i in nodes_in(doc, a, b) {
        if !next.contains(&Selection::Node(i)) {
            next.push(Selection::Node(i));
        }
    }
    next
}

/// The selection box from (x0, y0) to (x1, y1), design points.
pub fn selection_box(x0: f64, y0: f64, x1: f64, y1: f64) -> Html {
    html! {
        <rect class="band" x={x0.min(x1).to_string()} y={y0.min(y1).to_string()}
            width={(x1 - x0).abs().to_string()} height={(y1 - y0).abs().to_string()} />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_toggles_and_plain_click_replaces() {
        let a = Selection::Node(1);
        let b = Selection::Edge(0);
        assert_eq!(toggle_or_only(&[a], b, false), vec![b]);
        assert_eq!(toggle_or_only(&[a], b, true), vec![a, b]);
        assert_eq!(toggle_or_only(&[a, b], a, true), vec![b]);
    }

    #[test]
    fn the_box_adds_what_it_covers_once() {
        let doc = faultline_sim::slice_scenario();
        let everything = ((-1e6, -1e6), (1e6, 1e6));
        let kept = [Selection::Edge(0), Selection::Node(0)];
        let next = band_selection(&doc, &kept, everything.0, everything.1);
        assert_eq!(&next[..2], &kept);
        let nodes = (0..doc.nodes.len()).map(Selection::Node);
        assert!(nodes.clone().all(|n| next.iter().filter(|s| **s == n).count() == 1));
        assert_eq!(next.len(), 1 + doc.nodes.len());
        // An empty box keeps the selection as it was.
        assert_eq!(band_selection(&doc, &kept, (-1e6, -1e6), (-1e6 + 1.0, -1e6 + 1.0)), kept.to_vec());
    }
}
