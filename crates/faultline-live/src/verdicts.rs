//! The linearizability checker's verdict on each replicated store, while the
//! run goes on: what the store card shows beside its members and counters.
//!
//! Why here and not in the engine: checking is not part of the simulation
//! (it reads the history the store writes and changes nothing), and a native
//! run wants only the whole-history verdict at the end (the run report). The
//! page wants a verdict every readout, so the live driver feeds each store's
//! new history events to an incremental [`Checker`], which keeps a bounded
//! window per key: the work per readout stays small however long the run.
//! A "not linearizable" found in a window is final (see the checker's docs);
//! "linearizable" means so far, in the windows kept.
//!
//! On a violation the checker's explanation (the few operations no order
//! fits, see `check::explain`) goes into the view too, at most
//! [`MAX_DRAWN`] of them, for the card's history diagram.
//!
//! A scrub restores an earlier engine, whose history is a prefix of the one
//! fed (runs are deterministic): a history shorter than what was fed starts
//! the store's checker over.

use faultline_sim::check::{Checker, Explanation, Limits, Model, Status, Verdict, DEFAULT_WINDOW};
use faultline_sim::history::{Function, Value};
use faultline_sim::view::{HistoryOpView, ViolationView};
use faultline_sim::{Sim, SimView};

/// History events fed per store per readout at most: a readout that comes
/// after a long fast-forward catches up over the next ones.
pub const EVENTS_PER_READOUT: usize = 20_000;

/// Events fed between checks: the window slides as operations come in, so a
/// violation is only seen if the window holding it is checked before it
/// slides past (half a window of operations, two events each).
const CHECK_EVERY: usize = DEFAULT_WINDOW;

/// The search's bounds per key and window: small, since a window holds at
/// most [`DEFAULT_WINDOW`] completed operations.
const LIVE_LIMITS: Limits = Limits { max_steps_per_key: 50_000, max_memo_bytes: 16 << 20 };

/// Most operations of a violation drawn: those nearest the offending one in
/// invoke order (an explanation is 1-minimal, rarely more than a handful).
pub const MAX_DRAWN: usize = 12;

/// Checkers of every replicated store of the run.
#[derive(Default)]
pub struct Verdicts {
    stores: Vec<StoreCheck>,
}

struct StoreCheck {
    node: usize,
    checker: Checker,
    /// History events fed so far.
    fed: usize,
    verdict: Option<&'static str>,
    violation: Option<ViolationView>,
}

impl StoreCheck {
    fn new(node: usize) -> StoreCheck {
        StoreCheck {
            node,
            checker: Checker::new(Model::CasRegister, LIVE_LIMITS, DEFAULT_WINDOW),
            fed: 0,
            verdict: None,
            violation: None,
        }
    }
}

impl Verdicts {
    /// Forgets every store (a new document).
    pub fn reset(&mut self) {
        self.stores.clear();
    }

    /// Feeds each store's new history events and re-checks.
    pub fn update(&mut self, sim: &Sim) {
        for node in 0..sim.scenario().nodes.len() {
            let Some(history) = sim.store_history(node) else { continue };
            let at = match self.stores.iter().position(|s| s.node == node) {
                Some(i) => i,
                None => {
                    self.stores.push(StoreCheck::new(node));
                    self.stores.len() - 1
                }
            };
            let store = &mut self.stores[at];
            if history.len() < store.fed {
                *store = StoreCheck::new(node);
            }
            if store.verdict == Some("not-linearizable") || history.len() == store.fed {
                continue;
            }
            let upto = history.len().min(store.fed + EVENTS_PER_READOUT);
            for chunk in history[store.fed..upto].chunks(CHECK_EVERY) {
                // The store writes its own history: a malformed one would be a
                // bug; the card then says "unknown" rather than guessing.
                let broken = chunk.iter().any(|event| store.checker.push(event).is_err());
                store.verdict = Some(if broken {
                    "unknown"
                } else {
                    match store.checker.check() {
                        Verdict::Linearizable => "linearizable",
                        Verdict::NotLinearizable(_) => "not-linearizable",
                        Verdict::Unknown { .. } => "unknown",
                    }
                });
                if store.verdict != Some("linearizable") {
                    store.violation = store.checker.explanation().map(violation_view);
                    break;
                }
            }
            store.fed = upto;
        }
    }

    /// Writes each store's verdict into its node's view.
    pub fn fill(&self, view: &mut SimView) {
        for s in &self.stores {
            if let Some(st) = view.nodes.get_mut(s.node).and_then(|n| n.store.as_mut()) {
                st.verdict = s.verdict.map(str::to_owned);
                st.violation = s.violation.clone();
            }
        }
    }
}

