//! A service's instances on its card: one pip each, ready, starting,
//! draining or crash-looping (with when its back-off ends), and a
//! database's connections against its limit, so a connection storm reads at
//! a glance: pips turning red while the database sits at 500 of 500.

use crate::editor::layout::{CARD_H, CARD_W};
use faultline_sim::nodes::service::instances::{InstancePip, State};
use yew::prelude::*;

/// The class and words of an instance's state.
fn describe(p: &InstancePip) -> (&'static str, String) {
    match p.state {
        State::Ready => ("pip-ready", "ready".into()),
        State::Starting => ("pip-starting", "starting".into()),
        State::Draining => ("pip-draining", "draining".into()),
        State::BackingOff => {
            ("pip-crashloop", format!("crash-looping: restarts at t = {:.1} s", p.restart_at_ms.unwrap_or(0.0) / 1e3))
        }
        State::Stopped => ("pip-stopped", "stopped".into()),
    }
}

/// The pip strip under the card's title.
pub fn instance_pips(x: f64, y: f64, id: &str, pips: &[InstancePip], testid: Option<String>) -> Html {
    let width = ((CARD_W - 24.0) / pips.len().max(1) as f64).min(10.0);
    let crashlooping = pips.iter().filter(|p| p.state == State::BackingOff).count();
    let cells = pips.iter().enumerate().map(|(i, p)| {
        let (class, words) = describe(p);
        html! {
            <rect class={classes!("pip", class)} x={(x + 12.0 + width * i as f64).to_string()} y={(y + 33.0).to_string()}
                width={(width - 1.0).max(0.5).to_string()} height="5">
                <title>{ format!("{id} instance {i} (v{}): {words}, {} connections", p.version, p.connections) }</title>
            </rect>
        }
    });
    html! {
        <g class="instance-pips" data-testid={testid} data-instances={pips.len().to_string()}
            data-crashlooping={crashlooping.to_string()}>{ for cells }</g>
    }
}

/// "3 of 5 ready" under an autoscaled service's card: the instances ready
/// against the replicas its autoscaler asks for, so a scale-up reads as
/// the gap closing while the new instances boot.
pub fn scaling_label(x: f64, y: f64, desired: u32, pips: &[InstancePip], testid: Option<String>) -> Html {
    let ready = pips.iter().filter(|p| p.state == State::Ready).count();
    let short = (ready as u32) < desired;
    html! {
        <text class={classes!("metric-label", short.then_some("scaling-up"))} x={(x + CARD_W - 6.0).to_string()}
            y={(y + CARD_H + 13.0).to_string()} text-anchor="end" data-testid={testid}
            data-desired={desired.to_string()} data-ready={ready.to_string()}>
            { format!("{ready} of {desired} ready") }
            <title>{ "Instances ready of the replicas the autoscaler asks for; new ones boot and open their pools first" }</title>
        </text>
    }
}

/// "312/500 conns" at the top right of a database's card.
pub fn connections_label(x: f64, y: f64, (open, limit): (u32, u32), testid: Option<String>) -> Html {
    let full = open >= limit;
    html! {
        // Just under the card, right-aligned: the title row has no room for it
        // beside a long database name.
        <text class={classes!("metric-label", full.then_some("conns-full"))} x={(x + CARD_W - 6.0).to_string()}
            y={(y + CARD_H + 13.0).to_string()} text-anchor="end" data-testid={testid} data-open={open.to_string()}>
            { format!("{open}/{limit} conns") }
            <title>{ "Connections open of those clients may hold; past it new ones are refused" }</title>
        </text>
    }
}
