//! `faultline exercise`, run as a user would: exit 0 passed, 1 failed, 2 bad input.

mod common;

use common::{faultline, repo, text};

#[test]
fn list_shows_every_shipped_exercise() {
    let out = faultline(&["exercise", "list"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&out.stdout);
    for id in faultline_sim::exercise::registry::ids() {
        assert!(list.lines().any(|l| l.starts_with(id)), "{id} missing from\n{list}");
    }
    let out = faultline(&["exercise", "list", "--json"], None);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), faultline_sim::exercise::registry::BUILTIN.len());
    assert_eq!(rows[0]["id"], "url-shortener");
}

#[test]
fn the_starter_fails_with_exit_1_and_says_what_and_when() {
    let out = faultline(&["exercise", "check", "flash-crowd", "@starter"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("FAIL  p99 latency of client visitors"), "{report}");
    assert!(report.contains("<= 200 ms over [10.0 s, 25.0 s), first breached at 10.0 s"), "{report}");
    assert!(report.contains("stars: 0 of 3") && report.contains("FAILED"), "{report}");
}

#[test]
fn the_reference_passes_with_exit_0_and_three_stars_and_the_json_is_the_engines() {
    let ex = faultline_sim::exercise::registry::load("flash-crowd").unwrap();
    let expected = faultline_sim::exercise::check(&ex, &ex.reference).unwrap();
    let out = faultline(&["exercise", "check", "flash-crowd", "@reference", "--json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stars"], 3);
    assert_eq!(v["pass"], true);
    assert_eq!(v["check"]["trace_hash"], expected.check.trace_hash);
    let first = &v["check"]["criteria"][0];
    assert_eq!(first["id"], "p99-crowd");
    assert_eq!(first["threshold"], 200.0);
    assert_eq!(first["value"], expected.check.criteria[0].value.unwrap());
    // The same design from a file, and from standard input.
    let design = ex.reference.to_json_pretty();
    let out = faultline(&["exercise", "check", "flash-crowd", "-"], Some(&design));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("stars: 3 of 3"));
    let out = faultline(
        &[
            "exercise",
            "check",
            "assets/exercises/flash-crowd.json",
            "crates/faultline-sim/tests/exercises/flash-crowd.boxes-only.json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let out = faultline(&["exercise", "check", "no-such-thing", "@starter"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no exercise `no-such-thing`"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("url-shortener"));

    let out = faultline(&["exercise", "check", "flash-crowd", "missing.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read missing.json"), "{}", text(&out.stderr));

    let out = faultline(&["exercise", "check", "flash-crowd", "-"], Some("{\"version\": 1}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not a scenario"), "{}", text(&out.stderr));

    // A design without the client the check sends from.
    let ex = faultline_sim::exercise::registry::load("flash-crowd").unwrap();
    let mut design = ex.reference.clone();
    design.nodes[0].id = "someone".into();
    design.edges[0].from = "someone".into();
    design.workloads[0].client = "someone".into();
    let out = faultline(&["exercise", "check", "flash-crowd", "-"], Some(&design.to_json_pretty()));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("check.workloads[0].client: the design has no client `visitors`"),
        "{}",
        text(&out.stderr)
    );

    // A broken exercise file names the problem's path.
    let dir = std::env::temp_dir().join(format!("faultline-exercise-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    let mut v: serde_json::Value = serde_json::from_str(&ex.to_json_pretty()).unwrap();
    v["criteria"][0]["window"] = serde_json::json!({"type": "during", "fault": 7});
    std::fs::write(&bad, v.to_string()).unwrap();
    let out = faultline(&["exercise", "check", bad.to_str().unwrap(), "@starter"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("criteria[0].window.fault"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn show_prints_the_prompt_and_the_criteria() {
    let out = faultline(&["exercise", "show", "thumbnails"], None);
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(s.contains("Requirements:") && s.contains("100 uploads/s"), "{s}");
    assert!(s.contains("no thumbnail job is dropped or dead-lettered"), "{s}");
}

#[test]
fn the_committed_exercise_schema_is_what_the_cli_prints() {
    let out = faultline(&["exercise", "schema"], None);
    assert!(out.status.success());
    let printed = text(&out.stdout);
    let path = repo().join("assets/exercise.schema.json");
    if std::env::var_os("FAULTLINE_BLESS").is_some() {
        std::fs::write(&path, &printed).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(printed, committed, "assets/exercise.schema.json is stale: rerun with FAULTLINE_BLESS=1");
    let schema: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(schema["title"], "Exercise");
    for field in ["starter", "check", "criteria", "hints", "reference"] {
        assert!(schema["properties"][field].is_object(), "schema lacks {field}");
    }
}
