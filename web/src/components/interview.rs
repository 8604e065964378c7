//! The interview panel, over the canvas's top right: the phase with the
//! time left in it and overall, moving between phases, pause, the notes of
//! the phase, the exercise's prompt while gathering requirements, the
//! drill's faults and numbers as they come, and the end report with its
//! timeline drawing. It collapses to one line (phase and clock) so it never
//! keeps the canvas covered, on a narrow screen least of all.
//!
//! The clock is wall-clock time read on each render (`js_sys::Date::now`);
//! the panel re-renders itself once a second while the clock runs, so the
//! rest of the page does not.

use crate::components::timeline::describe;
use crate::interview::drill::{intervals, Measured};
use crate::interview::report::{breach_rule, budget, cells, markdown, secs};
use crate::interview::schedule::{mmss, Phase};
use crate::interview::{Change, Interview};
use std::rc::Rc;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InterviewPanelProps {
    pub interview: Rc<Interview>,
    /// The exercise's prompt and requirements (none for a blank canvas).
    #[prop_or_default]
    pub prompt: Option<Rc<(String, Vec<String>)>>,
    /// The run's simulated time, to tell which drill faults have fired.
    pub sim_now_ms: f64,
    /// Why the drill cannot run, if it cannot.
    #[prop_or_default]
    pub drill_blocked: Option<String>,
    pub on_change: Callback<Change>,
    pub on_close: Callback<()>,
    /// Folded to one line (the canvas then has the whole stage).
    #[prop_or_default]
    pub collapsed: bool,
    #[prop_or_default]
    pub on_collapse: Callback<bool>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// The drill's timeline: the error rate over the run, each fault's span, and
/// its first breach, first edit and recovery.
fn timeline_svg(i: &Interview, m: &Measured, now_ms: Option<f64>) -> Html {
    let Some(d) = &i.drill else { return Html::default() };
    let (w, h, top, bottom) = (320.0, 84.0, 6.0, 20.0);
    let end = (d.plan.duration_ms as f64).max(1.0);
    let x = |t: f64| (t / end).clamp(0.0, 1.0) * w;
    let ivs = intervals(&d.samples);
    let rate =
        |iv: &crate::interview::drill::Interval| if iv.done == 0 { 0.0 } else { iv.failed as f64 / iv.done as f64 };
    // The scale shows the threshold well even when errors stay small.
    let top_rate = ivs.iter().map(rate).fold(d.plan.targets.error_rate * 4.0, f64::max).min(1.0);
    let y = |r: f64| top + (1.0 - r / top_rate) * (h - top - bottom);
    let line: String = ivs
        .iter()
        .map(|iv| format!("{:.1},{:.1} {:.1},{:.1} ", x(iv.t0), y(rate(iv)), x(iv.t1), y(rate(iv))))
        .collect();
    let spans = d.plan.faults.iter().map(|f| {
        let until = f.fault.duration_ms.map_or(end, |ms| (f.fault.at_ms + ms) as f64);
        let (a, b) = (x(f.fault.at_ms as f64), x(until));
        html! { <rect class="iv-fault" x={format!("{a:.1}")} y={top.to_string()} width={format!("{:.1}", (b - a).max(2.0))} height={(h - top - bottom).to_string()}>
            <title>{ describe(&f.fault) }</title></rect> }
    });
    let mark = |t: Option<f64>, class: &'static str, what: &str| {
        t.map(|t| {
            let cx = x(t);
            html! { <line class={classes!("iv-mark", class)} x1={format!("{cx:.1}")} x2={format!("{cx:.1}")} y1={top.to_string()} y2={(h - bottom + 4.0).to_string()}>
                <title>{ format!("{what} at {}", secs(t)) }</title></line> }
        })
    };
    let marks = m.faults.iter().flat_map(|r| {
        [
            mark(r.first_breach_ms, "breach", "first breach"),
            mark(r.first_edit_ms, "edit", "first edit"),
            mark(r.recovery_ms, "recovery", "recovery"),
        ]
    });
    let ticks = (0..=(end / 10_000.0) as u64).map(|k| {
        let t = k as f64 * 10_000.0;
        html! { <text class="iv-tick" x={format!("{:.1}", x(t))} y={(h - 4.0).to_string()}>{ format!("{}s", k * 10) }</text> }
    });
    let threshold = y(d.plan.targets.error_rate);
    html! {
        <figure class="iv-timeline" data-testid="interview-timeline">
            <svg viewBox={format!("-10 0 {} {h}", w + 22.0)} role="img" aria-label="The drill's timeline: error rate, faults, first breach, first edit, recovery">
                { for spans }
                <line class="iv-threshold" x1="0" x2={w.to_string()} y1={format!("{threshold:.1}")} y2={format!("{threshold:.1}")} />
                <polyline class="iv-errors" points={line} />
                { for marks.flatten() }
                if let Some(t) = now_ms { <line class="iv-now" x1={format!("{:.1}", x(t))} x2={format!("{:.1}", x(t))} y1="0" y2={(h - bottom).to_string()} /> }
                { for ticks }
            </svg>
            <figcaption class="iv-legend">
                <span class="k fault">{ "fault" }</span><span class="k errors">{ "error rate" }</span>
                <span class="k threshold">{ format!("{}%", d.plan.targets.error_rate * 100.0) }</span>
                <span class="k breach">{ "breach" }</span><span class="k edit">{ "edit" }</span><span class="k recovery">{ "recovery" }</span>
            </figcaption>
        </figure>
    }
}

