//! What the charts show, derived from the engine for the current selection.

use crate::state::Selection;
use faultline_sim::metrics::Point;
use faultline_sim::{Scenario, Sim};

/// The metrics series of what is selected (or the whole system).
pub fn series_of(sim: &Sim, selected: Option<Selection>) -> Vec<Point> {
    let m = match selected {
        Some(Selection::Node(i)) if i < sim.scenario().nodes.len() => sim.node_metrics(i),
        Some(Selection::Edge(i)) if i < sim.scenario().edges.len() => sim.edge_metrics(i),
        _ => sim.overall_metrics(),
    };
    m.series.iter().copied().collect()
}

pub fn subject_of(doc: &Scenario, selected: Option<Selection>) -> String {
    match selected {
        Some(Selection::Node(i)) if i < doc.nodes.len() => doc.nodes[i].display_name().to_string(),
        Some(Selection::Edge(i)) if i < doc.edges.len() => format!("{} → {}", doc.edges[i].from, doc.edges[i].to),
        _ => "whole system".into(),
    }
}
