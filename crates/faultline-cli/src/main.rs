//! `faultline`: runs Faultline scenarios headless.
//!
//! The same engine as the browser, so the same scenario and seed print the
//! same numbers here as on the page. Errors are messages and exit codes, never
//! panics: exit 1 for a scenario that cannot run, 2 for bad usage (clap).

mod bench;
mod check_history;
mod compare;
mod exercise;
mod output;
mod progress;

use clap::{Parser, Subcommand};
use faultline_sim::{Scenario, Sim, SimTime};
use std::io::Read;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "faultline", version, about = "Run Faultline system-design scenarios headless")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and print its report.
    Run {
        /// Scenario JSON file, or `-` for standard input.
        scenario: String,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Override the scenario's duration, in simulated milliseconds.
        #[arg(long)]
        duration_ms: Option<u64>,
        /// Stop early at this simulated time (ms) and show the live numbers
        /// the playground would show at that moment.
        #[arg(long)]
        until_ms: Option<u64>,
        /// Print the report as JSON (stable field names, includes trace_hash).
        #[arg(long)]
        json: bool,
        /// Write the operation history of the scenario's replicated store
        /// (the first, if several) to this file, as JSON lines.
        #[arg(long, value_name = "FILE")]
        history: Option<String>,
    },
    /// Run two designs on the same traffic and fault timeline (A's seed,
    /// duration and faults) and print their summaries side by side with the
    /// difference, as the playground's compare view shows them.
    Compare {
        /// Design A (file, `-` or a share link): its seed, duration and faults are used for both.
        a: String,
        /// Design B (file or share link).
        b: String,
        /// Print both sides (series and summaries) and the skipped faults as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a scenario and list every problem.
    Validate {
        /// Scenario JSON file, or `-` for standard input.
        scenario: String,
    },
    /// List the design's weak spots (a retry without jitter, a call without a
    /// timeout, a shared database, ...), read from the document without running it.
    Lint {
        /// Scenario JSON file, `-` for standard input, or a share link.
        scenario: String,
        /// Print the warnings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the scenario document.
    Schema,
    /// Print the share-link fragment (the text after `#`) that opens a scenario
    /// in the playground. `run` and `validate` also accept such a link.
    Link {
        /// Scenario JSON file, or `-` for standard input.
        scenario: String,
        /// The link starts playing when opened.
        #[arg(long)]
        autoplay: bool,
    },
    /// Run the engine benchmarks (throughput, memory, SimPy) and print a table.
    Bench {
        /// About a tenth of the work, and no 10M-request memory run.
        #[arg(long)]
        quick: bool,
    },
    /// Reproduce Brooker's backoff-and-jitter comparison (calls, the
    /// conditional writes, and completion time for N clients contending on
    /// one row), as the post's own simulator counts them.
    Jitter {
        /// Runs averaged per point (the post used 100).
        #[arg(long, default_value_t = 100)]
        runs: u32,
        /// Client counts, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [10, 25, 50, 75, 100])]
        clients: Vec<u32>,
    },
    /// Guided exercises checked by behaviour: `list`, `show`, `check`
    /// (exit 0 passed, 1 failed, 2 bad input), `schema`.
    #[command(subcommand)]
    Exercise(exercise::ExerciseCommand),
    /// Check a history of reads, writes and compare-and-sets (JSON lines) for
    /// linearizability, key by key. Exit 0 linearizable, 1 not linearizable,
    /// 2 bad input, 3 unknown (the search passed its step limit).
    CheckHistory {
        /// History file (JSON lines), or `-` for standard input.
        history: String,
        /// The object each key is: `register` (read/write) or `cas-register`
        /// (read/write/cas).
        #[arg(long, default_value = "cas-register")]
        model: String,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
        /// Search steps allowed per key before the verdict is unknown.
        #[arg(long, default_value_t = faultline_sim::check::DEFAULT_MAX_STEPS_PER_KEY)]
        max_steps: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Exercise(command) = cli.command {
        return exercise::execute(command, load);
    }
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> Result<(), String> {
    match command {
        Command::Run { scenario, seed, duration_ms, until_ms, json, history } => {
            let mut sc = load(&scenario)?;
            if let Some(seed) = seed {
                sc.seed = seed;
            }
            if let Some(d) = duration_ms {
                sc.duration_ms = d;
            }
            let mut sim = Sim::new(&sc).map_err(|e| format!("{scenario} cannot run:\n{e}"))?;
            let stop = until_ms.map_or(sim.end(), SimTime::from_millis);
            progress::run_to(&mut sim, stop);
            if let Some(file) = history {
                write_history(&sim, &file)?;
            }
            if json {
                let text = serde_json::to_string_pretty(&sim.report()).map_err(|e| e.to_string())?;
                println!("{text}");
            } else {
                print!("{}", output::text_report(&sim));
            }
            Ok(())
        }
        Command::Compare { a, b, json } => {
            if a == "-" && b == "-" {
                return Err("only one of the two designs can be read from standard input".into());
            }
            let c = faultline_live::compare::compare(&load(&a)?, &load(&b)?);
            if json {
                println!("{}", serde_json::to_string_pretty(&c).map_err(|e| e.to_string())?);
            } else {
                print!("{}", compare::table(&c));
            }
            match (&c.a, &c.b) {
                (Ok(_), Ok(_)) => Ok(()),
                _ => Err("a design could not run (see above)".into()),
            }
        }
        Command::Jitter { runs, clients } => {
            if runs == 0 || runs > 10_000 || clients.iter().any(|&n| n == 0 || n > 1_000) {
                return Err("--runs must be 1..=10000 and every client count 1..=1000".into());
            }
            print!("{}", faultline_sim::models::contention::table(&clients, runs, 1));
            Ok(())
        }
        Command::Bench { quick } => {
            print!("{}", bench::run(quick));
            Ok(())
        }
        Command::Link { scenario, autoplay } => {
            println!("{}", faultline_link::encode(&load(&scenario)?, autoplay));
            Ok(())
        }
        Command::Lint { scenario, json } => {
            let warnings = faultline_sim::lint::lint(&load(&scenario)?);
            if json {
                println!("{}", serde_json::to_string_pretty(&warnings).map_err(|e| e.to_string())?);
            } else if warnings.is_empty() {
                println!("{scenario}: no warnings");
            } else {
                for w in &warnings {
                    println!("{} {} ({}): {}\n    try: {}", w.path, w.subject, w.rule, w.why, w.pattern);
                }
                println!("{} warning{}", warnings.len(), if warnings.len() == 1 { "" } else { "s" });
            }
            Ok(())
        }
        Command::Schema => {
            print!("{}", Scenario::json_schema());
            Ok(())
        }
        Command::Exercise(_) => Err("exercise commands are handled by `exercise::execute`".into()),
        Command::CheckHistory { history, model, json, max_steps } => {
            // Its exit code is the verdict (see check_history.rs).
            std::process::exit(check_history::run(&history, &model, json, max_steps).into())
        }
        Command::Validate { scenario } => {
            let sc = load(&scenario)?;
            println!(
                "{scenario}: valid ({} nodes, {} edges, {} workloads)",
                sc.nodes.len(),
                sc.edges.len(),
                sc.workloads.len()
            );
            Ok(())
        }
    }
}

/// Writes the first store's history as JSON lines to `file`.
fn write_history(sim: &Sim, file: &str) -> Result<(), String> {
    let events = (0..sim.scenario().nodes.len())
        .find_map(|i| sim.store_history(i))
        .ok_or_else(|| "--history: the scenario has no store (a node of type \"store\")".to_string())?;
    std::fs::write(file, faultline_sim::history::to_json_lines(events)).map_err(|e| format!("--history {file}: {e}"))
}

/// Whether a command-line argument is a share link rather than a file name.
fn is_link(arg: &str) -> bool {
    let fragment = arg.rsplit_once('#').map_or(arg, |(_, f)| f);
    (arg.contains('#') || !(std::path::Path::new(arg).exists() || arg.ends_with(".json")))
        && fragment.starts_with('v')
        && fragment[1..].split('.').next().is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads and validates a scenario file (or stdin for `-`, or a share link).
fn load(path: &str) -> Result<Scenario, String> {
    if is_link(path) {
        let fragment = path.rsplit_once('#').map_or(path, |(_, f)| f);
        return match faultline_link::decode(fragment) {
            Ok(s) if s.compare.is_some() => {
                Err("this is a compare link (it holds two designs): open it in the playground, or run \
                 `faultline compare` on the two designs' files"
                    .into())
            }
            Ok(s) => Ok(s.scenario),
            Err(e) => Err(format!("the link cannot be opened: {e}")),
        };
    }
    let text = if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?
    };
    Scenario::from_json(&text).map_err(|e| format!("{path} is not a scenario Faultline can run:\n{e}"))
}
