//! The minimap: the whole design in miniature with the camera's rectangle;
//! clicking it centres the camera there.

use super::camera::{Camera, Screen};
use crate::editor::layout::{bounds, CARD_H, CARD_W};
use faultline_sim::Scenario;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MinimapProps {
    /// Compared by address (see `Same`).
    pub doc: crate::same::Same<Scenario>,
    pub camera: Camera,
    pub on_centre: Callback<(f64, f64)>,
}

#[component]
pub fn Minimap(props: &MinimapProps) -> Html {
    let (x, y, w, h) = bounds(&props.doc);
    // The map also shows the camera when it looks beyond the design.
    let c = props.camera;
    let (x0, y0) = (x.min(c.x), y.min(c.y));
    let (x1, y1) = ((x + w).max(c.x + c.w), (y + h).max(c.y + c.h));
    let map = Camera { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    let node_ref = use_node_ref();
    let onclick = {
        let node_ref = node_ref.clone();
        props.on_centre.reform(move |ev: MouseEvent| {
            let el = node_ref.cast::<web_sys::Element>().expect("the minimap is mounted");
            let r = el.get_bounding_client_rect();
            let screen = Screen { left: r.left(), top: r.top(), width: r.width(), height: r.height() };
            screen.to_design(&map, f64::from(ev.client_x()), f64::from(ev.client_y()))
        })
    };
    html! {
        <svg class="minimap" data-testid="minimap" ref={node_ref} viewBox={map.view_box()} {onclick}
            preserveAspectRatio="xMidYMid meet" role="img" aria-label="Minimap: click to move the view">
            { for props.doc.nodes.iter().map(|n| html! {
                <rect class={classes!("mini-node", n.kind.name())} x={(n.x - CARD_W / 2.0).to_string()}
                    y={(n.y - CARD_H / 2.0).to_string()} width={CARD_W.to_string()} height={CARD_H.to_string()} />
            }) }
            <rect class="mini-camera" x={c.x.to_string()} y={c.y.to_string()} width={c.w.to_string()}
                height={c.h.to_string()} vector-effect="non-scaling-stroke" />
        </svg>
    }
}
