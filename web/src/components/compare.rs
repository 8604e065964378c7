//! The compare view: two designs run on the same traffic and fault timeline,
//! their charts overlaid and their summaries side by side with the
//! difference, better in one colour and worse in another, each with a
//! word and a sign so colour is never the only cue.
//!
//! It opens over the canvas (focus inside, Tab kept inside, Escape or Close
//! ends it and focus goes back to what opened it: `modal::use_modal`). A
//! press outside does not close it: the Share panel, opened from the top
//! bar while it is open, offers its link.

use super::compare_chart::{overlay, Frame, Metric};
use super::timeline::describe;
use crate::compare::{name_of, Open};
use crate::modal::use_modal;
use faultline_live::compare::{rows, Row, Side, Verdict};
use faultline_live::protocol::OpSeries;
use faultline_sim::metrics::Point;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub open: Open,
    /// The compare's share link (copied by "Copy compare link").
    pub link: AttrValue,
    pub on_close: Callback<()>,
}

const CHARTS: [(Metric, &str); 3] =
    [(Metric::Success, "success"), (Metric::P99, "p99"), (Metric::Throughput, "throughput")];

/// The points of operation `name` on a side (none if it does not send it).
fn op_points<'a>(ops: &'a [OpSeries], name: &str) -> &'a [Point] {
    ops.iter().find(|o| o.name == name).map_or(&[], |o| &o.points)
}

fn diff_cell(r: &Row) -> Html {
    let (class, word) = match r.verdict() {
        Verdict::Better => ("better", " ▲ better"),
        Verdict::Worse => ("worse", " ▼ worse"),
        Verdict::Same => ("same", " same"),
        Verdict::Unknown => ("", ""),
    };
    html! { <td class={classes!("diff", class)}>{ r.diff_text() }<span class="cmp-word">{ word }</span></td> }
}

fn table(a: &Side, b: &Side) -> Html {
    let mut op = None;
    let mut body = Vec::new();
    for r in rows(&a.summary, &b.summary) {
        if r.op.is_some() && r.op != op {
            op = r.op.clone();
            body.push(html! {
                <tr class="op-head"><th colspan="4" scope="colgroup">{ format!("Operation {}", r.op.as_deref().unwrap_or_default()) }</th></tr>
            });
        }
        let verdict = match r.verdict() {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Same => "same",
            Verdict::Unknown => "unknown",
        };
        body.push(html! {
            <tr data-testid={format!("compare-row-{}", r.key)} data-verdict={verdict}
                data-a={r.a.map(|v| v.to_string())} data-b={r.b.map(|v| v.to_string())}>
                <th scope="row" class={classes!(r.op.is_some().then_some("in-op"))}>{ r.label.clone() }</th>
                <td>{ r.text(r.a) }</td><td>{ r.text(r.b) }</td>{ diff_cell(&r) }
            </tr>
        });
    }
    html! {
        <table class="compare-table" data-testid="compare-table">
            <caption>{ "The whole run, B against A (better and worse by each metric's direction: higher success, lower latency)" }</caption>
            <thead><tr><th scope="col">{ "Metric" }</th><th scope="col">{ "A" }</th><th scope="col">{ "B" }</th><th scope="col">{ "B − A" }</th></tr></thead>
            <tbody>{ for body }</tbody>
        </table>
    }
}

