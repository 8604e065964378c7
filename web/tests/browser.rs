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

mod common;
use common::{by_testid, mount};

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
    common::all_rows(&host).await;
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
    common::all_rows(&host).await;
    let input: web_sys::HtmlInputElement = by_testid(&host, "field-workers").unchecked_into();
    input.set_value("0");
    input.dispatch_event(&change_event()).unwrap();
    yew::scheduler::flush().await;
    assert!(by_testid(&host, "error-field-workers").text_content().unwrap().contains("between"));
    assert!(seen.borrow().is_empty(), "an invalid value is not applied");
    input.set_value("12");
    input.dispatch_event(&change_event()).unwrap();
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=error-field-workers]").unwrap().is_none());
    let applied = seen.borrow();
    match &applied.last().unwrap().nodes[1].kind {
        faultline_sim::scenario::NodeKind::Service(s) => assert_eq!(s.workers, 12),
        k => panic!("{k:?}"),
    }
}

fn change_event() -> web_sys::Event {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    web_sys::Event::new_with_event_init_dict("change", &init).unwrap()
}

#[wasm_bindgen_test]
async fn a_seed_that_is_not_a_whole_number_is_refused_and_the_box_shows_the_seed_again() {
    use faultline_web::components::Controls;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Properties, PartialEq)]
    struct Props {
        seeds: Rc<RefCell<Vec<Option<u64>>>>,
        messages: Rc<RefCell<Vec<Option<String>>>>,
    }
    #[component]
    fn Host(props: &Props) -> Html {
        let (seeds, messages) = (Rc::clone(&props.seeds), Rc::clone(&props.messages));
        html! {
            <Controls playing={false} finished={false} now_ms={0.0} end_ms={1000.0} on_play={Callback::noop()}
                on_pause={Callback::noop()} on_reset={Callback::noop()} speed={1.0} achieved={1.0}
                on_speed={Callback::noop()} on_step={Callback::noop()} seed={7}
                on_seed={Callback::from(move |s| seeds.borrow_mut().push(s))}
                on_message={Callback::from(move |m| messages.borrow_mut().push(m))} />
        }
    }
    let (seeds, messages) = (Rc::new(RefCell::new(Vec::new())), Rc::new(RefCell::new(Vec::new())));
    let host = mount();
    let props = Props { seeds: Rc::clone(&seeds), messages: Rc::clone(&messages) };
    yew::Renderer::<Host>::with_root_and_props(host.clone(), props).render();
    yew::scheduler::flush().await;
    let input: web_sys::HtmlInputElement = by_testid(&host, "seed").unchecked_into();
    assert_eq!(input.value(), "7");
    input.set_value("-3");
    input.dispatch_event(&change_event()).unwrap();
    yew::scheduler::flush().await;
    assert!(seeds.borrow().is_empty(), "no seed, and no random one either");
    let said = messages.borrow().last().cloned().flatten().expect("a message");
    assert!(said.contains("-3 is not a seed") && said.contains("The seed stays 7."), "{said}");
    assert_eq!(input.value(), "7");
    input.set_value("42");
    input.dispatch_event(&change_event()).unwrap();
    yew::scheduler::flush().await;
    assert_eq!(*seeds.borrow(), vec![Some(42)]);
}

#[wasm_bindgen_test]
async fn the_run_summary_counts_the_calls_every_breaker_refused() {
    use faultline_sim::policy::breaker::State;
    use faultline_sim::view::BreakerView;
    use faultline_sim::SimView;
    use faultline_web::components::Summary;
    use std::rc::Rc;

    #[component]
    fn Host() -> Html {
        let breaker = |n| Some(BreakerView { state: State::Open, open_remaining_ms: 1.0, short_circuited: n });
        let view =
            use_memo((), move |_| SimView { breakers: vec![breaker(3), None, breaker(4)], ..SimView::default() });
        html! { <Summary view={Rc::clone(&view)} report={None} /> }
    }
    let host = mount();
    yew::Renderer::<Host>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    assert_eq!(by_testid(&host, "metric-short-circuited").get_attribute("data-value").as_deref(), Some("7"));
}

