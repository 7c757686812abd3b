//! Building a chain: pure edits (refused with reasons), the fields the inspector edits,
//! undo and redo, what a drag from a step's dot makes, auto-layout in "runs together" columns, and the gallery of example
//! chains.

pub mod builders;
pub mod edit;
pub mod fields;
pub mod gallery;
pub mod history;
pub mod layout;
pub mod ports;
