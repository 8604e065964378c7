//! Hand-made histories, each the smallest showing one rule.

use super::*;
use crate::history::{EventType, Function, Value};

/// An event on key 0. `kind`: i(nvoke), o(k), f(ail), n (info).
fn ev(process: u64, kind: char, f: Function, value: Value) -> Event {
    evk(process, kind, f, 0, value)
}

fn evk(process: u64, kind: char, f: Function, key: u64, value: Value) -> Event {
    let kind = match kind {
        'i' => EventType::Invoke,
        'o' => EventType::Ok,
        'f' => EventType::Fail,
        _ => EventType::Info,
    };
    Event { process, kind, f, key, value, time_us: None }
}

use Function::{Cas, Read, Write};
const NULL: Value = Value::None;
fn one(v: i64) -> Value {
    Value::One(v)
}

fn verdict(events: &[Event], model: Model) -> Verdict {
    check_history(events, model, &Limits::default()).unwrap().verdict
}

fn linearizable(events: &[Event]) -> bool {
    match verdict(events, Model::CasRegister) {
        Verdict::Linearizable => true,
        Verdict::NotLinearizable(_) => false,
        v => panic!("{v}"),
    }
}

#[test]
fn a_stale_read_after_a_completed_write_is_not_linearizable() {
    let h = [ev(1, 'i', Write, one(1)), ev(1, 'o', Write, one(1)), ev(2, 'i', Read, NULL), ev(2, 'o', Read, NULL)];
    let Verdict::NotLinearizable(c) = verdict(&h, Model::Register) else { panic!() };
    assert_eq!(c.key, 0);
    assert_eq!(c.unplaced.f, Read);
    assert_eq!((c.unplaced.invoke_index, c.unplaced.return_index), (2, Some(3)));
    assert_eq!(c.linearized, 1);
    assert_eq!(c.prefix_tail[0].f, Write);
    assert_eq!(c.state, RegisterState::Value(1));
    let text = Verdict::NotLinearizable(c).to_string();
    assert!(text.contains("read -> null (process 2, key 0, events 2..3)"), "{text}");
}

#[test]
fn a_read_concurrent_with_a_write_may_see_either_value() {
    for seen in [NULL, one(1)] {
        let h = [ev(1, 'i', Write, one(1)), ev(2, 'i', Read, NULL), ev(2, 'o', Read, seen), ev(1, 'o', Write, one(1))];
        assert!(linearizable(&h), "{seen:?}");
    }
    // But once a later read saw the new value, an even later one cannot see the old.
    let h = [
        ev(1, 'i', Write, one(1)),
        ev(2, 'i', Read, NULL),
        ev(2, 'o', Read, one(1)),
        ev(3, 'i', Read, NULL),
        ev(3, 'o', Read, NULL),
        ev(1, 'o', Write, one(1)),
    ];
    assert!(!linearizable(&h));
}

#[test]
fn an_indeterminate_write_may_take_effect_later_or_never() {
    let later =
        [ev(1, 'i', Write, one(1)), ev(1, 'n', Write, one(1)), ev(2, 'i', Read, NULL), ev(2, 'o', Read, one(1))];
    assert!(linearizable(&later));
    let never = [ev(1, 'i', Write, one(1)), ev(1, 'n', Write, one(1)), ev(2, 'i', Read, NULL), ev(2, 'o', Read, NULL)];
    assert!(linearizable(&never));
    // ... but only once: after it is seen, the old value cannot come back.
    let mut flip = later.to_vec();
    flip.extend([ev(2, 'i', Read, NULL), ev(2, 'o', Read, NULL)]);
    assert!(!linearizable(&flip));
    // An invoke never answered counts the same.
    let open = [ev(1, 'i', Write, one(1)), ev(2, 'i', Read, NULL), ev(2, 'o', Read, one(1))];
    assert!(linearizable(&open));
}

#[test]
fn a_failed_write_did_not_happen() {
    let h = [ev(1, 'i', Write, one(1)), ev(1, 'f', Write, one(1)), ev(2, 'i', Read, NULL), ev(2, 'o', Read, one(1))];
    let Verdict::NotLinearizable(c) = verdict(&h, Model::Register) else { panic!() };
    assert_eq!(c.unplaced.value, one(1));
    assert_eq!(c.linearized, 0);
}