#[wasm_bindgen_test]
async fn a_chart_with_one_window_draws_it_across_its_second() {
    use faultline_sim::metrics::Point;
    use faultline_web::components::Charts;
    use std::rc::Rc;

    #[component]
    fn Host() -> Html {
        let series = use_memo((), |_| vec![Point { t_ms: 1_000, arrivals: 50, ok: 50, ..Point::default() }]);
        html! { <Charts subject="whole system" {series} markers={Rc::new(Vec::new())} end_ms={1_200.0} /> }
    }
    let host = mount();
    yew::Renderer::<Host>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    let line = host.query_selector("[data-testid=chart-throughput] polyline").unwrap().expect("a line");
    let points = line.get_attribute("points").unwrap();
    let xs: Vec<f64> = points.split_whitespace().map(|p| p.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(xs.len(), 2, "{points}");
    assert!(xs[0] < xs[1], "{points}");
}

#[wasm_bindgen_test]
async fn the_inspector_s_own_fields_are_field_ids_never_a_card_s() {
    use faultline_web::components::Inspector;
    use faultline_web::state::Selection;
    use std::rc::Rc;

    #[component]
    fn Host() -> Html {
        let doc = use_memo((), |_| faultline_sim::slice_scenario());
        html! { <Inspector doc={Rc::clone(&doc)} selected={Some(Selection::Node(0))} on_edit={Callback::noop()} /> }
    }
    let host = mount();
    yew::Renderer::<Host>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    common::all_rows(&host).await;
    for id in ["field-name", "field-region", "field-zone", "field-arrival-users"] {
        let el = by_testid(&host, id);
        assert_eq!(el.id(), id, "the label's `for` finds it");
    }
    assert!(host.query_selector("[data-testid^=\"node-\"], [id^=\"node-\"]").unwrap().is_none());
}

/// The latency charts draw the successes' percentiles, broken off in a
/// window without a success (a 0 there would read as fast), and the failed
/// calls' as a dashed line of their own, only where calls failed.
#[wasm_bindgen_test]
async fn latency_charts_keep_failures_apart() {
    use faultline_sim::metrics::Point;
    use faultline_web::components::Charts;
    use std::rc::Rc;

    #[component]
    fn Host() -> Html {
        let series = use_memo((), |_| {
            let p = |t_ms, ok, failed, p99_us, fail_p99_us| Point {
                t_ms,
                arrivals: ok + failed,
                ok,
                failed,
                p50_us: p99_us / 2,
                p99_us,
                fail_p50_us: fail_p99_us / 2,
                fail_p99_us,
                ..Point::default()
            };
            vec![
                p(1_000, 50, 0, 10_000, 0),
                p(2_000, 50, 50, 12_000, 600),
                p(3_000, 0, 100, 0, 200), // everything failed, at once
                p(4_000, 50, 0, 11_000, 0),
            ]
        });
        html! { <Charts subject="api" {series} markers={Rc::new(Vec::new())} end_ms={4_000.0} /> }
    }
    let host = mount();
    yew::Renderer::<Host>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    let xs_of = |line: &web_sys::Element| -> Vec<f64> {
        let points = line.get_attribute("points").unwrap();
        points.split_whitespace().map(|p| p.split(',').next().unwrap().parse().unwrap()).collect()
    };
    let p99 = by_testid(&host, "chart-p99");
    let ok = p99.query_selector_all("polyline.series.p99").unwrap();
    assert_eq!(ok.length(), 2, "broken off at 3 s");
    let first = xs_of(&ok.item(0).unwrap().unchecked_into());
    let second = xs_of(&ok.item(1).unwrap().unchecked_into());
    assert_eq!((first.len(), second.len()), (2, 2), "{first:?} {second:?}");
    assert!(first[1] < second[0], "{first:?} {second:?}");
    let failed = p99.query_selector_all("polyline.series.failed").unwrap();
    assert_eq!(failed.length(), 1);
    // Windows 2 s and 3 s; the lone window at 4 s is drawn across its second, from 3 s.
    assert_eq!(xs_of(&failed.item(0).unwrap().unchecked_into()), vec![first[1], second[0]]);
    // The headline is the successes' p99 of the latest window; nothing failed in it.
    let value = p99.query_selector(".chart-value").unwrap().unwrap();
    assert_eq!(value.get_attribute("data-value").as_deref(), Some("11"));
    let failed_now = by_testid(&host, "chart-p99-failed");
    assert_eq!(
        (failed_now.get_attribute("data-value").as_deref(), failed_now.text_content().as_deref()),
        (Some("0"), Some("failed –"))
    );
    // Throughput and errors have no failed line.
    assert!(by_testid(&host, "chart-throughput").query_selector("polyline.failed").unwrap().is_none());
    assert!(host.query_selector("[data-testid=chart-throughput-failed]").unwrap().is_none());
}

/// The run summary gives the failed requests' latency beside their causes.
#[wasm_bindgen_test]
async fn the_run_summary_gives_the_failures_latency() {
    use faultline_sim::report::{Failures, Latency, RequestTotals, RunSummary};
    use faultline_sim::SimView;
    use faultline_web::components::Summary;
    use std::rc::Rc;

    #[component]
    fn Host() -> Html {
        let view = use_memo((), |_| SimView::default());
        let report = Rc::new(RunSummary {
            requests: RequestTotals {
                generated: 10,
                ok: 6,
                failed: Failures { total: 4, short_circuited: 4, ..Failures::default() },
                ..RequestTotals::default()
            },
            latency_ms: Latency { p99: 40.0, ..Latency::default() },
            failed_latency_ms: Latency { p50: 0.0, p99: 2.5, ..Latency::default() },
            ..RunSummary::default()
        });
        html! { <Summary {view} report={Some(report)} /> }
    }
    let host = mount();
    yew::Renderer::<Host>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    assert_eq!(by_testid(&host, "metric-run-p99").get_attribute("data-value").as_deref(), Some("40"));
    let failed = by_testid(&host, "failed-latency");
    assert_eq!(failed.get_attribute("data-value").as_deref(), Some("2.5"));
    assert_eq!(failed.text_content().as_deref(), Some("answered in p50 0 ms, p99 2.50 ms"));
}

/// A sharded database's card draws one heat-strip cell per shard, the
/// busiest the deepest red; an unsharded one draws none.
#[wasm_bindgen_test]
async fn a_sharded_database_card_has_a_heat_strip_of_its_shards() {
    use faultline_sim::scenario::{DatabaseConfig, Node, NodeKind};
    use faultline_web::components::canvas::card::Card;
    use faultline_web::same::Same;
    use std::rc::Rc;
    #[derive(Properties, PartialEq)]
    struct P {
        shard_busy: Vec<f32>,
    }
    #[component]
    fn Probe(p: &P) -> Html {
        let kind =
            NodeKind::Database(DatabaseConfig { shards: p.shard_busy.len().max(1) as u16, ..Default::default() });
        let node = Node { id: "db".into(), name: String::new(), region: None, zone: None, x: 100.0, y: 100.0, kind };
        let view = faultline_sim::NodeView { shard_busy: p.shard_busy.clone(), capacity: 20, ..Default::default() };
        html! {
            <svg>
                <Card index={0} node={Same(Rc::new(node))} {view} health={faultline_web::components::canvas::health::Health::Fine} selected={false}
                    detailed={true} events={Callback::noop()} />
            </svg>
        }
    }
    let host = mount();
    let busy = vec![0.1, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    yew::Renderer::<Probe>::with_root_and_props(host.clone(), P { shard_busy: busy }).render();
    yew::scheduler::flush().await;
    let strip = by_testid(&host, "shards-db");
    assert_eq!(strip.get_attribute("data-shards").as_deref(), Some("8"));
    let cells = strip.query_selector_all(".shard-cell").unwrap();
    assert_eq!(cells.length(), 8);
    let fill = |i: u32| cells.item(i).unwrap().unchecked_into::<web_sys::Element>().get_attribute("style").unwrap();
    assert!(fill(1).contains("45%") && fill(0).contains("87%"), "{} vs {}", fill(1), fill(0));

    let host = mount();
    yew::Renderer::<Probe>::with_root_and_props(host.clone(), P { shard_busy: vec![] }).render();
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=\"shards-db\"]").unwrap().is_none());
}

