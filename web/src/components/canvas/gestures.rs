//! Pointer gestures on the canvas: pan (drag the background), pinch (two
//! fingers), carry cards (drag a card, with everything selected), connect
//! (drag a card's handle to another card) and the selection box
//! (shift-drag), plus the clicks on cards and links that select them.
//!
//! Why a module of its own: a gesture is a small state machine ([`Drag`])
//! fed by the background's pointer events and by the cards' and links'
//! events, and it is the part of the canvas that must stay cheap while the
//! pointer moves. Moving cards never renders the canvas per step: the
//! pointer's offset goes into the [`Carry`] and at most one animation frame
//! later into the drag layer (see `drag_layer`). Cards and links get one
//! stable callback each (`use_latest_callback`), so a render of the canvas
//! does not render them all again.

use super::camera::{Camera, Screen};
use super::card::CardEvent;
use super::drag_layer::{carried, Carry};
use super::link::LinkEvent;
use super::link_drawing::connect_target;
use super::selecting::{band_selection, toggle_or_only};
use super::viewport::{to_design, use_space_held};
use super::CanvasProps;
use crate::hooks::use_latest_callback;
use crate::state::{nodes_of, Selection};
use gloo::render::request_animation_frame;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// The gesture in progress. `Move`: cards carried from (x0, y0), lifted
/// onto the drag layer once the pointer has left the start (see [`Carry`]
/// for that and for where they are now: neither renders the canvas);
/// `screen`: where the canvas was on screen at the press (it stays there
/// while cards are carried), so that a pointer move reads no layout.
#[derive(Clone, Debug, PartialEq)]
pub enum Drag {
    Idle,
    Pan { cx: f64, cy: f64, cam: Camera, moved: bool },
    Move { nodes: Rc<Vec<usize>>, x0: f64, y0: f64, screen: Option<Screen> },
    Connect { from: usize, x: f64, y: f64 },
    Band { x0: f64, y0: f64, x1: f64, y1: f64 },
}

/// What every pointer handler of the canvas shares, for one render.
#[derive(Clone)]
pub struct Gestures {
    pub svg: NodeRef,
    pub drag: UseStateHandle<Drag>,
    pub carry: Rc<Carry>,
    /// Active pointers, for pinch zoom.
    pointers: Rc<RefCell<BTreeMap<i32, (f64, f64)>>>,
    /// Space held down: dragging anywhere, even on a card, pans.
    space: Rc<RefCell<bool>>,
    /// The card that last took the keyboard focus: drawn even off screen.
    pub focused: Rc<Cell<Option<usize>>>,
    cam: Camera,
    screen: Option<Screen>,
}

/// The background's pointer handlers.
pub struct Background {
    pub onpointerdown: Callback<PointerEvent>,
    pub onpointermove: Callback<PointerEvent>,
    /// Also the handler of `pointercancel`.
    pub onpointerup: Callback<PointerEvent>,
}

#[hook]
pub fn use_gestures(svg: &NodeRef, cam: Camera, screen: Option<Screen>) -> Gestures {
    let drag = use_state(|| Drag::Idle);
    let carry = use_memo((), |_| Carry::default());
    let pointers = use_mut_ref(BTreeMap::<i32, (f64, f64)>::new);
    let space = use_space_held();
    let focused = use_memo((), |_| Cell::new(None));
    Gestures { svg: svg.clone(), drag, carry, pointers, space, focused, cam, screen }
}

fn capture(node: &NodeRef, ev: &PointerEvent) {
    if let Some(el) = node.cast::<web_sys::Element>() {
        // Moves keep arriving even when the pointer leaves the canvas.
        let _ = el.set_pointer_capture(ev.pointer_id());
    }
}

impl Gestures {
    /// The pointer of `ev` in design coordinates.
    fn at(&self, ev: &MouseEvent) -> (f64, f64) {
        to_design(&self.svg, &self.cam, ev)
    }

    /// Counts a pointer going down; returns how many are down now.
    fn finger_down(&self, ev: &PointerEvent) -> usize {
        let mut p = self.pointers.borrow_mut();
        p.insert(ev.pointer_id(), (f64::from(ev.client_x()), f64::from(ev.client_y())));
        p.len()
    }

