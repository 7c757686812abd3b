//! How a run is scheduled: the three modes over an abstract step runner and clock.
//!
//! - sequential: one step at a time, in topological order;
//! - staged: each dependency level with `futures::future::join_all`, the next level
//!   starting when the whole level is done (LangChain stages, LangGraph supersteps);
//! - eager: a step starts the moment its own inputs are done (`FuturesUnordered`).
//!
//! An optional concurrency limit (a semaphore) caps how many steps run at once in
//! any mode; a step waiting for a slot is queued, and its span shows it.
//!
//! A [`Policy`] adds what real networks need: retries (one span per attempt), a
//! time-out per attempt, a limit per provider, what a failure does to the rest of
//! the run, and cancelling the whole run. Timing out or cancelling drops the
//! runner's future, so a network runner must abort its request on drop.

use crate::engine::clock::Clock;
use crate::engine::policy::{provider_of, Cancel, OnFailure, Policy};
use crate::engine::trace::{Outcome, Span, Trace};
use crate::model::{Mode, Time};
use crate::model::{Step, StepId};
use crate::plan::Plan;
use crate::steps::errors::{missing_inputs_note, StepError};
use async_lock::{Semaphore, SemaphoreGuard};
use futures::future::{join_all, select, Either, LocalBoxFuture};
use futures::stream::{FuturesUnordered, StreamExt};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;

/// What a runner gets to run one attempt of a step.
#[derive(Clone, Debug)]
pub struct StepRequest<'a> {
    pub step: &'a Step,
    pub attempt: u32,
    /// The chain's seed, for simulated latencies.
    pub seed: u64,
    /// The outputs of the step's inputs, in the order the step lists them.
    pub inputs: Vec<(StepId, String)>,
    /// Inputs that failed, when the run carries on without them.
    pub missing: Vec<StepId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepResult {
    pub output: Result<String, StepError>,
    pub first_byte: Option<Time>,
}

/// Runs one step attempt: on the simulator, or over the network.
pub trait StepRunner {
    fn run(&self, request: StepRequest<'_>) -> impl Future<Output = StepResult>;
}

/// The scheduler sees its runner and clock through these object-safe views, so its code
/// exists once in the page's wasm rather than once per runner and clock (a boxed
/// future per attempt and per sleep is nothing next to a step's time).
pub(crate) trait AnyRunner {
    fn run_boxed<'s>(&'s self, request: StepRequest<'s>) -> LocalBoxFuture<'s, StepResult>;
}

impl<R: StepRunner> AnyRunner for R {
    fn run_boxed<'s>(&'s self, request: StepRequest<'s>) -> LocalBoxFuture<'s, StepResult> {
        Box::pin(self.run(request))
    }
}

pub(crate) trait AnyClock {
    fn now(&self) -> Time;
    fn sleep_boxed(&self, ms: crate::model::Millis) -> LocalBoxFuture<'_, ()>;
}

impl<C: Clock> AnyClock for C {
    fn now(&self) -> Time {
        Clock::now(self)
    }
    fn sleep_boxed(&self, ms: crate::model::Millis) -> LocalBoxFuture<'_, ()> {
        Box::pin(self.sleep(ms))
    }
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
    run_with(plan, options, &Policy::default(), runner, clock, observe).await
}

/// [`run`] under a [`Policy`]: retries, time-outs, provider limits, failure policy
/// and cancel. The trace holds one span per attempt.
pub async fn run_with<R: StepRunner, C: Clock>(
    plan: &Plan,
    options: RunOptions,
    policy: &Policy,
    runner: &R,
    clock: &C,
    observe: &dyn Fn(&Span),
) -> Trace {
    run_erased(plan, options, policy, runner, clock, observe).await
}

/// [`run_with`] over erased runner and clock: the one copy of the scheduler's code.
pub(crate) async fn run_erased(
    plan: &Plan,
    options: RunOptions,
    policy: &Policy,
    runner: &dyn AnyRunner,
    clock: &dyn AnyClock,
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
        provider_limits: policy
            .provider_limits
            .iter()
            .map(|(p, k)| (p.clone(), Semaphore::new((*k).max(1))))
            .collect(),
        policy,
        halt: Cancel::new(),
        failed_first: RefCell::new(None),
        spans: RefCell::new(vec![None; plan.len()]),
        earlier_attempts: RefCell::new(Vec::new()),
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
    let mut spans: Vec<Span> = scheduler.earlier_attempts.into_inner();
    spans.extend(scheduler.spans.into_inner().into_iter().flatten());
    crate::sort::sort_by(&mut spans, |a, b| {
        a.queued.total_cmp(&b.queued).then(a.index.cmp(&b.index))
    });
    Trace {
        mode: options.mode,
        origin,
        spans,
    }
}

/// How an attempt that ended with `error` is recorded: stopped from outside (Cancel, or
/// fail fast after another step failed) is cancelled, anything else failed.
fn ended_by(error: &StepError) -> Outcome {
    match error {
        StepError::Cancelled | StepError::Halted { .. } => Outcome::Cancelled {
            reason: error.to_string(),
        },
        _ => Outcome::Failed {
            error: error.to_string(),
        },
    }
}

struct Scheduler<'a> {
    plan: &'a Plan,
    runner: &'a dyn AnyRunner,
    clock: &'a dyn AnyClock,
    observe: &'a dyn Fn(&Span),
    origin: Time,
    limit: Option<Semaphore>,
    provider_limits: HashMap<String, Semaphore>,
    policy: &'a Policy,
    /// Pulled when a step fails in a fail-fast run.
    halt: Cancel,
    failed_first: RefCell<Option<StepId>>,
    /// The latest span of each step.
    spans: RefCell<Vec<Option<Span>>>,
    /// Spans of attempts that were followed by another.
    earlier_attempts: RefCell<Vec<Span>>,
}