/// Selecting a sharded database offers to add and remove a shard, counting
/// the reshards already on the timeline; the buttons inject a `reshard`.
#[wasm_bindgen_test]
async fn the_fault_bar_adds_and_removes_a_shard() {
    use faultline_sim::scenario::{Fault, FaultAction};
    use faultline_web::components::faults::{FaultBar, Injection};
    use faultline_web::state::Selection;
    use std::cell::RefCell;
    use std::rc::Rc;
    #[derive(Properties, PartialEq)]
    struct P {
        scenario: Rc<faultline_sim::Scenario>,
        on: Callback<Injection>,
    }
    #[component]
    fn Probe(p: &P) -> Html {
        let db = p.scenario.nodes.iter().position(|n| n.id == "db").unwrap();
        html! { <FaultBar scenario={p.scenario.clone()} selected={Some(Selection::Node(db))} down={false}
        at_ms={None} on_inject={p.on.clone()} /> }
    }
    let mut sc =
        faultline_web::library::parse("hot-key-before", include_str!("../../assets/scenarios/hot-key-before.json"))
            .unwrap();
    sc.faults.push(Fault {
        at_ms: 5_000,
        duration_ms: None,
        action: FaultAction::Reshard { node: "db".into(), shards: 10 },
    });
    let got: Rc<RefCell<Vec<Injection>>> = Rc::default();
    let on = {
        let got = got.clone();
        Callback::from(move |i: Injection| got.borrow_mut().push(i))
    };
    let host = mount();
    yew::Renderer::<Probe>::with_root_and_props(host.clone(), P { scenario: Rc::new(sc), on }).render();
    yew::scheduler::flush().await;
    let add = by_testid(&host, "fault-add-shard");
    assert!(add.text_content().unwrap().contains("(11)"), "{:?}", add.text_content());
    add.unchecked_into::<HtmlElement>().click();
    by_testid(&host, "fault-remove-shard").unchecked_into::<HtmlElement>().click();
    let shards: Vec<FaultAction> = got.borrow().iter().flat_map(|i| i.actions.clone()).collect();
    assert_eq!(
        shards,
        vec![
            FaultAction::Reshard { node: "db".into(), shards: 11 },
            FaultAction::Reshard { node: "db".into(), shards: 9 }
        ]
    );
}

