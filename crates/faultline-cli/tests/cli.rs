//! The `faultline` binary, run as a user would.

use faultline_sim::{Scenario, Sim, SimTime};
mod common;

use common::{faultline, repo, text};

#[test]
fn run_prints_the_engines_numbers() {
    let out = faultline(&["run", "assets/scenarios/slice.json", "--until-ms", "5000", "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scenario =
        Scenario::from_json(&std::fs::read_to_string(repo().join("assets/scenarios/slice.json")).unwrap()).unwrap();
    let mut sim = Sim::new(&scenario).unwrap();
    sim.step_until(SimTime::from_millis(5_000));
    let expected = sim.report();
    assert_eq!(report["trace_hash"], expected.trace_hash);
    assert_eq!(report["requests"]["ok"], expected.requests.ok);
    assert_eq!(report["latency_ms"]["p99"], expected.latency_ms.p99);

    // The readable report shows each node over the run so far, then the live
    // p99 the page shows at that moment, each table saying which it is.
    let out = faultline(&["run", "assets/scenarios/slice.json", "--until-ms", "5000"], None);
    let table = text(&out.stdout);
    let (run, now) = (section(&table, "over the run, 0 to 5.000 s"), section(&table, "now, the last closed second"));
    let api = &expected.nodes[1];
    assert_eq!(column(run, "api ", 1), format!("{:.1}", api.throughput_rps), "{run}");
    assert_eq!(column(run, "api ", 2), format!("{:.1}", api.utilisation * 100.0), "{run}");
    assert_eq!(column(run, "api ", 3), format!("{:.3}", api.mean_in_system), "{run}");
    assert_eq!(column(run, "api ", 5), format!("{:.3}", api.latency_ms.p99), "{run}");
    assert_eq!(column(run, "client ", 2), "-", "a client has no workers: {run}");
    let api_p99 = sim.view().nodes[1].live.p99_ms;
    assert_eq!(column(now, "api ", 4), format!("{api_p99:.3}"), "{now} vs {api_p99}");
    assert!(table.contains(&expected.trace_hash));
}

/// The lines of `table` from the one starting with `heading` to the next
/// blank line.
fn section<'a>(table: &'a str, heading: &str) -> &'a str {
    let start = table.find(heading).unwrap_or_else(|| panic!("no {heading:?} in {table}"));
    let rest = &table[start..];
    &rest[..rest.find("\n\n").unwrap_or(rest.len())]
}

/// The `i`-th whitespace-separated field of the line starting with `start`.
fn column(table: &str, start: &str, i: usize) -> String {
    let row = table.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("no {start:?} in {table}"));
    row.split_whitespace().nth(i).unwrap_or_else(|| panic!("{row}")).to_string()
}

