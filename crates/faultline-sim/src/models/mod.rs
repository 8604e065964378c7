//! Focused models outside the topology engine, for reproducing published
//! results that need a specific protocol rather than a request graph.

pub mod contention;
