//! What each step is doing at the timeline's cursor: the states the canvas lights up.

use crate::engine::trace::Outcome;
use crate::model::{Mode, Time};
use crate::race::{Lane, Race};

impl Race {
    /// What each step is doing at `t` in `mode`'s lane, by step index: what the graph
    /// on the canvas shows at the timeline's cursor.
    pub fn state_at(&self, mode: Mode, t: Time) -> Vec<StepState> {
        match self.lane(mode) {
            Some(lane) => (0..self.plan.len()).map(|i| lane.state_at(i, t)).collect(),
            None => vec![StepState::Waiting; self.plan.len()],
        }
    }
}

impl Lane {
    /// What step `i` is doing at `t`.
    pub fn state_at(&self, i: usize, t: Time) -> StepState {
        let (Some(origin), Some(attempts)) = (self.origin, self.attempts.get(i)) else {
            return StepState::Waiting;
        };
        let now = origin + t;
        let Some(span) = attempts.iter().rev().find(|s| s.ready <= now) else {
            return StepState::Waiting;
        };
        let passed = |time: Option<Time>| time.is_some_and(|x| x <= now);
        if now < span.queued {
            StepState::Held
        } else if let Outcome::Skipped { .. } = span.outcome {
            if passed(span.ended) {
                StepState::Skipped
            } else {
                StepState::Held
            }
        } else if !passed(span.started) {
            StepState::Queued
        } else if !passed(span.ended) {
            if span.sent.is_some_and(|sent| sent > now) {
                StepState::Queued
            } else if passed(span.first_byte) {
                StepState::Streaming
            } else {
                StepState::Running
            }
        } else {
            match span.outcome {
                Outcome::Failed { .. } => StepState::Failed,
                Outcome::Cancelled { .. } => StepState::Cancelled,
                _ => StepState::Done,
            }
        }
    }
}

/// What a step is doing at one moment of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    /// Some input has not finished.
    Waiting,
    /// Its inputs are done, but the mode holds it back (staged barrier, one at a time).
    Held,
    /// Handed over to run, waiting for a slot under the concurrency limit.
    Queued,
    Running,
    /// The first byte of the answer came; the rest is streaming in.
    Streaming,
    Done,
    Failed,
    /// Not run, because an input failed.
    Skipped,
    /// Stopped by Cancel, or by a fail-fast run after another step failed.
    Cancelled,
}

impl StepState {
    /// The CSS class and test hook for this state.
    pub fn name(self) -> &'static str {
        match self {
            StepState::Waiting => "waiting",
            StepState::Held => "held",
            StepState::Queued => "queued",
            StepState::Running => "running",
            StepState::Streaming => "streaming",
            StepState::Done => "done",
            StepState::Failed => "failed",
            StepState::Skipped => "skipped",
            StepState::Cancelled => "cancelled",
        }
    }
}
