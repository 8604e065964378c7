//! The incident library: presets with a narrative for learners, and the
//! narrative card with its before/after toggle and its compare button.

use crate::library::Entry;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LibraryProps {
    pub entries: Rc<Vec<Entry>>,
    /// While there are no entries: that they are on their way, or why they
    /// could not be fetched.
    #[prop_or_default]
    pub status: Option<AttrValue>,
    /// Open entry `i`, its "after" when true.
    pub on_open: Callback<(usize, bool)>,
}

const GROUPS: [(&str, &str); 3] =
    [("incident", "Incidents"), ("starter", "Starter architectures"), ("theory", "Queueing and balancing")];

#[component]
pub fn LibraryPanel(props: &LibraryProps) -> Html {
    let host = use_node_ref();
    crate::modal::use_refocus_when_ready(&host, props.status.is_none());
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
        <div ref={host} class="panel library-panel" role="dialog" aria-modal="true" aria-label="Library">
            <p class="help">{ "Each preset runs the same file the CLI runs (assets/scenarios). Opening one replaces the canvas; your current design stays in My designs only if you saved it there." }</p>
            if let Some(status) = &props.status {
                <p class="help" role="status" data-testid="library-status" tabindex="-1" autofocus={true}>{ status.clone() }</p>
            } else {
                { for groups }
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct NarrativeProps {
    pub entry: Entry,
    pub index: usize,
    pub after: bool,
    /// Expanded into a side panel (else a strip over the canvas).
    pub open: bool,
    pub on_open: Callback<(usize, bool)>,
    /// Expand (true) or collapse (false).
    pub on_toggle: Callback<bool>,
    /// Compare entry `index`'s before and after on the same traffic.
    #[prop_or_default]
    pub on_compare: Callback<usize>,
}

/// The narrative as a side panel beside the canvas that collapses to a strip
/// above it. The strip keeps the preset's name, the button that expands it
/// again and the before/after switch: the switch is the point of a preset
/// with a fix, so it never goes out of reach.
#[component]
pub fn Narrative(props: &NarrativeProps) -> Html {
    let e = &props.entry;
    let (i, after, open) = (props.index, props.after, props.open);
    let toggle = props.on_toggle.reform(move |_: MouseEvent| !open);
    let flip = props.on_open.reform(move |_: MouseEvent| (i, !after));
    let switch = e.after.is_some().then(|| {
        html! {
            <button class="btn small before-after" data-testid="before-after" aria-pressed={after.to_string()}
                aria-label="Show the fix" title={if after { "Showing the design after the fix: switch to before" } else { "Showing the design before the fix: switch to after" }}
                onclick={flip}>
                <span class={classes!("seg", (!after).then_some("on"))}>{ "Before" }</span>
                <span class={classes!("seg", after.then_some("on"))}>{ "After the fix" }</span>
            </button>
        }
    });
    let compare = e.after.is_some().then(|| {
        let onclick = props.on_compare.reform(move |_: MouseEvent| i);
        html! {
            <button class="btn small" data-testid="compare-before-after" aria-haspopup="dialog" {onclick}
                title="Run the design before and after the fix on the same traffic and faults, side by side">
                { "Compare before/after" }</button>
        }
    });
    html! {
        <aside class={classes!("narrative", (!open).then_some("collapsed"))} data-testid="narrative"
            aria-label={format!("About: {}", e.title)}>
            <div class="narrative-head">
                <button class="btn small narrative-toggle" data-testid="narrative-toggle" aria-expanded={open.to_string()}
                    aria-label={if open { "Collapse the story" } else { "Show the story" }} onclick={toggle}>
                    { if open { "‹" } else { "☰ Story" } }
                </button>
                <strong class="narrative-title" title={e.title.clone()}>{ e.title.clone() }</strong>
                { for switch }
                { for compare }
            </div>
            if open {
                <div class="narrative-body">
                    <h4>{ "What happens" }</h4><p>{ e.happens.clone() }</p>
                    <h4>{ "What to look at" }</h4><p>{ e.look.clone() }</p>
                    <h4>{ "What to try" }</h4><p>{ e.try_next.clone() }</p>
                </div>
            }
        </aside>
    }
}
