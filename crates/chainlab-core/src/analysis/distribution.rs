//! Latency is a distribution: seeded Monte-Carlo runs of the three modes.
//!
//! Sample `s` draws every step's latency with [`LatencyModel::sample`] under the seed
//! [`sample_seed`]`(chain seed, s)`, exactly as the simulator would for a chain with
//! that seed, and computes each mode's makespan from the levels and the topological
//! order (no scheduler per sample). Sample 0 uses the chain's own seed, so it is the
//! race on the page; the same chain always gives the same samples.

use super::{count, ms, Shape};
use crate::model::{LatencyModel, Millis, Sampler};
use crate::plan::Plan;
use crate::Mode;

/// How many runs the panel simulates unless the person asks for another count.
pub const DEFAULT_SAMPLES: usize = 1_000;
/// The most runs the panel simulates: enough for a steady p99, still quick.
pub const MAX_SAMPLES: usize = 10_000;

/// The seed of Monte-Carlo sample `sample`: the chain's own seed for sample 0, then a
/// SplitMix64 mix of the sample number, so neighbouring samples share no pattern.
/// A chain with this seed runs on the simulator exactly like the sample.
pub fn sample_seed(chain_seed: u64, sample: usize) -> u64 {
    let mut z = (sample as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    chain_seed ^ z ^ (z >> 31)
}

/// Monte-Carlo runs of a chain in all three modes, computed a few at a time: the page
/// calls [`MonteCarlo::advance`] once per animation frame, shows
/// [`MonteCarlo::progress`], and cancels by dropping the value.
pub struct MonteCarlo {
    shape: Shape,
    /// Every step's latency is fixed, so every sample is the same run.
    fixed: bool,
    /// Each step's first attempt, prepared for drawing under every sample's seed.
    samplers: Vec<Sampler>,
    seed: u64,
    total: usize,
    /// Makespans in sample order, one list per mode in [`Mode::ALL`] order.
    makespans: [Vec<Millis>; 3],
    /// Each mode's makespan with every step at its median latency.
    typical: [Millis; 3],
    /// Scratch space for one sample, kept to avoid allocating per sample.
    latency: Vec<Millis>,
    finish: Vec<Millis>,
}

/// How far a computation has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    pub fn is_done(&self) -> bool {
        self.done >= self.total
    }

    /// From 0 to 1, for a progress bar.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f64 / self.total as f64
        }
    }

    /// "Simulated 400 of 1,000 runs".
    pub fn label(&self) -> String {
        format!(
            "Simulated {} of {} runs",
            count(self.done),
            count(self.total)
        )
    }
}

/// Index of `mode` in [`Mode::ALL`], for the per-mode arrays.
fn slot(mode: Mode) -> usize {
    match mode {
        Mode::Sequential => 0,
        Mode::Staged => 1,
        Mode::Eager => 2,
    }
}

/// A latency model that gives the same value on every draw.
fn is_fixed(model: &LatencyModel) -> bool {
    match *model {
        LatencyModel::Fixed { .. } => true,
        LatencyModel::Uniform { min_ms, max_ms } => min_ms == max_ms,
        // `sample` falls back to the median when the log-normal cannot be built.
        LatencyModel::LogNormal { sigma, .. } => sigma == 0.0 || sigma.is_nan(),
    }
}

/// The latency half the draws fall below (as `sample` rounds it).
fn median(model: &LatencyModel) -> Millis {
    let ms = match *model {
        LatencyModel::Fixed { ms } => Millis::from(ms),
        LatencyModel::Uniform { min_ms, max_ms } => {
            (Millis::from(min_ms) + Millis::from(max_ms)).div_ceil(2)
        }
        LatencyModel::LogNormal { median_ms, .. } => Millis::from(median_ms.max(1)),
    };
    ms.min(crate::model::MAX_LATENCY_MS)
}

impl MonteCarlo {
    /// Prepares `samples` runs (clamped to 1..=[`MAX_SAMPLES`]); none is computed yet.
    pub fn new(plan: &Plan, samples: usize) -> Self {
        let shape = Shape::of(plan);
        let steps = &plan.chain().steps;
        let models: Vec<LatencyModel> = steps.iter().map(|s| s.sim.latency).collect();
        let medians: Vec<Millis> = models.iter().map(median).collect();
        let mut finish = vec![0; plan.len()];
        let typical = Mode::ALL.map(|mode| shape.makespan(mode, &medians, &mut finish));
        let total = samples.clamp(1, MAX_SAMPLES);
        Self {
            shape,
            fixed: models.iter().all(is_fixed),
            samplers: steps
                .iter()
                .map(|s| s.sim.latency.sampler(&s.id, 0))
                .collect(),
            seed: plan.chain().seed,
            total,
            makespans: std::array::from_fn(|_| Vec::with_capacity(total)),
            typical,
            latency: vec![0; plan.len()],
            finish,
        }
    }

