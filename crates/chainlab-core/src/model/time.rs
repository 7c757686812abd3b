//! The two units of time: whole milliseconds of latency, and clock readings.

/// Latencies are whole milliseconds so that sums in virtual time are exact.
pub type Millis = u64;

/// Times are milliseconds on the run's clock (virtual, or `performance.now()`).
pub type Time = f64;
