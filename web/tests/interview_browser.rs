//! The interview panel in a real browser (headless Chromium,
//! wasm-bindgen-test): moving between phases, pausing, notes, the prompt
//! while gathering requirements, and the report of a drill measured on the
//! engine's own run.
#![cfg(target_arch = "wasm32")]

use faultline_sim::{slice_scenario, Sim, SimTime};
use faultline_web::components::InterviewPanel;
use faultline_web::interview::drill::{self, drill_doc};
use faultline_web::interview::schedule::Phase;
use faultline_web::interview::{Change, Interview};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, EventInit, HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{by_testid, mount};

fn click(root: &web_sys::Element, id: &str) {
    by_testid(root, id).unchecked_into::<HtmlElement>().click();
}

#[derive(Properties, PartialEq)]
struct Probe {
    start: Rc<Interview>,
    sim_now_ms: f64,
}

/// The panel over an interview kept in this component, as the App keeps it.
#[component]
fn Host(p: &Probe) -> Html {
    let interview = use_state(|| Rc::clone(&p.start));
    let on_change = {
        let interview = interview.clone();
        Callback::from(move |c: Change| {
            let mut next = (**interview).clone();
            next.apply(c, js_sys::Date::now());
            interview.set(Rc::new(next));
        })
    };
    let prompt = Some(Rc::new(("Design a link shortener.".to_string(), vec!["1,500 requests/s".to_string()])));
    html! { <InterviewPanel interview={(*interview).clone()} {prompt} sim_now_ms={p.sim_now_ms} {on_change} on_close={Callback::noop()} /> }
}

#[wasm_bindgen_test]
async fn phases_pause_and_notes_work_from_the_panel() {
    let start = Rc::new(Interview::start(Some("url-shortener".into()), "URL shortener".into(), 1, js_sys::Date::now()));
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), Probe { start, sim_now_ms: 0.0 }).render();
    yew::scheduler::flush().await;
    assert_eq!(by_testid(&host, "interview-phase").get_attribute("data-phase").as_deref(), Some("0"));
    assert!(by_testid(&host, "interview-prompt").text_content().unwrap().contains("link shortener"));
    let left: f64 = by_testid(&host, "interview-phase-left").get_attribute("data-ms").unwrap().parse().unwrap();
    assert!((299_000.0..=300_000.0).contains(&left), "five minutes of requirements: {left}");

    // A note, typed: the panel reports it as it is typed.
    let area: HtmlTextAreaElement = by_testid(&host, "interview-note").unchecked_into();
    area.set_value("reads dominate");
    let init = EventInit::new();
    init.set_bubbles(true);
    area.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    yew::scheduler::flush().await;

    click(&host, "interview-pause");
    yew::scheduler::flush().await;
    assert_eq!(by_testid(&host, "interview-pause").get_attribute("data-paused").as_deref(), Some("true"));
    click(&host, "interview-next");
    yew::scheduler::flush().await;
    assert_eq!(by_testid(&host, "interview-phase").get_attribute("data-phase").as_deref(), Some("1"));
    assert!(
        host.query_selector("[data-testid=\"interview-prompt\"]").unwrap().is_none(),
        "the prompt is for requirements"
    );
    let area: HtmlTextAreaElement = by_testid(&host, "interview-note").unchecked_into();
    assert_eq!(area.value(), "", "each phase has its own notes");
    click(&host, "interview-prev");
    yew::scheduler::flush().await;
    let area: HtmlTextAreaElement = by_testid(&host, "interview-note").unchecked_into();
    assert_eq!(area.value(), "reads dominate");
    assert!(by_testid(&host, "interview-prev").has_attribute("disabled"), "no phase before the first");
}

#[wasm_bindgen_test]
async fn the_report_shows_the_drill_measured_on_the_engine_s_run() {
    let design = slice_scenario();
    let plan = drill::plan(&design, None);
    let doc = drill_doc(&design, &plan.faults, plan.duration_ms);
    let mut i = Interview::start(None, "Blank canvas".into(), 1, js_sys::Date::now());
    i.apply(Change::Go(Phase::FailureDrill), js_sys::Date::now());
    i.apply(Change::Drill(plan.clone()), 0.0);
    let mut sim = Sim::new(&doc).unwrap();
    for s in 0..=plan.duration_ms / 1_000 {
        sim.step_until(SimTime::from_millis(s * 1_000));
        let v = sim.view();
        i.apply(Change::Sample { t_ms: v.now_ms, ok: v.ok, failed: v.failed, p99_ms: v.overall.p99_ms }, 0.0);
    }
    i.apply(Change::End, js_sys::Date::now());
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(
        host.clone(),
        Probe { start: Rc::new(i), sim_now_ms: plan.duration_ms as f64 },
    )
    .render();
    yew::scheduler::flush().await;
    let report = by_testid(&host, "interview-report");
    assert!(report.query_selector("svg polyline").unwrap().is_some(), "the timeline draws the error rate");
    // The crashed database: breached a second after the crash, recovered after its restart.
    let first = by_testid(&host, "drill-result-0");
    assert_eq!(first.get_attribute("data-breach-ms").as_deref(), Some("11000"));
    let recovery: f64 = first.get_attribute("data-recovery-ms").unwrap().parse().unwrap();
    assert!((30_000.0..=35_000.0).contains(&recovery), "{recovery}");
    assert!(by_testid(&host, "mitigate-0").text_content().unwrap().ends_with(" s"));
    assert!(by_testid(&host, "budget-0").text_content().unwrap().contains('%'));
    let md: HtmlTextAreaElement = by_testid(&host, "interview-markdown").unchecked_into();
    assert!(md.value().contains("| crash db | 10.0 s | 11.0 s |"), "{}", md.value());
}