    /// Computes up to `budget` more samples and says how far the whole has come.
    pub fn advance(&mut self, budget: usize) -> Progress {
        let end = (self.done() + budget).min(self.total);
        for sample in self.done()..end {
            let seed = sample_seed(self.seed, sample);
            for (latency, sampler) in self.latency.iter_mut().zip(&self.samplers) {
                *latency = sampler.sample(seed);
            }
            for mode in Mode::ALL {
                let makespan = self.shape.makespan(mode, &self.latency, &mut self.finish);
                self.makespans[slot(mode)].push(makespan);
            }
        }
        self.progress()
    }

    /// Runs every remaining sample at once (tests, benchmarks, small counts).
    pub fn run_to_end(&mut self) -> Progress {
        self.advance(self.total)
    }

    fn done(&self) -> usize {
        self.makespans[0].len()
    }

    pub fn progress(&self) -> Progress {
        Progress {
            done: self.done(),
            total: self.total,
        }
    }

    /// `mode`'s makespan in each sample computed so far, in sample order (sample `s`
    /// used the seed [`sample_seed`]`(chain seed, s)`): for a CSV export.
    pub fn makespans(&self, mode: Mode) -> &[Millis] {
        &self.makespans[slot(mode)]
    }

    /// Percentiles, histograms and the verdict over the samples computed so far (so the
    /// panel can draw while it computes), with the histograms in at most `bins` bins
    /// on one axis shared by the three modes. `None` before the first sample.
    pub fn summary(&self, bins: usize) -> Option<Distribution> {
        let samples = self.done();
        if samples == 0 {
            return None;
        }
        let sorted: [Vec<Millis>; 3] = std::array::from_fn(|m| {
            let mut v = self.makespans[m].clone();
            v.sort_unstable();
            v
        });
        let lo = sorted.iter().map(|v| v[0]).min().unwrap_or(0);
        let hi = sorted.iter().map(|v| v[v.len() - 1]).max().unwrap_or(0);
        let bins = bins.max(1) as Millis;
        // Whole-millisecond bins, so that every bin edge is a figure a person can read.
        let bin_ms = (hi - lo + 1).div_ceil(bins).max(1);
        let bin_count = ((hi - lo) / bin_ms + 1) as usize;
        let modes = Mode::ALL.map(|mode| {
            let v = &sorted[slot(mode)];
            let mut counts = vec![0; bin_count];
            for &x in v {
                counts[((x - lo) / bin_ms) as usize] += 1;
            }
            ModeSummary {
                mode,
                p50: nearest_rank(v, 50),
                p95: nearest_rank(v, 95),
                p99: nearest_rank(v, 99),
                min: v[0],
                max: v[v.len() - 1],
                mean: v.iter().sum::<Millis>() as f64 / v.len() as f64,
                typical: self.typical[slot(mode)],
                counts,
            }
        });
        let staged = &self.makespans[slot(Mode::Staged)];
        let eager = &self.makespans[slot(Mode::Eager)];
        // "More than 5 % sooner": eager < 0.95 × staged, in integers.
        let wins = staged
            .iter()
            .zip(eager)
            .filter(|&(&s, &e)| 20 * e < 19 * s)
            .count();
        Some(Distribution {
            samples,
            fixed: self.fixed,
            modes,
            eager_beats_staged: wins as f64 / samples as f64,
            histogram: Histogram {
                start_ms: lo,
                bin_ms,
                bins: bin_count,
            },
        })
    }
}

/// The nearest-rank percentile of sorted `values`: the smallest value that at least
/// `p` % of the values do not exceed (`values[⌈p·N/100⌉ − 1]`). It is always one of
/// the samples, never an interpolation, so "p95 = 812 ms" means a run took 812 ms.
fn nearest_rank(sorted: &[Millis], p: usize) -> Millis {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// One mode's makespans over the samples. Percentiles are nearest-rank: p95 is the
/// smallest makespan that at least 95 % of the runs did not exceed, so each is the
/// makespan of an actual simulated run.
#[derive(Clone, Debug, PartialEq)]
pub struct ModeSummary {
    pub mode: Mode,
    pub p50: Millis,
    pub p95: Millis,
    pub p99: Millis,
    pub min: Millis,
    pub max: Millis,
    pub mean: f64,
    /// The makespan with every step at its median latency: what a single "typical"
    /// race would suggest.
    pub typical: Millis,
    /// How many samples fall in each bin of the shared [`Histogram`] axis.
    pub counts: Vec<usize>,
}

/// The axis the three modes' histograms share: bin `b` holds makespans from
/// `start_ms + b·bin_ms` up to, not including, `start_ms + (b + 1)·bin_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Histogram {
    pub start_ms: Millis,
    pub bin_ms: Millis,
    pub bins: usize,
}

