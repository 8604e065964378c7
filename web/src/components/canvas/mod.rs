//! The canvas: the design as SVG, live, and every pointer gesture on it.
//!
//! Gestures follow the conventions of design tools: drag a card to move it
//! (with everything selected), drag its handle to another card to connect,
//! drag the background to pan (shift-drag for a selection rectangle), wheel
//! or pinch to zoom. The canvas never edits the document itself: it reports
//! intents (`on_move`, `on_connect`, ...) and the app applies them, so every
//! change goes through validation and undo.
//!
//! This component lays the canvas out; its jobs have modules named for them:
//! `gestures` (pointer and drag handling, clicks on cards and links),
//! `selecting` (click rules and the selection box), `link_drawing` (the line
//! dragged from a handle), `viewport` (size on screen, wheel and buttons
//! zoom, space to pan), `boxes` (region and zone boxes), `drag_layer` (cards
//! while carried), `particle_layer` (particles, drawn by the frame loop).
//!
//! Render cost: while the run plays, the canvas renders with each readout
//! (ten a second) and must leave the frame loop its 60 fps. Geometry is
//! memoised on the document by address (`Same`), cards and links get one
//! stable callback each and their node shared by address, and they are
//! rendered in batches (`batch`) that compare plain values, so only what a
//! readout changed renders again; what is off screen is an empty stand-in
//! (`culling`); zoomed out too far to read, cards are their boxes alone and
//! links their lines (`card::SKETCH_SCALE`); the review's marks are a layer
//! drawn only when they change (`lint_marks`); a drag renders only the drag
//! layer, at most once a frame and only when a card reaches another grid
//! point, and its lift not the canvas either: the carried cards and their
//! links hide by themselves (`drag_layer::use_lifted`) and the layer, always
//! mounted, fills in. Measured at 1,000 cards, the canvas handles a pointer move in
//! 0.3-0.5 ms; what a move waits for is Chrome, which delivers moves once a
//! frame (half a frame on average), and the page-wide compositing of each
//! step, not this component (hiding the whole SVG left both as they were).
//! Dropping cards that stay in their regions and zones neither validates
//! the design again nor reruns the review (`editor::moved_only`).

pub mod batch;
pub mod boxes;
pub mod camera;
pub mod card;
pub mod culling;
pub mod drag_layer;
pub mod fit;
pub mod gestures;
pub mod health;
pub mod link;
pub mod link_drawing;
pub mod lint_marks;
pub mod minimap;
pub mod particle_layer;
pub mod pips;
pub mod selecting;
pub mod viewport;

use crate::components::breakdown::{client_ops, OpLine};
use crate::editor::layout::{edge_ends, edge_lines, isolated_regions, region_boxes, zone_boxes, Line};
use crate::same::{reuse_equal, Same};
use crate::state::Selection;
use camera::Camera;
use drag_layer::{tints_of, DragLayer};
use faultline_sim::report::RunSummary;
use faultline_sim::scenario::NodeKind;
use faultline_sim::{Scenario, SimView};
use gestures::{use_card_events, use_gestures, use_link_events, Background, Drag};
use health::Tints;
use minimap::Minimap;
use particle_layer::ParticleLayer;
use std::rc::Rc;
use viewport::{use_measured, use_wheel_zoom, zoom_buttons};
use yew::prelude::*;

/// The drag-and-drop data type a palette item carries.
pub const DRAG_KIND: &str = "application/x-faultline-kind";

#[derive(Properties, PartialEq)]
pub struct CanvasProps {
    /// Compared by address: a document is replaced, never changed in place,
    /// and comparing a thousand nodes field by field on every readout cost
    /// more than it saved.
    pub doc: Same<Scenario>,
    pub view: Rc<SimView>,
    /// The run so far: the client cards show its results per operation
    /// (by address too: it is replaced whole, once per simulated second).
    #[prop_or_default]
    pub summary: Option<Same<RunSummary>>,
    pub selection: Vec<Selection>,
    /// The canvas the frame loop draws the particles on; this component
    /// mounts it over the SVG and tells it the camera.
    pub particles: Rc<ParticleLayer>,
    /// What the canvas shows (the app's fit of the design while the learner
    /// has not moved it: `PlayState::fit`).
    pub camera: Camera,
    /// The learner has panned or zoomed: the minimap (and its toggle) show.
    /// (Not when a card added out of view moved the camera.)
    #[prop_or_default]
    pub navigated: bool,
    pub on_camera: Callback<Option<Camera>>,
    pub on_select: Callback<Vec<Selection>>,
    /// Move these nodes by (dx, dy) design pixels.
    pub on_move: Callback<(Vec<usize>, f64, f64)>,
    pub on_connect: Callback<(usize, usize)>,
    /// A palette kind dropped at a design point.
    pub on_drop_kind: Callback<(String, f64, f64)>,
    /// Right-click on a node or a link: the fault menu there (client x, y).
    pub on_context: Callback<(Selection, f64, f64)>,
    /// The design review's marks (see `lint_marks`), by address: the app
    /// makes them again only when the review changes.
    #[prop_or_else(|| Same(Rc::default()))]
    pub lint: Same<Vec<lint_marks::LintMark>>,
}

