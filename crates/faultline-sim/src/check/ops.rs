//! From a history's events to operations: each invoke paired with the
//! completion of the same process.
//!
//! The search works on whole operations (an invocation interval and a result),
//! not on events, so this is where the history's rules are enforced, with an
//! error naming the event that breaks them: a process has one operation
//! outstanding at a time, a completion answers the operation its process
//! invoked, and values have the shape their function needs. `fail`
//! completions are dropped here (the operation certainly did not happen);
//! `info` ones and invokes left unanswered at the end become indeterminate
//! operations whose return is "never" (they may take effect at any time after
//! their invoke, or not at all). An indeterminate read constrains nothing and
//! is dropped too.

use crate::history::{Event, EventType, Function, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Which sequential object the history is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// A read/write register per key (a compare-and-set is refused as bad input).
    Register,
    /// A read/write/compare-and-set register per key.
    CasRegister,
}

impl Model {
    /// The model named `register` or `cas-register`.
    pub fn from_name(name: &str) -> Option<Model> {
        match name {
            "register" => Some(Model::Register),
            "cas-register" => Some(Model::CasRegister),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Model::Register => "register",
            Model::CasRegister => "cas-register",
        }
    }
}

/// How an operation completed, as far as the checker is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It took effect between its invoke and its return.
    Ok,
    /// It may have taken effect at any time after its invoke, or never
    /// (an `info` completion, or an invoke never answered).
    Info,
}

/// One operation of the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub process: u64,
    pub key: u64,
    pub f: Function,
    /// A write's value, a compare-and-set's `[expected, new]`, or the value a
    /// read returned (`None` for a key never written).
    pub value: Value,
    pub status: Status,
    /// Position of its invoke in the history (0-based event index).
    pub invoke_index: u64,
    /// Position of its completion; `None` when it is indeterminate.
    pub return_index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoke_time_us: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_time_us: Option<u64>,
}

impl Operation {
    /// The value as a sortable key.
    pub(crate) fn value_key(&self) -> (u8, i64, i64) {
        match self.value {
            Value::None => (0, 0, 0),
            Value::One(v) => (1, v, 0),
            Value::Pair(e, n) => (2, e, n),
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = |v: Option<i64>| v.map_or("null".to_string(), |v| v.to_string());
        match (self.f, self.value) {
            (Function::Read, Value::One(v)) => write!(out, "read -> {v}")?,
            (Function::Read, _) => write!(out, "read -> null")?,
            (Function::Write, Value::One(v)) => write!(out, "write {}", value(Some(v)))?,
            (Function::Cas, Value::Pair(e, n)) => write!(out, "cas {e} -> {n}")?,
            (f, v) => write!(out, "{f:?} {v:?}")?,
        }
        write!(out, " (process {}, key {}, ", self.process, self.key)?;
        match self.return_index {
            Some(r) => write!(out, "events {}..{}", self.invoke_index, r)?,
            None => write!(out, "event {}.., indeterminate", self.invoke_index)?,
        }
        if let Some(t) = self.invoke_time_us {
            write!(out, ", {t} us")?;
            if let Some(r) = self.return_time_us {
                write!(out, "..{r} us")?;
            }
        }
        write!(out, ")")
    }
}

/// A history that breaks the rules, with the (0-based) index of the event
/// that breaks them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryError {
    pub index: u64,
    pub message: String,
}

impl fmt::Display for HistoryError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(out, "event {}: {}", self.index, self.message)
    }
}

impl std::error::Error for HistoryError {}

/// Pairs invokes with completions, one event at a time. Shared by the whole-
/// history check and the incremental [`super::Checker`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Pairing {
    /// Each process's outstanding invoke: (event index, event).
    pending: BTreeMap<u64, (u64, Event)>,
}

/// What one event did to the pairing.
pub(crate) enum Paired {
    /// An invoke: now outstanding.
    Invoked,
    /// A completion that gives an operation to check.
    Operation(Operation),
    /// A completion that gives nothing to check (a `fail`, or an `info` read).
    Dropped,
}

