//! The keyboard shortcuts overlay (`?`).

use crate::keyboard::HELP;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShortcutsProps {
    pub on_close: Callback<()>,
}

#[component]
pub fn Shortcuts(props: &ShortcutsProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="overlay" data-testid="shortcuts" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
            <div class="overlay-card">
                <h2>{ "Keyboard shortcuts" }</h2>
                <dl>
                    { for HELP.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
                <button class="btn" onclick={close} autofocus=true>{ "Close" }</button>
            </div>
        </div>
    }
}
