//! The fault timeline and the time scrubber.
//!
//! The strip shows the whole run: every fault as a block at its start (as
//! long as its duration), the current time, and how far the run has got.
//! Blocks can be dragged to another time or deleted; clicking an empty spot
//! picks a time at which the fault bar schedules its next fault. Below it, the
//! scrubber jumps to any moment already reached. The scrubber spans the whole
//! run too (it stops at the time reached), so a fault at 15 s and the
//! scrubber at 15 s are at the same place, and so are the charts' time axes.

use crate::format;
use faultline_sim::scenario::{Fault, FaultAction};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub faults: Rc<Vec<Fault>>,
    pub end_ms: f64,
    pub now_ms: f64,
    pub reached_ms: f64,
    /// A time picked on the strip for the next scheduled fault.
    pub pick_ms: Option<u64>,
    pub on_pick: Callback<Option<u64>>,
    pub on_scrub: Callback<f64>,
    /// Move fault `i` to start at the given millisecond.
    pub on_move: Callback<(usize, u64)>,
    pub on_delete: Callback<usize>,
    /// The block picked (shown with its details and a Delete button; the
    /// Delete key deletes it too, see `app::key_listener`).
    pub chosen: Option<usize>,
    pub on_choose: Callback<Option<usize>>,
}

/// A short description of a fault, for its block.
pub fn describe(f: &Fault) -> String {
    match &f.action {
        FaultAction::Crash { node } => format!("crash {node}"),
        FaultAction::Restart { node } => format!("restart {node}"),
        FaultAction::Pause { node } => format!("pause {node}"),
        FaultAction::Resume { node } => format!("resume {node}"),
        FaultAction::Partition { a, b, .. } => format!("partition {} | {}", a.join(","), b.join(",")),
        FaultAction::Heal { id } => format!("heal {}", id.as_deref().unwrap_or("all")),
        FaultAction::SlowNode { node, factor } => format!("slow {node} ×{factor}"),
        FaultAction::NodeErrors { node, rate } => format!("{node} {}% errors", rate * 100.0),
        FaultAction::EdgeLatency { from, to, add_ms } => format!("{from}→{to} +{add_ms} ms"),
        FaultAction::EdgeLoss { from, to, loss } => format!("{from}→{to} {}% loss", loss * 100.0),
        FaultAction::Spike { workload, factor } => format!("{workload} load ×{factor}"),
        FaultAction::Reshard { node, shards } => format!("reshard {node} to {shards}"),
        FaultAction::Deploy { node, bad: Some(_), .. } => format!("bad deploy {node}"),
        FaultAction::Deploy { node, .. } => format!("deploy {node}"),
        FaultAction::FlushCache { node } => format!("flush {node}"),
        FaultAction::ExpireKeys { node, from, to } => format!("expire {node} keys {from}–{to}"),
        FaultAction::FailPrimary { node } => format!("fail over {node}"),
        FaultAction::ReplicaLag { node, add_ms } => format!("{node} replica lag +{add_ms} ms"),
        FaultAction::ClockSkew { node, skew_ms } => format!("{node} clock {skew_ms:+} ms"),
        FaultAction::ReplayLog { node } => format!("replay {node} from offset 0"),
    }
}

fn strip_time(ev: &MouseEvent, end_ms: f64) -> Option<u64> {
    let strip = ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest(".strip").ok()??;
    let r = strip.get_bounding_client_rect();
    let f = ((f64::from(ev.client_x()) - r.left()) / r.width().max(1.0)).clamp(0.0, 1.0);
    Some(((f * end_ms) / 100.0).round() as u64 * 100)
}

