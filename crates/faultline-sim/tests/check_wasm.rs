//! The linearizability checker gives the same verdicts and step counts in
//! wasm32 (the page) as natively: the search uses no floats and its hashing
//! only finds entries, so nothing may differ.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use faultline_sim::check::{check_history, Limits, Model, Verdict};
use faultline_sim::history::parse_json_lines;

/// (history, linearizable?, search steps as counted natively).
const CASES: [(&str, bool, u64); 3] = [
    (include_str!("histories/etcd_002.jsonl"), true, 147_711),
    (include_str!("histories/etcd_057.jsonl"), false, 119_000),
    (include_str!("histories/etcd_099.jsonl"), false, 74_739),
];

#[test]
fn published_histories_same_verdict_and_steps_on_every_target() {
    for (text, linearizable, steps) in CASES {
        let report = check_history(&parse_json_lines(text).unwrap(), Model::CasRegister, &Limits::default()).unwrap();
        assert_eq!(matches!(report.verdict, Verdict::Linearizable), linearizable);
        assert_eq!(report.steps, steps);
    }
}
