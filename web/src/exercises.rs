//! Guided exercises as the page shows them: the list, the learner's progress
//! (stars and hints used, kept in this browser) and the state of the open
//! exercise and its check.
//!
//! The page reads only what it shows of an exercise (title, prompt, numbers,
//! hints, the starter and reference designs) from the same documents the
//! CLI embeds (`faultline_sim::exercise::registry`), fetched from the site
//! when first needed (`crate::catalog`); the check
//! itself runs the engine, so it runs in the engine's worker
//! (`Command::CheckExercise`) and the page only draws the verdict.
//!
//! Hints cost stars: a hint is a step towards the answer, so each one
//! revealed lowers the best the learner can still earn on that exercise
//! (see [`cap`]); the page says so before revealing one.

use faultline_sim::exercise::CheckResult;
use faultline_sim::Scenario;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::Reducible;

/// Where the progress is kept in browser storage.
const PROGRESS_KEY: &str = "faultline.exercises.v1";

/// The most stars an exercise gives.
pub const MAX_STARS: u8 = 3;

/// One rung of an exercise's hint ladder.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Hint {
    /// `symptom`, `question`, `pattern`, `pointer` or `reference`.
    pub level: String,
    pub text: String,
}

/// What the page shows of an exercise (the rest of the document, the check
/// and its criteria, is the worker's business).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Brief {
    pub id: String,
    pub title: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    pub prompt: String,
    #[serde(default)]
    pub requirements: Vec<String>,
    #[serde(default)]
    pub hints: Vec<Hint>,
    pub starter: Scenario,
    pub reference: Scenario,
}

/// What the page shows of the exercise document `text`.
pub fn parse_brief(text: &str) -> Result<Brief, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// The best a learner can still earn after revealing `hints` hints: three
/// stars with none, one fewer for each hint, never below one (a pass is a
/// pass).
pub fn cap(hints: u32) -> u8 {
    MAX_STARS.saturating_sub(hints.min(u32::from(MAX_STARS)) as u8).max(1)
}

/// A learner's progress on one exercise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The most stars earned (after the hint cap).
    pub stars: u8,
    /// Hints revealed so far.
    pub hints: u32,
    /// Checks run to a verdict (pass or fail). Progress saved before this
    /// was counted reads as none.
    #[serde(default)]
    pub attempts: u32,
}

/// Progress by exercise id.
pub type ProgressMap = BTreeMap<String, Progress>;

/// The progress saved in this browser (none when storage is unavailable or
/// unreadable: progress is a nicety, never a reason to fail).
pub fn load_progress() -> ProgressMap {
    crate::storage::read(PROGRESS_KEY).ok().flatten().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn save_progress(map: &ProgressMap) -> Result<(), String> {
    // Native unit tests have no browser to store into.
    if cfg!(not(target_arch = "wasm32")) {
        return Ok(());
    }
    crate::storage::write(PROGRESS_KEY, &serde_json::to_string(map).unwrap_or_default())
}

/// The verdict of a check, as the worker sent it.
pub type Verdict = Result<Box<CheckResult>, String>;

/// The open exercise and its check.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExerciseState {
    /// The open exercise's id.
    pub open: Option<String>,
    /// The side panel is expanded (else a strip above the canvas).
    pub expanded: bool,
    /// A check is running in the worker, on this design.
    pub checking: Option<Rc<Scenario>>,
    /// The last verdict on the open exercise, and the design it was for.
    pub verdict: Option<(Rc<Scenario>, Rc<Verdict>)>,
    pub progress: Rc<ProgressMap>,
    /// The last time progress could not be saved: why.
    pub unsaved: Option<String>,
}

pub enum ExerciseAction {
    Open(String),
    Close,
    Expand(bool),
    /// A check of this design has been sent to the worker.
    Checking(Rc<Scenario>),
    /// The worker's verdict on exercise `id`.
    Checked(String, Verdict),
    /// Reveal the next hint of the open exercise.
    RevealHint,
}

impl ExerciseState {
    pub fn new(progress: ProgressMap) -> ExerciseState {
        ExerciseState { expanded: true, progress: Rc::new(progress), ..ExerciseState::default() }
    }

    /// The open exercise's progress.
    pub fn current(&self) -> Progress {
        self.open.as_ref().and_then(|id| self.progress.get(id)).copied().unwrap_or_default()
    }

    fn update(&mut self, id: &str, f: impl FnOnce(&mut Progress)) {
        f(Rc::make_mut(&mut self.progress).entry(id.to_string()).or_default());
        self.unsaved = save_progress(&self.progress).err();
    }
}

impl Reducible for ExerciseState {
    type Action = ExerciseAction;