/// Latency is of successful calls; failed calls have their own, in the JSON
/// (run, nodes, links, operations) and in the table.
#[test]
fn failures_have_their_own_latency() {
    let path = "assets/scenarios/cascade-after.json";
    let out = faultline(&["run", path, "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scenario = Scenario::from_json(&std::fs::read_to_string(repo().join(path)).unwrap()).unwrap();
    let mut sim = Sim::new(&scenario).unwrap();
    sim.run();
    let r = sim.report();
    assert!(r.requests.failed.total > 0);
    assert_eq!(json["latency_ms"]["p99"], r.latency_ms.p99);
    assert_eq!(json["failed_latency_ms"]["p99"], r.failed_latency_ms.p99);
    assert!(r.failed_latency_ms.p99 > 0.0);
    assert_eq!(json["nodes"][1]["failed_latency_ms"]["p50"], r.nodes[1].failed_latency_ms.p50);
    assert_eq!(json["edges"][1]["failed_latency_ms"]["p50"], 0.0); // short-circuited at once
    for (i, op) in r.ops.iter().enumerate() {
        assert_eq!(json["ops"][i]["name"], op.name.as_str());
        assert_eq!(json["ops"][i]["latency_ms"]["p99"], op.latency_ms.p99);
        assert_eq!(json["ops"][i]["failed_latency_ms"]["p99"], op.failed_latency_ms.p99);
    }

    let out = faultline(&["run", path], None);
    let table = text(&out.stdout);
    let view = sim.view();
    let now = section(&table, "now, the last closed second");
    assert_eq!(column(now, "a ", 6), format!("{:.3}", view.nodes[1].live.failed_p99_ms), "{table}");
    assert_eq!(column(now, "b ", 6), "-", "{table}"); // no failures there
    let run = section(&table, "over the run");
    assert_eq!(column(run, "a ", 7), format!("{:.3}", r.nodes[1].failed_latency_ms.p99), "{table}");
    let a = &r.nodes[1];
    let errors = a.failed.total as f64 * 100.0 / (a.ok + a.failed.total) as f64;
    assert_eq!(column(run, "a ", 6), format!("{errors:.1}"), "{table}");
    assert_eq!(column(run, "b ", 7), "-", "{table}");
    let failed = table.lines().find(|l| l.starts_with("latency ms, failed:")).expect("a line for failures");
    assert!(failed.contains(&format!("p99 {:.3}", r.failed_latency_ms.p99)), "{failed}");
    let orders = r.ops.iter().find(|o| o.name == "orders").unwrap();
    assert_eq!(column(&table, "orders ", 4), format!("{:.3}", orders.latency_ms.p99), "{table}");
    assert_eq!(column(&table, "orders ", 5), format!("{:.3}", orders.failed_latency_ms.p99), "{table}");
}

#[test]
fn seed_and_stdin_work() {
    let json = std::fs::read_to_string(repo().join("assets/scenarios/slice.json")).unwrap();
    let a = faultline(&["run", "-", "--duration-ms", "1000", "--json"], Some(&json));
    let b = faultline(&["run", "-", "--duration-ms", "1000", "--json", "--seed", "9"], Some(&json));
    let ha: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let hb: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(ha["seed"], 42);
    assert_eq!(hb["seed"], 9);
    assert_ne!(ha["trace_hash"], hb["trace_hash"]);
}

#[test]
fn bad_input_gets_a_message_and_a_failing_exit_not_a_panic() {
    let cases: [(&str, &str); 3] = [
        ("{ not json", "not valid JSON"),
        ("{\"version\": 1, \"duration_ms\": 10, \"nodes\": [], \"colour\": 1}", "unknown field `colour`"),
        ("{\"version\": 7, \"duration_ms\": 0, \"nodes\": []}", "version: unsupported version 7"),
    ];
    for (input, message) in cases {
        let out = faultline(&["run", "-"], Some(input));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{input}: {err}");
        assert!(err.contains(message), "{input}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = faultline(&["run", "no/such/file.json"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read no/such/file.json"));
}

#[test]
fn validate_lists_every_problem() {
    let bad = r#"{"version": 1, "duration_ms": 0, "nodes": [{"id": "a", "kind": {"type": "client"}}],
                 "edges": [{"from": "a", "to": "b"}]}"#;
    let out = faultline(&["validate", "-"], Some(bad));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("duration_ms: must be > 0"), "{err}");
    assert!(err.contains("edges[0].to: no node with id \"b\""), "{err}");
    let ok = faultline(&["validate", "assets/scenarios/slice.json"], None);
    assert!(ok.status.success());
}

