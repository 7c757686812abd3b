//! One race session: the chosen modes run over any [`StepRunner`] and [`Clock`], the
//! same code path for the simulator and for live runs.
//!
//! The session decides what a fair race is. On the simulator the modes run at the same
//! time (they share nothing). Live, they run one after another, so that they do not
//! compete for the browser's connections or the provider's rate limit, and the
//! sequential lane may be projected from the measured step times instead of calling
//! every endpoint again one at a time. The session reports what happens as typed
//! [`RaceChange`]s; a page applies them to its [`Race`](crate::Race) however often it
//! draws.

use crate::engine::clock::Clock;
use crate::engine::policy::Policy;
use crate::engine::schedule::{run_with, RunOptions, StepRunner};
use crate::engine::trace::{Outcome, Span, Trace};
use crate::model::{Mode, Time};
use crate::plan::Plan;
use crate::race::projection::project_sequential;
use futures::future::join_all;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;

/// Browsers open at most this many HTTP/1.1 connections to one origin; more requests
/// wait inside the browser, where no page can see them.
pub const BROWSER_CONNECTIONS_PER_ORIGIN: usize = 6;

/// Where the steps run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Venue {
    /// On the simulator: every mode at the same time, exactly as predicted.
    Simulated,
    /// Against real endpoints: one mode after another, with a line per lane.
    Live {
        /// Show the sequential lane from the measured step times instead of running it.
        project_sequential: bool,
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
    /// A lane's run began at `origin` on the session's clock.
    LaneStarted { mode: Mode, origin: Time },
    /// A span was queued, started, got its first byte, or ended.
    Span { mode: Mode, span: Span },
    /// A lane's run is over; its trace replaces every span reported for it.
    LaneFinished(Trace),
    /// The sequential lane, projected from measured times, not run.
    Projected(Trace),
    /// One line about a live lane: its time, attempts, retries and failures.
    Summary(String),
    /// Something the person should know about the run as a whole (a crowded origin).
    Note(String),
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

/// A race of one plan in several modes, over one runner and one clock.
pub struct Session<'a, R, C> {
    pub plan: &'a Plan,
    pub runner: &'a R,
    pub clock: &'a C,
    pub options: SessionOptions,
}

impl<R: LaneRunner, C: Clock> Session<'_, R, C> {
    /// Runs the race to its end (or its cancel), reporting every change to `report`.
    /// Returns the traces of the lanes that ran, in the order they finished.
    pub async fn run(&self, report: &dyn Fn(RaceChange)) -> Vec<Trace> {
        match self.options.venue {
            Venue::Simulated => {
                let lanes = self.options.modes.iter().map(|&m| self.lane(m, report));
                join_all(lanes).await.into_iter().map(|(t, _)| t).collect()
            }
            Venue::Live { project_sequential } => self.live(project_sequential, report).await,
        }
    }

    async fn live(&self, project: bool, report: &dyn Fn(RaceChange)) -> Vec<Trace> {
        let modes = &self.options.modes;
        let project = project && modes.len() > 1 && modes.contains(&Mode::Sequential);
        let cancel = &self.options.policy.cancel;
        let mut traces = Vec::new();
        let mut browser_waits = 0;
        for &mode in modes
            .iter()
            .filter(|&&m| !(project && m == Mode::Sequential))
        {
            if cancel.is_cancelled() {
                break;
            }
            let (trace, seen) = self.lane(mode, report).await;
            browser_waits += seen;
            report(RaceChange::Summary(summarize(&trace)));
            traces.push(trace);
        }
        // A cancelled run measured nothing worth projecting.
        if let (true, false, Some(measured)) = (project, cancel.is_cancelled(), traces.last()) {
            let projected = project_sequential(self.plan, measured);
            report(RaceChange::Summary(format!(
                "sequential (projected from the measured times, not run): {} ms",
                projected.makespan().round()
            )));
            report(RaceChange::Projected(projected));
        }
        if let Some((origin, peak)) = self.runner.crowded_origin() {
            report(RaceChange::Note(crowded_origin_note(
                &origin,
                peak,
                browser_waits > 0,
            )));
        }
        traces
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
        let mut trace = run_with(
            self.plan,
            options,
            policy,
            self.runner,
            self.clock,
            &observe,
        )
        .await;
        let seen = self.runner.settle(&mut trace).await;
        report(RaceChange::LaneFinished(trace.clone()));
        (trace, seen)
    }
}

/// What a live lane met, in one line: its time, its attempts and retries, why steps
/// failed, and how many were cancelled.
pub fn summarize(trace: &Trace) -> String {
    let retries = trace.spans.iter().filter(|s| s.attempt > 0).count();
    // Only a step's last attempt says how it ended.
    let last_attempts = trace.spans.iter().filter(|s| {
        !trace
            .spans
            .iter()
            .any(|o| o.index == s.index && o.attempt > s.attempt)
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
    failures.truncate(3);
    let mut line = format!(
        "{}: {} ms, {} attempts ({retries} retried), {failed} failed",
        trace.mode.name(),
        trace.makespan().round(),
        trace.spans.len(),
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
