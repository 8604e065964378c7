//! An application service: local work, then its downstream calls.

use super::Pool;
use crate::dist::Sampler;
use crate::scenario::{Fanout, ServiceConfig};

/// One dependency, resolved to an edge, with the operations that make it.
#[derive(Clone, Debug)]
pub struct Dependency {
    pub edge: u32,
    /// Bit i set: operation i makes this call. All bits: every operation.
    pub op_mask: u64,
}

#[derive(Clone, Debug)]
pub struct ServiceRt {
    pub pool: Pool,
    pub service_time: Sampler,
    pub deps: Vec<Dependency>,
    pub fanout: Fanout,
}

impl ServiceRt {
    pub fn new(cfg: &ServiceConfig, deps: Vec<Dependency>) -> ServiceRt {
        ServiceRt {
            pool: Pool::new(cfg.workers, cfg.queue_capacity),
            service_time: cfg.service_time.sampler(),
            deps,
            fanout: cfg.fanout,
        }
    }

    /// The index of the first dependency at or after `from` that operation `op` calls.
    pub fn next_dep(&self, op: u16, from: usize) -> Option<usize> {
        let bit = 1u64 << (op.min(63));
        (from..self.deps.len()).find(|&i| self.deps[i].op_mask & bit != 0)
    }
}
