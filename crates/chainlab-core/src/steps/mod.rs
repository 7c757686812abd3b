//! What one step does with its inputs: templates, local transforms, the wire format of
//! model and HTTP requests, and failures in words people understand; the providers a
//! person can pick, and what a test request to one found.

pub mod errors;
pub mod providers;
pub mod template;
pub mod transform;
pub mod wire;
