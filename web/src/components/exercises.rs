//! The Exercises menu's list, and the open exercise beside the canvas: its
//! prompt and numbers, the Check button and its verdict criterion by
//! criterion, the hint ladder, and a link that shares the attempt.

use crate::exercises::{cap, Brief, Progress, ProgressMap, Verdict, MAX_STARS};
use faultline_sim::exercise::{CheckResult, Measured};
use std::rc::Rc;
use yew::prelude::*;

/// `n` filled stars out of three, as text ("★★☆").
pub fn stars(n: u8) -> String {
    (0..MAX_STARS).map(|k| if k < n { '★' } else { '☆' }).collect()
}

#[derive(Properties, PartialEq)]
pub struct ExercisesProps {
    pub briefs: Rc<Vec<Brief>>,
    /// While there are no exercises: that they are on their way, or why
    /// they could not be fetched.
    #[prop_or_default]
    pub status: Option<AttrValue>,
    pub progress: Rc<ProgressMap>,
    /// Open the exercise with this id.
    pub on_open: Callback<String>,
}

#[component]
pub fn ExercisesPanel(props: &ExercisesProps) -> Html {
    let host = use_node_ref();
    crate::modal::use_refocus_when_ready(&host, props.status.is_none());
    let items = props.briefs.iter().map(|b| {
        let p = props.progress.get(&b.id).copied().unwrap_or_default();
        let id = b.id.clone();
        let onclick = props.on_open.reform(move |_: MouseEvent| id.clone());
        html! {
            <li>
                <button class="preset exercise-item" data-testid={format!("exercise-{}", b.id)} {onclick}>
                    <span class="preset-title">{ b.title.clone() }</span>
                    <span class={classes!("stars", (p.stars > 0).then_some("earned"))} data-stars={p.stars.to_string()}
                        aria-label={format!("{} of {MAX_STARS} stars", p.stars)}>{ stars(p.stars) }</span>
                    <span class={classes!("difficulty", b.difficulty.clone())}>{ b.difficulty.clone() }</span>
                    if p.attempts > 0 {
                        <span class="help attempts" data-testid={format!("attempts-{}", b.id)}>{ attempts_text(p.attempts) }</span>
                    }
                </button>
            </li>
        }
    });
    html! {
        <div ref={host} class="panel library-panel exercises-panel" role="dialog" aria-modal="true" aria-label="Exercises">
            <p class="help">{ "Interview-style design problems, checked by running your design under a workload and faults you do not control. Opening one puts its starter on the canvas; your current design is saved in My designs first." }</p>
            if let Some(status) = &props.status {
                <p class="help" role="status" data-testid="exercises-status" tabindex="-1" autofocus={true}>{ status.clone() }</p>
            } else {
                <ul>{ for items }</ul>
            }
        </div>
    }
}

/// "1 check" or "n checks".
pub fn attempts_text(n: u32) -> String {
    format!("{n} check{}", if n == 1 { "" } else { "s" })
}

/// A criterion's value in its unit, with sensible digits.
pub fn value_text(v: f64, unit: &str) -> String {
    let digits = if v.fract() == 0.0 {
        0
    } else if unit == "%" {
        // Near 100% the second decimal is the difference that matters.
        2
    } else if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let n = format!("{v:.digits$}");
    match unit {
        "" => n,
        "%" => format!("{n}%"),
        u if u.starts_with('/') || u == "x" => format!("{n}{u}"),
        u => format!("{n} {u}"),
    }
}

/// Seconds, to a tenth.
fn secs(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1_000.0)
}

#[derive(Properties, PartialEq)]
pub struct ExerciseAsideProps {
    pub brief: Brief,
    pub progress: Progress,
    pub expanded: bool,
    pub on_expand: Callback<bool>,
    /// A check is running.
    pub checking: bool,
    pub verdict: Option<Rc<Verdict>>,
    /// The verdict was for an earlier version of the design.
    pub stale: bool,
    pub on_check: Callback<()>,
    pub on_hint: Callback<()>,
    pub on_starter: Callback<()>,
    pub on_reference: Callback<()>,
    /// Show this simulated moment (a first breach), in ms.
    pub on_moment: Callback<u64>,
    pub on_close: Callback<()>,
    /// Make a link to this exercise with the design on the canvas.
    pub on_share: Callback<()>,
    /// The attempt link made for the design on the canvas, and whether the
    /// browser let it be copied to the clipboard.
    pub shared: Option<(String, bool)>,
    /// Start an interview on this exercise.
    #[prop_or_default]
    pub on_interview: Callback<()>,
}

