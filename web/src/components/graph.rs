//! The topology as SVG: nodes as cards with their live numbers, edges as
//! arrows labelled with their throughput.

use crate::format;
use crate::state::Selection;
use faultline_sim::scenario::{Node, NodeKind};
use faultline_sim::{NodeView, Scenario, SimView};
use std::rc::Rc;
use yew::prelude::*;

const CARD_W: f64 = 190.0;
const CARD_H: f64 = 136.0;

/// Where link `i` is drawn: (x1, y1, x2, y2) from the caller's card to the callee's.
pub fn edge_line(sc: &Scenario, i: usize) -> Option<(f64, f64, f64, f64)> {
    let e = sc.edges.get(i)?;
    let (a, b) = (&sc.nodes[sc.node_index(&e.from)?], &sc.nodes[sc.node_index(&e.to)?]);
    Some((a.x + CARD_W / 2.0, a.y, b.x - CARD_W / 2.0 - 6.0, b.y))
}

#[derive(Properties, PartialEq)]
pub struct GraphProps {
    pub scenario: Rc<Scenario>,
    pub view: Rc<SimView>,
    pub selected: Option<Selection>,
    pub on_select: Callback<Option<Selection>>,
    /// Particle paths per colour.
    pub particles: Rc<[String; 4]>,
}

#[component]
pub fn Graph(props: &GraphProps) -> Html {
    let sc = &props.scenario;
    let (min_x, max_x) = sc.nodes.iter().fold((f64::MAX, f64::MIN), |(a, b), n| (a.min(n.x), b.max(n.x)));
    let (min_y, max_y) = sc.nodes.iter().fold((f64::MAX, f64::MIN), |(a, b), n| (a.min(n.y), b.max(n.y)));
    let pad = 40.0;
    let view_box = format!(
        "{} {} {} {}",
        min_x - CARD_W / 2.0 - pad,
        min_y - CARD_H / 2.0 - pad,
        max_x - min_x + CARD_W + 2.0 * pad,
        max_y - min_y + CARD_H + 2.0 * pad
    );
    let edges = sc.edges.iter().enumerate().map(|(i, e)| {
        let Some((x1, y1, x2, y2)) = edge_line(sc, i) else { return html! {} };
        let live = props.view.edges.get(i).cloned().unwrap_or_default();
        let cut = props.view.cut.get(i).copied().unwrap_or(false);
        let selected = props.selected == Some(Selection::Edge(i));
        let onclick = props.on_select.reform(move |ev: MouseEvent| {
            ev.stop_propagation();
            Some(Selection::Edge(i))
        });
        html! {
            <g class={classes!("edge", cut.then_some("cut"), selected.then_some("selected"))}
                data-testid={format!("edge-{}-{}", e.from, e.to)} {onclick}
                aria-label={format!("link {} to {}", e.from, e.to)}>
                <line class="hit" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                <line x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                    marker-end="url(#arrow)" />
                if cut {
                    <text class="cut-mark" x={((x1 + x2) / 2.0).to_string()} y={((y1 + y2) / 2.0 + 6.0).to_string()}
                        text-anchor="middle">{ "✂" }</text>
                }
                <text class="edge-label" x={((x1 + x2) / 2.0).to_string()} y={((y1 + y2) / 2.0 - 10.0).to_string()}
                    text-anchor="middle">{ format::rate(live.throughput_rps) }</text>
            </g>
        }
    });
    let nodes = sc.nodes.iter().enumerate().map(|(i, n)| {
        let v = props.view.nodes.get(i).cloned().unwrap_or_default();
        let onclick = props.on_select.reform(move |ev: MouseEvent| {
            ev.stop_propagation();
            Some(Selection::Node(i))
        });
        node_card(n, &v, props.selected == Some(Selection::Node(i)), onclick)
    });
    let deselect = props.on_select.reform(|_: MouseEvent| None);
    html! {
        <svg class="graph" data-testid="canvas" viewBox={view_box} role="img" onclick={deselect}
            aria-label="System topology with live metrics" preserveAspectRatio="xMidYMid meet">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
                    orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
                </marker>
            </defs>
            { for edges }
            <g class="particles" aria-hidden="true">
                { for crate::particles::CLASSES.iter().zip(props.particles.iter()).map(|(class, d)| html! {
                    <path class={*class} d={d.clone()} />
                }) }
            </g>
            { for nodes }
        </svg>
    }
}

fn icon(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Client(_) => "◉",
        NodeKind::LoadBalancer(_) => "⇶",
        NodeKind::Service(_) => "⚙",
        NodeKind::Database(_) => "⛁",
        NodeKind::Queue(_) => "☰",
    }
}

fn node_card(n: &Node, v: &NodeView, selected: bool, onclick: Callback<MouseEvent>) -> Html {
    let x = n.x - CARD_W / 2.0;
    let y = n.y - CARD_H / 2.0;
    let row = |k: usize, label: &str, metric: &str, raw: f64, text: String| {
        let ty = y + 52.0 + 18.0 * k as f64;
        html! {
            <>
                <text class="metric-label" x={(x + 12.0).to_string()} y={ty.to_string()}>{ label.to_string() }</text>
                <text class="metric-value" x={(x + CARD_W - 12.0).to_string()} y={ty.to_string()} text-anchor="end"
                    data-testid={format!("metric-{metric}-{}", n.id)} data-value={raw.to_string()}>{ text }</text>
            </>
        }
    };
    let util = if v.capacity == 0 { 0.0 } else { f64::from(v.busy) / f64::from(v.capacity) };
    let l = &v.live;
    html! {
        <g class={classes!("node", n.kind.name(), v.down.then_some("down"), v.paused.then_some("paused"),
                selected.then_some("selected"))}
            data-testid={format!("node-{}", n.id)} data-kind={n.kind.name()} {onclick}
            tabindex="0" aria-label={format!("{} ({})", n.display_name(), n.kind.name())}>
            <rect class="card" x={x.to_string()} y={y.to_string()} width={CARD_W.to_string()}
                height={CARD_H.to_string()} rx="10" />
            <text class="node-icon" x={(x + 14.0).to_string()} y={(y + 26.0).to_string()}>{ icon(&n.kind) }</text>
            <text class="node-title" x={(x + 34.0).to_string()} y={(y + 26.0).to_string()}>{ n.display_name().to_string() }</text>
            { row(0, "throughput", "throughput", l.throughput_rps, format::rate(l.throughput_rps)) }
            { row(1, "in flight", "in-flight", l.in_flight as f64, l.in_flight.to_string()) }
            { row(2, "p50", "p50", l.p50_ms, format::ms(l.p50_ms)) }
            { row(3, "p99", "p99", l.p99_ms, format::ms(l.p99_ms)) }
            if v.capacity > 0 {
                <rect class="util-track" x={(x + 12.0).to_string()} y={(y + CARD_H - 14.0).to_string()}
                    width={(CARD_W - 24.0).to_string()} height="4" rx="2" />
                <rect class="util-bar" x={(x + 12.0).to_string()} y={(y + CARD_H - 14.0).to_string()}
                    width={((CARD_W - 24.0) * util).to_string()} height="4" rx="2">
                    <title>{ format!("{} of {} workers busy, {} queued", v.busy, v.capacity, v.queue_depth) }</title>
                </rect>
            }
        </g>
    }
}
