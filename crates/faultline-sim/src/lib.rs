//! Faultline's simulation engine.
//!
//! A deterministic discrete-event simulator of distributed-system topologies:
//! clients, services, databases and the links between them. It has no web or
//! OS dependencies, so the same code runs in the browser (wasm32) and in the
//! native CLI and gives the same numbers, bit for bit.
//!
//! ```
//! use faultline_sim::{slice_scenario, Sim, SimTime};
//! let mut sim = Sim::new(&slice_scenario()).unwrap();
//! sim.step_until(SimTime::from_secs(2));
//! assert!(sim.totals().ok > 0);
//! ```

pub mod calls;
pub mod catalogue;
pub mod causes;
pub mod check;
pub mod dist;
pub mod event;
pub mod exercise;
pub mod history;
pub mod journal;
pub mod keys;
pub mod kind_series;
pub mod lint;
pub mod metrics;
pub mod models;
pub mod movements;
pub mod nodes;
pub mod policy;
pub mod pretty_json;
pub mod report;
pub mod ring;
pub mod rng;
pub mod scenario;
pub mod sim;
mod tagged;
pub mod time;
pub mod view;
pub mod ziggurat;

pub use calls::{FailReason, Outcome};
pub use dist::Dist;
pub use report::Report;
pub use scenario::{slice_scenario, Scenario, ScenarioError, SCENARIO_VERSION};
pub use sim::{Sim, Totals};
pub use time::SimTime;
pub use view::{Live, NodeView, SimView};
