//! The inspector's forms for structured fields, in a real browser (headless
//! Chromium, wasm-bindgen-test): a retry policy switched on and edited member
//! by member, an invalid member refused with the engine's message, and the
//! JSON escape hatch. No sleeps: `yew::scheduler::flush()` runs pending renders.
#![cfg(target_arch = "wasm32")]

use faultline_sim::Scenario;
use faultline_web::components::Inspector;
use faultline_web::state::Selection;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Properties, PartialEq)]
struct Props {
    seen: Rc<RefCell<Vec<Scenario>>>,
}

/// The inspector on the slice's api -> db link, applying every accepted edit.
#[component]
fn Host(props: &Props) -> Html {
    let doc = use_state(|| Rc::new(faultline_sim::slice_scenario()));
    let on_edit = {
        let (doc, seen) = (doc.clone(), Rc::clone(&props.seen));
        Callback::from(move |d: Scenario| {
            seen.borrow_mut().push(d.clone());
            doc.set(Rc::new(d));
        })
    };
    html! { <Inspector doc={(*doc).clone()} selected={Some(Selection::Edge(1))} {on_edit} /> }
}

fn by_testid(root: &web_sys::Element, id: &str) -> web_sys::Element {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap().unwrap_or_else(|| panic!("no {id}"))
}

fn change(el: &web_sys::Element) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    el.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
}

#[wasm_bindgen_test]
async fn a_retry_member_is_edited_through_the_form_and_an_invalid_one_refused() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let host = gloo::utils::document().create_element("div").unwrap();
    gloo::utils::document().body().unwrap().append_child(&host).unwrap();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), Props { seen: Rc::clone(&seen) }).render();
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=field-retry-max_attempts]").unwrap().is_none(), "off at first");

    // Switching it on sets the engine's default policy.
    let on: HtmlInputElement = by_testid(&host, "field-retry-enabled").unchecked_into();
    on.set_checked(true);
    change(&on);
    yew::scheduler::flush().await;
    assert_eq!(seen.borrow().last().unwrap().edges[1].retry, Some(Default::default()));
    let attempts: HtmlInputElement = by_testid(&host, "field-retry-max_attempts").unchecked_into();
    assert_eq!(attempts.value(), "3");

    // A valid member applies.
    attempts.set_value("5");
    change(&attempts);
    yew::scheduler::flush().await;
    assert_eq!(seen.borrow().last().unwrap().edges[1].retry.unwrap().max_attempts, 5);
    assert!(host.query_selector("[data-testid=error-field-retry]").unwrap().is_none());

    // One the engine refuses shows its message and changes nothing.
    let applied = seen.borrow().len();
    attempts.set_value("11");
    change(&attempts);
    yew::scheduler::flush().await;
    let message = by_testid(&host, "error-field-retry").text_content().unwrap();
    assert!(message.contains("max_attempts") && message.contains("at most 10"), "{message}");
    assert_eq!(seen.borrow().len(), applied, "an invalid value is not applied");
    assert!(host.query_selector(".field.invalid [data-testid=field-retry]").unwrap().is_some(), "marked invalid");

    // A choice member: the backoff type brings its own parameters.
    let backoff: web_sys::HtmlSelectElement = by_testid(&host, "field-retry-backoff-type").unchecked_into();
    backoff.set_value("fixed");
    change(&backoff);
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=error-field-retry]").unwrap().is_none());
    let wait: HtmlInputElement = by_testid(&host, "field-retry-backoff-ms").unchecked_into();
    assert_eq!(wait.value(), "100");
    assert_eq!(
        seen.borrow().last().unwrap().edges[1].retry.unwrap().backoff,
        faultline_sim::policy::Backoff::Fixed { ms: 100.0 }
    );

    // The JSON escape hatch shows the same policy as text, and back.
    by_testid(&host, "field-retry-json").unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    let text = by_testid(&host, "field-retry").unchecked_into::<web_sys::HtmlTextAreaElement>().value();
    assert!(text.contains("\"max_attempts\":5") && text.contains("\"fixed\""), "{text}");
    by_testid(&host, "field-retry-json").unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=field-retry-max_attempts]").unwrap().is_some());

    // Switching it off removes it.
    let on: HtmlInputElement = by_testid(&host, "field-retry-enabled").unchecked_into();
    on.set_checked(false);
    change(&on);
    yew::scheduler::flush().await;
    assert_eq!(seen.borrow().last().unwrap().edges[1].retry, None);
}
