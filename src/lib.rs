//! ChainLab's page: thin leptos components over `chainlab-core`.

mod analysis;
mod app;
mod choice_select;
/// The browser's clock is public on purpose: `tests/browser.rs` races the engine's
/// schedulers on it to check that measured makespans match the predictions.
pub mod clock;
mod download;
mod editor;
mod import;
mod network;
mod network_panel;
mod race_runner;
mod share;
mod shell;
mod state;
mod timeline;

pub use app::App;
