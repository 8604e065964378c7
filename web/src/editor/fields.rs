//! Reading and writing one setting of a node or an edge, by the name the
//! engine's catalogue gives it.
//!
//! The inspector is generic: it asks the catalogue which fields a kind has
//! and edits them through the document's own JSON shape, so a field added to
//! the engine is editable without UI code. A value is applied only if it
//! deserialises and the whole document still validates; otherwise the
//! engine's message comes back for the inspector to show beside the field.

use faultline_sim::catalogue::FieldType;
use faultline_sim::scenario::{Arrival, Edge, Node, NodeKind};
use faultline_sim::Scenario;
use serde_json::Value;

// Values go through JSON text rather than `serde_json::Value`'s own
// (de)serializer: the text path is already in the bundle for documents, and a
// second monomorphised copy of every Deserialize impl costs hundreds of KB.
pub(crate) fn as_value<T: serde::Serialize>(x: &T) -> Option<Value> {
    serde_json::to_string(x).ok().and_then(|t| serde_json::from_str(&t).ok())
}

pub(crate) fn from_value<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, serde_json::Error> {
    serde_json::from_str(&v.to_string())
}

/// What the inspector is editing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Node(usize),
    Edge(usize),
}

/// The current value of `field` (`null` when unset).
pub fn current(doc: &Scenario, target: Target, field: &str) -> Value {
    let whole = match target {
        Target::Node(i) => doc.nodes.get(i).and_then(|n| as_value(&n.kind)),
        Target::Edge(i) => doc.edges.get(i).and_then(as_value),
    };
    whole.and_then(|v| v.get(field).cloned()).unwrap_or(Value::Null)
}

/// How a value is shown in its editor.
pub fn to_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => super::form::number_text(n),
        Value::Object(map) => {
            // The kind first, as people read it: {"type":"exponential","mean_ms":5}.
            let mut parts: Vec<String> = Vec::new();
            if let Some(t) = map.get("type") {
                parts.push(format!("\"type\":{t}"));
            }
            parts.extend(
                map.iter().filter(|(k, _)| *k != "type").map(|(k, v)| format!("{}:{v}", Value::from(k.as_str()))),
            );
            format!("{{{}}}", parts.join(","))
        }
        other => other.to_string(),
    }
}

/// Parses what the user typed for a field of type `ty`. Empty means unset.
pub fn parse(ty: FieldType, label: &str, text: &str) -> Result<Value, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Value::Null);
    }
    let number = |integer: bool, min: f64, max: f64| -> Result<Value, String> {
        let v: f64 = text.parse().map_err(|_| format!("{label}: \"{text}\" is not a number."))?;
        if !v.is_finite() {
            return Err(format!("{label}: must be a finite number."));
        }
        if integer && v.fract() != 0.0 {
            return Err(format!("{label}: must be a whole number."));
        }
        if v < min || v > max {
            return Err(format!("{label}: must be between {min} and {max} (got {v})."));
        }
        Ok(if integer { Value::from(v as u64) } else { Value::from(v) })
    };
    match ty {
        FieldType::Integer { min, max } | FieldType::OptionalInteger { min, max } => number(true, min, max),
        FieldType::Number { min, max } => number(false, min, max),
        FieldType::Flag => match text {
            "on" | "true" => Ok(Value::Bool(true)),
            "off" | "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{label}: on or off.")),
        },
        FieldType::Choice(options) => {
            if options.contains(&text) {
                Ok(Value::from(text))
            } else {
                Err(format!("{label}: choose one of {}.", options.join(", ")))
            }
        }
        _ => match serde_json::from_str::<Value>(text) {
            Ok(v) => Ok(v),
            // A bare word is a preset's name ("hystrix").
            Err(_) if text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => Ok(Value::from(text)),
            Err(e) => Err(format!("{label}: not valid JSON ({e}).")),
        },
    }
}

fn with_field(mut whole: Value, field: &str, value: Value) -> Value {
    if let Value::Object(map) = &mut whole {
        if value.is_null() {
            // Unset: the document's default applies (or `null` where that is the meaning).
            map.remove(field);
            if field == "timeout_ms" {
                map.insert(field.into(), Value::Null);
            }
        } else {
            map.insert(field.into(), value);
        }
    }
    whole
}

/// The document with `field` of `target` set to `value`, if the engine accepts it.
pub fn set(doc: &Scenario, target: Target, field: &str, label: &str, value: Value) -> Result<Scenario, String> {
    let mut next = doc.clone();
    let shape = |e: serde_json::Error| format!("{label}: {e}");
    match target {
        Target::Node(i) => {
            let node = next.nodes.get_mut(i).ok_or("That node no longer exists.")?;
            let whole = as_value(&node.kind).unwrap_or_default();
            node.kind = from_value::<NodeKind>(&with_field(whole, field, value)).map_err(shape)?;
        }
        Target::Edge(i) => {
            let edge = next.edges.get_mut(i).ok_or("That link no longer exists.")?;
            let whole = as_value(&*edge).unwrap_or_default();
            *edge = from_value::<Edge>(&with_field(whole, field, value)).map_err(shape)?;
        }
    }
    next.validate_draft().map_err(|e| e.to_string())?;
    Ok(next)
}

