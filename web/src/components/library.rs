//! The incident library: presets with a narrative for learners, and the
//! narrative card with its before/after toggle.

use crate::library::Entry;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LibraryProps {
    pub entries: Rc<Vec<Entry>>,
    /// Open entry `i`, its "after" when true.
    pub on_open: Callback<(usize, bool)>,
}

const GROUPS: [(&str, &str); 3] =
    [("incident", "Incidents"), ("starter", "Starter architectures"), ("theory", "Queueing and balancing")];

#[component]
pub fn LibraryPanel(props: &LibraryProps) -> Html {
    let groups = GROUPS.iter().map(|(group, heading)| {
        let items = props.entries.iter().enumerate().filter(|(_, e)| e.group == *group).map(|(i, e)| {
            let onclick = props.on_open.reform(move |_: MouseEvent| (i, false));
            html! {
                <li>
                    <button class="preset" data-testid={format!("preset-{}", e.name)} {onclick}>
                        <span class="preset-title">{ e.title.clone() }</span>
                        <span class="preset-summary">{ e.summary.clone() }</span>
                        if e.after.is_some() { <span class="badge">{ "before / after" }</span> }
                    </button>
                </li>
            }
        });
        html! { <section><h3>{ *heading }</h3><ul>{ for items }</ul></section> }
    });
    html! {
        <div class="panel library-panel" role="dialog" aria-label="Library">
            <p class="help">{ "Each preset runs the same file the CLI runs (assets/scenarios). Opening one replaces the canvas; your current design stays in My designs only if you saved it there." }</p>
            { for groups }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct NarrativeProps {
    pub entry: Entry,
    pub index: usize,
    pub after: bool,
    pub on_open: Callback<(usize, bool)>,
    pub on_close: Callback<()>,
}

#[component]
pub fn Narrative(props: &NarrativeProps) -> Html {
    let e = &props.entry;
    let (i, after) = (props.index, props.after);
    let close = props.on_close.reform(|_: MouseEvent| ());
    let flip = props.on_open.reform(move |_: MouseEvent| (i, !after));
    html! {
        <aside class="narrative" data-testid="narrative" aria-label={format!("About: {}", e.title)}>
            <div class="narrative-head">
                <strong>{ e.title.clone() }</strong>
                <button class="btn small" aria-label="Close" onclick={close}>{ "×" }</button>
            </div>
            if e.after.is_some() {
                <div class="before-after" role="group" aria-label="Before or after the fix">
                    <button class={classes!("btn", "small", (!after).then_some("primary"))} data-testid="before-after"
                        aria-pressed={after.to_string()} onclick={flip}>
                        { if after { "Showing: after the fix — switch to before" } else { "Showing: before — switch to after the fix" } }
                    </button>
                </div>
            }
            <h4>{ "What happens" }</h4><p>{ e.happens.clone() }</p>
            <h4>{ "What to look at" }</h4><p>{ e.look.clone() }</p>
            <h4>{ "What to try" }</h4><p>{ e.try_next.clone() }</p>
        </aside>
    }
}
