//! The incident library and starter architectures: their narratives and
//! their files.
//!
//! They are the files the CLI runs (`assets/scenarios/*.json`), with the
//! narratives of `assets/scenarios/library.json`, fetched from the site
//! (trunk copies the folder next to the page; see `crate::catalog`), so a
//! preset in the browser is byte for byte the scenario `faultline run`
//! reads. A test checks that every library entry names a shipped file,
//! that each one loads and that the page's build copies the folder.

use crate::editor::layout::auto_layout;
use faultline_sim::Scenario;
use serde::Deserialize;
use std::rc::Rc;

/// The library's list, on the site.
pub const LIBRARY_FILE: &str = "scenarios/library.json";

/// One entry of the library, as `library.json` writes it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Entry {
    pub name: String,
    pub title: String,
    /// "incident", "starter" or "theory".
    pub group: String,
    pub summary: String,
    pub happens: String,
    pub look: String,
    #[serde(rename = "try")]
    pub try_next: String,
    pub before: String,
    pub after: Option<String>,
}

/// The library's list, in the order a learner should meet it.
pub fn parse_entries(text: &str) -> Result<Vec<Entry>, String> {
    serde_json::from_str(text).map_err(|e| format!("The library's list could not be read: {e}"))
}

/// The site's copy of preset `name`.
pub fn scenario_file(name: &str) -> String {
    format!("scenarios/{name}.json")
}

/// Preset `name` from its file's `text`, laid out for the canvas if the file
/// has no positions.
pub fn parse(name: &str, text: &str) -> Result<Scenario, String> {
    let mut doc = Scenario::from_json(text).map_err(|e| format!("Preset {name} is invalid: {e}"))?;
    auto_layout(&mut doc);
    Ok(doc)
}

/// The library as fetched: its entries and the text of every file they name
/// (so that opening a preset, or switching to its fix, waits for nothing).
#[derive(Debug, PartialEq)]
pub struct Library {
    pub entries: Rc<Vec<Entry>>,
    files: Vec<(String, String)>,
}

impl Library {
    pub fn new(entries: Vec<Entry>, files: Vec<(String, String)>) -> Library {
        Library { entries: Rc::new(entries), files }
    }

    /// The files `entries` name, each once, in order.
    pub fn names(entries: &[Entry]) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for name in entries.iter().flat_map(|e| std::iter::once(&e.before).chain(e.after.as_ref())) {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// Preset `name`, laid out for the canvas.
    pub fn scenario(&self, name: &str) -> Result<Scenario, String> {
        let (_, text) =
            self.files.iter().find(|(n, _)| n == name).ok_or_else(|| format!("No preset named \"{name}\"."))?;
        parse(name, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/scenarios")
    }

    /// Preset `name` as the page reads it from the site's copy.
    fn scenario(name: &str) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(dir().join(format!("{name}.json"))).map_err(|e| format!("{name}: {e}"))?;
        parse(name, &text)
    }

    #[test]
    fn every_entry_loads_and_the_page_build_copies_the_files() {
        let list = parse_entries(&std::fs::read_to_string(dir().join("library.json")).unwrap()).unwrap();
        assert!(list.len() >= 10, "{} entries", list.len());
        let names = Library::names(&list);
        let files = names
            .iter()
            .map(|n| (n.clone(), std::fs::read_to_string(dir().join(format!("{n}.json"))).unwrap()))
            .collect();
        let library = Library::new(list.clone(), files);
        for e in &list {
            assert_eq!(library.scenario(&e.before), scenario(&e.before));
            library.scenario(&e.before).unwrap();
            if let Some(after) = &e.after {
                library.scenario(after).unwrap();
            }
        }
        assert!(names.len() > list.len(), "fixes are fetched with their incidents: {names:?}");
        assert_eq!(names.len(), names.iter().collect::<std::collections::BTreeSet<_>>().len(), "each once");
        assert!(library.scenario("no-such-preset").unwrap_err().contains("no-such-preset"));
        assert_eq!(LIBRARY_FILE, "scenarios/library.json");
        let index =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../index.html")).unwrap();
        assert!(
            index.contains(r#"<link data-trunk rel="copy-dir" href="assets/scenarios" />"#),
            "index.html has trunk copy the scenarios next to the page"
        );
    }

    #[test]
    fn presets_without_positions_are_laid_out_without_overlap() {
        for f in std::fs::read_dir(dir()).unwrap() {
            let file = f.unwrap().file_name().into_string().unwrap();
            let Some(name) = file.strip_suffix(".json").filter(|s| *s != "library") else { continue };
            let doc = scenario(name).unwrap();
            for (i, a) in doc.nodes.iter().enumerate() {
                for b in &doc.nodes[i + 1..] {
                    assert!(
                        (a.x - b.x).abs() >= 100.0 || (a.y - b.y).abs() >= 100.0,
                        "{name}: {} and {} overlap",
                        a.id,
                        b.id
                    );
                }
            }
        }
    }
}
