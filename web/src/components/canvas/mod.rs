//! The canvas: the design as SVG, live, and every pointer gesture on it.
//!
//! Gestures follow the conventions of design tools: drag a card to move it
//! (with everything selected), drag its handle to another card to connect,
//! drag the background to pan (shift-drag for a selection rectangle), wheel
//! or pinch to zoom. The canvas never edits the document itself: it reports
//! intents (`on_move`, `on_connect`, ...) and the app applies them, so every
//! change goes through validation and undo.

pub mod camera;
pub mod card;
pub mod drag_layer;
pub mod health;
pub mod link;
pub mod minimap;
pub mod particle_layer;

use crate::editor::layout::{
    edge_ends, edge_lines, isolated_regions, node_at, nodes_in, region_boxes, zone_boxes, Line, RegionBox,
};
use crate::hooks::use_latest_callback;
use crate::same::{reuse_equal, Same};
use crate::state::{nodes_of, Selection};
use camera::{Camera, Screen};
use drag_layer::{carried, tints_of, Carry, DragLayer};
use faultline_sim::{Scenario, SimView};
use gloo::render::request_animation_frame;
use health::Tints;
use minimap::Minimap;
use particle_layer::ParticleLayer;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// The drag-and-drop data type a palette item carries.
pub const DRAG_KIND: &str = "application/x-faultline-kind";

#[derive(Properties, PartialEq)]
pub struct CanvasProps {
    pub doc: Rc<Scenario>,
    pub view: Rc<SimView>,
    pub selection: Vec<Selection>,
    /// The canvas the frame loop draws the particles on; this component
    /// mounts it over the SVG and tells it the camera.
    pub particles: Rc<ParticleLayer>,
    /// `None`: fit the whole design.
    pub camera: Option<Camera>,
    pub on_camera: Callback<Option<Camera>>,
    pub on_select: Callback<Vec<Selection>>,
    /// Move these nodes by (dx, dy) design pixels.
    pub on_move: Callback<(Vec<usize>, f64, f64)>,
    pub on_connect: Callback<(usize, usize)>,
    /// A palette kind dropped at a design point.
    pub on_drop_kind: Callback<(String, f64, f64)>,
    /// Right-click on a node or a link: the fault menu there (client x, y).
    pub on_context: Callback<(Selection, f64, f64)>,
}

/// The gesture in progress. `Move`: cards carried from (x0, y0); `lifted`
/// once the pointer has left the start, when the drag layer takes them over
/// (see [`Carry`] for where they are now).
#[derive(Clone, Debug, PartialEq)]
enum Drag {
    Idle,
    Pan { cx: f64, cy: f64, cam: Camera, moved: bool },
    Move { nodes: Rc<Vec<usize>>, x0: f64, y0: f64, lifted: bool },
    Connect { from: usize, x: f64, y: f64 },
    Band { x0: f64, y0: f64, x1: f64, y1: f64 },
}

fn screen_of(node: &NodeRef) -> Option<Screen> {
    let el = node.cast::<web_sys::Element>()?;
    let r = el.get_bounding_client_rect();
    Some(Screen { left: r.left(), top: r.top(), width: r.width(), height: r.height() })
}

fn capture(node: &NodeRef, ev: &PointerEvent) {
    if let Some(el) = node.cast::<web_sys::Element>() {
        // Moves keep arriving even when the pointer leaves the canvas.
        let _ = el.set_pointer_capture(ev.pointer_id());
    }
}

