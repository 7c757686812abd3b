//! Building a chain: pure edits (refused with reasons), the fields the inspector edits,
//! undo and redo, auto-layout in "runs together" columns, and the gallery of example
//! chains.

pub mod builders;
pub mod edit;
pub mod fields;
pub mod gallery;
pub mod history;
pub mod layout;
