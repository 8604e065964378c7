//! What the core tells the store nodes: partitions starting and healing
//! (their members and clients may be cut apart), and faults aimed at one
//! member (`<store>/<index>`) rather than at a node.

use super::Sim;
use crate::nodes::Behaviour;
use crate::scenario::FaultAction;

impl Sim {
    /// The partitions in force changed: each store learns their sides.
    pub(super) fn store_partitions_changed(&mut self) {
        if !self.nodes.iter().any(|n| matches!(n.behaviour, Behaviour::Store(_))) {
            return;
        }
        let sides: Vec<(Vec<String>, Vec<String>)> = self
            .partitions
            .iter()
            .filter_map(|p| match &self.scenario.faults[p.fault as usize].action {
                FaultAction::Partition { a, b, .. } => Some((a.clone(), b.clone())),
                _ => None,
            })
            .collect();
        for i in 0..self.nodes.len() {
            if let Behaviour::Store(st) = &mut self.nodes[i].behaviour {
                st.set_partitions(sides.clone());
                if !self.nodes[i].down {
                    crate::nodes::store::partitions_changed(self, i);
                }
            }
        }
    }

    /// Crashes the node or store member named `id`.
    pub(super) fn crash_target(&mut self, id: &str) {
        match self.scenario.store_member(id) {
            Some((node, m)) => crate::nodes::store::member_fault(self, node, m, true),
            None => self.crash(self.scenario.node_index(id).expect("validated: fault names an existing node")),
        }
    }

    /// Restarts the node or store member named `id`.
    pub(super) fn restart_target(&mut self, id: &str) {
        match self.scenario.store_member(id) {
            Some((node, m)) => crate::nodes::store::member_fault(self, node, m, false),
            None => self.restart(self.scenario.node_index(id).expect("validated: fault names an existing node")),
        }
    }
}