#[component]
pub fn Canvas(props: &CanvasProps) -> Html {
    let svg = use_node_ref();
    let drag = use_state(|| Drag::Idle);
    let carry = use_memo((), |_| Carry::default());
    // Active pointers, for pinch zoom.
    let pointers = use_mut_ref(BTreeMap::<i32, (f64, f64)>::new);
    // Space held down: dragging anywhere, even on a card, pans.
    let space = use_mut_ref(|| false);
    {
        let space = space.clone();
        use_effect_with((), move |_| {
            let typing = |ev: &web_sys::Event| {
                use wasm_bindgen::JsCast;
                ev.target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON"))
            };
            let doc = gloo::utils::document();
            let down = {
                let space = space.clone();
                gloo::events::EventListener::new(&doc, "keydown", move |ev| {
                    use wasm_bindgen::JsCast;
                    if ev.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.code() == "Space") && !typing(ev) {
                        *space.borrow_mut() = true;
                    }
                })
            };
            let up = gloo::events::EventListener::new(&doc, "keyup", move |ev| {
                use wasm_bindgen::JsCast;
                if ev.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.code() == "Space") {
                    *space.borrow_mut() = false;
                }
            });
            move || drop((down, up))
        });
    }
    let cam = props.camera.unwrap_or_else(|| Camera::fit(&props.doc));
    // The canvas's size on screen, measured whenever it changes (a panel
    // opening resizes it too), never during render: that would force a
    // layout every frame.
    let measured = use_state(|| None::<Screen>);
    {
        let (svg, measured) = (svg.clone(), measured.clone());
        use_effect_with((), move |_| {
            let watch = svg.cast::<web_sys::Element>().map(|el| {
                let (svg, last) = (svg.clone(), std::cell::Cell::new(None));
                crate::resize::Watch::new(&el, move || {
                    let now = screen_of(&svg);
                    if last.replace(now) != now {
                        measured.set(now);
                    }
                })
            });
            move || drop(watch)
        });
    }
    let screen = *measured;
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
    let scale = screen.map_or(1.0, |s| s.scale(&cam));
    let to_design = {
        let svg = svg.clone();
        move |cam: &Camera, ev: &MouseEvent| {
            screen_of(&svg).map_or((0.0, 0.0), |s| s.to_design(cam, f64::from(ev.client_x()), f64::from(ev.client_y())))
        }
    };

    let doc = &props.doc;
    // Cards being dragged: the drag layer draws them, and the links that
    // touch them; here they stay where they were, hidden.
    let lifted: &[usize] = match &*drag {
        Drag::Move { nodes, lifted: true, .. } => nodes,
        _ => &[],
    };
    let is_lifted = |i: usize| lifted.contains(&i);

    let onpointerdown = {
        let (drag, svg, pointers) = (drag.clone(), svg.clone(), pointers.clone());
        let to_design = to_design.clone();
        Callback::from(move |ev: PointerEvent| {
            let fingers = {
                let mut p = pointers.borrow_mut();
                p.insert(ev.pointer_id(), (f64::from(ev.client_x()), f64::from(ev.client_y())));
                p.len()
            };
            capture(&svg, &ev);
            if fingers >= 2 {
                // A second finger: a pinch, not a pan.
                drag.set(Drag::Idle);
            } else if ev.shift_key() {
                let (x, y) = to_design(&cam, &ev);
                drag.set(Drag::Band { x0: x, y0: y, x1: x, y1: y });
            } else {
                drag.set(Drag::Pan { cx: f64::from(ev.client_x()), cy: f64::from(ev.client_y()), cam, moved: false });
            }
        })
    };
    let onpointermove = {
        let (drag, pointers, on_camera) = (drag.clone(), pointers.clone(), props.on_camera.clone());
        let (carry, doc) = (Rc::clone(&carry), Rc::clone(doc));
        let to_design = to_design.clone();
        Callback::from(move |ev: PointerEvent| {
            let here = (f64::from(ev.client_x()), f64::from(ev.client_y()));
            let pinch = {
                let mut p = pointers.borrow_mut();
                let before: Vec<(f64, f64)> = p.values().copied().collect();
                if let Some(slot) = p.get_mut(&ev.pointer_id()) {
                    *slot = here;
                }
                let after: Vec<(f64, f64)> = p.values().copied().collect();
                (before.len() == 2).then_some((before, after))
            };
            if let (Some((before, after)), Some(s)) = (pinch, screen) {
                let dist = |v: &[(f64, f64)]| ((v[0].0 - v[1].0).powi(2) + (v[0].1 - v[1].1).powi(2)).sqrt().max(1.0);
                let (mx, my) = ((after[0].0 + after[1].0) / 2.0, (after[0].1 + after[1].1) / 2.0);
                let (px, py) = s.to_design(&cam, mx, my);
                on_camera.emit(Some(cam.zoom_at(dist(&before) / dist(&after), px, py)));
                return;
            }
            match &*drag {
                Drag::Idle => {}
                Drag::Pan { cx, cy, cam: start, moved } => {
                    let (dx, dy) = (here.0 - cx, here.1 - cy);
                    if *moved || dx.abs() + dy.abs() > 3.0 {
                        let k = screen.map_or(1.0, |s| s.scale(start));
                        on_camera.emit(Some(start.moved(-dx / k, -dy / k)));
                        if !moved {
                            drag.set(Drag::Pan { cx: *cx, cy: *cy, cam: *start, moved: true });
                        }
                    }
                }
                Drag::Move { nodes, x0, y0, lifted } => {
                    let (x, y) = to_design(&cam, &ev);
                    carry.at.set((x - x0, y - y0));
                    if carry.pending.replace(true) {
                        return; // the frame already requested draws this too
                    }
                    let (drag, held, doc) = (drag.clone(), Rc::clone(&carry), Rc::clone(&doc));
                    let (nodes, x0, y0, lifted) = (Rc::clone(nodes), *x0, *y0, *lifted);
                    *carry.frame.borrow_mut() = Some(request_animation_frame(move |_| {
                        let carry = &held;
                        if !carry.pending.replace(false) {
                            return;
                        }
                        let (dx, dy) = carry.at.get();
                        let place = |(dx, dy): (f64, f64)| {
                            let carried = |n| carried(n, dx, dy);
                            nodes.iter().filter_map(|&i| doc.nodes.get(i)).map(carried).collect::<Vec<_>>()
                        };
                        // Drawn again only when a card lands somewhere else.
                        if place((dx, dy)) != place(carry.shown.get()) {
                            carry.show((dx, dy));
                        }
                        // The first step lifts the cards onto the drag layer.
                        if !lifted && (dx, dy) != (0.0, 0.0) {
                            drag.set(Drag::Move { nodes, x0, y0, lifted: true });
                        }
                    }));
                }
                Drag::Connect { from, .. } => {
                    let (x, y) = to_design(&cam, &ev);
                    drag.set(Drag::Connect { from: *from, x, y });
                }
                Drag::Band { x0, y0, .. } => {
                    let (x, y) = to_design(&cam, &ev);
                    drag.set(Drag::Band { x0: *x0, y0: *y0, x1: x, y1: y });
                }
            }
        })
    };
    let onpointerup = {
        let (drag, pointers, doc, carry) = (drag.clone(), pointers.clone(), Rc::clone(&props.doc), Rc::clone(&carry));
        let (on_select, on_move, on_connect) =
            (props.on_select.clone(), props.on_move.clone(), props.on_connect.clone());
        let selection = props.selection.clone();
        Callback::from(move |ev: PointerEvent| {
            pointers.borrow_mut().remove(&ev.pointer_id());
            match &*drag {
                Drag::Pan { moved: false, .. } => on_select.emit(Vec::new()),
                Drag::Move { nodes, .. } => {
                    // Where the pointer is, even if no frame has drawn it yet.
                    carry.stop();
                    let (dx, dy) = carry.at.get();
                    if dx.abs() + dy.abs() > 2.0 {
                        on_move.emit((nodes.to_vec(), dx, dy));
                    }
                }
                Drag::Connect { from, x, y } => {
                    if let Some(to) = node_at(&doc, *x, *y) {
                        on_connect.emit((*from, to));
                    }
                }
                Drag::Band { x0, y0, x1, y1 } => {
                    let mut next = selection.clone();
                    for i in nodes_in(&doc, (*x0, *y0), (*x1, *y1)) {
                        if !next.contains(&Selection::Node(i)) {
                            next.push(Selection::Node(i));
                        }
                    }
                    on_select.emit(next);
                }
                _ => {}
            }
            drag.set(Drag::Idle);
        })
    };
    // Wheel zoom through a non-passive listener (Yew's are passive, and the
    // page must not scroll or zoom while the canvas does). The listener is
    // registered once and calls the handler of the latest render.
    let wheel = use_latest_callback({
        let on_camera = props.on_camera.clone();
        let to_design = to_design.clone();
        Callback::from(move |ev: WheelEvent| {
            ev.prevent_default();
            let (px, py) = to_design(&cam, &ev);
            on_camera.emit(Some(cam.zoom_at((ev.delta_y() * 0.0015).exp(), px, py)));
        })
    });
    {
        let svg = svg.clone();
        use_effect_with((), move |_| {
            let listener = svg.cast::<web_sys::Element>().map(|el| {
                gloo::events::EventListener::new_with_options(
                    &el,
                    "wheel",
                    gloo::events::EventListenerOptions::enable_prevent_default(),
                    move |ev| {
                        use wasm_bindgen::JsCast;
                        if let Some(ev) = ev.dyn_ref::<WheelEvent>() {
                            wheel.emit(ev.clone());
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }
    let ondragover = Callback::from(|ev: DragEvent| ev.prevent_default());
    let ondrop = {
        let on_drop_kind = props.on_drop_kind.clone();
        let to_design = to_design.clone();
        Callback::from(move |ev: DragEvent| {
            ev.prevent_default();
            let kind = ev.data_transfer().and_then(|d| d.get_data(DRAG_KIND).ok()).unwrap_or_default();
            if !kind.is_empty() {
                let (x, y) = to_design(&cam, &ev);
                on_drop_kind.emit((kind, x, y));
            }
        })
    };

    let selected = |s: Selection| props.selection.contains(&s);
    let detailed = scale >= card::DETAIL_SCALE;
    // Geometry worked out again only on edits; while cards are dragged, only
    // what touches them.
    let lines = use_memo(Same(Rc::clone(doc)), |d| edge_lines(&d.0));
    let ends = use_memo(Same(Rc::clone(doc)), |d| edge_ends(&d.0));
    let placed = use_memo(Same(Rc::clone(doc)), |d| (region_boxes(&d.0, &[]), zone_boxes(&d.0, &[])));
    // Regions a partition has cut off from the rest (every link across the
    // border cut): their boxes are drawn cut.
    let isolated = use_memo((Same(Rc::clone(doc)), props.view.cut.clone()), |(d, cut)| isolated_regions(&d.0, cut));
    // One stable callback for all links, as for cards.
    let link_events = use_latest_callback({
        let (on_select, on_context, selection) =
            (props.on_select.clone(), props.on_context.clone(), props.selection.clone());
        Callback::from(move |e: link::LinkEvent| match e {
            link::LinkEvent::Down(i, ev) => {
                ev.stop_propagation();
                on_select.emit(toggle_or_only(&selection, Selection::Edge(i), ev.shift_key()));
            }
            link::LinkEvent::Context(i, ev) => context_for(&on_context, Selection::Edge(i)).emit(ev),
        })
    });
    let link = |i: usize, e: &faultline_sim::scenario::Edge, line: Line| {
        let throughput_rps = if detailed { props.view.edges.get(i).map_or(0.0, |l| l.throughput_rps) } else { 0.0 };
        let cut = props.view.cut.get(i).copied().unwrap_or(false);
        let breaker = props.view.breakers.get(i).copied().flatten();
        let lifted = ends.get(i).copied().flatten().is_some_and(|(a, b)| is_lifted(a) || is_lifted(b));
        html! {
            <link::Link index={i} from={e.from.clone()} to={e.to.clone()} {line} {throughput_rps} {cut} {breaker}
                selected={selected(Selection::Edge(i))} {detailed} events={link_events.clone()} {lifted} />
        }
    };
    let edges = doc.edges.iter().zip(lines.iter()).enumerate();
    let edges = edges.filter_map(|(i, (e, line))| Some(link(i, e, (*line)?)));
    // One stable callback for all cards (see `card::Card`); it calls the
    // handler of the latest render.
    let card_events = use_latest_callback({
        let (drag, svg, on_select, on_context) =
            (drag.clone(), svg.clone(), props.on_select.clone(), props.on_context.clone());
        let selection = props.selection.clone();
        let to_design = to_design.clone();
        let (space, carry, pointers) = (space.clone(), Rc::clone(&carry), pointers.clone());
        Callback::from(move |e: card::CardEvent| match e {
            card::CardEvent::Down(i, ev) => {
                if *space.borrow() {
                    return; // the canvas pans
                }
                ev.stop_propagation();
                // The canvas counts fingers on cards too: on a tablet, two
                // fingers that land on cards pinch the canvas.
                let fingers = {
                    let mut p = pointers.borrow_mut();
                    p.insert(ev.pointer_id(), (f64::from(ev.client_x()), f64::from(ev.client_y())));
                    p.len()
                };
                if fingers >= 2 {
                    carry.stop();
                    capture(&svg, &ev);
                    drag.set(Drag::Idle);
                    return;
                }
                if ev.button() != 0 {
                    return;
                }
                let next = if selection.contains(&Selection::Node(i)) && !ev.shift_key() {
                    selection.clone()
                } else {
                    toggle_or_only(&selection, Selection::Node(i), ev.shift_key())
                };
                let moving = nodes_of(&next);
                if next != selection {
                    on_select.emit(next);
                }
                if moving.contains(&i) {
                    capture(&svg, &ev);
                    let (x0, y0) = to_design(&cam, &ev);
                    carry.start();
                    drag.set(Drag::Move { nodes: Rc::new(moving), x0, y0, lifted: false });
                }
            }
            card::CardEvent::Handle(i, ev) => {
                ev.stop_propagation();
                capture(&svg, &ev);
                let (x, y) = to_design(&cam, &ev);
                drag.set(Drag::Connect { from: i, x, y });
            }
            card::CardEvent::Focus(i) => {
                if !selection.contains(&Selection::Node(i)) {
                    on_select.emit(vec![Selection::Node(i)]);
                }
            }
            card::CardEvent::Context(i, ev) => context_for(&on_context, Selection::Node(i)).emit(ev),
        })
    });
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
    let nodes = doc.nodes.iter().zip(card_nodes.iter()).enumerate().map(|(i, (n, node))| {
        let full = props.view.nodes.get(i).cloned().unwrap_or_default();
        let health = tints.get(i);
        let view = if detailed { full } else { card::coarse(&full) };
        html! {
            <card::Card key={n.id.clone()} index={i} node={node.clone()} {view} {health}
                selected={selected(Selection::Node(i))} {detailed} lifted={is_lifted(i)} events={card_events.clone()} />
        }
    });
    let nodes: Vec<Html> = nodes.collect();
    let lifted_tints = Rc::new(tints_of(&tints, lifted));
    drop(tints);
    let (region_boxes, zone_boxes) = &*placed;
    let zones = zone_boxes.iter().map(|b: &RegionBox| {
        html! {
            <g class="zone" data-testid={format!("zone-{}", b.name)}>
                <rect x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="10" />
                <text x={(b.x + 10.0).to_string()} y={(b.y + 15.0).to_string()}>{ b.name.clone() }</text>
            </g>
        }
    });
    let regions = region_boxes.iter().map(|b: &RegionBox| {
        let cut = isolated.contains(&b.name);
        html! {
            <g class={classes!("region", cut.then_some("cut"))} data-testid={format!("region-{}", b.name)}
                data-cut={cut.to_string()}>
                <rect x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="14" />
                <text x={(b.x + 12.0).to_string()} y={(b.y + 18.0).to_string()}>{ b.name.clone() }</text>
                if cut {
                    <text class="region-cut" x={(b.x + b.w - 12.0).to_string()} y={(b.y + 18.0).to_string()}
                        text-anchor="end">{ "✂ partitioned" }</text>
                    <title>{ format!("{}: every link across its border is cut", b.name) }</title>
                }
            </g>
        }
    });
    let overlay = match &*drag {
        Drag::Connect { from, x, y } => doc.nodes.get(*from).map(|n| {
            html! { <line class="connecting" x1={(n.x + 95.0).to_string()} y1={n.y.to_string()}
            x2={x.to_string()} y2={y.to_string()} /> }
        }),
        Drag::Band { x0, y0, x1, y1 } => Some(html! {
            <rect class="band" x={x0.min(*x1).to_string()} y={y0.min(*y1).to_string()}
                width={(x1 - x0).abs().to_string()} height={(y1 - y0).abs().to_string()} />
        }),
        _ => None,
    };
    let zoom = |factor: f64| {
        let on_camera = props.on_camera.clone();
        Callback::from(move |_: MouseEvent| {
            let (cx, cy) = cam.centre();
            on_camera.emit(Some(cam.zoom_at(factor, cx, cy)));
        })
    };
    let on_fit = props.on_camera.reform(|_: MouseEvent| None);
    let on_centre = {
        let on_camera = props.on_camera.clone();
        Callback::from(move |(x, y): (f64, f64)| on_camera.emit(Some(cam.centred_on(x, y))))
    };
    let panning = matches!(&*drag, Drag::Pan { moved: true, .. });
    html! {
        <div class="canvas-wrap">
            <svg class={classes!("graph", panning.then_some("panning"))} data-testid="canvas" ref={svg.clone()}
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
                { overlay.unwrap_or_default() }
            </svg>
            // The cards a drag carries, over the canvas (see `drag_layer`).
            if let Drag::Move { nodes, lifted: true, .. } = &*drag {
                <DragLayer doc={Same(Rc::clone(doc))} view={Rc::clone(&props.view)} nodes={Rc::clone(nodes)} ends={Same(Rc::clone(&ends))}
                    tints={lifted_tints} selection={props.selection.clone()} {detailed}
                    view_box={cam.view_box()} carry={Same(Rc::clone(&carry))} card_events={card_events.clone()}
                    link_events={link_events.clone()} particles={Rc::clone(&props.particles)} />
            }
            // Drawn by the frame loop, never by a render (see `particle_layer`).
            <canvas class="particles" data-testid="particles" aria-hidden="true" ref={particle_canvas} />
            <div class="zoom" role="group" aria-label="Zoom">
                <button class="btn small" data-testid="zoom-in" aria-label="Zoom in" onclick={zoom(0.8)}>{ "+" }</button>
                <button class="btn small" data-testid="zoom-out" aria-label="Zoom out" onclick={zoom(1.25)}>{ "−" }</button>
                <button class="btn small" data-testid="zoom-fit" aria-label="Zoom to fit" onclick={on_fit}>{ "Fit" }</button>
            </div>
            // Only once the user has moved away from "fit": then it shows where they are.
            if props.camera.is_some() {
                <Minimap doc={Rc::clone(&props.doc)} camera={cam} {on_centre} />
            }
        </div>
    }
}

/// A right-click handler that opens the fault menu for `item` at the pointer.
fn context_for(on_context: &Callback<(Selection, f64, f64)>, item: Selection) -> Callback<MouseEvent> {
    on_context.reform(move |ev: MouseEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        (item, f64::from(ev.client_x()), f64::from(ev.client_y()))
    })
}

/// Shift-click toggles one item in the selection; a plain click selects only it.
fn toggle_or_only(selection: &[Selection], item: Selection, shift: bool) -> Vec<Selection> {
    if !shift {
        return vec![item];
    }
    let mut next: Vec<Selection> = selection.iter().copied().filter(|s| *s != item).collect();
    if next.len() == selection.len() {
        next.push(item);
    }
    next
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
}
