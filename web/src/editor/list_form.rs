//! A service's calls and bulkheads as lists of rows: each row's inputs, a
//! new row with sensible values, and removing a row.
//!
//! Both lists refer to other nodes, so their choices come from the design:
//! a call can go only where a link goes (the engine refuses a call without
//! one), and a bulkhead can pool only dependencies the service calls. The
//! results go through `fields::set` like any edit, so the engine still has
//! the last word (a dependency in two bulkheads, say).

use super::fields::{as_value, from_value};
use super::form::{self, Member};
use faultline_sim::scenario::{Bulkhead, DownstreamCall};
use faultline_sim::Scenario;
use serde_json::Value;

/// The nodes node `node` has links to, in link order: where its calls can go.
pub fn targets(doc: &Scenario, node: usize) -> Vec<String> {
    let Some(n) = doc.nodes.get(node) else { return Vec::new() };
    doc.edges.iter().filter(|e| e.from == n.id).map(|e| e.to.clone()).collect()
}

/// The calls in a `calls` value.
pub fn calls(value: &Value) -> Vec<DownstreamCall> {
    from_value(value).unwrap_or_default()
}

/// The distinct nodes called, in call order: what bulkheads can pool.
pub fn called(calls: &[DownstreamCall]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in calls {
        if !out.contains(&c.to) {
            out.push(c.to.clone());
        }
    }
    out
}

/// A call's operations as shown: `orders, payments` (empty: every operation).
pub fn ops_text(call: &DownstreamCall) -> String {
    call.ops.join(", ")
}

fn list<T: serde::Serialize>(items: &[T]) -> Value {
    as_value(&items).unwrap_or(Value::Array(Vec::new()))
}

/// `value` with call `i` going to `to`.
pub fn set_call_to(value: &Value, i: usize, to: &str) -> Value {
    let mut all = calls(value);
    if let Some(c) = all.get_mut(i) {
        c.to = to.to_string();
    }
    list(&all)
}

/// `value` with call `i` made by the operations in `text` (comma-separated).
pub fn set_call_ops(value: &Value, i: usize, text: &str) -> Value {
    let mut all = calls(value);
    if let Some(c) = all.get_mut(i) {
        c.ops = text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    }
    list(&all)
}

/// `value` with one more call: to the first target not called yet (or the
/// first target), for every operation. `None` when there is no link to call over.
pub fn add_call(value: &Value, targets: &[String]) -> Option<Value> {
    let mut all = calls(value);
    let to = targets.iter().find(|t| !all.iter().any(|c| &c.to == *t)).or(targets.first())?;
    all.push(DownstreamCall { to: to.clone(), ops: Vec::new() });
    Some(list(&all))
}

/// `value` (a list) without entry `i`.
pub fn remove(value: &Value, i: usize) -> Value {
    let mut items = value.as_array().cloned().unwrap_or_default();
    if i < items.len() {
        items.remove(i);
    }
    Value::Array(items)
}

/// The bulkheads in a `bulkheads` value.
pub fn bulkheads(value: &Value) -> Vec<Bulkhead> {
    from_value(value).unwrap_or_default()
}

/// A bulkhead's numbers, as inputs.
pub const BULKHEAD: &[Member] = &[
    Member::integer("max_concurrent", "Max concurrent", "calls", "Calls in progress at once: at least 1."),
    Member::number("max_wait_ms", "Max wait", "ms", "For a free slot; 0 rejects at once."),
];

/// `value` with bulkhead `i` pooling (`on`) or not pooling `to`.
pub fn set_pooled(value: &Value, i: usize, to: &str, on: bool) -> Value {
    let mut all = bulkheads(value);
    if let Some(b) = all.get_mut(i) {
        b.to.retain(|t| t != to);
        if on {
            b.to.push(to.to_string());
        }
    }
    list(&all)
}

/// `value` with `member` of bulkhead `i` set from `text`.
pub fn set_bulkhead(value: &Value, i: usize, member: &Member, field: &str, text: &str) -> Result<Value, String> {
    let mut items = value.as_array().cloned().unwrap_or_default();
    let Some(item) = items.get_mut(i) else { return Ok(value.clone()) };
    *item = form::write(item.take(), member, field, text)?;
    Ok(Value::Array(items))
}

