//! A race: the same plan run in several modes at once, drawn on one time axis.
//! This is the state the page renders; the page only feeds it spans and the time.
//!
//! A race keeps its own copy of the plan, so a recorded race still replays (labels,
//! critical path, predictions) after the chain on the page has been edited.
//!
//! Times handed to the drawing functions (`t`) are milliseconds since the lane's own
//! run began: every lane starts at 0 on the shared axis.

use crate::engine::trace::{Span, Trace};
use crate::model::{Millis, Mode, Time};
use crate::plan::Plan;
use crate::race::rounds::{median_at, median_steps, Round, Shown, Spread, Standing, WarmUp};
use crate::{simulate, RunOptions};

pub mod projection;
pub mod resource_timing;
pub mod rounds;
pub mod session;

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub mode: Mode,
    /// When this mode's run began, on the page's clock; `None` before a run.
    pub origin: Option<Time>,
    /// Every attempt of each step, by step index, in attempt order.
    pub attempts: Vec<Vec<Span>>,
    /// Makespan, once the run is over.
    pub makespan: Option<Time>,
    /// Projected from measured step times, not run (a live race's sequential lane).
    pub projected: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Race {
    pub plan: Plan,
    pub lanes: Vec<Lane>,
    /// The engine's predicted makespan for each lane, same order. A live race has
    /// none until it is over: then they come from the measured step times, since the
    /// simulator's latencies predict nothing about real endpoints.
    pub predicted: Vec<Time>,
    /// The concurrency limit the race ran under; `None` for no limit.
    pub limit: Option<usize>,
    /// It measures real endpoints.
    pub live: bool,
    /// Every round so far (a simulated race has one).
    pub rounds: Vec<Round>,
    /// The rounds a live race was asked for.
    pub planned_rounds: usize,
    /// Which round the lanes show, once the race is over.
    pub shown: Shown,
    /// The warm-up requests of a live race, one per endpoint: shown, never counted.
    pub warm_ups: Vec<WarmUp>,
    /// The session has not reported its end yet (a live race between its lanes).
    pub pending: bool,
    /// The plan with each step's latency set to its median measured time, once a
    /// live race is over: what its predictions, ideal and bound come from.
    pub measured: Option<Plan>,
}

impl Race {
    /// The race the engine predicts: every mode run to the end on the simulator, in
    /// virtual time.
    pub fn simulated(plan: &Plan, modes: &[Mode]) -> Self {
        let mut race = Self::new(plan, modes);
        for &mode in modes {
            race.finish(&simulate(plan, RunOptions::unlimited(mode)));
        }
        race.end();
        race
    }

    /// A live race of `rounds` rounds: lanes to fill, with no prediction until the
    /// steps' times are measured.
    pub fn live(plan: &Plan, modes: &[Mode], limit: Option<usize>, rounds: usize) -> Self {
        Self {
            predicted: Vec::new(),
            live: true,
            planned_rounds: rounds,
            pending: true,
            ..Self::with_limit(plan, modes, limit)
        }
    }

    /// The plan the race's predictions come from: the chain's simulated latencies,
    /// or live, the measured ones once there are some.
    pub fn prediction_plan(&self) -> Option<&Plan> {
        if self.live {
            self.measured.as_ref()
        } else {
            Some(&self.plan)
        }
    }

    pub fn new(plan: &Plan, modes: &[Mode]) -> Self {
        Self::with_limit(plan, modes, None)
    }

    pub fn with_limit(plan: &Plan, modes: &[Mode], limit: Option<usize>) -> Self {
        let predicted = Self::predictions(plan, modes, limit);
        Self {
            plan: plan.clone(),
            lanes: modes
                .iter()
                .map(|&mode| Lane {
                    mode,
                    origin: None,
                    attempts: vec![Vec::new(); plan.len()],
                    makespan: None,
                    projected: false,
                })
                .collect(),
            predicted,
            limit,
            live: false,
            rounds: Vec::new(),
            planned_rounds: 1,
            shown: Shown::Median,
            warm_ups: Vec::new(),
            pending: false,
            measured: None,
        }
    }

