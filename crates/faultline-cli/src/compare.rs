//! `faultline compare`: two designs' summaries side by side, with the
//! difference and whether it is better or worse (by each metric's
//! direction), the same table the playground's compare view shows
//! (`faultline_live::compare::rows`).

use faultline_live::compare::{rows, Comparison, Verdict};
use std::fmt::Write;

/// The readable table of `c`.
pub fn table(c: &Comparison) -> String {
    let mut out = String::new();
    let name = |s: &Result<faultline_live::compare::Side, String>, which: &str| match s {
        Ok(side) if !side.name.is_empty() => side.name.clone(),
        _ => which.to_string(),
    };
    let (na, nb) = (name(&c.a, "A"), name(&c.b, "B"));
    let _ = writeln!(out, "A: {na}\nB: {nb}");
    let _ = writeln!(
        out,
        "Same traffic: both run {:.1} s with seed {} and A's fault timeline.",
        c.duration_ms as f64 / 1_000.0,
        c.seed
    );
    for s in &c.skipped {
        let _ = writeln!(out, "Not in B, skipped for B: fault at {} ms ({})", s.fault.at_ms, s.why);
    }
    let (a, b) = match (&c.a, &c.b) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            for (which, side) in [("A", a), ("B", b)] {
                if let Err(e) = side {
                    let _ = writeln!(out, "{which} could not run: {e}");
                }
            }
            return out;
        }
    };
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<26} {:>12} {:>12} {:>14}", "", "A", "B", "B - A");
    let mut op = None;
    for r in rows(&a.summary, &b.summary) {
        if r.op.is_some() && r.op != op {
            let _ = writeln!(out, "operation {}", r.op.as_deref().unwrap_or_default());
            op = r.op.clone();
        }
        let label = if r.op.is_some() { format!("  {}", r.label) } else { r.label.clone() };
        let mark = match r.verdict() {
            Verdict::Better => "  better",
            Verdict::Worse => "  worse",
            Verdict::Same => "  same",
            Verdict::Unknown => "",
        };
        let _ = writeln!(out, "{label:<26} {:>12} {:>12} {:>14}{mark}", r.text(r.a), r.text(r.b), r.diff_text());
    }
    out
}
