//! `faultline compare`: the two sides are exactly what `faultline run`
//! prints for each design, and the table marks the cascade's fix as better
//! where the preset's story says it is.

mod common;

use common::{faultline, text};

fn run_json(path: &str) -> serde_json::Value {
    let out = faultline(&["run", path, "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn compare_equals_two_separate_runs() {
    let (before, after) = ("assets/scenarios/cascade-before.json", "assets/scenarios/cascade-after.json");
    let out = faultline(&["compare", before, after, "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (side, path) in [("a", before), ("b", after)] {
        let got = &c[side]["Ok"]["summary"];
        let run = run_json(path);
        assert_eq!(got["trace_hash"], run["trace_hash"], "{path}");
        assert_eq!(got["requests"], run["requests"], "{path}");
        assert_eq!(got["latency_ms"], run["latency_ms"], "{path}");
        assert_eq!(got["failed_latency_ms"], run["failed_latency_ms"], "{path}");
        assert_eq!(got["ops"], run["ops"], "{path}");
    }
    assert_eq!(c["skipped"], serde_json::json!([]));
}

#[test]
fn the_table_shows_the_difference_with_its_direction() {
    let out =
        faultline(&["compare", "assets/scenarios/cascade-before.json", "assets/scenarios/cascade-after.json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("A: Cascade: B slows down tenfold"), "{table}");
    assert!(table.contains("seed 11 and A's fault timeline"), "{table}");
    let catalog = table.split("operation catalog").nth(1).unwrap_or_else(|| panic!("{table}"));
    let success = catalog.lines().find(|l| l.trim_start().starts_with("success rate")).unwrap();
    assert!(success.ends_with("better") && success.contains('+'), "{success}");
    let p99 = catalog.lines().find(|l| l.trim_start().starts_with("p99 latency")).unwrap();
    assert!(p99.ends_with("better") && p99.contains('−'), "{p99}");
}

#[test]
fn a_fault_b_cannot_take_is_reported_and_a_broken_side_fails() {
    let out = faultline(&["compare", "assets/scenarios/cascade-before.json", "assets/scenarios/slice.json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("Not in B, skipped for B: fault at 10000 ms"), "{table}");
    let out = faultline(&["compare", "-", "assets/scenarios/slice.json"], Some("{\"nodes\": 3}"));
    assert!(!out.status.success());
}