/// `value` with one more bulkhead: for the first called node no bulkhead
/// pools yet, with half of the service's `workers`, rejecting at once when full.
pub fn add_bulkhead(value: &Value, called: &[String], workers: u32) -> Value {
    let mut all = bulkheads(value);
    let free = called.iter().find(|t| !all.iter().any(|b| b.to.contains(t)));
    all.push(Bulkhead {
        to: free.cloned().into_iter().collect(),
        max_concurrent: (workers / 2).max(1),
        max_wait_ms: 0.0,
    });
    list(&all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::fields::{self, Target};
    use faultline_sim::scenario::{Edge, NodeKind};
    use faultline_sim::slice_scenario;
    use serde_json::json;

    /// The slice with a cache next to the database, which the API may call too.
    fn doc() -> (Scenario, usize) {
        let mut doc = slice_scenario();
        let mut cache = doc.nodes[2].clone();
        cache.id = "cache".into();
        doc.nodes.push(cache);
        doc.edges.push(Edge::new("api", "cache"));
        let api = doc.node_index("api").unwrap();
        (doc, api)
    }

    #[test]
    fn calls_go_where_links_go() {
        let (doc, api) = doc();
        assert_eq!(targets(&doc, api), ["db", "cache"]);
        let value = fields::current(&doc, Target::Node(api), "calls");
        let more = add_call(&value, &targets(&doc, api)).unwrap();
        assert_eq!(more, json!([{"to": "db"}, {"to": "cache"}]), "the next call goes where none goes yet");
        let next = fields::set(&doc, Target::Node(api), "calls", "Calls", more.clone()).unwrap();
        assert_eq!(calls(&fields::current(&next, Target::Node(api), "calls")).len(), 2);
        assert_eq!(add_call(&json!([]), &[]), None, "no link, no call");
        let ops = set_call_ops(&more, 1, " orders,, payments ");
        assert_eq!(ops[1]["ops"], json!(["orders", "payments"]));
        assert_eq!(ops_text(&calls(&ops)[1]), "orders, payments");
        assert_eq!(set_call_to(&ops, 1, "db")[1]["to"], json!("db"));
        assert_eq!(remove(&ops, 0), json!([{"to": "cache", "ops": ["orders", "payments"]}]));
    }

    #[test]
    fn a_call_without_a_link_is_refused_by_the_engine() {
        let (doc, api) = doc();
        let value = json!([{"to": "client"}]);
        let err = fields::set(&doc, Target::Node(api), "calls", "Calls", value).unwrap_err();
        assert!(err.contains("no edge"), "{err}");
    }

    #[test]
    fn bulkheads_pool_called_nodes() {
        let (doc, api) = doc();
        let both = add_call(&fields::current(&doc, Target::Node(api), "calls"), &targets(&doc, api)).unwrap();
        let doc = fields::set(&doc, Target::Node(api), "calls", "Calls", both).unwrap();
        let pooled = called(&calls(&fields::current(&doc, Target::Node(api), "calls")));
        assert_eq!(pooled, ["db", "cache"]);
        let one = add_bulkhead(&json!([]), &pooled, 8);
        let two = add_bulkhead(&one, &pooled, 8);
        assert_eq!(
            two,
            json!([{"to": ["db"], "max_concurrent": 4, "max_wait_ms": 0.0}, {"to": ["cache"], "max_concurrent": 4, "max_wait_ms": 0.0}])
        );
        let next = fields::set(&doc, Target::Node(api), "bulkheads", "Bulkheads", two.clone()).unwrap();
        match &next.nodes[api].kind {
            NodeKind::Service(s) => assert_eq!(s.bulkheads.len(), 2),
            k => panic!("{k:?}"),
        }
        // The engine refuses a dependency in two pools, with its message.
        let twice = set_pooled(&two, 1, "db", true);
        assert_eq!(bulkheads(&twice)[1].to, ["cache", "db"]);
        let err = fields::set(&doc, Target::Node(api), "bulkheads", "Bulkheads", twice).unwrap_err();
        assert!(err.contains("already in another bulkhead"), "{err}");
        assert_eq!(bulkheads(&set_pooled(&two, 0, "db", false))[0].to, Vec::<String>::new());
        let wait = set_bulkhead(&two, 0, &BULKHEAD[1], "Bulkheads", "25").unwrap();
        assert_eq!(wait[0]["max_wait_ms"], json!(25.0));
        assert!(set_bulkhead(&two, 0, &BULKHEAD[0], "Bulkheads", "1.5").is_err());
        assert_eq!(bulkheads(&remove(&two, 0))[0].to, ["cache"]);
    }
}
