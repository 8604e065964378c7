//! The inspector: every setting of the selected node or link, generated from
//! the engine's catalogue (label, unit, limits, help). A value is applied when
//! the field is committed (Enter, leaving it, or picking a choice) and only if
//! the engine accepts the resulting document; otherwise its message appears
//! under the field and the design stays as it was. Structured settings
//! (distributions, calls, bulkheads, retries, breakers, rate limits) get
//! forms of their own (`inspector_forms`), with JSON as an escape hatch.
//!
//! A node's or a link's rows are drawn a few at the press that selects it and
//! the rest in the browser's idle time (`progressive`): a press that starts
//! a drag must fit in a frame, and a service's thirty rows did not.

use super::inspector_field::{committer, field_key, row, Ctx, Errors};
use super::inspector_forms;
use super::progressive::{parts, use_progressive};
use crate::editor::fields::{self, Target};
use crate::same::Same;
use crate::state::Selection;
use faultline_sim::catalogue::{kind_info, FieldInfo, FieldType, EDGE_FIELDS};
use faultline_sim::Scenario;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use yew::prelude::*;

/// The inspector's own fields, beside the catalogue's: their test ids are
/// `field-<name>` like every other field (`arrival` is followed by the
/// workload's id), so none of them may share a catalogue field's name.
pub const OWN_FIELDS: [&str; 6] = ["name", "region", "zone", "arrival", "title", "duration"];

/// A node's own rows before its workloads and the catalogue's fields: name,
/// region, zone.
const OWN_ROWS: usize = 3;

/// Everything a row of the inspector reads beside the catalogue.
#[derive(Clone, PartialEq)]
struct Stamp {
    doc: Same<Scenario>,
    selected: Option<Selection>,
    errors: HashMap<String, String>,
    as_json: HashSet<String>,
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// By address (documents are replaced, never changed in place):
    /// comparing a thousand nodes on every readout cost more than a render.
    pub doc: Same<Scenario>,
    pub selected: Option<Selection>,
    pub on_edit: Callback<Scenario>,
}

