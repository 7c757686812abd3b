//! A chain or a race leaving the page and coming back: share links, exports (trace,
//! CSV, SVG) and code generation (LangChain, LangGraph, Rust).

pub mod codegen;
pub mod export;
pub mod share;