    /// Predicted makespans of `modes` on `plan`: exact with no limit, and under a
    /// limit the simulator in virtual time.
    fn predictions(plan: &Plan, modes: &[Mode], limit: Option<usize>) -> Vec<Time> {
        modes
            .iter()
            .map(|&mode| match limit {
                None => plan.predicted_makespan(mode) as Time,
                Some(_) => simulate(plan, RunOptions { mode, limit }).makespan(),
            })
            .collect()
    }

    pub fn lane(&self, mode: Mode) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.mode == mode)
    }

    fn lane_mut(&mut self, mode: Mode) -> Option<&mut Lane> {
        self.lanes.iter_mut().find(|l| l.mode == mode)
    }

    pub fn modes(&self) -> Vec<Mode> {
        self.lanes.iter().map(|l| l.mode).collect()
    }

    pub fn predicted(&self, mode: Mode) -> Option<Time> {
        let at = self.lanes.iter().position(|l| l.mode == mode)?;
        self.predicted.get(at).copied()
    }

    pub fn start(&mut self, mode: Mode, origin: Time) {
        if let Some(lane) = self.lane_mut(mode) {
            lane.origin = Some(origin);
            lane.attempts.iter_mut().for_each(Vec::clear);
            lane.makespan = None;
        }
    }

    /// Takes in a span as it changes: a new attempt is added, a known one replaced.
    pub fn record(&mut self, mode: Mode, span: &Span) {
        let Some(attempts) = self
            .lane_mut(mode)
            .and_then(|lane| lane.attempts.get_mut(span.index))
        else {
            return;
        };
        match attempts.iter_mut().find(|a| a.attempt == span.attempt) {
            Some(known) => *known = span.clone(),
            None => {
                attempts.push(span.clone());
                crate::sort::sort_by_key(attempts, |a| a.attempt);
            }
        }
    }

    /// Takes in a lane's finished run: drawn, and kept in the current round.
    pub fn finish(&mut self, trace: &Trace) {
        self.draw(trace);
        if self.rounds.is_empty() {
            self.begin_round(self.modes());
        }
        if let Some(round) = self.rounds.last_mut() {
            round.traces.retain(|t| t.mode != trace.mode);
            round.traces.push(trace.clone());
            round
                .traces
                .sort_by_key(|t| Mode::ALL.iter().position(|&m| m == t.mode));
        }
    }

    /// Draws `trace` on its lane, replacing what the lane showed.
    fn draw(&mut self, trace: &Trace) {
        if let Some(lane) = self.lane_mut(trace.mode) {
            lane.origin = Some(trace.origin);
            lane.attempts.iter_mut().for_each(Vec::clear);
        }
        for span in &trace.spans {
            self.record(trace.mode, span);
        }
        if let Some(lane) = self.lane_mut(trace.mode) {
            lane.makespan = Some(trace.makespan());
        }
    }

    /// Takes in a round's sequential lane, projected from measured times.
    pub fn finish_projected(&mut self, trace: &Trace) {
        if let Some(lane) = self.lane_mut(trace.mode) {
            lane.projected = true;
        }
        self.finish(trace);
    }

    /// A warm-up request is over: its span replaces the pending one.
    pub fn warmed_up(&mut self, done: &WarmUp) {
        match self
            .warm_ups
            .iter_mut()
            .find(|w| w.endpoint == done.endpoint)
        {
            Some(known) => *known = done.clone(),
            None => self.warm_ups.push(done.clone()),
        }
    }

    /// A new round begins, its modes in `order`.
    pub fn begin_round(&mut self, order: Vec<Mode>) {
        self.rounds.push(Round {
            order,
            traces: Vec::new(),
            complete: false,
        });
    }

    /// The current round is over; it counts if `complete`.
    pub fn end_round(&mut self, complete: bool) {
        if let Some(round) = self.rounds.last_mut() {
            round.complete = complete;
        }
    }

    /// The session is over. A live race now predicts each mode from the steps'
    /// median measured times and shows each lane's median round.
    pub fn end(&mut self) {
        self.pending = false;
        if let Some(round) = self.rounds.last_mut() {
            // A simulated race (or a test's) reports no round of its own.
            if !self.live && round.traces.len() == self.lanes.len() {
                round.complete = true;
            }
        }
        if !self.live {
            return;
        }
        if let Some(measured) = self.measured_plan() {
            self.predicted = Self::predictions(&measured, &self.modes(), self.limit);
            self.measured = Some(measured);
        }
        self.show(Shown::Median);
    }

    /// Shows the median round on each lane, or one round on all of them. Only rounds
    /// that finished can be shown; with none, the lanes keep what they show.
    pub fn show(&mut self, shown: Shown) {
        let mut picks = Vec::new();
        for mode in self.modes() {
            let runs = self.runs(mode);
            let pick = match shown {
                Shown::Median => {
                    let makespans: Vec<Time> = runs.iter().map(|(_, t)| t.makespan()).collect();
                    median_at(&makespans).map(|at| runs[at].1)
                }
                Shown::Round(r) => runs.iter().find(|(at, _)| *at == r).map(|(_, t)| *t),
            };
            picks.extend(pick.cloned());
        }
        if picks.is_empty() {
            return;
        }
        self.shown = shown;
        for trace in &picks {
            self.draw(trace);
        }
    }

    /// The runs of `mode` in the rounds that finished, with their round (from 0).
    pub fn runs(&self, mode: Mode) -> Vec<(usize, &Trace)> {
        self.rounds
            .iter()
            .enumerate()
            .filter(|(_, r)| r.complete)
            .filter_map(|(at, r)| Some((at, r.trace(mode)?)))
            .collect()
    }

    /// The rounds that finished, by number (from 0).
    pub fn complete_rounds(&self) -> Vec<usize> {
        (0..self.rounds.len())
            .filter(|&at| self.rounds[at].complete)
            .collect()
    }

    /// The round `mode`'s lane shows, once the race is over.
    pub fn shown_round(&self, mode: Mode) -> Option<usize> {
        match self.shown {
            Shown::Round(r) => Some(r),
            Shown::Median => {
                let runs = self.runs(mode);
                let makespans: Vec<Time> = runs.iter().map(|(_, t)| t.makespan()).collect();
                median_at(&makespans).map(|at| runs[at].0)
            }
        }
    }

    /// `mode`'s makespans over the rounds that finished.
    pub fn spread(&self, mode: Mode) -> Option<Spread> {
        let makespans: Vec<Time> = self.runs(mode).iter().map(|(_, t)| t.makespan()).collect();
        Spread::of(&makespans)
    }

    /// How the modes of a finished live race stand, by their spreads.
    pub fn standing(&self) -> Option<Standing> {
        let spreads: Vec<(Mode, Spread)> = self
            .modes()
            .into_iter()
            .map(|m| Some((m, self.spread(m)?)))
            .collect::<Option<_>>()?;
        Standing::of(&spreads)
    }

    /// Each step's median measured time over every lane that ran (not projected) in
    /// the rounds that finished; `None` for a step that never started.
    pub fn step_times(&self) -> Vec<Option<Time>> {
        let measured: Vec<&Trace> = self
            .rounds
            .iter()
            .filter(|r| r.complete)
            .flat_map(|r| r.traces.iter())
            .filter(|t| !self.lane(t.mode).is_some_and(|l| l.projected))
            .collect();
        median_steps(&measured, self.plan.len())
            .into_iter()
            .map(|m| m.map(|(took, _)| took))
            .collect()
    }

    /// The plan with each step's latency set to its median measured time (a step
    /// that never started takes none); `None` before any round finished.
    fn measured_plan(&self) -> Option<Plan> {
        self.rounds.iter().any(|r| r.complete).then(|| {
            let times: Vec<Millis> = self
                .step_times()
                .iter()
                .map(|t| t.map_or(0, |t| t.round().max(0.0) as Millis))
                .collect();
            self.plan.with_latencies(&times)
        })
    }

    pub fn is_running(&self) -> bool {
        self.pending
            || self
                .lanes
                .iter()
                .any(|l| l.origin.is_some() && l.makespan.is_none())
    }

    /// When the slowest lane finished, once every lane has.
    pub fn end_ms(&self) -> Option<Time> {
        self.lanes
            .iter()
            .map(|l| l.makespan)
            .try_fold(0.0, |end: Time, m| Some(end.max(m?)))
    }

    /// The latest moment anything happened in any lane, relative to each lane's start:
    /// how far a recording reaches while its run is still going.
    pub fn recorded_ms(&self) -> Time {
        self.lanes
            .iter()
            .flat_map(|lane| {
                let origin = lane.origin.unwrap_or(0.0);
                lane.spans().flat_map(move |s| {
                    [
                        Some(s.ready),
                        Some(s.queued),
                        s.started,
                        s.first_byte,
                        s.ended,
                    ]
                    .into_iter()
                    .flatten()
                    .map(move |t| t - origin)
                })
            })
            .fold(0.0, Time::max)
    }

    /// Where a lane's times come from, for exports: `simulated`, `measured` (live, the
    /// round the lane shows) or `projected` (from measured step times, not run).
    pub fn source(&self, mode: Mode) -> &'static str {
        match (self.live, self.lane(mode).is_some_and(|l| l.projected)) {
            (_, true) => "projected",
            (true, false) => "measured",
            (false, false) => "simulated",
        }
    }

    /// What to add to a lane's name wherever it is written: a projected lane says it
    /// was not run, a live lane of several rounds which round it shows.
    pub fn lane_words(&self, mode: Mode) -> String {
        let round = (self.live && self.complete_rounds().len() > 1)
            .then(|| self.shown_round(mode))
            .flatten()
            .map(|r| match self.shown {
                Shown::Median => format!(", median round ({})", r + 1),
                Shown::Round(_) => format!(", round {}", r + 1),
            })
            .unwrap_or_default();
        if self.lane(mode).is_some_and(|l| l.projected) {
            format!(" (projected from measured step times, not run{round})")
        } else if round.is_empty() {
            String::new()
        } else {
            format!(" ({})", &round[2..])
        }
    }

    /// How many times faster than the sequential lane `mode` finished, once both did.
    pub fn speedup(&self, mode: Mode) -> Option<f64> {
        let sequential = self.lane(Mode::Sequential)?.makespan?;
        let own = self.lane(mode)?.makespan?;
        (own > 0.0).then(|| sequential / own)
    }

    /// The mode that finished first, once all have.
    pub fn winner(&self) -> Option<Mode> {
        let mut best: Option<(Mode, Time)> = None;
        for lane in &self.lanes {
            let makespan = lane.makespan?;
            if best.is_none_or(|(_, t)| makespan < t) {
                best = Some((lane.mode, makespan));
            }
        }
        best.map(|(mode, _)| mode)
    }

    /// The ideal: no schedule finishes before its critical path. Live, from the
    /// measured step times, and `None` until there are some: the simulated latencies
    /// say nothing about the real ones.
    pub fn critical_path_ms(&self) -> Option<Time> {
        self.prediction_plan()
            .map(|plan| plan.critical_path_ms() as Time)
    }

    /// No schedule under the race's concurrency limit can finish sooner than this;
    /// live, from measured times, as for the critical path.
    pub fn lower_bound_ms(&self) -> Option<Time> {
        self.prediction_plan()
            .map(|plan| plan.lower_bound(self.limit.unwrap_or(self.plan.len())))
    }

    /// Steps on the critical path, by index (live, by measured times once known).
    pub fn on_critical_path(&self) -> Vec<bool> {
        let mut on = vec![false; self.plan.len()];
        let plan = self.prediction_plan().unwrap_or(&self.plan);
        for i in plan.critical_path() {
            on[i] = true;
        }
        on
    }

    /// Time staged mode lost to its barriers: how much later than eager it finished.
    pub fn barrier_loss(&self) -> Option<Time> {
        Some(self.lane(Mode::Staged)?.makespan? - self.lane(Mode::Eager)?.makespan?)
    }

    /// The figures shown beside a lane.
    pub fn figures(&self, mode: Mode) -> Option<LaneFigures> {
        let lane = self.lane(mode)?;
        let trace = lane.makespan.and(lane.trace());
        Some(LaneFigures {
            makespan: lane.makespan,
            predicted: self.predicted(mode),
            speedup: self.speedup(mode),
            efficiency: trace.as_ref().map(Trace::parallel_efficiency),
            peak_concurrency: trace.as_ref().map(Trace::peak_concurrency),
            barrier_wait: trace.as_ref().map(Trace::barrier_wait),
            limit_wait: trace.as_ref().map(Trace::limit_wait),
            browser_wait: trace.as_ref().map(Trace::browser_wait),
        })
    }
}

