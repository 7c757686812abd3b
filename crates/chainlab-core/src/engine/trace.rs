//! What a run leaves behind: one span per step attempt, and the figures drawn from it.

use crate::model::{Mode, StepId, Time};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Outcome {
    /// Not finished yet.
    Pending,
    Done,
    Failed {
        error: String,
    },
    /// Not run because an input did not produce an output.
    Skipped {
        failed_input: StepId,
    },
    /// Stopped before it ended: the person pressed Cancel, or a fail-fast run stopped
    /// because another step failed.
    Cancelled {
        reason: String,
    },
}

impl Outcome {
    /// What went wrong, in words, for an attempt that failed or was cancelled.
    pub fn message(&self) -> Option<&str> {
        match self {
            Outcome::Failed { error } => Some(error),
            Outcome::Cancelled { reason } => Some(reason),
            _ => None,
        }
    }

    /// The name used in exports, CSS classes and tests.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Done => "done",
            Outcome::Failed { .. } => "failed",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Cancelled { .. } => "cancelled",
        }
    }
}

/// One attempt of one step.
///
/// `ready → queued` is time held back by a barrier (staged mode waits for the whole
/// level), `queued → started` is time held back by a concurrency limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub step: StepId,
    /// Index of the step in the chain's step list.
    pub index: usize,
    pub attempt: u32,
    /// All inputs had ended.
    pub ready: Time,
    /// The scheduler handed the step over to run.
    pub queued: Time,
    pub started: Option<Time>,
    /// The request left the browser: `started → sent` is time spent waiting inside
    /// the browser for a connection (six per origin over HTTP/1.1). Only known for
    /// network steps whose server allows Resource Timing (`Timing-Allow-Origin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<Time>,
    pub first_byte: Option<Time>,
    pub ended: Option<Time>,
    pub outcome: Outcome,
    /// What came out (set when done).
    #[serde(default)]
    pub output: Option<String>,
}

impl Span {
    pub fn barrier_wait(&self) -> Time {
        self.queued - self.ready
    }

    pub fn limit_wait(&self) -> Time {
        self.started.map_or(0.0, |s| s - self.queued)
    }

    /// Time the request waited inside the browser for a connection.
    pub fn browser_wait(&self) -> Time {
        match (self.started, self.sent) {
            (Some(s), Some(sent)) => (sent - s).max(0.0),
            _ => 0.0,
        }
    }

    pub fn running(&self) -> Time {
        match (self.started, self.ended) {
            (Some(s), Some(e)) => e - s,
            _ => 0.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub mode: Mode,
    /// When the run began; span times are on the same clock.
    pub origin: Time,
    pub spans: Vec<Span>,
}

impl Trace {
    /// From the start of the run to the end of its last step.
    pub fn makespan(&self) -> Time {
        self.spans
            .iter()
            .filter_map(|s| s.ended)
            .fold(self.origin, Time::max)
            - self.origin
    }

    /// How many times faster than `sequential` this run was.
    pub fn speedup_over(&self, sequential: &Trace) -> f64 {
        let own = self.makespan();
        if own > 0.0 {
            sequential.makespan() / own
        } else {
            1.0
        }
    }

    /// The most steps that ran at the same moment.
    pub fn peak_concurrency(&self) -> usize {
        let mut edges: Vec<(Time, i32)> = self
            .spans
            .iter()
            .filter_map(|s| Some(((s.started?), (s.ended?))))
            .filter(|(start, end)| end > start)
            .flat_map(|(start, end)| [(start, 1), (end, -1)])
            .collect();
        // Ends sort before starts at the same instant: a step that starts as another
        // ends does not overlap it.
        crate::sort::sort_by(&mut edges, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut running = 0;
        let mut peak = 0;
        for (_, delta) in edges {
            running += delta;
            peak = peak.max(running);
        }
        peak.max(1) as usize
    }

    /// Busy time over the time the run's lanes were held: 1.0 means no lane ever idled.
    pub fn parallel_efficiency(&self) -> f64 {
        let capacity = self.makespan() * self.peak_concurrency() as f64;
        if capacity > 0.0 {
            self.busy_time() / capacity
        } else {
            1.0
        }
    }

    /// Total time steps spent running.
    pub fn busy_time(&self) -> Time {
        self.spans.iter().map(Span::running).sum()
    }

    /// Total time steps were ready but held back by a barrier.
    pub fn barrier_wait(&self) -> Time {
        self.spans.iter().map(Span::barrier_wait).sum()
    }

    /// Total time steps were ready but held back by the concurrency limit.
    pub fn limit_wait(&self) -> Time {
        self.spans.iter().map(Span::limit_wait).sum()
    }

    /// Total time requests waited inside the browser for a connection.
    pub fn browser_wait(&self) -> Time {
        self.spans.iter().map(Span::browser_wait).sum()
    }

    /// The output of the last attempt of a step, if it finished.
    pub fn output_of(&self, step: &StepId) -> Option<&str> {
        self.spans
            .iter()
            .rev()
            .find(|s| &s.step == step)
            .and_then(|s| s.output.as_deref())
    }
}