#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    // The block being dragged, and where it is now.
    let drag = use_state(|| None::<(usize, u64)>);
    let (chosen, on_choose) = (props.chosen, props.on_choose.clone());
    let end = props.end_ms.max(1.0);
    let pct = |t: f64| format!("{:.3}%", (t / end * 100.0).clamp(0.0, 100.0));

    let blocks = props.faults.iter().enumerate().map(|(i, f)| {
        let at = match *drag {
            Some((k, t)) if k == i => t,
            _ => f.at_ms,
        };
        let width = f.duration_ms.map_or("4px".to_string(), |d| format!("max(4px, {:.3}%)", d as f64 / end * 100.0));
        let onpointerdown = {
            let (drag, on_choose) = (drag.clone(), on_choose.clone());
            Callback::from(move |ev: PointerEvent| {
                ev.stop_propagation();
                if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    let _ = el.set_pointer_capture(ev.pointer_id());
                }
                on_choose.emit(Some(i));
                drag.set(Some((i, at)));
            })
        };
        // From the keyboard: Enter or Space picks the block, as a press does.
        let onkeydown = {
            let on_choose = on_choose.clone();
            Callback::from(move |ev: KeyboardEvent| {
                if matches!(ev.key().as_str(), "Enter" | " ") {
                    ev.prevent_default();
                    on_choose.emit(Some(i));
                }
            })
        };
        let onpointermove = {
            let drag = drag.clone();
            Callback::from(move |ev: PointerEvent| {
                if let (Some((k, _)), Some(t)) = (*drag, strip_time(&ev, end)) {
                    drag.set(Some((k, t)));
                }
            })
        };
        let onpointerup = {
            let (drag, on_move) = (drag.clone(), props.on_move.clone());
            let original = f.at_ms;
            Callback::from(move |_: PointerEvent| {
                if let Some((k, t)) = *drag {
                    if t != original {
                        on_move.emit((k, t));
                    }
                }
                drag.set(None);
            })
        };
        let past = (at as f64) <= props.now_ms;
        html! {
            <div class={classes!("fault-block", f.action.name(), past.then_some("past"), (chosen == Some(i)).then_some("chosen"))}
                data-testid={format!("timeline-fault-{i}")} data-at={at.to_string()}
                style={format!("left: {}; width: {width}", pct(at as f64))}
                title={format!("{} at {}", describe(f), format::clock(at as f64))}
                {onpointerdown} {onpointermove} {onpointerup} {onkeydown} onclick={|ev: MouseEvent| ev.stop_propagation()}
                role="button" tabindex="0" aria-pressed={(chosen == Some(i)).to_string()}
                aria-label={format!("Fault: {} at {}", describe(f), format::clock(at as f64))} />
        }
    });
    let on_strip = {
        let (on_pick, on_choose) = (props.on_pick.clone(), on_choose.clone());
        Callback::from(move |ev: MouseEvent| {
            on_choose.emit(None);
            on_pick.emit(strip_time(&ev, end));
        })
    };
    let reached = props.reached_ms.max(props.now_ms);
    let on_scrub = props.on_scrub.reform(move |ev: InputEvent| {
        let input: web_sys::HtmlInputElement = ev.target_unchecked_into();
        let t: f64 = input.value().parse().unwrap_or(0.0);
        // Past the time reached there is nothing to go back to.
        if t > reached {
            input.set_value(&reached.to_string());
        }
        t.min(reached)
    });
    let detail = chosen.and_then(|i| props.faults.get(i).map(|f| (i, f))).map(|(i, f)| {
        let on_delete = {
            let (on_delete, on_choose) = (props.on_delete.clone(), on_choose.clone());
            Callback::from(move |_: MouseEvent| {
                on_choose.emit(None);
                on_delete.emit(i);
            })
        };
        html! {
            <span class="fault-detail">
                { format!("{} at {}", describe(f), format::clock(f.at_ms as f64)) }
                if let Some(d) = f.duration_ms { { format!(" for {}", format::clock(d as f64)) } }
                <button class="btn small" data-testid="timeline-delete" onclick={on_delete}>{ "Delete" }</button>
            </span>
        }
    });
    html! {
        <section class="timeline" data-testid="timeline" aria-label="Fault timeline">
            <div class="timeline-head">
                <span class="timeline-title">{ "Faults" }</span>
                { detail.unwrap_or_else(|| html! {
                    <span class="hint">{
                        match props.pick_ms {
                            Some(t) => format!("Next fault from the bar is scheduled at {}", format::clock(t as f64)),
                            None => "Click the strip to schedule the next fault at a time; drag a block to move it.".to_string(),
                        }
                    }</span>
                }) }
            </div>
            <div class="strip" onclick={on_strip}>
                <div class="reached" style={format!("width: {}", pct(props.reached_ms))} />
                { for blocks }
                if let Some(t) = props.pick_ms {
                    <div class="pick" style={format!("left: {}", pct(t as f64))} />
                }
                <div class="now" style={format!("left: {}", pct(props.now_ms))} />
            </div>
            <input class="scrubber" type="range" data-testid="scrubber" min="0" step="100"
                max={end.to_string()} value={props.now_ms.to_string()} data-reached={reached.to_string()}
                style={format!("--reached: {}", pct(reached))}
                data-value={props.now_ms.to_string()} oninput={on_scrub}
                aria-valuetext={format::clock(props.now_ms)}
                aria-label="Scrub: jump to an earlier moment of the run" />
        </section>
    }
}
