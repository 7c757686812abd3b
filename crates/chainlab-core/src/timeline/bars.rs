//! What the timeline draws at time t: each step's bar as segments (held back, queued,
//! waiting for the first byte, streaming, done, failed...), cut at the cursor.

use crate::engine::trace::{Outcome, Span};
use crate::model::Time;
use crate::race::Lane;

impl Lane {
    /// The pieces of step `i`'s bar at `t`, every attempt in turn. A failed attempt
    /// that was tried again is drawn as retried.
    pub fn bar(&self, i: usize, t: Time) -> Vec<Segment> {
        let (Some(origin), Some(attempts)) = (self.origin, self.attempts.get(i)) else {
            return Vec::new();
        };
        attempts
            .iter()
            .enumerate()
            .flat_map(|(n, span)| {
                let retried = n + 1 < attempts.len();
                segments(span, origin, origin + t, retried)
            })
            .collect()
    }

    /// What step `i`'s bar depends on besides the time: its attempts so far and how far
    /// the last one got. While this stays the same, [`Lane::bar_same_at`] holds.
    pub fn bar_key(&self, i: usize) -> BarKey {
        let attempts = self.attempts.get(i).map(Vec::as_slice).unwrap_or_default();
        BarKey {
            attempts: attempts.len(),
            last_ended: attempts.last().and_then(|s| s.ended),
            // A live lane's browser waits are marked after it finished, on spans
            // that had already ended: the bar must be drawn again with them.
            browser_waits: attempts.iter().filter(|s| s.sent.is_some()).count(),
        }
    }

    /// Whether step `i`'s bar is the same at `a` and `b`: both before the step was
    /// ready, or both after its last attempt ended. Lets a page skip the rows a moving
    /// cursor does not touch.
    pub fn bar_same_at(&self, i: usize, a: Time, b: Time) -> bool {
        let Some(origin) = self.origin else {
            return true;
        };
        let attempts = self.attempts.get(i).map(Vec::as_slice).unwrap_or_default();
        let (Some(first), Some(last)) = (attempts.first(), attempts.last()) else {
            return true;
        };
        let ready = first.ready - origin;
        let both_before = a < ready && b < ready;
        let both_after = last
            .ended
            .is_some_and(|e| a >= e - origin && b >= e - origin);
        both_before || both_after
    }
}

/// See [`Lane::bar_key`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BarKey {
    attempts: usize,
    last_ended: Option<Time>,
    browser_waits: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// Ready, but the mode's barrier held it until its whole level could start.
    BarrierWait,
    /// Ready, but waiting for a slot under the concurrency limit.
    Queued,
    /// Started, but the request waited inside the browser: for one of its connections
    /// to the origin, or for a CORS preflight.
    BrowserQueue,
    /// Started, no answer yet, still going.
    Running,
    /// Started, waiting for the first byte of the answer.
    FirstByteWait,
    /// The answer is streaming in.
    Streaming,
    Done,
    Failed,
    /// Failed, and tried again (the next attempt follows on the same row).
    Retried,
    /// Stopped by Cancel or by a fail-fast run.
    Cancelled,
}

impl SegmentKind {
    pub const ALL: [SegmentKind; 10] = [
        SegmentKind::BarrierWait,
        SegmentKind::Queued,
        SegmentKind::BrowserQueue,
        SegmentKind::Running,
        SegmentKind::FirstByteWait,
        SegmentKind::Streaming,
        SegmentKind::Done,
        SegmentKind::Failed,
        SegmentKind::Retried,
        SegmentKind::Cancelled,
    ];