impl Histogram {
    /// The first makespan of bin `b`, for the axis ticks.
    pub fn bin_start(&self, b: usize) -> Millis {
        self.start_ms + b as Millis * self.bin_ms
    }

    /// What the x axis shows.
    pub fn axis_label(&self) -> String {
        format!("Makespan (ms), bins of {}", ms(self.bin_ms))
    }
}

/// What the distribution panel shows: the three modes on one axis, and the verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    pub samples: usize,
    /// Every step's latency is fixed, so every sample is the same run.
    pub fixed: bool,
    /// In [`Mode::ALL`] order.
    pub modes: [ModeSummary; 3],
    /// The share of samples (0 to 1) in which eager finished more than 5 % sooner than
    /// staged.
    pub eager_beats_staged: f64,
    pub histogram: Histogram,
}

/// Which percentile a figure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Percentile {
    P50,
    P95,
    P99,
}

impl Distribution {
    pub fn mode(&self, mode: Mode) -> &ModeSummary {
        &self.modes[slot(mode)]
    }

    /// What the samples are, for every figure's caption: "of 1,000 simulated runs".
    fn of_runs(&self) -> String {
        if self.samples == 1 {
            "of 1 simulated run".into()
        } else {
            format!("of {} simulated runs", count(self.samples))
        }
    }

    /// The percentiles' caption: "p50 (sample median), p95 and p99 of 1,000 simulated
    /// runs, nearest-rank".
    pub fn percentiles_label(&self) -> String {
        format!(
            "p50 (sample median), p95 and p99 {}; each is the makespan of one of the runs",
            self.of_runs()
        )
    }

    /// One figure with what it is, for a tooltip or a screen reader: "p95 of 1,000
    /// simulated runs, staged: 812 ms".
    pub fn figure_label(&self, mode: Mode, p: Percentile) -> String {
        let what = match p {
            Percentile::P50 => "p50 (sample median)",
            Percentile::P95 => "p95",
            Percentile::P99 => "p99",
        };
        format!(
            "{what} {}, {}: {}",
            self.of_runs(),
            mode.name(),
            ms(self.mode(mode).percentile(p))
        )
    }

    /// The y axis of the histograms.
    pub fn count_label(&self) -> String {
        format!("Runs per bin, {}", self.of_runs())
    }

    /// "Eager finished more than 5 % sooner than staged in 62 % of 1,000 simulated runs."
    pub fn eager_beats_staged_label(&self) -> String {
        format!(
            "Eager finished more than 5 % sooner than staged in {:.0} % {}.",
            self.eager_beats_staged * 100.0,
            self.of_runs()
        )
    }

    /// The lesson the panel states in words.
    pub fn lesson(&self) -> String {
        if self.fixed {
            return "Every latency is fixed, so each mode has a single makespan: one line per \
                mode, not a spread. Give steps a log-normal latency to see the tail."
                .into();
        }
        let eager = self.mode(Mode::Eager);
        let sequential = self.mode(Mode::Sequential);
        // The fan-out effect: the median run is slower than a run in which every step
        // takes its median latency, because a join waits for the slowest input. Within
        // 5 % it is not worth a lesson.
        if 20 * eager.p50 > 21 * eager.typical {
            format!(
                "A fan-out waits for its slowest branch. With every step at its median \
                 latency eager would take {}, but the median {} is {}, and p99 is {}. \
                 Parallelism cuts the mean (sequential: {:.0} ms) but makes the tail matter.",
                ms(eager.typical),
                self.of_runs(),
                ms(eager.p50),
                ms(eager.p99),
                sequential.mean,
            )
        } else {
            format!(
                "Eager's median {} ({}) is close to its makespan with every step at its \
                 median latency ({}): no join here waits on many uncertain branches. \
                 Its slow day (p99) is {}.",
                self.of_runs(),
                ms(eager.p50),
                ms(eager.typical),
                ms(eager.p99),
            )
        }
    }
}

impl ModeSummary {
    pub fn percentile(&self, p: Percentile) -> Millis {
        match p {
            Percentile::P50 => self.p50,
            Percentile::P95 => self.p95,
            Percentile::P99 => self.p99,
        }
    }
}

impl Percentile {
    pub const ALL: [Percentile; 3] = [Percentile::P50, Percentile::P95, Percentile::P99];

    /// "p95": the name in figures and test ids (`p95-staged`).
    pub fn name(self) -> &'static str {
        match self {
            Percentile::P50 => "p50",
            Percentile::P95 => "p95",
            Percentile::P99 => "p99",
        }
    }
}
