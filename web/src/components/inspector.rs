//! The inspector: every setting of the selected node or link, generated from
//! the engine's catalogue (label, unit, limits, help). A value is applied when
//! the field is committed (Enter, leaving it, or picking a choice) and only if
//! the engine accepts the resulting document; otherwise its message appears
//! under the field and the design stays as it was. Structured settings
//! (distributions, calls, bulkheads, retries, breakers, rate limits) get
//! forms of their own (`inspector_forms`), with JSON as an escape hatch.

use super::inspector_forms;
use crate::editor::fields::{self, Target};
use crate::state::Selection;
use faultline_sim::catalogue::{kind_info, FieldInfo, FieldType, EDGE_FIELDS};
use faultline_sim::Scenario;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub doc: Rc<Scenario>,
    pub selected: Option<Selection>,
    pub on_edit: Callback<Scenario>,
}

/// Value of the element that fired `ev` (input, select or textarea; a
/// checkbox gives `true` or `false`).
fn value_of(ev: &Event) -> String {
    let Some(target) = ev.target() else { return String::new() };
    use wasm_bindgen::JsCast;
    if let Some(i) = target.dyn_ref::<HtmlInputElement>() {
        if i.type_() == "checkbox" {
            i.checked().to_string()
        } else {
            i.value()
        }
    } else if let Some(s) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.value()
    } else if let Some(t) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.value()
    } else {
        String::new()
    }
}

pub(super) type Errors = UseStateHandle<HashMap<String, String>>;

/// Commits the value of the element that fired the event (a change, or a
/// click on a button, which has none) through `apply`; records or clears the
/// error shown under field `key`.
pub(super) fn committer<E: AsRef<Event> + 'static>(
    key: String,
    errors: Errors,
    on_edit: Callback<Scenario>,
    apply: impl Fn(&str) -> Result<Scenario, String> + 'static,
) -> Callback<E> {
    Callback::from(move |ev: E| {
        let mut next = (*errors).clone();
        match apply(&value_of(ev.as_ref())) {
            Ok(doc) => {
                next.remove(&key);
                on_edit.emit(doc);
            }
            Err(e) => {
                next.insert(key.clone(), e);
            }
        }
        errors.set(next);
    })
}

fn row(key: &str, label: &str, unit: &str, help: &str, editor: Html, error: Option<&String>) -> Html {
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={key.to_string()}>{ label.to_string() }
                if !unit.is_empty() { <span class="unit">{ format!(" ({unit})") }</span> }
            </label>
            { editor }
            if let Some(e) = error {
                <div class="field-error" role="alert" data-testid={format!("error-{key}")}>{ e.clone() }</div>
            }
            if !help.is_empty() { <small class="help">{ help.to_string() }</small> }
        </div>
    }
}

/// What every field editor of the selected node or link needs.
pub(super) struct Ctx {
    pub doc: Rc<Scenario>,
    pub target: Target,
    pub errors: Errors,
    pub on_edit: Callback<Scenario>,
    /// Keys of the structured fields shown as JSON rather than as a form.
    pub as_json: UseStateHandle<HashSet<String>>,
}

impl Ctx {
    /// Commits through `apply`, with errors shown under field `key`.
    pub fn commit<E: AsRef<Event> + 'static>(
        &self,
        key: &str,
        apply: impl Fn(&str) -> Result<Scenario, String> + 'static,
    ) -> Callback<E> {
        committer(key.to_string(), self.errors.clone(), self.on_edit.clone(), apply)
    }
}

/// The raw-text editor of a structured field (its JSON), as it always was.
pub(super) fn json_editor(cx: &Ctx, f: &'static FieldInfo, key: &str, labelled_by: &str) -> Html {
    let text = fields::to_text(&fields::current(&cx.doc, cx.target, f.name));
    let (doc, target) = (Rc::clone(&cx.doc), cx.target);
    let onchange = cx.commit(key, move |t| {
        fields::parse(f.ty, f.label, t).and_then(|v| fields::set(&doc, target, f.name, f.label, v))
    });
    html! {
        <textarea id={key.to_string()} data-testid={key.to_string()} rows="3" spellcheck="false" value={text}
            aria-labelledby={labelled_by.to_string()} placeholder="none (JSON)" {onchange} />
    }
}

fn field_editor(cx: &Ctx, f: &'static FieldInfo) -> Html {
    if inspector_forms::has_form(f.ty) {
        return inspector_forms::structured(cx, f);
    }
    let key = format!("field-{}", f.name);
    let value = fields::current(&cx.doc, cx.target, f.name);
    let text = fields::to_text(&value);
    let (doc, target) = (Rc::clone(&cx.doc), cx.target);
    let onchange = cx.commit(&key, move |t| {
        fields::parse(f.ty, f.label, t).and_then(|v| fields::set(&doc, target, f.name, f.label, v))
    });
    let editor = match f.ty {
        FieldType::Choice(options) => {
            let optional = value.is_null() || f.name == "fallback";
            html! {
                <select id={key.clone()} data-testid={key.clone()} {onchange}>
                    if optional { <option value="" selected={value.is_null()}>{ "none" }</option> }
                    { for options.iter().map(|o| html! {
                        <option value={*o} selected={text == *o}>{ o.replace('_', " ") }</option>
                    }) }
                </select>
            }
        }
        _ => html! {
            <input id={key.clone()} data-testid={key.clone()} type="text" inputmode="decimal" value={text}
                placeholder="none" {onchange} />
        },
    };
    row(&key, f.label, f.unit, f.help, editor, cx.errors.get(&key))
}

