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

/// Every scenario shipped with the playground, run for its first 30 s.
const SHIPPED: &[(&str, &str)] = &[
    ("autoscale-spike-after", include_str!("../../../assets/scenarios/autoscale-spike-after.json")),
    ("autoscale-spike-before", include_str!("../../../assets/scenarios/autoscale-spike-before.json")),
    ("cache-aside", include_str!("../../../assets/scenarios/cache-aside.json")),
    ("cache-stampede-after", include_str!("../../../assets/scenarios/cache-stampede-after.json")),
    ("cache-stampede-before", include_str!("../../../assets/scenarios/cache-stampede-before.json")),
    ("connection-storm-after", include_str!("../../../assets/scenarios/connection-storm-after.json")),
    ("connection-storm-before", include_str!("../../../assets/scenarios/connection-storm-before.json")),
    ("cascade-after", include_str!("../../../assets/scenarios/cascade-after.json")),
    ("cascade-before", include_str!("../../../assets/scenarios/cascade-before.json")),
    ("fanout-gateway", include_str!("../../../assets/scenarios/fanout-gateway.json")),
    ("flash-sale-after", include_str!("../../../assets/scenarios/flash-sale-after.json")),
    ("cart-vs-inventory", include_str!("../../../assets/scenarios/cart-vs-inventory.json")),
    ("flash-sale-before", include_str!("../../../assets/scenarios/flash-sale-before.json")),
    ("hot-key-after", include_str!("../../../assets/scenarios/hot-key-after.json")),
    ("hot-key-cache-after", include_str!("../../../assets/scenarios/hot-key-cache-after.json")),
    ("hot-key-cache-before", include_str!("../../../assets/scenarios/hot-key-cache-before.json")),
    ("hot-key-before", include_str!("../../../assets/scenarios/hot-key-before.json")),
    ("hot-key-split", include_str!("../../../assets/scenarios/hot-key-split.json")),
    ("idempotency-after", include_str!("../../../assets/scenarios/idempotency-after.json")),
    ("idempotency-before", include_str!("../../../assets/scenarios/idempotency-before.json")),
    ("lb-hot-key-after", include_str!("../../../assets/scenarios/lb-hot-key-after.json")),
    ("lb-hot-key-before", include_str!("../../../assets/scenarios/lb-hot-key-before.json")),
    ("lb-power-of-two", include_str!("../../../assets/scenarios/lb-power-of-two.json")),
    ("lb-random", include_str!("../../../assets/scenarios/lb-random.json")),
    ("mm1-rho-0.9", include_str!("../../../assets/scenarios/mm1-rho-0.9.json")),
    ("mmc-8-rho-0.9", include_str!("../../../assets/scenarios/mmc-8-rho-0.9.json")),
    ("noisy-neighbour-after", include_str!("../../../assets/scenarios/noisy-neighbour-after.json")),
    ("noisy-neighbour-before", include_str!("../../../assets/scenarios/noisy-neighbour-before.json")),
    ("queue-decoupling", include_str!("../../../assets/scenarios/queue-decoupling.json")),
    ("read-heavy", include_str!("../../../assets/scenarios/read-heavy.json")),
    ("region-partition", include_str!("../../../assets/scenarios/region-partition.json")),
    ("resharding-mod-vs-consistent", include_str!("../../../assets/scenarios/resharding-mod-vs-consistent.json")),
    ("retry-storm-after", include_str!("../../../assets/scenarios/retry-storm-after.json")),
    ("retry-storm-before", include_str!("../../../assets/scenarios/retry-storm-before.json")),
    ("slice", include_str!("../../../assets/scenarios/slice.json")),
    ("three-tier", include_str!("../../../assets/scenarios/three-tier.json")),
    ("phantom-deductions-before", include_str!("../../../assets/scenarios/phantom-deductions-before.json")),
    ("phantom-deductions-after", include_str!("../../../assets/scenarios/phantom-deductions-after.json")),
    ("outbox-before", include_str!("../../../assets/scenarios/outbox-before.json")),
    ("outbox-after", include_str!("../../../assets/scenarios/outbox-after.json")),
    ("consumer-rebalance", include_str!("../../../assets/scenarios/consumer-rebalance.json")),
    ("replica-lag-before", include_str!("../../../assets/scenarios/replica-lag-before.json")),
    ("replica-lag-after", include_str!("../../../assets/scenarios/replica-lag-after.json")),
];

/// The reference runs: the slice, an M/M/4, a scenario that uses every
/// distribution, Zipf keys, every fault kind, retries with every jitter,
/// breakers, bulkheads, a rate limit, fallbacks and a queue
/// (`reference/everything.json`), and every shipped scenario.
fn references() -> Vec<(String, Scenario)> {
    let mut slice = slice_scenario();
    slice.duration_ms = 20_000;
    let mut out = vec![
        ("slice 20 s".to_string(), slice),
        ("M/M/4 rho 0.9".to_string(), common::mmc(4, 0.9, 10.0, 60_000, 7)),
        ("everything".to_string(), parse(include_str!("reference/everything.json"))),
    ];
    for (name, json) in SHIPPED {
        let mut s = parse(json);
        s.duration_ms = s.duration_ms.min(30_000);
        out.push((name.to_string(), s));
    }
    // The connection storm with its deploy early enough to run: crash loops,
    // refused connections and a stalled rollout, on every target.
    let mut storm = parse(include_str!("../../../assets/scenarios/connection-storm-before.json"));
    storm.faults[0].at_ms = 5_000;
    storm.duration_ms = 25_000;
    out.push(("connection storm, deploy at 5 s".to_string(), storm));
    // The autoscaled spike with its spike early enough to scale up (and its
    // new instances open their pools) within the run, on every target.
    let mut spike = parse(include_str!("../../../assets/scenarios/autoscale-spike-after.json"));
    spike.faults[0].at_ms = 5_000;
    spike.duration_ms = 45_000;
    out.push(("autoscale spike at 5 s".to_string(), spike));
    out
}