#[test]
fn the_committed_schema_is_what_the_cli_prints() {
    let out = faultline(&["schema"], None);
    assert!(out.status.success());
    let printed = text(&out.stdout);
    let path = repo().join("assets/scenario.schema.json");
    if std::env::var_os("FAULTLINE_BLESS").is_some() {
        std::fs::write(&path, &printed).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(printed, committed, "assets/scenario.schema.json is stale: rerun with FAULTLINE_BLESS=1");
    let schema: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(schema["title"], "Scenario");
    for field in ["version", "seed", "duration_ms", "nodes", "edges", "workloads", "faults"] {
        assert!(schema["properties"][field].is_object(), "schema lacks {field}");
    }
}

#[test]
fn a_share_link_round_trips_through_the_cli() {
    let out = faultline(&["link", "assets/scenarios/retry-storm-before.json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fragment = text(&out.stdout).trim().to_string();
    assert!(fragment.starts_with("v1."), "{fragment}");
    // `run` takes the fragment, or a whole link, and runs the same scenario.
    let by_file = faultline(&["run", "assets/scenarios/retry-storm-before.json", "--json", "--until-ms", "3000"], None);
    let url = format!("https://example.org/faultline/#{fragment}");
    for arg in [fragment.as_str(), url.as_str()] {
        let by_link = faultline(&["run", arg, "--json", "--until-ms", "3000"], None);
        assert!(by_link.status.success(), "{}", text(&by_link.stderr));
        let (a, b): (serde_json::Value, serde_json::Value) =
            (serde_json::from_slice(&by_file.stdout).unwrap(), serde_json::from_slice(&by_link.stdout).unwrap());
        assert_eq!(a["trace_hash"], b["trace_hash"]);
    }
    let broken = faultline(&["run", &format!("{}x!", &fragment[..20])], None);
    assert!(!broken.status.success());
    assert!(text(&broken.stderr).contains("link"), "{}", text(&broken.stderr));
}

#[test]
fn lint_lists_the_designs_weak_spots_and_bad_input_is_an_error() {
    let out = faultline(&["lint", "assets/scenarios/cascade-before.json", "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let warnings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = warnings.as_array().unwrap().iter().map(|w| w["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"call-without-timeout"), "{rules:?}");
    let out = faultline(&["lint", "assets/scenarios/cascade-after.json"], None);
    assert!(out.status.success());
    assert!(!text(&out.stdout).contains("call-without-timeout"), "{}", text(&out.stdout));
    let out = faultline(&["lint", "-"], Some("{ not json"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is not a scenario"), "{}", text(&out.stderr));
}

#[test]
fn check_history_gives_the_verdict_as_text_json_and_exit_code() {
    let good = "crates/faultline-sim/tests/histories/etcd_002.jsonl";
    let out = faultline(&["check-history", good], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(&format!("{good}: linearizable\n")), "{}", text(&out.stdout));

    let bad = "crates/faultline-sim/tests/histories/quiz-register-2-bad.jsonl";
    let out = faultline(&["check-history", bad, "--model", "register"], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("NOT linearizable: key 0"), "{stdout}");
    assert!(stdout.contains("read -> 0 (process 2, key 0, events 5..6, 41 us..91 us)"), "{stdout}");
    // And the violation shrunk to the operations that matter, the offending one marked.
    assert!(stdout.contains("the fewest operations on key 0 that no order fits:"), "{stdout}");
    assert!(stdout.contains("  > read -> 0 (process 2, key 0, events 5..6, 41 us..91 us)"), "{stdout}");
    assert!(
        stdout.contains(
            "The read returned 0 after another read had returned 200, and the write of 200 began after the write of 0 \
             had finished: 0 was already overwritten."
        ),
        "{stdout}"
    );

    // The JSON is the engine's report, the same numbers.
    let out = faultline(&["check-history", bad, "--json"], None);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = faultline_sim::history::parse_json_lines(&std::fs::read_to_string(repo().join(bad)).unwrap()).unwrap();
    let report = faultline_sim::check::check_history(
        &events,
        faultline_sim::check::Model::CasRegister,
        &faultline_sim::check::Limits::default(),
    )
    .unwrap();
    assert_eq!(json["verdict"], "not-linearizable");
    assert_eq!(json["model"], "cas-register");
    assert_eq!(json["steps"], report.steps);
    assert_eq!(json["unplaced"]["invoke_index"], 5);
    assert_eq!(json["linearized"], 3);

    // Standard input, and a step limit too small to decide: unknown, exit 3.
    let history = std::fs::read_to_string(repo().join("crates/faultline-sim/tests/histories/etcd_007.jsonl")).unwrap();
    let out = faultline(&["check-history", "-", "--max-steps", "100"], Some(&history));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("unknown: key 0: gave up after 100 steps"), "{}", text(&out.stdout));
}

#[test]
fn check_history_names_the_bad_line() {
    let cases = [
        // Not an event (blank lines still count for the line number).
        ("{\"process\": 1, \"type\": \"invoke\", \"f\": \"read\"}\n\n{\"process\": 1, \"type\": \"done\"}\n", "line 3:"),
        // A completion nobody invoked.
        ("{\"process\": 1, \"type\": \"invoke\", \"f\": \"read\"}\n\n{\"process\": 2, \"type\": \"ok\", \"f\": \"read\"}\n", "line 3: process 2 completes an operation it never invoked"),
        // A cas in a plain register.
        ("{\"process\": 1, \"type\": \"invoke\", \"f\": \"cas\", \"value\": [1, 2]}\n", "line 1: a compare-and-set in a register history"),
    ];
    for (input, message) in cases {
        let out = faultline(&["check-history", "-", "--model", "register"], Some(input));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input}: {err}");
        assert!(err.contains(message), "{input}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = faultline(&["check-history", "no/such/history.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read no/such/history.jsonl"));
    let out = faultline(&["check-history", "-", "--model", "queue"], Some(""));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown model \"queue\""));
}

#[test]
fn run_writes_the_stores_history_as_json_lines() {
    let scenario = repo().join("assets/scenarios/flash-sale-before.json");
    let file = std::env::temp_dir().join(format!("faultline-history-{}.jsonl", std::process::id()));
    let out = faultline(&["run", scenario.to_str().unwrap(), "--history", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("store prices (ap"), "{}", text(&out.stdout));
    let history = faultline_sim::history::parse_json_lines(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let _ = std::fs::remove_file(&file);
    // The same history as the engine's, every invoke with its completion.
    let mut sim = Sim::new(&Scenario::from_json(&std::fs::read_to_string(&scenario).unwrap()).unwrap()).unwrap();
    sim.run();
    assert_eq!(history, sim.store_history(4).unwrap());
    use faultline_sim::history::EventType;
    let invokes = history.iter().filter(|e| e.kind == EventType::Invoke).count();
    assert_eq!(invokes * 2, history.len());
    assert!(history.iter().any(|e| e.f == faultline_sim::history::Function::Write && e.kind == EventType::Ok));

    let slice = repo().join("assets/scenarios/slice.json");
    let out = faultline(&["run", slice.to_str().unwrap(), "--history", file.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("has no store"), "{}", text(&out.stderr));
}

/// The autoscale-spike pair: the fixed fleet fails through the load spike,
/// the autoscaled one fails only until its new instances are ready, and
/// costs more for them.
#[test]
fn autoscale_spike_recovers_with_the_autoscaler_and_costs_more() {
    let run = |name: &str, until: Option<&str>| -> serde_json::Value {
        let file = format!("assets/scenarios/{name}.json");
        let mut args = vec!["run", file.as_str(), "--json"];
        if let Some(t) = until {
            args.extend(["--until-ms", t]);
        }
        let out = faultline(&args, None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let failed = |r: &serde_json::Value| r["requests"]["failed"]["total"].as_u64().unwrap();
    let generated = |r: &serde_json::Value| r["requests"]["generated"].as_u64().unwrap();
    let (before, after) = (run("autoscale-spike-before", None), run("autoscale-spike-after", None));
    // The spike is 180 s of 1,200 req/s on 4 pods that serve about 1,000: a sixth or more fails.
    let before_share = failed(&before) as f64 / generated(&before) as f64;
    assert!(before_share > 0.04, "without autoscaling {before_share:.3} of requests fail");
    let after_share = failed(&after) as f64 / generated(&after) as f64;
    assert!(after_share < before_share / 3.0, "with it {after_share:.4} (without {before_share:.4})");
    // Recovered: no failure after the new instances are ready (the sync at 75 s
    // plus 10 s of start-up and their pools), though the spike lasts to 240 s.
    let early = run("autoscale-spike-after", Some("100000"));
    assert_eq!(failed(&early), failed(&after), "failures after 100 s with the autoscaler");
    let api = |r: &serde_json::Value| r["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "api").unwrap().clone();
    let scaling = api(&after)["autoscale"].clone();
    assert!(scaling["peak_desired"].as_u64().unwrap() > 4, "{scaling}");
    assert_eq!(scaling["desired"], 4, "back to min after the stabilisation window: {scaling}");
    // Cost: the fixed fleet is 4 pods x 600 s at 0.1 per instance-hour.
    let cost = |r: &serde_json::Value| r["cost"].as_f64().unwrap();
    assert_eq!(api(&before)["instance_seconds"], 2_400.0);
    assert!((cost(&before) - 2_400.0 / 3_600.0 * 0.1).abs() < 1e-12);
    assert!(cost(&after) > cost(&before) * 1.2, "{} vs {}", cost(&after), cost(&before));
    let table = text(&faultline(&["run", "assets/scenarios/autoscale-spike-after.json"], None).stdout);
    assert!(table.contains("autoscaler: 4 to 12 instances at 60% target"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("cost: ")), "{table}");
}

/// The replica-lag presets as `faultline run --json` reports them: the
/// owners' reloads (6,000 of them) reach the database 86 ms after their save
/// did and are served 78 ms after it committed (saves take 8 ms to get
/// there), so on a replica with exponential lag of mean 100 ms each misses
/// its own save with probability exp(-0.78) = 0.458;
/// with read-your-writes routing they read the primary and none does, while
/// the visitors' reads stay on the replicas.
#[test]
fn replica_lag_presets_lose_then_keep_the_users_own_edits() {
    let run = |name: &str| -> serde_json::Value {
        let out = faultline(&["run", &format!("assets/scenarios/{name}.json"), "--json"], None);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let db = report["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "db").unwrap().clone();
        db["replication"].clone()
    };
    let before = run("replica-lag-before");
    let after = run("replica-lag-after");
    eprintln!("before {before}\nafter {after}");
    let violations = before["ryw_violations"].as_u64().unwrap();
    // Binomial(6,000, 0.458): within 5 standard deviations (about 193).
    let p = 0.458_406; // exp(-0.78)
    let expected = 6_000.0 * p;
    assert!(
        (violations as f64 - expected).abs() < 5.0 * (6_000.0 * p * (1.0 - p)).sqrt(),
        "{violations} vs {expected}"
    );
    assert_eq!(before["reads_primary"], 0, "any_replica: no read on the primary");
    assert_eq!(after["ryw_violations"], 0);
    let (reads_primary, reads_replicas) =
        (after["reads_primary"].as_u64().unwrap(), after["reads_replicas"].as_u64().unwrap());
    assert!((5_900..=6_000).contains(&reads_primary), "the owners' reloads, on the primary: {reads_primary}");
    assert!(reads_replicas > 20_000, "the visitors' reads stay on the replicas: {reads_replicas}");
    // The readable report says the same.
    let out = faultline(&["run", "assets/scenarios/replica-lag-after.json"], None);
    assert!(text(&out.stdout).contains("read-your-writes violations 0"), "{}", text(&out.stdout));
}
