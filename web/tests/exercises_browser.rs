//! The exercise panels and the design review in a real browser (headless
//! Chromium, wasm-bindgen-test), fed the engine's own verdicts and warnings.
#![cfg(target_arch = "wasm32")]

use faultline_sim::exercise::{self, registry};
use faultline_web::components::{ExerciseAside, LintPanel};
use faultline_web::exercises::{parse_brief, Progress, Verdict};
use faultline_web::state::Selection;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{by_testid, mount};

#[derive(Properties, PartialEq)]
struct AsideProbe {
    verdict: Option<Rc<Verdict>>,
    hints: u32,
    moments: Rc<RefCell<Vec<u64>>>,
}

#[component]
fn Aside(p: &AsideProbe) -> Html {
    let text = registry::BUILTIN.iter().find(|(id, _)| *id == "url-shortener").unwrap().1;
    let brief = parse_brief(text).unwrap();
    let moments = Rc::clone(&p.moments);
    html! {
        <ExerciseAside {brief} progress={Progress { stars: 0, hints: p.hints, attempts: 0 }} expanded={true} on_expand={Callback::noop()}
            checking={false} verdict={p.verdict.clone()} stale={false} on_check={Callback::noop()} on_hint={Callback::noop()}
            on_starter={Callback::noop()} on_reference={Callback::noop()}
            on_moment={Callback::from(move |t| moments.borrow_mut().push(t))} on_close={Callback::noop()}
            on_share={Callback::noop()} shared={None::<(String, bool)>} />
    }
}

#[wasm_bindgen_test]
async fn a_failing_verdict_shows_each_criterion_against_its_threshold_and_its_first_breach() {
    let ex = registry::load("url-shortener").unwrap();
    let result = exercise::check(&ex, &ex.starter).unwrap();
    assert!(!result.pass);
    let failed: Vec<_> = result.check.criteria.iter().filter(|c| !c.pass).cloned().collect();
    let moments = Rc::new(RefCell::new(Vec::new()));
    let host = mount();
    yew::Renderer::<Aside>::with_root_and_props(
        host.clone(),
        AsideProbe { verdict: Some(Rc::new(Ok(Box::new(result.clone())))), hints: 0, moments: Rc::clone(&moments) },
    )
    .render();
    yew::scheduler::flush().await;
    let verdict = by_testid(&host, "verdict");
    assert_eq!(verdict.get_attribute("data-pass").as_deref(), Some("false"));
    for m in &result.check.criteria {
        let row = by_testid(&host, &format!("criterion-{}", m.id));
        assert_eq!(row.get_attribute("data-pass").as_deref(), Some(m.pass.to_string().as_str()));
        let text = row.text_content().unwrap();
        assert!(text.contains(&m.label), "{text}");
        let threshold = faultline_web::components::exercises::value_text(m.threshold, &m.unit);
        assert!(text.contains(&threshold), "{text} lacks {threshold}");
    }
    let first =
        failed.iter().find_map(|m| Some((m.id.clone(), m.first_breach_ms?))).expect("a failed criterion breached");
    by_testid(&host, &format!("breach-{}", first.0)).unchecked_into::<HtmlElement>().click();
    assert_eq!(*moments.borrow(), vec![first.1]);
    // The hint ladder says what the next hint costs before it is revealed.
    assert!(by_testid(&host, "hint-cost").text_content().unwrap().contains("from ★★★ to ★★☆"));
}

#[wasm_bindgen_test]
async fn a_passing_verdict_after_hints_is_capped_and_says_so() {
    let ex = registry::load("url-shortener").unwrap();
    let result = exercise::check(&ex, &ex.reference).unwrap();
    assert_eq!(result.stars, 3);
    let host = mount();
    yew::Renderer::<Aside>::with_root_and_props(
        host.clone(),
        AsideProbe { verdict: Some(Rc::new(Ok(Box::new(result)))), hints: 1, moments: Rc::default() },
    )
    .render();
    yew::scheduler::flush().await;
    let verdict = by_testid(&host, "verdict");
    assert_eq!(verdict.get_attribute("data-stars").as_deref(), Some("2"));
    assert!(verdict.text_content().unwrap().contains("capped at ★★☆"));
    assert!(by_testid(&host, "hint-0").text_content().is_some());
}

#[derive(Properties, PartialEq)]
struct LintProbe {
    picked: Rc<RefCell<Vec<Vec<Selection>>>>,
}

#[component]
fn Lint(p: &LintProbe) -> Html {
    let ex = registry::load("flaky-database").unwrap();
    let warnings = Rc::new(faultline_sim::lint::lint(&ex.starter));
    let picked = Rc::clone(&p.picked);
    html! { <LintPanel {warnings} on_select={Callback::from(move |s| picked.borrow_mut().push(s))} /> }
}

#[wasm_bindgen_test]
async fn the_review_lists_a_retry_without_jitter_and_selects_its_link() {
    let ex = registry::load("flaky-database").unwrap();
    let edge = ex.starter.edges.iter().position(|e| e.from == "api" && e.to == "db").unwrap();
    let picked = Rc::new(RefCell::new(Vec::new()));
    let host = mount();
    yew::Renderer::<Lint>::with_root_and_props(host.clone(), LintProbe { picked: Rc::clone(&picked) }).render();
    yew::scheduler::flush().await;
    let row =
        host.query_selector("[data-rule=\"retry-without-backoff-or-jitter\"]").unwrap().expect("the retry warning");
    assert!(row.text_content().unwrap().contains("api -> db"));
    row.unchecked_into::<HtmlElement>().click();
    assert_eq!(*picked.borrow(), vec![vec![Selection::Edge(edge)]]);
}
