//! Native side of the wasm and SimPy comparisons. Prints one JSON line.
//!
//! `native-bench mm1 REQUESTS [REPEATS]`: times the M/M/1 microbenchmark
//! (exactly what the wasm build's `mm1` runs) `REPEATS` times.
//! `native-bench mmc C RHO REQUESTS`: one timed M/M/c run, printed in the
//! shape `benches/simpy_mmc.py` prints.

use faultline_wasm_bench::run_mmc;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| -> String { args.get(i).cloned().unwrap_or_else(|| default.to_string()) };
    let num = |i: usize, default: &str| -> f64 {
        let text = arg(i, default);
        text.parse().unwrap_or_else(|_| usage(&format!("not a number: {text}")))
    };
    match arg(0, "").as_str() {
        "mm1" => {
            let requests = num(1, "2000000") as u64;
            let repeats = (num(2, "3") as usize).max(1);
            let mut times = Vec::new();
            let mut last = None;
            // Untimed warm-up, as the wasm runners do (there it lets V8 tier up).
            run_mmc(1, 0.8, requests.div_ceil(10));
            for _ in 0..repeats {
                let start = Instant::now();
                let o = run_mmc(1, 0.8, requests);
                times.push(start.elapsed().as_secs_f64());
                last = Some(o);
            }
            let o = last.expect("at least one repeat");
            let runs: Vec<String> = times.iter().map(|t| format!("{t:.6}")).collect();
            times.sort_by(f64::total_cmp);
            println!(
                "{{\"target\":\"native\",\"requests\":{},\"events\":{},\"best_s\":{:.6},\"median_s\":{:.6},\"runs_s\":[{}],\"trace_hash\":\"{:016x}\"}}",
                o.requests,
                o.events,
                times[0],
                times[times.len() / 2],
                runs.join(","),
                o.trace_hash
            );
        }
        "layered" => {
            // The 200-node fan-out topology of `faultline bench`, for A/B
            // timing of changes whose cost is in the cache, not in instructions.
            let seconds = num(1, "4") as u64;
            let repeats = (num(2, "3") as usize).max(1);
            let scenario = faultline_sim::scenario::generated::layered(200, 2, 42, seconds * 1_000);
            let mut times = Vec::new();
            let mut events = 0;
            for _ in 0..repeats {
                let mut sim = faultline_sim::Sim::new(&scenario).expect("valid");
                let start = Instant::now();
                events = sim.run();
                times.push(start.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{{\"target\":\"layered\",\"events\":{events},\"best_s\":{:.6},\"median_s\":{:.6}}}",
                times[0],
                times[times.len() / 2]
            );
        }
        "mmc" => {
            let c = num(1, "8") as u32;
            let rho = num(2, "0.9");
            let requests = num(3, "200000") as u64;
            let start = Instant::now();
            let o = run_mmc(c, rho, requests);
            let wall_s = start.elapsed().as_secs_f64();
            println!(
                "{{\"requests\":{},\"wall_s\":{:.6},\"mean_latency\":{},\"events\":{},\"trace_hash\":\"{:016x}\"}}",
                o.requests, wall_s, o.mean_latency_ms, o.events, o.trace_hash
            );
        }
        other => usage(&format!("unknown benchmark {other:?}")),
    }
}

fn usage(why: &str) -> ! {
    eprintln!("native-bench: {why}\nusage: native-bench mm1 REQUESTS [REPEATS] | native-bench mmc C RHO REQUESTS");
    std::process::exit(2);
}
