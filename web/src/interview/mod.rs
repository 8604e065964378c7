//! Interview mode: a 45-minute mock system design interview around the
//! canvas, with phases and a timer (`schedule`), a failure drill that
//! breaks the learner's own design and measures how it and they cope
//! (`drill`), notes per phase, and an end report (`report`).
//!
//! Why the state lives here, apart from the App's reducer: an interview is
//! about the learner and the wall clock, not the design, and it must
//! survive a reload on its own (the design already does, through the
//! autosave). So it is one plain serde value, saved whole in browser
//! storage on every change under a versioned key; an entry that does not
//! read (another version, a hand edit, a truncated write) is moved aside
//! and reported, never a reason to fail. Every change is a pure function of
//! the value and a wall-clock `now` passed in, so it is all tested natively.

pub mod drill;
pub mod report;
pub mod schedule;

use drill::{Plan, Sample};
use schedule::{Clock, Phase};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the interview in progress is kept in browser storage.
const KEY: &str = "faultline.interview.v1";
/// Where an entry that could not be read is moved, so it is not lost.
const UNREADABLE_KEY: &str = "faultline.interview.unreadable";
/// Finished interviews: attempts and reports, by exercise.
const PAST_KEY: &str = "faultline.interviews.v1";
/// The interview document version this build reads and writes.
pub const INTERVIEW_VERSION: u32 = 1;
/// Reports kept per exercise (the oldest go first).
const PAST_KEPT: usize = 10;
/// The key of a blank-canvas interview in the finished ones.
pub const BLANK: &str = "blank";

/// The failure drill as it runs: its plan and what has been seen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrillRun {
    pub plan: Plan,
    pub samples: Vec<Sample>,
    /// Simulated moments of the learner's design edits during the drill.
    pub edits: Vec<f64>,
    /// The engine run the next samples belong to.
    pub segment: u32,
}

impl DrillRun {
    pub fn new(plan: Plan) -> DrillRun {
        DrillRun { plan, samples: Vec::new(), edits: Vec::new(), segment: 0 }
    }

    pub fn measured(&self) -> drill::Measured {
        let at: Vec<u64> = self.plan.faults.iter().map(|f| f.fault.at_ms).collect();
        drill::measure(&at, self.plan.duration_ms as f64, &self.samples, &self.edits, &self.plan.targets)
    }
}

/// One interview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interview {
    pub version: u32,
    /// The exercise it is about; `None`: a blank canvas.
    pub exercise: Option<String>,
    pub title: String,
    /// Which attempt at this exercise (1 = the first).
    pub attempt: u32,
    pub phase: Phase,
    pub clock: Clock,
    /// Notes, one per phase (`Phase::ALL` order).
    pub notes: [String; 6],
    pub drill: Option<DrillRun>,
    /// Ended: the clock is stopped and the report shows.
    pub ended: bool,
}

/// A change to the interview.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Go(Phase),
    Pause,
    Resume,
    Note(Phase, String),
    End,
    /// The drill's plan, as it starts.
    Drill(Plan),
    /// The run's numbers now (kept if they move the series on).
    Sample {
        t_ms: f64,
        ok: u64,
        failed: u64,
        p99_ms: f64,
    },
    /// The engine started another run (an edit, a scrub, a reload).
    NewRun,
    /// The learner changed the design at this simulated moment.
    Edited(f64),
}

impl Interview {
    pub fn start(exercise: Option<String>, title: String, attempt: u32, now: f64) -> Interview {
        Interview {
            version: INTERVIEW_VERSION,
            exercise,
            title,
            attempt,
            phase: Phase::Requirements,
            clock: Clock::started(now),
            notes: Default::default(),
            drill: None,
            ended: false,
        }
    }

    /// Whether the drill is collecting (planned, the interview not over).
    pub fn drilling(&self) -> bool {
        self.drill.is_some() && !self.ended
    }

