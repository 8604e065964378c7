//! The Share panel: the link that replays this run, its length, and a JSON
//! download when the link grows too long for chat apps; while the compare
//! view is open, the compare's link instead.

use crate::share::{link_for, LINK_WARN_CHARS};
use faultline_sim::Scenario;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    pub doc: Rc<Scenario>,
    /// Why the design cannot be shared yet (it cannot run), if so.
    pub blocked: bool,
    pub on_export_json: Callback<()>,
    /// The open compare view's link, while one is open.
    #[prop_or_default]
    pub compare_link: Option<AttrValue>,
}

#[component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let autoplay = use_state(|| false);
    let copied = use_state(|| false);
    // While the compare view is open, its link is the one copied at once.
    let link = match &props.compare_link {
        Some(l) => l.to_string(),
        None => link_for(&props.doc, *autoplay),
    };
    let len = link.len();
    // Copies to the clipboard and says so only if the browser allowed it.
    let copy = {
        let copied = copied.clone();
        move |text: String| {
            let promise = gloo::utils::window().navigator().clipboard().write_text(&text);
            let copied = copied.clone();
            yew::platform::spawn_local(async move {
                copied.set(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
            });
        }
    };
    {
        // Once, when the panel opens.
        let (copy, link, blocked) = (copy.clone(), link.clone(), props.blocked);
        use_effect_with((), move |_| {
            if !blocked {
                copy(link);
            }
        });
    }
    let on_copy = {
        let link = link.clone();
        Callback::from(move |_: MouseEvent| copy(link.clone()))
    };
    if let Some(l) = &props.compare_link {
        return html! {
            <div class="panel share-panel" role="dialog" aria-modal="true" aria-label="Share">
                <button class="btn small" data-testid="share-copy-compare" onclick={on_copy}>{ "Copy compare link" }</button>
                <textarea class="share-link" data-testid="share-compare-link" readonly=true rows="3" value={l.clone()} aria-label="Compare link" />
                <p class="help" data-testid="share-length" data-value={len.to_string()}>{
                    format!("{len} characters{}. It opens the compare view with both designs, over whatever the person who opens it has on the canvas.",
                        if *copied { ", copied to the clipboard" } else { "" })
                }</p>
            </div>
        };
    }
    if props.blocked {
        return html! {
            <div class="panel share-panel" role="dialog" aria-modal="true" aria-label="Share">
                <p class="help">{ "This design cannot run yet, so there is nothing to replay: finish it first (see the notice on the canvas)." }</p>
            </div>
        };
    }
    let toggle = {
        let autoplay = autoplay.clone();
        Callback::from(move |_: Event| autoplay.set(!*autoplay))
    };
    let export = props.on_export_json.reform(|_: MouseEvent| ());
    html! {
        <div class="panel share-panel" role="dialog" aria-modal="true" aria-label="Share">
            <label class="check"><input type="checkbox" checked={*autoplay} onchange={toggle} data-testid="share-autoplay" />
                { " Start playing when opened" }</label>
            <button class="btn small" data-testid="share-copy" onclick={on_copy}>{ "Copy link" }</button>
            <textarea class="share-link" data-testid="share-link" readonly=true rows="3" value={link.clone()} aria-label="Share link" />
            <p class="help" data-testid="share-length" data-value={len.to_string()}>{
                format!("{len} characters{}. The design, its faults and its seed travel in the link's #fragment, which browsers never send to a server.",
                    if *copied { ", copied to the clipboard" } else { "" })
            }</p>
            if len > LINK_WARN_CHARS {
                <div class="message" data-testid="message" role="status">
                    { format!("This link is over {} KB: chat apps and some servers cut links that long. ", LINK_WARN_CHARS / 1024) }
                    <button class="btn small" onclick={export}>{ "Download the JSON instead" }</button>
                </div>
            }
        </div>
    }
}