    fn reduce(self: Rc<Self>, action: ExerciseAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ExerciseAction::Open(id) => {
                next.open = Some(id);
                next.expanded = true;
                next.checking = None;
                next.verdict = None;
            }
            ExerciseAction::Close => {
                next.open = None;
                next.checking = None;
                next.verdict = None;
            }
            ExerciseAction::Expand(open) => next.expanded = open,
            ExerciseAction::Checking(doc) => next.checking = Some(doc),
            ExerciseAction::Checked(id, verdict) => {
                // A verdict on an exercise closed since is of no use.
                let (Some(open), Some(doc)) = (&self.open, &self.checking) else { return self };
                if *open != id {
                    return self;
                }
                if let Ok(result) = &verdict {
                    let hints = self.current().hints;
                    let earned = result.stars.min(cap(hints));
                    next.update(&id, |p| {
                        p.stars = p.stars.max(earned);
                        p.attempts += 1;
                    });
                }
                next.verdict = Some((Rc::clone(doc), Rc::new(verdict)));
                next.checking = None;
            }
            ExerciseAction::RevealHint => {
                let Some(id) = self.open.clone() else { return self };
                next.update(&id, |p| p.hints += 1);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::exercise::registry;

    #[test]
    fn every_shipped_exercise_reads_with_a_starter_a_reference_and_hints() {
        for (id, text) in registry::BUILTIN {
            let b = parse_brief(text).unwrap();
            assert_eq!(b.id, *id, "the document's id is its file's name (the page fetches it by id)");
            assert!(!b.prompt.is_empty() && !b.requirements.is_empty(), "{}", b.id);
            assert!(b.hints.iter().any(|h| h.level == "reference"), "{}: the ladder ends on the reference", b.id);
            b.starter.validate_draft().unwrap();
            b.reference.validate_draft().unwrap();
        }
        let index =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../index.html")).unwrap();
        assert!(
            index.contains(r#"<link data-trunk rel="copy-dir" href="assets/exercises" />"#),
            "index.html has trunk copy the exercises next to the page"
        );
    }

    #[test]
    fn each_hint_lowers_the_best_stars_down_to_one() {
        assert_eq!((0..6).map(cap).collect::<Vec<_>>(), [3, 2, 1, 1, 1, 1]);
    }

    fn verdict(stars: u8) -> Verdict {
        let ex = registry::load("url-shortener").unwrap();
        let mut r = faultline_sim::exercise::check(&ex, &ex.reference).unwrap();
        r.stars = stars;
        r.pass = stars > 0;
        Ok(Box::new(r))
    }

    #[test]
    fn stars_are_capped_by_hints_and_only_ever_go_up() {
        let doc = Rc::new(faultline_sim::slice_scenario());
        let s = Rc::new(ExerciseState::new(ProgressMap::new()));
        let s = s.reduce(ExerciseAction::Open("url-shortener".into()));
        let checked = |s: Rc<ExerciseState>, stars| {
            s.reduce(ExerciseAction::Checking(Rc::clone(&doc)))
                .reduce(ExerciseAction::Checked("url-shortener".into(), verdict(stars)))
        };
        let s = checked(s, 1);
        assert_eq!(s.current(), Progress { stars: 1, hints: 0, attempts: 1 });
        assert!(s.checking.is_none() && s.verdict.is_some());
        let s = s.reduce(ExerciseAction::RevealHint);
        let s = checked(s, 3);
        assert_eq!(s.current(), Progress { stars: 2, hints: 1, attempts: 2 }, "one hint: two stars at best");
        let s = s.reduce(ExerciseAction::RevealHint).reduce(ExerciseAction::RevealHint);
        let s = checked(s, 3);
        assert_eq!(s.current().stars, 2, "a capped check never lowers what was earned");
        let s = checked(s, 0);
        assert_eq!(s.current().stars, 2);
        assert_eq!(s.current().attempts, 4, "a failed check is an attempt too");
    }

    #[test]
    fn progress_saved_before_attempts_were_counted_still_reads() {
        let old: ProgressMap = serde_json::from_str(r#"{"url-shortener":{"stars":2,"hints":1}}"#).unwrap();
        assert_eq!(old["url-shortener"], Progress { stars: 2, hints: 1, attempts: 0 });
        let new = serde_json::to_string(&old).unwrap();
        assert_eq!(new, r#"{"url-shortener":{"stars":2,"hints":1,"attempts":0}}"#);
    }

    #[test]
    fn an_unchecked_design_is_no_attempt() {
        let doc = Rc::new(faultline_sim::slice_scenario());
        let s = Rc::new(ExerciseState::new(ProgressMap::new()))
            .reduce(ExerciseAction::Open("url-shortener".into()))
            .reduce(ExerciseAction::Checking(doc))
            .reduce(ExerciseAction::Checked("url-shortener".into(), Err("the design has no client".into())));
        assert_eq!(s.current().attempts, 0);
        assert!(s.verdict.is_some(), "the error is shown");
    }

    #[test]
    fn a_verdict_for_another_or_a_closed_exercise_is_dropped() {
        let doc = Rc::new(faultline_sim::slice_scenario());
        let s = Rc::new(ExerciseState::new(ProgressMap::new()))
            .reduce(ExerciseAction::Open("url-shortener".into()))
            .reduce(ExerciseAction::Checking(doc));
        let other = Rc::clone(&s).reduce(ExerciseAction::Checked("likes-counter".into(), verdict(3)));
        assert!(other.verdict.is_none() && other.progress.is_empty());
        let closed =
            s.reduce(ExerciseAction::Close).reduce(ExerciseAction::Checked("url-shortener".into(), verdict(3)));
        assert!(closed.verdict.is_none() && closed.progress.is_empty());
    }
}