/// Each fault's numbers, one block a fault (the panel is too narrow for
/// the report's table).
fn results(i: &Interview, m: &Measured) -> Html {
    let Some(d) = &i.drill else { return Html::default() };
    let rows = d.plan.faults.iter().zip(&m.faults).enumerate().map(|(k, (f, r))| {
        let [breach, edit, recovery, mitigate] = cells(r);
        html! {
            <li class="iv-result" data-testid={format!("drill-result-{k}")} data-breach-ms={r.first_breach_ms.map(|t| t.to_string())}
                data-recovery-ms={r.recovery_ms.map(|t| t.to_string())} data-edit-ms={r.first_edit_ms.map(|t| t.to_string())}
                data-failed={r.failed.to_string()}>
                <div class="iv-result-head"><strong>{ describe(&f.fault) }</strong>{ format!(" at {}", secs(r.at_ms)) }</div>
                <dl>
                    <dt>{ "First breach" }</dt><dd>{ breach }</dd>
                    <dt>{ "First edit" }</dt><dd>{ edit }</dd>
                    <dt>{ "Recovery" }</dt><dd>{ recovery }</dd>
                    <dt>{ "Time to mitigate" }</dt><dd data-testid={format!("mitigate-{k}")}>{ mitigate }</dd>
                    <dt>{ "Budget burned" }</dt><dd data-testid={format!("budget-{k}")}>{ format!("{} ({} failed)", budget(r.budget_burned), r.failed) }</dd>
                </dl>
                <p class="help">{ f.source.clone() }</p>
            </li>
        }
    });
    html! {
        <>
            <p class="help">{ format!("Breach: {}. Recovery: 5 s without a breach. Budget: SLO {}%, {:.1} failures allowed over the {} requests {}.",
                breach_rule(&d.plan.targets), d.plan.targets.slo_pct, m.allowed_failures, m.done,
                if m.faults.iter().all(|f| f.complete) { "of the drill" } else { "so far" }) }</p>
            if m.breached_before { <p class="help warn">{ "Your design was already breaching before the first fault." }</p> }
            <ol class="iv-results">{ for rows }</ol>
        </>
    }
}