fn criterion_row(m: &Measured, on_moment: &Callback<u64>) -> Html {
    let value = m.value.map_or_else(|| "nothing measured".to_string(), |v| value_text(v, &m.unit));
    let op = if m.comparison == "at_most" { "≤" } else { "≥" };
    let breach = m.first_breach_ms.map(|t| {
        let onclick = on_moment.reform(move |_: MouseEvent| t);
        html! {
            <button class="btn small link-btn breach" data-testid={format!("breach-{}", m.id)} data-ms={t.to_string()}
                title="Move the scrubber and charts to this moment" {onclick}>{ format!("first breached at {}", secs(t)) }</button>
        }
    });
    html! {
        <li class={classes!("criterion", if m.pass { "pass" } else { "fail" })} data-testid={format!("criterion-{}", m.id)}
            data-pass={m.pass.to_string()}>
            <span class="mark" aria-hidden="true">{ if m.pass { "✓" } else { "✗" } }</span>
            <div class="criterion-body">
                <div class="criterion-label">{ m.label.clone() }</div>
                <div class="criterion-numbers">
                    <span class="criterion-value">{ value }</span>
                    <span class="criterion-threshold">{ format!(" {op} {}", value_text(m.threshold, &m.unit)) }</span>
                    <span class="criterion-window">{ format!(" · {}–{}", secs(m.window_ms[0]), secs(m.window_ms[1])) }</span>
                </div>
                { for breach }
            </div>
        </li>
    }
}

fn verdict_view(r: &CheckResult, progress: Progress, on_moment: &Callback<u64>) -> Html {
    let best = cap(progress.hints);
    let earned = r.stars.min(best);
    let headline = if r.pass {
        format!("Passed: {} earned", stars(earned))
    } else {
        let failed = r.check.criteria.iter().filter(|c| !c.pass).count();
        format!("Not yet: {failed} of {} criteria fail", r.check.criteria.len())
    };
    let why_stars = if !r.pass {
        None
    } else if earned < r.stars {
        Some(format!("The design is worth {}, capped at {} by the hints revealed.", stars(r.stars), stars(best)))
    } else {
        match r.stars {
            1 => Some("A second star needs every criterion 20% inside its threshold and the design within its cost budget.".to_string()),
            2 => Some("The third star needs the hidden variant to pass too (another seed, the fault on another node of the same role).".to_string()),
            _ => None,
        }
    };
    let cost = match r.cost.budget {
        Some(b) => format!("Cost: {} capacity units of {b} allowed", r.cost.units),
        None => format!("Cost: {} capacity units", r.cost.units),
    };
    let hidden = r.hidden.as_ref().map(|h| {
        html! { <p class={classes!("hidden-run", if h.pass { "pass" } else { "fail" })}>
            { if h.pass { "Hidden variant: passed." } else { "Hidden variant: failed (the design is tuned to the run it was shown)." } }
        </p> }
    });
    html! {
        <div class={classes!("verdict", if r.pass { "pass" } else { "fail" })} data-testid="verdict"
            data-pass={r.pass.to_string()} data-stars={earned.to_string()}>
            <p class="verdict-head" role="status">{ headline }</p>
            <ul class="criteria">{ for r.check.criteria.iter().map(|m| criterion_row(m, on_moment)) }</ul>
            { for hidden }
            <p class="help">{ cost }</p>
            if let Some(w) = why_stars { <p class="help">{ w }</p> }
        </div>
    }
}

fn hints_view(p: &ExerciseAsideProps) -> Html {
    let b = &p.brief;
    let used = (p.progress.hints as usize).min(b.hints.len());
    let shown = b.hints[..used].iter().enumerate().map(|(k, h)| {
        let reference = (h.level == "reference").then(|| {
            let onclick = p.on_reference.reform(|_: MouseEvent| ());
            html! { <button class="btn small" data-testid="open-reference" {onclick}>{ "Open the reference design" }</button> }
        });
        html! {
            <li class="hint" data-testid={format!("hint-{k}")}>
                <span class="hint-level">{ h.level.clone() }</span>{ " " }{ h.text.clone() }{ for reference }
            </li>
        }
    });
    let next = (used < b.hints.len()).then(|| {
        let (now, after) = (cap(used as u32), cap(used as u32 + 1));
        let warning = if after < now {
            format!("Revealing it lowers the best you can earn here from {} to {}.", stars(now), stars(after))
        } else {
            format!("Hints already cap this exercise at {}; more cost nothing further.", stars(now))
        };
        let onclick = p.on_hint.reform(|_: MouseEvent| ());
        html! {
            <div class="hint-next">
                <p class="help" data-testid="hint-cost">{ format!("Each hint lowers the best stars you can earn (3 with none, 2 after one, 1 after two). {warning}") }</p>
                <button class="btn small" data-testid="reveal-hint" {onclick}>{ format!("Reveal hint {} of {}", used + 1, b.hints.len()) }</button>
            </div>
        }
    });
    html! {
        <section class="hints">
            <h4>{ "Hints" }</h4>
            <ol class="hint-list">{ for shown }</ol>
            { for next }
        </section>
    }
}

