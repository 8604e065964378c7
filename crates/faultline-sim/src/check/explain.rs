//! A violation made small enough to read: the fewest of a key's operations
//! that still no order fits, which one could not be placed, and one sentence
//! saying why.
//!
//! Why this exists: the search's counterexample is the longest linearization
//! it found and the operation that could not follow it, which is exact but
//! long (a store's window holds dozens of operations, most of them reads that
//! fit anywhere). A person wants the three operations that matter, drawn as
//! bars per client over time. Finding a smallest non-linearizable subset is
//! itself a search, so this takes a 1-minimal one instead (no single
//! operation can be dropped and the rest still fail), by delta debugging
//! (Zeller & Hildebrandt, 2002): drop chunks, halving their size, keeping
//! every drop after which the rest is still not linearizable.
//!
//! Not every drop is allowed. Dropping a read never turns a linearizable
//! history into one that is not (a read changes nothing), nor does dropping a
//! write whose value no remaining operation observes; dropping the write a
//! remaining read returned would (the read would then come from nowhere). So
//! only such drops are tried, and the set found failing means the whole
//! history fails: the explanation is never an artefact of the shrinking. Each try is a
//! bounded check ([`Limits`]); a try that passes its limit counts as
//! "linearizable" (the chunk is kept), so the result is always a set the
//! checker proved not linearizable.
//!
//! The subset is checked from the same start and with the same ghost values
//! as the window it came from (see `incremental.rs`), which only ever allow
//! more: a subset that fails there fails in the real history too.

use super::model::RegisterState;
use super::ops::{Operation, Status};
use super::{check_key, Checker, HistoryError, Limits, Model, Verdict, DEFAULT_WINDOW};
use crate::history::Event;
use crate::history::{Function, Value};
use serde::Serialize;

/// Most operations an explanation starts from (the latest, by invoke): the
/// work stays bounded for a long whole history.
pub const MAX_CANDIDATES: usize = 64;

/// A small set of operations that no order fits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub key: u64,
    /// The operations, in invoke order.
    pub ops: Vec<Operation>,
    /// Which of `ops` is the one to point at (a read that returned what it
    /// should not have, when there is one).
    pub offending: usize,
    /// One sentence: why no order works.
    pub why: String,
}

