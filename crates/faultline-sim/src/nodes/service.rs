//! An application service: local work, then its downstream calls.

use super::Pool;
use crate::dist::Sampler;
use crate::policy::bulkhead::BulkheadRt;
use crate::policy::rate_limit::TokenBucket;
use crate::scenario::{Fanout, ServiceConfig};
use std::collections::{HashSet, VecDeque};

/// Side effects a service has applied, by (request, edge) key, to tell a
/// duplicate POST from a new one. Bounded: the oldest keys are forgotten.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    seen: HashSet<u64>,
    order: VecDeque<u64>,
}

/// Keys remembered per service.
pub const APPLIED_CAPACITY: usize = 100_000;

impl Applied {
    /// Records `key`; false if it was already applied.
    pub fn insert(&mut self, key: u64) -> bool {
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > APPLIED_CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// One dependency, resolved to an edge, with the operations that make it.
#[derive(Clone, Debug)]
pub struct Dependency {
    pub edge: u32,
    /// The operations that make this call.
    pub ops: OpSet,
    /// The bulkhead its calls go through, if any.
    pub bulkhead: Option<u16>,
}

/// The operations that make a call, as indices into the run's operation
/// names (all workloads' names, each once: up to 64 x 32 of them, so a 64-bit
/// mask cannot hold them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpSet {
    /// Every operation (the call lists none).
    All,
    /// These, sorted; names no workload uses are left out.
    Only(Vec<u16>),
}

impl OpSet {
    /// The set a call's `ops` names, given the run's operation names.
    pub fn of(names: &[String], op_names: &[&str]) -> OpSet {
        if names.is_empty() {
            return OpSet::All;
        }
        let mut ops: Vec<u16> =
            names.iter().filter_map(|n| op_names.iter().position(|o| o == n)).map(|i| i as u16).collect();
        ops.sort_unstable();
        ops.dedup();
        OpSet::Only(ops)
    }

    pub fn contains(&self, op: u16) -> bool {
        match self {
            OpSet::All => true,
            OpSet::Only(ops) => ops.binary_search(&op).is_ok(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ServiceRt {
    pub pool: Pool,
    pub service_time: Sampler,
    pub deps: Vec<Dependency>,
    pub fanout: Fanout,
    pub error_rate: f64,
    pub client_error_rate: f64,
    pub bulkheads: Vec<BulkheadRt>,
    pub limiter: Option<TokenBucket>,
    pub shed_queue_threshold: Option<u32>,
    pub applied: Applied,
    /// POSTs applied twice without an idempotency key: duplicated side effects.
    pub duplicates: u64,
    /// Repeated POSTs recognised by their idempotency key and not applied again.
    pub deduplicated: u64,
}

impl ServiceRt {
    pub fn new(cfg: &ServiceConfig, deps: Vec<Dependency>) -> ServiceRt {
        ServiceRt {
            pool: Pool::new(cfg.workers, cfg.queue_capacity),
            service_time: cfg.service_time.sampler(),
            deps,
            fanout: cfg.fanout,
            error_rate: cfg.error_rate,
            client_error_rate: cfg.client_error_rate,
            bulkheads: cfg
                .bulkheads
                .iter()
                .map(|b| BulkheadRt::new(b.max_concurrent, crate::time::ms_to_micros(b.max_wait_ms)))
                .collect(),
            limiter: cfg.rate_limit.map(|r| TokenBucket::new(r.rate_rps, r.burst, r.retry_after_ms)),
            shed_queue_threshold: cfg.shed_queue_threshold,
            applied: Applied::default(),
            duplicates: 0,
            deduplicated: 0,
        }
    }

    /// The bulkhead of the dependency called over `edge`.
    pub fn bulkhead_of(&self, edge: u32) -> Option<usize> {
        self.deps.iter().find(|d| d.edge == edge).and_then(|d| d.bulkhead).map(usize::from)
    }

    /// The index of the first dependency at or after `from` that operation `op` calls.
    pub fn next_dep(&self, op: u16, from: usize) -> Option<usize> {
        (from..self.deps.len()).find(|&i| self.deps[i].ops.contains(op))
    }
}

#[cfg(test)]
mod tests {
    use super::OpSet;

    #[test]
    fn an_op_set_holds_indices_past_sixty_four() {
        let names: Vec<String> = (0..200).map(|i| format!("op{i}")).collect();
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        let set = OpSet::of(&["op150".into(), "op63".into(), "nobody".into()], &all);
        assert_eq!(set, OpSet::Only(vec![63, 150]));
        assert!(set.contains(63) && set.contains(150));
        assert!(!set.contains(64) && !set.contains(0) && !set.contains(199));
        assert!(OpSet::of(&[], &all).contains(199), "no names: every operation");
        assert!(!OpSet::of(&["nobody".into()], &all).contains(0), "unknown names: none");
    }
}
