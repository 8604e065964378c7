//! The boxes behind the cards: one per region, holding its nodes, and one
//! per availability zone inside it; a region a partition has cut off from
//! the rest is drawn cut.
//!
//! Why a module of its own: the boxes are laid out once per edit (in
//! `editor::layout`) and drawn here from that layout alone, apart from the
//! cards and links, which change with every readout.

use crate::editor::layout::RegionBox;
use std::collections::BTreeSet;
use yew::prelude::*;

/// A zone's box.
pub fn zone(b: &RegionBox) -> Html {
    html! {
        <g class="zone" data-testid={format!("zone-{}", b.name)}>
            <rect x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="10" />
            <text x={(b.x + 10.0).to_string()} y={(b.y + 15.0).to_string()}>{ b.name.clone() }</text>
        </g>
    }
}

/// A region's box, drawn cut when every link across its border is.
pub fn region(b: &RegionBox, isolated: &BTreeSet<String>) -> Html {
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
}
