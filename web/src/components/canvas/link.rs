//! One edge drawn as an arrow, with its throughput, a cut mark while it is
//! partitioned, and its circuit breaker's state.

use super::drag_layer::{use_lifted, Carry, Piece};
use crate::editor::layout::Line;
use crate::format;
use crate::same::Same;
use faultline_sim::policy::breaker::State;
use faultline_sim::view::BreakerView;
use yew::prelude::*;

/// A label on a link: lines of text on a pill of the canvas's own colour,
/// so it reads over the line and on either theme, centred on `x` with its
/// top at `top`. SVG text has no measured width before layout; the pill is
/// sized from the characters (labels are short, digits are tabular).
fn label(class: &'static str, testid: Option<String>, lines: &[String], x: f64, top: f64) -> Html {
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let w = 6.6 * widest as f64 + 10.0;
    let h = 4.0 + LINE_H * lines.len() as f64;
    let texts = lines.iter().enumerate().map(|(k, l)| {
        html! { <text x={x.to_string()} y={(top + 13.0 + LINE_H * k as f64).to_string()} text-anchor="middle">{ l.clone() }</text> }
    });
    html! {
        <g class={classes!("link-label", class)} data-testid={testid}>
            <rect class="label-bg" x={(x - w / 2.0).to_string()} y={top.to_string()} width={w.to_string()}
                height={h.to_string()} rx="7" />
            { for texts }
        </g>
    }
}

/// Height of a line of a link's label, in design pixels.
const LINE_H: f64 = 13.0;

/// The breaker's mark sits a quarter along the link, by the caller that
/// holds it; its state's label goes under the link's middle, the point
/// farthest from both cards, on two short lines ("open" over the time left)
/// so it fits between cards laid out side by side (90 px apart).
fn breaker_badge(b: &BreakerView, id: &str, (x, y): (f64, f64), (mx, my): (f64, f64), ghost: bool) -> Html {
    let (class, state) = match b.state {
        State::Closed => ("closed", "closed"),
        State::HalfOpen => ("half-open", "half-open"),
        State::Open => ("open", "open"),
    };
    let left = format::ms(b.open_remaining_ms);
    let title = if b.state == State::Open { format!("open {left}") } else { state.to_string() };
    html! {
        <g class={classes!("breaker", class)} data-testid={(!ghost).then(|| format!("breaker-{id}"))} data-state={class}>
            <circle cx={x.to_string()} cy={y.to_string()} r="9" />
            if b.state == State::Open {
                { label("breaker-label", (!ghost).then(|| format!("breaker-label-{id}")), &[state.to_string(), left], mx, my + 8.0) }
            }
            <title>{ format!("circuit breaker {title}; {} calls short-circuited", b.short_circuited) }</title>
        </g>
    }
}

/// The cut's note on the canvas: when the calls it stops fail (on this
/// link, as timeouts), or that they never do.
pub fn cut_lines(timeout_ms: Option<f64>) -> [String; 3] {
    match timeout_ms {
        Some(t) => ["cut:".into(), "timeouts".into(), format!("after {}", format::duration_short(t))],
        None => ["cut:".into(), "calls hang".into(), "(no timeout)".into()],
    }
}

/// What happened on link `usize`.
pub enum LinkEvent {
    Down(usize, PointerEvent),
    Context(usize, MouseEvent),
    /// A key pressed while the link has focus.
    Key(usize, KeyboardEvent),
    /// The link took the keyboard focus (it may be off screen).
    Focus(usize, FocusEvent),
}

/// Everything a link shows.
#[derive(Properties, PartialEq)]
pub struct LinkProps {
    pub index: usize,
    pub from: AttrValue,
    pub to: AttrValue,
    pub line: Line,
    /// Only drawn when `detailed` (pass 0 otherwise, so that a zoomed-out
    /// link is not drawn again while its number moves).
    pub throughput_rps: f64,
    /// Partitioned.
    pub cut: bool,
    /// The caller's timeout on this link (ms), for the cut's note.
    #[prop_or_default]
    pub timeout_ms: Option<f64>,
    pub breaker: Option<BreakerView>,
    pub selected: bool,
    /// False when zoomed out too far to read labels: they are left out (their
    /// text layout is the costliest part of redrawing a big topology).
    pub detailed: bool,
    /// Zoomed out below `card::SKETCH_SCALE`: the line alone (no arrow
    /// head, no wide hit line, no marks), as the cards are their boxes.
    #[prop_or_default]
    pub sketch: bool,
    /// One callback for every link, the same from render to render (as for
    /// cards), so a link whose props did not change is not drawn again.
    pub events: Callback<LinkEvent>,
    /// The canvas's drag, for a link of the canvas (`None` on the drag
    /// layer). While a card it touches is carried, the drag layer draws the
    /// link instead and this one is kept in place but hidden (see
    /// `drag_layer::use_lifted`).
    #[prop_or_default]
    pub carry: Option<Same<Carry>>,
    /// The drag layer's copy of a lifted link: no test id, no handlers.
    #[prop_or_default]
    pub ghost: bool,
    /// Off screen (see `culling`): an empty stand-in that keeps its place
    /// in the Tab order, its test id and its name.
    #[prop_or_default]
    pub culled: bool,
}

