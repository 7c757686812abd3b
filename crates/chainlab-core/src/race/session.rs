//! One race session: the chosen modes run over any [`StepRunner`] and [`Clock`], the
//! same code path for the simulator and for live runs.
//!
//! The session decides what a fair race is. On the simulator the modes run at the same
//! time (they share nothing), once: the engine's times are exact. Live, each endpoint
//! first gets one warm-up request that is shown and not counted; then the modes run
//! one after another, so that they do not compete for the browser's connections or
//! the provider's rate limit, in rounds whose order rotates (see
//! [`rounds`](crate::race::rounds)). The sequential lane may be projected from the
//! measured step times instead of calling every endpoint again one at a time. The
//! session reports what happens as typed [`RaceChange`]s; a page applies them to its
//! [`Race`](crate::Race) however often it draws.

use crate::engine::clock::Clock;
use crate::engine::policy::Policy;
use crate::engine::schedule::{
    run_erased, AnyClock, AnyRunner, RunOptions, StepRequest, StepRunner,
};
use crate::engine::sim::simulated_output;
use crate::engine::trace::{Outcome, Span, Trace};
use crate::model::{Mode, Step, StepId, StepKind, Time};
use crate::plan::Plan;
use crate::race::projection::project_sequential;
use crate::race::rounds::{clamp_rounds, rotated, Spread, WarmUp};
use crate::steps::errors::StepError;
use futures::future::{join_all, select, Either, LocalBoxFuture};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;

/// Browsers open at most this many HTTP/1.1 connections to one origin; more requests
/// wait inside the browser, where no page can see them.
pub const BROWSER_CONNECTIONS_PER_ORIGIN: usize = 6;

/// Where the steps run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Venue {
    /// On the simulator: every mode at the same time, once, exactly as predicted.
    Simulated,
    /// Against real endpoints: a warm-up, then one mode after another, in rounds.
    Live {
        /// Show the sequential lane from the measured step times instead of running it.
        project_sequential: bool,
        /// How many times each mode runs (kept within 1 and
        /// [`MAX_ROUNDS`](crate::race::rounds::MAX_ROUNDS)).
        rounds: usize,
    },
}

/// What a race session is asked to do.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// The modes to race, in lane order.
    pub modes: Vec<Mode>,
    /// At most this many steps at once in each lane; `None` for no limit.
    pub limit: Option<usize>,
    pub policy: Policy,
    pub venue: Venue,
}

/// Something that happened in a race, for the page to draw.
#[derive(Clone, Debug, PartialEq)]
pub enum RaceChange {
    /// Warm-up requests were sent, one per endpoint (their spans still pending).
    WarmingUp(Vec<WarmUp>),
    /// One warm-up request is over.
    WarmedUp(WarmUp),
    /// A live round began; its modes run in this order.
    RoundStarted { round: usize, order: Vec<Mode> },
    /// A lane's run began at `origin` on the session's clock.
    LaneStarted { mode: Mode, origin: Time },
    /// A span was queued, started, got its first byte, or ended.
    Span { mode: Mode, span: Span },
    /// A lane's run is over; its trace replaces every span reported for it.
    LaneFinished(Trace),
    /// The sequential lane of the round, projected from measured times, not run.
    Projected(Trace),
    /// The round is over: `complete` unless Cancel cut it short.
    RoundEnded { round: usize, complete: bool },
    /// One line about a live lane: its time, attempts, retries and failures.
    Summary(String),
    /// Something the person should know about the run as a whole (a crowded origin).
    Note(String),
    /// The session is over: nothing more will change.
    Ended,
}

/// A step runner that can say more about a whole lane than about one step: how long
/// requests waited inside the browser, and which origin had more requests in flight
/// than the browser has connections for. The simulator knows neither.
pub trait LaneRunner: StepRunner {
    /// Marks on a finished lane's trace how long each request waited in the browser
    /// for a connection; returns how many requests it could see.
    fn settle(&self, trace: &mut Trace) -> impl Future<Output = usize> {
        let _ = trace;
        std::future::ready(0)
    }

