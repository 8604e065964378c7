//! Golden links: links as earlier builds wrote them must open forever.
//!
//! `tests/golden/v<N>/<name>.link` is a fragment exactly as version N wrote
//! it and `<name>.json` the scenario it must open, pretty-printed. These files
//! are the promise made to everyone who ever shared a link, so a normal test
//! run only reads them: it must never regenerate them, or a change to the
//! decoder would quietly bless itself.
//!
//! `FAULTLINE_BLESS=1 cargo test -p faultline-link --test golden` writes the
//! current version's directory from the shipped scenarios listed in
//! `CURRENT`. Directories of older versions are never written by it: once
//! version 2 exists, `v1/` is frozen and its table below lives on unchanged.

mod common;

use faultline_link::{decode, encode, encode_attempt, Shared, ATTEMPT_VERSION, CURRENT_VERSION};
use faultline_sim::Scenario;
use std::path::PathBuf;

/// One golden link: its file name, the shipped scenario it was made from and
/// its autoplay flag (the flag is in the link text; the `.json` holds only
/// the scenario).
struct Golden {
    name: &'static str,
    source: &'static str,
    autoplay: bool,
    /// The exercise an attempt link names (version 2).
    exercise: Option<&'static str>,
}

const V1: &[Golden] = &[
    Golden { name: "slice", source: "slice", autoplay: false, exercise: None },
    Golden { name: "cascade-before-autoplay", source: "cascade-before", autoplay: true, exercise: None },
    Golden { name: "retry-storm-after", source: "retry-storm-after", autoplay: false, exercise: None },
    Golden { name: "region-partition", source: "region-partition", autoplay: false, exercise: None },
];

/// Attempts at exercises (version 2): the design is a shipped scenario.
const V2: &[Golden] = &[
    Golden {
        name: "attempt-flaky-database",
        source: "retry-storm-before",
        autoplay: false,
        exercise: Some("flaky-database"),
    },
    Golden {
        name: "attempt-flash-sale-autoplay",
        source: "flash-sale-before",
        autoplay: true,
        exercise: Some("flash-sale"),
    },
];

/// Every version's goldens; a new version adds its row and keeps the others.
const VERSIONS: &[(u32, &[Golden])] = &[(1, V1), (2, V2)];

fn dir(version: u32) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/v{version}"))
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The link today's encoders write for `g`.
fn encoded(g: &Golden, scenario: &Scenario) -> String {
    match g.exercise {
        Some(id) => encode_attempt(scenario, id, g.autoplay),
        None => encode(scenario, g.autoplay),
    }
}

/// Writes the goldens of the versions written today (scenario links and
/// attempts); runs only under FAULTLINE_BLESS.
fn bless() {
    for version in [CURRENT_VERSION, ATTEMPT_VERSION] {
        let (_, goldens) =
            VERSIONS.iter().find(|(v, _)| *v == version).expect("a golden table for each written version");
        let dir = dir(version);
        std::fs::create_dir_all(&dir).unwrap();
        for g in *goldens {
            let scenario = common::load(&common::repo_root().join(format!("assets/scenarios/{}.json", g.source)));
            std::fs::write(dir.join(format!("{}.link", g.name)), encoded(g, &scenario) + "\n").unwrap();
            std::fs::write(dir.join(format!("{}.json", g.name)), scenario.to_json_pretty() + "\n").unwrap();
        }
    }
}

#[test]
fn golden_links_decode_to_their_scenarios() {
    if std::env::var_os("FAULTLINE_BLESS").is_some() {
        bless();
    }
    for (version, goldens) in VERSIONS {
        let dir = dir(*version);
        for g in *goldens {
            let link = read(&dir.join(format!("{}.link", g.name)));
            assert!(link.starts_with(&format!("v{version}.")), "{}: {link:?} is not a v{version} link", g.name);
            let expected = Scenario::from_json(&read(&dir.join(format!("{}.json", g.name))))
                .unwrap_or_else(|e| panic!("v{version}/{}.json: {e}", g.name));
            // The file ends in a newline: decode must tolerate it, as it does pasted whitespace.
            let got = decode(&link).unwrap_or_else(|e| panic!("v{version}/{}.link no longer decodes: {e}", g.name));
            let exercise = g.exercise.map(str::to_string);
            assert_eq!(
                got,
                Shared { scenario: expected.clone(), autoplay: g.autoplay, exercise, compare: None },
                "v{version}/{}",
                g.name
            );
            // Today's encoder may write different text, but it must carry the same scenario.
            assert_eq!(decode(&encoded(g, &expected)), Ok(got), "v{version}/{} re-encoded", g.name);
        }
    }
}

#[test]
fn every_golden_file_is_listed() {
    for (version, goldens) in VERSIONS {
        for entry in std::fs::read_dir(dir(*version)).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(goldens.iter().any(|g| g.name == stem), "{} is not in the v{version} table", path.display());
        }
    }
}
