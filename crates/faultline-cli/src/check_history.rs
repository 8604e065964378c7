//! `faultline check-history`: the linearizability verdict on a JSON-lines
//! history (the format of `faultline_sim::history`).
//!
//! Exit codes say the verdict so scripts can branch on it: 0 linearizable,
//! 1 not linearizable, 2 bad input (unreadable, or a line that is not an
//! event, or events that break the history's rules: the message names the
//! line), 3 unknown (the search passed its step limit).

use faultline_sim::check::{check_history, explain_history, Limits, Model, Verdict};
use faultline_sim::history::parse_json_lines;
use std::io::Read;

pub const LINEARIZABLE: u8 = 0;
pub const NOT_LINEARIZABLE: u8 = 1;
pub const BAD_INPUT: u8 = 2;
pub const UNKNOWN: u8 = 3;

/// Runs the check; returns the exit code and prints the verdict (or the error
/// to standard error).
pub fn run(path: &str, model: &str, json: bool, max_steps: u64) -> u8 {
    match check(path, model, json, max_steps) {
        Ok((code, text)) => {
            println!("{text}");
            code
        }
        Err(message) => {
            eprintln!("error: {message}");
            BAD_INPUT
        }
    }
}

fn check(path: &str, model: &str, json: bool, max_steps: u64) -> Result<(u8, String), String> {
    let model =
        Model::from_name(model).ok_or_else(|| format!("unknown model {model:?}: use register or cas-register"))?;
    let text = if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?
    };
    let events = parse_json_lines(&text).map_err(|e| format!("{path}: {e}"))?;
    let limits = Limits { max_steps_per_key: max_steps, ..Limits::default() };
    let report = check_history(&events, model, &limits).map_err(|e| {
        // The event's line in the file (blank lines are skipped by the reader).
        let line = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).nth(e.index as usize);
        format!("{path}: line {}: {}", line.map_or(0, |(i, _)| i + 1), e.message)
    })?;
    let code = match report.verdict {
        Verdict::Linearizable => LINEARIZABLE,
        Verdict::NotLinearizable(_) => NOT_LINEARIZABLE,
        Verdict::Unknown { .. } => UNKNOWN,
    };
    if json {
        return Ok((code, serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?));
    }
    let mut out = format!("{path}: {}", report.verdict);
    if matches!(report.verdict, Verdict::NotLinearizable(_)) {
        out.push_str("\n  (events are numbered from 0 in the order of the file's lines)");
        // The same violation shrunk to the operations that matter, as the
        // page draws it (the history was already read without error).
        if let Ok(Some(e)) = explain_history(&events, model, &limits) {
            out.push_str(&format!("\n  the fewest operations on key {} that no order fits:", e.key));
            for (i, o) in e.ops.iter().enumerate() {
                out.push_str(&format!("\n  {} {o}", if i == e.offending { ">" } else { " " }));
            }
            out.push_str(&format!("\n  {}", e.why));
        }
    }
    out.push_str(&format!(
        "\n{} operations on {} key{}, model {}, {} search steps",
        report.operations,
        report.keys.len(),
        if report.keys.len() == 1 { "" } else { "s" },
        model.name(),
        report.steps
    ));
    Ok((code, out))
}
