//! The canvas's window onto the design: its size on screen, the wheel zoom,
//! the zoom buttons, and the space bar that turns any drag into a pan.
//!
//! Why a module of its own: these only move the camera (the App keeps it;
//! the canvas asks through `on_camera`) and never touch the design or the
//! selection, unlike the gestures in `gestures.rs`. The DOM listeners here
//! are registered once, not on every render, and the size is measured when
//! it changes, never during a render (that would force a layout each frame).

use super::camera::{Camera, Screen};
use crate::hooks::use_latest_callback;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Where the element behind `node` is on screen, now.
pub fn screen_of(node: &NodeRef) -> Option<Screen> {
    let el = node.cast::<web_sys::Element>()?;
    let r = el.get_bounding_client_rect();
    Some(Screen { left: r.left(), top: r.top(), width: r.width(), height: r.height() })
}

/// The pointer of `ev` in design coordinates, through `cam`.
pub fn to_design(svg: &NodeRef, cam: &Camera, ev: &MouseEvent) -> (f64, f64) {
    screen_of(svg).map_or((0.0, 0.0), |s| s.to_design(cam, f64::from(ev.client_x()), f64::from(ev.client_y())))
}

/// The canvas's size on screen, measured whenever it changes (a panel
/// opening resizes it too).
#[hook]
pub fn use_measured(svg: &NodeRef) -> Option<Screen> {
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
    *measured
}

/// Whether the space bar is held down (not while typing in a field): then
/// dragging anywhere, even on a card, pans.
#[hook]
pub fn use_space_held() -> Rc<RefCell<bool>> {
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
    space
}

/// Wheel zoom through a non-passive listener (Yew's are passive, and the
/// page must not scroll or zoom while the canvas does). The listener is
/// registered once and calls the handler of the latest render.
#[hook]
pub fn use_wheel_zoom(svg: &NodeRef, cam: Camera, on_camera: &Callback<Option<Camera>>) {
    let wheel = use_latest_callback({
        let (svg, on_camera) = (svg.clone(), on_camera.clone());
        Callback::from(move |ev: WheelEvent| {
            ev.prevent_default();
            let (px, py) = to_design(&svg, &cam, &ev);
            on_camera.emit(Some(cam.zoom_at((ev.delta_y() * 0.0015).exp(), px, py)));
        })
    });
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

/// The zoom buttons: in, out, and back to fitting the whole design.
pub fn zoom_buttons(cam: Camera, on_camera: &Callback<Option<Camera>>) -> Html {
    let zoom = |factor: f64| {
        let on_camera = on_camera.clone();
        Callback::from(move |_: MouseEvent| {
            let (cx, cy) = cam.centre();
            on_camera.emit(Some(cam.zoom_at(factor, cx, cy)));
        })
    };
    let on_fit = on_camera.reform(|_: MouseEvent| None);
    html! {
        <div class="zoom" role="group" aria-label="Zoom">
            <button class="btn small" data-testid="zoom-in" aria-label="Zoom in" onclick={zoom(0.8)}>{ "+" }</button>
            <button class="btn small" data-testid="zoom-out" aria-label="Zoom out" onclick={zoom(1.25)}>{ "−" }</button>
            <button class="btn small" data-testid="zoom-fit" aria-label="Zoom to fit" onclick={on_fit}>{ "Fit" }</button>
        </div>
    }
}
