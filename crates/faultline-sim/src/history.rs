//! Operation histories: what clients asked a key-value store and what came
//! back, in the shape Jepsen, Knossos and Porcupine use.
//!
//! A history is a list of events in real-time order. Each operation appears
//! twice: an `invoke` when a client process sends it, then a completion from
//! the same process: `ok` (it happened, with the value read), `fail` (it
//! certainly did not happen) or `info` (indeterminate: it timed out, so it
//! may or may not have taken effect). A process has at most one operation
//! outstanding. The store node records its clients' operations this way, the
//! linearizability checker reads them, and the CLI reads and writes them as
//! JSON lines:
//!
//! ```json
//! {"process": 1, "type": "invoke", "f": "write", "key": 3, "value": 7}
//! {"process": 1, "type": "ok", "f": "write", "key": 3, "value": 7}
//! {"process": 2, "type": "invoke", "f": "cas", "key": 3, "value": [7, 8]}
//! {"process": 2, "type": "fail", "f": "cas", "key": 3, "value": [7, 8]}
//! ```
//!
//! A read's invoke carries `null`; its `ok` carries the value read (`null`
//! for a key never written). A compare-and-set carries `[expected, new]`.

use serde::{Deserialize, Serialize};

/// What kind of history event this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    /// The operation was sent.
    Invoke,
    /// It completed and took effect.
    Ok,
    /// It completed and certainly did not take effect.
    Fail,
    /// Its outcome is unknown (a timeout): it may take effect at any time
    /// after its invoke, or never.
    Info,
}

/// The operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Function {
    Read,
    Write,
    /// Compare-and-set: write `new` only if the value is `expected`.
    Cas,
}

/// A value carried by an event: nothing (a read's invoke, or a read of a
/// never-written key), one number (a write, or a value read), or a pair
/// (a compare-and-set's expected and new values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(untagged)]
pub enum Value {
    #[default]
    None,
    One(i64),
    Pair(i64, i64),
}

/// One history event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The client process; at most one operation outstanding per process.
    pub process: u64,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub f: Function,
    /// The key it addresses; histories of one register leave it out.
    #[serde(default)]
    pub key: u64,
    #[serde(default)]
    pub value: Value,
    /// Simulated time in microseconds, when the engine recorded it (informational:
    /// the order of events in the history is what counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_us: Option<u64>,
}

/// Reads a history from JSON lines (blank lines skipped). An error names the
/// line and what is wrong with it.
pub fn parse_json_lines(text: &str) -> Result<Vec<Event>, String> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let event: Event = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        events.push(event);
    }
    Ok(events)
}

/// Writes a history as JSON lines, one event per line.
pub fn to_json_lines(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        // An `Event` always serialises: it has no maps with non-string keys.
        out.push_str(&serde_json::to_string(e).unwrap_or_default());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_round_trip() {
        let text = r#"{"process": 1, "type": "invoke", "f": "write", "key": 3, "value": 7}
{"process": 1, "type": "ok", "f": "write", "key": 3, "value": 7}

{"process": 2, "type": "invoke", "f": "cas", "value": [7, 8]}
{"process": 2, "type": "info", "f": "cas", "value": [7, 8]}
{"process": 3, "type": "invoke", "f": "read", "value": null}
{"process": 3, "type": "ok", "f": "read"}
"#;
        let events = parse_json_lines(text).unwrap();
        assert_eq!(events.len(), 6);
        assert_eq!(events[2].value, Value::Pair(7, 8));
        assert_eq!(events[2].key, 0);
        assert_eq!(events[3].kind, EventType::Info);
        assert_eq!(events[5].value, Value::None);
        assert_eq!(parse_json_lines(&to_json_lines(&events)).unwrap(), events);
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = parse_json_lines("{\"process\": 1, \"type\": \"invoke\", \"f\": \"read\"}\n{\"process\": 1, \"type\": \"done\", \"f\": \"read\"}").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }
}
