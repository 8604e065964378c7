//! Fault injection for the selected node or edge. Each button asks the app
//! to add a fault to the run's timeline at the current simulated time, so a
//! reset (or a shared scenario) replays it exactly.

use crate::state::Selection;
use faultline_sim::scenario::{FaultAction, NodeKind};
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

/// Faults to inject together (now, or at the time picked on the timeline),
/// each for `duration_ms` (or until undone).
#[derive(Clone, Debug, PartialEq)]
pub struct Injection {
    pub actions: Vec<FaultAction>,
    pub duration_ms: Option<u64>,
}

#[derive(Properties, PartialEq)]
pub struct FaultBarProps {
    pub scenario: Rc<Scenario>,
    pub selected: Option<Selection>,
    /// Whether the selected node is down / the selected edge is cut.
    pub down: bool,
    /// When the faults will start: `None` is now.
    pub at_ms: Option<u64>,
    pub on_inject: Callback<Injection>,
}

fn button(testid: &str, label: &str, help: &str, on_inject: &Callback<Injection>, inj: Injection) -> Html {
    let cb = on_inject.reform(move |_: MouseEvent| inj.clone());
    html! {
        <button class="btn fault" data-testid={testid.to_string()} title={help.to_string()}
            aria-label={help.to_string()} onclick={cb}>{ label }</button>
    }
}

#[component]
pub fn FaultBar(props: &FaultBarProps) -> Html {
    let sc = &props.scenario;
    let now = |action| Injection { actions: vec![action], duration_ms: None };
    let on = &props.on_inject;
    let (title, buttons) = match props.selected {
        Some(Selection::Node(i)) if i < sc.nodes.len() => {
            let n = &sc.nodes[i];
            let id = n.id.clone();
            let buttons = match &n.kind {
                NodeKind::Client(_) => sc
                    .workloads
                    .iter()
                    .filter(|w| w.client == n.id)
                    .map(|w| {
                        let action = FaultAction::Spike { workload: w.id.clone(), factor: 3.0 };
                        button(
                            "fault-spike",
                            "Load ×3 for 10 s",
                            "Triple this client's load for 10 simulated seconds",
                            on,
                            Injection { actions: vec![action], duration_ms: Some(10_000) },
                        )
                    })
                    .collect::<Html>(),
                _ if props.down => button(
                    "fault-restart",
                    "Restart",
                    "Bring the node back up",
                    on,
                    now(FaultAction::Restart { node: id }),
                ),
                _ => html! {
                    <>
                        { button("fault-crash", "Crash", "Kill the node: in-flight work fails, connections are refused", on,
                            now(FaultAction::Crash { node: id.clone() })) }
                        { button("fault-pause", "Pause 5 s", "Freeze the node for 5 s (a long GC pause): work waits, nothing is lost", on,
                            Injection { actions: vec![FaultAction::Pause { node: id.clone() }], duration_ms: Some(5_000) }) }
                        { button("fault-slow", "Slow ×10", "Make the node's work take ten times as long", on,
                            now(FaultAction::SlowNode { node: id.clone(), factor: 10.0 })) }
                        { button("fault-errors", "Errors 50%", "Answer half of the calls with a 5xx", on,
                            now(FaultAction::NodeErrors { node: id, rate: 0.5 })) }
                    </>
                },
            };
            let region = n.region.as_ref().map(|r| region_buttons(sc, r, on)).unwrap_or_default();
            (format!("{} ({})", n.display_name(), n.kind.name()), html! { <>{ buttons }{ region }</> })
        }
        Some(Selection::Edge(i)) if i < sc.edges.len() => {
            let e = &sc.edges[i];
            let id = format!("{}->{}", e.from, e.to);
            let buttons = if props.down {
                button(
                    "fault-heal",
                    "Heal",
                    "Reconnect the two sides",
                    on,
                    now(FaultAction::Heal { id: Some(id.clone()) }),
                )
            } else {
                html! {
                    <>
                        { button("fault-partition", "Partition", "Cut the link: messages vanish, callers time out", on,
                            now(FaultAction::Partition { id: Some(id.clone()), a: vec![e.from.clone()], b: vec![e.to.clone()] })) }
                        { button("fault-latency", "+100 ms", "Add 100 ms to every message on this link", on,
                            now(FaultAction::EdgeLatency { from: e.from.clone(), to: e.to.clone(), add_ms: 100.0 })) }
                        { button("fault-loss", "10% loss", "Lose one message in ten on this link", on,
                            now(FaultAction::EdgeLoss { from: e.from.clone(), to: e.to.clone(), loss: 0.1 })) }
                    </>
                }
            };
            (format!("{} → {}", e.from, e.to), buttons)
        }
        _ => (String::new(), html! {}),
    };
    html! {
        <div class="fault-bar" data-testid="fault-menu" role="toolbar" aria-label="Inject a fault">
            if title.is_empty() {
                <span class="hint">{ "Select a node or a link to break it." }</span>
            } else {
                <span class="selection">{ title }</span>
                { buttons }
                <span class="when" data-testid="fault-when">{
                    match props.at_ms {
                        Some(t) => format!("at {}", crate::format::clock(t as f64)),
                        None => "now".to_string(),
                    }
                }</span>
            }
        </div>
    }
}

/// Faults for a whole region: cut it off from everything else, or fail it.
fn region_buttons(sc: &Scenario, region: &str, on: &Callback<Injection>) -> Html {
    let inside: Vec<String> =
        sc.nodes.iter().filter(|n| n.region.as_deref() == Some(region)).map(|n| n.id.clone()).collect();
    let mut others: Vec<String> = sc.nodes.iter().filter_map(|n| n.region.clone()).filter(|r| r != region).collect();
    others.dedup();
    if others.is_empty() {
        others = sc.nodes.iter().filter(|n| n.region.as_deref() != Some(region)).map(|n| n.id.clone()).collect();
    }
    let partition = (!others.is_empty()).then(|| {
        let action =
            FaultAction::Partition { id: Some(format!("region-{region}")), a: vec![region.to_string()], b: others };
        button(
            "fault-region-partition",
            &format!("Isolate {region}"),
            "Partition this region from the rest of the system",
            on,
            Injection { actions: vec![action], duration_ms: None },
        )
    });
    let fail = button(
        "fault-region-fail",
        &format!("Fail {region}"),
        "Crash every node in this region",
        on,
        Injection { actions: inside.into_iter().map(|node| FaultAction::Crash { node }).collect(), duration_ms: None },
    );
    html! { <span class="region-faults">{ partition.unwrap_or_default() }{ fail }</span> }
}
