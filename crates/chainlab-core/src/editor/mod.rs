//! Building a chain: pure edits (refused with reasons), undo and redo, auto-layout in
//! "runs together" columns, and the gallery of example chains.

pub mod edit;
pub mod gallery;
pub mod history;
pub mod layout;
