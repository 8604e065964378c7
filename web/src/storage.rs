//! Browser storage: the autosave and "My designs".
//!
//! Documents are stored as the same JSON the CLI reads. Reading is tolerant
//! of unfinished designs (a draft must survive a reload too) but never of a
//! broken document: anything that does not parse and pass `validate_draft`
//! is reported and left alone. Storage may be missing (private mode, a
//! sandboxed iframe) or full; both come back as a message, never a panic.

use faultline_sim::Scenario;
use serde::{Deserialize, Serialize};

const AUTOSAVE_KEY: &str = "faultline.autosave.v1";
/// Where an autosave that could not be restored is kept, so the next autosave
/// does not destroy it.
const UNREADABLE_KEY: &str = "faultline.autosave.unreadable";
const DESIGNS_KEY: &str = "faultline.designs.v1";

/// One saved design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Design {
    pub name: String,
    /// When it was saved, in ms since the epoch (browser clock).
    pub saved_ms: f64,
    pub scenario: Scenario,
}

fn storage() -> Result<web_sys::Storage, String> {
    let unavailable =
        "Browser storage is unavailable here (private browsing or blocked), so nothing is saved between visits.";
    web_sys::window().and_then(|w| w.local_storage().ok().flatten()).ok_or_else(|| unavailable.to_string())
}

pub(crate) fn write(key: &str, text: &str) -> Result<(), String> {
    storage()?.set_item(key, text).map_err(|_| {
        "Browser storage is full: this change is not saved. Delete some saved designs or export this one as JSON."
            .to_string()
    })
}

pub(crate) fn read(key: &str) -> Result<Option<String>, String> {
    storage()?.get_item(key).map_err(|_| "Browser storage could not be read.".to_string())
}

/// Parses a document that may be an unfinished design: the shape and every
/// value must be right, but it need not be runnable yet.
pub fn parse_draft(text: &str) -> Result<Scenario, String> {
    let doc: Scenario = serde_json::from_str(text).map_err(|e| format!("Not a Faultline scenario: {e}"))?;
    doc.validate_draft().map_err(|e| format!("This scenario has problems:\n{e}"))?;
    Ok(doc)
}

pub fn save_autosave(doc: &Scenario) -> Result<(), String> {
    write(AUTOSAVE_KEY, &serde_json::to_string(doc).unwrap_or_default())
}

/// The autosaved design, if there is a readable one.
pub fn load_autosave() -> Result<Option<Scenario>, String> {
    match read(AUTOSAVE_KEY)? {
        None => Ok(None),
        Some(text) => parse_draft(&text).map(Some).map_err(|e| {
            let kept = write(UNREADABLE_KEY, &text).is_ok();
            format!(
                "The autosaved design could not be restored{}: {e}",
                if kept {
                    " (its text is kept in browser storage under \"faultline.autosave.unreadable\")"
                } else {
                    ""
                }
            )
        }),
    }
}

pub fn designs() -> Result<Vec<Design>, String> {
    match read(DESIGNS_KEY)? {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text).map_err(|e| format!("Saved designs are unreadable: {e}")),
    }
}

pub fn save_designs(list: &[Design]) -> Result<(), String> {
    write(DESIGNS_KEY, &serde_json::to_string(list).unwrap_or_default())
}

/// A name not used yet by any design: `base`, `base (2)`, ...
pub fn unique_name(list: &[Design], base: &str) -> String {
    let base = if base.trim().is_empty() { "Untitled" } else { base.trim() };
    (1..)
        .map(|k| if k == 1 { base.to_string() } else { format!("{base} ({k})") })
        .find(|n| list.iter().all(|d| &d.name != n))
        .expect("names are unbounded")
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::slice_scenario;

    #[test]
    fn drafts_round_trip_and_broken_documents_are_refused() {
        let mut draft = slice_scenario();
        draft.nodes.clear();
        draft.edges.clear();
        draft.workloads.clear();
        let text = serde_json::to_string(&draft).unwrap();
        assert_eq!(parse_draft(&text).unwrap(), draft);
        assert!(parse_draft("{").unwrap_err().contains("Not a Faultline scenario"));
        let mut wrong = slice_scenario();
        wrong.version = 99;
        assert!(parse_draft(&serde_json::to_string(&wrong).unwrap()).unwrap_err().contains("version 99"));
        let mut bad = slice_scenario();
        bad.duration_ms = 0;
        assert!(parse_draft(&serde_json::to_string(&bad).unwrap()).unwrap_err().contains("duration_ms"));
    }

    #[test]
    fn names_stay_unique() {
        let d = |name: &str| Design { name: name.into(), saved_ms: 0.0, scenario: slice_scenario() };
        let list = vec![d("Shop"), d("Shop (2)")];
        assert_eq!(unique_name(&list, "Shop"), "Shop (3)");
        assert_eq!(unique_name(&list, " "), "Untitled");
    }
}
