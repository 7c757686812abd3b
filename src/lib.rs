//! ChainLab's page: thin leptos components over `chainlab-core`.

mod app;
pub mod clock;
mod diagram;
mod timeline;

pub use app::App;