    /// Applies `change` at wall-clock `now`; whether anything changed.
    pub fn apply(&mut self, change: Change, now: f64) -> bool {
        if self.ended && !matches!(change, Change::Note(..)) {
            return false;
        }
        match change {
            Change::Go(to) if to != self.phase => {
                self.clock.switch(self.phase, now);
                self.phase = to;
            }
            Change::Go(_) => return false,
            Change::Pause if !self.clock.paused() => self.clock.pause(self.phase, now),
            Change::Resume if self.clock.paused() => self.clock.resume(now),
            Change::Pause | Change::Resume => return false,
            Change::Note(phase, text) => {
                let note = &mut self.notes[phase.index()];
                if *note == text {
                    return false;
                }
                *note = text;
            }
            Change::End => {
                self.clock.pause(self.phase, now);
                self.ended = true;
            }
            Change::Drill(plan) => self.drill = Some(DrillRun::new(plan)),
            Change::Sample { t_ms, ok, failed, p99_ms } => {
                let Some(d) = &mut self.drill else { return false };
                let s = Sample { t_ms, ok, failed, p99_ms, segment: d.segment };
                return drill::record(&mut d.samples, s);
            }
            Change::NewRun => match &mut self.drill {
                Some(d) => d.segment += 1,
                None => return false,
            },
            Change::Edited(t_ms) => match &mut self.drill {
                Some(d) => d.edits.push(t_ms),
                None => return false,
            },
        }
        true
    }
}

/// Reads an interview document; why not, if it does not read.
pub fn parse(text: &str) -> Result<Interview, String> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let v: Versioned = serde_json::from_str(text).map_err(|e| format!("it is not an interview ({e})"))?;
    if v.version != INTERVIEW_VERSION {
        return Err(format!("it is version {}, this page reads version {INTERVIEW_VERSION}", v.version));
    }
    serde_json::from_str(text).map_err(|e| format!("it does not read ({e})"))
}

/// The interview saved in this browser, if any, and a notice if one was
/// there but could not be read (its text is then kept aside).
pub fn load() -> (Option<Interview>, Option<String>) {
    let Ok(Some(text)) = crate::storage::read(KEY) else { return (None, None) };
    match parse(&text) {
        Ok(i) => (Some(i), None),
        Err(e) => {
            let kept = crate::storage::write(UNREADABLE_KEY, &text).is_ok();
            let _ = remove(KEY);
            let aside = if kept { format!(" (its text is kept under \"{UNREADABLE_KEY}\")") } else { String::new() };
            (None, Some(format!("The saved interview could not be restored: {e}{aside}.")))
        }
    }
}

fn remove(key: &str) -> Result<(), String> {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).ok_or("no storage")?;
    storage.remove_item(key).map_err(|_| "could not remove".to_string())
}

/// Saves the interview (or forgets it: `None`).
pub fn save(interview: Option<&Interview>) -> Result<(), String> {
    if cfg!(not(target_arch = "wasm32")) {
        return Ok(());
    }
    match interview {
        Some(i) => crate::storage::write(KEY, &serde_json::to_string(i).unwrap_or_default()),
        None => remove(KEY),
    }
}

/// A finished interview, as kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Past {
    pub attempt: u32,
    /// When it ended (ms since the epoch).
    pub ended_ms: f64,
    pub report: String,
}

/// Finished interviews by exercise id (`BLANK` for a blank canvas).
pub type PastMap = BTreeMap<String, Vec<Past>>;