/// A cache's charts add its hit ratio over time, a sharded database's its
/// load per shard: one line a shard (a ninth appearing at a reshard), and
/// the busiest shard over the mean now.
#[wasm_bindgen_test]
async fn a_cache_and_a_sharded_database_add_their_own_chart() {
    use faultline_sim::kind_series::KindPoint;
    use faultline_sim::metrics::Point;
    use faultline_web::components::{Charts, KindChart};
    use std::rc::Rc;

    #[derive(Properties, PartialEq)]
    struct Props {
        kind: KindChart,
        points: Rc<Vec<KindPoint>>,
    }
    #[component]
    fn Host(props: &Props) -> Html {
        let series = use_memo((), |_| {
            (1..=3).map(|t| Point { t_ms: t * 1_000, arrivals: 50, ok: 50, ..Point::default() }).collect::<Vec<_>>()
        });
        html! { <Charts subject="x" {series} markers={Rc::new(Vec::new())} end_ms={3_000.0}
        kind_chart={Some(props.kind)} kind_series={Rc::clone(&props.points)} /> }
    }
    let point = |t_ms, counts: Vec<u32>| KindPoint { t_ms, counts };
    let cache = Rc::new(vec![point(1_000, vec![10, 10]), point(2_000, vec![0, 0]), point(3_000, vec![30, 10])]);
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), Props { kind: KindChart::HitRatio, points: cache })
        .render();
    yew::scheduler::flush().await;
    let chart = by_testid(&host, "chart-hit-ratio");
    assert_eq!(chart.query_selector(".chart-value").unwrap().unwrap().text_content().unwrap(), "75.0%");
    // No reads in the second window: the line breaks there (two runs).
    assert_eq!(chart.query_selector_all("polyline").unwrap().length(), 2);
    assert_eq!(host.query_selector(".chart-row.five").unwrap().map(|_| ()), Some(()), "five charts in the row");

    let shards = Rc::new(vec![
        point(1_000, vec![10; 8]),
        point(2_000, vec![10; 8]),
        point(3_000, vec![40, 10, 10, 10, 10, 10, 10, 10, 10]),
    ]);
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), Props { kind: KindChart::ShardLoad, points: shards })
        .render();
    yew::scheduler::flush().await;
    let chart = by_testid(&host, "chart-shard-load");
    assert_eq!(chart.get_attribute("data-shards").as_deref(), Some("9"));
    assert_eq!(chart.query_selector_all("polyline.shard-line").unwrap().length(), 9);
    let value = chart.query_selector(".chart-value").unwrap().unwrap().text_content().unwrap();
    assert_eq!(value, "max/mean 3.00", "40 x 9 / (40 + 8 x 10)");
}

