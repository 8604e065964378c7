//! Tests across crates: the shipped scenario files against the engine.

use faultline_sim::{slice_scenario, Scenario, Sim};
use faultline_tests::{repo_root, shipped_scenarios};

mod hot_keys;
mod library;

#[test]
fn the_slice_file_is_the_scenario_the_page_runs() {
    let path = repo_root().join("assets/scenarios/slice.json");
    let expected = slice_scenario().to_json_pretty() + "\n";
    if std::env::var_os("FAULTLINE_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, expected, "assets/scenarios/slice.json is stale: rerun with FAULTLINE_BLESS=1");
}

#[test]
fn every_shipped_scenario_is_valid_and_runs() {
    let files = shipped_scenarios();
    assert!(!files.is_empty());
    // library.json is the playground's list of presets, not a scenario.
    for path in files.into_iter().filter(|p| !p.ends_with("library.json")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut s = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        s.duration_ms = s.duration_ms.min(2_000);
        let mut sim = Sim::new(&s).unwrap();
        sim.run();
        assert!(sim.totals().balanced(), "{}", path.display());
        assert!(sim.totals().generated > 0, "{} generates no load", path.display());
    }
}
