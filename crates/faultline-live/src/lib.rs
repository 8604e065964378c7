//! The engine as the playground drives it.
//!
//! The page sends `Command`s and draws `Report`s (see `protocol`); `Live`
//! carries them out on a `faultline_sim::Sim`: paced against the wall clock
//! (`pacing`), with snapshots to scrub back to (`snapshots`), live fault
//! injection (`inject`), particles sampled from the engine's movements
//! (`sampler`), CSV export (`export`) and two designs compared on the
//! same traffic (`compare`). It runs in the page's Web Worker
//! (`crates/faultline-worker`), or on the page itself when there is no
//! worker, and natively in tests: nothing in here knows about the browser.

pub mod compare;
pub mod export;
pub mod inject;
pub mod live;
pub mod pacing;
pub mod protocol;
pub mod sampler;
pub mod snapshots;
pub mod verdicts;

pub use live::Live;
pub use protocol::{Command, Readout, Report, Subject};
