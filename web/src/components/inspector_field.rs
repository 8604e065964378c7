//! What every editor in the inspector shares: the context of the selection
//! being edited, committing a value (applied only if the engine accepts the
//! document, otherwise its message is kept for the field), the row around a
//! plain field and the raw-JSON editor of a structured one.
//!
//! Why a module of its own: `inspector` lays out a selection and
//! `inspector_forms` draws the structured forms; both need these pieces, and
//! keeping them here lets `inspector` use `inspector_forms` without the forms
//! reaching back into the inspector (no import cycle).
//!
//! Test ids: every field is `field-<name>` (see [`field_key`]), its error
//! `error-field-<name>`. Cards own `node-<id>`, so no field may use that
//! namespace: a node whose id is `name` would be ambiguous.

use crate::editor::fields::{self, Target};
use faultline_sim::catalogue::FieldInfo;
use faultline_sim::Scenario;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The test id (and DOM id) of the inspector's field `name`.
pub fn field_key(name: &str) -> String {
    format!("field-{name}")
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

pub type Errors = UseStateHandle<HashMap<String, String>>;

/// Commits the value of the element that fired the event (a change, or a
/// click on a button, which has none) through `apply`; records or clears the
/// error shown under field `key`.
pub fn committer<E: AsRef<Event> + 'static>(
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

pub fn row(key: &str, label: &str, unit: &str, help: &str, editor: Html, error: Option<&String>) -> Html {
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={key.to_string()}>{ label.to_string() }
                if !unit.is_empty() { <span class="unit">{ format!(" ({unit})") }</span> }
            </label>
            { editor }
            if let Some(e) = error {
                <div class="field-error" role="alert" id={format!("{key}-error")} data-testid={format!("error-{key}")}>{ e.clone() }</div>
            }
            if !help.is_empty() { <small class="help" id={format!("{key}-help")}>{ help.to_string() }</small> }
            <Described id={key.to_string()} invalid={error.is_some()} help={!help.is_empty()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct DescribedProps {
    /// The field's element id.
    id: String,
    invalid: bool,
    help: bool,
}

/// Ties field `id` to its error and its help (`aria-invalid`,
/// `aria-describedby`), so a screen reader says why a value was refused
/// when the field has focus. The editors are built by several functions
/// (`inspector`, `inspector_forms`); setting the two attributes here, once
/// the row is drawn, covers every one of them.
#[component]
fn Described(props: &DescribedProps) -> Html {
    use_effect_with((props.id.clone(), props.invalid, props.help), |(id, invalid, help)| {
        if let Some(el) = gloo::utils::document().get_element_by_id(id) {
            let by: Vec<String> = [(*invalid, "error"), (*help, "help")]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, what)| format!("{id}-{what}"))
                .collect();
            let _ = if by.is_empty() {
                el.remove_attribute("aria-describedby")
            } else {
                el.set_attribute("aria-describedby", &by.join(" "))
            };
            let _ =
                if *invalid { el.set_attribute("aria-invalid", "true") } else { el.remove_attribute("aria-invalid") };
        }
    });
    html! {}
}

/// What every field editor of the selected node or link needs.
pub struct Ctx {
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
pub fn json_editor(cx: &Ctx, f: &'static FieldInfo, key: &str, labelled_by: &str) -> Html {
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
