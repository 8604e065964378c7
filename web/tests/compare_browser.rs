//! The compare view in a real browser (headless Chromium): the engine's
//! answer for the cascade's before and after drawn as two lines a chart and
//! a table whose better and worse cells say so in words, not colour alone;
//! a side that cannot run says why.
#![cfg(target_arch = "wasm32")]

use faultline_live::compare::compare;
use faultline_web::compare::Open;
use faultline_web::components::CompareView;
use faultline_web::library;
use std::rc::Rc;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{by_testid, mount};

#[derive(Properties, PartialEq)]
struct Props {
    open: Open,
}

#[component]
fn Host(props: &Props) -> Html {
    html! { <CompareView open={props.open.clone()} link="#v3.c.x" on_close={Callback::noop()} /> }
}

/// A shipped preset, as the page reads it from the site's copy.
fn preset(name: &str) -> faultline_sim::Scenario {
    let text = match name {
        "cascade-before" => include_str!("../../assets/scenarios/cascade-before.json"),
        "cascade-after" => include_str!("../../assets/scenarios/cascade-after.json"),
        _ => unreachable!("{name}"),
    };
    library::parse(name, text).unwrap()
}

fn open(a: faultline_sim::Scenario, b: faultline_sim::Scenario) -> Open {
    let result = Some(Rc::new(compare(&a, &b)));
    Open { id: 1, a: Rc::new(a), b: Rc::new(b), opener: "library", result }
}

#[wasm_bindgen_test]
async fn the_cascade_pair_draws_two_lines_a_chart_and_marks_the_catalog_better() {
    let (a, b) = (preset("cascade-before"), preset("cascade-after"));
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), Props { open: open(a, b) }).render();
    yew::scheduler::flush().await;
    let title = by_testid(&host, "compare-title").text_content().unwrap();
    assert!(title.starts_with("Compare: Cascade: B slows") && title.contains(" vs Cascade fixed"), "{title}");
    for id in ["success", "p99", "throughput"] {
        let chart = by_testid(&host, &format!("compare-chart-{id}"));
        for side in ["cmp-a", "cmp-b"] {
            let lines = chart.query_selector_all(&format!("polyline.{side}")).unwrap().length();
            assert!(lines >= 1, "{id}: no {side} line");
        }
    }
    let catalog = by_testid(&host, "compare-row-op-catalog-success");
    assert_eq!(catalog.get_attribute("data-verdict").as_deref(), Some("better"));
    let diff = catalog.query_selector(".diff.better").unwrap().expect("a better cell");
    let text = diff.text_content().unwrap();
    assert!(text.starts_with('+') && text.contains("better"), "{text}");
    assert!(by_testid(&host, "compare-rules").text_content().unwrap().contains("seed 11"));
}

#[wasm_bindgen_test]
async fn a_side_that_cannot_run_says_why_instead_of_a_table() {
    let a = preset("cascade-before");
    let mut b = a.clone();
    b.name = "Broken".into();
    b.edges[0].to = "nowhere".into();
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), Props { open: open(a, b) }).render();
    yew::scheduler::flush().await;
    let why = by_testid(&host, "compare-error-b").text_content().unwrap();
    assert!(why.starts_with("B could not run: Broken cannot run"), "{why}");
    assert!(host.query_selector("[data-testid=compare-table]").unwrap().is_none());
}