#[test]
fn compare_and_set_chains() {
    let step = |p, f, v| [ev(p, 'i', f, v), ev(p, 'o', f, v)];
    let ok = [step(1, Write, one(0)), step(2, Cas, Value::Pair(0, 1)), step(1, Cas, Value::Pair(1, 2))].concat();
    let mut read2 = ok.clone();
    read2.extend([ev(3, 'i', Read, NULL), ev(3, 'o', Read, one(2))]);
    assert!(linearizable(&read2));
    // A cas whose compare could not have matched cannot succeed.
    let mut bad = ok.clone();
    bad.extend(step(2, Cas, Value::Pair(0, 5)));
    assert!(!linearizable(&bad));
    // A cas that failed its compare completed `fail`: it did not happen.
    let mut failed = ok.clone();
    failed.extend([ev(2, 'i', Cas, Value::Pair(7, 8)), ev(2, 'f', Cas, Value::Pair(7, 8))]);
    failed.extend([ev(3, 'i', Read, NULL), ev(3, 'o', Read, one(2))]);
    assert!(linearizable(&failed));
    // An indeterminate cas may have succeeded, once.
    let mut info = step(1, Write, one(0)).to_vec();
    info.extend([ev(2, 'i', Cas, Value::Pair(0, 1)), ev(2, 'n', Cas, Value::Pair(0, 1))]);
    info.extend(step(3, Read, one(1)));
    assert!(linearizable(&info));
    // ... or never (it could not have matched at any point: it did not happen).
    let mut never = info.clone();
    never.extend([ev(4, 'i', Cas, Value::Pair(9, 1)), ev(4, 'n', Cas, Value::Pair(9, 1))]);
    assert!(linearizable(&never));
    info.extend(step(3, Read, one(0)));
    assert!(!linearizable(&info));
}

#[test]
fn keys_are_separate_registers() {
    let step = |p, f, k, v: Value| [evk(p, 'i', f, k, v), evk(p, 'o', f, k, v)];
    let h = [step(1, Write, 1, one(5)), step(2, Read, 2, NULL), step(2, Read, 1, one(5))].concat();
    assert!(linearizable(&h));
    let report = check_history(&h, Model::Register, &Limits::default()).unwrap();
    assert_eq!(report.keys.iter().map(|k| (k.key, k.operations)).collect::<Vec<_>>(), [(1, 2), (2, 1)]);
    // A stale read on key 2 is named as key 2's, whatever key 1 does.
    let bad = [step(1, Write, 1, one(5)), step(1, Write, 2, one(6)), step(2, Read, 2, NULL), step(2, Read, 1, one(5))]
        .concat();
    let Verdict::NotLinearizable(c) = verdict(&bad, Model::Register) else { panic!() };
    assert_eq!(c.key, 2);
    let keys = check_history(&bad, Model::Register, &Limits::default()).unwrap().keys;
    assert_eq!(keys.iter().map(|k| k.verdict).collect::<Vec<_>>(), ["linearizable", "not-linearizable"]);
}

#[test]
fn bad_histories_are_errors_naming_the_event() {
    let orphan = [ev(1, 'o', Read, NULL)];
    assert_eq!(check_history(&orphan, Model::Register, &Limits::default()).unwrap_err().index, 0);
    let twice = [ev(1, 'i', Read, NULL), ev(1, 'i', Read, NULL)];
    let e = check_history(&twice, Model::Register, &Limits::default()).unwrap_err();
    assert_eq!(e.index, 1);
    assert!(e.message.contains("outstanding"), "{e}");
    let other = [ev(1, 'i', Read, NULL), ev(1, 'o', Write, one(1))];
    assert_eq!(check_history(&other, Model::Register, &Limits::default()).unwrap_err().index, 1);
    let cas = [ev(1, 'i', Cas, Value::Pair(1, 2))];
    let e = check_history(&cas, Model::Register, &Limits::default()).unwrap_err();
    assert!(e.message.contains("cas-register"), "{e}");
    let shape = [ev(1, 'i', Write, NULL)];
    assert!(check_history(&shape, Model::Register, &Limits::default()).is_err());
}

