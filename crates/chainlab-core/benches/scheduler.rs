//! Scheduler overhead per step: every step takes 0 ms, so all the time measured is the
//! engine's own (spans, input lists, futures, the trace).
//!
//! The main groups (`fan_out`, `layered`) call `chainlab_core::run` with a runner that
//! returns an empty output at once and a clock that stands still, driven by
//! `futures::executor::block_on`: the scheduler with nothing around it. The
//! `simulate_fan_out` group runs the fan-outs through `chainlab_core::simulate`
//! (virtual clock and simulated runner, what the page and the tests use) for
//! comparison: it costs about 0.05 µs more per step (latency sampling, output
//! rendering, the virtual clock's poll loop), so the zero runner is the purer measure.
//!
//! Two shapes: a fan-out (one source, n − 2 parallel steps, one sink) and a layered DAG
//! (layers about √n wide, each step taking two inputs from the layer before), of 10 to
//! 10,000 steps: past the 500 steps people may build (`Plan::with_limits`).
//!
//! `cargo bench -p chainlab-core --bench scheduler` prints divan's table (time per run,
//! and items/s where an item is a step), then a summary of µs per step (median of 15
//! timed samples). Set `CHAINLAB_BENCH_TABLE=0` to skip the summary.

#![allow(clippy::print_stdout)]

use chainlab_core::{
    run, simulate, Chain, Clock, Limits, Millis, Mode, Outcome, Plan, RunOptions, Step, StepId,
    StepRequest, StepResult, StepRunner, Time,
};
use divan::counter::ItemsCount;
use divan::Bencher;
use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: &[usize] = &[10, 100, 1_000, 10_000];

fn main() {
    divan::main();
    let args: Vec<String> = std::env::args().collect();
    let listing_or_testing = args.iter().any(|a| a == "--test" || a == "--list");
    let wanted = std::env::var("CHAINLAB_BENCH_TABLE").map_or(true, |v| v != "0");
    if wanted && !listing_or_testing {
        summary();
        peer();
    }
}

/// The same zero-latency fan-outs run by LangGraph (its supersteps are the staged
/// mode's rule), in this run, next to ChainLab's staged scheduler: µs per node each,
/// and how many times LangGraph's overhead is ChainLab's. Needs the Python venv that
/// scripts/setup.sh makes (target/py-venv, with langgraph).
fn peer() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/py-venv/bin/python");
    let sizes = ["10", "100", "1000"];
    let output = std::process::Command::new(&python)
        .arg(root.join("tools/langgraph_overhead.py"))
        .args(sizes)
        .output();
    let lines = match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => {
            println!(
                "\nLangGraph peer: not measured ({} is missing or failed; run scripts/setup.sh).",
                python.display()
            );
            return;
        }
    };
    println!();
    println!("Per-node overhead on a zero-latency fan-out, same machine, same run (median):");
    println!();
    println!("| nodes | ChainLab staged µs/step | LangGraph µs/node | LangGraph ÷ ChainLab |");
    println!("|---:|---:|---:|---:|");
    for line in lines.lines() {
        let mut parts = line.split_whitespace();
        let (Some(n), Some(theirs)) = (parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(n), Ok(theirs)) = (n.parse::<usize>(), theirs.parse::<f64>()) else {
            continue;
        };
        let plan = plan(Shape::FanOut, n);
        let ours = micros_per_step(&plan, RunOptions::unlimited(Mode::Staged), |p, o| {
            black_box(run_zero(p, o));
        });
        println!("| {n} | {ours:.2} | {theirs:.1} | {:.0}× |", theirs / ours);
    }
}

fn step(id: &str, inputs: Vec<StepId>) -> Step {
    let mut step = Step::llm(id, "").labelled("").taking_ms(0);
    step.inputs = inputs;
    step
}

fn chain(steps: Vec<Step>) -> Chain {
    Chain {
        name: "bench".into(),
        description: String::new(),
        seed: 0,
        steps,
    }
}

/// One source, `n - 2` steps that each take it as input, one sink that takes them all.
fn fan_out(n: usize) -> Chain {
    assert!(n >= 3);
    let mut steps = vec![step("src", vec![])];
    let middle: Vec<StepId> = (0..n - 2).map(|i| StepId(format!("m{i}"))).collect();
    steps.extend(
        middle
            .iter()
            .map(|id| step(id.as_str(), vec![StepId::new("src")])),
    );
    steps.push(step("sink", middle));
    chain(steps)
}

/// Layers of about √n steps; each step after the first layer takes two inputs from
/// the layer before (one if that layer has a single step).
fn layered(n: usize) -> Chain {
    let width = ((n as f64).sqrt().round() as usize).max(2);
    let mut steps: Vec<Step> = Vec::with_capacity(n);
    let mut previous: Vec<StepId> = Vec::new();
    let mut layer = 0;
    while steps.len() < n {
        let count = width.min(n - steps.len());
        let mut current = Vec::with_capacity(count);
        for j in 0..count {
            let id = StepId(format!("l{layer}_{j}"));
            let mut inputs = Vec::new();
            if !previous.is_empty() {
                inputs.push(previous[j % previous.len()].clone());
                let second = &previous[(j + 1) % previous.len()];
                if !inputs.contains(second) {
                    inputs.push(second.clone());
                }
            }
            steps.push(step(id.as_str(), inputs));
            current.push(id);
        }
        previous = current;
        layer += 1;
    }
    chain(steps)
}

fn plan(shape: Shape, n: usize) -> Plan {
    let chain = match shape {
        Shape::FanOut => fan_out(n),
        Shape::Layered => layered(n),
    };
    let limits = Limits {
        max_steps: n,
        max_text_bytes: usize::MAX,
    };
    let plan = Plan::with_limits(chain, limits).expect("benchmark chains are valid");
    assert_eq!(plan.len(), n);
    plan
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    FanOut,
    Layered,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::FanOut => "fan-out",
            Shape::Layered => "layered",
        }
    }
}