/// The charts read like charts: a value axis with its unit and round ticks,
/// a time axis over the whole run, a line per operation named in the
/// legend, and one chart expanded on demand (the others step aside).
#[wasm_bindgen_test]
async fn charts_have_axes_a_legend_a_line_per_operation_and_expand() {
    use faultline_live::protocol::OpSeries;
    use faultline_sim::metrics::Point;
    use faultline_web::components::Charts;
    use std::rc::Rc;

    let p = |t_ms, ok, failed, p99_ms: u64| Point {
        t_ms,
        arrivals: ok + failed,
        ok,
        failed,
        p50_us: p99_ms * 500,
        p99_us: p99_ms * 1_000,
        ..Point::default()
    };
    #[derive(Properties, PartialEq)]
    struct Props {
        series: Rc<Vec<Point>>,
        ops: Rc<Vec<OpSeries>>,
    }
    #[component]
    fn Host(props: &Props) -> Html {
        html! { <Charts subject="whole system" series={Rc::clone(&props.series)} op_series={Rc::clone(&props.ops)}
        markers={Rc::new(vec![(10_000, "slow b ×10".to_string())])} end_ms={40_000.0} /> }
    }
    let series = Rc::new((1..=20).map(|s| p(s * 1_000, 150, 50, 900)).collect::<Vec<_>>());
    let ops = Rc::new(vec![
        OpSeries { name: "orders".into(), points: (1..=20).map(|s| p(s * 1_000, 50, 50, 12)).collect() },
        OpSeries { name: "catalog".into(), points: (1..=20).map(|s| p(s * 1_000, 100, 0, 10)).collect() },
    ]);
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), Props { series, ops }).render();
    yew::scheduler::flush().await;
    let texts = |sel: &str| -> Vec<String> {
        let all = host.query_selector_all(sel).unwrap();
        (0..all.length()).map(|i| all.item(i).unwrap().text_content().unwrap()).collect()
    };
    // 900 ms x 1.05 rounds up to 1 s; the errors (25%) to 50%.
    assert_eq!(texts("[data-testid=chart-p99] .y-ticks span"), ["1 s", "500", "0"]);
    assert_eq!(texts("[data-testid=chart-error-rate] .y-ticks span"), ["50%", "25%", "0%"]);
    assert_eq!(texts("[data-testid=chart-p99] .chart-unit"), [" (ms)"]);
    // The time axis spans the run (40 s), not the 20 s reached.
    assert_eq!(texts("[data-testid=chart-throughput] .x-ticks span"), ["0 s", "10 s", "20 s", "30 s", "40 s"]);
    for id in ["throughput", "error-rate", "p50", "p99"] {
        let chart = by_testid(&host, &format!("chart-{id}"));
        assert_eq!(chart.query_selector_all("polyline.series.op").unwrap().length(), 2, "{id}");
        assert_eq!(chart.query_selector_all("line.fault-marker").unwrap().length(), 1, "{id}");
    }
    assert_eq!(by_testid(&host, "legend-op-orders").text_content().as_deref(), Some("orders"));
    assert_eq!(by_testid(&host, "legend-op-catalog").text_content().as_deref(), Some("catalog"));
    // The operations' error-rate lines: orders at 50% (the top), catalog at 0 (the bottom).
    let ys = |line: web_sys::Element| -> Vec<f64> {
        let points = line.get_attribute("points").unwrap();
        points.split_whitespace().map(|p| p.split(',').nth(1).unwrap().parse().unwrap()).collect()
    };
    let op_lines = by_testid(&host, "chart-error-rate").query_selector_all("polyline.series.op").unwrap();
    let orders = ys(op_lines.item(0).unwrap().unchecked_into());
    let catalog = ys(op_lines.item(1).unwrap().unchecked_into());
    assert!(orders.iter().all(|y| (*y - 2.0).abs() < 0.05), "{orders:?}");
    assert!(catalog.iter().all(|y| (*y - 70.0).abs() < 0.05), "{catalog:?}");

    by_testid(&host, "expand-p99").unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=chart-throughput]").unwrap().is_none());
    assert_eq!(by_testid(&host, "expand-p99").get_attribute("aria-pressed").as_deref(), Some("true"));
    assert!(by_testid(&host, "chart-p99").get_attribute("class").unwrap_or_default().contains("expanded"));
    // Ten time ticks at most in the larger view.
    assert_eq!(texts("[data-testid=chart-p99] .x-ticks span").len(), 9, "every 5 s");
    by_testid(&host, "expand-p99").unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(host.query_selector("[data-testid=chart-throughput]").unwrap().is_some());
}