/// The slots an attempt holds while it runs.
type Slots<'a> = (Option<SemaphoreGuard<'a>>, Option<SemaphoreGuard<'a>>);

impl Scheduler<'_> {
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
            sent: None,
            first_byte: None,
            ended: None,
            outcome: Outcome::Pending,
            output: None,
        };
        let mut inputs = Vec::with_capacity(self.plan.inputs(i).len());
        let mut missing = Vec::new();
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
                    _ => missing.push(before.step.clone()),
                }
            }
        }
        let carry_on = self.policy.on_failure == OnFailure::CarryOn && !inputs.is_empty();
        if let (Some(failed_input), false) = (missing.first(), carry_on) {
            span.ended = Some(span.queued);
            span.outcome = Outcome::Skipped {
                failed_input: failed_input.clone(),
            };
            self.record(span);
            return i;
        }
        if let Some(error) = self.stopped() {
            span.ended = Some(span.queued);
            span.outcome = ended_by(&error);
            self.record(span);
            return i;
        }
        self.record(span.clone());

        let provider = self
            .provider_limits
            .get(provider_of(step).as_deref().unwrap_or_default());
        let mut attempt = 0;
        loop {
            let slots = self.until_stopped(self.acquire(provider)).await;
            let result = match slots {
                Ok(_slots) => {
                    span.started = Some(self.clock.now());
                    self.record(span.clone());
                    let request = StepRequest {
                        step,
                        attempt,
                        seed: self.plan.chain().seed,
                        inputs: inputs.clone(),
                        missing: missing.clone(),
                    };
                    self.attempt(request).await
                }
                Err(error) => StepResult {
                    output: Err(error),
                    first_byte: None,
                },
            };
            span.ended = Some(self.clock.now());
            span.first_byte = result.first_byte;
            let error = match result.output {
                Ok(output) => {
                    span.outcome = Outcome::Done;
                    span.output = Some(if missing.is_empty() {
                        output
                    } else {
                        format!("{} {output}", missing_inputs_note(&missing))
                    });
                    self.record(span);
                    return i;
                }
                Err(error) => error,
            };
            span.outcome = ended_by(&error);
            let wait = self
                .policy
                .retry
                .delay(attempt, &error, self.plan.chain().seed, &step.id)
                .filter(|_| self.stopped().is_none());
            let Some(wait) = wait else {
                self.record(span);
                if !matches!(error, StepError::Cancelled | StepError::Halted { .. }) {
                    self.fail(&step.id);
                }
                return i;
            };
            self.record(span.clone());
            self.earlier_attempts.borrow_mut().push(span.clone());
            // The back-off holds no slot, so other steps use the capacity meanwhile.
            let backed_off = self.until_stopped(self.clock.sleep_boxed(wait)).await;
            attempt += 1;
            span = Span {
                attempt,
                ready: span.ended.unwrap_or(span.queued),
                queued: self.clock.now(),
                started: None,
                sent: None,
                first_byte: None,
                ended: None,
                outcome: Outcome::Pending,
                output: None,
                ..span
            };
            if let Err(error) = backed_off {
                span.ended = Some(span.queued);
                span.outcome = ended_by(&error);
                self.record(span);
                return i;
            }
            self.record(span.clone());
        }
    }

    /// One attempt, abandoned at the time-out or when the run stops.
    async fn attempt(&self, request: StepRequest<'_>) -> StepResult {
        let run = self.runner.run_boxed(request);
        let timed = async {
            match self.policy.timeout_ms {
                Some(ms) => match select(pin!(run), self.clock.sleep_boxed(ms)).await {
                    Either::Left((result, _)) => result,
                    Either::Right(_) => StepResult {
                        output: Err(StepError::TimedOut { after_ms: ms }),
                        first_byte: None,
                    },
                },
                None => run.await,
            }
        };
        match self.until_stopped(timed).await {
            Ok(result) => result,
            Err(error) => StepResult {
                output: Err(error),
                first_byte: None,
            },
        }
    }

    async fn acquire<'s>(&'s self, provider: Option<&'s Semaphore>) -> Slots<'s> {
        let run = match &self.limit {
            Some(limit) => Some(limit.acquire().await),
            None => None,
        };
        let provider = match provider {
            Some(limit) => Some(limit.acquire().await),
            None => None,
        };
        (run, provider)
    }

    /// Why the run stopped, if it did.
    fn stopped(&self) -> Option<StepError> {
        if self.policy.cancel.is_cancelled() {
            Some(StepError::Cancelled)
        } else {
            self.failed_first
                .borrow()
                .clone()
                .map(|failed| StepError::Halted { failed })
        }
    }

    /// Runs `work` unless the run stops first.
    async fn until_stopped<T>(&self, work: impl Future<Output = T>) -> Result<T, StepError> {
        if let Some(error) = self.stopped() {
            return Err(error);
        }
        let cancelled = pin!(self.policy.cancel.cancelled());
        let halted = pin!(self.halt.cancelled());
        match select(pin!(work), select(cancelled, halted)).await {
            Either::Left((done, _)) => Ok(done),
            Either::Right(_) => Err(self.stopped().unwrap_or(StepError::Cancelled)),
        }
    }

    /// A step failed for good: in a fail-fast run, everything else stops.
    fn fail(&self, step: &StepId) {
        if self.policy.on_failure == OnFailure::FailFast && self.failed_first.borrow().is_none() {
            *self.failed_first.borrow_mut() = Some(step.clone());
            self.halt.cancel();
        }
    }

    fn record(&self, span: Span) {
        (self.observe)(&span);
        let index = span.index;
        self.spans.borrow_mut()[index] = Some(span);
    }
}
