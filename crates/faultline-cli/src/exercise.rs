//! `faultline exercise`: list the guided exercises and check a design
//! against one. Exit codes: 0 every criterion passed, 1 one failed, 2 bad
//! input (an unknown exercise, a file that is not a scenario, a design the
//! check cannot apply to).

use clap::Subcommand;
use faultline_sim::exercise::{self, registry, CheckResult, Exercise, Measured, RunResult};
use faultline_sim::Scenario;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ExerciseCommand {
    /// List the shipped exercises.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Run a design under an exercise's check and print every criterion.
    Check {
        /// A shipped exercise's id (see `list`) or an exercise JSON file.
        exercise: String,
        /// The design: a scenario JSON file, `-` for standard input, a share
        /// link, or `@starter` / `@reference` for the exercise's own.
        design: String,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print an exercise: its prompt, requirements and criteria.
    Show { exercise: String },
    /// Print the JSON Schema of the exercise document.
    Schema,
}

/// Bad input: exit 2 with the message.
fn bad(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

pub fn execute(command: ExerciseCommand, load_design: impl Fn(&str) -> Result<Scenario, String>) -> ExitCode {
    match command {
        ExerciseCommand::List { json } => {
            let mut rows = Vec::new();
            for id in registry::ids() {
                match registry::load(id) {
                    Ok(ex) => rows.push(ex),
                    Err(e) => return bad(format!("the shipped exercise {id} is broken:\n{e}")),
                }
            }
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|e| serde_json::json!({"id": e.id, "title": e.title, "difficulty": e.difficulty}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
            } else {
                for e in &rows {
                    println!("{:<26} {:<7} {}", e.id, format!("{:?}", e.difficulty).to_lowercase(), e.title);
                }
            }
            ExitCode::SUCCESS
        }
        ExerciseCommand::Schema => {
            print!("{}", Exercise::json_schema());
            ExitCode::SUCCESS
        }
        ExerciseCommand::Show { exercise } => match load_exercise(&exercise) {
            Ok(ex) => {
                print!("{}", show(&ex));
                ExitCode::SUCCESS
            }
            Err(e) => bad(e),
        },
        ExerciseCommand::Check { exercise, design, json } => {
            let ex = match load_exercise(&exercise) {
                Ok(ex) => ex,
                Err(e) => return bad(e),
            };
            let scenario = match design.as_str() {
                "@starter" => ex.starter.clone(),
                "@reference" => ex.reference.clone(),
                path => match load_design(path) {
                    Ok(s) => s,
                    Err(e) => return bad(e),
                },
            };
            let verdict = match exercise::check(&ex, &scenario) {
                Ok(v) => v,
                Err(e) => return bad(format!("{design} cannot be checked against {}:\n{e}", ex.id)),
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&verdict).unwrap_or_default());
            } else {
                print!("{}", text(&ex, &verdict));
            }
            if verdict.pass {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn load_exercise(arg: &str) -> Result<Exercise, String> {
    if registry::ids().any(|id| id == arg) {
        return registry::load(arg).map_err(|e| format!("the shipped exercise {arg} is broken:\n{e}"));
    }
    let path = std::path::Path::new(arg);
    if !path.exists() {
        let ids: Vec<_> = registry::ids().collect();
        return Err(format!("no exercise `{arg}`: neither a shipped one ({}) nor a file", ids.join(", ")));
    }
    let body = std::fs::read_to_string(path).map_err(|e| format!("cannot read {arg}: {e}"))?;
    Exercise::from_json(&body).map_err(|e| format!("{arg} is not a valid exercise:\n{e}"))
}

fn secs(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1e3)
}

fn show(ex: &Exercise) -> String {
    let mut out = format!("{} ({}, {:?})\n\n{}\n", ex.title, ex.id, ex.difficulty, ex.prompt);
    if !ex.requirements.is_empty() {
        out += "\nRequirements:\n";
        for r in &ex.requirements {
            out += &format!("  - {r}\n");
        }
    }
    out += &format!("\nChecked over {} of simulated time; to pass:\n", secs(ex.check.duration_ms));
    for c in &ex.criteria {
        out += &format!("  - {}\n", c.label);
    }
    if let Some(b) = ex.budget {
        out += &format!("\nBudget: {} capacity units\n", b.max_units);
    }
    out
}

fn value(m: &Measured) -> String {
    match m.value {
        Some(v) => format!("{v:.2} {}", m.unit),
        None => "nothing measured".into(),
    }
}

fn criterion_line(m: &Measured) -> String {
    let verdict = if !m.pass {
        "FAIL"
    } else if m.headroom {
        "PASS"
    } else {
        "pass"
    };
    let sign = if m.comparison == "at_most" { "<=" } else { ">=" };
    let breach = match (m.pass, m.first_breach_ms) {
        (true, _) => String::new(),
        (false, Some(t)) => format!(", first breached at {}", secs(t)),
        (false, None) => ", over the window as a whole".into(),
    };
    format!(
        "  {verdict}  {}: {} {sign} {} {} over [{}, {}){breach}\n        {}\n",
        m.measure,
        value(m),
        m.threshold,
        m.unit,
        secs(m.window_ms[0]),
        secs(m.window_ms[1]),
        m.label
    )
}

fn run_line(r: &RunResult) -> String {
    let aims: Vec<String> = r.aims.iter().map(|a| format!("{} -> {}", a.role, a.node)).collect();
    let aims = if aims.is_empty() { String::new() } else { format!(", faults aimed {}", aims.join(", ")) };
    format!("seed {}{aims}", r.seed)
}

fn text(ex: &Exercise, v: &CheckResult) -> String {
    let mut out = format!("{} ({}): check run, {}\n", ex.title, ex.id, run_line(&v.check));
    for m in &v.check.criteria {
        out += &criterion_line(m);
    }
    out += "  (PASS: with 20% headroom; pass: within the threshold only)\n";
    match &v.hidden {
        Some(h) if h.pass => out += &format!("hidden variant ({}): pass\n", run_line(h)),
        Some(h) => {
            let failed: Vec<&str> = h.criteria.iter().filter(|m| !m.pass).map(|m| m.id.as_str()).collect();
            out += &format!("hidden variant ({}): FAIL ({})\n", run_line(h), failed.join(", "));
        }
        None => out += "hidden variant: not run (the check failed)\n",
    }
    out += &match v.cost.budget {
        Some(b) => format!("cost: {} capacity units (budget {b})\n", v.cost.units),
        None => format!("cost: {} capacity units\n", v.cost.units),
    };
    out += &format!("stars: {} of 3\n{}\n", v.stars, if v.pass { "PASSED" } else { "FAILED" });
    out
}
