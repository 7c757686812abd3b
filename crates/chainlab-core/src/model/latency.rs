//! How long a step takes on the simulator: fixed, uniform or log-normal, seeded so
//! that a run repeats exactly on every platform.

use crate::model::{tagged, variant, Choice, Millis, StepId};
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal, Uniform};
use serde::{Deserialize, Serialize};

/// Read with `model::tagged` (no derive: see there); written by serde's derive.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
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

impl<'de> Deserialize<'de> for LatencyModel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Fixed {
            ms: u32,
        }
        #[derive(Deserialize)]
        struct Uniform {
            min_ms: u32,
            max_ms: u32,
        }
        #[derive(Deserialize)]
        struct LogNormal {
            median_ms: u32,
            sigma: f64,
        }
        let (model, value) = tagged(deserializer, "model", &["fixed", "uniform", "log_normal"])?;
        Ok(match model {
            0 => {
                let Fixed { ms } = variant::<_, D>(value)?;
                LatencyModel::Fixed { ms }
            }
            1 => {
                let Uniform { min_ms, max_ms } = variant::<_, D>(value)?;
                LatencyModel::Uniform { min_ms, max_ms }
            }
            _ => {
                let LogNormal { median_ms, sigma } = variant::<_, D>(value)?;
                LatencyModel::LogNormal { median_ms, sigma }
            }
        })
    }
}

/// Samples are capped so that a hostile chain cannot ask for a run of years.
pub const MAX_LATENCY_MS: Millis = 600_000;

impl LatencyModel {
    /// The simulated latency of one attempt of a step: the same arguments always
    /// give the same value, on every platform.
    pub fn sample(&self, seed: u64, step: &StepId, attempt: u32) -> Millis {
        self.sampler(step, attempt).sample(seed)
    }

    /// This model for one step and attempt, prepared for drawing under many chain
    /// seeds: what does not depend on the seed (the step's hash, the log of the
    /// median, the range) is worked out once. Monte-Carlo runs draw every step
    /// thousands of times, and redoing that per draw was a third of their time.
    pub fn sampler(&self, step: &StepId, attempt: u32) -> Sampler {
        let draw = match *self {
            LatencyModel::Fixed { ms } => Draw::Constant(ms as f64),
            LatencyModel::Uniform { min_ms, max_ms } => {
                let (lo, hi) = (min_ms.min(max_ms), min_ms.max(max_ms));
                match Uniform::new_inclusive(lo, hi) {
                    Ok(range) => Draw::Uniform(range),
                    Err(_) => Draw::Constant(lo as f64),
                }
            }
            LatencyModel::LogNormal { median_ms, sigma } => {
                let mu = (median_ms.max(1) as f64).ln();
                match LogNormal::new(mu, sigma.abs()) {
                    Ok(dist) => Draw::LogNormal(dist),
                    Err(_) => Draw::Constant(median_ms as f64),
                }
            }
        };
        Sampler {
            draw,
            step_hash: step_hash(step, attempt),
        }
    }
}

/// A step's latency model, ready to draw from under any chain seed (see
/// [`LatencyModel::sampler`]); [`LatencyModel::sample`] is this, prepared and used once.
#[derive(Clone, Debug)]
pub struct Sampler {
    draw: Draw,
    step_hash: u64,
}

#[derive(Clone, Debug)]
enum Draw {
    Constant(f64),
    Uniform(Uniform<u32>),
    LogNormal(LogNormal<f64>),
}

impl Sampler {
    /// The latency this step's attempt takes in a run of a chain seeded with `seed`.
    pub fn sample(&self, seed: u64) -> Millis {
        let rng = || rand_pcg::Pcg64::seed_from_u64(seed ^ self.step_hash);
        let ms = match &self.draw {
            Draw::Constant(ms) => *ms,
            Draw::Uniform(range) => range.sample(&mut rng()) as f64,
            Draw::LogNormal(dist) => dist.sample(&mut rng()),
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

/// What a step and attempt add to the chain seed of their generator (a portable
/// `Pcg64` per chain seed, step and attempt). FNV-1a mixes the step id in because
/// std's hasher is not promised to be stable across releases or platforms.
fn step_hash(step: &StepId, attempt: u32) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in step.as_str().bytes().chain(attempt.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sample` as it was before the prepared sampler: the generator and the
    /// distribution built from scratch for every draw. The sampler must give exactly
    /// its values, or every saved race and Monte-Carlo figure would change.
    fn sample_from_scratch(model: &LatencyModel, seed: u64, step: &StepId, attempt: u32) -> Millis {
        let rng = || rand_pcg::Pcg64::seed_from_u64(seed ^ step_hash(step, attempt));
        let ms = match *model {
            LatencyModel::Fixed { ms } => ms as f64,
            LatencyModel::Uniform { min_ms, max_ms } => {
                let (lo, hi) = (min_ms.min(max_ms), min_ms.max(max_ms));
                match Uniform::new_inclusive(lo, hi) {
                    Ok(range) => range.sample(&mut rng()) as f64,
                    Err(_) => lo as f64,
                }
            }
            LatencyModel::LogNormal { median_ms, sigma } => {
                let mu = (median_ms.max(1) as f64).ln();
                match LogNormal::new(mu, sigma.abs()) {
                    Ok(dist) => dist.sample(&mut rng()),
                    Err(_) => median_ms as f64,
                }
            }
        };
        (ms.round() as Millis).min(MAX_LATENCY_MS)
    }

    #[test]
    fn a_prepared_sampler_draws_exactly_what_sample_draws() {
        let models = [
            LatencyModel::Fixed { ms: 0 },
            LatencyModel::Fixed { ms: 250 },
            LatencyModel::Fixed { ms: u32::MAX },
            LatencyModel::Uniform {
                min_ms: 100,
                max_ms: 900,
            },
            LatencyModel::Uniform {
                min_ms: 900,
                max_ms: 100,
            },
            LatencyModel::Uniform {
                min_ms: 7,
                max_ms: 7,
            },
            LatencyModel::LogNormal {
                median_ms: 200,
                sigma: 0.5,
            },
            LatencyModel::LogNormal {
                median_ms: 0,
                sigma: 1.5,
            },
            LatencyModel::LogNormal {
                median_ms: 400_000,
                sigma: 3.0,
            },
            LatencyModel::LogNormal {
                median_ms: 300,
                sigma: -0.4,
            },
            LatencyModel::LogNormal {
                median_ms: 300,
                sigma: 0.0,
            },
            LatencyModel::LogNormal {
                median_ms: 300,
                sigma: f64::NAN,
            },
            LatencyModel::LogNormal {
                median_ms: 300,
                sigma: f64::INFINITY,
            },
        ];
        for model in models {
            for (step, attempt) in [("a", 0), ("search_web", 0), ("search_web", 3), ("", 1)] {
                let step = StepId::new(step);
                let sampler = model.sampler(&step, attempt);
                for k in 0..500u64 {
                    let seed = k.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ k;
                    let expected = sample_from_scratch(&model, seed, &step, attempt);
                    assert_eq!(
                        sampler.sample(seed),
                        expected,
                        "{model:?} {step} {attempt} {seed}"
                    );
                    assert_eq!(model.sample(seed, &step, attempt), expected);
                }
            }
        }
    }
}
