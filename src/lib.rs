//! ChainLab's page: thin leptos components over `chainlab-core`.

mod app;
pub mod clock;
mod editor;
mod race_runner;
mod state;
mod timeline;

pub use app::App;
