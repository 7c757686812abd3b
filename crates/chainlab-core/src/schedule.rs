//! How a run is scheduled: the three modes over an abstract step runner and clock.
//!
//! - sequential: one step at a time, in topological order;
//! - staged: each dependency level with `futures::future::join_all`, the next level
//!   starting when the whole level is done (LangChain stages, LangGraph supersteps);
//! - eager: a step starts the moment its own inputs are done (`FuturesUnordered`).
//!
//! An optional concurrency limit (a semaphore) caps how many steps run at once in
//! any mode; a step waiting for a slot is queued, and its span shows it.

use crate::model::{Millis, Step, StepId};
use crate::plan::Plan;
use crate::trace::{Outcome, Span, Time, Trace};
use async_lock::Semaphore;
use futures::future::join_all;
use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::future::Future;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Sequential,
    Staged,
    Eager,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Sequential, Mode::Staged, Mode::Eager];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Staged => "staged",
            Mode::Eager => "eager",
        }
    }

    /// One line for people who have not met the word yet.
    pub fn explanation(self) -> &'static str {
        match self {
            Mode::Sequential => "one step at a time, each waiting for the one before",
            Mode::Staged => {
                "each dependency level at once (join_all); the next level waits for the whole level"
            }
            Mode::Eager => "each step starts the moment its own inputs are ready",
        }
    }
}

/// Time as the run sees it: virtual in tests, `performance.now()` in the browser.
pub trait Clock {
    fn now(&self) -> Time;
    fn sleep(&self, ms: Millis) -> impl Future<Output = ()>;
}

/// What a runner gets to run one attempt of a step.
#[derive(Clone, Debug)]
pub struct StepRequest<'a> {
    pub step: &'a Step,
    pub attempt: u32,
    /// The chain's seed, for simulated latencies.
    pub seed: u64,
    /// The outputs of the step's inputs, in the order the step lists them.
    pub inputs: Vec<(StepId, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepResult {
    pub output: Result<String, String>,
    pub first_byte: Option<Time>,
}

/// Runs one step attempt: on the simulator, or over the network.
pub trait StepRunner {
    fn run(&self, request: StepRequest<'_>) -> impl Future<Output = StepResult>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    pub mode: Mode,
    /// At most this many steps run at the same time; `None` for no limit.
    pub limit: Option<usize>,
}

impl RunOptions {
    pub fn unlimited(mode: Mode) -> Self {
        Self { mode, limit: None }
    }
}

/// Runs every step of the plan once, in the given mode, and returns the trace.
/// `observe` sees each span whenever it changes (queued, started, ended), so a page
/// can draw the run live.
pub async fn run<R: StepRunner, C: Clock>(
    plan: &Plan,
    options: RunOptions,
    runner: &R,
    clock: &C,
    observe: &dyn Fn(&Span),
) -> Trace {
    let origin = clock.now();
    let scheduler = Scheduler {
        plan,
        runner,
        clock,
        observe,
        origin,
        limit: options.limit.map(|k| Semaphore::new(k.max(1))),
        spans: RefCell::new(vec![None; plan.len()]),
    };
    match options.mode {
        Mode::Sequential => {
            for &i in plan.order() {
                scheduler.run_step(i).await;
            }
        }
        Mode::Staged => {
            for level in plan.levels() {
                join_all(level.iter().map(|&i| scheduler.run_step(i))).await;
            }
        }
        Mode::Eager => {
            let mut waiting: Vec<usize> = (0..plan.len()).map(|i| plan.inputs(i).len()).collect();
            let mut in_flight: FuturesUnordered<_> = plan
                .order()
                .iter()
                .filter(|&&i| waiting[i] == 0)
                .map(|&i| scheduler.run_step(i))
                .collect();
            while let Some(done) = in_flight.next().await {
                for &next in plan.dependents(done) {
                    waiting[next] -= 1;
                    if waiting[next] == 0 {
                        in_flight.push(scheduler.run_step(next));
                    }
                }
            }
        }
    }
    let mut spans: Vec<Span> = scheduler.spans.into_inner().into_iter().flatten().collect();
    spans.sort_by(|a, b| a.queued.total_cmp(&b.queued).then(a.index.cmp(&b.index)));
    Trace {
        mode: options.mode,
        origin,
        spans,
    }
}

struct Scheduler<'a, R, C> {
    plan: &'a Plan,
    runner: &'a R,
    clock: &'a C,
    observe: &'a dyn Fn(&Span),
    origin: Time,
    limit: Option<Semaphore>,
    /// The latest span of each step.
    spans: RefCell<Vec<Option<Span>>>,
}

impl<R: StepRunner, C: Clock> Scheduler<'_, R, C> {
    /// Runs step `i`, whose inputs have all ended, and returns `i`.
    async fn run_step(&self, i: usize) -> usize {
        let step = self.plan.step(i);
        let mut span = Span {
            step: step.id.clone(),
            index: i,
            attempt: 0,
            ready: self.origin,
            queued: self.clock.now(),
            started: None,
            first_byte: None,
            ended: None,
            outcome: Outcome::Pending,
            output: None,
        };
        let mut inputs = Vec::with_capacity(self.plan.inputs(i).len());
        let mut failed_input = None;
        {
            let spans = self.spans.borrow();
            for &p in self.plan.inputs(i) {
                let Some(before) = spans[p].as_ref() else {
                    continue;
                };
                span.ready = span.ready.max(before.ended.unwrap_or(span.queued));
                match (&before.outcome, &before.output) {
                    (Outcome::Done, Some(output)) => {
                        inputs.push((before.step.clone(), output.clone()));
                    }
                    _ => failed_input = failed_input.or(Some(before.step.clone())),
                }
            }
        }
        if let Some(failed_input) = failed_input {
            span.ended = Some(span.queued);
            span.outcome = Outcome::Skipped { failed_input };
            self.record(span);
            return i;
        }
        self.record(span.clone());

        let _slot = match &self.limit {
            Some(limit) => Some(limit.acquire().await),
            None => None,
        };
        span.started = Some(self.clock.now());
        self.record(span.clone());
        let result = self
            .runner
            .run(StepRequest {
                step,
                attempt: 0,
                seed: self.plan.chain().seed,
                inputs,
            })
            .await;
        span.ended = Some(self.clock.now());
        span.first_byte = result.first_byte;
        match result.output {
            Ok(output) => {
                span.outcome = Outcome::Done;
                span.output = Some(output);
            }
            Err(error) => span.outcome = Outcome::Failed { error },
        }
        self.record(span);
        i
    }

    fn record(&self, span: Span) {
        (self.observe)(&span);
        let index = span.index;
        self.spans.borrow_mut()[index] = Some(span);
    }
}
