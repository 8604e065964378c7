//! Drawing a new link: the line from a card's handle to the pointer while
//! the handle is dragged, and the card it connects to when released.
//!
//! Why a module of its own: where the line starts (the handle on the card's
//! right edge) and what counts as dropping on a card belong together, apart
//! from the pointer plumbing of `gestures.rs`.

use crate::editor::layout::{node_at, CARD_W};
use faultline_sim::Scenario;
use yew::prelude::*;

/// The card under design point (x, y), which a link dropped there connects to.
pub fn connect_target(doc: &Scenario, x: f64, y: f64) -> Option<usize> {
    node_at(doc, x, y)
}

/// The line from node `from`'s handle to design point (x, y).
pub fn connecting_line(doc: &Scenario, from: usize, x: f64, y: f64) -> Option<Html> {
    let n = doc.nodes.get(from)?;
    // The handle sits on the card's right edge (cards are centred on (n.x, n.y)).
    let hx = n.x + CARD_W / 2.0;
    Some(html! {
        <line class="connecting" x1={hx.to_string()} y1={n.y.to_string()} x2={x.to_string()} y2={y.to_string()} />
    })
}
