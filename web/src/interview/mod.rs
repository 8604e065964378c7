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
pub mod past;
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
/// Where finished interviews that could not be read are set aside.
const PAST_UNREADABLE_KEY: &str = "faultline.interviews.unreadable";
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

    /// The phase to move on to at `now` because the current one's time has
    /// just run out: not while paused or ended, not from the last phase, and
    /// not in a phase that was already over its time when the clock came to
    /// it (going back to finish something is not undone a second later).
    pub fn time_up(&self, now: f64) -> Option<Phase> {
        if self.ended || self.clock.paused() {
            return None;
        }
        let had_time = self.clock.used_ms[self.phase.index()] < self.phase.planned_ms();
        (had_time && self.clock.left_in(self.phase, now) <= 0.0).then(|| self.phase.next()).flatten()
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
    /// The ended interview itself, to open its report again (entries kept
    /// before this was stored have only the Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview: Option<Interview>,
}

/// Finished interviews by exercise id (`BLANK` for a blank canvas).
pub type PastMap = BTreeMap<String, Vec<Past>>;

/// An entry of the finished interviews that does not read: (exercise id,
/// its JSON text, why).
pub type Unreadable = (String, String, String);

/// Reads the finished interviews, entry by entry: the map, and each entry
/// that does not read as (exercise id, its JSON text, why). Only a text that
/// is not a map of lists at all is an error.
pub fn parse_past(text: &str) -> Result<(PastMap, Vec<Unreadable>), String> {
    let raw: BTreeMap<String, Vec<serde_json::Value>> =
        serde_json::from_str(text).map_err(|e| format!("they are not a list of interviews ({e})"))?;
    let mut map = PastMap::new();
    let mut bad = Vec::new();
    for (exercise, entries) in raw {
        for entry in entries {
            // Through the text, not `from_value`: the text deserializer of an
            // interview is in the page anyway, a `Value` one would be a
            // second copy of it.
            let entry = entry.to_string();
            match serde_json::from_str::<Past>(&entry) {
                Ok(p) => map.entry(exercise.clone()).or_default().push(p),
                Err(e) => bad.push((exercise.clone(), entry, e.to_string())),
            }
        }
    }
    Ok((map, bad))
}

/// The finished interviews kept in this browser, and a notice if some
/// could not be read: those are moved aside (added to what is already
/// there, under `PAST_UNREADABLE_KEY`), never dropped, and the rest kept.
pub fn load_past() -> (PastMap, Option<String>) {
    let Ok(Some(text)) = crate::storage::read(PAST_KEY) else { return (PastMap::new(), None) };
    let (map, bad) = match parse_past(&text) {
        Ok(read) => read,
        Err(e) => (PastMap::new(), vec![("*".to_string(), text.clone(), e)]),
    };
    if bad.is_empty() {
        return (map, None);
    }
    let mut aside: Vec<serde_json::Value> = crate::storage::read(PAST_UNREADABLE_KEY)
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    aside.extend(bad.iter().map(|(ex, text, why)| serde_json::json!({ "exercise": ex, "text": text, "why": why })));
    let kept = crate::storage::write(PAST_UNREADABLE_KEY, &serde_json::Value::Array(aside).to_string()).is_ok();
    // Rewritten without the bad entries only once they are safe elsewhere.
    if kept {
        let _ = crate::storage::write(PAST_KEY, &serde_json::to_string(&map).unwrap_or_default());
    }
    let n = bad.len();
    let what = if n == 1 { "1 past interview report".to_string() } else { format!("{n} past interview reports") };
    let where_ = if kept {
        format!("set aside under \"{PAST_UNREADABLE_KEY}\" in this browser's storage")
    } else {
        "left as they were (the browser refused to store them elsewhere)".to_string()
    };
    (
        map,
        Some(format!(
            "{what} could not be read and {} {where_}; the others are listed.",
            if n == 1 { "was" } else { "were" }
        )),
    )
}

pub fn past() -> PastMap {
    load_past().0
}

/// The attempt number the next interview on `exercise` is.
pub fn next_attempt(past: &PastMap, exercise: Option<&str>) -> u32 {
    past.get(exercise.unwrap_or(BLANK)).and_then(|l| l.last()).map_or(1, |p| p.attempt + 1)
}

/// Adds a finished interview to `map` (the last `PAST_KEPT` per exercise).
pub fn add_past(map: &mut PastMap, i: &Interview, report: String, now: f64) {
    let list = map.entry(i.exercise.clone().unwrap_or_else(|| BLANK.into())).or_default();
    list.push(Past { attempt: i.attempt, ended_ms: now, report, interview: Some(i.clone()) });
    let extra = list.len().saturating_sub(PAST_KEPT);
    list.drain(..extra);
}

/// Removes the finished interview of `exercise` that ended at `ended_ms`;
/// whether there was one.
pub fn remove_past(map: &mut PastMap, exercise: &str, ended_ms: f64) -> bool {
    let Some(list) = map.get_mut(exercise) else { return false };
    let before = list.len();
    list.retain(|p| p.ended_ms != ended_ms);
    let removed = list.len() < before;
    if list.is_empty() {
        map.remove(exercise);
    }
    removed
}

