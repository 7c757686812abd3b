//! How long a step takes on the simulator: fixed, uniform or log-normal, seeded so
//! that a run repeats exactly on every platform.

use crate::model::{Choice, Millis, StepId};
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal, Uniform};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum LatencyModel {
    Fixed {
        ms: u32,
    },
    Uniform {
        min_ms: u32,
        max_ms: u32,
    },
    /// Long-tailed, like real model calls: half the samples fall below `median_ms`.
    LogNormal {
        median_ms: u32,
        sigma: f64,
    },
}

/// Samples are capped so that a hostile chain cannot ask for a run of years.
pub const MAX_LATENCY_MS: Millis = 600_000;

impl LatencyModel {
    /// The simulated latency of one attempt of a step: the same arguments always
    /// give the same value, on every platform.
    pub fn sample(&self, seed: u64, step: &StepId, attempt: u32) -> Millis {
        let ms = match *self {
            LatencyModel::Fixed { ms } => ms as f64,
            LatencyModel::Uniform { min_ms, max_ms } => {
                let (lo, hi) = (min_ms.min(max_ms), min_ms.max(max_ms));
                match Uniform::new_inclusive(lo, hi) {
                    Ok(range) => range.sample(&mut rng_for(seed, step, attempt)) as f64,
                    Err(_) => lo as f64,
                }
            }
            LatencyModel::LogNormal { median_ms, sigma } => {
                let mu = (median_ms.max(1) as f64).ln();
                match LogNormal::new(mu, sigma.abs()) {
                    Ok(dist) => dist.sample(&mut rng_for(seed, step, attempt)),
                    Err(_) => median_ms as f64,
                }
            }
        };
        (ms.round() as Millis).min(MAX_LATENCY_MS)
    }
}

/// Which of the three latency models a step uses, without its numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencyKind {
    Fixed,
    Uniform,
    LogNormal,
}

impl Choice for LatencyKind {
    const ALL: &'static [Self] = &[
        LatencyKind::Fixed,
        LatencyKind::Uniform,
        LatencyKind::LogNormal,
    ];

    fn key(self) -> &'static str {
        match self {
            LatencyKind::Fixed => "fixed",
            LatencyKind::Uniform => "uniform",
            LatencyKind::LogNormal => "log_normal",
        }
    }

    fn label(self) -> &'static str {
        match self {
            LatencyKind::Fixed => "fixed",
            LatencyKind::Uniform => "uniform (between two values)",
            LatencyKind::LogNormal => "log-normal (long tail, like real calls)",
        }
    }
}

impl LatencyModel {
    pub fn kind(&self) -> LatencyKind {
        match self {
            LatencyModel::Fixed { .. } => LatencyKind::Fixed,
            LatencyModel::Uniform { .. } => LatencyKind::Uniform,
            LatencyModel::LogNormal { .. } => LatencyKind::LogNormal,
        }
    }

    /// The typical latency: the fixed value, the middle of the range, the median.
    pub fn typical_ms(&self) -> u32 {
        match *self {
            LatencyModel::Fixed { ms } => ms,
            LatencyModel::Uniform { min_ms, max_ms } => {
                ((u64::from(min_ms) + u64::from(max_ms)) / 2) as u32
            }
            LatencyModel::LogNormal { median_ms, .. } => median_ms,
        }
    }

    /// The same step's latency as another model, centred on the same typical value,
    /// so that switching there and back gives the numbers the person had.
    pub fn as_kind(&self, kind: LatencyKind) -> Self {
        if self.kind() == kind {
            return *self;
        }
        let typical = self.typical_ms();
        match kind {
            LatencyKind::Fixed => LatencyModel::Fixed { ms: typical },
            LatencyKind::Uniform => LatencyModel::Uniform {
                min_ms: typical / 2,
                // 2t − t/2, not t + t/2: the range's middle is exactly t again.
                max_ms: typical.saturating_mul(2) - typical / 2,
            },
            LatencyKind::LogNormal => LatencyModel::LogNormal {
                median_ms: typical,
                sigma: 0.5,
            },
        }
    }
}

/// A portable generator per (chain seed, step, attempt). FNV-1a mixes the step id in
/// because std's hasher is not promised to be stable across releases or platforms.
fn rng_for(seed: u64, step: &StepId, attempt: u32) -> rand_pcg::Pcg64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in step.as_str().bytes().chain(attempt.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    rand_pcg::Pcg64::seed_from_u64(seed ^ hash)
}
