//! The end report as text: Markdown, so it pastes into a doc, a chat or an
//! issue as a table and reads as plain text too. The page draws the same
//! numbers (`components::interview`); this is the copyable form.

use super::drill::{FaultResult, Measured, RECOVERY_MS};
use super::schedule::{mmss, Phase};
use super::Interview;
use crate::components::timeline::describe;

/// Simulated seconds, to a tenth.
pub fn secs(ms: f64) -> String {
    format!("{:.1} s", ms / 1_000.0)
}

/// A share of the error budget, as a percentage.
pub fn budget(burned: Option<f64>) -> String {
    match burned {
        None => "n/a (no traffic)".into(),
        Some(b) if b >= 10.0 => format!("{:.0}%", b * 100.0),
        Some(b) => format!("{:.1}%", b * 100.0),
    }
}

/// A moment, or why there is none.
fn moment(t: Option<f64>, none: &str) -> String {
    t.map_or_else(|| none.to_string(), secs)
}

/// A fault's row of results, as the report and the panel show them:
/// (first breach, first edit, recovery, time to mitigate).
pub fn cells(f: &FaultResult) -> [String; 4] {
    let breached = f.first_breach_ms.is_some();
    let open = if f.complete { "not recovered" } else { "not yet" };
    [
        moment(f.first_breach_ms, if f.complete { "no breach" } else { "none yet" }),
        moment(f.first_edit_ms, "no edit"),
        if breached { moment(f.recovery_ms, open) } else { "—".into() },
        match (breached, f.mitigate_ms()) {
            (false, _) => "nothing to mitigate".into(),
            (true, Some(m)) => secs(m),
            (true, None) => open.into(),
        },
    ]
}

/// What breaches, in words.
pub fn breach_rule(m: &super::drill::Targets) -> String {
    let errors = format!("error rate over {}%", m.error_rate * 100.0);
    match m.p99_ms {
        Some(p) => format!("{errors} or p99 over {p} ms"),
        None => errors,
    }
}

/// The whole report, as Markdown, at wall-clock `now`.
pub fn markdown(i: &Interview, measured: Option<&Measured>, now: f64) -> String {
    let mut out = format!("# Interview: {} (attempt {})\n\n", i.title, i.attempt);
    let total = i.clock.total(now);
    out += &format!("Time used: {} of {} planned.\n\n", mmss(total), mmss(super::schedule::planned_total_ms()));
    out += "| Phase | Planned | Used |\n|---|---:|---:|\n";
    for p in Phase::ALL {
        let used = i.clock.used(p, i.phase, now);
        let over = if used > p.planned_ms() { " (over)" } else { "" };
        out += &format!("| {} | {} | {}{over} |\n", p.label(), mmss(p.planned_ms()), mmss(used));
    }
    let notes: Vec<_> = Phase::ALL.iter().filter(|p| !i.notes[p.index()].trim().is_empty()).collect();
    if !notes.is_empty() {
        out += "\n## Notes\n";
        for p in notes {
            out += &format!("\n### {}\n\n{}\n", p.label(), i.notes[p.index()].trim());
        }
    }
    out += "\n## Failure drill\n\n";
    match (&i.drill, measured) {
        (Some(d), Some(m)) => {
            let t = &d.plan.targets;
            out += &format!(
                "Breach: {} over an interval of about a simulated second. Recovery: {} s without a breach. SLO {}% \
                 ({:.1} failures allowed over the {} requests of the drill{}). Times are simulated, from the start of the run.\n\n",
                breach_rule(t),
                RECOVERY_MS / 1_000.0,
                t.slo_pct,
                m.allowed_failures,
                m.done,
                if m.faults.iter().all(|f| f.complete) { "" } else { " so far" }
            );
            if m.breached_before {
                out += "The design was already breaching before the first fault.\n\n";
            }
            out += "| Fault | Starts | First breach | First edit | Recovery | Time to mitigate | Failed | Budget burned |\n";
            out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
            for (f, r) in d.plan.faults.iter().zip(&m.faults) {
                let [breach, edit, recovery, mitigate] = cells(r);
                out += &format!(
                    "| {} | {} | {breach} | {edit} | {recovery} | {mitigate} | {} | {} |\n",
                    describe(&f.fault),
                    secs(r.at_ms),
                    r.failed,
                    budget(r.budget_burned)
                );
            }
            out += "\nFaults: ";
            out += &d
                .plan
                .faults
                .iter()
                .map(|f| format!("{} ({})", describe(&f.fault), f.source))
                .collect::<Vec<_>>()
                .join("; ");
            out += ".\n";
        }
        _ => out += "Not run.\n",
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{drill, Change};
    use super::*;

    #[test]
    fn the_report_has_every_phase_the_notes_and_each_fault_s_numbers() {
        let t0 = 0.0;
        let mut i = Interview::start(None, "Blank canvas".into(), 2, t0);
        i.apply(Change::Note(Phase::Requirements, "1k rps, 99.9%".into()), t0);
        i.apply(Change::Go(Phase::FailureDrill), t0 + 6.0 * 60_000.0);
        let plan = drill::plan(&faultline_sim::slice_scenario(), None);
        i.apply(Change::Drill(plan), t0);
        // 100 req/s; everything fails from 10 s to 20 s.
        let (mut ok, mut failed) = (0, 0);
        for s in 0..=70u64 {
            i.apply(Change::Sample { t_ms: (s * 1_000) as f64, ok, failed, p99_ms: 5.0 }, t0);
            if (10..20).contains(&s) {
                failed += 100;
            } else {
                ok += 100;
            }
        }
        i.apply(Change::Edited(12_000.0), t0);
        i.apply(Change::End, t0 + 7.0 * 60_000.0);
        let m = i.drill.as_ref().unwrap().measured();
        let text = markdown(&i, Some(&m), t0 + 7.0 * 60_000.0);
        assert!(text.contains("# Interview: Blank canvas (attempt 2)"));
        assert!(text.contains("| Requirements | 5:00 | 6:00 (over) |"), "{text}");
        assert!(text.contains("| Failure drill | 10:00 | 1:00 |"), "{text}");
        assert!(text.contains("### Requirements\n\n1k rps, 99.9%"));
        // 7,000 requests at 99.9%: 7 allowed; 1,000 failed: 14,286% of the budget.
        assert!(text.contains("| crash db | 10.0 s | 11.0 s | 12.0 s | 20.0 s | 10.0 s | 1000 | 14286% |"), "{text}");
        assert!(text.contains("picked by role"));
    }
}
