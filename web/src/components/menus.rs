//! The top bar's menus: the library, saved designs, files and sharing. Each
//! opens a panel; at most one is open at a time.

use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Library,
    Designs,
    File,
    Share,
}

#[derive(Properties, PartialEq)]
pub struct MenusProps {
    pub open: Option<Panel>,
    pub on_toggle: Callback<Panel>,
}

#[component]
pub fn Menus(props: &MenusProps) -> Html {
    let item = |panel: Panel, testid: &str, label: &str, help: &str| {
        let onclick = props.on_toggle.reform(move |_: MouseEvent| panel);
        let open = props.open == Some(panel);
        html! {
            <button class={classes!("btn", "small", "menu", open.then_some("open"))} data-testid={testid.to_string()}
                aria-expanded={open.to_string()} aria-haspopup="dialog" title={help.to_string()} {onclick}>{ label }</button>
        }
    };
    html! {
        <nav class="menus" aria-label="Scenario">
            { item(Panel::Library, "library", "Library", "Famous incidents and starter architectures, with a before and an after") }
            { item(Panel::Designs, "designs", "My designs", "Designs saved in this browser") }
            { item(Panel::File, "file-menu", "File", "Export or import JSON, export PNG, SVG or CSV") }
            { item(Panel::Share, "share", "Share", "Copy a link that replays this run") }
        </nav>
    }
}