fn field_editor(cx: &Ctx, f: &'static FieldInfo) -> Html {
    if inspector_forms::has_form(f.ty) {
        return inspector_forms::structured(cx, f);
    }
    let key = field_key(f.name);
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
        FieldType::Flag => {
            let on = value.as_bool().unwrap_or(false);
            html! {
                <select id={key.clone()} data-testid={key.clone()} {onchange}>
                    <option value="off" selected={!on}>{ "off" }</option>
                    <option value="on" selected={on}>{ "on" }</option>
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
        // A different selection starts with no stale messages (and renders
        // again only if there were some).
        let errors = errors.clone();
        use_effect_with(props.selected, move |_| {
            if !errors.is_empty() {
                errors.set(HashMap::new());
            }
        });
    }
    let doc = &props.doc.0;
    // A node's or a link's rows are drawn a few first, the rest in idle
    // time (see `progressive`): pressing a card to drag it stays one frame.
    let rows = match props.selected {
        Some(Selection::Node(i)) if i < doc.nodes.len() => {
            let n = &doc.nodes[i];
            let loads = doc.workloads.iter().filter(|w| w.client == n.id).count();
            OWN_ROWS + loads + kind_info(n.kind.name()).map_or(0, |k| k.fields.len())
        }
        Some(Selection::Edge(i)) if i < doc.edges.len() => EDGE_FIELDS.len(),
        _ => 0,
    };
    let limit = use_progressive(props.selected, rows);
    // What the rows read: a part of them renders again only when it changes.
    let stamp = Stamp {
        doc: props.doc.clone(),
        selected: props.selected,
        errors: (*errors).clone(),
        as_json: (*as_json).clone(),
    };
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
            let [name_key, region_key, zone_key] = ["name", "region", "zone"].map(field_key);
            let name = {
                let doc = Rc::clone(doc);
                committer(name_key.clone(), errors.clone(), on_edit.clone(), move |t| fields::rename(&doc, i, t))
            };
            let region = {
                let doc = Rc::clone(doc);
                committer(region_key.clone(), errors.clone(), on_edit.clone(), move |t| fields::set_region(&doc, i, t))
            };
            let zone = {
                let doc = Rc::clone(doc);
                committer(zone_key.clone(), errors.clone(), on_edit.clone(), move |t| fields::set_zone(&doc, i, t))
            };
            let loads = doc.workloads.iter().enumerate().filter(|(_, w)| w.client == n.id).map(|(w, load)| {
                let key = field_key(&format!("arrival-{}", load.id));
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
            // The name the card shows: a new card's is its id until renamed.
            let own = [
                (&name_key, "Name", n.display_name(), "Shown on the card; the id stays the same.", name),
                (
                    &region_key,
                    "Region",
                    n.region.as_deref().unwrap_or(""),
                    "Nodes of a region are drawn in one box and can be partitioned together.",
                    region,
                ),
                (
                    &zone_key,
                    "Zone",
                    n.zone.as_deref().unwrap_or(""),
                    "An availability zone within the region, drawn as a box inside the region's.",
                    zone,
                ),
            ]
            .into_iter()
            .map(|(key, label, value, help, onchange)| text_field(key, label, value, help, onchange, errors.get(key)));
            let fields = info.into_iter().flat_map(|k| k.fields.iter()).map(|f| field_editor(&cx(Target::Node(i)), f));
            html! {
                <>
                    <h2>{ n.display_name().to_string() }<span class="kind">{ info.map_or("", |k| k.label) }</span></h2>
                    <p class="id">{ format!("id: {}", n.id) }</p>
                    if let Some(k) = info { <p class="help">{ k.help }</p> }
                    { parts(&stamp, own.chain(loads).chain(fields).take(limit)) }
                </>
            }
        }
        Some(Selection::Edge(i)) if i < doc.edges.len() => {
            let e = &doc.edges[i];
            html! {
                <>
                    <h2>{ format!("{} → {}", e.from, e.to) }<span class="kind">{ "link" }</span></h2>
                    <p class="help">{ "A network link: latency and loss each way, and the caller's timeout, retries, breaker and fallback for calls over it." }</p>
                    { parts(&stamp, EDGE_FIELDS.iter().take(limit).map(|f| field_editor(&cx(Target::Edge(i)), f))) }
                </>
            }
        }
        _ => {
            let [title_key, duration_key] = ["title", "duration"].map(field_key);
            let duration = {
                let doc = Rc::clone(doc);
                committer(duration_key.clone(), errors.clone(), on_edit.clone(), move |t| {
                    let secs: f64 = t.trim().parse().map_err(|_| format!("Duration: \"{t}\" is not a number."))?;
                    let mut next = (*doc).clone();
                    next.duration_ms = (secs * 1_000.0).round().max(0.0) as u64;
                    next.validate_draft().map_err(|e| e.to_string())?;
                    Ok(next)
                })
            };
            let title = {
                let doc = Rc::clone(doc);
                committer(title_key.clone(), errors.clone(), on_edit.clone(), move |t| {
                    // The same rule as the title in the top bar: never empty.
                    let mut next = (*doc).clone();
                    next.name = super::title::commit(&doc.name, t)?.unwrap_or_else(|| doc.name.clone());
                    Ok(next)
                })
            };
            html! {
                <>
                    <h2>{ "Scenario" }</h2>
                    <p class="help">{ "Select a node or a link to edit it. Shift-click or shift-drag selects several." }</p>
                    { text_field(&title_key, "Title", &doc.name, "", title, errors.get(&title_key)) }
                    { text_field(&duration_key, "Duration (s)", &(doc.duration_ms as f64 / 1_000.0).to_string(), "Simulated time the run lasts.", duration, errors.get(&duration_key)) }
                    <p class="stats">{ format!("{} nodes, {} links, {} workloads, {} faults", doc.nodes.len(), doc.edges.len(), doc.workloads.len(), doc.faults.len()) }</p>
                </>
            }
        }
    };
    html! {
        <aside class="inspector" data-testid="inspector" aria-label="Inspector">{ body }</aside>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::catalogue::KINDS;

    /// The inspector's own fields and the catalogue's share the `field-`
    /// namespace: one name for two fields would give two inputs one id.
    #[test]
    fn own_fields_do_not_shadow_catalogue_fields() {
        let catalogue = KINDS.iter().flat_map(|k| k.fields.iter()).chain(EDGE_FIELDS.iter());
        for f in catalogue {
            for own in OWN_FIELDS {
                assert!(f.name != own && !f.name.starts_with(&format!("{own}-")), "{own} is also a catalogue field");
            }
        }
    }
}