pub(crate) fn report(i: &Interview, m: Option<&Measured>, t: f64, copied: &UseStateHandle<Option<bool>>) -> Html {
    let text = markdown(i, m, t);
    let copy = {
        let (copied, text) = (copied.clone(), text.clone());
        Callback::from(move |_: MouseEvent| {
            let promise = gloo::utils::window().navigator().clipboard().write_text(&text);
            let copied = copied.clone();
            yew::platform::spawn_local(async move {
                copied.set(Some(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()));
            });
        })
    };
    let phases = Phase::ALL.iter().map(|p| {
        let used = i.clock.used(*p, i.phase, t);
        let over = used > p.planned_ms();
        html! {
            <tr class={classes!(over.then_some("over"))}>
                <td>{ p.label() }</td><td>{ mmss(p.planned_ms()) }</td><td data-testid={format!("used-{}", p.index())}>{ mmss(used) }</td>
            </tr>
        }
    });
    let notes = Phase::ALL.iter().filter(|p| !i.notes[p.index()].trim().is_empty()).map(|p| {
        html! { <><dt>{ p.label() }</dt><dd class="iv-note-text">{ i.notes[p.index()].trim().to_string() }</dd></> }
    });
    html! {
        <section class="iv-report" data-testid="interview-report">
            <h4>{ "Report" }</h4>
            <table class="iv-phases">
                <thead><tr><th>{ "Phase" }</th><th>{ "Planned" }</th><th>{ "Used" }</th></tr></thead>
                <tbody>{ for phases }</tbody>
            </table>
            <h4>{ "Failure drill" }</h4>
            { match m {
                Some(m) => html! { <>{ timeline_svg(i, m, None) }{ results(i, m) }</> },
                None => html! { <p class="help">{ "The drill did not run." }</p> },
            } }
            if i.notes.iter().any(|n| !n.trim().is_empty()) { <h4>{ "Notes" }</h4><dl class="iv-notes">{ for notes }</dl> }
            <div class="iv-actions">
                <button class="btn small primary" data-testid="interview-copy" onclick={copy}>{ "Copy as Markdown" }</button>
                { match **copied {
                    Some(true) => html! { <span class="help" role="status">{ "Copied." }</span> },
                    Some(false) => html! { <span class="help" role="status">{ "The browser refused the clipboard: copy it from below." }</span> },
                    None => Html::default(),
                } }
            </div>
            <details class="iv-markdown"><summary>{ "Markdown" }</summary>
                <textarea readonly=true data-testid="interview-markdown" value={text} rows="8" /></details>
        </section>
    }
}

