//! Every series of a run as CSV: the whole system, every node, every link.
//! `p50_ms`/`p99_ms` are of successful calls, `failed_p50_ms`/`failed_p99_ms`
//! of failed ones (0 in a window without failures). A cache's rows also give
//! its `hit_ratio` in the window (empty without a read), a sharded
//! database's rows its `shard_arrivals`, the queries routed to each shard in
//! the window separated by `;` (shard 0 first); both are empty elsewhere.

use faultline_sim::kind_series::KindPoint;
use faultline_sim::metrics::Metrics;
use faultline_sim::scenario::NodeKind;
use faultline_sim::Sim;
use std::fmt::Write as _;

pub const HEADER: &str =
    "subject,kind,t_ms,arrivals,ok,failed,p50_ms,p99_ms,in_flight,failed_p50_ms,failed_p99_ms,hit_ratio,shard_arrivals\n";

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
        for p in &m.series {
            let _ = writeln!(
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
    /// their per-shard queries; every row has the header's 13 columns.
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
            assert_eq!(line.split(',').count(), 13, "{line}");
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
        assert!(row("api,node,2000,").ends_with(",,"), "a service has neither column");
    }
}
