//! The queue's redelivery delay (like SQS's visibility timeout), on the
//! shipped queue-decoupling preset: Email, the queue's consumer, crashes at
//! 30 s for 10 s. A message gets 1 + `max_redeliveries` (3) deliveries; with
//! a delay D between them the last one comes 3 x D after the first, so with
//! D >= 10 s / 3 (3,334 ms) every message that first fails during the outage
//! (at 30 s or later) still has a delivery left at 40 s, when Email is back.
//! Without a delay all four deliveries happen within milliseconds.

use faultline_sim::nodes::{Behaviour, QueueRt};
use faultline_sim::scenario::{Fault, FaultAction, NodeKind};
use faultline_sim::{Scenario, Sim, SimTime};

const OUTAGE_START_MS: u64 = 30_000;
const OUTAGE_END_MS: u64 = 40_000;

/// The preset with the queue's redelivery delay set; `consumers` also sets
/// Email's workers (the preset has 4 of each).
fn preset(delay_ms: u64, consumers: u32) -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/scenarios/queue-decoupling.json");
    let mut s = Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let q = s.node_index("events").unwrap();
    let NodeKind::Queue(cfg) = &mut s.nodes[q].kind else { panic!("events is a queue") };
    assert_eq!((cfg.max_redeliveries, cfg.redelivery_delay_ms), (3, 0), "the preset ships with no delay");
    cfg.redelivery_delay_ms = delay_ms;
    cfg.consumers = consumers;
    let e = s.node_index("email").unwrap();
    let NodeKind::Service(svc) = &mut s.nodes[e].kind else { panic!("email is a service") };
    svc.workers = consumers;
    let f = &s.faults[0];
    assert_eq!((f.at_ms, f.duration_ms), (OUTAGE_START_MS, Some(OUTAGE_END_MS - OUTAGE_START_MS)));
    s
}

fn queue(sim: &Sim, s: &Scenario) -> QueueRt {
    match &sim.node(s.node_index("events").unwrap()).behaviour {
        Behaviour::Queue(q) => q.clone(),
        _ => unreachable!(),
    }
}

/// (delivered, redelivered, dead-lettered, dropped, held, of which waiting out the delay).
fn counts(q: &QueueRt) -> (u64, u64, u64, u64, u32, u32) {
    (q.delivered, q.redelivered, q.dead_lettered, q.dropped, q.depth(), q.waiting())
}

/// Prints both runs' counts at Email's restart and at the end (seen with `--nocapture`).
fn show(before0: &QueueRt, end0: &QueueRt, before5: &QueueRt, end5: &QueueRt) {
    let (b0, e0, b5, e5) = (counts(before0), counts(end0), counts(before5), counts(end5));
    eprintln!("delay 0: at 40 s {b0:?}, end {e0:?}; delay 5 s: at 40 s {b5:?}, end {e5:?}");
}

/// The queue at the moment Email restarts and at the end of the run.
fn run(s: &Scenario) -> (QueueRt, QueueRt, Sim) {
    let mut sim = Sim::new(s).unwrap();
    sim.step_until(SimTime::from_millis(OUTAGE_END_MS));
    let at_restart = queue(&sim, s);
    sim.run();
    sim.audit().unwrap();
    (at_restart, queue(&sim, s), sim)
}

