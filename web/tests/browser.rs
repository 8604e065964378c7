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

#[wasm_bindgen_test]
async fn clicking_a_palette_item_adds_that_kind_and_undo_removes_it() {
    let host = mount();
    yew::Renderer::<App>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    let nodes = || host.query_selector_all("g.node").unwrap().length();
    let before = nodes();
    by_testid(&host, "palette-load_balancer").unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert_eq!(nodes(), before + 1);
    let added = by_testid(&host, "node-load-balancer-1");
    assert_eq!(added.get_attribute("data-kind").as_deref(), Some("load_balancer"));
    // The new node is selected: the inspector shows its catalogue fields.
    assert!(by_testid(&host, "inspector").text_content().unwrap().contains("Algorithm"));
    by_testid(&host, "undo").unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert_eq!(nodes(), before);
}

#[wasm_bindgen_test]
async fn the_inspector_refuses_an_invalid_value_with_a_message_and_applies_a_valid_one() {
    use faultline_web::components::Inspector;
    use faultline_web::state::Selection;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Properties, PartialEq)]
    struct Props {
        seen: Rc<RefCell<Vec<faultline_sim::Scenario>>>,
    }
    #[component]
    fn Host(props: &Props) -> Html {
        let doc = use_memo((), |_| faultline_sim::slice_scenario());
        let seen = Rc::clone(&props.seen);
        let on_edit = Callback::from(move |d| seen.borrow_mut().push(d));
        html! { <Inspector doc={doc} selected={Some(Selection::Node(1))} {on_edit} /> }
    }
    let seen = Rc::new(RefCell::new(Vec::new()));
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), Props { seen: Rc::clone(&seen) }).render();
    yew::scheduler::flush().await;
    let input: web_sys::HtmlInputElement = by_testid(&host, "field-workers").unchecked_into();
    let change = || {
        web_sys::Event::new_with_event_init_dict("change", &{
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            init
        })
        .unwrap()
    };
    input.set_value("0");
    input.dispatch_event(&change()).unwrap();
    yew::scheduler::flush().await;
    assert!(by_testid(&host, "error-field-workers").text_content().unwrap().contains("between"));
    assert!(seen.borrow().is_empty(), "an invalid value is not applied");
    input.set_value("12");
    input.dispatch_event(&change()).unwrap();
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=error-field-workers]").unwrap().is_none());
    let applied = seen.borrow();
    match &applied.last().unwrap().nodes[1].kind {
        faultline_sim::scenario::NodeKind::Service(s) => assert_eq!(s.workers, 12),
        k => panic!("{k:?}"),
    }
}