impl Pairing {
    pub(crate) fn push(&mut self, index: u64, e: &Event, model: Model) -> Result<Paired, HistoryError> {
        let err = |message: String| HistoryError { index, message };
        if e.f == Function::Cas && model == Model::Register {
            return Err(err("a compare-and-set in a register history: check it with the cas-register model".into()));
        }
        if e.kind == EventType::Invoke {
            if let Some((at, _)) = self.pending.get(&e.process) {
                return Err(err(format!(
                    "process {} invokes while its operation invoked at event {at} is outstanding",
                    e.process
                )));
            }
            match (e.f, e.value) {
                (Function::Write, Value::One(_)) | (Function::Cas, Value::Pair(..)) | (Function::Read, _) => {}
                (Function::Write, v) => return Err(err(format!("a write needs one number, not {v:?}"))),
                (Function::Cas, v) => return Err(err(format!("a cas needs [expected, new], not {v:?}"))),
            }
            self.pending.insert(e.process, (index, e.clone()));
            return Ok(Paired::Invoked);
        }
        let Some((at, invoke)) = self.pending.remove(&e.process) else {
            return Err(err(format!("process {} completes an operation it never invoked", e.process)));
        };
        if invoke.f != e.f || invoke.key != e.key {
            return Err(err(format!(
                "process {} completes {:?} on key {} but invoked {:?} on key {} at event {at}",
                e.process, e.f, e.key, invoke.f, invoke.key
            )));
        }
        if e.f == Function::Read && e.kind == EventType::Ok && matches!(e.value, Value::Pair(..)) {
            return Err(err("a read returns one number or null, not a pair".into()));
        }
        let status = match e.kind {
            EventType::Fail => return Ok(Paired::Dropped),
            EventType::Info if e.f == Function::Read => return Ok(Paired::Dropped),
            EventType::Info => Status::Info,
            _ => Status::Ok,
        };
        let value = if e.f == Function::Read { e.value } else { invoke.value };
        let ok = status == Status::Ok;
        Ok(Paired::Operation(Operation {
            process: e.process,
            key: e.key,
            f: e.f,
            value,
            status,
            invoke_index: at,
            return_index: ok.then_some(index),
            invoke_time_us: invoke.time_us,
            return_time_us: if ok { e.time_us } else { None },
        }))
    }

    /// The event indices of the invokes outstanding on `key`.
    pub(crate) fn outstanding_invokes(&self, key: u64) -> impl Iterator<Item = u64> + '_ {
        self.pending.values().filter(move |(_, e)| e.key == key).map(|(at, _)| *at)
    }

    /// The outstanding invokes as indeterminate operations (reads dropped).
    pub(crate) fn outstanding(&self) -> impl Iterator<Item = Operation> + '_ {
        self.pending.values().filter(|(_, e)| e.f != Function::Read).map(|(at, e)| Operation {
            process: e.process,
            key: e.key,
            f: e.f,
            value: e.value,
            status: Status::Info,
            invoke_index: *at,
            return_index: None,
            invoke_time_us: e.time_us,
            return_time_us: None,
        })
    }
}

/// Puts operations in the order they were invoked. Each has its own invoke
/// event, so no two share an `invoke_index` and an unstable sort orders them
/// exactly as a stable one would; the checker's every sort by invocation
/// goes through here, so the browser's engine carries one copy of the sort
/// (a stable sort per call site cost its wasm ~7 KB each).
pub(crate) fn sort_by_invoke(ops: &mut [Operation]) {
    ops.sort_unstable_by_key(|o| o.invoke_index);
}

/// The operations of a whole history, in invoke order; unanswered invokes
/// count as indeterminate.
pub fn operations(events: &[Event], model: Model) -> Result<Vec<Operation>, HistoryError> {
    let mut pairing = Pairing::default();
    let mut ops = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if let Paired::Operation(op) = pairing.push(i as u64, e, model)? {
            ops.push(op);
        }
    }
    ops.extend(pairing.outstanding());
    sort_by_invoke(&mut ops);
    Ok(ops)
}