    /// The origin that had the most requests in flight at once, beyond the browser's
    /// connections per origin, and how many it had.
    fn crowded_origin(&self) -> Option<(String, usize)> {
        None
    }
}

/// The endpoint a step's requests go to, in words, or `None` for a step that does not
/// reach the network (a network runner sends exactly the LLM steps whose provider is
/// not the simulator, and the HTTP steps). Warm-ups go one to each endpoint.
pub fn endpoint_of(step: &Step) -> Option<String> {
    match &step.kind {
        StepKind::Llm(llm) if llm.provider != "simulator" => {
            Some(format!("{} · {}", llm.provider, llm.model))
        }
        StepKind::Http(http) => {
            let url = http.url.trim();
            let url = url.split_once('?').map_or(url, |(path, _)| path);
            Some(format!("{} {url}", http.method.to_ascii_uppercase()))
        }
        _ => None,
    }
}

/// A race of one plan in several modes, over one runner and one clock.
pub struct Session<'a, R, C> {
    pub plan: &'a Plan,
    pub runner: &'a R,
    pub clock: &'a C,
    pub options: SessionOptions,
}

/// [`LaneRunner`] seen through an object-safe view, so that the session's code exists
/// once in the page's wasm, not once per runner and clock.
trait AnyLaneRunner {
    fn step_runner(&self) -> &dyn AnyRunner;
    fn settle_boxed<'s>(&'s self, trace: &'s mut Trace) -> LocalBoxFuture<'s, usize>;
    fn crowded(&self) -> Option<(String, usize)>;
}

impl<R: LaneRunner> AnyLaneRunner for R {
    fn step_runner(&self) -> &dyn AnyRunner {
        self
    }
    fn settle_boxed<'s>(&'s self, trace: &'s mut Trace) -> LocalBoxFuture<'s, usize> {
        Box::pin(self.settle(trace))
    }
    fn crowded(&self) -> Option<(String, usize)> {
        self.crowded_origin()
    }
}

impl<R: LaneRunner, C: Clock> Session<'_, R, C> {
    /// Runs the race to its end (or its cancel), reporting every change to `report`,
    /// [`RaceChange::Ended`] last. Returns the traces of the lanes that ran, in the
    /// order they finished.
    pub async fn run(&self, report: &dyn Fn(RaceChange)) -> Vec<Trace> {
        Erased {
            plan: self.plan,
            runner: self.runner,
            clock: self.clock,
            options: &self.options,
        }
        .run(report)
        .await
    }
}

/// A [`Session`] over erased runner and clock.
struct Erased<'a> {
    plan: &'a Plan,
    runner: &'a dyn AnyLaneRunner,
    clock: &'a dyn AnyClock,
    options: &'a SessionOptions,
}

