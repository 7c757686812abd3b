//! The simulator: every step sleeps for its simulated latency on the given clock and
//! returns its simulated output, so any chain runs with no key and no network.

use crate::engine::clock::Clock;
use crate::engine::schedule::{StepRequest, StepResult, StepRunner};
use crate::model::{Step, StepId, StepKind};
use crate::steps::{template, transform};

pub struct SimulatedRunner<C> {
    pub clock: C,
}

impl<C: Clock> StepRunner for SimulatedRunner<C> {
    async fn run(&self, request: StepRequest<'_>) -> StepResult {
        let step = request.step;
        let ms = step
            .sim
            .latency
            .sample(request.seed, &step.id, request.attempt);
        // A zero sleep would still cost a trip through the browser's timer queue.
        if ms > 0 {
            self.clock.sleep(ms).await;
        }
        StepResult {
            output: Ok(simulated_output(step, &request.inputs)),
            first_byte: None,
        }
    }
}

/// What a step produces on the simulator. Local steps compute their real result;
/// model and HTTP steps fill their simulated output template with their inputs.
pub fn simulated_output(step: &Step, inputs: &[(StepId, String)]) -> String {
    match &step.kind {
        StepKind::Input { text } => text.clone(),
        StepKind::Output => transform::concatenate(inputs),
        StepKind::Transform(t) => transform::apply(t.op, &t.template, inputs),
        StepKind::Llm(_) | StepKind::Http(_) => template::render(&step.sim.output, inputs),
    }
}

/// The simulator has no network, so a lane needs nothing settled after it.
impl<C: Clock> crate::race::session::LaneRunner for SimulatedRunner<C> {}
