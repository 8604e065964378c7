//! Every series of a run as CSV: the whole system, every node, every link.
//! `p50_ms`/`p99_ms` are of successful calls, `failed_p50_ms`/`failed_p99_ms`
//! of failed ones (0 in a window without failures). A cache's rows also give
//! its `hit_ratio` in the window (empty without a read), a sharded
//! database's rows its `shard_arrivals`, the queries routed to each shard in
//! the window separated by `;` (shard 0 first); both are empty elsewhere.
//! The last eight columns are the window's failures by cause (named as in
//! `faultline run --json`'s `failed`); they sum to `failed`.

use faultline_sim::causes::{dense, CausePoint};
use faultline_sim::kind_series::KindPoint;
use faultline_sim::metrics::Metrics;
use faultline_sim::scenario::NodeKind;
use faultline_sim::Sim;
use std::fmt::Write as _;

pub const HEADER: &str = "subject,kind,t_ms,arrivals,ok,failed,p50_ms,p99_ms,in_flight,failed_p50_ms,failed_p99_ms,\
    hit_ratio,shard_arrivals,failed_timeout,failed_rejected,failed_refused,failed_error_status,failed_rate_limited,\
    failed_client_error,failed_short_circuited,failed_bulkhead_full\n";

/// The kind series' two columns for one window.
fn kind_columns(cache: bool, p: Option<&KindPoint>) -> String {
    match p {
        Some(p) if cache => format!(",{},", p.hit_ratio().map_or_else(String::new, |r| r.to_string())),
        Some(p) => {
            let counts: Vec<String> = p.counts.iter().map(u32::to_string).collect();
            format!(",,{}", counts.join(";"))
        }
        None => ",,".to_string(),
    }
}

pub fn series_csv(sim: &Sim) -> String {
    let mut out = String::from(HEADER);
    let mut rows = |subject: &str, kind: &str, m: &Metrics, extra: &dyn Fn(u64) -> String| {
        let subject = csv_field(subject);
        let causes: Vec<CausePoint> = m.cause_series().iter().copied().collect();
        let causes = dense(&causes, m.series().map(|p| p.t_ms));
        for (p, c) in m.series().zip(&causes) {
            let _ = write!(
                out,
                "{subject},{kind},{},{},{},{},{},{},{},{},{}{}",
                p.t_ms,
                p.arrivals,
                p.ok,
                p.failed,
                p.p50_us as f64 / 1e3,
                p.p99_us as f64 / 1e3,
                p.in_flight,
                p.fail_p50_us as f64 / 1e3,
                p.fail_p99_us as f64 / 1e3,
                extra(p.t_ms)
            );
            for n in c.counts {
                let _ = write!(out, ",{n}");
            }
            out.push('\n');
        }
    };
    let none = |_: u64| ",,".to_string();
    rows("system", "system", sim.overall_metrics(), &none);
    let sc = sim.scenario();
    for (i, n) in sc.nodes.iter().enumerate() {
        let cache = matches!(n.kind, NodeKind::Cache(_));
        let points: Vec<&KindPoint> = sim.kind_series(i).collect();
        // Both series close at the same window ends and keep the same number.
        let extra = |t_ms: u64| kind_columns(cache, points.iter().find(|p| p.t_ms == t_ms).copied());
        rows(&n.id, "node", sim.node_metrics(i), &extra);
    }
    for (i, e) in sc.edges.iter().enumerate() {
        rows(&format!("{}->{}", e.from, e.to), "edge", sim.edge_metrics(i), &none);
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache's rows carry its hit ratio and a sharded database's rows
    /// their per-shard queries; every row has the header's 21 columns.
    #[test]
    fn cache_and_shard_rows_carry_their_kind_columns() {
        let text = include_str!("../../../assets/scenarios/hot-key-cache-after.json");
        let mut s = faultline_sim::Scenario::from_json(text).unwrap();
        s.duration_ms = 3_000;
        let mut sim = Sim::new(&s).unwrap();
        sim.run();
        let csv = series_csv(&sim);
        assert!(csv.starts_with(HEADER));
        for line in csv.lines() {
            assert_eq!(line.split(',').count(), 21, "{line}");
        }
        let row = |prefix: &str| csv.lines().find(|l| l.starts_with(prefix)).unwrap().to_string();
        let cache = row("cache,node,2000,");
        let ratio: f64 = cache.split(',').nth(11).unwrap().parse().unwrap();
        let hits = sim.kind_series(s.node_index("cache").unwrap()).nth(1).unwrap().hit_ratio().unwrap();
        assert_eq!(ratio, hits);
        assert!(ratio > 0.4, "{cache}");
        let db = row("db,node,2000,");
        let shards: Vec<u32> = db.split(',').nth(12).unwrap().split(';').map(|c| c.parse().unwrap()).collect();
        assert_eq!(shards.len(), 8, "{db}");
        assert!(shards.iter().sum::<u32>() > 1_000, "{db}");
        assert!(row("api,node,2000,").contains(",,,"), "a service has neither column");
    }

    /// Every row's cause columns sum to its `failed`, and the system's, over
    /// the run, to the run's failures by cause.
    #[test]
    fn cause_columns_sum_to_failed() {
        let text = include_str!("../../../assets/scenarios/cascade-after.json");
        let s = faultline_sim::Scenario::from_json(text).unwrap();
        let mut sim = Sim::new(&s).unwrap();
        sim.run();
        let csv = series_csv(&sim);
        let mut system = [0u64; 8];
        let mut failed_rows = 0;
        for line in csv.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            let causes: Vec<u64> = cols[13..].iter().map(|c| c.parse().unwrap()).collect();
            let failed: u64 = cols[5].parse().unwrap();
            assert_eq!(causes.iter().sum::<u64>(), failed, "{line}");
            failed_rows += usize::from(failed > 0);
            if cols[0] == "system" {
                system.iter_mut().zip(&causes).for_each(|(a, b)| *a += b);
            }
        }
        assert!(failed_rows > 10, "the cascade fails for a while");
        // Failures at the run's very end are in a window not yet closed.
        let open = sim.overall_metrics().open_window_causes();
        system.iter_mut().zip(open).for_each(|(a, b)| *a += u64::from(b));
        let summary = sim.run_summary().requests.failed;
        let expected: Vec<u64> = summary.by_cause().iter().map(|c| c.1).collect();
        assert_eq!(system.to_vec(), expected);
    }
}
