//! What one step does with its inputs: templates, local transforms, the wire format of
//! model and HTTP requests, and failures in words people understand.

pub mod errors;
pub mod template;
pub mod transform;
pub mod wire;