/// The history diagram of a violation: a dialog with one lane per process,
/// a bar per operation labelled, the offending read marked, an axis with
/// units and the sentence why; its close button has the focus.
#[wasm_bindgen_test]
async fn the_violation_panel_draws_the_operations_and_closes_on_escape() {
    use faultline_sim::view::{HistoryOpView, ViolationView};
    use faultline_web::components::violation::ViolationPanel;
    use std::rc::Rc;
    let op = |process, f: &str, value, invoke_us, return_us| HistoryOpView {
        process,
        f: f.into(),
        value,
        expected: None,
        invoke_us,
        return_us: Some(return_us),
        status: "ok".into(),
    };
    let violation = Rc::new(ViolationView {
        key: 0,
        ops: vec![
            op(7, "write", Some(1), 10_000_000, 10_000_400),
            op(8, "write", Some(2), 10_001_000, 10_001_300),
            op(9, "read", Some(1), 10_002_000, 10_002_900),
        ],
        offending: 2,
        why: "The read returned 1 after the write of 2 had completed.".into(),
    });
    #[derive(Properties, PartialEq)]
    struct P {
        violation: Rc<ViolationView>,
        closed: Rc<std::cell::Cell<bool>>,
    }
    #[component]
    fn Host(p: &P) -> Html {
        let closed = Rc::clone(&p.closed);
        let on_close = Callback::from(move |id: String| closed.set(id == "prices"));
        html! { <ViolationPanel id="prices" name="Prices" violation={Rc::clone(&p.violation)} {on_close} /> }
    }
    let closed = Rc::new(std::cell::Cell::new(false));
    let host = mount();
    yew::Renderer::<Host>::with_root_and_props(host.clone(), P { violation, closed: Rc::clone(&closed) }).render();
    yew::scheduler::flush().await;
    let panel = by_testid(&host, "violation-prices");
    assert_eq!(panel.get_attribute("role").as_deref(), Some("dialog"));
    assert_eq!(
        by_testid(&host, "violation-why").text_content().unwrap(),
        "The read returned 1 after the write of 2 had completed."
    );
    let labels: Vec<String> = (0..3)
        .map(|k| panel.query_selector_all(".vd-op text").unwrap().item(k).unwrap().text_content().unwrap())
        .collect();
    assert_eq!(labels, ["w 1", "w 2", "r 1 ✗"]);
    assert_eq!(
        by_testid(&host, "violation-offending").query_selector("text").unwrap().unwrap().text_content().unwrap(),
        "r 1 ✗"
    );
    assert_eq!(panel.query_selector_all(".vd-lane").unwrap().length(), 3);
    let first_tick = panel.query_selector(".vd-axis g text").unwrap().unwrap().text_content().unwrap();
    assert_eq!(first_tick, "0 ms");
    // The close button has the focus (Escape is the end-to-end test's), and closes it.
    let focused = gloo::utils::document().active_element().unwrap();
    assert_eq!(focused.get_attribute("data-testid").as_deref(), Some("violation-close"));
    focused.unchecked_into::<HtmlElement>().click();
    assert!(closed.get(), "closed");
}
