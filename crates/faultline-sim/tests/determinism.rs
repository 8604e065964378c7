//! Same scenario + seed = same run, on every target, bit for bit.
//!
//! This file runs twice in the test command: natively, and compiled to wasm32
//! in headless Chromium (wasm-bindgen-test). Both must produce the golden trace
//! hashes below, so the browser and the CLI provably agree.

mod common;

use faultline_sim::{slice_scenario, Scenario, Sim};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Reference scenarios and the trace hash, event count and successful
/// requests each must produce. Changing the engine's behaviour changes these
/// on purpose only: update them in the same commit and say why.
fn references() -> Vec<(&'static str, Scenario, &'static str, u64, u64)> {
    let mut slice = slice_scenario();
    slice.duration_ms = 20_000;
    vec![
        ("slice 20 s", slice, GOLDEN_SLICE.0, GOLDEN_SLICE.1, GOLDEN_SLICE.2),
        ("M/M/4 rho 0.9", common::mmc(4, 0.9, 10.0, 60_000, 7), GOLDEN_MMC.0, GOLDEN_MMC.1, GOLDEN_MMC.2),
    ]
}

const GOLDEN_SLICE: (&str, u64, u64) = ("73c7719d47902399", 56747, 8106);
const GOLDEN_MMC: (&str, u64, u64) = ("0e1becdf5c401c4e", 85996, 21498);

fn run(s: &Scenario) -> (String, u64, u64) {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    let r = sim.report();
    (r.trace_hash, r.events, r.requests.ok)
}

#[test]
fn reference_runs_match_their_golden_trace_hashes() {
    for (name, scenario, hash, events, ok) in references() {
        let got = run(&scenario);
        assert_eq!(got, (hash.to_string(), events, ok), "{name}: (trace_hash, events, ok) changed");
    }
}

#[test]
fn the_same_seed_twice_gives_the_same_run_and_another_seed_differs() {
    let mut s = slice_scenario();
    s.duration_ms = 5_000;
    let a = run(&s);
    assert_eq!(a, run(&s));
    s.seed += 1;
    assert_ne!(a.0, run(&s).0);
}

#[test]
fn stepping_in_slices_gives_the_same_run_as_one_go() {
    // The browser advances frame by frame; the CLI runs in one call.
    let mut s = slice_scenario();
    s.duration_ms = 5_000;
    let whole = run(&s);
    let mut sim = Sim::new(&s).unwrap();
    let mut t = 0;
    while !sim.is_finished() {
        t += 16_667;
        sim.step_until(faultline_sim::SimTime(t));
    }
    let r = sim.report();
    assert_eq!((r.trace_hash, r.events, r.requests.ok), whole);
}

/// Zipf keys are drawn with libm's logarithms and exponentials, which must
/// agree bit for bit between targets (the reference runs use uniform keys).
#[test]
fn zipf_keys_are_the_same_on_every_target() {
    use faultline_sim::keys::KeySampler;
    use faultline_sim::rng::{mix64, stream, StreamKind};
    use faultline_sim::scenario::Keys;
    let mut h = 0u64;
    for (i, (count, s)) in [(1_000_000u64, 1.0), (1_000_000, 0.7), (u64::MAX, 1.2), (10, 3.0), (5_000_000_000, 0.0)]
        .into_iter()
        .enumerate()
    {
        let k = KeySampler::new(&Keys::Zipf { count, s });
        let mut rng = stream(42, StreamKind::Workload, i as u32);
        for _ in 0..20_000 {
            h = mix64(h ^ k.sample(&mut rng));
        }
    }
    assert_eq!(format!("{h:016x}"), GOLDEN_ZIPF_KEYS);
}

const GOLDEN_ZIPF_KEYS: &str = "88c6adb4bb8aaead";
