//! The inspector's forms for structured settings: distributions, retry
//! policies, circuit breakers, rate limits, and a service's calls and
//! bulkheads, each with an "Edit as JSON" escape hatch.
//!
//! Why a module of its own: these forms are most of the inspector's markup,
//! and keeping them here leaves `inspector` to lay out a selection. Only the
//! view lives here: reading a value into rows, writing one member back and
//! new rows' values are pure functions in `editor` (`dist_form`,
//! `policy_form`, `list_form`), tested natively. Every edit still builds the
//! field's whole next value and goes through `fields::set`, so the engine
//! validates the document and its message shows under the field
//! (`error-field-<name>`); a refused edit changes nothing.
//!
//! Test ids: the form (or, as JSON, the textarea) is `field-<name>`, each
//! input `field-<name>-<member>` (`field-retry-max_attempts`,
//! `field-retry-backoff-base_ms`), list rows `field-<name>-<row>-<member>`,
//! and the controls `field-<name>-enabled`, `-json`, `-add`, `-<row>-remove`.

use super::inspector_field::{field_key, json_editor, Ctx};
use crate::editor::fields::{self, Target};
use crate::editor::form::{self, Input, Member};
use crate::editor::policy_form::Policy;
use crate::editor::{directory_form, dist_form, list_form};
use faultline_sim::catalogue::{FieldInfo, FieldType};
use serde_json::Value;
use std::rc::Rc;
use yew::prelude::*;

/// Whether a field of this type is edited with a form here.
pub(super) fn has_form(ty: FieldType) -> bool {
    matches!(ty, FieldType::Distribution | FieldType::Calls | FieldType::Bulkheads | FieldType::Directory)
        || Policy::of(ty).is_some()
}

/// Commits the field's next value, built by `next` from what was entered.
fn setter<E: AsRef<Event> + 'static>(
    cx: &Ctx,
    f: &'static FieldInfo,
    key: &str,
    next: impl Fn(&str) -> Result<Value, String> + 'static,
) -> Callback<E> {
    let (doc, target) = (Rc::clone(&cx.doc), cx.target);
    cx.commit(key, move |t| next(t).and_then(|v| fields::set(&doc, target, f.name, f.label, v)))
}

/// A structured field: its heading (with the on/off switch of an optional
/// policy and the JSON toggle), its form or its JSON, the error and the help.
pub(super) fn structured(cx: &Ctx, f: &'static FieldInfo) -> Html {
    // A directory means something only to a sharded database (or one that has a table already).
    if f.ty == FieldType::Directory
        && fields::current(&cx.doc, cx.target, "shards").as_u64().unwrap_or(1) <= 1
        && directory_form::rows(&fields::current(&cx.doc, cx.target, f.name)).is_empty()
    {
        return Html::default();
    }
    let key = field_key(f.name);
    let label_id = format!("{key}-label");
    let value = fields::current(&cx.doc, cx.target, f.name);
    let as_json = cx.as_json.contains(&key);
    let error = cx.errors.get(&key);
    let policy = Policy::of(f.ty);
    let toggle_json = {
        let (shown, key) = (cx.as_json.clone(), key.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*shown).clone();
            if !next.remove(&key) {
                next.insert(key.clone());
            }
            shown.set(next);
        })
    };
    let switch = policy.map(|p| {
        let on = !value.is_null();
        let onchange = setter(cx, f, &key, move |t| Ok(if t == "true" { p.default_value() } else { Value::Null }));
        let title = if on { "Switch off" } else { "Switch on, with the engine's defaults" };
        html! {
            <label class="switch" {title}>
                <input type="checkbox" role="switch" data-testid={format!("{key}-enabled")} checked={on}
                    aria-label={format!("{}: on", f.label)} {onchange} />
                <span>{ if on { "On" } else { "Off" } }</span>
            </label>
        }
    });
    let body = if as_json {
        json_editor(cx, f, &key, &label_id)
    } else {
        match (f.ty, policy) {
            (FieldType::Distribution, _) => {
                let rows = dist_form::members(&value).into_iter().map(|m| (m, form::text(&value, m.path))).collect();
                members(cx, f, &key, &value, rows, Rc::new(move |v, m, t| dist_form::write(v, m, f.label, t)))
            }
            (FieldType::Calls, _) => calls(cx, f, &key, &value),
            (FieldType::Bulkheads, _) => bulkheads(cx, f, &key, &value),
            (FieldType::Directory, _) => directory(cx, f, &key, &value),
            (_, Some(p)) if !value.is_null() => {
                members(cx, f, &key, &value, p.rows(&value), Rc::new(move |v, m, t| p.write(v, m, f.label, t)))
            }
            _ => Html::default(),
        }
    };
    let unit = if as_json && !f.unit.is_empty() { format!(" ({})", f.unit) } else { String::new() };
    html! {
        <div class={classes!("field", "structured", error.is_some().then_some("invalid"))} role="group"
            aria-labelledby={label_id.clone()}>
            <div class="structured-head">
                <span class="label" id={label_id}>{ f.label }<span class="unit">{ unit }</span></span>
                { for switch }
                <button type="button" class="json-toggle" data-testid={format!("{key}-json")} aria-pressed={as_json.to_string()}
                    title={ if as_json { "Back to the form" } else { "Edit as JSON" } } onclick={toggle_json}>{ "JSON" }</button>
            </div>
            { body }
            if let Some(e) = error {
                <div class="field-error" role="alert" data-testid={format!("error-{key}")}>{ e.clone() }</div>
            }
            if !f.help.is_empty() { <small class="help">{ f.help }</small> }
        </div>
    }
}