impl Erased<'_> {
    async fn run(&self, report: &dyn Fn(RaceChange)) -> Vec<Trace> {
        let traces = match self.options.venue {
            Venue::Simulated => {
                let lanes = self.options.modes.iter().map(|&m| self.lane(m, report));
                join_all(lanes).await.into_iter().map(|(t, _)| t).collect()
            }
            Venue::Live {
                project_sequential,
                rounds,
            } => {
                self.live(project_sequential, clamp_rounds(rounds), report)
                    .await
            }
        };
        report(RaceChange::Ended);
        traces
    }

    async fn live(&self, project: bool, rounds: usize, report: &dyn Fn(RaceChange)) -> Vec<Trace> {
        let modes = &self.options.modes;
        let project = project && modes.len() > 1 && modes.contains(&Mode::Sequential);
        let run: Vec<Mode> = modes
            .iter()
            .copied()
            .filter(|&m| !(project && m == Mode::Sequential))
            .collect();
        let cancel = &self.options.policy.cancel;
        self.warm_up(report).await;
        let mut traces = Vec::new();
        // Every lane run, and whether its round finished.
        let mut runs: Vec<(Trace, bool)> = Vec::new();
        let mut browser_waits = 0;
        let mut finished = 0;
        for round in 0..rounds {
            if cancel.is_cancelled() {
                break;
            }
            let order = rotated(&run, round);
            report(RaceChange::RoundStarted {
                round,
                order: order.clone(),
            });
            let mut this_round = Vec::new();
            for &mode in &order {
                if cancel.is_cancelled() {
                    break;
                }
                let (trace, seen) = self.lane(mode, report).await;
                browser_waits += seen;
                this_round.push(trace);
            }
            let complete = !cancel.is_cancelled();
            if project && complete {
                let measured: Vec<&Trace> = this_round.iter().collect();
                report(RaceChange::Projected(project_sequential(
                    self.plan, &measured,
                )));
            }
            report(RaceChange::RoundEnded { round, complete });
            finished += usize::from(complete);
            runs.extend(this_round.iter().cloned().map(|t| (t, complete)));
            traces.extend(this_round);
        }
        for &mode in &run {
            let complete: Vec<&Trace> = runs
                .iter()
                .filter(|(t, c)| *c && t.mode == mode)
                .map(|(t, _)| t)
                .collect();
            let all: Vec<&Trace> = runs
                .iter()
                .filter(|(t, _)| t.mode == mode)
                .map(|(t, _)| t)
                .collect();
            // A mode with no finished round still says what its cut-short run met.
            let counted = if complete.is_empty() { &all } else { &complete };
            if !counted.is_empty() {
                report(RaceChange::Summary(summarize_rounds(counted, &all)));
            }
        }
        if project && finished > 0 {
            let projected: Vec<Time> = runs
                .chunks(run.len().max(1))
                .filter(|round| round.iter().all(|(_, c)| *c))
                .map(|round| {
                    let measured: Vec<&Trace> = round.iter().map(|(t, _)| t).collect();
                    project_sequential(self.plan, &measured).makespan()
                })
                .collect();
            if let Some(spread) = Spread::of(&projected) {
                report(RaceChange::Summary(format!(
                    "sequential (projected from the measured times, not run): {}",
                    spread_words(&spread)
                )));
            }
        }
        if cancel.is_cancelled() && rounds > 1 {
            report(RaceChange::Summary(format!(
                "Cancelled in round {} of {rounds}: the figures are those of the {finished} round{} that finished.",
                finished + 1,
                if finished == 1 { "" } else { "s" },
            )));
        }
        if let Some((origin, peak)) = self.runner.crowded() {
            report(RaceChange::Note(crowded_origin_note(
                &origin,
                peak,
                browser_waits > 0,
            )));
        }
        traces
    }

    /// Sends one request to each endpoint the plan's steps reach, all at once, and
    /// waits for their answers (or the time-out, or Cancel). A failed warm-up is shown
    /// and the race goes on: its steps will say what is wrong.
    async fn warm_up(&self, report: &dyn Fn(RaceChange)) {
        let plan = self.plan;
        let mut endpoints: Vec<(String, usize)> = Vec::new();
        for &i in plan.order() {
            if let Some(endpoint) = endpoint_of(plan.step(i)) {
                if !endpoints.iter().any(|(e, _)| *e == endpoint) {
                    endpoints.push((endpoint, i));
                }
            }
        }
        if endpoints.is_empty() {
            return;
        }
        // The inputs a warm-up sends are the simulator's outputs: a request of the
        // real shape, whatever the real steps will answer.
        let mut outputs: Vec<String> = vec![String::new(); plan.len()];
        for &i in plan.order() {
            let inputs = self.inputs_of(i, &outputs);
            outputs[i] = simulated_output(plan.step(i), &inputs);
        }
        let now = self.clock.now();
        let pending = |i: usize| Span {
            step: plan.step(i).id.clone(),
            index: i,
            attempt: 0,
            ready: now,
            queued: now,
            started: Some(now),
            sent: None,
            first_byte: None,
            ended: None,
            outcome: Outcome::Pending,
            output: None,
        };
        report(RaceChange::WarmingUp(
            endpoints
                .iter()
                .map(|(endpoint, i)| WarmUp {
                    endpoint: endpoint.clone(),
                    span: pending(*i),
                })
                .collect(),
        ));
        let requests = endpoints.iter().map(|(endpoint, i)| {
            let (endpoint, i, outputs) = (endpoint.clone(), *i, &outputs);
            async move {
                let mut span = pending(i);
                let request = StepRequest {
                    step: plan.step(i),
                    attempt: 0,
                    seed: plan.chain().seed,
                    inputs: self.inputs_of(i, outputs),
                    missing: Vec::new(),
                };
                let result = self
                    .bounded(self.runner.step_runner().run_boxed(request))
                    .await;
                span.ended = Some(self.clock.now());
                span.outcome = match result.as_ref().map(|r| &r.output) {
                    Ok(Ok(_)) => Outcome::Done,
                    Ok(Err(error)) | Err(error) => Outcome::Failed {
                        error: error.to_string(),
                    },
                };
                span.first_byte = result.ok().and_then(|r| r.first_byte);
                WarmUp { endpoint, span }
            }
        });
        let warm_ups = join_all(requests).await;
        // The runner pairs its requests with the browser's timings after each lane:
        // the warm-ups' are settled here, so that no lane takes them for its own.
        let mut trace = Trace {
            mode: Mode::Eager,
            origin: now,
            spans: warm_ups.iter().map(|w| w.span.clone()).collect(),
        };
        self.runner.settle_boxed(&mut trace).await;
        for (mut warm_up, span) in warm_ups.into_iter().zip(trace.spans) {
            warm_up.span = span;
            report(RaceChange::WarmedUp(warm_up));
        }
    }

    /// Step `i`'s inputs from `outputs`, in the order the step lists them.
    fn inputs_of(&self, i: usize, outputs: &[String]) -> Vec<(StepId, String)> {
        self.plan
            .inputs(i)
            .iter()
            .map(|&p| (self.plan.step(p).id.clone(), outputs[p].clone()))
            .collect()
    }

    /// `work`, given up at the policy's time-out or at Cancel.
    async fn bounded<T>(&self, work: impl Future<Output = T>) -> Result<T, StepError> {
        let policy = &self.options.policy;
        let timeout = async {
            match policy.timeout_ms {
                Some(ms) => {
                    self.clock.sleep_boxed(ms).await;
                    StepError::TimedOut { after_ms: ms }
                }
                None => std::future::pending().await,
            }
        };
        let stop = async {
            match select(pin!(timeout), pin!(policy.cancel.cancelled())).await {
                Either::Left((error, _)) => error,
                Either::Right(_) => StepError::Cancelled,
            }
        };
        match select(pin!(work), pin!(stop)).await {
            Either::Left((done, _)) => Ok(done),
            Either::Right((error, _)) => Err(error),
        }
    }

    /// Runs one lane; returns its trace and how many of its requests the browser's
    /// timings could be paired with.
    async fn lane(&self, mode: Mode, report: &dyn Fn(RaceChange)) -> (Trace, usize) {
        report(RaceChange::LaneStarted {
            mode,
            origin: self.clock.now(),
        });
        let observe = |span: &Span| {
            report(RaceChange::Span {
                mode,
                span: span.clone(),
            });
        };
        let options = RunOptions {
            mode,
            limit: self.options.limit,
        };
        let policy = &self.options.policy;
        let mut trace = run_erased(
            self.plan,
            options,
            policy,
            self.runner.step_runner(),
            self.clock,
            &observe,
        )
        .await;
        let seen = self.runner.settle_boxed(&mut trace).await;
        report(RaceChange::LaneFinished(trace.clone()));
        (trace, seen)
    }
}

