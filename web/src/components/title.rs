//! The design's title in the top bar, edited where it is shown.
//!
//! The title names the design everywhere it goes (My designs, exports'
//! file names), so it is renamed in place rather than in a form: a click,
//! Enter or Space on it opens a text field over it; Enter (or leaving the
//! field) commits, Escape cancels. The App turns a commit into an edit, so a
//! rename is undone like any other. An empty title is refused with a message
//! and the field stays open (leaving it then puts the old title back).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TitleProps {
    pub name: AttrValue,
    /// A new, non-empty, trimmed title.
    pub on_rename: Callback<String>,
    /// Why a title was refused (`None` clears it).
    pub on_message: Callback<Option<String>>,
}

/// What a typed title becomes: `Ok(None)` when nothing changes, `Err` when
/// it is refused.
pub fn commit(old: &str, typed: &str) -> Result<Option<String>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("A design needs a title: type one, or press Escape to keep the old one.".into());
    }
    Ok((typed != old).then(|| typed.to_string()))
}

#[component]
pub fn Title(props: &TitleProps) -> Html {
    let editing = use_state(|| false);
    // Set once Enter, Escape or leaving the field has decided: the field's
    // blur as it goes away must not decide again.
    let decided = use_mut_ref(|| false);
    let input = use_node_ref();
    let button = use_node_ref();
    // Focus follows the mode: into the field (all of it selected) when it
    // opens, back to the title when it closes (only if it was in the field).
    {
        let (input, button) = (input.clone(), button.clone());
        let was_editing = use_mut_ref(|| false);
        use_effect_with(*editing, move |&on| {
            if on {
                if let Some(el) = input.cast::<web_sys::HtmlInputElement>() {
                    let _ = el.focus();
                    el.select();
                }
            } else if *was_editing.borrow() {
                let in_page = gloo::utils::document().active_element().is_none_or(|a| a.tag_name() == "BODY");
                if in_page {
                    if let Some(el) = button.cast::<web_sys::HtmlElement>() {
                        let _ = el.focus();
                    }
                }
            }
            *was_editing.borrow_mut() = on;
        });
    }
    if !*editing {
        let onclick = {
            let (editing, decided) = (editing.clone(), decided.clone());
            Callback::from(move |_: MouseEvent| {
                *decided.borrow_mut() = false;
                editing.set(true);
            })
        };
        return html! {
            <button class="scenario-name" data-testid="title" ref={button} {onclick}
                title={format!("{} (click to rename)", props.name)}>{ props.name.clone() }</button>
        };
    }
    // `text` is the title typed (`None`: cancel).
    let finish = {
        let (editing, name, on_rename, on_message) =
            (editing.clone(), props.name.clone(), props.on_rename.clone(), props.on_message.clone());
        move |text: Option<String>, keep_open_on_refusal: bool| {
            if *decided.borrow() {
                return;
            }
            let Some(text) = text else {
                *decided.borrow_mut() = true;
                editing.set(false);
                return;
            };
            match commit(&name, &text) {
                Ok(renamed) => {
                    on_message.emit(None);
                    *decided.borrow_mut() = true;
                    if let Some(t) = renamed {
                        on_rename.emit(t);
                    }
                    editing.set(false);
                }
                Err(why) => {
                    on_message.emit(Some(why));
                    if !keep_open_on_refusal {
                        *decided.borrow_mut() = true;
                        editing.set(false);
                    }
                }
            }
        }
    };
    let onkeydown = {
        let finish = finish.clone();
        Callback::from(move |ev: KeyboardEvent| {
            let el: web_sys::HtmlInputElement = ev.target_unchecked_into();
            match ev.key().as_str() {
                "Enter" => finish(Some(el.value()), true),
                "Escape" => finish(None, false),
                _ => return,
            }
            // Escape cancels here; it must not also clear the canvas's selection.
            ev.prevent_default();
            ev.stop_propagation();
        })
    };
    let onblur = Callback::from(move |ev: FocusEvent| {
        let el: web_sys::HtmlInputElement = ev.target_unchecked_into();
        finish(Some(el.value()), false)
    });
    html! {
        <input class="scenario-name editing" data-testid="title-input" ref={input} type="text"
            value={props.name.clone()} aria-label="Design title (Enter to rename, Escape to cancel)"
            maxlength="200" {onkeydown} {onblur} />
    }
}

#[cfg(test)]
mod tests {
    use super::commit;

    #[test]
    fn a_title_is_trimmed_kept_when_unchanged_and_never_empty() {
        assert_eq!(commit("Shop", "  Checkout  "), Ok(Some("Checkout".into())));
        assert_eq!(commit("Shop", "Shop "), Ok(None));
        assert!(commit("Shop", "   ").unwrap_err().contains("needs a title"));
    }
}
