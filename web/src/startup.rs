//! The document the page opens with.
//!
//! `?generate=N` builds an N-node layered topology (the frame-time benchmark
//! uses it); otherwise the built-in slice.

use faultline_sim::scenario::generated::layered;
use faultline_sim::{slice_scenario, Scenario};

/// Largest topology `?generate=` builds.
pub const MAX_GENERATED: u32 = 2_000;

/// The value of query parameter `name`, if present.
pub fn query_param(name: &str) -> Option<String> {
    let search = gloo::utils::window().location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| v.to_string())
    })
}

pub fn initial_doc() -> Scenario {
    if let Some(n) = query_param("generate").and_then(|v| v.parse::<u32>().ok()) {
        let mut doc = layered(n.clamp(6, MAX_GENERATED), 2, 1, 600_000);
        doc.name = format!("Generated: {} nodes", doc.nodes.len());
        return doc;
    }
    slice_scenario()
}
