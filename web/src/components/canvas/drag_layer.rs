//! The drag layer: cards being dragged, the links that touch them and the
//! boxes they stretch, drawn over the canvas while the pointer carries them.
//!
//! A drag step used to render the whole canvas (every card and link
//! compared, the SVG repainted around the card), up to sixty times a second
//! on a design with hundreds of cards. Now each step renders only this
//! small component, on a compositing layer of its own, so the browser
//! repaints a few elements instead of the design.
//!
//! The lift (the first step, when the layer takes the cards over) renders
//! neither the canvas nor a new layer: the layer is always mounted (empty
//! between drags), and the cards and links it hides in the canvas each
//! watch the [`Carry`] and render again alone ([`use_lifted`]). The canvas
//! renders at the press (the selection) and when the cards land (the new
//! document), as any edit does.

use super::card::{Card, CardEvent};
use super::health::Tints;
use super::link::{Link, LinkEvent};
use super::lint_marks::{carried_marks, LintMark};
use super::particle_layer::ParticleLayer;
use crate::app::placement::moved_into_regions;
use crate::editor::edits::snap;
use crate::editor::layout::{line_between, region_boxes, zone_boxes, Line, RegionBox};
use crate::same::{reuse_equal, Same};
use crate::state::Selection;
use faultline_sim::scenario::{Node, Scenario};
use faultline_sim::SimView;
use gloo::render::AnimationFrame;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use yew::prelude::*;

/// Where a card drag has got to. Pointer moves only note the offset here; one
/// animation frame later it is drawn, and only when a card lands on another
/// grid point (cards snap to the grid), so a fast pointer costs at most one
/// render per frame and a slow one none between grid points.
#[derive(Default)]
pub struct Carry {
    /// The pointer's offset from where the drag started, design pixels.
    pub at: Cell<(f64, f64)>,
    /// The offset the layer shows.
    pub shown: Cell<(f64, f64)>,
    /// The frame that will draw it, while one is requested.
    pub frame: RefCell<Option<AnimationFrame>>,
    pub pending: Cell<bool>,
    /// Redraws the layer, while it is mounted.
    redraw: RefCell<Option<Callback<()>>>,
    /// The cards on the layer and the links touching them, hidden in the
    /// canvas (none until the first step of a drag).
    lifted: RefCell<Lifted>,
    /// The canvas's cards and links, each told when it is lifted or lands.
    watchers: RefCell<HashMap<Piece, Callback<()>>>,
}

/// A card or a link of the canvas, by index, or the review's mark on one
/// (see `lint_marks`): a mark hides and moves with what it marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    Card(usize),
    Link(usize),
    CardMark(usize),
    LinkMark(usize),
}

impl Piece {
    /// The review's mark on this card or link.
    fn mark(self) -> Option<Piece> {
        match self {
            Piece::Card(i) => Some(Piece::CardMark(i)),
            Piece::Link(i) => Some(Piece::LinkMark(i)),
            Piece::CardMark(_) | Piece::LinkMark(_) => None,
        }
    }
}

#[derive(Default)]
struct Lifted {
    cards: Rc<Vec<usize>>,
    links: Rc<Vec<usize>>,
}

impl Lifted {
    fn pieces(&self) -> impl Iterator<Item = Piece> + '_ {
        self.cards.iter().map(|&i| Piece::Card(i)).chain(self.links.iter().map(|&i| Piece::Link(i)))
    }
}

impl Carry {
    pub fn start(&self) {
        self.at.set((0.0, 0.0));
        self.shown.set((0.0, 0.0));
        self.stop();
    }

    /// Ends the carrying (the drop, a pinch, a new press): no step is
    /// pending any more, and lifted cards land.
    pub fn stop(&self) {
        self.pending.set(false);
        self.frame.borrow_mut().take();
        self.land();
    }

    /// Shows the cards `at` this offset from where they started.
    pub fn show(&self, at: (f64, f64)) {
        self.shown.set(at);
        self.redraw_layer();
    }

    fn redraw_layer(&self) {
        let redraw = self.redraw.borrow().clone();
        if let Some(r) = redraw {
            r.emit(());
        }
    }

    /// The first step: the layer takes `cards` and the links touching them
    /// (`ends`: each link's end cards, see `layout::edge_ends`); those hide
    /// in the canvas, each rendering again alone.
    pub fn lift(&self, cards: Rc<Vec<usize>>, ends: &[Option<(usize, usize)>]) {
        let links = (ends.iter().enumerate())
            .filter(|(_, e)| e.is_some_and(|(a, b)| cards.contains(&a) || cards.contains(&b)))
            .map(|(i, _)| i)
            .collect();
        let now = Lifted { cards, links: Rc::new(links) };
        let mut told: Vec<Piece> = now.pieces().collect();
        let was = self.lifted.replace(now);
        told.extend(was.pieces());
        self.tell(told);
        self.redraw_layer();
    }

