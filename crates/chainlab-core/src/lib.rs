//! ChainLab's engine, with no browser dependency: the chain model, validation and
//! analysis, the three schedulers over an abstract runner and clock, traces, the
//! simulator and a virtual clock that makes tests exact.

pub mod codegen;
pub mod edit;
pub mod errors;
pub mod export;
pub mod gallery;
pub mod history;
pub mod import;
pub mod layout;
pub mod model;
pub mod narrate;
pub mod plan;
pub mod projection;
pub mod race;
pub mod replay;
pub mod resource_timing;
pub mod retry;
pub mod schedule;
pub mod share;
pub mod sim;
pub mod template;
pub mod trace;
pub mod transform;
pub mod virtual_time;
pub mod wire;

pub use errors::StepError;
pub use model::{Chain, Millis, Step, StepId, StepKind};
pub use plan::{Limits, Plan, Problem};
pub use retry::RetryPolicy;
pub use schedule::{
    run, run_with, Cancel, Clock, Mode, OnFailure, Policy, RunOptions, StepRequest, StepResult,
    StepRunner,
};
pub use sim::SimulatedRunner;
pub use trace::{Outcome, Span, Time, Trace};
pub use virtual_time::{run_until_done, VirtualClock};

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
