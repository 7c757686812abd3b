//! What-if analysis speed, against the budgets of issue 14 (native, release):
//!
//! - `monte_carlo`: 10,000 samples of a 50-step chain, all three modes (≤ 50 ms);
//! - `slack`: slack of every step of a 500-step chain (≤ 1 ms);
//! - `limit_curve`: staged and eager makespans for every limit k = 1 … width of a
//!   200-step chain (≤ 20 ms). The wide chain (width about 100) is the hard case: one
//!   replay per k and mode.
//!
//! Chains are random DAGs (each step takes up to two inputs from the `window` steps
//! before it: a small window makes a deep chain, a large one a wide chain) with
//! log-normal latencies, built the same way on every run.
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

fn random_chain(n: usize, window: usize) -> Plan {
    let mut state = n as u64 * 31 + window as u64;
    let steps = (0..n)
        .map(|t| {
            let mut inputs: Vec<StepId> = Vec::new();
            for _ in 0..2 {
                if t > 0 {
                    let back = 1 + (next(&mut state) as usize) % t.min(window);
                    let input = StepId(format!("s{}", t - back));
                    if !inputs.contains(&input) {
                        inputs.push(input);
                    }
                }
            }
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

/// 10,000 samples × 50 steps × 3 modes, from preparing to the summary the panel shows.
#[divan::bench(args = [8, 50])]
fn monte_carlo(bencher: Bencher, window: usize) {
    let plan = random_chain(50, window);
    bencher.bench_local(|| {
        let mut runs = MonteCarlo::new(black_box(&plan), 10_000);
        runs.run_to_end();
        runs.summary(40)
    });
}

#[divan::bench(args = [8, 500])]
fn slack_500_steps(bencher: Bencher, window: usize) {
    let plan = random_chain(500, window);
    let latency = planned_latencies(&plan);
    bencher.bench_local(|| slack(black_box(&plan), &latency));
}

#[divan::bench(args = [8, 200])]
fn limit_curve_200_steps(bencher: Bencher, window: usize) {
    let plan = random_chain(200, window);
    let latency = planned_latencies(&plan);
    bencher.bench_local(|| limit_curve(black_box(&plan), &latency));
}
