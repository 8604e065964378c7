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
    /// Bit i set: operation i makes this call. All bits: every operation.
    pub op_mask: u64,
    /// The bulkhead its calls go through, if any.
    pub bulkhead: Option<u16>,
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
        let bit = 1u64 << (op.min(63));
        (from..self.deps.len()).find(|&i| self.deps[i].op_mask & bit != 0)
    }
}
