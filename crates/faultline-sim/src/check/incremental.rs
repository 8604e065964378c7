//! Checking as a run goes on, in bounded time and memory.
//!
//! The page wants a verdict while the store runs, not only at the end, and a
//! whole-history search grows with the run. So the [`Checker`] keeps, per key,
//! a window of at most `window` completed operations and re-checks a key's
//! window (with the operations still outstanding, as indeterminate) when one
//! of its operations completes.
//!
//! What falls out of a window, and why the verdict stays sound. When a key
//! holds more than `window` operations, a cut is chosen: an event index `c`
//! such that between half the window and the window's worth of the latest
//! operations were invoked after it (the cut with the fewest operations
//! straddling it, exact when some instant had none in flight). Then:
//! - an operation that returned before `c` is dropped: every linearization
//!   places it before every operation kept, so the kept ones start from some
//!   value the dropped ones left ([`RegisterState::Any`]: the first operation
//!   that looks decides which);
//! - an operation invoked before `c` that had not returned by then (or is
//!   indeterminate), or one that completes later but was invoked before `c`,
//!   is dropped if it is a read (a history without one of its reads is still
//!   linearizable if it was), and otherwise becomes a "ghost": its value may
//!   appear in the register at any moment (more freedom than it really had).
//!   A ghost of a completed write is retired once every operation kept was
//!   invoked after it returned (its effect is then in the starting value);
//!   an indeterminate one never is.
//!
//! All of this only ever allows more, so a window found not linearizable means
//! the history is not (`NotLinearizable` is final, and the key is no longer
//! checked); a window found linearizable says nothing about violations that
//! straddle what was dropped ([`Checker::dropped`] counts it). The
//! whole-history [`super::check_history`] at the end of a run gives the exact
//! verdict. A key with more than [`MAX_GHOSTS`] live ghost values is `Unknown`
//! until some retire.

use super::explain::{explain, Explanation};
use super::model::RegisterState;
use super::ops::{HistoryError, Model, Operation, Paired, Pairing};
use super::{check_key, Limits, Verdict};
use crate::history::{Event, Function, Value};
use std::collections::BTreeMap;

/// Default number of completed operations kept per key.
pub const DEFAULT_WINDOW: usize = 64;
/// Most live ghost values a key may have; past it its verdict is `Unknown`.
pub const MAX_GHOSTS: usize = 16_384;

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
    /// (value, return index or `u64::MAX`): values that dropped writes may
    /// still put in the register.
    ghosts: Vec<(i64, u64)>,
    /// The last cut: operations invoked before it are no longer kept.
    cut: Option<u64>,
    dropped: u64,
    dirty: bool,
    /// Set once not linearizable: final.
    settled: Option<Verdict>,
    /// The violation shrunk to a few operations, when it is settled.
    explained: Option<Explanation>,
    last: Option<Verdict>,
}

impl KeyWindow {
    /// Drops `op`, whose interval reaches past the cut: reads go, writes
    /// become ghosts.
    fn ghost(&mut self, op: &Operation) {
        self.dropped += 1;
        let value = match (op.f, op.value) {
            (Function::Write, Value::One(v)) | (Function::Cas, Value::Pair(_, v)) => v,
            _ => return,
        };
        let until = op.return_index.unwrap_or(u64::MAX);
        match self.ghosts.iter_mut().find(|g| g.0 == value) {
            Some(g) => g.1 = g.1.max(until),
            None => self.ghosts.push((value, until)),
        }
    }

    /// Cuts the window back to between `window / 2` and `window` operations.
    fn shrink(&mut self, window: usize) {
        if self.ops.len() <= window {
            return;
        }
        super::ops::sort_by_invoke(&mut self.ops);
        let len = self.ops.len();
        // Drop the first k (by invoke); the cut is the k-th's invoke. The
        // fewest straddling the cut wins; among equals, the most dropped.
        let straddling = |k: usize| {
            let c = self.ops[k].invoke_index;
            self.ops[..k].iter().filter(|o| o.return_index.is_none_or(|r| r >= c)).count()
        };
        let k = (len - window..=len - window / 2).rev().min_by_key(|&k| straddling(k)).unwrap_or(len - window);
        let c = self.ops[k].invoke_index;
        let old: Vec<Operation> = self.ops.drain(..k).collect();
        for op in &old {
            match op.return_index {
                Some(r) if r < c => self.dropped += 1,
                _ => self.ghost(op),
            }
        }
        self.cut = Some(c);
    }
}

impl Checker {
    /// A checker keeping at most `window` completed operations per key (at
    /// least 2).
    pub fn new(model: Model, limits: Limits, window: usize) -> Checker {
        Checker {
            model,
            limits,
            window: window.max(2),
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
            if w.settled.is_some() {
                return Ok(());
            }
            w.dirty = true;
            if w.cut.is_some_and(|c| op.invoke_index < c) {
                w.ghost(&op);
            } else {
                w.ops.push(op);
                w.shrink(self.window);
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
            // Ghosts of writes that returned before every operation here (and
            // every read outstanding) was invoked are in the starting value.
            let outstanding = self.pairing.outstanding_invokes(key);
            let first = ops.iter().map(|o| o.invoke_index).chain(outstanding).min().unwrap_or(u64::MAX);
            w.ghosts.retain(|g| g.1 >= first);
            let mut ghosts: Vec<i64> = w.ghosts.iter().map(|g| g.0).collect();
            ghosts.sort_unstable();
            let start = if w.cut.is_some() { RegisterState::Any } else { RegisterState::Null };
            let (verdict, steps) = if ghosts.len() > MAX_GHOSTS {
                let reason = format!("more than {MAX_GHOSTS} values of dropped writes may still appear");
                (Verdict::Unknown { key, reason }, 0)
            } else {
                check_key(key, &ops, start, &ghosts, &self.limits)
            };
            self.steps += steps;
            if matches!(verdict, Verdict::NotLinearizable(_)) {
                w.explained = explain(key, &ops, start, &ghosts, &self.limits);
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

    /// The violation of the key [`Checker::check`] reports not linearizable,
    /// shrunk to the few operations no order fits (see `explain.rs`); `None`
    /// while every key is linearizable, or if shrinking passed its limits.
    pub fn explanation(&self) -> Option<&Explanation> {
        let w = self.keys.values().find(|w| w.settled.is_some())?;
        w.explained.as_ref()
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
        self.keys.values().map(|w| w.dropped).sum()
    }

    /// Ghost values held now (see the module docs).
    pub fn ghosts(&self) -> usize {
        self.keys.values().map(|w| w.ghosts.len()).sum()
    }

    /// Operations held in the windows now.
    pub fn held(&self) -> usize {
        self.keys.values().map(|w| w.ops.len()).sum()
    }
}