#[test]
fn a_delay_longer_than_the_outage_over_the_redeliveries_dead_letters_nothing() {
    let (before0, end0, _) = run(&preset(0, 4));
    let (before5, end5, _) = run(&preset(5_000, 4));
    show(&before0, &end0, &before5, &end5);
    // Without a delay the outage's messages burn their redeliveries at once.
    assert!(end0.dead_lettered > 1_000); // 1,679
    assert_eq!(before0.dead_lettered, end0.dead_lettered, "all of them during the outage");
    assert_eq!(before0.depth(), 0, "the queue empties into the dead-letter count");
    // With 5 s every one of those messages is still held when Email restarts,
    // waiting out its delay (the queue acknowledges producers at once, so
    // both runs are offered exactly the same messages).
    assert_eq!(end5.dead_lettered, 0);
    assert_eq!(end5.dropped, 0);
    assert_eq!(u64::from(before5.waiting()), end0.dead_lettered);
    assert_eq!(before5.depth(), before5.waiting());
    assert_eq!(before5.delivered, before0.delivered, "identical until the outage");
    // Same messages in both runs: what one dead-lettered, the other holds or delivered.
    let total = |q: &QueueRt| q.delivered + q.dead_lettered + u64::from(q.depth() + q.delivering);
    assert_eq!(total(&end5), total(&end0));
    // Email has 4 workers for exactly the average load, so it is busy to
    // the end either way: it delivers as many, and the outage's messages
    // are still held at the end, not lost.
    // (Up to the few deliveries on their way at the end.)
    let slack = u64::from(end0.delivering + end5.delivering);
    assert!(end5.delivered.abs_diff(end0.delivered) <= slack, "{} vs {}", end5.delivered, end0.delivered);
    let held = u64::from(end5.depth() + end5.delivering) + end5.delivered;
    assert_eq!(held, u64::from(end0.depth() + end0.delivering) + end0.delivered + end0.dead_lettered);
}

#[test]
fn with_spare_consumers_every_held_message_is_delivered_after_the_restart() {
    // The library's other suggestion: 8 consumers and 8 Email workers, twice the average load.
    let (before0, end0, sim0) = run(&preset(0, 8));
    let (before5, end5, sim5) = run(&preset(5_000, 8));
    show(&before0, &end0, &before5, &end5);
    assert!(end0.dead_lettered > 1_000); // 1,572
    assert_eq!((end5.dead_lettered, end5.depth()), (0, 0), "the backlog drains");
    assert!(end5.delivering <= 8, "at most one delivery per consumer still on its way");
    assert_eq!(u64::from(before5.waiting()), end0.dead_lettered);
    // After the restart it delivers everything the run without a delay
    // delivered then, plus every message that one dead-lettered.
    let after = |q0: &QueueRt, q1: &QueueRt| q1.delivered - q0.delivered;
    // (Give or take the deliveries still on their way at the end.)
    assert_eq!(
        after(&before5, &end5) + u64::from(end5.delivering),
        after(&before0, &end0) + end0.dead_lettered + u64::from(end0.depth() + end0.delivering)
    );
    let email_ok_after = |sim: &Sim| -> u64 {
        let e = sim.scenario().node_index("email").unwrap();
        sim.node_metrics(e).series().filter(|p| p.t_ms > OUTAGE_END_MS).map(|p| p.ok).sum()
    };
    assert!(email_ok_after(&sim5) >= email_ok_after(&sim0) + end0.dead_lettered);
}

#[test]
fn the_delay_needed_is_the_outage_over_the_redeliveries() {
    // 3 x 3,000 ms < 10 s: messages that fail early in the outage run out of deliveries.
    let (_, short, _) = run(&preset(3_000, 4));
    let (_, end0, _) = run(&preset(0, 4));
    assert!(short.dead_lettered > 0 && short.dead_lettered < end0.dead_lettered); // 482 of 1,679
                                                                                  // 3 x 3,400 ms > 10 s: none do.
    let (_, enough, _) = run(&preset(3_400, 4));
    assert_eq!(enough.dead_lettered, 0);
}

#[test]
fn the_same_seed_with_a_delay_gives_the_same_run_and_slices_agree() {
    let s = preset(5_000, 4);
    let whole = |s: &Scenario| {
        let mut sim = Sim::new(s).unwrap();
        sim.run();
        let r = sim.report();
        (r.trace_hash, r.events, r.requests.ok)
    };
    let a = whole(&s);
    assert_eq!(a, whole(&s));
    assert_ne!(a.0, whole(&preset(0, 4)).0, "the delay changes the run");
    let mut sim = Sim::new(&s).unwrap();
    let mut t = 0;
    while !sim.is_finished() {
        t += 16_667;
        sim.step_until(SimTime(t));
    }
    let r = sim.report();
    assert_eq!((r.trace_hash, r.events, r.requests.ok), a);
    let mut other = s.clone();
    other.seed += 1;
    assert_ne!(whole(&other).0, a.0);
}

/// Messages the queue accepted: its successful answers to producers.
fn published(sim: &Sim, s: &Scenario) -> u64 {
    sim.node_metrics(s.node_index("events").unwrap()).ok
}

