//! When a failed attempt is tried again: exponential back-off with jitter on failures
//! that may pass (429, 5xx, network), and never sooner than the server's
//! `Retry-After`.

use crate::model::{Millis, StepId};
use crate::steps::errors::StepError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 means no retries.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles after each.
    pub base_ms: Millis,
    /// No back-off grows past this.
    pub max_backoff_ms: Millis,
    /// Share of each wait that is random (0: exact doubling, 1: "full jitter"), so
    /// that many steps rate-limited at once do not all come back at the same moment.
    pub jitter: f64,
    /// A `Retry-After` longer than this ends the retries: the step reports the rate
    /// limit rather than hold the run for minutes.
    pub max_retry_after_ms: Millis,
}

impl RetryPolicy {
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base_ms: 0,
        max_backoff_ms: 0,
        jitter: 0.0,
        max_retry_after_ms: 0,
    };

    /// What live runs use unless told otherwise: 4 attempts, 250 ms doubling to 4 s.
    pub const STANDARD: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        base_ms: 250,
        max_backoff_ms: 4_000,
        jitter: 0.5,
        max_retry_after_ms: 30_000,
    };

    /// How long to wait before trying again after `attempt` (0-based) failed with
    /// `error`, or `None` to give up. The jitter is drawn from `seed`, the step and the
    /// attempt, so a run in virtual time repeats exactly.
    pub fn delay(
        &self,
        attempt: u32,
        error: &StepError,
        seed: u64,
        step: &StepId,
    ) -> Option<Millis> {
        if !error.retryable() || attempt + 1 >= self.max_attempts {
            return None;
        }
        let doubled = self
            .base_ms
            .saturating_mul(1u64 << attempt.min(32))
            .min(self.max_backoff_ms);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let random = unit(seed, step, attempt);
        let backoff = (doubled as f64 * (1.0 - jitter * random)).round() as Millis;
        match error.retry_after_ms() {
            Some(after) if after > self.max_retry_after_ms => None,
            Some(after) => Some(backoff.max(after)),
            None => Some(backoff),
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::NONE
    }
}

/// A value in [0, 1) fixed by its arguments (FNV-1a then a splitmix64 finaliser).
fn unit(seed: u64, step: &StepId, attempt: u32) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in step.as_str().bytes().chain(attempt.to_le_bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = (seed ^ h).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact() -> RetryPolicy {
        RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::STANDARD
        }
    }

    #[test]
    fn back_off_doubles_up_to_the_cap_then_gives_up() {
        let e = StepError::ServerError { status: 503 };
        let id = StepId::new("a");
        let waits: Vec<_> = (0..4).map(|n| exact().delay(n, &e, 0, &id)).collect();
        assert_eq!(waits, [Some(250), Some(500), Some(1000), None]);
        let capped = RetryPolicy {
            max_attempts: 10,
            ..exact()
        };
        assert_eq!(capped.delay(8, &e, 0, &id), Some(4000));
    }

    #[test]
    fn retry_after_wins_over_a_shorter_back_off() {
        let id = StepId::new("a");
        let e = StepError::RateLimited {
            retry_after_ms: Some(2000),
        };
        assert_eq!(exact().delay(0, &e, 0, &id), Some(2000));
        let too_long = StepError::RateLimited {
            retry_after_ms: Some(120_000),
        };
        assert_eq!(exact().delay(0, &too_long, 0, &id), None);
    }

    #[test]
    fn failures_that_cannot_pass_are_not_retried() {
        let id = StepId::new("a");
        for e in [
            StepError::KeyRejected { status: 401 },
            StepError::TimedOut { after_ms: 1000 },
            StepError::Cancelled,
        ] {
            assert_eq!(RetryPolicy::STANDARD.delay(0, &e, 0, &id), None, "{e}");
        }
    }

    #[test]
    fn jitter_stays_in_range_and_spreads_steps_apart() {
        let e = StepError::Network;
        let waits: Vec<Millis> = (0..50)
            .map(|i| {
                RetryPolicy::STANDARD
                    .delay(1, &e, 7, &StepId::new(format!("s{i}")))
                    .unwrap_or(0)
            })
            .collect();
        assert!(waits.iter().all(|&w| (250..=500).contains(&w)), "{waits:?}");
        let distinct: std::collections::HashSet<_> = waits.iter().collect();
        assert!(distinct.len() > 10, "{waits:?}");
    }
}
