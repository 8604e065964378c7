//! Linearizability checking of key-value histories.
//!
//! A store is linearizable when every operation appears to take effect at one
//! instant between its invoke and its return, in an order that a single
//! register per key would accept (Herlihy & Wing, 1990). This module decides
//! that for a [`crate::history`] of reads, writes and compare-and-sets, so the
//! playground can show a CP store passing and an AP store caught reading stale
//! data under a partition, and the CLI can judge any JSON-lines history.
//!
//! How, and why this way:
//! - **Per key** ([`check_operations`]): linearizability is compositional
//!   (P-compositionality, Horn & Kroening 2015), so each key is a separate
//!   register checked on its own. The search is exponential in the
//!   concurrency of one key's history, not of the whole history.
//! - **The search** (`search.rs`): Wing & Gong's backtracking with Lowe's
//!   memoization of (linearized set, state), the algorithm of Porcupine and
//!   Knossos.
//! - **Jepsen's semantics** (`ops.rs`): `fail` did not happen and is dropped;
//!   `info` (and an invoke never answered) may take effect at any time after
//!   its invoke, or never. A compare-and-set that does not match completes
//!   `fail`, so an `ok` one succeeded. Reads of a key never written see `null`.
//! - **Bounded** ([`Limits`]): a key whose search passes its step or memory
//!   limit is `Unknown`, never a hang; the page runs this in wasm.
//! - **Incremental** ([`Checker`]): accepts events as a run produces them and
//!   re-checks a bounded window per key.
//! - **Explained** ([`explain`]): a violation shrunk to the few operations
//!   that no order fits, with a sentence why, for the page's history diagram
//!   and the CLI.

mod explain;
mod incremental;
mod model;
mod ops;
mod search;

pub use explain::{explain, explain_history, Explanation, MAX_CANDIDATES};
pub use incremental::{Checker, DEFAULT_WINDOW, MAX_GHOSTS};
pub use model::RegisterState;
pub use ops::{operations, HistoryError, Model, Operation, Status};

use crate::history::{Event, Function, Value};
use search::{search, Found};
use serde::Serialize;
use std::collections::BTreeMap;

/// The default step limit per key. Measured: Jepsen's etcd histories need at
/// most 150,000 (10 ms natively; 350,000 steps took 60 ms in Chromium's
/// wasm); a million steps on an 87,000-operation key took 0.4 s natively.
pub const DEFAULT_MAX_STEPS_PER_KEY: u64 = 1_000_000;
/// The default size limit of a key's memo table.
pub const DEFAULT_MAX_MEMO_BYTES: u64 = 256 << 20;
/// How many of the linearized prefix's last operations a counterexample shows.
pub const COUNTEREXAMPLE_TAIL: usize = 8;

/// The work bound of a check. Past either limit a key's verdict is `Unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Steps of the search (an entry visited) allowed per key.
    pub max_steps_per_key: u64,
    /// Bytes the memo table of one key may grow to.
    pub max_memo_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_steps_per_key: DEFAULT_MAX_STEPS_PER_KEY, max_memo_bytes: DEFAULT_MAX_MEMO_BYTES }
    }
}

/// Why a key is not linearizable: the longest linearization the search found
/// for it, and the operation that could not follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    pub key: u64,
    /// How many of the key's operations that linearization placed.
    pub linearized: u32,
    /// Its last operations, in linearization order (at most
    /// [`COUNTEREXAMPLE_TAIL`]).
    pub prefix_tail: Vec<Operation>,
    /// The register's value after it.
    pub state: RegisterState,
    /// An operation that had returned and could not be placed after it.
    pub unplaced: Operation,
    /// `unplaced` observes a value no operation on the key writes (a read of
    /// it, or a compare-and-set expecting it), so it fits nowhere: found
    /// before any search (the prefix is then empty).
    pub value_never_written: bool,
}

/// The verdict on a history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Verdict {
    Linearizable,
    NotLinearizable(Counterexample),
    /// The search for this key passed its limits (or, incrementally, the
    /// window could not be kept bounded) before deciding.
    Unknown {
        key: u64,
        reason: String,
    },
}

/// One key's share of the work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyReport {
    pub key: u64,
    pub operations: u32,
    pub steps: u64,
    /// `linearizable`, `not-linearizable` or `unknown`.
    pub verdict: &'static str,
}

/// A whole history's check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub model: Model,
    #[serde(flatten)]
    pub verdict: Verdict,
    pub operations: u32,
    pub steps: u64,
    pub keys: Vec<KeyReport>,
}

/// Checks a whole history (events in real-time order).
pub fn check_history(events: &[Event], model: Model, limits: &Limits) -> Result<Report, HistoryError> {
    Ok(check_operations(&operations(events, model)?, model, limits))
}

