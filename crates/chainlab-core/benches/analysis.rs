//! What-if analysis speed, against the budgets of issue 14 (native, release):
//!
//! - `monte_carlo`: 10,000 samples of a 50-step chain, all three modes (≤ 50 ms);
//! - `slack`: slack of every step of a 500-step chain (≤ 1 ms);
//! - `limit_curve`: staged and eager makespans for every limit k = 1 … width of a
//!   200-step chain (≤ 20 ms). The fan-out (width 198) is the hard case: one replay
//!   of 200 steps per k and mode.
//!
//! Chains have log-normal latencies and are built the same way on every run: *deep*
//! (each step takes up to two inputs among the 8 steps before it: width 6 at 200 steps),
//! *random* (up to two inputs among all steps before it: width 36 at 200 steps)
//! and *fan-out* (one source, n − 2 parallel steps, one sink).
//!
//! `cargo bench -p chainlab-core --bench analysis` prints divan's table (median column).

use chainlab_core::analysis::{limit_curve, planned_latencies, slack, MonteCarlo};
use chainlab_core::model::{LatencyModel, LlmStep, Position, Simulation};
use chainlab_core::{Chain, Limits, Plan, Step, StepId, StepKind};
use divan::Bencher;
use std::hint::black_box;

fn main() {
    divan::main();
}

/// SplitMix64: a fixed pseudo-random sequence, so every run benches the same chains.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    Deep,
    Random,
    FanOut,
}

/// The steps that step `t` of `n` takes as inputs.
fn inputs(shape: Shape, t: usize, n: usize, state: &mut u64) -> Vec<usize> {
    let window = match shape {
        Shape::FanOut if t == 0 => return vec![],
        Shape::FanOut if t == n - 1 => return (1..t).collect(),
        Shape::FanOut => return vec![0],
        Shape::Deep => 8,
        Shape::Random => n,
    };
    let mut picked = Vec::new();
    for _ in 0..2 {
        if t > 0 {
            let input = t - 1 - (next(state) as usize) % t.min(window);
            if !picked.contains(&input) {
                picked.push(input);
            }
        }
    }
    picked
}

fn chain(n: usize, shape: Shape) -> Plan {
    let mut state = n as u64;
    let steps = (0..n)
        .map(|t| {
            let inputs = inputs(shape, t, n, &mut state)
                .into_iter()
                .map(|u| StepId(format!("s{u}")))
                .collect();
            Step {
                id: StepId(format!("s{t}")),
                label: format!("Step {t}"),
                kind: StepKind::Llm(LlmStep {
                    provider: "simulator".into(),
                    model: String::new(),
                    system_prompt: String::new(),
                    prompt: String::new(),
                    temperature: 0.7,
                    max_tokens: 1,
                }),
                inputs,
                position: Position::default(),
                sim: Simulation {
                    latency: LatencyModel::LogNormal {
                        median_ms: 100 + (next(&mut state) % 900) as u32,
                        sigma: 0.5,
                    },
                    output: String::new(),
                },
            }
        })
        .collect();
    let chain = Chain {
        name: "bench".into(),
        description: String::new(),
        seed: 1,
        steps,
    };
    let limits = Limits {
        max_steps: n,
        max_text_bytes: usize::MAX,
    };
    Plan::with_limits(chain, limits).expect("benchmark chains are valid")
}

const SHAPES: [Shape; 3] = [Shape::Deep, Shape::Random, Shape::FanOut];

/// 10,000 samples × 50 steps × 3 modes, from preparing to the summary the panel shows.
#[divan::bench(args = SHAPES)]
fn monte_carlo(bencher: Bencher, shape: Shape) {
    let plan = chain(50, shape);
    bencher.bench_local(|| {
        let mut runs = MonteCarlo::new(black_box(&plan), 10_000);
        runs.run_to_end();
        runs.summary(40)
    });
}

#[divan::bench(args = SHAPES)]
fn slack_500_steps(bencher: Bencher, shape: Shape) {
    let plan = chain(500, shape);
    let latency = planned_latencies(&plan);
    bencher.bench_local(|| slack(black_box(&plan), &latency));
}

#[divan::bench(args = SHAPES)]
fn limit_curve_200_steps(bencher: Bencher, shape: Shape) {
    let plan = chain(200, shape);
    let latency = planned_latencies(&plan);
    bencher.bench_local(|| limit_curve(black_box(&plan), &latency));
}
