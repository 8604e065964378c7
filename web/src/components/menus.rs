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

#[derive(Properties, PartialEq)]
pub struct LearnProps {
    pub open: Option<Panel>,
    pub on_toggle: Callback<Panel>,
    /// How many warnings the design review has.
    pub warnings: usize,
    /// Start an interview on a blank canvas.
    #[prop_or_default]
    pub on_interview: Callback<()>,
    /// An interview is in progress (no second one from here).
    #[prop_or_default]
    pub interviewing: bool,
    /// Show the finished interviews kept in this browser.
    #[prop_or_default]
    pub on_past: Callback<()>,
}

/// The exercises and the design review, as chips on the canvas's bottom
/// left: they are about the design on it (and the top bar has no room left
/// at 1280 px). Their panels open like the menus'.
#[component]
pub fn LearnChips(props: &LearnProps) -> Html {
    let chip = |panel: Panel, testid: &str, help: &str, body: Html, warnings: Option<usize>| {
        let warned = warnings.is_some_and(|n| n > 0);
        let onclick = props.on_toggle.reform(move |_: MouseEvent| panel);
        let open = props.open == Some(panel);
        html! {
            <button class={classes!("btn", "small", "menu", "chip", open.then_some("open"), warned.then_some("warned"))}
                data-testid={testid.to_string()} data-warnings={warnings.map(|n| n.to_string())} aria-expanded={open.to_string()} aria-haspopup="dialog"
                title={help.to_string()} {onclick}>{ body }</button>
        }
    };
    let n = props.warnings;
    let review = html! {
        <>
            { "Review" }
            if n > 0 { <span class="count" aria-label={format!("{n} warnings")}>{ format!("⚠ {n}") }</span> }
        </>
    };
    html! {
        <nav class="learn-chips" aria-label="Learn">
            { chip(Panel::Exercises, "exercises", "Interview-style design problems, checked by running your design", html! { "◎ Exercises" }, None) }
            { chip(Panel::Review, "review", "Weak spots of this design, read from the design itself", review, Some(n)) }
            if !props.interviewing {
                <button class="btn small menu chip" data-testid="interview-blank" onclick={props.on_interview.reform(|_: MouseEvent| ())}
                    title="A timed 45-minute mock interview on a blank canvas (your design is kept in My designs); an open exercise has its own Start interview">{ "◷ Interview" }</button>
            }
            if !props.interviewing {
                <button class="btn small menu chip" data-testid="interview-past" onclick={props.on_past.reform(|_: MouseEvent| ())}
                    title="Finished interviews kept in this browser: their reports, read-only">{ "Past interviews" }</button>
            }
        </nav>
    }
}
