//! How a run is scheduled and what it leaves behind: the three modes over an abstract
//! step runner and clock (`schedule`), the policy a real network needs (`policy`,
//! `retry`), the clock (virtual in tests), the simulator, and the trace.

pub mod clock;
pub mod policy;
pub mod retry;
pub mod schedule;
pub mod sim;
pub mod trace;
