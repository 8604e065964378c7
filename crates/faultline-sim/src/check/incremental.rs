//! Checking as a run goes on, in bounded time and memory.
//!
//! The page wants a verdict while the store runs, not only at the end, and a
//! whole-history search grows with the run. So the [`Checker`] keeps, per key,
//! a window of at most `window` completed operations and re-checks a key's
//! window (with the operations still outstanding, as indeterminate) when one
//! of its operations completes.
//!
//! What falls out of a window, and why the verdict stays sound:
//! - A completed (`ok`) operation is dropped only once it returned before every
//!   operation kept (and every one outstanding) on its key was invoked. Then
//!   every linearization of the whole history places it before all of them,
//!   so the kept ones start from some value the dropped ones left: the window
//!   starts from [`RegisterState::Any`] and the first operation that looks
//!   decides which.
//! - An indeterminate (`info`) operation may take effect at any later time, so
//!   when the window must shrink and no completed one can go, the oldest
//!   indeterminate write becomes a "ghost": its value may appear at any moment
//!   from then on (more freedom than it really has: it could only appear once).
//!
//! Both only ever allow more, so a window found not linearizable means the
//! history is not (`NotLinearizable` is final, and the key is no longer
//! checked); a window found linearizable says nothing about violations that
//! straddle what was dropped ([`Checker::dropped`] counts it). The whole-history
//! [`super::check_history`] at the end of a run gives the exact verdict. A key
//! whose window cannot be kept under four times its size (an operation
//! outstanding for a very long time), or that gathers more than
//! [`MAX_GHOSTS`] ghost values, is `Unknown` from then on.

use super::model::RegisterState;
use super::ops::{HistoryError, Model, Operation, Paired, Pairing, Status};
use super::{check_key, Limits, Verdict};
use crate::history::{Event, Function, Value};
use std::collections::BTreeMap;

/// Default number of completed operations kept per key.
pub const DEFAULT_WINDOW: usize = 64;
/// Most ghost values a key keeps before its verdict becomes `Unknown`.
pub const MAX_GHOSTS: usize = 1024;

/// An incremental linearizability checker (see the module docs).
#[derive(Clone, Debug)]
pub struct Checker {
    model: Model,
    limits: Limits,
    window: usize,
    pairing: Pairing,
    events: u64,
    keys: BTreeMap<u64, KeyWindow>,
    steps: u64,
}

#[derive(Clone, Debug, Default)]
struct KeyWindow {
    ops: Vec<Operation>,
    /// Sorted, for the model's binary search.
    ghosts: Vec<i64>,
    /// Completed operations dropped (the window then starts from `Any`).
    dropped_ok: u64,
    dropped_info: u64,
    dirty: bool,
    /// Set once final: not linearizable, or the window could not be kept bounded.
    settled: Option<Verdict>,
    last: Option<Verdict>,
}

impl Checker {
    /// A checker keeping at most `window` completed operations per key (at
    /// least 1).
    pub fn new(model: Model, limits: Limits, window: usize) -> Checker {
        Checker {
            model,
            limits,
            window: window.max(1),
            pairing: Pairing::default(),
            events: 0,
            keys: BTreeMap::new(),
            steps: 0,
        }
    }

    /// Takes the next event of the history. A bad event is an error and
    /// changes nothing.
    pub fn push(&mut self, event: &Event) -> Result<(), HistoryError> {
        let paired = self.pairing.push(self.events, event, self.model)?;
        self.events += 1;
        if let Paired::Operation(op) = paired {
            let key = op.key;
            let w = self.keys.entry(key).or_default();
            if w.settled.is_none() {
                w.ops.push(op);
                w.dirty = true;
                self.shrink(key);
            }
        }
        Ok(())
    }