    /// A pan has moved the camera (the canvas shows a grabbing cursor).
    pub fn panning(&self) -> bool {
        matches!(&*self.drag, Drag::Pan { moved: true, .. })
    }

    /// `ends`: each link's end cards (see `layout::edge_ends`), to tell the
    /// links a lift hides.
    pub fn background(&self, props: &CanvasProps, ends: &Rc<Vec<Option<(usize, usize)>>>) -> Background {
        let onpointerdown = {
            let g = self.clone();
            Callback::from(move |ev: PointerEvent| {
                let fingers = g.finger_down(&ev);
                capture(&g.svg, &ev);
                if fingers >= 2 {
                    // A second finger: a pinch, not a pan (nor a carry).
                    g.carry.stop();
                    g.drag.set(Drag::Idle);
                } else if ev.shift_key() {
                    let (x, y) = g.at(&ev);
                    g.drag.set(Drag::Band { x0: x, y0: y, x1: x, y1: y });
                } else {
                    let (cx, cy) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
                    g.drag.set(Drag::Pan { cx, cy, cam: g.cam, moved: false });
                }
            })
        };
        let onpointermove = {
            let (g, on_camera, doc) = (self.clone(), props.on_camera.clone(), Rc::clone(&props.doc.0));
            let ends = Rc::clone(ends);
            Callback::from(move |ev: PointerEvent| {
                let here = (f64::from(ev.client_x()), f64::from(ev.client_y()));
                if let Some(cam) = g.pinch(&ev, here) {
                    on_camera.emit(Some(cam));
                    return;
                }
                let drag = &g.drag;
                match &**drag {
                    Drag::Idle => {}
                    Drag::Pan { cx, cy, cam: start, moved } => {
                        let (dx, dy) = (here.0 - cx, here.1 - cy);
                        if *moved || dx.abs() + dy.abs() > 3.0 {
                            let k = g.screen.map_or(1.0, |s| s.scale(start));
                            on_camera.emit(Some(start.moved(-dx / k, -dy / k)));
                            if !moved {
                                drag.set(Drag::Pan { cx: *cx, cy: *cy, cam: *start, moved: true });
                            }
                        }
                    }
                    Drag::Move { nodes, x0, y0, screen } => {
                        let (x, y) = match screen {
                            Some(s) => s.to_design(&g.cam, here.0, here.1),
                            None => g.at(&ev),
                        };
                        g.carry.at.set((x - x0, y - y0));
                        if g.carry.pending.replace(true) {
                            return; // the frame already requested draws this too
                        }
                        let (held, doc, ends) = (Rc::clone(&g.carry), Rc::clone(&doc), Rc::clone(&ends));
                        let nodes = Rc::clone(nodes);
                        *g.carry.frame.borrow_mut() = Some(request_animation_frame(move |_| {
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
                            if carry.lifted_cards().is_empty() && (dx, dy) != (0.0, 0.0) {
                                carry.lift(nodes, &ends);
                            }
                        }));
                    }
                    Drag::Connect { from, .. } => {
                        let (x, y) = g.at(&ev);
                        drag.set(Drag::Connect { from: *from, x, y });
                    }
                    Drag::Band { x0, y0, .. } => {
                        let (x, y) = g.at(&ev);
                        drag.set(Drag::Band { x0: *x0, y0: *y0, x1: x, y1: y });
                    }
                }
            })
        };
        let onpointerup = {
            let (g, doc) = (self.clone(), Rc::clone(&props.doc.0));
            let (on_select, on_move, on_connect) =
                (props.on_select.clone(), props.on_move.clone(), props.on_connect.clone());
            let selection = props.selection.clone();
            Callback::from(move |ev: PointerEvent| {
                g.pointers.borrow_mut().remove(&ev.pointer_id());
                match &*g.drag {
                    Drag::Pan { moved: false, .. } => on_select.emit(Vec::new()),
                    Drag::Move { nodes, .. } => {
                        // Where the pointer is, even if no frame has drawn it yet.
                        g.carry.stop();
                        let (dx, dy) = g.carry.at.get();
                        if dx.abs() + dy.abs() > 2.0 {
                            on_move.emit((nodes.to_vec(), dx, dy));
                        }
                    }
                    Drag::Connect { from, x, y } => {
                        if let Some(to) = connect_target(&doc, *x, *y) {
                            on_connect.emit((*from, to));
                        }
                    }
                    Drag::Band { x0, y0, x1, y1 } => {
                        on_select.emit(band_selection(&doc, &selection, (*x0, *y0), (*x1, *y1)));
                    }
                    _ => {}
                }
                g.drag.set(Drag::Idle);
            })
        };
        Background { onpointerdown, onpointermove, onpointerup }
    }