/// The queue's books: every message it accepted was delivered, dropped
/// (drop-oldest) or dead-lettered, or is still held (queued, waiting out its
/// redelivery delay, or handed to the consumer and not yet acknowledged).
fn assert_books_balance(sim: &Sim, s: &Scenario, when: &str) {
    let q = queue(sim, s);
    let accounted = q.delivered + q.dropped + q.dead_lettered + u64::from(q.depth() + q.delivering);
    assert_eq!(published(sim, s), accounted, "{when}: {q:?}");
    let report = sim.report();
    let r = report.nodes[s.node_index("events").unwrap()].queue.as_ref().unwrap();
    assert_eq!(r.published, published(sim, s), "{when}");
    assert_eq!(r.published, r.delivered + r.dropped + r.dead_lettered + u64::from(r.depth + r.delivering), "{when}");
    sim.audit().unwrap_or_else(|e| panic!("{when}: {e}"));
}

/// The queue crashes at `at_ms` for 1 s.
fn with_queue_crash(mut s: Scenario, at_ms: u64) -> Scenario {
    s.faults.push(Fault { at_ms, duration_ms: Some(1_000), action: FaultAction::Crash { node: "events".into() } });
    s
}

#[test]
fn a_queue_crash_keeps_the_messages_in_delivery_and_delivers_them_again() {
    // At 20 s Email is up and busy: all four consumer slots have a message out.
    let s = with_queue_crash(preset(0, 4), 20_000);
    let mut sim = Sim::new(&s).unwrap();
    sim.step_until(SimTime::from_millis(19_999));
    assert_books_balance(&sim, &s, "before the crash");
    let before = queue(&sim, &s);
    assert_eq!(before.delivering, 4, "{before:?}");
    sim.step_until(SimTime::from_millis(20_000));
    let crashed = queue(&sim, &s);
    // Nothing is lost: the four unacknowledged messages are held again, to
    // be delivered after the restart, and count as redeliveries.
    assert_eq!(crashed.delivering, 0);
    assert_eq!(crashed.depth(), before.depth() + 4);
    assert_eq!(crashed.redelivered, before.redelivered + 4);
    assert_eq!((crashed.dropped, crashed.delivered), (0, before.delivered));
    for t in [20_000, 20_500, 20_999, 21_000, 21_001, 25_000, 35_000, 45_000] {
        sim.step_until(SimTime::from_millis(t));
        assert_books_balance(&sim, &s, &format!("{t} ms"));
    }
    // Deliveries resumed at the restart.
    let restarted = queue(&sim, &s);
    assert!(restarted.delivered > crashed.delivered + 100, "{restarted:?}");
    sim.run();
    assert_books_balance(&sim, &s, "the end");
    let end = queue(&sim, &s);
    assert_eq!(end.dropped, 0);
}

#[test]
fn a_queue_crash_keeps_the_waiting_messages_and_their_timers() {
    // The queue crashes at 35 s for 1 s, in the middle of Email's outage: by
    // then it holds hundreds of messages waiting out their 5 s delay.
    let s = with_queue_crash(preset(5_000, 4), 35_000);
    let mut sim = Sim::new(&s).unwrap();
    sim.step_until(SimTime::from_millis(34_999));
    let before = queue(&sim, &s);
    assert!(before.waiting() > 100, "{before:?}");
    assert_books_balance(&sim, &s, "before the crash");
    for t in [35_000, 35_500, 36_000, 36_001, 39_999, 40_000, 45_000] {
        sim.step_until(SimTime::from_millis(t));
        assert_books_balance(&sim, &s, &format!("{t} ms"));
    }
    sim.run();
    assert_books_balance(&sim, &s, "the end");
    let end = queue(&sim, &s);
    // The delay still outlasts Email's outage over the redeliveries: as in
    // the run without the queue's crash, nothing is dead-lettered or lost.
    assert_eq!((end.dead_lettered, end.dropped), (0, 0), "{end:?}");
    let (_, no_crash, _) = run(&preset(5_000, 4));
    eprintln!("queue crash: end {:?}; no queue crash: end {:?}", counts(&end), counts(&no_crash));
}
