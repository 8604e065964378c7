//! A labelled number: formatted for people, raw in `data-value` for tests.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReadoutProps {
    pub testid: AttrValue,
    pub label: AttrValue,
    /// The raw number (ms for times, req/s for rates, fractions for shares).
    pub value: f64,
    pub text: AttrValue,
}

#[component]
pub fn Readout(props: &ReadoutProps) -> Html {
    html! {
        <div class="readout">
            <span class="readout-label">{ &props.label }</span>
            <span class="readout-value" data-testid={props.testid.clone()} data-value={props.value.to_string()}>
                { &props.text }
            </span>
        </div>
    }
}