    /// Keyboard focus landing on something centred at `at` off screen (Tab
    /// walks every card and link, drawn or not: see `culling`) brings the
    /// camera there, keeping its zoom. Focus from a pointer (a click on a
    /// card at the screen's edge) leaves the camera alone.
    fn bring_into_view(&self, ev: &FocusEvent, at: (f64, f64), on_camera: &Callback<Option<Camera>>) {
        use wasm_bindgen::JsCast;
        let keyboard = (ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()))
            .is_some_and(|el| el.matches(":focus-visible").unwrap_or(false));
        if keyboard && !super::culling::centre_in(&super::culling::shown(&self.cam, self.screen), at.0, at.1) {
            on_camera.emit(Some(self.cam.centred_on(at.0, at.1)));
        }
    }

    /// Notes the pointer of `ev` now at `here`; with two fingers down, the
    /// camera their pinch asks for.
    fn pinch(&self, ev: &PointerEvent, here: (f64, f64)) -> Option<Camera> {
        let (before, after) = {
            let mut p = self.pointers.borrow_mut();
            let before: Vec<(f64, f64)> = p.values().copied().collect();
            if let Some(slot) = p.get_mut(&ev.pointer_id()) {
                *slot = here;
            }
            let after: Vec<(f64, f64)> = p.values().copied().collect();
            (before.len() == 2).then_some((before, after))?
        };
        let s = self.screen?;
        let dist = |v: &[(f64, f64)]| ((v[0].0 - v[1].0).powi(2) + (v[0].1 - v[1].1).powi(2)).sqrt().max(1.0);
        let (mx, my) = ((after[0].0 + after[1].0) / 2.0, (after[0].1 + after[1].1) / 2.0);
        let (px, py) = s.to_design(&self.cam, mx, my);
        Some(self.cam.zoom_at(dist(&before) / dist(&after), px, py))
    }
}

/// One stable callback for all cards (see `card::Card`); it calls the
/// handler of the latest render. A card pressed selects it (shift toggles)
/// and starts carrying the selection; its handle starts a connection.
#[hook]
pub fn use_card_events(g: &Gestures, props: &CanvasProps) -> Callback<CardEvent> {
    use_latest_callback({
        let (g, on_select, on_context) = (g.clone(), props.on_select.clone(), props.on_context.clone());
        let (selection, doc, on_camera) = (props.selection.clone(), Rc::clone(&props.doc.0), props.on_camera.clone());
        Callback::from(move |e: CardEvent| match e {
            CardEvent::Down(i, ev) => {
                if *g.space.borrow() {
                    return; // the canvas pans
                }
                ev.stop_propagation();
                // The canvas counts fingers on cards too: on a tablet, two
                // fingers that land on cards pinch the canvas.
                if g.finger_down(&ev) >= 2 {
                    g.carry.stop();
                    capture(&g.svg, &ev);
                    g.drag.set(Drag::Idle);
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
                    capture(&g.svg, &ev);
                    let (x0, y0) = g.at(&ev);
                    g.carry.start();
                    let screen = super::viewport::screen_of(&g.svg);
                    g.drag.set(Drag::Move { nodes: Rc::new(moving), x0, y0, screen });
                }
            }
            CardEvent::Handle(i, ev) => {
                ev.stop_propagation();
                capture(&g.svg, &ev);
                let (x, y) = g.at(&ev);
                g.drag.set(Drag::Connect { from: i, x, y });
            }
            // Focus alone never selects (Tab and Shift+Tab pass over cards
            // without changing what the fault bar and the inspector show);
            // Enter or Space does, as a click would.
            CardEvent::Key(i, ev) => {
                if matches!(ev.key().as_str(), "Enter" | " ") {
                    ev.prevent_default();
                    on_select.emit(toggle_or_only(&selection, Selection::Node(i), ev.shift_key()));
                }
            }
            CardEvent::Context(i, ev) => context_for(&on_context, Selection::Node(i)).emit(ev),
            CardEvent::Focus(i, ev) => {
                g.focused.set(Some(i));
                if let Some(n) = doc.nodes.get(i) {
                    g.bring_into_view(&ev, (n.x, n.y), &on_camera);
                }
            }
        })
    })
}