    /// Re-checks every key whose window changed and returns the verdict so
    /// far: the first key (in key order) not linearizable, else the first
    /// unknown, else linearizable.
    pub fn check(&mut self) -> Verdict {
        for (&key, w) in self.keys.iter_mut() {
            if !w.dirty || w.settled.is_some() {
                continue;
            }
            w.dirty = false;
            let mut ops = w.ops.clone();
            ops.extend(self.pairing.outstanding().filter(|o| o.key == key));
            let start = if w.dropped_ok > 0 { RegisterState::Any } else { RegisterState::Null };
            let (verdict, steps) = check_key(key, &ops, start, &w.ghosts, &self.limits);
            self.steps += steps;
            if matches!(verdict, Verdict::NotLinearizable(_)) {
                w.settled = Some(verdict.clone());
                w.ops = Vec::new();
            }
            w.last = Some(verdict);
        }
        let mut unknown = None;
        for w in self.keys.values() {
            match w.settled.as_ref().or(w.last.as_ref()) {
                Some(v @ Verdict::NotLinearizable(_)) => return v.clone(),
                Some(v @ Verdict::Unknown { .. }) if unknown.is_none() => unknown = Some(v.clone()),
                _ => {}
            }
        }
        unknown.unwrap_or(Verdict::Linearizable)
    }

    /// Search steps spent by every check so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Events taken.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Operations dropped from the windows so far (0: every verdict so far
    /// was the whole history's).
    pub fn dropped(&self) -> u64 {
        self.keys.values().map(|w| w.dropped_ok + w.dropped_info).sum()
    }

    /// Operations held in the windows now.
    pub fn held(&self) -> usize {
        self.keys.values().map(|w| w.ops.len()).sum()
    }

    /// Brings `key`'s window back to its size, as far as it soundly can.
    fn shrink(&mut self, key: u64) {
        let Some(w) = self.keys.get_mut(&key) else { return };
        while w.ops.len() > self.window && w.settled.is_none() {
            // The completed operation that returned first may go if it
            // returned before every other operation on the key was invoked.
            let first = (0..w.ops.len())
                .filter(|&i| w.ops[i].status == Status::Ok)
                .min_by_key(|&i| w.ops[i].return_index);
            if let Some(i) = first {
                let returned = w.ops[i].return_index.unwrap_or(u64::MAX);
                let others = w.ops.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, o)| o.invoke_index);
                let earliest = others.chain(self.pairing.outstanding_invokes(key)).min().unwrap_or(u64::MAX);
                if returned < earliest {
                    w.ops.remove(i);
                    w.dropped_ok += 1;
                    continue;
                }
            }
            // Otherwise the oldest indeterminate operation becomes a ghost.
            let oldest_info = (0..w.ops.len())
                .filter(|&i| w.ops[i].status == Status::Info)
                .min_by_key(|&i| w.ops[i].invoke_index);
            if let Some(i) = oldest_info {
                let op = w.ops.remove(i);
                w.dropped_info += 1;
                let value = match (op.f, op.value) {
                    (Function::Write, Value::One(v)) | (Function::Cas, Value::Pair(_, v)) => Some(v),
                    _ => None,
                };
                if let Some(v) = value {
                    if let Err(at) = w.ghosts.binary_search(&v) {
                        w.ghosts.insert(at, v);
                    }
                }
                if w.ghosts.len() > MAX_GHOSTS {
                    let reason = format!(
                        "more than {MAX_GHOSTS} values of indeterminate writes dropped from the window"
                    );
                    w.settled = Some(Verdict::Unknown { key, reason });
                }
                continue;
            }
            if w.ops.len() > 4 * self.window {
                let since = self.pairing.outstanding_invokes(key).min().unwrap_or(0);
                let reason = format!(
                    "the window passed {} operations: the operation outstanding since event {since} holds it open",
                    4 * self.window
                );
                w.settled = Some(Verdict::Unknown { key, reason });
            }
            break;
        }
        if w.settled.is_some() {
            w.ops = Vec::new();
        }
    }
}
