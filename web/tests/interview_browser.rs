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

/// The list of past interviews: a row per finished one (latest first) with
/// its date, time per phase and drill line; Open asks for that one, and the
/// opened one shows its report read-only; Delete asks for that one.
#[wasm_bindgen_test]
async fn past_interviews_list_open_read_only_and_delete() {
    use faultline_web::components::past_interviews::PastInterviews;
    use faultline_web::interview::{add_past, PastMap};
    use std::cell::RefCell;
    type Asked = Rc<RefCell<Vec<(String, f64)>>>;
    #[derive(Properties, PartialEq)]
    struct P {
        past: Rc<PastMap>,
        opened: Option<(String, f64)>,
        asked: Asked,
    }
    #[component]
    fn ListHost(p: &P) -> Html {
        let (a, b) = (Rc::clone(&p.asked), Rc::clone(&p.asked));
        let on_open = Callback::from(move |o: Option<(String, f64)>| a.borrow_mut().extend(o));
        let on_delete = Callback::from(move |k: (String, f64)| b.borrow_mut().push((format!("delete {}", k.0), k.1)));
        html! { <PastInterviews past={Rc::clone(&p.past)} opened={p.opened.clone()} {on_open} {on_delete} on_close={Callback::noop()} /> }
    }
    let t0 = 1_796_230_000_000.0;
    let mut map = PastMap::new();
    for (k, ex) in [(0.0, "url-shortener"), (1.0, "likes-counter")] {
        let mut i = Interview::start(Some(ex.into()), ex.into(), 1, t0 + k * 3_600_000.0);
        i.apply(Change::End, t0 + k * 3_600_000.0 + 60_000.0);
        add_past(&mut map, &i, String::new(), t0 + k * 3_600_000.0 + 60_000.0);
    }
    let past = Rc::new(map);
    let asked: Asked = Rc::default();
    let host = mount();
    let props = P { past: Rc::clone(&past), opened: None, asked: Rc::clone(&asked) };
    yew::Renderer::<ListHost>::with_root_and_props(host.clone(), props).render();
    yew::scheduler::flush().await;
    let rows = host.query_selector_all("[data-testid=past-row]").unwrap();
    assert_eq!(rows.length(), 2);
    let first: web_sys::Element = rows.item(0).unwrap().unchecked_into();
    assert_eq!(first.get_attribute("data-exercise").as_deref(), Some("likes-counter"), "the latest first");
    assert_eq!(by_testid(&first, "past-date").text_content().unwrap(), "2026-12-02 17:47 UTC");
    assert!(by_testid(&first, "past-phases").text_content().unwrap().starts_with("Requirements 1:00/5:00 · "));
    assert_eq!(by_testid(&first, "past-drill").text_content().unwrap(), "The drill did not run.");
    click(&first, "past-open");
    click(&first, "past-delete");
    let at = t0 + 3_600_000.0 + 60_000.0;
    assert_eq!(*asked.borrow(), [("likes-counter".to_string(), at), ("delete likes-counter".to_string(), at)]);

    // Opened: the report, read-only (no note, no clock).
    let host = mount();
    let props = P { past, opened: Some(("likes-counter".into(), at)), asked };
    yew::Renderer::<ListHost>::with_root_and_props(host.clone(), props).render();
    yew::scheduler::flush().await;
    let report = by_testid(&host, "past-report");
    assert_eq!(by_testid(&report, "used-0").text_content().unwrap(), "1:00");
    assert!(report.query_selector("[data-testid=interview-note]").unwrap().is_none());
    assert!(report.query_selector("[data-testid=interview-pause]").unwrap().is_none());
}