/// A link is a component of its own so that redrawing the canvas (ten times
/// a second while running) skips every link whose props are unchanged.
#[component]
pub fn Link(props: &LinkProps) -> Html {
    let &LinkProps {
        index: i, line: (x1, y1, x2, y2), throughput_rps, cut, timeout_ms, selected, detailed, ghost, ..
    } = props;
    let lifted = use_lifted(props.carry.clone(), Piece::Link(i));
    let (from, to) = (&props.from, &props.to);
    let (onpointerdown, oncontextmenu, onkeydown, onfocus) = if ghost {
        (None, None, None, None)
    } else {
        (
            Some(props.events.reform(move |e| LinkEvent::Down(i, e))),
            Some(props.events.reform(move |e| LinkEvent::Context(i, e))),
            Some(props.events.reform(move |e| LinkEvent::Key(i, e))),
            Some(props.events.reform(move |e: FocusEvent| LinkEvent::Focus(i, e))),
        )
    };
    let id = format!("{from}-{to}");
    let name = (!ghost).then(|| format!("Link {from} to {to}{}", if cut { ", partitioned" } else { "" }));
    if props.culled {
        // The same element as the link drawn, so focus stays on it when it
        // comes on screen and fills in.
        return html! {
            <g class={classes!("edge", "culled", selected.then_some("selected"))} data-testid={(!ghost).then(|| format!("edge-{id}"))}
                {onkeydown} {onfocus} tabindex={(!ghost).then_some("0")} role={(!ghost).then_some("button")}
                aria-pressed={(!ghost).then(|| selected.to_string())} aria-label={name} />
        };
    }
    let (x1s, y1s, x2s, y2s) = (x1.to_string(), y1.to_string(), x2.to_string(), y2.to_string());
    if props.sketch {
        // A cut shows as the line's dashes (CSS), a breaker not at all: its
        // badge would be a speck.
        return html! {
            <g class={classes!("edge", "sketch", cut.then_some("cut"), selected.then_some("selected"), lifted.then_some("lifted"))}
                data-testid={(!ghost).then(|| format!("edge-{id}"))} {onpointerdown} {oncontextmenu} {onkeydown} {onfocus}
                tabindex={(!ghost).then_some("0")} role={(!ghost).then_some("button")}
                aria-pressed={(!ghost).then(|| selected.to_string())} aria-label={name}>
                <line x1={x1s} y1={y1s} x2={x2s} y2={y2s} />
            </g>
        };
    }
    let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
    html! {
        <g class={classes!("edge", cut.then_some("cut"), selected.then_some("selected"), lifted.then_some("lifted"))}
            data-testid={(!ghost).then(|| format!("edge-{id}"))} {onpointerdown} {oncontextmenu} {onkeydown} {onfocus}
            // Focusable and selectable like a card (Enter or Space), so its
            // faults and its settings are in reach without a mouse.
            tabindex={(!ghost).then_some("0")} role={(!ghost).then_some("button")}
            aria-pressed={(!ghost).then(|| selected.to_string())}
            aria-label={name}>
            <line class="hit" x1={x1s.clone()} y1={y1s.clone()} x2={x2s.clone()} y2={y2s.clone()} />
            <line x1={x1s} y1={y1s} x2={x2s} y2={y2s} marker-end="url(#arrow)" />
            if cut {
                <text class="cut-mark" x={mx.to_string()} y={(my + 6.0).to_string()} text-anchor="middle">{ "✂" }</text>
            }
            // The calls a partition stops are lost: the caller counts each on
            // this link as a timeout when its timeout runs out, or waits for
            // ever without one. Short lines, to fit between cards side by
            // side (as the breaker's).
            if cut && detailed && props.breaker.is_none() {
                { label("cut-note", (!ghost).then(|| format!("cut-note-{id}")), &cut_lines(timeout_ms), mx, my + 12.0) }
            }
            if detailed {
                { label("edge-label", None, &[format::rate(throughput_rps)], mx, my - 23.0) }
            }
            if let Some(b) = &props.breaker {
                { breaker_badge(b, &id, (x1 + (x2 - x1) * 0.25, y1 + (y2 - y1) * 0.25), (mx, my), ghost) }
            }
        </g>
    }
}