/// Checks operations (as [`operations`] gives them), key by key in key order.
/// The verdict is the first key found not linearizable, else the first key
/// left unknown, else linearizable.
pub fn check_operations(ops: &[Operation], model: Model, limits: &Limits) -> Report {
    let mut by_key: BTreeMap<u64, Vec<Operation>> = BTreeMap::new();
    for o in ops {
        by_key.entry(o.key).or_default().push(o.clone());
    }
    let mut keys = Vec::with_capacity(by_key.len());
    let mut not = None;
    let mut unknown = None;
    for (key, ops) in &by_key {
        let (verdict, steps) = check_key(*key, ops, RegisterState::Null, &[], limits);
        let name = match verdict {
            Verdict::Linearizable => "linearizable",
            Verdict::NotLinearizable(_) => "not-linearizable",
            Verdict::Unknown { .. } => "unknown",
        };
        keys.push(KeyReport { key: *key, operations: ops.len() as u32, steps, verdict: name });
        match verdict {
            Verdict::NotLinearizable(_) if not.is_none() => not = Some(verdict),
            Verdict::Unknown { .. } if unknown.is_none() => unknown = Some(verdict),
            _ => {}
        }
    }
    Report {
        model,
        verdict: not.or(unknown).unwrap_or(Verdict::Linearizable),
        operations: ops.len() as u32,
        steps: keys.iter().map(|k| k.steps).sum(),
        keys,
    }
}

/// Checks one key's operations from `start`; returns the verdict and steps.
pub(crate) fn check_key(
    key: u64,
    ops: &[Operation],
    start: RegisterState,
    ghosts: &[i64],
    limits: &Limits,
) -> (Verdict, u64) {
    if let Some(i) = never_written(ops, start, ghosts) {
        let counterexample = Counterexample {
            key,
            linearized: 0,
            prefix_tail: Vec::new(),
            state: start,
            unplaced: ops[i].clone(),
            value_never_written: true,
        };
        return (Verdict::NotLinearizable(counterexample), 0);
    }
    let outcome = search(ops, start, ghosts, limits);
    let verdict = match outcome.found {
        Found::Linearizable => Verdict::Linearizable,
        Found::Unknown(reason) => Verdict::Unknown { key, reason },
        Found::Not { prefix, unplaced, state } => {
            let tail = prefix.len().saturating_sub(COUNTEREXAMPLE_TAIL);
            Verdict::NotLinearizable(Counterexample {
                key,
                linearized: prefix.len() as u32,
                prefix_tail: prefix[tail..].iter().map(|&i| ops[i as usize].clone()).collect(),
                state,
                unplaced: ops[unplaced as usize].clone(),
                value_never_written: false,
            })
        }
    };
    (verdict, outcome.steps)
}

/// The first completed operation that observes a value nothing writes: a
/// read of it, or a successful compare-and-set expecting it. No search can
/// place it, and proving so by search alone can take exponential time (every
/// subset of the indeterminate writes before it is tried), so it is looked for
/// first.
fn never_written(ops: &[Operation], start: RegisterState, ghosts: &[i64]) -> Option<usize> {
    if start == RegisterState::Any {
        return None;
    }
    let mut written: Vec<i64> = ops
        .iter()
        .filter_map(|o| match (o.f, o.value) {
            (Function::Write, Value::One(v)) | (Function::Cas, Value::Pair(_, v)) => Some(v),
            _ => None,
        })
        .chain(ghosts.iter().copied())
        .collect();
    written.sort_unstable();
    let observed = |o: &Operation| match (o.f, o.value) {
        (Function::Read, Value::One(v)) | (Function::Cas, Value::Pair(v, _)) => Some(v),
        _ => None,
    };
    (0..ops.len())
        .filter(|&i| ops[i].status == Status::Ok)
        .filter(|&i| observed(&ops[i]).is_some_and(|v| written.binary_search(&v).is_err()))
        .min_by_key(|&i| ops[i].return_index)
}

impl std::fmt::Display for Verdict {
    /// A readable verdict: the counterexample's operations one per line.
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Linearizable => write!(out, "linearizable"),
            Verdict::Unknown { key, reason } => write!(out, "unknown: key {key}: {reason}"),
            Verdict::NotLinearizable(c) if c.value_never_written => {
                writeln!(out, "NOT linearizable: key {}", c.key)?;
                writeln!(out, "  this operation observes a value no operation on the key writes:")?;
                write!(out, "    {}", c.unplaced)
            }
            Verdict::NotLinearizable(c) => {
                writeln!(out, "NOT linearizable: key {}", c.key)?;
                writeln!(out, "  the longest linearization found places {} operations, ending:", c.linearized)?;
                if c.prefix_tail.is_empty() {
                    writeln!(out, "    (none)")?;
                }
                for o in &c.prefix_tail {
                    writeln!(out, "    {o}")?;
                }
                writeln!(out, "  which leaves the register at {}; then this operation cannot take effect:", c.state)?;
                write!(out, "    {}", c.unplaced)
            }
        }
    }
}

#[cfg(test)]
mod tests;