fn save_past(map: &PastMap) -> Result<(), String> {
    crate::storage::write(PAST_KEY, &serde_json::to_string(map).unwrap_or_default())
}

/// Keeps a finished interview's report (the last `PAST_KEPT` per exercise).
pub fn keep_past(i: &Interview, report: String, now: f64) -> Result<(), String> {
    if cfg!(not(target_arch = "wasm32")) {
        return Ok(());
    }
    let mut map = past();
    add_past(&mut map, i, report, now);
    save_past(&map)
}

/// Deletes a kept report; the list as it is now.
pub fn delete_past(exercise: &str, ended_ms: f64) -> Result<PastMap, String> {
    let mut map = past();
    if remove_past(&mut map, exercise, ended_ms) {
        save_past(&map)?;
    }
    Ok(map)
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
        past.insert(
            "likes-counter".into(),
            vec![Past { attempt: 3, ended_ms: 0.0, report: String::new(), interview: None }],
        );
        assert_eq!(next_attempt(&past, Some("likes-counter")), 4);
        assert_eq!(next_attempt(&past, None), 1);
    }

    /// A phase whose time runs out moves on by itself, unless paused; one
    /// already over its time when the clock came back to it does not.
    #[test]
    fn a_phase_whose_time_is_up_moves_on_unless_paused() {
        let t0 = 1.0e12;
        let mut i = Interview::start(None, "Blank canvas".into(), 1, t0);
        let plan = Phase::Requirements.planned_ms();
        assert_eq!(i.time_up(t0 + plan - 1.0), None);
        assert_eq!(i.time_up(t0 + plan), Some(Phase::Estimation));
        i.apply(Change::Pause, t0 + 2.0 * MIN);
        assert_eq!(i.time_up(t0 + 2.0 * plan), None, "paused: it waits");
        i.apply(Change::Resume, t0 + 10.0 * MIN);
        // 2 min used before the pause: 3 left from the resume.
        assert_eq!(i.time_up(t0 + 13.0 * MIN - 1.0), None);
        assert_eq!(i.time_up(t0 + 13.0 * MIN), Some(Phase::Estimation));
        i.apply(Change::Go(Phase::Estimation), t0 + 14.0 * MIN);
        i.apply(Change::Go(Phase::Requirements), t0 + 15.0 * MIN);
        assert_eq!(i.time_up(t0 + 16.0 * MIN), None, "back in a phase already over: it stays");
        i.apply(Change::Go(Phase::WrapUp), t0 + 16.0 * MIN);
        assert_eq!(i.time_up(t0 + 60.0 * MIN), None, "the last phase has nowhere to go");
        i.apply(Change::End, t0 + 61.0 * MIN);
        assert_eq!(i.time_up(t0 + 90.0 * MIN), None);
    }

    /// Past interviews read entry by entry: a corrupt one is set aside with
    /// why, the others are kept; a text that is no list at all is an error
    /// (the caller sets it all aside). Old entries without the interview read.
    #[test]
    fn past_interviews_read_entry_by_entry_and_delete_one() {
        let mut map = PastMap::new();
        let mut i = Interview::start(Some("url-shortener".into()), "URL shortener".into(), 1, 0.0);
        i.apply(Change::End, 5.0 * MIN);
        add_past(&mut map, &i, "# report".into(), 5.0 * MIN);
        i.attempt = 2;
        add_past(&mut map, &i, "# report 2".into(), 9.0 * MIN);
        let mut text: serde_json::Value = serde_json::to_value(&map).unwrap();
        let list = text["url-shortener"].as_array_mut().unwrap();
        list.push(serde_json::json!({ "attempt": "three", "ended_ms": 1.0, "report": "" }));
        list.push(serde_json::json!({ "attempt": 4, "ended_ms": 2.0, "report": "old, no interview" }));
        let (read, bad) = parse_past(&text.to_string()).unwrap();
        assert_eq!(read["url-shortener"].len(), 3);
        assert_eq!(read["url-shortener"][..2], map["url-shortener"][..]);
        assert_eq!(read["url-shortener"][2].interview, None);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].1.contains("three") && bad[0].2.contains("invalid type"), "{bad:?}");
        assert!(parse_past("[1, 2]").unwrap_err().contains("not a list of interviews"));

        let mut read = read;
        assert!(remove_past(&mut read, "url-shortener", 5.0 * MIN));
        assert!(!remove_past(&mut read, "url-shortener", 5.0 * MIN), "gone already");
        assert_eq!(read["url-shortener"].iter().map(|p| p.attempt).collect::<Vec<_>>(), [2, 4]);
        for _ in 0..2 {
            let t = read["url-shortener"][0].ended_ms;
            remove_past(&mut read, "url-shortener", t);
        }
        assert!(read.is_empty(), "an exercise with none left goes");
        for k in 0..12 {
            add_past(&mut read, &i, String::new(), k as f64);
        }
        assert_eq!(read["url-shortener"].len(), PAST_KEPT);
        assert_eq!(read["url-shortener"][0].ended_ms, 2.0, "the oldest went first");
    }
}
