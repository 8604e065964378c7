//! Whole-system numbers: what the users (the clients) experience.

use super::Readout;
use crate::format;
use faultline_sim::SimView;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub view: Rc<SimView>,
}

#[component]
pub fn Summary(props: &SummaryProps) -> Html {
    let v = &props.view;
    let o = &v.overall;
    html! {
        <section class="summary" aria-label="System metrics">
            <Readout testid="metric-throughput" label="Throughput" value={o.throughput_rps} text={format::rate(o.throughput_rps)} />
            <Readout testid="metric-p50" label="p50 latency" value={o.p50_ms} text={format::ms(o.p50_ms)} />
            <Readout testid="metric-p99" label="p99 latency" value={o.p99_ms} text={format::ms(o.p99_ms)} />
            <Readout testid="metric-error-rate" label="Errors" value={o.error_rate} text={format::percent(o.error_rate)} />
            <Readout testid="metric-in-flight" label="In flight" value={o.in_flight as f64} text={o.in_flight.to_string()} />
            <Readout testid="metric-requests" label="Requests" value={v.generated as f64}
                text={format!("{} ok / {} failed", v.ok, v.failed)} />
        </section>
    }
}