type Write = Rc<dyn Fn(&Value, &Member, &str) -> Result<Value, String>>;

/// One input per member, each writing its member back through `write`.
fn members(
    cx: &Ctx,
    f: &'static FieldInfo,
    key: &str,
    value: &Value,
    rows: Vec<(Member, String)>,
    write: Write,
) -> Html {
    let inputs = rows.into_iter().map(|(m, text)| {
        let (value, write) = (value.clone(), Rc::clone(&write));
        let onchange = setter(cx, f, key, move |t| write(&value, &m, t));
        member_input(&format!("{key}-{}", m.id()), &m, &text, onchange)
    });
    html! { <div class="subform members" id={key.to_string()} data-testid={key.to_string()}>{ for inputs }</div> }
}

/// The input of one member: a checkbox, a select, or a number with its unit.
fn member_input(id: &str, m: &Member, text: &str, onchange: Callback<Event>) -> Html {
    let id = id.to_string();
    match m.input {
        Input::Flag => html! {
            <label class="member flag" title={m.hint}>
                <input type="checkbox" id={id.clone()} data-testid={id} checked={text == "true"} {onchange} />
                <span>{ m.label }</span>
            </label>
        },
        Input::Choice(options) => html! {
            <div class="member" title={m.hint}>
                <label for={id.clone()}>{ m.label }</label>
                <select id={id.clone()} data-testid={id} {onchange}>
                    { for options.iter().map(|(v, label)| html! { <option value={*v} selected={text == *v}>{ *label }</option> }) }
                </select>
            </div>
        },
        Input::Number { .. } => html! {
            <div class="member" title={m.hint}>
                <label for={id.clone()}>{ m.label }</label>
                <span class="with-unit">
                    <input type="text" inputmode="decimal" id={id.clone()} data-testid={id} value={text.to_string()} {onchange} />
                    if !m.unit.is_empty() { <span class="unit">{ m.unit }</span> }
                </span>
            </div>
        },
    }
}

/// A row's remove button.
fn remove_button(cx: &Ctx, f: &'static FieldInfo, key: &str, row: usize, what: String, value: &Value) -> Html {
    let value = value.clone();
    let onclick = setter::<MouseEvent>(cx, f, key, move |_| Ok(list_form::remove(&value, row)));
    html! {
        <button type="button" class="remove" data-testid={format!("{key}-{row}-remove")} aria-label={what.clone()}
            title={what} {onclick}>{ "×" }</button>
    }
}

/// A service's calls: a row per call (node called, operations), add and remove.
fn calls(cx: &Ctx, f: &'static FieldInfo, key: &str, value: &Value) -> Html {
    let Target::Node(node) = cx.target else { return Html::default() };
    let targets = list_form::targets(&cx.doc, node);
    let all = list_form::calls(value);
    let rows = all.iter().enumerate().map(|(i, c)| {
        let id = format!("{key}-{i}");
        let v = value.clone();
        let to = setter(cx, f, key, move |t| Ok(list_form::set_call_to(&v, i, t)));
        let v = value.clone();
        let ops = setter(cx, f, key, move |t| Ok(list_form::set_call_ops(&v, i, t)));
        let mut options = targets.clone();
        if !options.contains(&c.to) {
            options.push(c.to.clone());
        }
        html! {
            <div class="list-row" data-testid={id.clone()}>
                <select data-testid={format!("{id}-to")} aria-label={format!("Call {}: node called", i + 1)} onchange={to}>
                    { for options.iter().map(|t| html! { <option value={t.clone()} selected={*t == c.to}>{ t.clone() }</option> }) }
                </select>
                <input type="text" data-testid={format!("{id}-ops")} aria-label={format!("Call {}: operations", i + 1)}
                    placeholder="every operation" value={list_form::ops_text(c)} onchange={ops} />
                { remove_button(cx, f, key, i, format!("Remove the call to {}", c.to), value) }
            </div>
        }
    });
    let add = {
        let (v, t) = (value.clone(), targets.clone());
        setter::<MouseEvent>(cx, f, key, move |_| {
            list_form::add_call(&v, &t).ok_or_else(|| format!("{}: link this node to another first.", f.label))
        })
    };
    let add_title = if targets.is_empty() { "Link this node to another first" } else { "Call one more dependency" };
    html! {
        <div class="subform list" id={key.to_string()} data-testid={key.to_string()}>
            if all.is_empty() {
                <p class="empty">{ "No calls: requests are answered after the local work." }</p>
            } else {
                <div class="list-head"><span>{ "Node" }</span><span>{ "Operations" }</span></div>
            }
            { for rows }
            <button type="button" class="add" data-testid={format!("{key}-add")} disabled={targets.is_empty()}
                title={add_title} onclick={add}>{ "+ Add call" }</button>
        </div>
    }
}