pub fn past() -> PastMap {
    crate::storage::read(PAST_KEY).ok().flatten().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

/// The attempt number the next interview on `exercise` is.
pub fn next_attempt(past: &PastMap, exercise: Option<&str>) -> u32 {
    past.get(exercise.unwrap_or(BLANK)).and_then(|l| l.last()).map_or(1, |p| p.attempt + 1)
}

/// Keeps a finished interview's report (the last `PAST_KEPT` per exercise).
pub fn keep_past(i: &Interview, report: String, now: f64) -> Result<(), String> {
    if cfg!(not(target_arch = "wasm32")) {
        return Ok(());
    }
    let mut map = past();
    let list = map.entry(i.exercise.clone().unwrap_or_else(|| BLANK.into())).or_default();
    list.push(Past { attempt: i.attempt, ended_ms: now, report });
    let extra = list.len().saturating_sub(PAST_KEPT);
    list.drain(..extra);
    crate::storage::write(PAST_KEY, &serde_json::to_string(&map).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: f64 = 60_000.0;

    #[test]
    fn phases_notes_pause_and_end_change_what_they_should() {
        let t0 = 1.0e12;
        let mut i = Interview::start(Some("url-shortener".into()), "URL shortener".into(), 1, t0);
        assert!(i.apply(Change::Note(Phase::Requirements, "reads ≫ writes".into()), t0));
        assert!(!i.apply(Change::Note(Phase::Requirements, "reads ≫ writes".into()), t0), "same text: no change");
        assert!(i.apply(Change::Go(Phase::Estimation), t0 + 4.0 * MIN));
        assert!(!i.apply(Change::Go(Phase::Estimation), t0 + 4.0 * MIN));
        assert!(i.apply(Change::Pause, t0 + 5.0 * MIN));
        assert!(!i.apply(Change::Pause, t0 + 6.0 * MIN), "already paused");
        assert!(i.apply(Change::Go(Phase::Requirements), t0 + 7.0 * MIN), "back while paused");
        assert!(i.clock.paused(), "moving between phases does not resume");
        assert_eq!(i.clock.used(Phase::Requirements, i.phase, t0 + 7.0 * MIN), 4.0 * MIN);
        assert_eq!(i.clock.used(Phase::Estimation, i.phase, t0 + 7.0 * MIN), MIN);
        assert!(i.apply(Change::Resume, t0 + 8.0 * MIN));
        assert!(i.apply(Change::End, t0 + 9.0 * MIN));
        assert_eq!(i.clock.total(t0 + 20.0 * MIN), 6.0 * MIN, "an ended interview's clock stands still");
        assert!(!i.apply(Change::Go(Phase::WrapUp), t0 + 10.0 * MIN), "ended: phases are fixed");
        assert!(
            i.apply(Change::Note(Phase::WrapUp, "more replicas".into()), t0 + 10.0 * MIN),
            "notes can still be written"
        );
        assert_eq!(i.notes[Phase::Requirements.index()], "reads ≫ writes");
    }

    #[test]
    fn the_drill_collects_samples_runs_and_edits_only_once_planned() {
        let mut i = Interview::start(None, "Blank canvas".into(), 1, 0.0);
        let sample = |t_ms| Change::Sample { t_ms, ok: 10, failed: 0, p99_ms: 3.0 };
        assert!(!i.apply(sample(0.0), 0.0), "no drill yet");
        assert!(!i.apply(Change::Edited(1.0), 0.0));
        let plan = drill::plan(&faultline_sim::slice_scenario(), None);
        i.apply(Change::Drill(plan), 0.0);
        assert!(i.drilling());
        assert!(i.apply(sample(0.0), 0.0));
        assert!(!i.apply(sample(500.0), 0.0));
        assert!(i.apply(Change::NewRun, 0.0));
        assert!(i.apply(sample(500.0), 0.0), "a new run's first moment is kept");
        assert!(i.apply(Change::Edited(12_000.0), 0.0));
        let d = i.drill.as_ref().unwrap();
        assert_eq!((d.samples.len(), d.segment, d.edits.as_slice()), (2, 1, &[12_000.0][..]));
    }

    #[test]
    fn a_saved_interview_reads_back_and_a_bad_one_says_why() {
        let mut i = Interview::start(None, "Blank canvas".into(), 2, 5.0);
        i.apply(Change::Drill(drill::plan(&faultline_sim::slice_scenario(), None)), 6.0);
        let text = serde_json::to_string(&i).unwrap();
        assert_eq!(parse(&text).unwrap(), i);
        assert!(parse("{").unwrap_err().contains("not an interview"));
        let newer = text.replacen("\"version\":1", "\"version\":7", 1);
        assert!(parse(&newer).unwrap_err().contains("version 7"));
        let broken = text.replacen("\"phase\":\"requirements\"", "\"phase\":\"lunch\"", 1);
        assert!(parse(&broken).unwrap_err().contains("does not read"));
    }

    #[test]
    fn attempts_count_on_from_the_last_kept() {
        let mut past = PastMap::new();
        assert_eq!(next_attempt(&past, Some("likes-counter")), 1);
        past.insert("likes-counter".into(), vec![Past { attempt: 3, ended_ms: 0.0, report: String::new() }]);
        assert_eq!(next_attempt(&past, Some("likes-counter")), 4);
        assert_eq!(next_attempt(&past, None), 1);
    }
}