/// A mode's makespans in words: one round's, or the median, min and max of several.
pub fn spread_words(spread: &Spread) -> String {
    if spread.rounds == 1 {
        format!("{} ms", spread.median.round())
    } else {
        format!(
            "{} ms median of {} rounds (min {}, max {})",
            spread.median.round(),
            spread.rounds,
            spread.min.round(),
            spread.max.round()
        )
    }
}

/// What a mode's live runs met, in one line: the makespans of `counted` (the rounds
/// that finished, or the cut-short run when none did), and the attempts, retries,
/// failures and cancels of `all` its runs.
pub fn summarize_rounds(counted: &[&Trace], all: &[&Trace]) -> String {
    let makespans: Vec<Time> = counted.iter().map(|t| t.makespan()).collect();
    let time = Spread::of(&makespans)
        .map(|s| spread_words(&s))
        .unwrap_or_default();
    let mode = all.first().map_or(Mode::Eager, |t| t.mode);
    summary_line(mode, &time, all)
}

/// What a live lane met, in one line: its time, its attempts and retries, why steps
/// failed, and how many were cancelled.
pub fn summarize(trace: &Trace) -> String {
    let time = format!("{} ms", trace.makespan().round());
    summary_line(trace.mode, &time, &[trace])
}

fn summary_line(mode: Mode, time: &str, runs: &[&Trace]) -> String {
    let spans = || runs.iter().flat_map(|t| t.spans.iter());
    let retries = spans().filter(|s| s.attempt > 0).count();
    // Only a step's last attempt in a run says how it ended.
    let last_attempts = runs.iter().flat_map(|trace| {
        trace.spans.iter().filter(|s| {
            !trace
                .spans
                .iter()
                .any(|o| o.index == s.index && o.attempt > s.attempt)
        })
    });
    let mut failures = Vec::new();
    let mut cancelled = Vec::new();
    for span in last_attempts {
        match &span.outcome {
            Outcome::Failed { error } => failures.push(format!("{}: {error}", span.step)),
            Outcome::Cancelled { reason } => cancelled.push(reason.as_str()),
            _ => {}
        }
    }
    let failed = failures.len();
    failures.dedup();
    failures.truncate(3);
    let mut line = format!(
        "{}: {time}, {} attempts ({retries} retried), {failed} failed",
        mode.name(),
        spans().count(),
    );
    if let Some(reason) = cancelled.first() {
        line.push_str(&format!(", {} cancelled ({reason})", cancelled.len()));
    }
    for failure in failures {
        line.push_str(" · ");
        line.push_str(&failure);
    }
    line
}

