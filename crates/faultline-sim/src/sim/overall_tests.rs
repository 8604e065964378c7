//! With a single client node the overall metrics are the client's own
//! (`Sim::overall_metrics`): the same numbers, window by window, as counting
//! them apart, on every shipped scenario with one client.

use super::Sim;
use crate::scenario::Scenario;

/// Everything the overall metrics answer, as one comparable value.
fn readout(sim: &Sim) -> String {
    let m = sim.overall_metrics();
    let qs = [0.0, 0.5, 0.9, 0.99, 0.999, 1.0];
    format!(
        "{} {} {} {:?} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        m.arrivals,
        m.ok,
        m.degraded,
        m.failed,
        m.latency_sum_us,
        m.quantiles_us(qs),
        m.failed_quantiles_us(qs),
        m.failed_mean_us().to_bits(),
        m.series().collect::<Vec<_>>(),
        m.cause_series(),
        m.open_window_causes(),
        sim.view().overall,
        sim.report(),
    )
}

#[test]
fn one_client_counts_the_overall_metrics_once_with_the_same_numbers() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/scenarios");
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).expect("the shipped scenarios") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let Ok(mut scenario) = serde_json::from_str::<Scenario>(&text) else { continue };
        // Long enough for windows, faults and failures; short enough for a unit test.
        scenario.duration_ms = scenario.duration_ms.min(40_000);
        let mut shared = Sim::new(&scenario).expect("a shipped scenario is valid");
        if shared.overall_node.is_none() {
            continue;
        }
        let mut apart = shared.clone();
        apart.overall_node = None;
        // Stop in the middle of a window too: the open window must agree.
        for t in [12_345_678, scenario.duration_ms * 1_000] {
            shared.step_until(crate::time::SimTime(t));
            apart.step_until(crate::time::SimTime(t));
            assert_eq!(readout(&shared), readout(&apart), "{} at {t} us", path.display());
        }
        assert_eq!(shared.trace_hash(), apart.trace_hash());
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} single-client scenarios compared");
}