/// One stable callback for all links, as for cards: a click selects the
/// link (shift toggles), a right-click opens its fault menu. From the
/// keyboard, Enter or Space selects the focused link and the arrow keys go to
/// the other links of the node it leaves from (selecting each).
#[hook]
pub fn use_link_events(g: &Gestures, props: &CanvasProps) -> Callback<LinkEvent> {
    use_latest_callback({
        let (on_select, on_context, selection) =
            (props.on_select.clone(), props.on_context.clone(), props.selection.clone());
        let (g, on_camera) = (g.clone(), props.on_camera.clone());
        let doc = Rc::clone(&props.doc.0);
        Callback::from(move |e: LinkEvent| match e {
            LinkEvent::Down(i, ev) => {
                ev.stop_propagation();
                on_select.emit(toggle_or_only(&selection, Selection::Edge(i), ev.shift_key()));
            }
            LinkEvent::Key(i, ev) => {
                let step: isize = match ev.key().as_str() {
                    "Enter" | " " => {
                        ev.prevent_default();
                        on_select.emit(toggle_or_only(&selection, Selection::Edge(i), ev.shift_key()));
                        return;
                    }
                    "ArrowRight" | "ArrowDown" => 1,
                    "ArrowLeft" | "ArrowUp" => -1,
                    _ => return,
                };
                // Not a nudge: the page's shortcut listener must not see it.
                ev.prevent_default();
                ev.stop_propagation();
                let Some(from) = doc.edges.get(i).map(|e| e.from.clone()) else { return };
                let siblings: Vec<usize> = (0..doc.edges.len()).filter(|&k| doc.edges[k].from == from).collect();
                let at = siblings.iter().position(|&k| k == i).unwrap_or(0) as isize;
                let next = siblings[(at + step).rem_euclid(siblings.len() as isize) as usize];
                let e = &doc.edges[next];
                let selector = format!("[data-testid=\"edge-{}-{}\"]", e.from, e.to);
                if let Ok(Some(el)) = gloo::utils::document().query_selector(&selector) {
                    crate::modal::focus(&el);
                }
                on_select.emit(vec![Selection::Edge(next)]);
            }
            LinkEvent::Context(i, ev) => context_for(&on_context, Selection::Edge(i)).emit(ev),
            LinkEvent::Focus(i, ev) => {
                let ends = doc.edges.get(i).and_then(|e| {
                    let at = |id: &str| doc.nodes.iter().find(|n| n.id == id).map(|n| (n.x, n.y));
                    Some((at(&e.from)?, at(&e.to)?))
                });
                if let Some(((ax, ay), (bx, by))) = ends {
                    g.bring_into_view(&ev, ((ax + bx) / 2.0, (ay + by) / 2.0), &on_camera);
                }
            }
        })
    })
}

/// A right-click handler that opens the fault menu for `item` at the pointer.
fn context_for(on_context: &Callback<(Selection, f64, f64)>, item: Selection) -> Callback<MouseEvent> {
    on_context.reform(move |ev: MouseEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        (item, f64::from(ev.client_x()), f64::from(ev.client_y()))
    })
}
