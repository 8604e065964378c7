//! Every series of a run as CSV: the whole system, every node, every link.
//! `p50_ms`/`p99_ms` are of successful calls, `failed_p50_ms`/`failed_p99_ms`
//! of failed ones (0 in a window without failures).

use faultline_sim::metrics::Metrics;
use faultline_sim::Sim;
use std::fmt::Write as _;

pub fn series_csv(sim: &Sim) -> String {
    let mut out =
        String::from("subject,kind,t_ms,arrivals,ok,failed,p50_ms,p99_ms,in_flight,failed_p50_ms,failed_p99_ms\n");
    let mut rows = |subject: &str, kind: &str, m: &Metrics| {
        let subject = csv_field(subject);
        for p in &m.series {
            let _ = writeln!(
                out,
                "{subject},{kind},{},{},{},{},{},{},{},{},{}",
                p.t_ms,
                p.arrivals,
                p.ok,
                p.failed,
                p.p50_us as f64 / 1e3,
                p.p99_us as f64 / 1e3,
                p.in_flight,
                p.fail_p50_us as f64 / 1e3,
                p.fail_p99_us as f64 / 1e3
            );
        }
    };
    rows("system", "system", sim.overall_metrics());
    let sc = sim.scenario();
    for (i, n) in sc.nodes.iter().enumerate() {
        rows(&n.id, "node", sim.node_metrics(i));
    }
    for (i, e) in sc.edges.iter().enumerate() {
        rows(&format!("{}->{}", e.from, e.to), "edge", sim.edge_metrics(i));
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