/// The document with node `i` changed by `change`, if still a valid draft.
fn edit_node(doc: &Scenario, i: usize, change: impl FnOnce(&mut Node)) -> Result<Scenario, String> {
    let mut next = doc.clone();
    change(next.nodes.get_mut(i).ok_or("That node no longer exists.")?);
    next.validate_draft().map_err(|e| e.to_string())?;
    Ok(next)
}

/// `text` trimmed, or `None` when that leaves nothing.
fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Renames node `i` (display name only; its id stays, so links keep working).
pub fn rename(doc: &Scenario, i: usize, name: &str) -> Result<Scenario, String> {
    edit_node(doc, i, |n| n.name = name.trim().to_string())
}

/// Moves node `i` into `region` (empty: no region).
pub fn set_region(doc: &Scenario, i: usize, region: &str) -> Result<Scenario, String> {
    edit_node(doc, i, |n| n.region = optional(region))
}

/// Moves node `i` into `zone` (empty: no zone).
pub fn set_zone(doc: &Scenario, i: usize, zone: &str) -> Result<Scenario, String> {
    edit_node(doc, i, |n| n.zone = optional(zone))
}

/// Sets workload `w`'s arrival process from its JSON text.
pub fn set_arrival(doc: &Scenario, w: usize, text: &str) -> Result<Scenario, String> {
    let arrival: Arrival = match text.trim().parse::<f64>() {
        // A bare number is a Poisson rate.
        Ok(rate_rps) => Arrival::Poisson { rate_rps },
        Err(_) => serde_json::from_str(text).map_err(|e| format!("Arrival: {e}"))?,
    };
    let mut next = doc.clone();
    next.workloads.get_mut(w).ok_or("That workload no longer exists.")?.arrival = arrival;
    next.validate_draft().map_err(|e| e.to_string())?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::catalogue::{kind_info, EDGE_FIELDS};
    use faultline_sim::slice_scenario;

    fn field(kind: &str, name: &str) -> FieldType {
        kind_info(kind).unwrap().fields.iter().find(|f| f.name == name).unwrap().ty
    }

    #[test]
    fn a_flag_reads_on_and_off_and_nothing_else() {
        let ty = field("cache", "coalesce");
        assert_eq!(parse(ty, "Coalesce", "on"), Ok(Value::Bool(true)));
        assert_eq!(parse(ty, "Coalesce", "off"), Ok(Value::Bool(false)));
        assert!(parse(ty, "Coalesce", "maybe").is_err());
    }

    #[test]
    fn a_valid_value_is_applied_and_read_back() {
        let doc = slice_scenario();
        let api = Target::Node(doc.node_index("api").unwrap());
        let v = parse(field("service", "workers"), "Workers", "12").unwrap();
        let next = set(&doc, api, "workers", "Workers", v).unwrap();
        assert_eq!(current(&next, api, "workers"), Value::from(12));
        assert_eq!(to_text(&current(&next, api, "workers")), "12");
    }

    #[test]
    fn out_of_range_and_malformed_values_are_refused_with_a_message() {
        let doc = slice_scenario();
        let api = Target::Node(doc.node_index("api").unwrap());
        let workers = field("service", "workers");
        assert!(parse(workers, "Workers", "0").unwrap_err().contains("between"));
        assert!(parse(workers, "Workers", "2.5").unwrap_err().contains("whole"));
        assert!(parse(workers, "Workers", "lots").unwrap_err().contains("not a number"));
        let bad =
            parse(field("service", "service_time"), "Service time", r#"{"type":"exponential","mean_ms":-1}"#).unwrap();
        let err = set(&doc, api, "service_time", "Service time", bad).unwrap_err();
        assert!(err.contains("service_time"), "the engine's message names the field: {err}");
        let unknown = parse(field("service", "service_time"), "Service time", r#"{"type":"teapot"}"#).unwrap();
        assert!(set(&doc, api, "service_time", "Service time", unknown).is_err());
    }

    #[test]
    fn edge_fields_set_and_unset() {
        let doc = slice_scenario();
        let e = Target::Edge(1);
        let breaker = EDGE_FIELDS.iter().find(|f| f.name == "breaker").unwrap();
        let v = parse(breaker.ty, breaker.label, "hystrix").unwrap();
        let next = set(&doc, e, "breaker", "Circuit breaker", v).unwrap();
        assert!(next.edges[1].breaker.is_some());
        let next = set(&next, e, "breaker", "Circuit breaker", Value::Null).unwrap();
        assert!(next.edges[1].breaker.is_none());
        let next = set(&next, e, "timeout_ms", "Timeout", Value::Null).unwrap();
        assert_eq!(next.edges[1].timeout_ms, None, "an empty timeout means wait forever");
    }

    #[test]
    fn arrival_takes_a_rate_or_json() {
        let doc = slice_scenario();
        let next = set_arrival(&doc, 0, "250").unwrap();
        assert_eq!(next.workloads[0].arrival, Arrival::Poisson { rate_rps: 250.0 });
        assert!(set_arrival(&doc, 0, "-5").is_err());
        assert!(set_arrival(&doc, 0, "{").is_err());
        assert_eq!(rename(&doc, 0, "  Shoppers ").unwrap().nodes[0].name, "Shoppers");
    }
}
