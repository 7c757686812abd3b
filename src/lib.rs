//! ChainLab's page: thin leptos components over `chainlab-core`.

mod analysis;
mod app;
mod choice_select;
pub mod clock;
mod download;
mod editor;
mod network;
mod network_panel;
mod race_runner;
mod share;
mod shell;
mod state;
mod timeline;

pub use app::App;
