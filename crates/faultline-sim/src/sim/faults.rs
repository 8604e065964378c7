//! Applying the fault timeline: each fault starts at its time and, when it
//! has a duration, is undone when that runs out.

use super::{ActivePartition, Sim};
use crate::event::Event;
use crate::nodes::Behaviour;
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
        if fault.action.lasts() {
            self.active_faults.push(index);
        }
        match &fault.action {
            FaultAction::Crash { node } => self.crash_target(node),
            FaultAction::Restart { node } => {
                // An explicit restart ends every crash in force on the node.
                self.forget_active(|a| matches!(a, FaultAction::Crash { node: n } if n == node));
                self.restart_target(node);
                // ... and brings a database's failed primary back as a replica.
                if self.in_force(|a| matches!(a, FaultAction::FailPrimary { node: n } if n == node)) {
                    self.forget_active(|a| matches!(a, FaultAction::FailPrimary { node: n } if n == node));
                    crate::nodes::replication::rejoin(self, self.node_index(node));
                }
            }
            FaultAction::Pause { node } => {
                let n = self.node_index(node);
                if !self.nodes[n].paused {
                    self.nodes[n].paused = true;
                    self.paused_nodes += 1;
                }
            }
            FaultAction::Resume { node } => {
                self.forget_active(|a| matches!(a, FaultAction::Pause { node: n } if n == node));
                self.resume(self.node_index(node));
            }
            FaultAction::Partition { id, a, b } => self.partition(index, id.clone(), a, b),
            FaultAction::Heal { id } => {
                let id = id.clone();
                self.heal(|p| id.is_none() || p.id == id);
            }
            FaultAction::SlowNode { node, .. } | FaultAction::NodeErrors { node, .. } => {
                self.apply_node_faults(self.node_index(node));
            }
            FaultAction::EdgeLatency { from, to, .. } | FaultAction::EdgeLoss { from, to, .. } => {
                self.apply_edge_faults(self.edge_index(from, to));
            }
            FaultAction::Spike { workload, .. } => self.apply_spikes(workload),
            FaultAction::Reshard { node, shards } => {
                let (now, n) = (self.now.0, self.node_index(node));
                if let Behaviour::Database(db) = &mut self.nodes[n].behaviour {
                    db.reshard(*shards, now);
                }
            }
            FaultAction::Deploy { node, .. } => {
                crate::nodes::service::instances::deploy(self, self.node_index(node), &fault.action);
            }
            FaultAction::FlushCache { node } => {
                let n = self.node_index(node);
                if let Behaviour::Cache(c) = &mut self.nodes[n].behaviour {
                    c.flush_all();
                }
            }
            FaultAction::ExpireKeys { node, from, to } => {
                let (now, n) = (self.now.0, self.node_index(node));
                if let Behaviour::Cache(c) = &mut self.nodes[n].behaviour {
                    c.expire_keys(*from, *to, now);
                }
            }
            FaultAction::FailPrimary { node } => crate::nodes::replication::fail_primary(self, self.node_index(node)),
            FaultAction::ReplicaLag { node, .. } => self.apply_replica_lag(node),
            FaultAction::ClockSkew { node, .. } => self.apply_clock_skew(node),
            FaultAction::ReplayLog { node } => crate::nodes::log::replay(self, self.node_index(node)),
        }
        if let Some(d) = fault.duration_ms {
            self.queue.schedule_fault(self.now.plus(d.saturating_mul(1_000)), index, Event::FaultEnd { index });
        }
    }

    /// A fault's duration ran out: it stops counting, and its target goes
    /// back to what the faults still in force make it. Overlapping faults
    /// stack: a node slowed twice stays slowed by the other when one ends.
    pub(super) fn on_fault_end(&mut self, index: u32) {
        let Some(at) = self.active_faults.iter().position(|&i| i == index) else {
            return; // already ended by an explicit restart or resume
        };
        self.active_faults.remove(at);
        let fault = self.scenario.faults[index as usize].clone();
        match &fault.action {
            FaultAction::Crash { node } => {
                if !self.in_force(|a| matches!(a, FaultAction::Crash { node: n } if n == node)) {
                    self.restart_target(node);
                }
            }
            FaultAction::Pause { node } => {
                if !self.in_force(|a| matches!(a, FaultAction::Pause { node: n } if n == node)) {
                    self.resume(self.node_index(node));
                }
            }
            FaultAction::Partition { .. } => self.heal(|p| p.fault == index),
            FaultAction::SlowNode { node, .. } | FaultAction::NodeErrors { node, .. } => {
                self.apply_node_faults(self.node_index(node));
            }
            FaultAction::EdgeLatency { from, to, .. } | FaultAction::EdgeLoss { from, to, .. } => {
                self.apply_edge_faults(self.edge_index(from, to));
            }
            FaultAction::Spike { workload, .. } => self.apply_spikes(workload),
            // Instantaneous actions have nothing to undo.
            FaultAction::Restart { .. }
            | FaultAction::Resume { .. }
            | FaultAction::Heal { .. }
            | FaultAction::Reshard { .. }
            | FaultAction::Deploy { .. } => {}
            FaultAction::FlushCache { .. } | FaultAction::ExpireKeys { .. } | FaultAction::ReplayLog { .. } => {}
            FaultAction::FailPrimary { node } => {
                if !self.in_force(|a| matches!(a, FaultAction::FailPrimary { node: n } if n == node)) {
                    crate::nodes::replication::rejoin(self, self.node_index(node));
                }
            }
            FaultAction::ReplicaLag { node, .. } => self.apply_replica_lag(node),
            FaultAction::ClockSkew { node, .. } => self.apply_clock_skew(node),
        }
    }

    /// A store replica's clock skew from every `clock_skew` fault in force
    /// on it: they add up.
    fn apply_clock_skew(&mut self, member: &str) {
        let skew_ms: f64 = self
            .active_actions()
            .filter_map(|a| match a {
                FaultAction::ClockSkew { node: n, skew_ms } if n == member => Some(*skew_ms),
                _ => None,
            })
            .sum();
        let (node, m) = self.scenario.store_member(member).expect("validated: clock_skew names a store replica");
        crate::nodes::store::set_clock_skew(self, node, m, skew_ms);
    }

    /// A database's added replica lag from every `replica_lag` fault in
    /// force on it: they add up.
    fn apply_replica_lag(&mut self, node: &str) {
        let add_ms = self
            .active_actions()
            .filter_map(|a| match a {
                FaultAction::ReplicaLag { node: n, add_ms } if n == node => Some(*add_ms),
                _ => None,
            })
            .sum();
        crate::nodes::replication::set_extra_lag(self, self.node_index(node), add_ms);
    }

    /// The lasting faults in force (their actions), oldest first.
    fn active_actions(&self) -> impl Iterator<Item = &FaultAction> + '_ {
        self.active_faults.iter().map(|&i| &self.scenario.faults[i as usize].action)
    }

    fn in_force(&self, which: impl Fn(&FaultAction) -> bool) -> bool {
        self.active_actions().any(which)
    }

    fn forget_active(&mut self, which: impl Fn(&FaultAction) -> bool) {
        let faults = &self.scenario.faults;
        self.active_faults.retain(|&i| !which(&faults[i as usize].action));
    }

    /// A node's slow-down and error rate from every fault in force on it:
    /// slow-downs multiply (a disk 4x slower on a CPU 2x slower is 8x), error
    /// rates combine as independent causes.
    fn apply_node_faults(&mut self, node: usize) {
        let id = self.scenario.nodes[node].id.as_str();
        let (mut slow, mut ok) = (1.0, 1.0);
        for a in self.active_actions() {
            match a {
                FaultAction::SlowNode { node: n, factor } if n == id => slow *= factor,
                FaultAction::NodeErrors { node: n, rate } if n == id => ok *= 1.0 - rate,
                _ => {}
            }
        }
        self.nodes[node].slow = slow;
        self.nodes[node].error_rate = 1.0 - ok;
    }

    /// An edge's added latency and loss from every fault in force on it:
    /// added latencies sum, losses combine with the edge's own as
    /// independent causes.
    fn apply_edge_faults(&mut self, edge: usize) {
        let e = &self.scenario.edges[edge];
        let (mut add_ms, mut kept) = (0.0, 1.0 - e.loss);
        for a in self.active_actions() {
            match a {
                FaultAction::EdgeLatency { from, to, add_ms: ms } if *from == e.from && *to == e.to => add_ms += ms,
                FaultAction::EdgeLoss { from, to, loss } if *from == e.from && *to == e.to => kept *= 1.0 - loss,
                _ => {}
            }
        }
        self.edges[edge].extra_latency_us = ms_to_micros(add_ms);
        self.edges[edge].loss = 1.0 - kept;
    }

    /// A workload's rate from every spike in force on it: factors multiply.
    fn apply_spikes(&mut self, workload: &str) {
        let factor = self
            .active_actions()
            .filter_map(|a| match a {
                FaultAction::Spike { workload: w, factor } if w == workload => Some(*factor),
                _ => None,
            })
            .product();
        self.set_rate_factor(workload, factor);
    }

    pub(super) fn crash(&mut self, node: usize) {
        if self.nodes[node].down {
            return;
        }
        let now = self.now;
        self.resume(node); // what waited for a paused node now meets a dead one
        self.nodes[node].account(now);
        self.nodes[node].down = true;
        self.drop_calls_at(node);
    }

    /// A crashed node comes back and resumes what its crash held back (a
    /// queue its deliveries: see each kind's `resumed`).
    pub(super) fn restart(&mut self, node: usize) {
        if std::mem::replace(&mut self.nodes[node].down, false) && !self.nodes[node].paused {
            self.resumed_at(node);
        }
    }

    fn resume(&mut self, node: usize) {
        let n = &mut self.nodes[node];
        let was_paused = std::mem::take(&mut n.paused);
        if was_paused {
            self.paused_nodes -= 1;
        }
        for event in std::mem::take(&mut n.held) {
            self.queue.schedule(self.now, event);
        }
        if was_paused && !self.nodes[node].down {
            self.resumed_at(node);
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
        self.store_partitions_changed();
    }

    fn heal(&mut self, which: impl Fn(&ActivePartition) -> bool) {
        let (healed, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.partitions).into_iter().partition(|p| which(p));
        self.partitions = kept;
        self.active_faults.retain(|&i| !healed.iter().any(|p| p.fault == i));
        for p in healed {
            for e in p.edges {
                self.edges[e as usize].blocked -= 1;
            }
        }
        self.store_partitions_changed();
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