#[component]
pub fn Canvas(props: &CanvasProps) -> Html {
    let svg = use_node_ref();
    let cam = props.camera;
    let screen = use_measured(&svg);
    let g = use_gestures(&svg, cam, screen);
    // The particle canvas: mounted with the SVG, shown through the same camera.
    let particle_canvas = use_node_ref();
    {
        let (layer, canvas) = (Rc::clone(&props.particles), particle_canvas.clone());
        use_effect_with((), move |_| {
            let attached = canvas.cast::<web_sys::HtmlCanvasElement>().and_then(|el| layer.attach(el));
            move || drop(attached)
        });
    }
    {
        let layer = Rc::clone(&props.particles);
        use_effect_with(cam, move |cam| layer.set_camera(*cam));
    }
    use_wheel_zoom(&svg, cam, &props.on_camera);
    let scale = screen.map_or(1.0, |s| s.scale(&cam));

    let doc = &props.doc.0;
    let ondragover = Callback::from(|ev: DragEvent| ev.prevent_default());
    let ondrop = {
        let (on_drop_kind, svg) = (props.on_drop_kind.clone(), svg.clone());
        Callback::from(move |ev: DragEvent| {
            ev.prevent_default();
            let kind = ev.data_transfer().and_then(|d| d.get_data(DRAG_KIND).ok()).unwrap_or_default();
            if !kind.is_empty() {
                let (x, y) = viewport::to_design(&svg, &cam, &ev);
                on_drop_kind.emit((kind, x, y));
            }
        })
    };

    let selected = |s: Selection| props.selection.contains(&s);
    let detailed = scale >= card::DETAIL_SCALE;
    let sketch = scale < card::SKETCH_SCALE;
    // Only what is on screen is drawn in full (see `culling`).
    let drawn = culling::drawn(&cam, screen);
    let focused = g.focused.get();
    // Geometry worked out again only on edits; while cards are dragged, only
    // what touches them.
    let lines = use_memo(Same(Rc::clone(doc)), |d| edge_lines(&d.0));
    let ends = use_memo(Same(Rc::clone(doc)), |d| edge_ends(&d.0));
    let Background { onpointerdown, onpointermove, onpointerup } = g.background(props, &ends);
    let placed = use_memo(Same(Rc::clone(doc)), |d| (region_boxes(&d.0, &[]), zone_boxes(&d.0, &[])));
    // Regions a partition has cut off from the rest (every link across the
    // border cut): their boxes are drawn cut.
    let isolated = use_memo((Same(Rc::clone(doc)), props.view.cut.clone()), |(d, cut)| isolated_regions(&d.0, cut));
    let link_events = use_link_events(&g, props);
    // The ends' names, made once per document (a name made per link per
    // readout was an allocation each).
    let names = use_memo(Same(Rc::clone(doc)), |d| {
        d.0.edges.iter().map(|e| (AttrValue::from(e.from.clone()), AttrValue::from(e.to.clone()))).collect::<Vec<_>>()
    });
    let link = |i: usize, line: Line| {
        let throughput_rps = if detailed { props.view.edges.get(i).map_or(0.0, |l| l.throughput_rps) } else { 0.0 };
        let cut = props.view.cut.get(i).copied().unwrap_or(false);
        let breaker = props.view.breakers.get(i).copied().flatten();
        let selected = selected(Selection::Edge(i));
        let culled = !selected && !culling::line_in(&drawn, line);
        // A stand-in shows none of the numbers: it is not drawn again as they move.
        let (throughput_rps, breaker) = if culled { (0.0, None) } else { (throughput_rps, breaker) };
        let (from, to) = names.get(i).cloned().unwrap_or_default();
        let timeout_ms = doc.edges.get(i).and_then(|e| e.timeout_ms);
        batch::LinkLook {
            index: i,
            from,
            to,
            line,
            throughput_rps,
            cut,
            timeout_ms,
            breaker,
            selected,
            detailed,
            sketch,
            culled,
        }
    };
    let edges = batch::batches(lines.iter().enumerate().filter_map(|(i, line)| Some(link(i, (*line)?))));
    let carry = Same(Rc::clone(&g.carry));
    let edges = edges
        .into_iter()
        .map(|links| html! { <batch::LinkBatch {links} events={link_events.clone()} carry={carry.clone()} /> });
    let card_events = use_card_events(&g, props);
    // Each card's node, shared: a card compares it by address, and only the
    // nodes an edit changed get a new one.
    let shared = use_mut_ref(Vec::<Same<faultline_sim::scenario::Node>>::new);
    let card_nodes = {
        let shared = Rc::clone(&shared);
        use_memo(Same(Rc::clone(doc)), move |d| {
            let next = reuse_equal(&shared.borrow(), &d.0.nodes);
            shared.borrow_mut().clone_from(&next);
            next
        })
    };
    // Health tints move with hysteresis, on readouts only (see `health`).
    let tints = use_mut_ref(Tints::default);
    tints.borrow_mut().update(doc.nodes.iter().map(|n| n.id.as_str()), &props.view);
    let tints = tints.borrow();
    // Each client's results per operation (see `breakdown`), for its card here
    // and on the drag layer.
    let node_ops: Rc<Vec<Vec<OpLine>>> = Rc::new(
        doc.nodes
            .iter()
            .map(|n| match (&props.summary, &n.kind) {
                (Some(summary), NodeKind::Client(_)) if detailed => client_ops(doc, &n.id, &summary.ops),
                _ => Vec::new(),
            })
            .collect(),
    );
    let nodes = doc.nodes.iter().zip(card_nodes.iter()).enumerate().map(|(i, (n, node))| {
        let selected = selected(Selection::Node(i));
        let culled = !selected && focused != Some(i) && !culling::card_in(&drawn, n.x, n.y);
        let full = props.view.nodes.get(i);
        // A stand-in (or a zoomed-out card) shows only whether the node is
        // down or paused: it is not drawn again as the numbers move.
        let view = match full {
            Some(v) if detailed && !culled => v.clone(),
            Some(v) => card::coarse(v),
            None => Default::default(),
        };
        let health = if culled { Default::default() } else { tints.get(i) };
        let ops = if culled { Vec::new() } else { node_ops.get(i).cloned().unwrap_or_default() };
        let node = node.clone();
        batch::CardLook { index: i, node, view, health, selected, detailed, sketch, culled, ops }
    });
    let nodes = batch::batches(nodes)
        .into_iter()
        .map(|cards| html! { <batch::CardBatch {cards} events={card_events.clone()} carry={carry.clone()} /> });
    let nodes: Vec<Html> = nodes.collect();
    // The cards a drag carries (from its press), their tints as they were then.
    let carried = match &*g.drag {
        Drag::Move { nodes, .. } => Rc::clone(nodes),
        _ => Rc::default(),
    };
    let carried_tints = Rc::new(tints_of(&tints, &carried));
    drop(tints);
    let (region_boxes, zone_boxes) = &*placed;
    let zones = zone_boxes.iter().map(boxes::zone);
    let regions = region_boxes.iter().map(|b| boxes::region(b, &isolated));
    let overlay = match &*g.drag {
        Drag::Connect { from, x, y } => link_drawing::connecting_line(doc, *from, *x, *y),
        Drag::Band { x0, y0, x1, y1 } => Some(selecting::selection_box(*x0, *y0, *x1, *y1)),
        _ => None,
    };
    let map_shown = use_state(|| true);
    let toggle_map = {
        let map_shown = map_shown.clone();
        Callback::from(move |_: MouseEvent| map_shown.set(!*map_shown))
    };
    let on_centre = {
        let on_camera = props.on_camera.clone();
        Callback::from(move |(x, y): (f64, f64)| on_camera.emit(Some(cam.centred_on(x, y))))
    };
    html! {
        <div class="canvas-wrap">
            <svg class={classes!("graph", g.panning().then_some("panning"))} data-testid="canvas" ref={svg.clone()}
                viewBox={cam.view_box()} preserveAspectRatio="xMidYMid meet" role="application"
                aria-label="System design canvas: drag to pan, shift-drag to select, wheel to zoom"
                {onpointerdown} {onpointermove} onpointerup={onpointerup.clone()} onpointercancel={onpointerup}
                {ondragover} {ondrop}>
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
                        orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
                    </marker>
                </defs>
                { for regions }
                { for zones }
                { for edges }
                { for nodes }
                <lint_marks::LintLayer doc={Same(Rc::clone(doc))} lines={Same(Rc::clone(&lines))} marks={props.lint.clone()}
                    card={(crate::editor::layout::CARD_W, crate::editor::layout::CARD_H)} carry={Some(carry.clone())} />
                { overlay.unwrap_or_default() }
            </svg>
            // The cards a drag carries, over the canvas (see `drag_layer`):
            // always mounted, empty until a drag's first step.
            <DragLayer doc={Same(Rc::clone(doc))} view={Rc::clone(&props.view)} nodes={carried} ends={Same(Rc::clone(&ends))}
                tints={carried_tints} ops={Rc::clone(&node_ops)} selection={props.selection.clone()} {detailed} {sketch}
                view_box={cam.view_box()} {carry} card_events={card_events.clone()}
                link_events={link_events.clone()} particles={Rc::clone(&props.particles)} marks={props.lint.clone()} />
            // Drawn by the frame loop, never by a render (see `particle_layer`).
            <canvas class="particles" data-testid="particles" aria-hidden="true" ref={particle_canvas} />
            { zoom_buttons(cam, &props.on_camera) }
            // Only once the user has moved away from "fit" (not when adding a
            // card out of view moved the camera): then it shows where they
            // are. It can be hidden: on a small screen it covers cards.
            if props.navigated {
                <button class="btn small minimap-toggle" data-testid="minimap-toggle" aria-pressed={(*map_shown).to_string()}
                    onclick={toggle_map}>{ if *map_shown { "Hide map" } else { "Map" } }</button>
                if *map_shown {
                    <Minimap doc={Rc::clone(&props.doc.0)} camera={cam} {on_centre} />
                }
            }
        </div>
    }
}
