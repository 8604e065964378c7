//! The design being edited, as pure functions on the scenario document.
//!
//! The canvas never mutates a scenario in place: every gesture (add a node,
//! connect two, change a field, delete) builds the next document here and has
//! it validated by the engine before the page accepts it. That keeps three
//! promises cheap: an invalid edit is refused with the engine's own message
//! and changes nothing, undo/redo is a stack of whole documents, and what the
//! page runs is always a document the CLI would run too.

pub mod directory_form;
pub mod dist_form;
pub mod edits;
pub mod fields;
pub mod form;
pub mod history;
pub mod layout;
pub mod list_form;
pub mod moved_only;
pub mod policy_form;

pub use history::History;