#[component]
pub fn CompareView(props: &CompareProps) -> Html {
    let host = use_node_ref();
    use_modal(&host, props.open.opener.into(), Callback::noop());
    let copied = use_state(|| None::<bool>);
    // The second under the pointer on any chart: every chart reads it.
    let hover = use_state_eq(|| None::<f64>);
    let set_hover = {
        let hover = hover.clone();
        Callback::from(move |t: Option<f64>| hover.set(t))
    };
    // A pointer anywhere else in the view (or out of it) reads nothing. Not
    // left to each chart's own pointerleave alone: one was missed now and then
    // (about 1 run in 6 of the hover e2e), leaving a reading on screen.
    let off_charts = {
        let set = set_hover.clone();
        Callback::from(move |ev: PointerEvent| {
            let target = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
            if target.and_then(|e| e.closest("figure.chart svg").ok().flatten()).is_none() {
                set.emit(None);
            }
        })
    };
    let off_view = set_hover.reform(|_: PointerEvent| None);
    let o = &props.open;
    let (na, nb) = (name_of(&o.a, "A"), name_of(&o.b, "B"));
    let close = props.on_close.reform(|_: MouseEvent| ());
    let on_backdrop = {
        let (host, on_close) = (host.clone(), props.on_close.clone());
        Callback::from(move |ev: MouseEvent| {
            use wasm_bindgen::JsCast;
            if ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) == host.cast::<web_sys::Element>() {
                on_close.emit(());
            }
        })
    };
    let copy = {
        let (link, copied) = (props.link.to_string(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            let promise = gloo::utils::window().navigator().clipboard().write_text(&link);
            let copied = copied.clone();
            yew::platform::spawn_local(async move {
                copied.set(Some(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()));
            });
        })
    };
    let markers: Vec<(u64, String)> = o.a.faults.iter().map(|f| (f.at_ms, describe(f))).collect();
    let faults = match o.a.faults.len() {
        0 => "no faults".to_string(),
        1 => "A's fault timeline (1 fault)".to_string(),
        n => format!("A's fault timeline ({n} faults)"),
    };
    let body = match &o.result {
        None => {
            html! { <p class="help" role="status" data-testid="compare-running">{ "Running both designs in the engine…" }</p> }
        }
        Some(c) => {
            let rules = format!(
                "Same traffic: both run from 0 to {} s with seed {} and {faults}. Requests are drawn per client and \
                 workload, so the same client sends the same arrivals in both: the difference is the design, not luck.",
                c.duration_ms as f64 / 1_000.0,
                c.seed
            );
            let skipped = (!c.skipped.is_empty()).then(|| {
                html! {
                    <div class="message" role="status" data-testid="compare-skipped">
                        <strong>{ "Not in B, skipped for B: " }</strong>
                        { for c.skipped.iter().map(|s| html! {
                            <span class="skipped">{ format!("{} at {} s ({}). ", describe(&s.fault), s.fault.at_ms as f64 / 1_000.0, s.why) }</span>
                        }) }
                    </div>
                }
            });
            let errors = [("A", &c.a), ("B", &c.b)].map(|(which, side)| {
                side.as_ref().err().map(|e| {
                    html! { <p class="field-error" role="alert" data-testid={format!("compare-error-{}", which.to_lowercase())}>
                        { format!("{which} could not run: {e}") }</p> }
                })
            });
            let frame = Frame { end_ms: c.duration_ms as f64, markers: &markers, hover: *hover, set_hover: &set_hover };
            let shown = match (&c.a, &c.b) {
                (Ok(a), Ok(b)) => {
                    let mut names: Vec<&str> = a.ops.iter().map(|o| o.name.as_str()).collect();
                    for op in &b.ops {
                        if !names.contains(&op.name.as_str()) {
                            names.push(&op.name);
                        }
                    }
                    let whole = CHARTS.map(|(m, id)| {
                        overlay(format!("compare-chart-{id}"), m.label().into(), m, &a.series, &b.series, frame)
                    });
                    let per_op = names.iter().map(|name| {
                        let (pa, pb) = (op_points(&a.ops, name), op_points(&b.ops, name));
                        html! {
                            <div class="compare-op" data-testid={format!("compare-op-{name}")}>
                                { overlay(format!("compare-op-{name}-success"), format!("{name} · success rate"), Metric::Success, pa, pb, frame) }
                                { overlay(format!("compare-op-{name}-p99"), format!("{name} · p99 latency"), Metric::P99, pa, pb, frame) }
                            </div>
                        }
                    });
                    html! {
                        <>
                            <div class="chart-row compare-charts">{ for whole }</div>
                            if names.len() > 1 {
                                <h3 class="compare-sub">{ "Per operation" }</h3>
                                <div class="compare-ops">{ for per_op }</div>
                            }
                            { table(a, b) }
                        </>
                    }
                }
                _ => html! {},
            };
            html! {
                <>
                    <p class="help" data-testid="compare-rules">{ rules }</p>
                    { for skipped }
                    { for errors.into_iter().flatten() }
                    { shown }
                </>
            }
        }
    };
    html! {
        <div class="compare-host" ref={host} onclick={on_backdrop} onpointermove={off_charts} onpointerleave={off_view}>
            <section class="panel compare-panel" role="dialog" aria-modal="true" aria-labelledby="compare-title" data-testid="compare">
                <header class="compare-head">
                    <h2 id="compare-title" data-testid="compare-title">{ format!("Compare: {na} vs {nb}") }</h2>
                    <button class="btn small" data-testid="compare-copy-link" onclick={copy}>{ "Copy compare link" }</button>
                    <button class="btn small" data-testid="compare-close" onclick={close} aria-label="Close the comparison">{ "✕ Close" }</button>
                </header>
                <div class="chart-legend compare-legend" data-testid="compare-legend">
                    <span class="legend-item"><i class="swatch cmp-a" />{ format!("A: {na}") }</span>
                    <span class="legend-item"><i class="swatch cmp-b" />{ format!("B: {nb} (dashed)") }</span>
                    if !markers.is_empty() { <span class="legend-item"><i class="swatch fault" />{ "a fault starts" }</span> }
                    if let Some(ok) = *copied {
                        <span role="status">{ if ok { "Link copied." } else { "The browser did not allow copying: use Share." } }</span>
                    }
                </div>
                { body }
            </section>
        </div>
    }
}
