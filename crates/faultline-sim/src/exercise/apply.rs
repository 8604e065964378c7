//! Putting a design under an exercise's check: the scenario that is run.
//!
//! The learner owns the design (nodes, links, their settings, and whether
//! its clients send idempotency keys); the exercise owns the traffic and the
//! faults. So the check's workloads replace the design's workloads of the
//! same clients (keeping each operation's `idempotency_key` from the
//! design's operation of the same name), its faults replace the design's
//! faults, and its seed and duration are the run's. Faults aimed at a role
//! (`role:database`) are aimed at one node of it here, a different one for
//! the hidden variant, so a fix that protects only the node the check
//! happens to break does not pass.

use super::format::{join, Exercise, ExerciseError, ProblemText};
use super::Variant;
use crate::scenario::{Fault, NodeKind, Scenario};
use serde::{Deserialize, Serialize};

/// Prefix of a role in a fault's or a criterion's node field.
pub const ROLE_PREFIX: &str = "role:";

/// Which node a role-aimed fault was aimed at in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aim {
    pub role: String,
    pub node: String,
}

/// The scenario a design is run as, and where its faults were aimed.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub scenario: Scenario,
    pub aims: Vec<Aim>,
}

/// The nodes of `design` a role names (`role:KIND` or `role:KIND/PREFIX`),
/// in document order; `None` if `name` is not a role.
// Cold: built at the worker's "z" (see `scenario::validate`).
#[cfg_attr(feature = "inline-cold", inline)]
pub fn role_members<'a>(design: &'a Scenario, name: &str) -> Option<Vec<&'a str>> {
    let role = name.strip_prefix(ROLE_PREFIX)?;
    let (kind, prefix) = role.split_once('/').unwrap_or((role, ""));
    Some(
        design
            .nodes
            .iter()
            .filter(|n| n.kind.name() == kind && n.id.starts_with(prefix))
            .map(|n| n.id.as_str())
            .collect(),
    )
}

/// The scenario `design` is checked as, for `variant` of the exercise's check.
// Cold: built at the worker's "z" (see `scenario::validate`).
#[cfg_attr(feature = "inline-cold", inline)]
pub fn apply(design: &Scenario, exercise: &Exercise, variant: Variant) -> Result<Applied, ExerciseError> {
    let check = &exercise.check;
    let mut problems = Vec::new();
    let mut s = design.clone();
    s.seed = match variant {
        Variant::Check => check.seed,
        Variant::Hidden => check.hidden.seed,
    };
    s.duration_ms = check.duration_ms;

    // Workloads: the check's replace the design's of the same clients, and
    // go where the design's workload of the same id sends (a client may send
    // to several entry points), else where the design's client sends.
    let clients: Vec<&str> = check.workloads.iter().map(|w| w.client.as_str()).collect();
    let removed: Vec<_> = s.workloads.iter().filter(|w| clients.contains(&w.client.as_str())).cloned().collect();
    s.workloads.retain(|w| !clients.contains(&w.client.as_str()));
    for (i, w) in check.workloads.iter().enumerate() {
        let is_client = design.nodes.iter().any(|n| n.id == w.client && matches!(n.kind, NodeKind::Client(_)));
        if !is_client {
            problems.push(ProblemText {
                path: format!("check.workloads[{i}].client"),
                message: format!(
                    "the design has no client `{}`: the check sends its traffic from it (keep the starter's clients)",
                    w.client
                ),
            });
            continue;
        }
        let target = removed
            .iter()
            .find(|d| d.client == w.client && d.id == w.id)
            .or_else(|| removed.iter().find(|d| d.client == w.client))
            .map(|d| d.target.clone())
            .or_else(|| design.edges.iter().find(|e| e.from == w.client).map(|e| e.to.clone()))
            .unwrap_or_else(|| w.target.clone());
        let mut w = w.clone();
        w.target = target;
        // Whether requests carry an idempotency key is the client's API, so
        // the design's: an operation of the same name in the design's
        // replaced workloads of this client decides it.
        for op in &mut w.ops {
            let mine = removed.iter().filter(|d| d.client == w.client).flat_map(|d| &d.ops).find(|o| o.name == op.name);
            if let Some(mine) = mine {
                op.idempotency_key = mine.idempotency_key;
            }
        }
        // A design's workload of another client with the check's id would clash.
        s.workloads.retain(|d| d.id != w.id);
        s.workloads.push(w);
    }

    // Faults: the check's, roles aimed at one node each.
    let pick = match variant {
        Variant::Check => 0,
        Variant::Hidden => check.hidden.pick as usize,
    };
    let mut aims = Vec::new();
    s.faults = Vec::with_capacity(check.faults.len());
    for (i, f) in check.faults.iter().enumerate() {
        match aim_fault(design, f, pick, &mut aims) {
            Ok(f) => s.faults.push(f),
            Err(message) => problems.push(ProblemText { path: format!("check.faults[{i}]"), message }),
        }
    }
    if !problems.is_empty() {
        return Err(ExerciseError { problems });
    }
    if let Err(e) = s.validate() {
        return Err(ExerciseError {
            problems: e
                .problems
                .into_iter()
                .map(|p| ProblemText { path: join("design (as checked)", &p.path), message: p.message })
                .collect(),
        });
    }
    Ok(Applied { scenario: s, aims })
}

