//! Dual write against the transactional outbox (`"source"` of a log): a
//! service commits an order to its database, then publishes the event.
//!
//! The losses are checked against what the test counts itself at each
//! crash of the service: its calls to the database still open at that
//! moment (`edge.in_flight`: sent, queued, being committed, or committed
//! with the answer on its way back). The database commits every one of
//! them, and none can be followed by a publish, because the service that
//! would send it is gone. With the outbox, the same crashes lose nothing,
//! and each event waits for the relay's next poll: uniform over the
//! interval, so its end-to-end time grows by interval x q at quantile q.

mod common;

use faultline_sim::nodes::LogRt;
use faultline_sim::{Scenario, Sim, SimTime};
use serde_json::{json, Value};

const ORDERS_TO_DB: usize = 1;
const RELAY_MS: f64 = 400.0;

/// Checkout traffic into `orders`, which writes to `orders-db` and (dual
/// write) publishes to the log `events`, consumed by `fulfilment`.
fn scenario(outbox: bool, crashes: &[u64]) -> Scenario {
    let calls = if outbox { json!([{"to": "orders-db"}]) } else { json!([{"to": "orders-db"}, {"to": "events"}]) };
    let mut edges = vec![
        json!({"from": "shop", "to": "orders"}),
        json!({"from": "orders", "to": "orders-db", "latency": {"type": "constant", "ms": 1.0}}),
        json!({"from": "events", "to": "fulfilment", "timeout_ms": 500.0}),
    ];
    if !outbox {
        edges.push(json!({"from": "orders", "to": "events", "latency": {"type": "constant", "ms": 1.0}}));
    }
    let faults: Vec<Value> = crashes
        .iter()
        .map(|&at| json!({"at_ms": at, "duration_ms": 1_500, "action": {"type": "crash", "node": "orders"}}))
        .collect();
    let doc = json!({
        "version": 1, "seed": 11, "duration_ms": 20_000,
        "nodes": [
            {"id": "shop", "kind": {"type": "client"}},
            {"id": "orders", "kind": {"type": "service", "workers": 64, "queue_capacity": 1000,
                "service_time": {"type": "exponential", "mean_ms": 2.0}, "calls": calls}},
            {"id": "orders-db", "kind": {"type": "database", "max_connections": 64, "queue_capacity": 1000,
                "query_time": {"type": "exponential", "mean_ms": 8.0}}},
            {"id": "events", "kind": {"type": "log", "partitions": 4, "consumers": 2,
                "source": {"database": "orders-db", "outbox": outbox, "relay_interval_ms": RELAY_MS as u64}}},
            {"id": "fulfilment", "kind": {"type": "service", "workers": 8,
                "service_time": {"type": "exponential", "mean_ms": 2.0}}}
        ],
        "edges": edges,
        "workloads": [{"id": "orders", "client": "shop", "target": "orders",
            "arrival": {"type": "poisson", "rate_rps": 300.0},
            "ops": [{"name": "place_order", "method": "POST"}],
            "keys": {"type": "uniform", "count": 200}}],
        "faults": faults
    });
    let s: Scenario = serde_json::from_value(doc).unwrap();
    s.validate().unwrap();
    s
}

fn log(sim: &Sim) -> &LogRt {
    common::log_at(sim, 3)
}

/// Runs to the end, auditing the books every 50 ms; returns the writes
/// open at each crash (the service's calls to the database then).
fn run(sim: &mut Sim, crashes: &[u64]) -> Vec<u64> {
    let mut open = Vec::new();
    let mut marks: Vec<u64> = crashes.iter().map(|c| c * 1_000 - 1).collect();
    marks.extend((1..=400).map(|i| i * 50_000));
    marks.sort_unstable();
    for t in marks {
        sim.step_until(SimTime(t));
        if crashes.contains(&((t + 1) / 1_000)) && (t + 1) % 1_000 == 0 {
            open.push(u64::from(sim.edge(ORDERS_TO_DB).in_flight));
        }
        sim.audit().unwrap();
        let b = &log(sim).books;
        assert_eq!(b.published, b.processed + b.in_flight() + b.lost + b.dead_lettered + b.rejected);
    }
    sim.run();
    open
}