    /// The cards land (or the drag ends without a step): the canvas shows
    /// them again and the layer empties.
    fn land(&self) {
        let was = self.lifted.take();
        if !was.cards.is_empty() || !was.links.is_empty() {
            self.tell(was.pieces().collect());
            self.redraw_layer();
        }
    }

    /// The cards on the layer (empty when none is carried).
    pub fn lifted_cards(&self) -> Rc<Vec<usize>> {
        Rc::clone(&self.lifted.borrow().cards)
    }

    /// The links on the layer: those touching its cards.
    fn lifted_links(&self) -> Rc<Vec<usize>> {
        Rc::clone(&self.lifted.borrow().links)
    }

    pub fn is_lifted(&self, piece: Piece) -> bool {
        let l = self.lifted.borrow();
        match piece {
            Piece::Card(i) | Piece::CardMark(i) => l.cards.contains(&i),
            Piece::Link(i) | Piece::LinkMark(i) => l.links.contains(&i),
        }
    }

    /// Tells `pieces` and their marks that they were lifted or landed.
    fn tell(&self, pieces: Vec<Piece>) {
        let told: Vec<Callback<()>> = {
            let w = self.watchers.borrow();
            let with_marks = pieces.iter().flat_map(|&p| std::iter::once(p).chain(p.mark()));
            with_marks.filter_map(|p| w.get(&p).cloned()).collect()
        };
        for t in told {
            t.emit(());
        }
    }
}

/// Whether this card or link of the canvas is lifted (hidden: the drag
/// layer draws it); it renders again when that changes. `None`: a copy on
/// the drag layer, never lifted.
#[hook]
pub fn use_lifted(carry: Option<Same<Carry>>, piece: Piece) -> bool {
    let update = use_force_update();
    use_effect_with((carry.clone(), piece), move |(carry, piece)| {
        let watch = carry.clone().map(|c| {
            let cb = Callback::from(move |_| update.force_update());
            c.watchers.borrow_mut().insert(*piece, cb.clone());
            (c, *piece, cb)
        });
        move || {
            if let Some((c, piece, cb)) = watch {
                // Only its own: a piece mounted at this index since keeps its.
                let mut w = c.watchers.borrow_mut();
                if w.get(&piece) == Some(&cb) {
                    w.remove(&piece);
                }
            }
        }
    });
    carry.is_some_and(|c| c.is_lifted(piece))
}

/// Where a card carried (dx, dy) is drawn, as an offset from its place:
/// where it will land, on the grid.
pub fn carried(n: &Node, dx: f64, dy: f64) -> (f64, f64) {
    (snap(n.x + dx) - n.x, snap(n.y + dy) - n.y)
}

#[derive(Properties, PartialEq)]
pub struct DragLayerProps {
    pub doc: Same<Scenario>,
    pub view: Rc<SimView>,
    /// The cards a drag in progress carries (from its press; drawn once
    /// they are lifted, see [`Carry::lift`]), empty between drags.
    pub nodes: Rc<Vec<usize>>,
    /// Each link's end cards (see `layout::edge_ends`).
    pub ends: Same<Vec<Option<(usize, usize)>>>,
    /// The carried cards' tints, in the order of `nodes`.
    pub tints: Rc<Vec<super::health::Health>>,
    /// Every node's results per operation (by node index), as on its card.
    #[prop_or_default]
    pub ops: Rc<Vec<Vec<crate::components::breakdown::OpLine>>>,
    pub selection: Vec<Selection>,
    pub detailed: bool,
    /// Zoomed out so far that cards are their boxes alone (see `card::sketch`).
    #[prop_or_default]
    pub sketch: bool,
    pub view_box: AttrValue,
    pub carry: Same<Carry>,
    pub card_events: Callback<CardEvent>,
    pub link_events: Callback<LinkEvent>,
    /// Told where the carried links are, so that their dots follow them.
    pub particles: Rc<ParticleLayer>,
    /// The design review's marks (see `lint_marks`): those on carried cards
    /// and links move with them.
    pub marks: Same<Vec<LintMark>>,
}

