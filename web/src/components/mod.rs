//! The page's pieces. Each takes what it shows as props and reports user
//! intent through callbacks; none of them holds domain logic.

pub mod controls;
pub mod faults;
pub mod graph;
pub mod readout;
pub mod summary;

pub use controls::Controls;
pub use faults::{FaultBar, Injection};
pub use graph::Graph;
pub use readout::Readout;
pub use summary::Summary;
