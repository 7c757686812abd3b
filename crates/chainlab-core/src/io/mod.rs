//! A chain or a race leaving the page and coming back: how a chain arrives from a
//! link, a file or storage, share links, exports (trace, CSV, SVG) and code
//! generation (LangChain, LangGraph, Rust), and the credentials none of them may carry.

pub mod arrival;
pub mod codegen;
pub mod export;
pub mod import;
pub mod qr;
pub mod secrets;
pub mod share;