/// The explanation as the page draws it: at most [`MAX_DRAWN`] operations.
pub fn violation_view(e: &Explanation) -> ViolationView {
    let first = e.offending.saturating_sub(MAX_DRAWN / 2).min(e.ops.len().saturating_sub(MAX_DRAWN));
    let ops = e.ops.iter().skip(first).take(MAX_DRAWN);
    ViolationView {
        key: e.key,
        ops: ops
            .map(|o| {
                let (f, value, expected) = match (o.f, o.value) {
                    (Function::Read, Value::One(v)) => ("read", Some(v), None),
                    (Function::Read, _) => ("read", None, None),
                    (Function::Write, Value::One(v)) => ("write", Some(v), None),
                    (Function::Write, _) => ("write", None, None),
                    (Function::Cas, Value::Pair(x, v)) => ("cas", Some(v), Some(x)),
                    (Function::Cas, _) => ("cas", None, None),
                };
                HistoryOpView {
                    process: o.process,
                    f: f.into(),
                    value,
                    expected,
                    // A store's history has times; event positions stand in otherwise.
                    invoke_us: o.invoke_time_us.unwrap_or(o.invoke_index),
                    return_us: o.return_time_us.or(o.return_index),
                    status: if o.status == Status::Ok { "ok" } else { "info" }.into(),
                }
            })
            .collect(),
        offending: e.offending - first,
        why: e.why.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_sim::{Scenario, SimTime};

    fn preset(name: &str) -> Scenario {
        let path = format!("{}/../../assets/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn verdict_at(sim: &mut Sim, v: &mut Verdicts, t_ms: u64) -> Option<String> {
        sim.step_until(SimTime::from_millis(t_ms));
        // Several readouts, as the page pulls them, until the history is fed.
        for _ in 0..50 {
            v.update(sim);
        }
        let mut view = sim.view();
        v.fill(&mut view);
        view.nodes.iter().find_map(|n| n.store.as_ref()).and_then(|s| s.verdict.clone())
    }

    /// The AP price store of the flash sale serves stale prices while the
    /// regions are cut off: the live checker finds it as the run goes, and
    /// the whole-history verdict at the end agrees. The CP store stays
    /// linearizable throughout.
    #[test]
    fn the_flash_sale_stores_get_their_verdicts_live() {
        let mut ap = Sim::new(&preset("flash-sale-before")).unwrap();
        let mut v = Verdicts::default();
        assert_eq!(verdict_at(&mut ap, &mut v, 1_000).as_deref(), Some("linearizable"));
        let end = ap.scenario().duration_ms;
        assert_eq!(verdict_at(&mut ap, &mut v, end).as_deref(), Some("not-linearizable"));
        let mut view = ap.view();
        v.fill(&mut view);
        let violation = view.nodes.iter().find_map(|n| n.store.as_ref()?.violation.clone()).expect("explained");
        assert!(!violation.ops.is_empty() && violation.ops.len() <= MAX_DRAWN);
        // The offending read returned a price overwritten before it began:
        // by a write of another price that completed first, during the
        // partition (8 s to 20 s, plus the 3 s replication lag).
        let read = &violation.ops[violation.offending];
        assert_eq!((read.f.as_str(), read.status.as_str()), ("read", "ok"));
        let newer = violation
            .ops
            .iter()
            .filter(|o| o.f == "write" && o.value != read.value)
            .filter(|o| o.return_us.is_some_and(|r| r < read.invoke_us))
            .max_by_key(|o| o.return_us)
            .expect("a write completed before the read");
        // (Here EU read no price at all: the first price, written at 10 s in
        // US, never reached it.)
        let u = newer.value.unwrap();
        let seen = read.value.map_or("nothing (the key unwritten)".into(), |r| r.to_string());
        assert!(
            violation.why.starts_with(&format!("The read returned {seen} after the write of {u} had completed")),
            "{violation:?}"
        );
        assert!((8_000_000..23_000_000).contains(&read.invoke_us), "{violation:?}");
        let mut cp = Sim::new(&preset("flash-sale-after")).unwrap();
        let mut v = Verdicts::default();
        for t in [1_000, 15_000, 25_000, cp.scenario().duration_ms] {
            assert_eq!(verdict_at(&mut cp, &mut v, t).as_deref(), Some("linearizable"), "at {t} ms");
        }
    }

    /// A scrub back restores a shorter history: the checker starts over
    /// rather than mixing two runs' events.
    #[test]
    fn a_shorter_history_starts_the_checker_over() {
        let s = preset("flash-sale-before");
        let mut sim = Sim::new(&s).unwrap();
        let mut v = Verdicts::default();
        let end = sim.scenario().duration_ms;
        assert_eq!(verdict_at(&mut sim, &mut v, end).as_deref(), Some("not-linearizable"));
        let mut fresh = Sim::new(&s).unwrap();
        assert_eq!(verdict_at(&mut fresh, &mut v, 1_000).as_deref(), Some("linearizable"));
    }
}