/// Twelve concurrent writes, then two reads that see different values though
/// nothing was written between them: every subset of the writes must be tried
/// before saying no.
fn twelve_writes_then_two_reads() -> Vec<Event> {
    let mut h = Vec::new();
    for p in 0..12 {
        h.push(ev(p, 'i', Write, one(p as i64)));
    }
    for p in 0..12 {
        h.push(ev(p, 'o', Write, one(p as i64)));
    }
    h.extend([ev(20, 'i', Read, NULL), ev(20, 'o', Read, one(5)), ev(20, 'i', Read, NULL), ev(20, 'o', Read, one(6))]);
    h
}

/// With the history above, a tiny step limit gives up instead of deciding.
#[test]
fn the_step_limit_gives_unknown_not_a_hang() {
    let h = twelve_writes_then_two_reads();
    let tight = Limits { max_steps_per_key: 50, ..Limits::default() };
    let report = check_history(&h, Model::Register, &tight).unwrap();
    assert!(matches!(report.verdict, Verdict::Unknown { key: 0, .. }), "{}", report.verdict);
    assert_eq!(report.steps, 50);
    // With room, the memo table keeps it small: configurations are subsets of
    // the 12 writes times a dozen states, not 12! orders.
    let report = check_history(&h, Model::Register, &Limits::default()).unwrap();
    let Verdict::NotLinearizable(c) = &report.verdict else { panic!("{}", report.verdict) };
    assert!(!c.value_never_written);
    assert_eq!(c.linearized, 13, "{}", report.verdict);
    assert_eq!(c.unplaced.value, one(6));
    assert!(report.steps < 13 * 4096 * 4, "{}", report.steps);
}

/// A read of a value nothing wrote fits nowhere; it is named before any search.
#[test]
fn a_read_of_a_value_never_written_is_found_at_once() {
    let mut h = Vec::new();
    for p in 0..30 {
        h.extend([ev(p, 'i', Write, one(p as i64)), ev(p, 'n', Write, one(p as i64))]);
    }
    h.extend([ev(40, 'i', Read, NULL), ev(40, 'o', Read, one(99))]);
    let report = check_history(&h, Model::Register, &Limits::default()).unwrap();
    let Verdict::NotLinearizable(c) = &report.verdict else { panic!("{}", report.verdict) };
    assert!(c.value_never_written);
    assert_eq!((c.unplaced.value, report.steps), (one(99), 0));
    assert!(report.verdict.to_string().contains("observes a value no operation on the key writes"));
}

fn push_all(checker: &mut Checker, events: &[Event]) {
    for e in events {
        checker.push(e).unwrap();
    }
}

#[test]
fn the_incremental_checker_agrees_on_small_histories_and_keeps_a_bad_verdict() {
    let stale = [ev(1, 'i', Write, one(1)), ev(1, 'o', Write, one(1)), ev(2, 'i', Read, NULL), ev(2, 'o', Read, NULL)];
    let mut c = Checker::new(Model::Register, Limits::default(), DEFAULT_WINDOW);
    push_all(&mut c, &stale[..2]);
    assert_eq!(c.check(), Verdict::Linearizable);
    push_all(&mut c, &stale[2..]);
    let bad = c.check();
    assert_eq!(bad, verdict(&stale, Model::Register));
    // Later good operations do not clear it.
    push_all(&mut c, &[ev(2, 'i', Read, NULL), ev(2, 'o', Read, one(1))]);
    assert_eq!(c.check(), bad);
    // A bad event is an error and is not taken.
    assert!(c.push(&ev(9, 'o', Read, NULL)).is_err());
    assert_eq!(c.events(), 6);
}

