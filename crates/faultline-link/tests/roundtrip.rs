//! Every shipped scenario survives a link unchanged, with either flag.

mod common;

use faultline_link::{decode, encode, Shared, CURRENT_VERSION, MAX_LINK_CHARS};

#[test]
fn every_shipped_scenario_round_trips() {
    for (name, scenario) in common::shipped() {
        for autoplay in [false, true] {
            let link = encode(&scenario, autoplay);
            assert!(link.starts_with(&format!("v{CURRENT_VERSION}.")), "{name}: {link}");
            assert!(link.len() < MAX_LINK_CHARS, "{name}");
            let shared = Shared { scenario: scenario.clone(), autoplay, exercise: None, compare: None };
            assert_eq!(decode(&link).as_ref(), Ok(&shared), "{name}, autoplay {autoplay}");
            // The forms a fragment arrives in: location.hash keeps the #, pasting adds whitespace.
            assert_eq!(decode(&format!("#{link}")).as_ref(), Ok(&shared), "{name} with #");
            assert_eq!(decode(&format!("  #{link}\n")).as_ref(), Ok(&shared), "{name} with whitespace");
        }
    }
}

#[test]
fn links_use_only_url_safe_characters() {
    for (name, scenario) in common::shipped() {
        let link = encode(&scenario, true);
        assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{name}: {link}");
    }
}

#[test]
fn encoding_is_deterministic_and_the_flag_costs_two_characters() {
    for (name, scenario) in common::shipped() {
        let plain = encode(&scenario, false);
        assert_eq!(plain, encode(&scenario.clone(), false), "{name}");
        let playing = encode(&scenario, true);
        assert_eq!(playing, format!("v1.p.{}", plain.strip_prefix("v1.").unwrap()), "{name}");
    }
}

#[test]
fn different_scenarios_give_different_links() {
    let (_, mut scenario) = common::shipped().remove(0);
    let before = encode(&scenario, false);
    scenario.seed ^= 1;
    assert_ne!(encode(&scenario, false), before);
}

#[test]
fn replica_settings_and_faults_survive_a_link() {
    let (_, mut scenario) = common::shipped().into_iter().find(|(n, _)| n.contains("replica-lag-before")).unwrap();
    scenario.faults = serde_json::from_value(serde_json::json!([
        { "at_ms": 10_000, "duration_ms": 5_000, "action": { "type": "replica_lag", "node": "db", "add_ms": 500.0 } },
        { "at_ms": 20_000, "duration_ms": 10_000, "action": { "type": "fail_primary", "node": "db" } }
    ]))
    .unwrap();
    scenario.validate().unwrap();
    let link = encode(&scenario, false);
    assert_eq!(decode(&link), Ok(Shared { scenario, autoplay: false, exercise: None, compare: None }));
}
