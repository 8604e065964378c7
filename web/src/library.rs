//! The incident library and starter architectures, shipped inside the page.
//!
//! The same files the CLI runs (`assets/scenarios/*.json`) are compiled in,
//! with the narratives of `assets/scenarios/library.json`, so a preset in the
//! browser is byte for byte the scenario `faultline run` reads. A test checks
//! that every library entry names a shipped file and that each one loads.

use crate::editor::layout::auto_layout;
use faultline_sim::Scenario;
use serde::Deserialize;

/// Every shipped scenario: (file stem, JSON text).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("autoscale-spike-after", include_str!("../../assets/scenarios/autoscale-spike-after.json")),
    ("autoscale-spike-before", include_str!("../../assets/scenarios/autoscale-spike-before.json")),
    ("cache-aside", include_str!("../../assets/scenarios/cache-aside.json")),
    ("cache-invalidation-race-after", include_str!("../../assets/scenarios/cache-invalidation-race-after.json")),
    ("cache-invalidation-race-before", include_str!("../../assets/scenarios/cache-invalidation-race-before.json")),
    ("cache-stampede-after", include_str!("../../assets/scenarios/cache-stampede-after.json")),
    ("cache-stampede-before", include_str!("../../assets/scenarios/cache-stampede-before.json")),
    ("connection-storm-after", include_str!("../../assets/scenarios/connection-storm-after.json")),
    ("connection-storm-before", include_str!("../../assets/scenarios/connection-storm-before.json")),
    ("cart-vs-inventory", include_str!("../../assets/scenarios/cart-vs-inventory.json")),
    ("cascade-after", include_str!("../../assets/scenarios/cascade-after.json")),
    ("cascade-before", include_str!("../../assets/scenarios/cascade-before.json")),
    ("fanout-gateway", include_str!("../../assets/scenarios/fanout-gateway.json")),
    ("flash-sale-after", include_str!("../../assets/scenarios/flash-sale-after.json")),
    ("flash-sale-before", include_str!("../../assets/scenarios/flash-sale-before.json")),
    ("hot-key-after", include_str!("../../assets/scenarios/hot-key-after.json")),
    ("hot-key-cache-after", include_str!("../../assets/scenarios/hot-key-cache-after.json")),
    ("hot-key-cache-before", include_str!("../../assets/scenarios/hot-key-cache-before.json")),
    ("hot-key-before", include_str!("../../assets/scenarios/hot-key-before.json")),
    ("hot-key-split", include_str!("../../assets/scenarios/hot-key-split.json")),
    ("idempotency-after", include_str!("../../assets/scenarios/idempotency-after.json")),
    ("idempotency-before", include_str!("../../assets/scenarios/idempotency-before.json")),
    ("lb-power-of-two", include_str!("../../assets/scenarios/lb-power-of-two.json")),
    ("lb-random", include_str!("../../assets/scenarios/lb-random.json")),
    ("mm1-rho-0.9", include_str!("../../assets/scenarios/mm1-rho-0.9.json")),
    ("mmc-8-rho-0.9", include_str!("../../assets/scenarios/mmc-8-rho-0.9.json")),
    ("noisy-neighbour-after", include_str!("../../assets/scenarios/noisy-neighbour-after.json")),
    ("noisy-neighbour-before", include_str!("../../assets/scenarios/noisy-neighbour-before.json")),
    ("queue-decoupling", include_str!("../../assets/scenarios/queue-decoupling.json")),
    ("read-heavy", include_str!("../../assets/scenarios/read-heavy.json")),
    ("region-partition", include_str!("../../assets/scenarios/region-partition.json")),
    ("resharding-mod-vs-consistent", include_str!("../../assets/scenarios/resharding-mod-vs-consistent.json")),
    ("retry-storm-after", include_str!("../../assets/scenarios/retry-storm-after.json")),
    ("retry-storm-before", include_str!("../../assets/scenarios/retry-storm-before.json")),
    ("slice", include_str!("../../assets/scenarios/slice.json")),
    ("three-tier", include_str!("../../assets/scenarios/three-tier.json")),
    ("phantom-deductions-before", include_str!("../../assets/scenarios/phantom-deductions-before.json")),
    ("phantom-deductions-after", include_str!("../../assets/scenarios/phantom-deductions-after.json")),
    ("outbox-before", include_str!("../../assets/scenarios/outbox-before.json")),
    ("outbox-after", include_str!("../../assets/scenarios/outbox-after.json")),
    ("consumer-rebalance", include_str!("../../assets/scenarios/consumer-rebalance.json")),
    ("replica-lag-before", include_str!("../../assets/scenarios/replica-lag-before.json")),
    ("replica-lag-after", include_str!("../../assets/scenarios/replica-lag-after.json")),
];

const LIBRARY: &str = include_str!("../../assets/scenarios/library.json");

/// One entry of the library, as `library.json` writes it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Entry {
    pub name: String,
    pub title: String,
    /// "incident", "starter" or "theory".
    pub group: String,
    pub summary: String,
    pub happens: String,
    pub look: String,
    #[serde(rename = "try")]
    pub try_next: String,
    pub before: String,
    pub after: Option<String>,
}

/// The library, in the order a learner should meet it.
pub fn entries() -> Vec<Entry> {
    serde_json::from_str(LIBRARY).unwrap_or_default()
}

/// The shipped scenario `name`, laid out for the canvas if its file has no positions.
pub fn scenario(name: &str) -> Result<Scenario, String> {
    let (_, text) = SCENARIOS.iter().find(|(n, _)| *n == name).ok_or_else(|| format!("No preset named \"{name}\"."))?;
    let mut doc = Scenario::from_json(text).map_err(|e| format!("Preset {name} is invalid: {e}"))?;
    auto_layout(&mut doc);
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_loads_and_every_shipped_file_is_compiled_in() {
        let list = entries();
        assert!(list.len() >= 10, "{} entries", list.len());
        for e in &list {
            scenario(&e.before).unwrap();
            if let Some(after) = &e.after {
                scenario(after).unwrap();
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/scenarios");
        for f in std::fs::read_dir(dir).unwrap() {
            let name = f.unwrap().file_name().into_string().unwrap();
            if let Some(stem) = name.strip_suffix(".json").filter(|s| *s != "library") {
                assert!(SCENARIOS.iter().any(|(n, _)| *n == stem), "{stem}.json is not compiled into the page");
            }
        }
    }

    #[test]
    fn presets_without_positions_are_laid_out_without_overlap() {
        for (name, _) in SCENARIOS {
            let doc = scenario(name).unwrap();
            for (i, a) in doc.nodes.iter().enumerate() {
                for b in &doc.nodes[i + 1..] {
                    assert!(
                        (a.x - b.x).abs() >= 100.0 || (a.y - b.y).abs() >= 100.0,
                        "{name}: {} and {} overlap",
                        a.id,
                        b.id
                    );
                }
            }
        }
    }
}
