//! Connecting from the keyboard: with one node selected, C opens this list of
//! the other nodes; the arrow keys move through it, Enter connects, Escape
//! closes it. A connection the design refuses says why, as a drag would.
//!
//! Why a component of its own: dragging a card's handle is the only other
//! way to connect, and it needs a pointer.

use crate::modal::Modal;
use faultline_sim::Scenario;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConnectPickerProps {
    pub doc: Rc<Scenario>,
    /// The node the link leaves from.
    pub from: usize,
    /// Connect `from` to this node.
    pub on_connect: Callback<(usize, usize)>,
    pub on_close: Callback<()>,
}

/// Moves focus to the previous or next option of the list `ev` is in.
fn step_focus(ev: &KeyboardEvent) {
    let step: i32 = match ev.key().as_str() {
        "ArrowDown" | "ArrowRight" => 1,
        "ArrowUp" | "ArrowLeft" => -1,
        _ => return,
    };
    ev.prevent_default();
    ev.stop_propagation();
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let Some(list) = el.closest("ul").ok().flatten() else { return };
    let Ok(options) = list.query_selector_all("button") else { return };
    let n = options.length() as i32;
    let at = (0..n).find(|&k| options.item(k as u32).is_some_and(|o| o.is_same_node(Some(&el)))).unwrap_or(0);
    if let Some(next) = options.item((at + step).rem_euclid(n.max(1)) as u32).and_then(|o| o.dyn_into().ok()) {
        crate::modal::focus(&next);
    }
}

#[component]
pub fn ConnectPicker(props: &ConnectPickerProps) -> Html {
    let doc = &props.doc;
    let Some(source) = doc.nodes.get(props.from) else { return html! {} };
    let linked = |to: &str| doc.edges.iter().any(|e| e.from == source.id && e.to == to);
    let options = doc.nodes.iter().enumerate().filter(|(i, _)| *i != props.from).map(|(i, n)| {
        let (from, on_connect, on_close) = (props.from, props.on_connect.clone(), props.on_close.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            on_close.emit(());
            on_connect.emit((from, i));
        });
        let already = linked(&n.id);
        html! {
            <li>
                <button class="btn connect-option" data-testid={format!("connect-to-{}", n.id)} {onclick}
                    onkeydown={Callback::from(|ev: KeyboardEvent| step_focus(&ev))} disabled={already}>
                    { format!("{} ", n.display_name()) }<span class="kind">{ n.kind.name().replace('_', " ") }</span>
                    if already { <span class="kind">{ " (already connected)" }</span> }
                </button>
            </li>
        }
    });
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <Modal return_to={format!("node-{}", source.id)} on_close={props.on_close.clone()} class={classes!("overlay")}>
            <div class="overlay-card connect-picker" data-testid="connect-picker" role="dialog" aria-modal="true"
                aria-labelledby="connect-title">
                <h2 id="connect-title">{ format!("Connect {} to…", source.display_name()) }</h2>
                <p class="help">{ "Arrow keys choose, Enter connects, Escape cancels." }</p>
                <ul class="connect-options">{ for options }</ul>
                <button class="btn" onclick={close}>{ "Cancel" }</button>
            </div>
        </Modal>
    }
}
