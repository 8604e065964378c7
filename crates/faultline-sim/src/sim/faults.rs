//! Applying the fault timeline: each fault starts at its time and, when it
//! has a duration, is undone when that runs out.

use super::{ActivePartition, Sim};
use crate::event::Event;
use crate::scenario::FaultAction;
use crate::time::{ms_to_micros, SimTime};

impl Sim {
    fn node_index(&self, id: &str) -> usize {
        self.scenario.node_index(id).expect("validated: fault names an existing node")
    }

    fn edge_index(&self, from: &str, to: &str) -> usize {
        self.scenario.edges.iter().position(|e| e.from == from && e.to == to).expect("validated: edge exists")
    }

    pub(super) fn on_fault_start(&mut self, index: u32) {
        let fault = self.scenario.faults[index as usize].clone();
        match &fault.action {
            FaultAction::Crash { node } => self.crash(self.node_index(node)),
            FaultAction::Restart { node } => self.restart(self.node_index(node)),
            FaultAction::Pause { node } => {
                let n = self.node_index(node);
                if !self.nodes[n].paused {
                    self.nodes[n].paused = true;
                    self.paused_nodes += 1;
                }
            }
            FaultAction::Resume { node } => self.resume(self.node_index(node)),
            FaultAction::Partition { id, a, b } => self.partition(index, id.clone(), a, b),
            FaultAction::Heal { id } => {
                let id = id.clone();
                self.heal(|p| id.is_none() || p.id == id);
            }
            FaultAction::SlowNode { node, factor } => {
                let n = self.node_index(node);
                self.nodes[n].slow = *factor;
            }
            FaultAction::NodeErrors { node, rate } => {
                let n = self.node_index(node);
                self.nodes[n].error_rate = *rate;
            }
            FaultAction::EdgeLatency { from, to, add_ms } => {
                let e = self.edge_index(from, to);
                self.edges[e].extra_latency_us = ms_to_micros(*add_ms);
            }
            FaultAction::EdgeLoss { from, to, loss } => {
                let e = self.edge_index(from, to);
                self.edges[e].loss = *loss;
            }
            FaultAction::Spike { workload, factor } => self.set_rate_factor(workload, *factor),
        }
        if let Some(d) = fault.duration_ms {
            self.queue.schedule_fault(self.now.plus(d.saturating_mul(1_000)), index, Event::FaultEnd { index });
        }
    }

    pub(super) fn on_fault_end(&mut self, index: u32) {
        let fault = self.scenario.faults[index as usize].clone();
        match &fault.action {
            FaultAction::Crash { node } => self.restart(self.node_index(node)),
            FaultAction::Pause { node } => self.resume(self.node_index(node)),
            FaultAction::Partition { .. } => self.heal(|p| p.fault == index),
            FaultAction::SlowNode { node, .. } => {
                let n = self.node_index(node);
                self.nodes[n].slow = 1.0;
            }
            FaultAction::NodeErrors { node, .. } => {
                let n = self.node_index(node);
                self.nodes[n].error_rate = 0.0;
            }
            FaultAction::EdgeLatency { from, to, .. } => {
                let e = self.edge_index(from, to);
                self.edges[e].extra_latency_us = 0;
            }
            FaultAction::EdgeLoss { from, to, .. } => {
                let e = self.edge_index(from, to);
                self.edges[e].loss = self.edges[e].base_loss;
            }
            FaultAction::Spike { workload, .. } => self.set_rate_factor(workload, 1.0),
            // Instantaneous actions have nothing to undo.
            FaultAction::Restart { .. } | FaultAction::Resume { .. } | FaultAction::Heal { .. } => {}
        }
    }

    fn crash(&mut self, node: usize) {
        if self.nodes[node].down {
            return;
        }
        let now = self.now;
        self.resume(node); // what waited for a paused node now meets a dead one
        self.nodes[node].account(now);
        self.nodes[node].down = true;
        self.drop_calls_at(node);
    }

    fn restart(&mut self, node: usize) {
        self.nodes[node].down = false;
    }

    fn resume(&mut self, node: usize) {
        let n = &mut self.nodes[node];
        if n.paused {
            n.paused = false;
            self.paused_nodes -= 1;
        }
        for event in std::mem::take(&mut n.held) {
            self.queue.schedule(self.now, event);
        }
    }

    fn partition(&mut self, fault: u32, id: Option<String>, a: &[String], b: &[String]) {
        let side = |names: &[String]| -> Vec<bool> {
            self.scenario
                .nodes
                .iter()
                .map(|n| names.iter().any(|x| *x == n.id || n.region.as_deref() == Some(x.as_str())))
                .collect()
        };
        let (in_a, in_b) = (side(a), side(b));
        let edges: Vec<u32> = self
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let (f, t) = (e.from as usize, e.to as usize);
                (in_a[f] && in_b[t]) || (in_b[f] && in_a[t])
            })
            .map(|(i, _)| i as u32)
            .collect();
        for &e in &edges {
            self.edges[e as usize].blocked += 1;
        }
        self.partitions.push(ActivePartition { fault, id, edges });
    }

    fn heal(&mut self, which: impl Fn(&ActivePartition) -> bool) {
        let (healed, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.partitions).into_iter().partition(|p| which(p));
        self.partitions = kept;
        for p in healed {
            for e in p.edges {
                self.edges[e as usize].blocked -= 1;
            }
        }
    }

    fn set_rate_factor(&mut self, workload: &str, factor: f64) {
        let Some(w) = self.scenario.workloads.iter().position(|w| w.id == workload) else {
            return;
        };
        let (now, end) = (self.now.0, self.end.0);
        let c = &mut self.clients[w];
        c.factor = factor;
        // Poisson arrivals are memoryless, so redrawing from now is exact.
        c.gen = c.gen.wrapping_add(1);
        let gen = c.gen;
        if let Some(t) = c.next_arrival(now, end) {
            self.queue.schedule(SimTime(t), Event::Arrival { workload: w as u32, gen });
        }
    }
}
