//! Attempt links (format version 2): an exercise's id with the learner's
//! design, for a mentor to open the same exercise beside the same design.

mod common;

use faultline_link::{decode, encode, encode_attempt, LinkError, Shared, ATTEMPT_VERSION, MAX_EXERCISE_ID};
use faultline_sim::exercise::registry;

#[test]
fn every_exercise_with_its_starter_and_reference_round_trips() {
    for id in registry::ids() {
        let ex = registry::load(id).unwrap();
        for (design, autoplay) in [(&ex.starter, false), (&ex.reference, true)] {
            let link = encode_attempt(design, id, autoplay);
            assert!(link.starts_with(&format!("v{ATTEMPT_VERSION}.")), "{id}: {link}");
            assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{id}: {link}");
            let want = Shared { scenario: design.clone(), autoplay, exercise: Some(id.to_string()), compare: None };
            assert_eq!(decode(&link), Ok(want.clone()), "{id}");
            assert_eq!(decode(&format!("  #{link}\n")), Ok(want), "{id}, pasted");
            assert_eq!(link, encode_attempt(&design.clone(), id, autoplay), "{id}: deterministic");
        }
    }
}

#[test]
fn an_attempt_costs_its_id_and_four_characters_over_a_scenario_link() {
    let ex = registry::load("flaky-database").unwrap();
    let plain = encode(&ex.starter, false);
    let attempt = encode_attempt(&ex.starter, "flaky-database", false);
    let payload = plain.strip_prefix("v1.").unwrap();
    assert_eq!(attempt, format!("v2.e.flaky-database.{payload}"));
    assert_eq!(encode_attempt(&ex.starter, "flaky-database", true), format!("v2.p.e.flaky-database.{payload}"));
}

#[test]
fn a_version_2_link_without_an_exercise_is_a_plain_scenario_link() {
    let ex = registry::load("flaky-database").unwrap();
    let payload = encode(&ex.starter, false).strip_prefix("v1.").unwrap().to_string();
    let plain = Shared { scenario: ex.starter.clone(), autoplay: false, exercise: None, compare: None };
    assert_eq!(decode(&format!("v2.{payload}")), Ok(plain.clone()));
    assert_eq!(decode(&format!("v2.p.{payload}")), Ok(Shared { autoplay: true, ..plain }));
}

#[test]
fn a_bad_attempt_link_says_what_is_wrong() {
    let ex = registry::load("flaky-database").unwrap();
    let payload = encode(&ex.starter, false).strip_prefix("v1.").unwrap().to_string();
    let unknown = decode(&format!("v2.e.no-such-exercise.{payload}"));
    assert_eq!(unknown, Err(LinkError::UnknownExercise("no-such-exercise".into())));
    let text = unknown.unwrap_err().to_string();
    assert!(text.contains("\"no-such-exercise\"") && text.contains("newer Faultline"), "{text}");
    // Not an id: capitals, other characters, too long, missing.
    assert_eq!(decode(&format!("v2.e.Flaky.{payload}")), Err(LinkError::BadExercise("Flaky".into())));
    assert_eq!(decode(&format!("v2.e.a_b.{payload}")), Err(LinkError::BadExercise("a_b".into())));
    let long = "a".repeat(MAX_EXERCISE_ID + 1);
    assert_eq!(decode(&format!("v2.e.{long}.{payload}")), Err(LinkError::BadExercise("a".repeat(16))));
    assert_eq!(decode(&format!("v2.e.{payload}")), Err(LinkError::BadExercise(String::new())), "the id is missing");
    // Fields out of order, repeated, empty or unknown.
    for (fields, quoted) in [
        ("e.flaky-database.p", "p"),
        ("p.p", "p"),
        ("x", "x"),
        ("e.flaky-database.e.flash-sale", "e"),
        ("p..e.flaky-database", "p..e.flaky-datab"),
    ] {
        assert_eq!(decode(&format!("v2.{fields}.{payload}")), Err(LinkError::UnknownOption(quoted.into())), "{fields}");
    }
    // A damaged payload after a good exercise field is still caught.
    assert_eq!(decode("v2.e.flaky-database.!!!"), Err(LinkError::NotBase64));
    assert_eq!(decode("v2.e.flaky-database.AAAA"), Err(LinkError::Corrupt));
}