/// `f` with every role in its node fields (`FaultAction::node_fields_mut`:
/// `node`, `from`, `to`, and the lists `a` and `b` of a partition) replaced
/// by the `pick`-th node of the role.
// Cold: built at the worker's "z" (see `scenario::validate`).
#[cfg_attr(feature = "inline-cold", inline)]
fn aim_fault(design: &Scenario, f: &Fault, pick: usize, aims: &mut Vec<Aim>) -> Result<Fault, String> {
    let mut f = f.clone();
    let mut error = None;
    for slot in f.action.node_fields_mut() {
        let Some(members) = role_members(design, slot) else { continue };
        if members.is_empty() {
            error = Some(format!("the design has no node of the role `{slot}` for the fault to aim at"));
            continue;
        }
        let node = members[pick % members.len()].to_string();
        if !aims.iter().any(|a| a.role == *slot && a.node == node) {
            aims.push(Aim { role: slot.clone(), node: node.clone() });
        }
        *slot = node;
    }
    match error {
        Some(e) => Err(e),
        None => Ok(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::FaultAction;

    fn design() -> Scenario {
        let mut s = crate::slice_scenario();
        let mut api2 = s.nodes[1].clone();
        api2.id = "api-2".into();
        s.nodes[1].id = "api-1".into();
        s.nodes.push(api2);
        s
    }

    #[test]
    fn a_role_names_its_kind_and_prefix_in_document_order() {
        let s = design();
        assert_eq!(role_members(&s, "role:service").unwrap(), ["api-1", "api-2"]);
        assert_eq!(role_members(&s, "role:service/api-2").unwrap(), ["api-2"]);
        assert_eq!(role_members(&s, "role:database").unwrap(), ["db"]);
        assert!(role_members(&s, "role:cache").unwrap().is_empty());
        assert!(role_members(&s, "db").is_none());
    }

    #[test]
    fn faults_aim_at_the_picked_member_and_wrap_around() {
        let s = design();
        let f = Fault { at_ms: 5, duration_ms: None, action: FaultAction::Crash { node: "role:service".into() } };
        let mut aims = Vec::new();
        let aimed = |pick, aims: &mut Vec<Aim>| match aim_fault(&s, &f, pick, aims).unwrap().action {
            FaultAction::Crash { node } => node,
            _ => unreachable!(),
        };
        assert_eq!(aimed(0, &mut aims), "api-1");
        assert_eq!(aimed(1, &mut aims), "api-2");
        assert_eq!(aimed(2, &mut aims), "api-1");
        assert_eq!(aims.len(), 2);
        let p = Fault {
            at_ms: 5,
            duration_ms: Some(10),
            action: FaultAction::Partition { id: None, a: vec!["role:service".into()], b: vec!["db".into()] },
        };
        match aim_fault(&s, &p, 1, &mut Vec::new()).unwrap().action {
            FaultAction::Partition { a, b, .. } => assert_eq!((a, b), (vec!["api-2".to_string()], vec!["db".into()])),
            _ => unreachable!(),
        }
        let none = Fault { at_ms: 5, duration_ms: None, action: FaultAction::Crash { node: "role:cache".into() } };
        assert!(aim_fault(&s, &none, 0, &mut Vec::new()).unwrap_err().contains("role:cache"));
    }
}