fn text_field(
    key: &str,
    label: &str,
    value: &str,
    help: &str,
    onchange: Callback<Event>,
    error: Option<&String>,
) -> Html {
    let editor = html! { <input id={key.to_string()} data-testid={key.to_string()} type="text" value={value.to_string()} {onchange} /> };
    row(key, label, "", help, editor, error)
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let errors: Errors = use_state(HashMap::new);
    let as_json = use_state(HashSet::new);
    {
        // A different selection starts with no stale messages.
        let errors = errors.clone();
        use_effect_with(props.selected, move |_| errors.set(HashMap::new()));
    }
    let doc = &props.doc;
    let on_edit = &props.on_edit;
    let cx = |target| Ctx {
        doc: Rc::clone(doc),
        target,
        errors: errors.clone(),
        on_edit: on_edit.clone(),
        as_json: as_json.clone(),
    };
    let body = match props.selected {
        Some(Selection::Node(i)) if i < doc.nodes.len() => {
            let n = &doc.nodes[i];
            let info = kind_info(n.kind.name());
            let name = {
                let doc = Rc::clone(doc);
                committer("node-name".into(), errors.clone(), on_edit.clone(), move |t| fields::rename(&doc, i, t))
            };
            let region = {
                let doc = Rc::clone(doc);
                committer("node-region".into(), errors.clone(), on_edit.clone(), move |t| {
                    fields::set_region(&doc, i, t)
                })
            };
            let zone = {
                let doc = Rc::clone(doc);
                committer("node-zone".into(), errors.clone(), on_edit.clone(), move |t| fields::set_zone(&doc, i, t))
            };
            let loads = doc.workloads.iter().enumerate().filter(|(_, w)| w.client == n.id).map(|(w, load)| {
                let key = format!("arrival-{}", load.id);
                let doc2 = Rc::clone(doc);
                let onchange =
                    committer(key.clone(), errors.clone(), on_edit.clone(), move |t| fields::set_arrival(&doc2, w, t));
                let text = match &load.arrival {
                    faultline_sim::scenario::Arrival::Poisson { rate_rps } => rate_rps.to_string(),
                    other => serde_json::to_string(other).unwrap_or_default(),
                };
                let editor = html! {
                    <input id={key.clone()} data-testid={key.clone()} type="text" value={text} {onchange} />
                };
                row(
                    &key,
                    &format!("Load to {}", load.target),
                    "req/s",
                    "A number is a Poisson rate; JSON gives another arrival process (constant, bursts, schedule).",
                    editor,
                    errors.get(&key),
                )
            });
            html! {
                <>
                    <h2>{ n.display_name().to_string() }<span class="kind">{ info.map_or("", |k| k.label) }</span></h2>
                    <p class="id">{ format!("id: {}", n.id) }</p>
                    if let Some(k) = info { <p class="help">{ k.help }</p> }
                    { text_field("node-name", "Name", &n.name, "Shown on the card; the id stays the same.", name, errors.get("node-name")) }
                    { text_field("node-region", "Region", n.region.as_deref().unwrap_or(""), "Nodes of a region are drawn in one box and can be partitioned together.", region, errors.get("node-region")) }
                    { text_field("node-zone", "Zone", n.zone.as_deref().unwrap_or(""), "An availability zone within the region, drawn as a box inside the region's.", zone, errors.get("node-zone")) }
                    { for loads }
                    { for info.into_iter().flat_map(|k| k.fields.iter()).map(|f| field_editor(&cx(Target::Node(i)), f)) }
                </>
            }
        }
        Some(Selection::Edge(i)) if i < doc.edges.len() => {
            let e = &doc.edges[i];
            html! {
                <>
                    <h2>{ format!("{} → {}", e.from, e.to) }<span class="kind">{ "link" }</span></h2>
                    <p class="help">{ "A network link: latency and loss each way, and the caller's timeout, retries, breaker and fallback for calls over it." }</p>
                    { for EDGE_FIELDS.iter().map(|f| field_editor(&cx(Target::Edge(i)), f)) }
                </>
            }
        }
        _ => {
            let duration = {
                let doc = Rc::clone(doc);
                committer("run-duration".into(), errors.clone(), on_edit.clone(), move |t| {
                    let secs: f64 = t.trim().parse().map_err(|_| format!("Duration: \"{t}\" is not a number."))?;
                    let mut next = (*doc).clone();
                    next.duration_ms = (secs * 1_000.0).round().max(0.0) as u64;
                    next.validate_draft().map_err(|e| e.to_string())?;
                    Ok(next)
                })
            };
            let title = {
                let doc = Rc::clone(doc);
                committer("run-name".into(), errors.clone(), on_edit.clone(), move |t| {
                    let mut next = (*doc).clone();
                    next.name = t.trim().to_string();
                    Ok(next)
                })
            };
            html! {
                <>
                    <h2>{ "Scenario" }</h2>
                    <p class="help">{ "Select a node or a link to edit it. Shift-click or shift-drag selects several." }</p>
                    { text_field("run-name", "Title", &doc.name, "", title, errors.get("run-name")) }
                    { text_field("run-duration", "Duration (s)", &(doc.duration_ms as f64 / 1_000.0).to_string(), "Simulated time the run lasts.", duration, errors.get("run-duration")) }
                    <p class="stats">{ format!("{} nodes, {} links, {} workloads, {} faults", doc.nodes.len(), doc.edges.len(), doc.workloads.len(), doc.faults.len()) }</p>
                </>
            }
        }
    };
    html! {
        <aside class="inspector" data-testid="inspector" aria-label="Inspector">{ body }</aside>
    }
}
