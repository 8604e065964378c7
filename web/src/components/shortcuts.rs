//! The keyboard shortcuts overlay (`?`).

use crate::keyboard::HELP;
use crate::modal::Modal;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShortcutsProps {
    pub on_close: Callback<()>,
}

#[component]
pub fn Shortcuts(props: &ShortcutsProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <Modal return_to="help" on_close={props.on_close.clone()} class={classes!("overlay")}>
            <div class="overlay-card" data-testid="shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
                <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                <dl>
                    { for HELP.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
                <button class="btn" onclick={close} autofocus=true>{ "Close" }</button>
            </div>
        </Modal>
    }
}
