//! A race: the same plan run in several modes at once, drawn on one time axis.
//! This is the state the page renders; the page only feeds it spans and the time.

use crate::plan::Plan;
use crate::trace::{Outcome, Span, Time, Trace};
use crate::Mode;

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub mode: Mode,
    /// When this mode's run began, on the page's clock; `None` before a run.
    pub origin: Option<Time>,
    /// The latest span of each step, by step index.
    pub spans: Vec<Option<Span>>,
    /// Makespan, once the run is over.
    pub makespan: Option<Time>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Race {
    pub lanes: Vec<Lane>,
    /// The engine's predicted makespan for each lane, same order.
    pub predicted: Vec<Time>,
}

impl Race {
    pub fn new(plan: &Plan, modes: &[Mode]) -> Self {
        Self {
            lanes: modes
                .iter()
                .map(|&mode| Lane {
                    mode,
                    origin: None,
                    spans: vec![None; plan.len()],
                    makespan: None,
                })
                .collect(),
            predicted: modes
                .iter()
                .map(|&m| plan.predicted_makespan(m) as Time)
                .collect(),
        }
    }

    pub fn lane(&self, mode: Mode) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.mode == mode)
    }

    pub fn start(&mut self, mode: Mode, origin: Time) {
        if let Some(lane) = self.lanes.iter_mut().find(|l| l.mode == mode) {
            lane.origin = Some(origin);
            lane.spans.iter_mut().for_each(|s| *s = None);
            lane.makespan = None;
        }
    }

    pub fn record(&mut self, mode: Mode, span: &Span) {
        if let Some(lane) = self.lanes.iter_mut().find(|l| l.mode == mode) {
            if let Some(slot) = lane.spans.get_mut(span.index) {
                *slot = Some(span.clone());
            }
        }
    }

    pub fn finish(&mut self, trace: &Trace) {
        if let Some(lane) = self.lanes.iter_mut().find(|l| l.mode == trace.mode) {
            lane.origin = Some(trace.origin);
            for span in &trace.spans {
                if let Some(slot) = lane.spans.get_mut(span.index) {
                    *slot = Some(span.clone());
                }
            }
            lane.makespan = Some(trace.makespan());
        }
    }

    pub fn is_running(&self) -> bool {
        self.lanes
            .iter()
            .any(|l| l.origin.is_some() && l.makespan.is_none())
    }

    /// The length of the shared time axis: long enough for every prediction and every
    /// measurement, so bars keep their scale while a run grows.
    pub fn axis_ms(&self, now: Time) -> Time {
        let measured = self
            .lanes
            .iter()
            .map(|l| l.makespan.unwrap_or_else(|| l.elapsed(now)));
        self.predicted
            .iter()
            .copied()
            .chain(measured)
            .fold(1.0, Time::max)
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// Ready, but the mode's barrier held it until its whole level could start.
    BarrierWait,
    /// Ready, but waiting for a slot under the concurrency limit.
    Queued,
    Running,
    Done,
    Failed,
}

impl SegmentKind {
    pub fn name(self) -> &'static str {
        match self {
            SegmentKind::BarrierWait => "barrier-wait",
            SegmentKind::Queued => "queued",
            SegmentKind::Running => "running",
            SegmentKind::Done => "done",
            SegmentKind::Failed => "failed",
        }
    }
}

/// A piece of a step's bar, in milliseconds from the run's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub kind: SegmentKind,
    pub start: Time,
    pub end: Time,
}

/// Waits shorter than this are timer jitter, not something to show.
const VISIBLE_WAIT_MS: Time = 1.0;

/// The pieces of a span's bar at time `now` (all relative to `origin`). Empty pieces
/// and waits too short to matter are left out.
pub fn segments(span: &Span, origin: Time, now: Time) -> Vec<Segment> {
    let at = |t: Time| t - origin;
    let until = |t: Option<Time>| at(t.unwrap_or(now).min(now).max(span.ready));
    let mut pieces = vec![
        Segment {
            kind: SegmentKind::BarrierWait,
            start: at(span.ready),
            end: at(span.queued),
        },
        Segment {
            kind: SegmentKind::Queued,
            start: at(span.queued),
            end: until(span.started),
        },
    ];
    if let Some(started) = span.started {
        let kind = match (&span.outcome, span.ended) {
            (Outcome::Failed { .. }, Some(_)) => SegmentKind::Failed,
            (_, Some(_)) => SegmentKind::Done,
            (_, None) => SegmentKind::Running,
        };
        pieces.push(Segment {
            kind,
            start: at(started),
            end: until(span.ended),
        });
    }
    pieces.retain(|p| match p.kind {
        SegmentKind::BarrierWait | SegmentKind::Queued => p.end - p.start >= VISIBLE_WAIT_MS,
        _ => p.end > p.start,
    });
    pieces
}

/// Evenly spaced, round tick marks (1, 2 or 5 times a power of ten) from 0 to `axis_ms`.
pub fn ticks(axis_ms: Time, at_most: usize) -> Vec<Time> {
    if axis_ms <= 0.0 || at_most == 0 {
        return vec![0.0];
    }
    let rough = axis_ms / at_most as f64;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power);
    (0..)
        .map(|i| i as f64 * step)
        .take_while(|&t| t <= axis_ms + 1e-9)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{gallery, simulate, RunOptions};

    #[test]
    fn ticks_are_round_and_cover_the_axis() {
        assert_eq!(ticks(900.0, 5), vec![0.0, 200.0, 400.0, 600.0, 800.0]);
        assert_eq!(
            ticks(2500.0, 6),
            vec![0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0]
        );
        assert_eq!(ticks(0.0, 5), vec![0.0]);
    }

    #[test]
    fn a_staged_step_shows_its_barrier_wait() {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let trace = simulate(&plan, RunOptions::unlimited(Mode::Staged));
        let d = trace
            .spans
            .iter()
            .find(|s| s.step.as_str() == "d")
            .expect("d ran");
        let kinds: Vec<_> = segments(d, trace.origin, 10_000.0)
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
    fn a_running_step_grows_with_the_clock() {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let trace = simulate(&plan, RunOptions::unlimited(Mode::Eager));
        let mut b = trace.spans[1].clone();
        b.ended = None;
        b.outcome = Outcome::Pending;
        let pieces = segments(&b, trace.origin, 120.0);
        assert_eq!(pieces.len(), 1);
        assert_eq!(
            (pieces[0].kind, pieces[0].end),
            (SegmentKind::Running, 120.0)
        );
    }

    #[test]
    fn the_race_names_a_winner_and_speedups() {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let mut race = Race::new(&plan, &Mode::ALL);
        for mode in Mode::ALL {
            race.finish(&simulate(&plan, RunOptions::unlimited(mode)));
        }
        assert_eq!(race.winner(), Some(Mode::Eager));
        assert_eq!(race.speedup(Mode::Eager), Some(1.8));
        assert!(!race.is_running());
        assert_eq!(race.axis_ms(0.0), 900.0);
    }
}
