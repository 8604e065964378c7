//! The palette: every node kind the engine's catalogue lists, grouped.
//! Drag one onto the canvas, or click it (or press Enter on it) to add one in
//! the middle of the view: touch screens have no HTML drag and drop.

use super::canvas::card::icon;
use super::canvas::DRAG_KIND;
use faultline_sim::catalogue::{Group, KINDS};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PaletteProps {
    /// Add a node of this kind where the user is looking.
    pub on_add: Callback<String>,
}

const GROUPS: [Group; 4] = [Group::Traffic, Group::Compute, Group::Data, Group::Messaging];

#[component]
pub fn Palette(props: &PaletteProps) -> Html {
    let groups = GROUPS.iter().map(|&g| {
        let items = KINDS.iter().filter(|k| k.group == g).map(|k| {
            let kind = k.kind;
            let onclick = props.on_add.reform(move |_: MouseEvent| kind.to_string());
            let ondragstart = Callback::from(move |ev: DragEvent| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data(DRAG_KIND, kind);
                    dt.set_effect_allowed("copy");
                }
            });
            html! {
                <button class={classes!("palette-item", kind)} data-testid={format!("palette-{kind}")} draggable="true"
                    {onclick} {ondragstart} title={k.help}>
                    <span class="palette-icon" aria-hidden="true">{ icon(kind) }</span>
                    <span>{ k.label }</span>
                </button>
            }
        });
        html! {
            <div class="palette-group" role="group" aria-label={g.label()}>
                <div class="palette-heading">{ g.label() }</div>
                { for items }
            </div>
        }
    });
    html! {
        <nav class="palette" aria-label="Node palette">
            { for groups }
            <p class="palette-tip">{ "Drag onto the canvas or click to add. Drag a card's right handle to another card to connect, or select the card and press C." }</p>
        </nav>
    }
}
