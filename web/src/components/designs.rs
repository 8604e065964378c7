//! "My designs": named designs saved in this browser. Open, compare with
//! the current design, rename, duplicate, delete, and save the current
//! design under a name.

use crate::storage::{self, Design};
use faultline_sim::Scenario;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DesignsProps {
    pub doc: Rc<Scenario>,
    pub on_open: Callback<Scenario>,
    pub on_message: Callback<Option<String>>,
    /// Compare the current design (A) with a saved one (B).
    #[prop_or_default]
    pub on_compare: Callback<Scenario>,
}

/// Wall-clock time in ms since the epoch.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.time_origin() + p.now())
}

#[component]
pub fn DesignsPanel(props: &DesignsProps) -> Html {
    let list = use_state(storage::designs);
    let name = use_node_ref();
    let renaming = use_state(|| None::<usize>);
    let store = {
        let (list, on_message) = (list.clone(), props.on_message.clone());
        move |next: Vec<Design>| match storage::save_designs(&next) {
            Ok(()) => {
                list.set(Ok(next));
                on_message.emit(None);
            }
            Err(e) => on_message.emit(Some(e)),
        }
    };
    let current: Vec<Design> = match &*list {
        Ok(l) => l.clone(),
        Err(e) => {
            return html! { <div class="panel designs-panel" role="dialog" aria-modal="true" aria-label="My designs"><p class="field-error">{ e.clone() }</p></div> };
        }
    };
    let on_save = {
        let (doc, name, store, current) = (Rc::clone(&props.doc), name.clone(), store.clone(), current.clone());
        Callback::from(move |ev: SubmitEvent| {
            ev.prevent_default();
            let typed = name.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let mut next = current.clone();
            let base = if typed.trim().is_empty() { doc.name.clone() } else { typed };
            next.push(Design {
                name: storage::unique_name(&current, &base),
                saved_ms: now_ms(),
                scenario: (*doc).clone(),
            });
            store(next);
        })
    };
    let rows = current.iter().enumerate().map(|(i, d)| {
        let open = {
            let (on_open, s) = (props.on_open.clone(), d.scenario.clone());
            Callback::from(move |_: MouseEvent| on_open.emit(s.clone()))
        };
        let compare = {
            let (on_compare, s) = (props.on_compare.clone(), d.scenario.clone());
            Callback::from(move |_: MouseEvent| on_compare.emit(s.clone()))
        };
        let duplicate = {
            let (store, current) = (store.clone(), current.clone());
            Callback::from(move |_: MouseEvent| {
                let mut next = current.clone();
                let mut copy = current[i].clone();
                copy.name = storage::unique_name(&current, &copy.name);
                next.insert(i + 1, copy);
                store(next);
            })
        };
        let delete = {
            let (store, current) = (store.clone(), current.clone());
            Callback::from(move |_: MouseEvent| {
                let mut next = current.clone();
                next.remove(i);
                store(next);
            })
        };
        let start_rename = {
            let renaming = renaming.clone();
            Callback::from(move |_: MouseEvent| renaming.set(Some(i)))
        };
        let finish_rename = {
            let (store, current, renaming) = (store.clone(), current.clone(), renaming.clone());
            Callback::from(move |ev: Event| {
                let input: HtmlInputElement = ev.target_unchecked_into();
                let mut next = current.clone();
                let others: Vec<Design> = current.iter().enumerate().filter(|(k, _)| *k != i).map(|(_, d)| d.clone()).collect();
                next[i].name = storage::unique_name(&others, &input.value());
                renaming.set(None);
                store(next);
            })
        };
        html! {
            <li class="design" data-testid={format!("design-{i}")}>
                if *renaming == Some(i) {
                    <input type="text" value={d.name.clone()} onchange={finish_rename} aria-label="New name" data-testid="design-rename-input" />
                } else {
                    <span class="design-name">{ d.name.clone() }</span>
                }
                <span class="design-meta">{ format!("{} nodes", d.scenario.nodes.len()) }</span>
                <button class="btn small" data-testid={format!("design-open-{i}")} onclick={open}>{ "Open" }</button>
                <button class="btn small" data-testid={format!("design-compare-{i}")} onclick={compare}
                    title="Run the current design (A) and this one (B) on the same traffic and faults, side by side">{ "Compare with current" }</button>
                <button class="btn small" data-testid={format!("design-rename-{i}")} onclick={start_rename}>{ "Rename" }</button>
                <button class="btn small" data-testid={format!("design-duplicate-{i}")} onclick={duplicate}>{ "Duplicate" }</button>
                <button class="btn small" data-testid={format!("design-delete-{i}")} onclick={delete}>{ "Delete" }</button>
            </li>
        }
    });
    html! {
        <div class="panel designs-panel" role="dialog" aria-modal="true" aria-label="My designs">
            <form class="save-design" onsubmit={on_save}>
                <input type="text" ref={name} placeholder={props.doc.name.clone()} aria-label="Name for this design" data-testid="design-name" />
                <button class="btn small primary" type="submit" data-testid="design-save">{ "Save current" }</button>
            </form>
            if current.is_empty() {
                <p class="help">{ "Nothing saved yet. Your current design is also autosaved, so a reload never loses it." }</p>
            }
            <ul>{ for rows }</ul>
        </div>
    }
}
