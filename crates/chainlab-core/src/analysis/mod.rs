//! What-if analysis: what a single race cannot show. How a mode's makespan spreads
//! when latencies vary (seeded Monte-Carlo runs), how late each step may be before
//! the eager run finishes later (slack, by the critical path method), what changes if
//! one step is faster, and how the makespan falls as the concurrency limit rises.
//!
//! Everything here is a pure function of a [`Plan`] and a latency per step, so the
//! page only draws the figures and shows the words these functions return.

mod chart;
mod distribution;
mod limit_curve;
mod slack;

pub use chart::{distribution_csv, distribution_svg, limit_curve_svg, mode_colour, ChartSize};
pub use distribution::{
    sample_seed, Distribution, Histogram, ModeSummary, MonteCarlo, Percentile, Progress,
    DEFAULT_SAMPLES, MAX_SAMPLES,
};
pub use limit_curve::{limit_curve, LimitCurve, LimitPoint};
pub use slack::{best_speed_up, slack, what_if, Slack, SpeedUp, StepSlack, WhatIf, NO_SPEED_UP};

use crate::model::Millis;
use crate::plan::Plan;
use crate::Mode;

/// The latency of each step's first attempt on the simulator: what the race on the
/// page uses. Live runs may pass measured times to the analyses instead.
pub fn planned_latencies(plan: &Plan) -> Vec<Millis> {
    (0..plan.len()).map(|i| plan.latency(i)).collect()
}

/// Who waits for whom, flattened into plain arrays: the Monte-Carlo loop computes
/// three makespans per sample, so it must not chase a `Vec` per step.
struct Shape {
    order: Vec<usize>,
    /// Inputs of step `i` are `inputs[input_start[i]..input_start[i + 1]]`.
    input_start: Vec<usize>,
    inputs: Vec<usize>,
    dependent_start: Vec<usize>,
    dependents: Vec<usize>,
    /// Level `l` is `by_level[level_start[l]..level_start[l + 1]]`, in the plan's order.
    level_start: Vec<usize>,
    by_level: Vec<usize>,
}

/// Concatenates `lists` and returns where each one starts (plus the end).
fn flatten<'a>(lists: impl Iterator<Item = &'a [usize]>) -> (Vec<usize>, Vec<usize>) {
    let mut start = vec![0];
    let mut flat = Vec::new();
    for list in lists {
        flat.extend_from_slice(list);
        start.push(flat.len());
    }
    (start, flat)
}

impl Shape {
    fn of(plan: &Plan) -> Self {
        let (input_start, inputs) = flatten((0..plan.len()).map(|i| plan.inputs(i)));
        let (dependent_start, dependents) = flatten((0..plan.len()).map(|i| plan.dependents(i)));
        let (level_start, by_level) = flatten(plan.levels().iter().map(Vec::as_slice));
        Self {
            order: plan.order().to_vec(),
            input_start,
            inputs,
            dependent_start,
            dependents,
            level_start,
            by_level,
        }
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    fn inputs(&self, i: usize) -> &[usize] {
        &self.inputs[self.input_start[i]..self.input_start[i + 1]]
    }

    fn dependents(&self, i: usize) -> &[usize] {
        &self.dependents[self.dependent_start[i]..self.dependent_start[i + 1]]
    }

    fn levels(&self) -> impl Iterator<Item = &[usize]> {
        self.level_start
            .windows(2)
            .map(|w| &self.by_level[w[0]..w[1]])
    }

    /// When each step would end in an eager run with no limit: the longest chain of
    /// dependent steps up to and including it (the critical path method's EF).
    fn earliest_finish(&self, latency: &[Millis], finish: &mut [Millis]) {
        for &i in &self.order {
            let ready = self.inputs(i).iter().map(|&p| finish[p]).max();
            finish[i] = ready.unwrap_or(0) + latency[i];
        }
    }

    /// The makespan of `mode` with no concurrency limit, as the engine runs it
    /// (`Plan::predicted_makespan` for any latencies). `finish` is scratch space of
    /// one entry per step, so that tight loops do not allocate.
    fn makespan(&self, mode: Mode, latency: &[Millis], finish: &mut [Millis]) -> Millis {
        match mode {
            Mode::Sequential => latency.iter().sum(),
            Mode::Staged => self
                .levels()
                .map(|level| level.iter().map(|&i| latency[i]).max().unwrap_or(0))
                .sum(),
            Mode::Eager => {
                self.earliest_finish(latency, finish);
                finish.iter().copied().max().unwrap_or(0)
            }
        }
    }
}

/// "1,000": counts in sentences are easier to read with thousands separated.
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A figure as the page shows it: "812 ms" (whole milliseconds, no separator, so a
/// test can read the number back).
pub fn ms(value: Millis) -> String {
    format!("{value} ms")
}

/// Checks the caller passed one latency per step: a wrong length is a bug in the
/// caller, not something a person can fix.
fn check_len(plan: &Plan, latency: &[Millis]) {
    assert_eq!(
        latency.len(),
        plan.len(),
        "one latency per step of the chain is needed"
    );
}