/// A service's bulkheads: a card per pool (the called nodes it pools, its
/// size and wait), add and remove.
fn bulkheads(cx: &Ctx, f: &'static FieldInfo, key: &str, value: &Value) -> Html {
    let called = list_form::called(&list_form::calls(&fields::current(&cx.doc, cx.target, "calls")));
    let workers = fields::current(&cx.doc, cx.target, "workers").as_u64().map_or(2, |w| w.min(u32::MAX.into()) as u32);
    let all = list_form::bulkheads(value);
    let items = all.iter().enumerate().map(|(i, b)| {
        let id = format!("{key}-{i}");
        let mut nodes = called.clone();
        nodes.extend(b.to.iter().filter(|t| !called.contains(t)).cloned());
        let chips = nodes.iter().map(|t| {
            let (v, node) = (value.clone(), t.clone());
            let onchange = setter(cx, f, key, move |on| Ok(list_form::set_pooled(&v, i, &node, on == "true")));
            html! {
                <label class="chip">
                    <input type="checkbox" data-testid={format!("{id}-to-{t}")} checked={b.to.contains(t)} {onchange} />
                    <span>{ t.clone() }</span>
                </label>
            }
        });
        let numbers = list_form::BULKHEAD.iter().map(|m| {
            let (v, m2) = (value.clone(), *m);
            let onchange = setter(cx, f, key, move |t| list_form::set_bulkhead(&v, i, &m2, f.label, t));
            member_input(&format!("{id}-{}", m.id()), m, &form::text(&value[i], m.path), onchange)
        });
        html! {
            <div class="list-item" data-testid={id.clone()}>
                <div class="item-head">
                    <span>{ format!("Pool {}", i + 1) }</span>
                    { remove_button(cx, f, key, i, format!("Remove pool {}", i + 1), value) }
                </div>
                <div class="chips" role="group" aria-label={format!("Pool {}: dependencies", i + 1)}>{ for chips }</div>
                <div class="members">{ for numbers }</div>
            </div>
        }
    });
    let add = {
        let (v, c) = (value.clone(), called.clone());
        setter::<MouseEvent>(cx, f, key, move |_| Ok(list_form::add_bulkhead(&v, &c, workers)))
    };
    let add_title = if called.is_empty() { "Add a call first: a pool holds called nodes" } else { "One more pool" };
    html! {
        <div class="subform list" id={key.to_string()} data-testid={key.to_string()}>
            if all.is_empty() { <p class="empty">{ "No bulkheads: every call shares the workers." }</p> }
            { for items }
            <button type="button" class="add" data-testid={format!("{key}-add")} disabled={called.is_empty()}
                title={add_title} onclick={add}>{ "+ Add bulkhead" }</button>
        </div>
    }
}

/// A sharded database's directory: a table of rows (first key, shard), each
/// cell checked as it is left (`directory_form::set`, which names the row at
/// fault; the message shows under the table), add and remove.
fn directory(cx: &Ctx, f: &'static FieldInfo, key: &str, value: &Value) -> Html {
    use directory_form::Cell;
    let shards =
        fields::current(&cx.doc, cx.target, "shards").as_u64().map_or(1, |s| s.clamp(1, u64::from(u16::MAX)) as u16);
    let all = directory_form::rows(value);
    let rows = all.iter().enumerate().map(|(i, r)| {
        let id = format!("{key}-{i}");
        let cell = |c: Cell, text: String, label: &str, member: &str| {
            let v = value.clone();
            let onchange = setter(cx, f, key, move |t| directory_form::set(&v, i, c, t, shards));
            html! {
                <input type="text" inputmode="numeric" data-testid={format!("{id}-{member}")}
                    aria-label={format!("Row {}: {label}", i + 1)} value={text} {onchange} />
            }
        };
        html! {
            <div class="list-row" data-testid={id.clone()}>
                { cell(Cell::From, r.from.to_string(), "first key", "from") }
                { cell(Cell::Shard, r.shard.to_string(), "shard", "shard") }
                { remove_button(cx, f, key, i, format!("Remove row {}", i + 1), value) }
            </div>
        }
    });
    let add = {
        let v = value.clone();
        setter::<MouseEvent>(cx, f, key, move |_| Ok(directory_form::add(&v, shards)))
    };
    html! {
        <div class="subform list directory" id={key.to_string()} data-testid={key.to_string()}>
            if all.is_empty() {
                <p class="empty">{ "No rows: directory partitioning needs a row from key 0." }</p>
            } else {
                <div class="list-head"><span>{ "From key" }</span><span>{ "Shard" }</span></div>
            }
            { for rows }
            <button type="button" class="add" data-testid={format!("{key}-add")} title="One more key range"
                onclick={add}>{ "+ Add row" }</button>
        </div>
    }
}
