//! The history diagram of a linearizability violation: opened from a store's
//! "NOT linearizable" verdict on the canvas, it draws the few operations no
//! order fits (the checker's explanation, see `check::explain`) as bars per
//! client process over time, the offending read marked, and says in one
//! sentence why.
//!
//! Why a document listener opens it: the verdict is a label inside a card
//! inside the canvas's SVG, whose pointer and key handling belong to the
//! canvas. The label only carries `data-violation` (the store's id), is
//! focusable and says it is a button; presses, clicks and Enter/Space on it
//! reach this host (listening in the capture phase, before the card's own
//! handlers), which keeps the canvas's callbacks as they were.

pub mod layout;

use crate::same::Same;
use faultline_sim::view::ViolationView;
use faultline_sim::{Scenario, SimView};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The attribute that marks a verdict that opens the diagram (its value:
/// the store's id).
pub const OPENER: &str = "data-violation";

#[derive(Properties, PartialEq)]
pub struct ViolationHostProps {
    /// By address, as the canvas's.
    pub doc: Same<Scenario>,
    pub view: Rc<SimView>,
}

/// The store id of the opener `ev` happened on, if any.
fn opener(ev: &web_sys::Event) -> Option<String> {
    let el = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    el.closest(&format!("[{OPENER}]")).ok()??.get_attribute(OPENER)
}

#[function_component(ViolationHost)]
pub fn violation_host(props: &ViolationHostProps) -> Html {
    let open = use_state(|| None::<String>);
    {
        let open = open.clone();
        use_effect_with((), move |_| {
            use gloo::events::{EventListener, EventListenerOptions, EventListenerPhase};
            // Capture: the card's own handlers may stop the event on its way up.
            let capture = || EventListenerOptions { phase: EventListenerPhase::Capture, passive: false };
            let doc = gloo::utils::document();
            // The card captures the pointer when it is pressed, so the click
            // that follows lands on the canvas: the press says which verdict,
            // a click without a drag in between opens it.
            let pressed = Rc::new(std::cell::RefCell::new(None::<(String, i32, i32)>));
            let press = {
                let pressed = Rc::clone(&pressed);
                EventListener::new_with_options(&doc, "pointerdown", capture(), move |ev| {
                    let at = ev.dyn_ref::<web_sys::MouseEvent>().map_or((0, 0), |m| (m.client_x(), m.client_y()));
                    *pressed.borrow_mut() = opener(ev).map(|id| (id, at.0, at.1));
                })
            };
            let click = {
                let open = open.clone();
                EventListener::new_with_options(&doc, "click", capture(), move |ev| {
                    let at = ev.dyn_ref::<web_sys::MouseEvent>().map_or((0, 0), |m| (m.client_x(), m.client_y()));
                    let from_press = pressed
                        .borrow_mut()
                        .take()
                        .filter(|(_, x, y)| (x - at.0).abs() <= 4 && (y - at.1).abs() <= 4)
                        .map(|(id, ..)| id);
                    if let Some(id) = opener(ev).or(from_press) {
                        open.set(Some(id));
                    }
                })
            };
            let key = EventListener::new_with_options(&doc, "keydown", capture(), move |ev| {
                let Some(k) = ev.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                if matches!(k.key().as_str(), "Enter" | " ") {
                    if let Some(id) = opener(ev) {
                        ev.prevent_default();
                        ev.stop_propagation();
                        open.set(Some(id));
                    }
                }
            });
            move || drop((press, click, key))
        });
    }
    let found = open.as_ref().and_then(|id| {
        let i = props.doc.nodes.iter().position(|n| &n.id == id)?;
        let v = props.view.nodes.get(i)?.store.as_ref()?.violation.as_ref()?;
        Some((id.clone(), props.doc.nodes[i].name.clone(), v.clone()))
    });
    let close = {
        let open = open.clone();
        Callback::from(move |id: String| {
            open.set(None);
            // Back to the verdict that opened it.
            if let Ok(Some(el)) = gloo::utils::document().query_selector(&format!("[{OPENER}=\"{id}\"]")) {
                if let Ok(el) = el.dyn_into::<web_sys::SvgElement>() {
                    let _ = el.focus();
                }
            }
        })
    };
    match found {
        Some((id, name, v)) => html! { <ViolationPanel {id} {name} violation={Rc::new(v)} on_close={close} /> },
        None => html! {},
    }
}

#[derive(Properties, PartialEq)]
pub struct ViolationPanelProps {
    /// The store's id and name.
    pub id: String,
    pub name: String,
    pub violation: Rc<ViolationView>,
    pub on_close: Callback<String>,
}

/// The panel itself: a dialog over the canvas, focus on its close button.
#[function_component(ViolationPanel)]
pub fn violation_panel(props: &ViolationPanelProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with(props.id.clone(), move |_| {
            if let Some(b) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
    }
    let close = {
        let (id, on_close) = (props.id.clone(), props.on_close.clone());
        Callback::from(move |_: MouseEvent| on_close.emit(id.clone()))
    };
    let on_key = {
        let (id, on_close) = (props.id.clone(), props.on_close.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                on_close.emit(id.clone());
            }
        })
    };
    let v = &props.violation;
    let l = layout::layout(v);
    let title_id = format!("violation-title-{}", props.id);
    html! {
        <section class="violation" role="dialog" aria-labelledby={title_id.clone()} onkeydown={on_key}
            data-testid={format!("violation-{}", props.id)}>
            <div class="violation-head">
                <h3 id={title_id}>{ format!("{}: no single-copy order fits", props.name) }</h3>
                <button class="btn small" ref={close_ref} onclick={close} aria-label="Close the history diagram"
                    data-testid="violation-close">{ "✕" }</button>
            </div>
            <p class="violation-why" data-testid="violation-why">{ v.why.clone() }</p>
            <svg class="violation-diagram" viewBox={format!("0 0 {} {}", layout::WIDTH, l.height)} role="img"
                aria-label={format!("History of key {}: {}", v.key, l.bars.iter().map(|b| b.title.clone()).collect::<Vec<_>>().join("; "))}>
                { for l.lanes.iter().map(|(name, y)| html! {
                    <g class="vd-lane">
                        <line x1={layout::LEFT.to_string()} x2={(layout::WIDTH - layout::RIGHT).to_string()}
                            y1={(y + 8.0).to_string()} y2={(y + 8.0).to_string()} />
                        <text x={(layout::LEFT - 8.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ name.clone() }</text>
                    </g>
                }) }
                { for l.bars.iter().map(|b| html! {
                    <g class={classes!("vd-op", b.offending.then_some("offending"), b.open.then_some("open"))}
                        data-testid={if b.offending { "violation-offending" } else { "violation-op" }}>
                        <rect x={b.x.to_string()} y={(b.y + 2.0).to_string()} width={b.width.to_string()} height="12" rx="3" />
                        <text x={b.x.to_string()} y={(b.y - 3.0).to_string()}>{ b.label.clone() }</text>
                        <title>{ b.title.clone() }</title>
                    </g>
                }) }
                <g class="vd-axis">
                    <line x1={layout::LEFT.to_string()} x2={(layout::WIDTH - layout::RIGHT).to_string()}
                        y1={l.axis_y.to_string()} y2={l.axis_y.to_string()} />
                    { for l.ticks.iter().map(|(x, t)| html! {
                        <g>
                            <line x1={x.to_string()} x2={x.to_string()} y1={l.axis_y.to_string()} y2={(l.axis_y + 4.0).to_string()} />
                            <text x={x.to_string()} y={(l.axis_y + 15.0).to_string()} text-anchor="middle">{ t.clone() }</text>
                        </g>
                    }) }
                    <text class="vd-axis-title" x={(layout::LEFT - 8.0).to_string()} y={(l.axis_y + 15.0).to_string()}
                        text-anchor="end">{ l.axis.clone() }</text>
                </g>
            </svg>
            <p class="violation-note">{ format!("Key {}. Each bar runs from the client's request to its answer; a single copy would apply each operation at one instant inside its bar.", v.key) }</p>
        </section>
    }
}
