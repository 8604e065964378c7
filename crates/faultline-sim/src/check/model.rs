//! The sequential specification: one register, read/write/compare-and-set.
//!
//! The search asks it one question: in this state, may this operation take
//! effect, and what is the state after? Keeping it this small is what lets the
//! search memoize on (operations taken, state).

use super::ops::Operation;
use crate::history::{Function, Value};
use serde::Serialize;

/// A register's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "is", content = "value")]
pub enum RegisterState {
    /// Never written: reads return `null`.
    Null,
    Value(i64),
    /// Whatever operations dropped from an incremental window left behind:
    /// the first operation that looks at it decides (only a window's start).
    Any,
}

impl RegisterState {
    fn of(v: Value) -> RegisterState {
        match v {
            Value::One(x) => RegisterState::Value(x),
            _ => RegisterState::Null,
        }
    }

    /// Two words for the memo table.
    pub(crate) fn words(self) -> [u64; 2] {
        match self {
            RegisterState::Null => [0, 0],
            RegisterState::Value(v) => [1, v as u64],
            RegisterState::Any => [2, 0],
        }
    }
}

impl std::fmt::Display for RegisterState {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegisterState::Null => write!(out, "null"),
            RegisterState::Value(v) => write!(out, "{v}"),
            RegisterState::Any => write!(out, "any earlier value"),
        }
    }
}

/// Whether `op` may take effect in `state`, and the state after it.
/// `ghosts` are values that indeterminate writes dropped from an incremental
/// window may put in the register at any moment (sorted; empty for a whole history):
/// a read of one, or a compare against one, is always allowed.
pub(crate) fn step(state: RegisterState, op: &Operation, ghosts: &[i64]) -> Option<RegisterState> {
    let matches = |expected: RegisterState| {
        state == expected
            || state == RegisterState::Any
            || matches!(expected, RegisterState::Value(v) if ghosts.binary_search(&v).is_ok())
    };
    match (op.f, op.value) {
        (Function::Read, v) => {
            let seen = RegisterState::of(v);
            matches(seen).then_some(seen)
        }
        (Function::Write, v) => Some(RegisterState::of(v)),
        (Function::Cas, Value::Pair(expected, new)) => {
            matches(RegisterState::Value(expected)).then_some(RegisterState::Value(new))
        }
        (Function::Cas, _) => None,
    }
}
