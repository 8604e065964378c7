//! One line per finished interview, for the list of past ones: when it
//! ended, on what, how the time went per phase, and what the drill
//! measured. Plain text from the stored value, so it is tested natively.

use super::report::budget;
use super::schedule::{mmss, Phase};
use super::{Past, PastMap, BLANK};

/// What the list shows of one finished interview.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub exercise: String,
    pub ended_ms: f64,
    /// "2026-12-02 17:20 UTC".
    pub date: String,
    pub title: String,
    pub attempt: u32,
    /// "Requirements 4:10/5:00 · Estimation ..." (used / planned).
    pub phases: String,
    /// Per fault: time to mitigate and budget burned; or why there is none.
    pub drill: String,
}

/// A moment (ms since the epoch) as a UTC date and time to the minute.
pub fn date(ms: f64) -> String {
    let secs = (ms / 1_000.0).floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3_600, rem % 3_600 / 60)
}

pub fn line(exercise: &str, p: &Past) -> Line {
    let (title, phases, drill) = match &p.interview {
        Some(i) => {
            let phases = Phase::ALL
                .iter()
                .map(|ph| {
                    format!("{} {}/{}", ph.label(), mmss(i.clock.used(*ph, i.phase, p.ended_ms)), mmss(ph.planned_ms()))
                })
                .collect::<Vec<_>>()
                .join(" · ");
            let drill = match &i.drill {
                Some(d) if !d.plan.faults.is_empty() => {
                    let m = d.measured();
                    m.faults
                        .iter()
                        .enumerate()
                        .map(|(k, f)| {
                            let mitigated = match (f.first_breach_ms, f.mitigate_ms()) {
                                (None, _) => "no breach".to_string(),
                                (Some(_), Some(ms)) => format!("mitigated in {:.1} s", ms / 1_000.0),
                                (Some(_), None) => "not mitigated".to_string(),
                            };
                            format!("fault {}: {mitigated}, {} of the budget burned", k + 1, budget(f.budget_burned))
                        })
                        .collect::<Vec<_>>()
                        .join(" · ")
                }
                _ => "The drill did not run.".to_string(),
            };
            (i.title.clone(), phases, drill)
        }
        None => {
            let title = if exercise == BLANK { "Blank canvas".to_string() } else { exercise.to_string() };
            (title, "(kept as text only)".to_string(), "(see the report)".to_string())
        }
    };
    Line {
        exercise: exercise.to_string(),
        ended_ms: p.ended_ms,
        date: date(p.ended_ms),
        title,
        attempt: p.attempt,
        phases,
        drill,
    }
}

/// Every finished interview, the latest first.
pub fn lines(map: &PastMap) -> Vec<Line> {
    let mut all: Vec<Line> = map.iter().flat_map(|(ex, list)| list.iter().map(move |p| line(ex, p))).collect();
    all.sort_by(|a, b| b.ended_ms.total_cmp(&a.ended_ms));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::{add_past, Change, Interview};

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(date(0.0), "1970-01-01 00:00 UTC");
        // 2026-12-02 17:20:59 UTC.
        assert_eq!(date(1_796_232_059_000.0), "2026-12-02 17:20 UTC");
        // 2024-02-29 (a leap day) 23:59.
        assert_eq!(date(1_709_251_140_000.0), "2024-02-29 23:59 UTC");
    }

    #[test]
    fn a_line_has_each_phase_used_against_planned_and_the_latest_comes_first() {
        const MIN: f64 = 60_000.0;
        let t0 = 1_796_230_000_000.0;
        let mut i = Interview::start(Some("url-shortener".into()), "URL shortener".into(), 2, t0);
        i.apply(Change::Go(Phase::Estimation), t0 + 4.0 * MIN + 10_000.0);
        i.apply(Change::End, t0 + 10.0 * MIN);
        let mut map = PastMap::new();
        add_past(&mut map, &i, String::new(), t0 + 10.0 * MIN);
        let mut blank = Interview::start(None, "Blank canvas".into(), 1, t0 + 20.0 * MIN);
        blank.apply(Change::End, t0 + 21.0 * MIN);
        add_past(&mut map, &blank, String::new(), t0 + 21.0 * MIN);
        let l = lines(&map);
        assert_eq!(l.iter().map(|l| l.title.as_str()).collect::<Vec<_>>(), ["Blank canvas", "URL shortener"]);
        let u = &l[1];
        assert_eq!((u.attempt, u.exercise.as_str()), (2, "url-shortener"));
        assert!(u.phases.starts_with("Requirements 4:10/5:00 · Estimation 5:50/5:00 · "), "{}", u.phases);
        assert_eq!(u.drill, "The drill did not run.");
        assert_eq!(u.date, date(t0 + 10.0 * MIN));
    }
}
