//! One edge drawn as an arrow, with its throughput, a cut mark while it is
//! partitioned, and its circuit breaker's state.

use crate::editor::layout::Line;
use crate::format;
use faultline_sim::policy::breaker::State;
use faultline_sim::view::BreakerView;
use faultline_sim::{Live, Scenario};
use yew::prelude::*;

fn breaker_badge(b: &BreakerView, id: &str, x: f64, y: f64) -> Html {
    let (class, label) = match b.state {
        State::Closed => ("closed", "closed".to_string()),
        State::HalfOpen => ("half-open", "half-open".to_string()),
        State::Open => ("open", format!("open {}", format::ms(b.open_remaining_ms))),
    };
    html! {
        <g class={classes!("breaker", class)} data-testid={format!("breaker-{id}")} data-state={class}>
            <circle cx={x.to_string()} cy={y.to_string()} r="9" />
            if b.state == State::Open {
                <text class="breaker-label" x={x.to_string()} y={(y + 22.0).to_string()} text-anchor="middle">{ label.clone() }</text>
            }
            <title>{ format!("circuit breaker {label}; {} calls short-circuited", b.short_circuited) }</title>
        </g>
    }
}

/// What a link shows besides its geometry.
pub struct LinkState<'a> {
    pub live: &'a Live,
    pub cut: bool,
    pub breaker: Option<&'a BreakerView>,
    pub selected: bool,
    /// False when zoomed out too far to read labels: they are left out (their
    /// text layout is the costliest part of redrawing a big topology).
    pub detailed: bool,
}

pub fn link(
    doc: &Scenario,
    i: usize,
    line: Option<Line>,
    st: LinkState,
    onpointerdown: Callback<PointerEvent>,
    oncontextmenu: Callback<MouseEvent>,
) -> Html {
    let LinkState { live, cut, breaker, selected, detailed } = st;
    let Some((x1, y1, x2, y2)) = line else { return html! {} };
    let e = &doc.edges[i];
    let id = format!("{}-{}", e.from, e.to);
    let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
    html! {
        <g class={classes!("edge", cut.then_some("cut"), selected.then_some("selected"))}
            data-testid={format!("edge-{id}")} {onpointerdown} {oncontextmenu}
            aria-label={format!("link {} to {}", e.from, e.to)}>
            <line class="hit" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
            <line x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                marker-end="url(#arrow)" />
            if cut {
                <text class="cut-mark" x={mx.to_string()} y={(my + 6.0).to_string()} text-anchor="middle">{ "✂" }</text>
            }
            if detailed {
                <text class="edge-label" x={mx.to_string()} y={(my - 10.0).to_string()}
                    text-anchor="middle">{ format::rate(live.throughput_rps) }</text>
            }
            if let Some(b) = breaker {
                { breaker_badge(b, &id, x1 + (x2 - x1) * 0.25, y1 + (y2 - y1) * 0.25) }
            }
        </g>
    }
}