fn parse(json: &str) -> Scenario {
    serde_json::from_str(json).expect("a reference scenario parses")
}

/// (name, trace hash, events, successful requests) of each reference run.
/// Changing the engine's behaviour changes these on purpose only: update them
/// in the same commit and say why (the failing test prints the new table).
const GOLDEN: &[(&str, &str, u64, u64)] = &[
    ("slice 20 s", "88e048ccb238094a", 55784, 7967),
    ("M/M/4 rho 0.9", "b2e91dad3d3db92e", 43148, 21555),
    ("everything", "a4c5eda9e2f8d275", 76025, 3956),
    ("autoscale-spike-after", "ec2245514193d04d", 96529, 12145),
    ("autoscale-spike-before", "16138161144e9b8b", 96527, 12145),
    ("cache-aside", "15e86a4447740222", 487402, 44775),
    ("cache-stampede-after", "de27f30d31fd99cd", 5104, 599),
    ("cache-stampede-before", "4d66ea9486bc5de7", 5383, 562),
    ("connection-storm-after", "6b30d9ab0048c4d3", 555941, 65708),
    ("connection-storm-before", "94fdc8ed2951420f", 543870, 65775),
    ("cascade-after", "b9247423b9db1d00", 28133, 4018),
    ("cascade-before", "8370dabedae237a4", 27805, 3963),
    ("fanout-gateway", "1cbb644b2b997646", 179508, 9010),
    ("flash-sale-after", "de8e9a867e461511", 29344, 3858),
    ("cart-vs-inventory", "c7646da667585249", 35470, 3372),
    ("flash-sale-before", "e0c433d5588e16d5", 22237, 4531),
    ("hot-key-after", "d2126d718ecc44e8", 463839, 66257),
    ("hot-key-cache-after", "b2d83daa36294d86", 570140, 66157),
    ("hot-key-cache-before", "f05be7f315cc1f8d", 351368, 38450),
    ("hot-key-before", "07ab7231b34aa344", 351236, 38342),
    ("hot-key-split", "eb68b0a6f6b51213", 463839, 66257),
    ("idempotency-after", "8e03583135b2a490", 32568, 5946),
    ("idempotency-before", "8e03583135b2a490", 32568, 5946),
    ("lb-hot-key-after", "f3e59b3030cabd4e", 215645, 35853),
    ("lb-hot-key-before", "cf3a9056954fafd2", 212159, 32759),
    ("lb-power-of-two", "dacfb6c01f69be0a", 162713, 27028),
    ("lb-random", "34362a0f47ff796d", 154500, 24292),
    ("mm1-rho-0.9", "62822730d3cb73e3", 5263, 2625),
    ("mmc-8-rho-0.9", "1b0ce3fa3d50df69", 43172, 21580),
    ("noisy-neighbour-after", "b0d7a43b8973e44f", 58485, 7392),
    ("noisy-neighbour-before", "a2b068ec2a126f99", 50510, 5819),
    ("queue-decoupling", "07fdb865beef92ab", 57529, 4815),
    ("read-heavy", "0d24a3322e0e3999", 336198, 22308),
    ("region-partition", "b37d045b83c1b5d8", 79706, 6265),
    ("resharding-mod-vs-consistent", "e878d78c783b5159", 252768, 36106),
    ("retry-storm-after", "3646175a052a1987", 83407, 14005),
    ("retry-storm-before", "ce3f0305bd03c0da", 115020, 14005),
    ("slice", "2876268fb506bd4f", 83656, 11950),
    ("three-tier", "6518de6c045fb0dd", 213709, 17826),
    ("phantom-deductions-before", "3a507f44273e1bc1", 20119, 1541),
    ("phantom-deductions-after", "39d15eb703373339", 20044, 1541),
    ("outbox-before", "c245a73e6d588c99", 81568, 4939),
    ("outbox-after", "4b896b0c06232a02", 66918, 4945),
    ("consumer-rebalance", "b1ec2eadf4bc3ca3", 39342, 4535),
    ("replica-lag-before", "37a900d744eb1256", 157998, 18014),
    ("replica-lag-after", "02a95f26779d3c7e", 157998, 18014),
    ("connection storm, deploy at 5 s", "1e1cfc6f0a88c8b4", 440907, 54717),
    ("autoscale spike at 5 s", "1780772f5aa42ed8", 385166, 46754),
];

fn run(s: &Scenario) -> (String, u64, u64) {
    let mut sim = Sim::new(s).unwrap();
    sim.run();
    let r = sim.report();
    (r.trace_hash, r.events, r.requests.ok)
}

#[test]
fn reference_runs_match_their_golden_trace_hashes() {
    let got: Vec<(String, String, u64, u64)> = references()
        .into_iter()
        .map(|(name, s)| {
            let (hash, events, ok) = run(&s);
            (name, hash, events, ok)
        })
        .collect();
    let want: Vec<(String, String, u64, u64)> =
        GOLDEN.iter().map(|&(n, h, e, o)| (n.to_string(), h.to_string(), e, o)).collect();
    if got != want {
        let table: String = got.iter().map(|(n, h, e, o)| format!("    ({n:?}, {h:?}, {e}, {o}),\n")).collect();
        panic!("reference runs changed (trace hash, events, ok); if on purpose, the new table is:\n{table}");
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
