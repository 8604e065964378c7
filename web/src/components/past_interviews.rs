//! The list of finished interviews kept in this browser: when, on what, the
//! time per phase and the drill's results, each opened read-only (its report
//! as it ended) or deleted.

use crate::components::interview::report;
use crate::interview::past::lines;
use crate::interview::PastMap;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PastInterviewsProps {
    pub past: Rc<PastMap>,
    /// The one opened: (exercise id, when it ended).
    pub opened: Option<(String, f64)>,
    pub on_open: Callback<Option<(String, f64)>>,
    pub on_delete: Callback<(String, f64)>,
    pub on_close: Callback<()>,
}

#[component]
pub fn PastInterviews(props: &PastInterviewsProps) -> Html {
    let copied = use_state(|| None::<bool>);
    let close = props.on_close.reform(|_: MouseEvent| ());
    let opened = props.opened.as_ref().and_then(|(ex, at)| {
        let p = props.past.get(ex)?.iter().find(|p| p.ended_ms == *at)?;
        Some((ex.clone(), p.clone()))
    });
    if let Some((_, p)) = opened {
        let back = props.on_open.reform(|_: MouseEvent| None);
        let body = match &p.interview {
            Some(i) => {
                let m = i.drill.as_ref().map(|d| d.measured());
                report(i, m.as_ref(), p.ended_ms, &copied)
            }
            None => html! { <textarea readonly=true rows="14" value={p.report.clone()} /> },
        };
        let title = p.interview.as_ref().map_or_else(|| "Interview".to_string(), |i| i.title.clone());
        return html! {
            <aside class="interview ended past" data-testid="past-report" aria-label="Past interview report">
                <div class="iv-head">
                    <strong class="iv-phase-name">{ format!("{title} · attempt {} (read-only)", p.attempt) }</strong>
                </div>
                <p class="iv-subtitle">{ format!("Ended {}", crate::interview::past::date(p.ended_ms)) }</p>
                { body }
                <div class="iv-actions">
                    <button class="btn small" data-testid="past-back" onclick={back}>{ "‹ All past interviews" }</button>
                </div>
            </aside>
        };
    }
    let rows = lines(&props.past);
    html! {
        <aside class="interview past" data-testid="past-interviews" aria-label="Past interviews">
            <div class="iv-head"><strong class="iv-phase-name">{ "Past interviews" }</strong></div>
            if rows.is_empty() {
                <p class="help" data-testid="past-empty">{ "No finished interview is kept in this browser yet." }</p>
            }
            <ol class="past-list">
                { for rows.into_iter().map(|l| {
                    let key = (l.exercise.clone(), l.ended_ms);
                    let open = { let key = key.clone(); props.on_open.reform(move |_: MouseEvent| Some(key.clone())) };
                    let delete = props.on_delete.reform(move |_: MouseEvent| key.clone());
                    html! {
                        <li class="past-row" data-testid="past-row" data-exercise={l.exercise.clone()}>
                            <div class="iv-result-head"><strong>{ format!("{} · attempt {}", l.title, l.attempt) }</strong></div>
                            <div class="help" data-testid="past-date">{ l.date.clone() }</div>
                            <div class="past-phases" data-testid="past-phases">{ l.phases.clone() }</div>
                            <div class="past-drill" data-testid="past-drill">{ l.drill.clone() }</div>
                            <div class="iv-actions">
                                <button class="btn small" data-testid="past-open" onclick={open}
                                    aria-label={format!("Open the report of {} attempt {}", l.title, l.attempt)}>{ "Open" }</button>
                                <button class="btn small" data-testid="past-delete" onclick={delete}
                                    aria-label={format!("Delete the report of {} attempt {}", l.title, l.attempt)}>{ "Delete" }</button>
                            </div>
                        </li>
                    }
                }) }
            </ol>
            <div class="iv-actions"><button class="btn small" data-testid="past-close" onclick={close}>{ "Close" }</button></div>
        </aside>
    }
}