/// The note for an origin that had `peak` requests in flight at once, more than the
/// browser's connections; `seen` when the browser's timings showed where each wait
/// ended.
pub fn crowded_origin_note(origin: &str, peak: usize, seen: bool) -> String {
    let shown = if seen {
        "the others waited inside the browser for a free connection, drawn as \
         \"queued in the browser\" on their bars"
    } else {
        "the others waited inside the browser, and their bars include that wait \
         (this server does not send Timing-Allow-Origin, so the page cannot see \
         where the wait ends)"
    };
    format!(
        "{peak} requests to {origin} were in flight at once, but over HTTP/1.1 a \
         browser opens at most {BROWSER_CONNECTIONS_PER_ORIGIN} connections per \
         origin: {shown}. An HTTP/2 endpoint, or a concurrency limit of \
         {BROWSER_CONNECTIONS_PER_ORIGIN}, avoids it."
    )
}

/// Requests in flight per origin, and the most at once: how a runner finds the
/// crowded origin. A request counts from [`Connections::enter`] until its guard drops.
#[derive(Debug, Default)]
pub struct Connections {
    /// By origin: in flight now, and the most at once.
    origins: RefCell<HashMap<String, (usize, usize)>>,
}

/// Counts one request in flight for as long as it lives.
pub struct InFlight<'a> {
    connections: &'a Connections,
    origin: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(count) = self.connections.origins.borrow_mut().get_mut(&self.origin) {
            count.0 = count.0.saturating_sub(1);
        }
    }
}

impl Connections {
    pub fn enter(&self, url: &str) -> InFlight<'_> {
        let origin = crate::steps::wire::origin_of(url).to_string();
        let mut origins = self.origins.borrow_mut();
        let count = origins.entry(origin.clone()).or_insert((0, 0));
        count.0 += 1;
        count.1 = count.1.max(count.0);
        InFlight {
            connections: self,
            origin,
        }
    }

    /// The origin that had more requests in flight than the browser has connections
    /// for, and how many it had.
    pub fn crowded(&self) -> Option<(String, usize)> {
        self.origins
            .borrow()
            .iter()
            .map(|(origin, &(_, peak))| (origin.clone(), peak))
            .filter(|&(_, peak)| peak > BROWSER_CONNECTIONS_PER_ORIGIN)
            .max_by_key(|&(_, peak)| peak)
    }
}