#[component]
pub fn InterviewPanel(props: &InterviewPanelProps) -> Html {
    let i = &props.interview;
    let copied = use_state(|| None::<bool>);
    // Re-render once a second while the clock runs.
    let update = use_force_update();
    let running = !i.clock.paused() && !i.ended;
    use_effect_with(running, move |&running| {
        let tick = running.then(|| gloo::timers::callback::Interval::new(1_000, move || update.force_update()));
        move || drop(tick)
    });
    let t = now();
    // Measured again only when the interview changes (a new sample, note or
    // phase), not on the clock's ticks or a collapse.
    let measured = use_memo(crate::same::Same(Rc::clone(i)), |i| i.drill.as_ref().map(|d| d.measured()));
    let phase = i.phase;
    let left = i.clock.left_in(phase, t);
    let overall = i.clock.left_overall(t);
    let go = |p: Option<Phase>| p.map(|p| props.on_change.reform(move |_: MouseEvent| Change::Go(p)));
    let (prev, next) = (go(phase.previous()), go(phase.next()));
    let pause = props.on_change.reform({
        let paused = i.clock.paused();
        move |_: MouseEvent| if paused { Change::Resume } else { Change::Pause }
    });
    let end = props.on_change.reform(|_: MouseEvent| Change::End);
    let close = props.on_close.reform(|_: MouseEvent| ());
    let collapsed = props.collapsed;
    let toggle = props.on_collapse.reform(move |_: MouseEvent| !collapsed);
    let clock_text = |ms: f64| if ms < 0.0 { format!("{} over", mmss(-ms)) } else { format!("{} left", mmss(ms)) };
    let pause_label = if i.clock.paused() { "Resume" } else { "Pause" };
    let head = html! {
        <div class="iv-head">
            <button class="btn small" data-testid="interview-collapse" aria-expanded={(!collapsed).to_string()}
                aria-label={if collapsed { "Show the interview" } else { "Collapse the interview" }} onclick={toggle}>
                { if collapsed { "▾" } else { "▴" } }</button>
            <strong class="iv-phase-name" data-testid="interview-phase" data-phase={phase.index().to_string()}>
                { if i.ended { "Interview report".to_string() } else { phase.label().to_string() } }</strong>
            if !i.ended {
                <span class="iv-step" aria-label={format!("phase {} of 6", phase.index() + 1)}>{ format!("{}/6", phase.index() + 1) }</span>
                <span class={classes!("iv-clock", (left < 0.0).then_some("over"), i.clock.paused().then_some("paused"))}
                    data-testid="interview-phase-left" data-ms={left.round().to_string()}>{ clock_text(left) }</span>
            }
        </div>
    };
    if collapsed {
        return html! {
            <aside class="interview collapsed" data-testid="interview" aria-label="Interview">
                { head }
                if !i.ended { <button class="btn small" data-testid="interview-pause" onclick={pause}>{ pause_label }</button> }
            </aside>
        };
    }
    let note = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_change.emit(Change::Note(phase, area.value()));
        })
    };
    let prompt = props.prompt.as_ref().filter(|_| phase == Phase::Requirements).map(|p| {
        html! {
            <div class="iv-prompt" data-testid="interview-prompt">
                <p>{ p.0.clone() }</p>
                <ul class="requirements">{ for p.1.iter().map(|r| html! { <li>{ r.clone() }</li> }) }</ul>
            </div>
        }
    });
    let drill = (phase == Phase::FailureDrill && !i.ended).then(|| {
        let faults = i.drill.as_ref().map(|d| {
            d.plan.faults.iter().enumerate().map(|(k, f)| {
                let at = f.fault.at_ms as f64;
                let fired = props.sim_now_ms >= at;
                html! {
                    <li data-testid={format!("drill-fault-{k}")} data-fired={fired.to_string()} class={classes!(fired.then_some("fired"))}>
                        { format!("{} at {}", describe(&f.fault), secs(at)) }
                        <span class="help">{ if fired { " · fired".to_string() } else { format!(" · in {}", secs(at - props.sim_now_ms)) } }</span>
                    </li>
                }
            }).collect::<Html>()
        });
        html! {
            <section class="iv-drill" data-testid="interview-drill">
                if let Some(why) = &props.drill_blocked { <p class="field-error">{ why.clone() }</p> }
                if i.drill.as_ref().is_some_and(|d| d.plan.faults.is_empty()) {
                    <p class="help warn">{ "Nothing to break yet: the design has no service or database. Build one, then go back a phase and come here again." }</p>
                }
                <ol class="iv-faults">{ for faults }</ol>
                if let Some(m) = measured.as_ref() { { timeline_svg(i, m, Some(props.sim_now_ms)) }{ results(i, m) } }
            </section>
        }
    });
    let show_report = i.ended || phase == Phase::WrapUp;
    html! {
        <aside class={classes!("interview", i.ended.then_some("ended"))} data-testid="interview" aria-label="Interview">
            { head }
            <div class="iv-body">
                <p class="iv-subtitle">{ format!("Interview · {} · attempt {}", i.title, i.attempt) }</p>
                if !i.ended {
                    <div class="iv-clocks">
                        <span data-testid="interview-overall-left">{ format!("Overall {}", clock_text(overall)) }</span>
                        <span>{ format!("this phase: {} min planned", phase.planned_minutes()) }</span>
                    </div>
                    <div class="iv-bar" aria-hidden="true"><div style={format!("width: {:.1}%", (100.0 * (1.0 - left / phase.planned_ms())).clamp(0.0, 100.0))} /></div>
                    <p class="help">{ phase.goal() }</p>
                    <div class="iv-actions">
                        <button class="btn small" data-testid="interview-prev" disabled={prev.is_none()} onclick={prev.unwrap_or_default()}>{ "‹ Back" }</button>
                        <button class="btn small" data-testid="interview-pause" data-paused={i.clock.paused().to_string()} onclick={pause}>{ pause_label }</button>
                        <button class="btn small primary" data-testid="interview-next" disabled={next.is_none()} onclick={next.unwrap_or_default()}>{ "Next ›" }</button>
                        <button class="btn small" data-testid="interview-end" onclick={end}
                            title="Stop the clock and show the report">{ "End" }</button>
                    </div>
                }
                { for prompt }
                { for drill }
                if show_report { { report(i, (*measured).as_ref(), t, &copied) } }
                <label class="iv-note">
                    <span>{ format!("Notes: {}", phase.label()) }</span>
                    <textarea data-testid="interview-note" rows="3" value={i.notes[phase.index()].clone()} oninput={note}
                        placeholder="Assumptions, numbers, trade-offs: saved as you type" />
                </label>
                if i.ended {
                    <div class="iv-actions"><button class="btn small" data-testid="interview-close" onclick={close}>{ "Close the interview" }</button></div>
                }
            </div>
        </aside>
    }
}