/// Explains why `candidates` (one key's operations, checked from `start` with
/// `ghosts` as the window was) are not linearizable; `None` if they are, or
/// if their check passes `limits`.
pub fn explain(
    key: u64,
    candidates: &[Operation],
    start: RegisterState,
    ghosts: &[i64],
    limits: &Limits,
) -> Option<Explanation> {
    let fails = |set: &[Operation]| {
        !set.is_empty() && matches!(check_key(key, set, start, ghosts, limits).0, Verdict::NotLinearizable(_))
    };
    let mut set: Vec<Operation> = candidates.to_vec();
    super::ops::sort_by_invoke(&mut set);
    if set.len() > MAX_CANDIDATES {
        set.drain(..set.len() - MAX_CANDIDATES);
    }
    if !fails(&set) {
        return None;
    }
    // Halving chunks, then single operations until none can go (a write
    // becomes droppable once the reads of its value have gone).
    let mut chunk = set.len().div_ceil(2).max(1);
    loop {
        let before = set.len();
        let mut i = 0;
        while i < set.len() {
            let end = (i + chunk).min(set.len());
            let trial: Vec<Operation> = set[..i].iter().chain(&set[end..]).cloned().collect();
            if droppable(&set[i..end], &trial) && fails(&trial) {
                set = trial;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && set.len() == before {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    let Verdict::NotLinearizable(c) = check_key(key, &set, start, ghosts, limits).0 else { return None };
    let unplaced = set.iter().position(|o| *o == c.unplaced).unwrap_or(0);
    let (offending, why) = if c.value_never_written {
        let o = &set[unplaced];
        (unplaced, format!("{} {}, a value no write on this key put there.", observed_verb(o), value_text(observed(o))))
    } else {
        let stale = (0..set.len()).find_map(|i| stale_read(&set, i, ghosts).map(|why| (i, why)));
        stale.unwrap_or_else(|| {
            (
                unplaced,
                format!(
                    "No order of these {} operations, each taking effect once between its start and its end, \
                     gives every read the value it returned.",
                    set.len()
                ),
            )
        })
    };
    Some(Explanation { key, ops: set, offending, why })
}

/// Explains a whole history's first violation, as the page would have seen
/// it: the history is fed to an incremental [`Checker`] (checked every half
/// window), whose windows keep the shrinking's work small however long the
/// history. `None` if no window shows a violation (the whole-history check
/// can still find one that straddles what the windows dropped).
pub fn explain_history(events: &[Event], model: Model, limits: &Limits) -> Result<Option<Explanation>, HistoryError> {
    let mut checker = Checker::new(model, *limits, DEFAULT_WINDOW);
    for chunk in events.chunks(DEFAULT_WINDOW) {
        for e in chunk {
            checker.push(e)?;
        }
        if matches!(checker.check(), Verdict::NotLinearizable(_)) {
            break;
        }
    }
    Ok(checker.explanation().cloned())
}

/// Whether `dropped` may go with `kept` left: no kept operation observes a
/// value a dropped one wrote (see the module docs).
fn droppable(dropped: &[Operation], kept: &[Operation]) -> bool {
    dropped.iter().filter_map(written).all(|v| kept.iter().all(|k| observed(k) != Some(v)))
}

/// What a read returned, or what a compare-and-set expected.
fn observed(o: &Operation) -> Option<i64> {
    match (o.f, o.value) {
        (Function::Read, Value::One(v)) | (Function::Cas, Value::Pair(v, _)) => Some(v),
        _ => None,
    }
}

fn observed_verb(o: &Operation) -> &'static str {
    if o.f == Function::Cas {
        "The compare-and-set expected"
    } else {
        "The read returned"
    }
}

/// What a write or compare-and-set put in the register.
fn written(o: &Operation) -> Option<i64> {
    match (o.f, o.value) {
        (Function::Write, Value::One(v)) | (Function::Cas, Value::Pair(_, v)) => Some(v),
        _ => None,
    }
}

fn value_text(v: Option<i64>) -> String {
    v.map_or("nothing (the key unwritten)".to_string(), |v| v.to_string())
}

/// `a` had returned before `b` was invoked.
fn before(a: &Operation, b: &Operation) -> bool {
    a.return_index.is_some_and(|r| r < b.invoke_index)
}

/// If `ops[i]` is a read that returned a value overwritten before it began,
/// the sentence saying so. That alone rules out every order: before the read
/// began, a write of another value had returned, or a read had returned
/// another value (so one of its writes had taken effect); every write of the
/// value read had returned before that write began (or none is here: the
/// value came from before the window); so the value read was gone.
fn stale_read(ops: &[Operation], i: usize, ghosts: &[i64]) -> Option<String> {
    let r = &ops[i];
    if r.f != Function::Read || r.status != Status::Ok {
        return None;
    }
    let seen = observed(r);
    if seen.is_some_and(|v| ghosts.binary_search(&v).is_ok()) {
        return None;
    }
    let writes_of = |v: Option<i64>| ops.iter().filter(move |o| v.is_some() && written(o) == v);
    // Every write of the value read had returned before `w` began.
    let gone_by = |w: &Operation| writes_of(seen).all(|o| before(o, w));
    let earlier = || ops.iter().filter(|e| e.status == Status::Ok && before(e, r));
    let by_write = earlier()
        .filter(|w| written(w).is_some_and(|u| Some(u) != seen) && (seen.is_none() || gone_by(w)))
        .max_by_key(|w| w.return_index);
    if let Some(u) = by_write.and_then(written) {
        return Some(match seen {
            Some(v) => format!(
                "The read returned {v} after the write of {u} had completed, and that write began after the write \
                 of {v} had finished: {v} was already overwritten."
            ),
            None => format!("The read returned nothing (the key unwritten) after the write of {u} had completed."),
        });
    }
    let u = earlier()
        .filter(|e| e.f == Function::Read)
        .filter_map(|e| observed(e).filter(|&u| Some(u) != seen))
        .find(|&u| writes_of(Some(u)).next().is_some() && writes_of(Some(u)).all(|w| seen.is_none() || gone_by(w)))?;
    Some(match seen {
        Some(v) => format!(
            "The read returned {v} after another read had returned {u}, and the write of {u} began after the write \
             of {v} had finished: {v} was already overwritten."
        ),
        None => format!("The read returned nothing (the key unwritten) after another read had returned {u}."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_history, operations};
    use crate::history::EventType;
    use proptest::prelude::*;

    /// `(process, kind, f, value)` on key 0 at time = its position, in ms.
    fn history(spec: &[(u64, char, Function, Value)]) -> Vec<Event> {
        spec.iter()
            .enumerate()
            .map(|(i, &(process, kind, f, value))| Event {
                process,
                kind: match kind {
                    'i' => EventType::Invoke,
                    'o' => EventType::Ok,
                    'f' => EventType::Fail,
                    _ => EventType::Info,
                },
                f,
                key: 0,
                value,
                time_us: Some(i as u64 * 1_000),
            })
            .collect()
    }

    fn explain_all(events: &[Event]) -> Option<Explanation> {
        let ops = operations(events, Model::CasRegister).unwrap();
        explain(0, &ops, RegisterState::Null, &[], &Limits::default())
    }

    use Function::{Read, Write};
    const NULL: Value = Value::None;

    /// The flash sale's shape: the price is written (1), then changed (2);
    /// reads of the new price come and go, and one read after the change
    /// returns the old price. The explanation keeps the two writes and that
    /// read, and says so.
    #[test]
    fn a_stale_read_is_shrunk_to_the_two_writes_and_the_read() {
        let mut h = vec![(1, 'i', Write, Value::One(1)), (1, 'o', Write, Value::One(1))];
        h.extend([(2, 'i', Write, Value::One(2)), (2, 'o', Write, Value::One(2))]);
        for p in 3..9 {
            h.extend([(p, 'i', Read, NULL), (p, 'o', Read, Value::One(2))]);
        }
        h.extend([(9, 'i', Read, NULL), (10, 'i', Read, NULL), (9, 'o', Read, Value::One(1))]);
        h.push((10, 'o', Read, Value::One(2)));
        let e = explain_all(&history(&h)).expect("not linearizable");
        let shape: Vec<(u64, Function)> = e.ops.iter().map(|o| (o.process, o.f)).collect();
        assert_eq!(shape, [(1, Write), (2, Write), (9, Read)]);
        assert_eq!(e.offending, 2);
        assert_eq!(
            e.why,
            "The read returned 1 after the write of 2 had completed, and that write began after the write of 1 had \
             finished: 1 was already overwritten."
        );
        assert_eq!((e.ops[2].invoke_time_us, e.ops[2].return_time_us), (Some(16_000), Some(18_000)));
    }

    #[test]
    fn a_value_never_written_is_one_operation() {
        let h = [(1, 'i', Write, Value::One(1)), (2, 'i', Read, NULL), (2, 'o', Read, Value::One(7))];
        let e = explain_all(&history(&h)).unwrap();
        assert_eq!(e.ops.len(), 1);
        assert_eq!(e.why, "The read returned 7, a value no write on this key put there.");
    }

    #[test]
    fn a_linearizable_history_has_no_explanation() {
        let h = [(1, 'i', Write, Value::One(1)), (2, 'i', Read, NULL), (2, 'o', Read, Value::One(1))];
        assert_eq!(explain_all(&history(&h)), None);
    }

    /// Dropping the write a read returned would make a linearizable history
    /// look broken: 1 is written and done, then 2 is written while a read
    /// returns 2. Nothing is wrong, and nothing is explained; with a stale
    /// read added, the explanation leaves the write of 2 alone.
    #[test]
    fn the_write_a_kept_read_returned_is_never_dropped() {
        let ok = [
            (1, 'i', Write, Value::One(1)),
            (1, 'o', Write, Value::One(1)),
            (2, 'i', Write, Value::One(2)),
            (3, 'i', Read, NULL),
            (3, 'o', Read, Value::One(2)),
            (2, 'o', Write, Value::One(2)),
        ];
        assert_eq!(explain_all(&history(&ok)), None);
        let mut bad = ok.to_vec();
        bad.extend([(4, 'i', Read, NULL), (4, 'o', Read, Value::One(1))]);
        let e = explain_all(&history(&bad)).unwrap();
        for o in &e.ops {
            if let Some(v) = observed(o) {
                assert!(e.ops.iter().any(|w| written(w) == Some(v)), "{o} kept without its write");
            }
        }
    }

    /// The incremental checker explains the violation it settles on, and the
    /// whole-history entry point finds the same one.
    #[test]
    fn the_incremental_checker_keeps_the_explanation() {
        let mut h = vec![(1, 'i', Write, Value::One(1)), (1, 'o', Write, Value::One(1))];
        for p in 2..200 {
            h.extend([(p, 'i', Read, NULL), (p, 'o', Read, Value::One(1))]);
        }
        h.extend([(200, 'i', Write, Value::One(2)), (200, 'o', Write, Value::One(2))]);
        h.extend([(201, 'i', Read, NULL), (201, 'o', Read, Value::One(1))]);
        let events = history(&h);
        let e = explain_history(&events, Model::CasRegister, &Limits::default()).unwrap().unwrap();
        assert_eq!(e.ops[e.offending].process, 201);
        assert!(e.why.starts_with("The read returned 1 after the write of 2 had completed"), "{}", e.why);
    }

    /// Random small histories of three processes on one key: every
    /// explanation is a subset of the history, still not linearizable on its
    /// own, keeps the write of every value it shows observed, and is
    /// 1-minimal (dropping any one operation that may go makes it fit).
    fn arbitrary_history() -> impl Strategy<Value = Vec<Event>> {
        prop::collection::vec((0u64..3, 0u8..4, 1i64..4), 4..14).prop_map(|steps| {
            let mut open: [Option<(Function, Value)>; 3] = [None; 3];
            let mut spec = Vec::new();
            for (p, choice, v) in steps {
                match open[p as usize].take() {
                    None => {
                        let op = if choice < 2 { (Read, NULL) } else { (Write, Value::One(v)) };
                        open[p as usize] = Some(op);
                        spec.push((p, 'i', op.0, op.1));
                    }
                    Some((f, value)) => {
                        let value = if f == Read {
                            if choice == 0 {
                                NULL
                            } else {
                                Value::One(v)
                            }
                        } else {
                            value
                        };
                        spec.push((p, if choice == 3 && f == Write { 'n' } else { 'o' }, f, value));
                    }
                }
            }
            history(&spec)
        })
    }

    proptest! {
        #[test]
        fn explanations_are_sound_and_minimal(events in arbitrary_history()) {
            let whole = check_history(&events, Model::CasRegister, &Limits::default()).unwrap();
            let e = explain_all(&events);
            prop_assert_eq!(e.is_some(), matches!(whole.verdict, Verdict::NotLinearizable(_)));
            let Some(e) = e else { return Ok(()) };
            let ops = operations(&events, Model::CasRegister).unwrap();
            prop_assert!(e.ops.iter().all(|o| ops.contains(o)));
            prop_assert!(e.offending < e.ops.len());
            let fails = |set: &[Operation]| {
                matches!(check_key(0, set, RegisterState::Null, &[], &Limits::default()).0, Verdict::NotLinearizable(_))
            };
            prop_assert!(fails(&e.ops));
            for i in 0..e.ops.len() {
                let rest: Vec<Operation> = e.ops.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, o)| o.clone()).collect();
                if droppable(&e.ops[i..=i], &rest) {
                    prop_assert!(rest.is_empty() || !fails(&rest), "{} could go", e.ops[i]);
                }
            }
        }
    }
}
