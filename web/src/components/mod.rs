//! The page's pieces. Each takes what it shows as props and reports user
//! intent through callbacks; none of them holds domain logic (edits live in
//! `editor`, the numbers in the engine).

pub mod breakdown;
pub mod canvas;
pub mod chart_axes;
pub mod charts;
pub mod compare;
pub mod compare_chart;
pub mod connect_picker;
pub mod controls;
pub mod designs;
pub mod exercises;
pub mod faults;
pub mod file_panel;
pub mod inspector;
pub mod inspector_field;
pub mod inspector_forms;
pub mod interview;
pub mod kind_charts;
pub mod library;
pub mod lint_panel;
pub mod menus;
pub mod palette;
pub mod past_interviews;
pub mod readout;
pub mod share_panel;
pub mod shortcuts;
pub mod summary;
pub mod timeline;
pub mod violation;

pub use canvas::Canvas;
pub use charts::Charts;
pub use compare::CompareView;
pub use connect_picker::ConnectPicker;
pub use controls::Controls;
pub use designs::DesignsPanel;
pub use exercises::{ExerciseAside, ExercisesPanel};
pub use faults::{FaultBar, Injection};
pub use file_panel::FilePanel;
pub use inspector::Inspector;
pub use interview::InterviewPanel;
pub use kind_charts::KindChart;
pub use library::{LibraryPanel, Narrative};
pub use lint_panel::LintPanel;
pub use menus::{LearnChips, Menus, Panel};
pub use palette::Palette;
pub use readout::Readout;
pub use share_panel::SharePanel;
pub use shortcuts::Shortcuts;
pub use summary::Summary;
pub use timeline::Timeline;
