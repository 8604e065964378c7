//! The inspector's forms for structured fields, in a real browser (headless
//! Chromium, wasm-bindgen-test): a retry policy switched on and edited member
//! by member, an invalid member refused with the engine's message, and the
//! JSON escape hatch. No sleeps: `yew::scheduler::flush()` runs pending renders,
//! and `common::all_rows` waits for the idle periods that draw the later rows.
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

mod common;
use common::by_testid;

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
    common::all_rows(&host).await;
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

/// The inspector on a database of 4 shards (the slice's db, sharded).
#[component]
fn ShardedHost(props: &Props) -> Html {
    let doc = use_state(|| {
        let mut s = faultline_sim::slice_scenario();
        let db = s.node_index("db").unwrap();
        if let faultline_sim::scenario::NodeKind::Database(d) = &mut s.nodes[db].kind {
            d.shards = 4;
        }
        Rc::new(s)
    });
    let on_edit = {
        let (doc, seen) = (doc.clone(), Rc::clone(&props.seen));
        Callback::from(move |d: Scenario| {
            seen.borrow_mut().push(d.clone());
            doc.set(Rc::new(d));
        })
    };
    let db = doc.node_index("db").unwrap();
    html! { <Inspector doc={(*doc).clone()} selected={Some(Selection::Node(db))} {on_edit} /> }
}

fn directory_of(s: &Scenario) -> Vec<(u64, u16)> {
    let db = s.node_index("db").unwrap();
    let faultline_sim::scenario::NodeKind::Database(d) = &s.nodes[db].kind else { panic!("db") };
    d.directory.iter().map(|e| (e.from, e.shard)).collect()
}

#[wasm_bindgen_test]
async fn the_directory_table_adds_edits_and_refuses_a_bad_row_inline() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let host = gloo::utils::document().create_element("div").unwrap();
    gloo::utils::document().body().unwrap().append_child(&host).unwrap();
    yew::Renderer::<ShardedHost>::with_root_and_props(host.clone(), Props { seen: Rc::clone(&seen) }).render();
    yew::scheduler::flush().await;
    common::all_rows(&host).await;
    assert!(by_testid(&host, "field-directory").text_content().unwrap().contains("No rows"));

    // Two rows: from key 0 on shard 0, then 1,000 on shard 1.
    for _ in 0..2 {
        by_testid(&host, "field-directory-add").unchecked_into::<HtmlElement>().click();
        yew::scheduler::flush().await;
    }
    assert_eq!(directory_of(seen.borrow().last().unwrap()), vec![(0, 0), (1_000, 1)]);
    let from: HtmlInputElement = by_testid(&host, "field-directory-1-from").unchecked_into();
    assert_eq!(from.value(), "1000");

    // A shard past the count is refused, named by its row, under the table.
    let applied = seen.borrow().len();
    let shard: HtmlInputElement = by_testid(&host, "field-directory-1-shard").unchecked_into();
    shard.set_value("7");
    change(&shard);
    yew::scheduler::flush().await;
    let message = by_testid(&host, "error-field-directory").text_content().unwrap();
    assert!(message.contains("Row 2") && message.contains("below the shard count, 4"), "{message}");
    assert_eq!(seen.borrow().len(), applied, "a refused row is not applied");

    // A row out of order too.
    from.set_value("0");
    change(&from);
    yew::scheduler::flush().await;
    let message = by_testid(&host, "error-field-directory").text_content().unwrap();
    assert!(message.contains("Row 2: from must be above row 1's (0)"), "{message}");

    // A good edit clears the message and lands in the document.
    let shard: HtmlInputElement = by_testid(&host, "field-directory-1-shard").unchecked_into();
    shard.set_value("3");
    change(&shard);
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=error-field-directory]").unwrap().is_none());
    assert_eq!(directory_of(seen.borrow().last().unwrap()), vec![(0, 0), (1_000, 3)]);

    // Choosing directory partitioning now runs with the table; removing a row too.
    by_testid(&host, "field-directory-0-remove").unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert_eq!(directory_of(seen.borrow().last().unwrap()), vec![(1_000, 3)]);
}