/// The figures beside a lane; measured ones are `None` until the lane finished.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneFigures {
    pub makespan: Option<Time>,
    /// `None` for a live race.
    pub predicted: Option<Time>,
    pub speedup: Option<f64>,
    pub efficiency: Option<f64>,
    pub peak_concurrency: Option<usize>,
    pub barrier_wait: Option<Time>,
    pub limit_wait: Option<Time>,
    /// Time requests waited inside the browser, all steps together (live runs whose
    /// servers let the page read Resource Timing).
    pub browser_wait: Option<Time>,
}

impl Lane {
    /// Time since the run began, frozen at the makespan once it is over.
    pub fn elapsed(&self, now: Time) -> Time {
        match (self.makespan, self.origin) {
            (Some(makespan), _) => makespan,
            (None, Some(origin)) => (now - origin).max(0.0),
            (None, None) => 0.0,
        }
    }

    /// Every attempt of every step.
    pub fn spans(&self) -> impl Iterator<Item = &Span> {
        self.attempts.iter().flatten()
    }

    /// The latest attempt of step `i`.
    pub fn latest(&self, i: usize) -> Option<&Span> {
        self.attempts.get(i)?.last()
    }

    /// The lane as a trace (all attempts, in the order they were queued).
    pub fn trace(&self) -> Option<Trace> {
        let mut spans: Vec<Span> = self.spans().cloned().collect();
        crate::sort::sort_by(&mut spans, |a, b| {
            a.queued
                .total_cmp(&b.queued)
                .then(a.index.cmp(&b.index))
                .then(a.attempt.cmp(&b.attempt))
        });
        Some(Trace {
            mode: self.mode,
            origin: self.origin?,
            spans,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::gallery;
    use crate::engine::trace::Outcome;
    use crate::timeline::{segments, SegmentKind, StepState};
    use crate::{simulate, RunOptions};

    fn finished_race() -> Race {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        Race::simulated(&plan, &Mode::ALL)
    }

    #[test]
    fn a_staged_step_shows_its_barrier_wait() {
        let race = finished_race();
        let lane = race.lane(Mode::Staged).expect("staged lane");
        let d = race.plan.index_of(&crate::StepId::new("d")).expect("d");
        let kinds: Vec<_> = lane
            .bar(d, 10_000.0)
            .iter()
            .map(|s| (s.kind, s.start, s.end))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (SegmentKind::BarrierWait, 200.0, 500.0),
                (SegmentKind::Done, 500.0, 700.0)
            ]
        );
    }

    #[test]
    fn bars_are_cut_at_the_cursor() {
        let race = finished_race();
        let lane = race.lane(Mode::Staged).expect("staged lane");
        let d = race.plan.index_of(&crate::StepId::new("d")).expect("d");
        // Before d is ready there is nothing; then the wait grows; then d runs.
        assert!(lane.bar(d, 150.0).is_empty());
        let at_300: Vec<_> = lane.bar(d, 300.0).iter().map(|s| (s.kind, s.end)).collect();
        assert_eq!(at_300, vec![(SegmentKind::BarrierWait, 300.0)]);
        let at_600: Vec<_> = lane.bar(d, 600.0).iter().map(|s| (s.kind, s.end)).collect();
        assert_eq!(
            at_600,
            vec![
                (SegmentKind::BarrierWait, 500.0),
                (SegmentKind::Running, 600.0)
            ]
        );
    }

    #[test]
    fn a_bar_is_the_same_before_its_step_is_ready_and_after_it_ends() {
        let race = finished_race();
        let lane = race.lane(Mode::Staged).expect("staged lane");
        let d = race.plan.index_of(&crate::StepId::new("d")).expect("d");
        // D is ready at 200 ms and ends at 700 ms.
        for (a, b, same) in [
            (0.0, 150.0, true),
            (150.0, 250.0, false),
            (300.0, 600.0, false),
            (700.0, 900.0, true),
            (650.0, 900.0, false),
        ] {
            assert_eq!(lane.bar_same_at(d, a, b), same, "{a} and {b}");
            if same {
                assert_eq!(lane.bar(d, a), lane.bar(d, b));
            }
        }
        let mut running = race.clone();
        let mut span = lane.latest(d).cloned().expect("d ran");
        span.ended = None;
        running.record(Mode::Staged, &span);
        let lane = running.lane(Mode::Staged).expect("staged lane");
        assert!(!lane.bar_same_at(d, 800.0, 900.0), "a running bar grows");
        assert_ne!(
            lane.bar_key(d),
            race.lane(Mode::Staged).expect("lane").bar_key(d)
        );
    }

    #[test]
    fn the_state_at_a_moment_follows_the_run() {
        let race = finished_race();
        let names = |t| -> Vec<&str> {
            race.state_at(Mode::Staged, t)
                .iter()
                .map(|s| s.name())
                .collect()
        };
        // Steps a, b, c, d, e of "uneven branches".
        assert_eq!(
            names(100.0),
            ["done", "running", "running", "waiting", "waiting"]
        );
        assert_eq!(names(550.0), ["done", "done", "done", "running", "waiting"]);
        assert_eq!(names(10_000.0), ["done"; 5]);
    }

    #[test]
    fn streaming_and_retries_have_their_own_segments() {
        let span = |attempt, outcome| Span {
            step: crate::StepId::new("s"),
            index: 0,
            attempt,
            ready: 0.0,
            queued: 0.0,
            started: Some(10.0 + 100.0 * attempt as f64),
            sent: None,
            first_byte: Some(40.0 + 100.0 * attempt as f64),
            ended: Some(90.0 + 100.0 * attempt as f64),
            outcome,
            output: None,
        };
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let mut race = Race::new(&plan, &[Mode::Eager]);
        race.start(Mode::Eager, 0.0);
        let failed = Outcome::Failed {
            error: "HTTP 500".into(),
        };
        race.record(Mode::Eager, &span(0, failed));
        race.record(Mode::Eager, &span(1, Outcome::Pending));
        let lane = race.lane(Mode::Eager).expect("lane");
        let kinds = |t| -> Vec<_> { lane.bar(0, t).iter().map(|s| (s.kind, s.attempt)).collect() };
        assert_eq!(
            kinds(160.0),
            vec![
                (SegmentKind::Queued, 0),
                (SegmentKind::FirstByteWait, 0),
                (SegmentKind::Retried, 0),
                (SegmentKind::Queued, 1),
                (SegmentKind::FirstByteWait, 1),
                (SegmentKind::Streaming, 1),
            ]
        );
        assert_eq!(lane.state_at(0, 160.0), StepState::Streaming);
    }

    /// The first attempt of a network step, ready and handed over at 0 ms, with its
    /// times as (started, sent, first byte, ended).
    fn network_attempt(times: (Time, Option<Time>, Time, Time), outcome: Outcome) -> Span {
        let (started, sent, first_byte, ended) = times;
        Span {
            step: crate::StepId::new("s"),
            index: 0,
            attempt: 0,
            ready: 0.0,
            queued: 0.0,
            started: Some(started),
            sent,
            first_byte: Some(first_byte),
            ended: Some(ended),
            outcome,
            output: None,
        }
    }

    /// The pieces of `span`'s bar at `now`, as (kind, start, end).
    fn pieces(span: &Span, now: Time, retried: bool) -> Vec<(SegmentKind, Time, Time)> {
        segments(span, 0.0, now, retried)
            .iter()
            .map(|s| (s.kind, s.start, s.end))
            .collect()
    }

    #[test]
    fn a_failure_that_came_in_one_piece_still_shows() {
        // A 429 whose headers and body arrived together, 2 ms after the start.
        let failed = Outcome::Failed {
            error: "Rate-limited (429).".into(),
        };
        let span = network_attempt((10.0, None, 12.0, 12.0), failed);
        let kinds = pieces(&span, 100.0, true);
        assert_eq!(
            kinds,
            vec![
                (SegmentKind::Queued, 0.0, 10.0),
                (SegmentKind::Retried, 10.0, 12.0)
            ]
        );
    }

    #[test]
    fn a_browser_queue_and_a_cancel_have_their_own_segments() {
        let cancelled = Outcome::Cancelled {
            reason: "Cancel was pressed.".into(),
        };
        let span = network_attempt((0.0, Some(300.0), 350.0, 400.0), cancelled);
        let kinds = |now| pieces(&span, now, false);
        assert_eq!(
            kinds(1000.0),
            vec![
                (SegmentKind::BrowserQueue, 0.0, 300.0),
                (SegmentKind::FirstByteWait, 300.0, 350.0),
                (SegmentKind::Cancelled, 350.0, 400.0),
            ]
        );
        assert_eq!(kinds(200.0), vec![(SegmentKind::BrowserQueue, 0.0, 200.0)]);
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let mut race = Race::new(&plan, &[Mode::Eager]);
        race.start(Mode::Eager, 0.0);
        race.record(Mode::Eager, &span);
        let lane = race.lane(Mode::Eager).expect("lane");
        assert_eq!(lane.state_at(0, 200.0), StepState::Queued);
        assert_eq!(lane.state_at(0, 320.0), StepState::Running);
        assert_eq!(lane.state_at(0, 500.0), StepState::Cancelled);
    }

    #[test]
    fn the_race_names_a_winner_speedups_and_figures() {
        let race = finished_race();
        assert_eq!(race.winner(), Some(Mode::Eager));
        assert_eq!(race.speedup(Mode::Eager), Some(1.8));
        assert!(!race.is_running());
        assert_eq!(race.axis_ms(0.0), 940.0);
        assert_eq!(race.axis_ms(1000.0), 1100.0);
        assert_eq!(race.end_ms(), Some(900.0));
        assert_eq!(race.barrier_loss(), Some(200.0));
        assert_eq!(race.critical_path_ms(), Some(500.0));
        let staged = race.figures(Mode::Staged).expect("staged");
        assert_eq!(staged.makespan, Some(700.0));
        assert_eq!(staged.predicted, Some(700.0));
        assert_eq!(staged.barrier_wait, Some(300.0));
        // a, b, c, d, e: b and c then b and d overlap, so at most 2 at once.
        assert_eq!(staged.peak_concurrency, Some(2));
        let critical: Vec<_> = race
            .on_critical_path()
            .iter()
            .enumerate()
            .filter(|(_, &on)| on)
            .map(|(i, _)| race.plan.step(i).id.as_str().to_string())
            .collect();
        assert_eq!(critical, ["a", "b", "e"]);
    }

    #[test]
    fn the_request_is_rendered_with_the_inputs_outputs() {
        let plan = Plan::new(gallery::research_assistant()).expect("valid");
        let mut race = Race::new(&plan, &[Mode::Eager]);
        race.finish(&simulate(&plan, RunOptions::unlimited(Mode::Eager)));
        let last = plan.order()[plan.len() - 1];
        let text = race.request_text(Mode::Eager, last);
        assert!(!text.contains("{{"), "unfilled template in {text:?}");
        assert!(!text.is_empty());
    }
}
