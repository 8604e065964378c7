//! Resilience policies: small types that decide, with no knowledge of the
//! graph. The engine applies them on edges and inside nodes; keeping them
//! apart means each can be tested against its reference behaviour on its own.

pub mod backoff;
pub mod breaker;
pub mod budget;
pub mod bulkhead;
pub mod rate_limit;

pub use backoff::{Backoff, Jitter, RetrySchedule};
pub use breaker::{Breaker, BreakerConfig, BreakerSpec, Preset};
pub use budget::{BudgetConfig, RetryBudget};
pub mod backoff_k8s;
pub mod hpa;