/// A long run keeps each window at its size, and a stale read far past the
/// window is still caught.
#[test]
fn the_incremental_window_stays_bounded() {
    let mut c = Checker::new(Model::CasRegister, Limits::default(), 16);
    let mut history = Vec::new();
    for i in 0..2_000i64 {
        let key = (i % 3) as u64;
        let p = (i % 5) as u64;
        history.extend([evk(p, 'i', Write, key, one(i)), evk(p, 'o', Write, key, one(i))]);
        history.extend([evk(p, 'i', Read, key, NULL), evk(p, 'o', Read, key, one(i))]);
        if i % 7 == 0 {
            // An indeterminate write that never shows: it becomes a ghost.
            history.extend([evk(p, 'i', Write, key, one(-i)), evk(p, 'n', Write, key, one(-i))]);
            history.extend([evk(p, 'i', Write, key, one(i)), evk(p, 'o', Write, key, one(i))]);
        }
    }
    let mut indeterminate = 0;
    for (n, e) in history.iter().enumerate() {
        c.push(e).unwrap();
        indeterminate += usize::from(e.kind == EventType::Info);
        if n % 50 == 0 {
            assert_eq!(c.check(), Verdict::Linearizable, "at event {n}");
            assert!(c.held() <= 3 * 16, "{}", c.held());
            // Ghosts of completed writes retire; indeterminate ones stay.
            assert!(c.ghosts() <= indeterminate + 3 * 2, "{} {indeterminate}", c.ghosts());
        }
    }
    assert_eq!(c.check(), Verdict::Linearizable);
    assert!(c.dropped() > 4_500, "{}", c.dropped());
    // A read of an old value of key 1, long since overwritten, is stale.
    push_all(&mut c, &[evk(0, 'i', Read, 1, NULL), evk(0, 'o', Read, 1, one(4))]);
    let Verdict::NotLinearizable(cx) = c.check() else { panic!() };
    assert_eq!(cx.key, 1);
    assert_eq!(cx.unplaced.value, one(4));
}

/// Indeterminate writes of ever new values cannot be forgotten: past
/// MAX_GHOSTS values the key is unknown, and says so, not silently wrong.
#[test]
fn too_many_ghosts_is_unknown() {
    let mut c = Checker::new(Model::Register, Limits::default(), 4);
    for i in 0..(incremental::MAX_GHOSTS as i64 + 10) {
        push_all(&mut c, &[ev(1, 'i', Write, one(i)), ev(1, 'n', Write, one(i))]);
        push_all(&mut c, &[ev(2, 'i', Read, NULL), ev(2, 'o', Read, NULL)]);
    }
    let Verdict::Unknown { key: 0, reason } = c.check() else { panic!() };
    assert!(reason.contains(&format!("more than {} values", incremental::MAX_GHOSTS)), "{reason}");
}

/// The memo table's size is bounded too: past it, unknown.
#[test]
fn the_memory_limit_gives_unknown() {
    let h = twelve_writes_then_two_reads();
    let small = Limits { max_memo_bytes: 64 << 10, ..Limits::default() };
    let Verdict::Unknown { reason, .. } = check_history(&h, Model::Register, &small).unwrap().verdict else { panic!() };
    assert!(reason.contains("memo table passed 65536 bytes"), "{reason}");
}

/// A write overlapped by `k` reads, half of them still seeing the old value
/// and half the new, all invoked before any returns (a partition heal under
/// read load), followed by `tail` reads that must see the new value.
fn reads_around_one_write(k: u64, tail: Value) -> Vec<Event> {
    let mut h = vec![ev(0, 'i', Write, one(1)), ev(0, 'o', Write, one(1)), ev(0, 'i', Write, one(2))];
    h.extend((1..=k).map(|p| ev(p, 'i', Read, NULL)));
    h.extend((1..=k).map(|p| ev(p, 'o', Read, one(if p % 2 == 0 { 1 } else { 2 }))));
    h.push(ev(0, 'o', Write, one(2)));
    h.extend([ev(99, 'i', Read, NULL), ev(99, 'o', Read, tail)]);
    h
}

/// Overlapping reads of one value are no choice points: 60 of them around
/// a write are decided in steps linear in their number, where trying their
/// subsets would take 2^30 and more.
#[test]
fn many_overlapping_reads_are_decided_without_trying_their_subsets() {
    let tight = Limits { max_steps_per_key: 20_000, ..Limits::default() };
    let ok = check_history(&reads_around_one_write(60, one(2)), Model::Register, &tight).unwrap();
    assert!(matches!(ok.verdict, Verdict::Linearizable), "{}", ok.verdict);
    // And a stale read after it all is still found, as fast.
    let stale = check_history(&reads_around_one_write(60, one(1)), Model::Register, &tight).unwrap();
    assert!(matches!(stale.verdict, Verdict::NotLinearizable(_)), "{}", stale.verdict);
    eprintln!("60 overlapping reads: {} steps (linearizable), {} (stale)", ok.steps, stale.steps);
}