/// The open exercise: a side panel beside the canvas that collapses to a
/// strip above it, like a preset's story.
#[component]
pub fn ExerciseAside(props: &ExerciseAsideProps) -> Html {
    let b = &props.brief;
    let open = props.expanded;
    let toggle = props.on_expand.reform(move |_: MouseEvent| !open);
    let close = props.on_close.reform(|_: MouseEvent| ());
    let check = props.on_check.reform(|_: MouseEvent| ());
    let starter = props.on_starter.reform(|_: MouseEvent| ());
    let share = props.on_share.reform(|_: MouseEvent| ());
    let best = cap(props.progress.hints);
    let check_button = html! {
        <button class="btn small primary" data-testid="check-exercise" onclick={check} disabled={props.checking}
            aria-busy={props.checking.to_string()}>{ if props.checking { "Checking…" } else { "Check" } }</button>
    };
    html! {
        <aside class={classes!("narrative", "exercise", (!open).then_some("collapsed"))} data-testid="exercise"
            aria-label={format!("Exercise: {}", b.title)}>
            <div class="narrative-head">
                <button class="btn small narrative-toggle" data-testid="exercise-toggle" aria-expanded={open.to_string()}
                    aria-label={if open { "Collapse the exercise" } else { "Show the exercise" }} onclick={toggle}>
                    { if open { "‹" } else { "☰ Exercise" } }
                </button>
                <strong class="narrative-title" title={b.title.clone()}>{ b.title.clone() }</strong>
                if !open { { check_button.clone() } }
                <button class="btn small exercise-close" data-testid="exercise-close" aria-label="Close the exercise" title="Close the exercise" onclick={close}>{ "✕" }</button>
            </div>
            if open {
                <div class="narrative-body">
                    <p class="exercise-meta">
                        <span class={classes!("difficulty", b.difficulty.clone())}>{ b.difficulty.clone() }</span>
                        <span class={classes!("stars", (props.progress.stars > 0).then_some("earned"))} title="Best earned so far">{ stars(props.progress.stars) }</span>
                        <span class="help" data-testid="exercise-attempts" data-value={props.progress.attempts.to_string()}>{ attempts_text(props.progress.attempts) }</span>
                        if best < MAX_STARS { <span class="help">{ format!("at most {} with the hints used", stars(best)) }</span> }
                    </p>
                    <p>{ b.prompt.clone() }</p>
                    <h4>{ "Requirements" }</h4>
                    <ul class="requirements">{ for b.requirements.iter().map(|r| html! { <li>{ r.clone() }</li> }) }</ul>
                    <div class="exercise-actions">
                        { check_button }
                        <button class="btn small" data-testid="exercise-starter" onclick={starter}
                            title="Put the starter design back on the canvas (Undo brings yours back)">{ "Start over" }</button>
                        <button class="btn small" data-testid="share-attempt" onclick={share}
                            title="A link that opens this exercise with your design, for a mentor or a reviewer">{ "Share attempt" }</button>
                        <button class="btn small" data-testid="start-interview" onclick={props.on_interview.reform(|_: MouseEvent| ())}
                            title="A timed 45-minute mock interview on this exercise, with a failure drill on your design">{ "Start interview" }</button>
                    </div>
                    if let Some((link, copied)) = &props.shared {
                        <div class="attempt-share">
                            <textarea class="share-link" data-testid="attempt-link" readonly=true rows="2" value={link.clone()} aria-label="Attempt link" />
                            <p class="help">{ format!("{} characters{}. It opens this exercise with this design; the design travels in the link's #fragment, never sent to a server.",
                                link.len(), if *copied { ", copied to the clipboard" } else { "" }) }</p>
                        </div>
                    }
                    if props.checking {
                        <p class="help" role="status" data-testid="checking">{ "Running your design under the check's workload and faults (and the hidden variant if it passes)…" }</p>
                    }
                    if let Some(v) = &props.verdict {
                        if props.stale { <p class="help stale">{ "For an earlier version of the design: check again." }</p> }
                        { match &**v {
                            Ok(r) => verdict_view(r, props.progress, &props.on_moment),
                            Err(e) => html! { <p class="field-error" data-testid="verdict-error">{ format!("This design cannot be checked: {e}") }</p> },
                        } }
                    }
                    { hints_view(props) }
                </div>
            }
        </aside>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_in_their_units() {
        assert_eq!(value_text(99.5, "%"), "99.50%");
        assert_eq!(value_text(100.0, "%"), "100%");
        assert_eq!(value_text(123.456, "ms"), "123 ms");
        assert_eq!(value_text(12.34, "ms"), "12.3 ms");
        assert_eq!(value_text(1.5, ""), "1.50");
        assert_eq!(value_text(800.0, "/s"), "800/s");
        assert_eq!(stars(2), "★★☆");
        assert_eq!((attempts_text(1), attempts_text(3)), ("1 check".to_string(), "3 checks".to_string()));
    }
}
