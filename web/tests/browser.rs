//! Components in a real browser (headless Chromium, wasm-bindgen-test).
//! No sleeps: `yew::scheduler::flush()` runs pending renders.
#![cfg(target_arch = "wasm32")]

use faultline_web::app::App;
use faultline_web::components::Readout;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount() -> web_sys::Element {
    let doc = gloo::utils::document();
    let host = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    host
}

fn by_testid(root: &web_sys::Element, id: &str) -> web_sys::Element {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap().unwrap_or_else(|| panic!("no {id}"))
}

#[wasm_bindgen_test]
async fn the_app_renders_the_slice_at_time_zero() {
    let host = mount();
    yew::Renderer::<App>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    for (id, kind) in [("client", "client"), ("api", "service"), ("db", "database")] {
        assert_eq!(by_testid(&host, &format!("node-{id}")).get_attribute("data-kind").as_deref(), Some(kind));
    }
    assert_eq!(by_testid(&host, "sim-time").get_attribute("data-value").as_deref(), Some("0"));
    assert_eq!(by_testid(&host, "metric-p99").get_attribute("data-value").as_deref(), Some("0"));
    // Pause is disabled until the run plays.
    assert!(by_testid(&host, "pause").has_attribute("disabled"));
    by_testid(&host, "play").unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(by_testid(&host, "play").has_attribute("disabled"));
    assert!(!by_testid(&host, "pause").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn a_readout_carries_its_raw_value() {
    #[component]
    fn Probe() -> Html {
        html! { <Readout testid="metric-x" label="X" value={12.5} text="12.5 ms" /> }
    }
    let host = mount();
    yew::Renderer::<Probe>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    let el = by_testid(&host, "metric-x");
    assert_eq!(el.get_attribute("data-value").as_deref(), Some("12.5"));
    assert_eq!(el.text_content().unwrap().trim(), "12.5 ms");
}