    /// The CSS class and test hook for this kind.
    pub fn name(self) -> &'static str {
        match self {
            SegmentKind::BarrierWait => "barrier-wait",
            SegmentKind::Queued => "queued",
            SegmentKind::BrowserQueue => "browser-queue",
            SegmentKind::Running => "running",
            SegmentKind::FirstByteWait => "first-byte-wait",
            SegmentKind::Streaming => "streaming",
            SegmentKind::Done => "done",
            SegmentKind::Failed => "failed",
            SegmentKind::Retried => "retried",
            SegmentKind::Cancelled => "cancelled",
        }
    }

    /// Words for people: legends, tooltips, the table view.
    pub fn label(self) -> &'static str {
        match self {
            SegmentKind::BarrierWait => "held back by the mode (barrier or one at a time)",
            SegmentKind::Queued => "queued for a slot (concurrency limit)",
            SegmentKind::BrowserQueue => "queued in the browser (connection limit, CORS check)",
            SegmentKind::Running => "running",
            SegmentKind::FirstByteWait => "waiting for the first byte",
            SegmentKind::Streaming => "streaming the answer",
            SegmentKind::Done => "done",
            SegmentKind::Failed => "failed",
            SegmentKind::Retried => "failed, then retried",
            SegmentKind::Cancelled => "cancelled",
        }
    }

    /// A one-character mark drawn on bars wide enough, so colour is never the only cue.
    pub fn mark(self) -> &'static str {
        match self {
            SegmentKind::BarrierWait => "‖",
            SegmentKind::Queued | SegmentKind::BrowserQueue => "…",
            SegmentKind::Running | SegmentKind::Streaming => "▸",
            SegmentKind::FirstByteWait => "·",
            SegmentKind::Done => "✓",
            SegmentKind::Failed => "✗",
            SegmentKind::Retried => "↻",
            SegmentKind::Cancelled => "⊘",
        }
    }
}

/// A piece of a step's bar, in milliseconds from the run's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub kind: SegmentKind,
    pub start: Time,
    pub end: Time,
    pub attempt: u32,
}

/// Waits shorter than this are timer jitter, not something to show.
const VISIBLE_WAIT_MS: Time = 1.0;

/// The pieces of one attempt's bar as they stand at `now` (all relative to `origin`):
/// nothing after `now` is drawn. Empty pieces and waits too short to matter are left
/// out. `retried` marks a failed attempt that was tried again.
pub fn segments(span: &Span, origin: Time, now: Time, retried: bool) -> Vec<Segment> {
    let upto = |t: Time| t.min(now) - origin;
    let until = |t: Option<Time>| upto(t.unwrap_or(now));
    let piece = |kind, start: Time, end: Time| Segment {
        kind,
        start: upto(start),
        end,
        attempt: span.attempt,
    };
    let mut pieces = vec![
        piece(SegmentKind::BarrierWait, span.ready, upto(span.queued)),
        piece(SegmentKind::Queued, span.queued, until(span.started)),
    ];
    if let Some(mut started) = span.started.filter(|&s| s <= now) {
        let ended = span.ended.filter(|&e| e <= now);
        if let Some(sent) = span.sent.filter(|&sent| sent > started) {
            let sent = span.ended.map_or(sent, |e| sent.min(e));
            pieces.push(piece(SegmentKind::BrowserQueue, started, upto(sent)));
            started = sent.min(now);
        }
        let finished = match (&span.outcome, ended) {
            (Outcome::Failed { .. }, Some(_)) if retried => Some(SegmentKind::Retried),
            (Outcome::Failed { .. }, Some(_)) => Some(SegmentKind::Failed),
            (Outcome::Cancelled { .. }, Some(_)) => Some(SegmentKind::Cancelled),
            (_, Some(_)) => Some(SegmentKind::Done),
            (_, None) => None,
        };
        // A failure must always show, even when its answer (a 429 and its short body)
        // came in one piece: then the whole attempt takes the failure's look.
        let failure = matches!(
            finished,
            Some(SegmentKind::Failed | SegmentKind::Retried | SegmentKind::Cancelled)
        );
        let first_byte = span
            .first_byte
            .filter(|&f| f <= now)
            .filter(|&f| !(failure && ended.is_some_and(|e| e - f < VISIBLE_WAIT_MS)));
        match first_byte {
            Some(first_byte) => {
                pieces.push(piece(SegmentKind::FirstByteWait, started, upto(first_byte)));
                let rest = finished.unwrap_or(SegmentKind::Streaming);
                pieces.push(piece(rest, first_byte, until(ended)));
            }
            None => {
                let kind = match finished {
                    Some(kind) => kind,
                    None if span.ended.is_none_or(|e| e > now) => {
                        if span.first_byte.is_some() {
                            SegmentKind::FirstByteWait
                        } else {
                            SegmentKind::Running
                        }
                    }
                    None => SegmentKind::Running,
                };
                pieces.push(piece(kind, started, until(ended)));
            }
        }
    }
    pieces.retain(|p| match p.kind {
        SegmentKind::BarrierWait | SegmentKind::Queued | SegmentKind::BrowserQueue => {
            p.end - p.start >= VISIBLE_WAIT_MS
        }
        // Drawn at least a sliver wide, however short.
        SegmentKind::Failed | SegmentKind::Retried | SegmentKind::Cancelled => p.end >= p.start,
        _ => p.end > p.start,
    });
    pieces
}
