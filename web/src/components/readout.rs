//! A labelled number: formatted for people, raw in `data-value` for tests.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReadoutProps {
    pub testid: AttrValue,
    pub label: AttrValue,
    /// The raw number (ms for times, req/s for rates, fractions for shares).
    pub value: f64,
    pub text: AttrValue,
    /// What exactly it counts, on hover.
    #[prop_or_default]
    pub title: Option<AttrValue>,
}

#[component]
pub fn Readout(props: &ReadoutProps) -> Html {
    html! {
        <div class="readout" title={props.title.clone()}>
            <span class="readout-label">{ &props.label }</span>
            <span class="readout-value" data-testid={props.testid.clone()} data-value={props.value.to_string()}>
                { &props.text }
            </span>
        </div>
    }
}