#[test]
fn a_dual_write_loses_exactly_the_writes_open_at_each_crash_and_the_outbox_none() {
    let crashes = [4_000, 9_300, 14_700];
    let mut dual = Sim::new(&scenario(false, &crashes)).unwrap();
    let open = run(&mut dual, &crashes);
    let d = log(&dual);
    let src = d.source.as_ref().unwrap();
    eprintln!(
        "dual write: open at the crashes {open:?}, unpublished {}, lost {}, committed {}, published {}",
        src.unpublished, d.books.lost, src.committed, d.books.published
    );
    let expected: u64 = open.iter().sum();
    assert!(open.iter().all(|&n| n > 0), "every crash finds writes open: {open:?}");
    assert_eq!(src.unpublished, expected);
    assert_eq!(d.books.lost, expected, "nothing else is lost");
    assert_eq!(src.committed, d.books.published + src.waiting(), "every committed write is an event, lost or not");
    assert!(src.waiting() < 10, "only publishes on their way at the end: {}", src.waiting());

    let mut outbox = Sim::new(&scenario(true, &crashes)).unwrap();
    run(&mut outbox, &crashes);
    let o = log(&outbox);
    let osrc = o.source.as_ref().unwrap();
    eprintln!(
        "outbox: unpublished {}, lost {}, committed {}, relayed {}, waiting {}",
        osrc.unpublished,
        o.books.lost,
        osrc.committed,
        osrc.relayed,
        osrc.waiting()
    );
    assert_eq!((osrc.unpublished, o.books.lost), (0, 0));
    assert_eq!(osrc.committed, osrc.relayed + osrc.waiting());
    assert_eq!(o.books.published, osrc.relayed);
    // The writes open at a crash commit just the same: the outbox has them.
    assert!(osrc.committed >= src.committed - 50, "the same traffic: {} vs {}", osrc.committed, src.committed);
}

/// The relay's price: each row waits in the table for the next poll. The
/// commits are Poisson and the polls periodic, so the wait is uniform over
/// the interval: at quantile q it is q x interval. Tolerance 2.5% of the
/// interval, about 4 standard errors of a quantile over ~6,000 rows. End to
/// end, the events are later by at least that mean (more: each poll hands
/// the consumers a burst of a few hundred milliseconds' worth of events).
#[test]
fn the_outbox_adds_a_uniform_wait_for_the_relay() {
    let mut dual = Sim::new(&scenario(false, &[])).unwrap();
    dual.run();
    let mut outbox = Sim::new(&scenario(true, &[])).unwrap();
    outbox.run();
    let wait = &log(&outbox).source.as_ref().unwrap().relay_wait;
    assert!(wait.completed() > 5_000, "{}", wait.completed());
    for q in [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95] {
        let got = wait.quantile_us(q) as f64 / 1_000.0;
        eprintln!("relay wait q {q}: {got:.1} ms, uniform {:.1} ms", q * RELAY_MS);
        assert!((got - q * RELAY_MS).abs() < 0.025 * RELAY_MS, "q {q}: {got}");
    }
    assert!((wait.mean_us() / 1_000.0 - RELAY_MS / 2.0).abs() < 0.02 * RELAY_MS, "{}", wait.mean_us());
    let (d, o) = (&log(&dual).end_to_end, &log(&outbox).end_to_end);
    eprintln!("end to end: dual write mean {:.1} ms, outbox mean {:.1} ms", d.mean_us() / 1e3, o.mean_us() / 1e3);
    assert!(o.mean_us() - d.mean_us() > 0.98 * wait.mean_us());
    assert_eq!(log(&outbox).books.lost, 0);
    assert_eq!(log(&dual).books.lost, 0, "no crash, no loss either way");
}

/// A bad source is refused with a message naming its field.
#[test]
fn a_bad_write_source_names_its_field() {
    let bad = |edit: &dyn Fn(&mut Value)| {
        let mut doc = serde_json::to_value(scenario(false, &[])).unwrap();
        edit(&mut doc["nodes"][3]["kind"]["source"]);
        let s: Scenario = serde_json::from_value(doc).unwrap();
        s.validate().unwrap_err().to_string()
    };
    let e = bad(&|s| s["database"] = json!("nowhere"));
    assert!(e.contains("nodes[3].kind.source.database") && e.contains("no node \"nowhere\""), "{e}");
    let e = bad(&|s| s["database"] = json!("fulfilment"));
    assert!(e.contains("nodes[3].kind.source.database") && e.contains("is not a database"), "{e}");
    let e = bad(&|s| s["relay_interval_ms"] = json!(0));
    assert!(e.contains("nodes[3].kind.source.relay_interval_ms"), "{e}");
    // A dual write with nobody publishing to the log.
    let mut doc = serde_json::to_value(scenario(false, &[])).unwrap();
    doc["edges"].as_array_mut().unwrap().retain(|e| e["to"] != "events");
    doc["nodes"][1]["kind"]["calls"] = json!([{"to": "orders-db"}]);
    let s: Scenario = serde_json::from_value(doc).unwrap();
    let e = s.validate().unwrap_err().to_string();
    assert!(e.contains("source.database") && e.contains("calls both"), "{e}");
}
