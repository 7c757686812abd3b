//! ChainLab's engine, with no browser dependency. One folder per concern:
//!
//! - `model`: the chain, its steps, modes, latencies and units of time;
//! - `plan`: validation and analysis (levels, critical path, predictions, bounds);
//! - `engine`: how a run is scheduled (`engine::schedule`), under what policy, on which
//!   clock, on the simulator, and the trace it leaves;
//! - `steps`: what a step does with its inputs, and how it reaches the network
//!   (`steps::wire`);
//! - `race`: a race session over any runner and clock (`race::session`), the race the
//!   page draws, projections and the browser's resource timings;
//! - `timeline`: what the timeline draws at time t (`timeline::bars`), its axis, step
//!   states, replay and narration;
//! - `editor`: edits, undo, layout and the gallery;
//! - `io`: share links (`io::share`), exports and generated code;
//! - `analysis`: latency as a distribution, slack per step and the limit curve;
//! - `number`: numbers as people type them (one float parser in the wasm);
//! - `sort`: the one stable sort everything uses (one copy of it in the wasm).
//!
//! The root re-exports the vocabulary every part of the page uses.

pub mod analysis;
pub mod editor;
pub mod engine;
pub mod io;
pub mod model;
pub mod number;
pub mod plan;
pub mod race;
pub mod sort;
pub mod steps;
pub mod timeline;

pub use engine::clock::{run_until_done, Clock, VirtualClock};
pub use engine::policy::{Cancel, OnFailure, Policy};
pub use engine::retry::RetryPolicy;
pub use engine::schedule::{run, run_with, RunOptions, StepRequest, StepResult, StepRunner};
pub use engine::sim::SimulatedRunner;
pub use engine::trace::{Outcome, Span, Trace};
pub use model::{Chain, Choice, Millis, Mode, Step, StepId, StepKind, Time};
pub use plan::{Limits, Plan, Problem};
pub use race::Race;
pub use steps::errors::StepError;

/// Runs `plan` on the simulator in virtual time: the exact makespan the engine
/// predicts for `options`, concurrency limit included.
pub fn simulate(plan: &Plan, options: RunOptions) -> Trace {
    let clock = VirtualClock::new();
    let runner = SimulatedRunner {
        clock: clock.clone(),
    };
    run_until_done(&clock, run(plan, options, &runner, &clock, &|_| {}))
        .expect("the simulator only waits on virtual sleeps, so a run always finishes")
}
