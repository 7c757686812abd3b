//! The two units of time: whole milliseconds of latency, and clock readings.

/// Latencies are whole milliseconds so that sums in virtual time are exact.
pub type Millis = u64;

/// Times are milliseconds on the run's clock (virtual, or `performance.now()`).
pub type Time = f64;

/// Two readings this close are the same moment. The timeline's cursor, finish lines and
/// events are compared with this much slack: browser timers round, and the time a
/// frame draws is never exactly an event's.
pub const TOLERANCE_MS: Time = 0.5;