#[component]
pub fn DragLayer(props: &DragLayerProps) -> Html {
    let redraw = use_force_update();
    {
        let carry = props.carry.clone();
        use_effect_with((), move |_| {
            *carry.redraw.borrow_mut() = Some(Callback::from(move |_| redraw.force_update()));
            move || *carry.redraw.borrow_mut() = None
        });
    }
    {
        let particles = Rc::clone(&props.particles);
        use_effect_with((), move |_| move || particles.set_moved(Vec::new()));
    }
    let lifting = !props.carry.lifted_cards().is_empty();
    // Shared once per drag: the cards compare their nodes by address.
    let shared = use_memo((props.doc.clone(), Rc::clone(&props.nodes)), |(d, carried)| {
        let nodes: Vec<Node> = carried.iter().filter_map(|&i| d.nodes.get(i).cloned()).collect();
        reuse_equal(&[], &nodes)
    });
    let placed = use_memo((props.doc.clone(), lifting), |(d, lifting)| {
        if *lifting {
            (region_boxes(d, &[]), zone_boxes(d, &[]))
        } else {
            Default::default()
        }
    });
    // Between drags, and from the press to the first step, the layer is an
    // empty SVG: mounted once, so that the lift does not make a layer.
    if !lifting {
        props.particles.set_moved(Vec::new());
        return html! {
            <svg class="graph drag-layer" viewBox={props.view_box.clone()} preserveAspectRatio="xMidYMid meet"
                aria-hidden="true" />
        };
    }
    let doc = &props.doc;
    let (dx, dy) = props.carry.shown.get();
    let offset = |i: usize| props.nodes.contains(&i).then(|| carried(&doc.nodes[i], dx, dy));
    let centre = |i: usize| {
        let n = &doc.nodes[i];
        let (ox, oy) = offset(i).unwrap_or((0.0, 0.0));
        (n.x + ox, n.y + oy)
    };
    let cards = props.nodes.iter().zip(shared.iter()).zip(props.tints.iter()).map(|((&i, node), &health)| {
        let view = props.view.nodes.get(i).cloned().unwrap_or_default();
        let view = if props.detailed { view } else { super::card::coarse(&view) };
        html! {
            <Card key={node.id.clone()} index={i} node={node.clone()} {view} {health}
                selected={props.selection.contains(&Selection::Node(i))} detailed={props.detailed}
                sketch={props.sketch} offset={offset(i)} ops={props.ops.get(i).cloned().unwrap_or_default()} events={props.card_events.clone()} />
        }
    });
    let moved: Vec<(usize, Line)> = (props.carry.lifted_links().iter())
        .filter_map(|&i| {
            let (a, b) = props.ends.get(i).copied().flatten()?;
            Some((i, line_between(centre(a), centre(b))))
        })
        .collect();
    let links: Vec<Html> = (moved.iter().copied())
        .map(|(i, line)| {
            let e = &doc.edges[i];
            let throughput_rps =
                if props.detailed { props.view.edges.get(i).map_or(0.0, |l| l.throughput_rps) } else { 0.0 };
            html! {
                <Link index={i} from={e.from.clone()} to={e.to.clone()} {line} {throughput_rps}
                    cut={props.view.cut.get(i).copied().unwrap_or(false)} timeout_ms={e.timeout_ms}
                    breaker={props.view.breakers.get(i).copied().flatten()}
                    selected={props.selection.contains(&Selection::Edge(i))} detailed={props.detailed}
                    sketch={props.sketch} events={props.link_events.clone()} ghost=true />
            }
        })
        .collect();
    let card = (crate::editor::layout::CARD_W, crate::editor::layout::CARD_H);
    let marks = carried_marks(doc, &props.marks, card, |i| offset(i).is_some().then(|| centre(i)), &moved);
    props.particles.set_moved(moved);
    // The region and zone boxes as they will be once the cards land (a
    // card carried out of its box leaves it, one carried into another box
    // joins it): each box that would change is outlined where it will be.
    let mut previews: Vec<(RegionBox, &str)> = Vec::new();
    if !placed.0.is_empty() || !placed.1.is_empty() {
        let landed = moved_into_regions(doc, &props.nodes, dx, dy);
        let changed =
            |now: &[RegionBox], then: Vec<RegionBox>| then.into_iter().filter(|b| !now.contains(b)).collect::<Vec<_>>();
        previews.extend(changed(&placed.0, region_boxes(&landed, &[])).into_iter().map(|b| (b, "region-preview")));
        previews.extend(changed(&placed.1, zone_boxes(&landed, &[])).into_iter().map(|b| (b, "zone-preview")));
    }
    let boxes = previews.into_iter().map(|(b, class)| {
        html! {
            <rect class={class} x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()}
                height={b.h.to_string()} rx="12" />
        }
    });
    html! {
        <svg class="graph drag-layer" viewBox={props.view_box.clone()} preserveAspectRatio="xMidYMid meet"
            aria-hidden="true">
            { for boxes }
            { for links }
            { for cards }
            { marks }
        </svg>
    }
}

/// The tints of `nodes`, in their order.
pub fn tints_of(tints: &Tints, nodes: &[usize]) -> Vec<super::health::Health> {
    nodes.iter().map(|&i| tints.get(i)).collect()
}
