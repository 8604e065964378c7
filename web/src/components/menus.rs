//! The top bar's menus: the library, saved designs, files and sharing. Each
//! opens a panel; at most one is open at a time.

use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Library,
    Designs,
    File,
    Share,
    Exercises,
    /// The design review (the linter's warnings).
    Review,
}

#[derive(Properties, PartialEq)]
pub struct MenusProps {
    pub open: Option<Panel>,
    pub on_toggle: Callback<Panel>,
    /// How many warnings the design review has.
    #[prop_or_default]
    pub warnings: usize,
}

/// The design review's button, with its warning count.
fn review(props: &MenusProps) -> Html {
    let onclick = props.on_toggle.reform(|_: MouseEvent| Panel::Review);
    let open = props.open == Some(Panel::Review);
    let n = props.warnings;
    html! {
        <button class={classes!("btn", "small", "menu", open.then_some("open"), (n > 0).then_some("warned"))}
            data-testid="review" data-warnings={n.to_string()} aria-expanded={open.to_string()} aria-haspopup="dialog"
            title="Weak spots of this design, read from the design itself" {onclick}>
            { "Review" }
            if n > 0 { <span class="count" aria-label={format!("{n} warnings")}>{ format!("⚠ {n}") }</span> }
        </button>
    }
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
            { item(Panel::Exercises, "exercises", "Exercises", "Interview-style design problems, checked by running your design") }
            { review(props) }
        </nav>
    }
}