fn bench_one(bencher: Bencher, shape: Shape, mode: Mode, n: usize) {
    let plan = plan(shape, n);
    let options = RunOptions::unlimited(mode);
    bencher
        .counter(ItemsCount::new(n))
        .bench_local(|| run_zero(black_box(&plan), options));
}

mod fan_out {
    use super::*;

    #[divan::bench(args = SIZES)]
    fn sequential(bencher: Bencher, n: usize) {
        bench_one(bencher, Shape::FanOut, Mode::Sequential, n);
    }

    #[divan::bench(args = SIZES)]
    fn staged(bencher: Bencher, n: usize) {
        bench_one(bencher, Shape::FanOut, Mode::Staged, n);
    }

    #[divan::bench(args = SIZES)]
    fn eager(bencher: Bencher, n: usize) {
        bench_one(bencher, Shape::FanOut, Mode::Eager, n);
    }
}

mod layered {
    use super::*;

    #[divan::bench(args = SIZES)]
    fn sequential(bencher: Bencher, n: usize) {
        bench_one(bencher, Shape::Layered, Mode::Sequential, n);
    }

    #[divan::bench(args = SIZES)]
    fn staged(bencher: Bencher, n: usize) {
        bench_one(bencher, Shape::Layered, Mode::Staged, n);
    }

    #[divan::bench(args = SIZES)]
    fn eager(bencher: Bencher, n: usize) {
        bench_one(bencher, Shape::Layered, Mode::Eager, n);
    }
}

/// A runner that does nothing and a clock that stands still, driven by
/// `futures::executor::block_on`: the scheduler with nothing around it.
struct ZeroRunner;

impl StepRunner for ZeroRunner {
    fn run(&self, _request: StepRequest<'_>) -> impl Future<Output = StepResult> {
        std::future::ready(StepResult {
            output: Ok(String::new()),
            first_byte: None,
        })
    }
}

struct StillClock;

impl Clock for StillClock {
    fn now(&self) -> Time {
        0.0
    }

    fn sleep(&self, _ms: Millis) -> impl Future<Output = ()> {
        std::future::ready(())
    }
}

fn run_zero(plan: &Plan, options: RunOptions) -> chainlab_core::Trace {
    futures::executor::block_on(run(plan, options, &ZeroRunner, &StillClock, &|_| {}))
}

/// The fan-out through `simulate`, for comparison.
mod simulate_fan_out {
    use super::*;

    fn bench_simulate(bencher: Bencher, mode: Mode, n: usize) {
        let plan = plan(Shape::FanOut, n);
        let options = RunOptions::unlimited(mode);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| simulate(black_box(&plan), options));
    }

    #[divan::bench(args = SIZES)]
    fn sequential(bencher: Bencher, n: usize) {
        bench_simulate(bencher, Mode::Sequential, n);
    }

    #[divan::bench(args = SIZES)]
    fn staged(bencher: Bencher, n: usize) {
        bench_simulate(bencher, Mode::Staged, n);
    }

    #[divan::bench(args = SIZES)]
    fn eager(bencher: Bencher, n: usize) {
        bench_simulate(bencher, Mode::Eager, n);
    }
}

/// Median µs per step over several samples, each long enough to time reliably.
fn micros_per_step(plan: &Plan, options: RunOptions, runner: fn(&Plan, RunOptions)) -> f64 {
    const SAMPLES: usize = 15;
    const SAMPLE_TIME: Duration = Duration::from_millis(20);
    // Warm up, and find how many runs fill a sample.
    let mut runs = 1usize;
    loop {
        let start = Instant::now();
        for _ in 0..runs {
            runner(black_box(plan), options);
        }
        if start.elapsed() >= SAMPLE_TIME / 4 {
            break;
        }
        runs *= 2;
    }
    let runs = runs * 4;
    let mut samples: Vec<f64> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..runs {
                runner(black_box(plan), options);
            }
            start.elapsed().as_secs_f64() * 1e6 / (runs * plan.len()) as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[SAMPLES / 2]
}

fn summary() {
    println!();
    println!(
        "Scheduler overhead, zero-latency steps (median of 15 samples; each run includes \
         building and dropping its trace):"
    );
    println!();
    println!(
        "| mode | shape | steps | limit | µs/step (zero runner, block_on) | µs/step (simulate) |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    let mut rows: Vec<(Shape, Mode, usize, Option<usize>)> = Vec::new();
    for shape in [Shape::FanOut, Shape::Layered] {
        for mode in Mode::ALL {
            for &n in SIZES {
                rows.push((shape, mode, n, None));
            }
        }
    }
    // The semaphore path: at most 4 steps at once.
    for mode in Mode::ALL {
        for &n in SIZES {
            rows.push((Shape::FanOut, mode, n, Some(4)));
        }
    }
    for (shape, mode, n, limit) in rows {
        let plan = plan(shape, n);
        let options = RunOptions { mode, limit };
        for trace in [run_zero(&plan, options), simulate(&plan, options)] {
            assert_eq!(trace.spans.len(), n);
            assert!(trace.spans.iter().all(|s| s.outcome == Outcome::Done));
        }
        let zero = micros_per_step(&plan, options, |p, o| {
            black_box(run_zero(p, o));
        });
        let simulated = micros_per_step(&plan, options, |p, o| {
            black_box(simulate(p, o));
        });
        let limit = limit.map_or_else(|| "none".to_string(), |k| k.to_string());
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.2} |",
            mode.name(),
            shape.name(),
            n,
            limit,
            zero,
            simulated
        );
    }
}
