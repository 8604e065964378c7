//! Cards and links drawn in batches of [`SIZE`], so that a readout renders
//! only the batches where something shown changed.
//!
//! Why: memoised cards and links skip drawing when their props are equal,
//! but a thousand-card design still built, compared and reconciled two
//! thousand component nodes on every readout (ten a second), nearly all of
//! them unchanged: that work alone took about a frame. A batch compares its
//! cards' looks (plain values, no component nodes) with the last ones and
//! renders nothing when they are equal, which on a zoomed-out design (cards
//! without numbers) is nearly every batch on nearly every readout.

use super::card::{Card, CardEvent};
use super::drag_layer::Carry;
use super::health::Health;
use super::link::{Link, LinkEvent};
use crate::components::breakdown::OpLine;
use crate::editor::layout::Line;
use crate::same::Same;
use faultline_sim::scenario::Node;
use faultline_sim::view::BreakerView;
use faultline_sim::NodeView;
use yew::prelude::*;

/// Cards (or links) per batch: small enough that a batch with one changed
/// card costs little to render, large enough that a thousand cards make
/// few batches to compare.
pub const SIZE: usize = 64;

/// What one card shows: its props but the callback every card shares.
#[derive(Clone, PartialEq)]
pub struct CardLook {
    pub index: usize,
    pub node: Same<Node>,
    pub view: NodeView,
    pub health: Health,
    pub selected: bool,
    pub detailed: bool,
    pub sketch: bool,
    pub culled: bool,
    pub ops: Vec<OpLine>,
}

#[derive(Properties, PartialEq)]
pub struct CardBatchProps {
    pub cards: Vec<CardLook>,
    pub events: Callback<CardEvent>,
    /// The canvas's drag: a card it lifts hides by itself (see `drag_layer`).
    pub carry: Same<Carry>,
}

/// Up to [`SIZE`] cards, keyed by node id.
#[component]
pub fn CardBatch(props: &CardBatchProps) -> Html {
    let cards = props.cards.iter().map(|c| {
        html! {
            <Card key={c.node.id.as_str()} index={c.index} node={c.node.clone()} view={c.view.clone()} health={c.health}
                ops={c.ops.clone()} selected={c.selected} detailed={c.detailed} sketch={c.sketch}
                culled={c.culled} carry={props.carry.clone()}
                events={props.events.clone()} />
        }
    });
    html! { <>{ for cards }</> }
}

/// What one link shows: its props but the callback every link shares.
#[derive(Clone, PartialEq)]
pub struct LinkLook {
    pub index: usize,
    pub from: AttrValue,
    pub to: AttrValue,
    pub line: Line,
    pub throughput_rps: f64,
    pub cut: bool,
    /// The link's timeout: what a cut does to its calls.
    pub timeout_ms: Option<f64>,
    pub breaker: Option<BreakerView>,
    pub selected: bool,
    pub detailed: bool,
    pub sketch: bool,
    pub culled: bool,
}

#[derive(Properties, PartialEq)]
pub struct LinkBatchProps {
    pub links: Vec<LinkLook>,
    pub events: Callback<LinkEvent>,
    /// The canvas's drag: a link it lifts hides by itself (see `drag_layer`).
    pub carry: Same<Carry>,
}

/// Up to [`SIZE`] links, in document order.
#[component]
pub fn LinkBatch(props: &LinkBatchProps) -> Html {
    let links = props.links.iter().map(|l| {
        html! {
            <Link index={l.index} from={l.from.clone()} to={l.to.clone()} line={l.line} throughput_rps={l.throughput_rps}
                cut={l.cut} timeout_ms={l.timeout_ms} breaker={l.breaker} selected={l.selected} detailed={l.detailed} sketch={l.sketch}
                culled={l.culled} carry={props.carry.clone()} events={props.events.clone()} />
        }
    });
    html! { <>{ for links }</> }
}

/// `items` cut into batches of [`SIZE`], in order.
pub fn batches<T>(items: impl Iterator<Item = T>) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    for item in items {
        if out.last().is_none_or(|last| last.len() == SIZE) {
            out.push(Vec::with_capacity(SIZE));
        }
        out.last_mut().expect("pushed above").push(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_keep_the_order_and_fill_all_but_the_last() {
        let b = batches(0..(2 * SIZE + 3));
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![SIZE, SIZE, 3]);
        assert_eq!(b.concat(), (0..(2 * SIZE + 3)).collect::<Vec<_>>());
        assert!(batches(std::iter::empty::<u8>()).is_empty());
    }
}
