//! Node kinds.
//!
//! Each kind owns its state and makes its own decisions (admit, queue or
//! reject a call; how long work takes; what to call next) without touching
//! any other node. The simulator (`sim.rs`) does the plumbing between them:
//! it moves calls over edges, schedules events and records metrics.

pub mod balancer;
pub mod client;
pub mod database;
pub mod pool;
pub mod queue;
pub mod service;

pub use balancer::BalancerRt;
pub use client::ClientRt;
pub use database::DatabaseRt;
pub use pool::{Admit, Pool};
pub use queue::QueueRt;
pub use service::ServiceRt;

/// A node's runtime state, by kind.
#[derive(Clone, Debug)]
pub enum Behaviour {
    Client,
    Balancer(BalancerRt),
    Service(ServiceRt),
    Database(DatabaseRt),
    Queue(QueueRt),
}

impl Behaviour {
    pub fn pool(&self) -> Option<&Pool> {
        match self {
            Behaviour::Service(s) => Some(&s.pool),
            Behaviour::Database(d) => Some(&d.pool),
            _ => None,
        }
    }

    pub fn pool_mut(&mut self) -> Option<&mut Pool> {
        match self {
            Behaviour::Service(s) => Some(&mut s.pool),
            Behaviour::Database(d) => Some(&mut d.pool),
            _ => None,
        }
    }
}
