//! Replay: a recorded race as an ordered list of events, and a cursor that plays,
//! pauses, steps, scrubs and changes speed over it. Everything here is a plain
//! function of time, so the page only feeds it the wall clock.

use crate::engine::trace::Outcome;
use crate::model::Time;
use crate::model::TOLERANCE_MS;
use crate::race::Race;
use crate::Mode;

/// Waits shorter than this are timer jitter, not an event worth stopping at.
const VISIBLE_WAIT_MS: Time = 1.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The step's inputs are done, but the mode holds it back.
    Held,
    /// Handed over to run, but waiting for a slot under the concurrency limit.
    Queued,
    Started,
    FirstByte,
    Finished,
    Failed,
    /// Not run, because an input failed.
    Skipped,
    /// Stopped by Cancel or by a fail-fast run.
    Cancelled,
    /// The request left the browser after waiting for a free connection.
    Sent,
}

/// One thing that happened in one lane, `t` ms after that lane's run began.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub t: Time,
    pub mode: Mode,
    /// Index of the step in the chain's step list.
    pub step: usize,
    pub attempt: u32,
    pub kind: EventKind,
}

/// Every event of every lane, in time order (ties: lanes in race order, then the
/// order things happen to one step).
pub fn events(race: &Race) -> Vec<Event> {
    let mut all = Vec::new();
    for lane in &race.lanes {
        let Some(origin) = lane.origin else { continue };
        for span in lane.spans() {
            let mut push = |at: Time, kind| {
                all.push(Event {
                    t: at - origin,
                    mode: lane.mode,
                    step: span.index,
                    attempt: span.attempt,
                    kind,
                });
            };
            if let Outcome::Skipped { .. } = span.outcome {
                push(span.ended.unwrap_or(span.queued), EventKind::Skipped);
                continue;
            }
            if span.queued - span.ready >= VISIBLE_WAIT_MS {
                push(span.ready, EventKind::Held);
            }
            match span.started {
                Some(started) if started - span.queued >= VISIBLE_WAIT_MS => {
                    push(span.queued, EventKind::Queued);
                    push(started, EventKind::Started);
                }
                Some(started) => push(started, EventKind::Started),
                None => push(span.queued, EventKind::Queued),
            }
            if let Some(sent) = span
                .sent
                .filter(|&sent| span.started.is_some_and(|s| sent - s >= VISIBLE_WAIT_MS))
            {
                push(sent, EventKind::Sent);
            }
            if let Some(first_byte) = span.first_byte {
                push(first_byte, EventKind::FirstByte);
            }
            if let Some(ended) = span.ended {
                let kind = match span.outcome {
                    Outcome::Failed { .. } => EventKind::Failed,
                    Outcome::Cancelled { .. } => EventKind::Cancelled,
                    _ => EventKind::Finished,
                };
                push(ended, kind);
            }
        }
    }
    let lane_order = |mode: Mode| race.lanes.iter().position(|l| l.mode == mode);
    crate::sort::sort_by(&mut all, |a, b| {
        a.t.total_cmp(&b.t)
            .then(lane_order(a.mode).cmp(&lane_order(b.mode)))
            .then(a.step.cmp(&b.step))
            .then(a.attempt.cmp(&b.attempt))
            .then(rank(a.kind).cmp(&rank(b.kind)))
    });
    all
}

/// The order in which one step's events happen at the same instant.
fn rank(kind: EventKind) -> u8 {
    match kind {
        EventKind::Held => 0,
        EventKind::Queued => 1,
        EventKind::Started => 2,
        EventKind::Sent => 3,
        EventKind::FirstByte => 4,
        EventKind::Finished | EventKind::Failed | EventKind::Skipped | EventKind::Cancelled => 5,
    }
}

/// Events closer together than this are one moment for a person stepping through:
/// browser timers fire a few milliseconds apart even when they "should" coincide.
pub const SAME_MOMENT_MS: Time = 5.0;

/// The moments at which something happened, in order: where stepping stops. Events
/// less than [`SAME_MOMENT_MS`] apart are one moment, placed at the latest of them so
/// that at a moment all of its events have happened.
pub fn moments(events: &[Event]) -> Vec<Time> {
    let mut moments: Vec<Time> = Vec::new();
    for event in events {
        match moments.last_mut() {
            Some(last) if event.t - *last < SAME_MOMENT_MS => *last = event.t,
            _ => moments.push(event.t),
        }
    }
    moments
}

/// Playback speeds offered, slowest first.
pub const SPEEDS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];

/// Where the timeline is looking, and whether it moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cursor {
    /// Milliseconds since the runs began.
    pub t: Time,
    pub playing: bool,
    /// Recorded milliseconds per wall-clock millisecond.
    pub speed: f64,
    /// Following a run that is still going: the cursor is "now".
    pub live: bool,
}

impl Default for Cursor {
    fn default() -> Self {
        Self {
            t: 0.0,
            playing: false,
            speed: 1.0,
            live: false,
        }
    }
}

impl Cursor {
    /// A cursor that follows a run as it happens.
    pub fn following(speed: f64) -> Self {
        Self {
            t: 0.0,
            playing: true,
            speed,
            live: true,
        }
    }

    /// Moves the cursor on by `wall_ms` of real time. `end` is how far the recording
    /// reaches; playing stops there.
    pub fn advance(&mut self, wall_ms: Time, end: Time) {
        if !self.playing {
            return;
        }
        self.t = (self.t + wall_ms.max(0.0) * self.speed).min(end);
        if self.t >= end && !self.live {
            self.playing = false;
        }
    }

    /// Plays from here, or from the start if the cursor is at the end.
    pub fn play(&mut self, end: Time) {
        if self.t >= end && !self.live {
            self.t = 0.0;
        }
        self.playing = true;
    }

    /// Stops moving; a run still going keeps recording behind the cursor.
    pub fn pause(&mut self) {
        self.playing = false;
        self.live = false;
    }

    pub fn toggle(&mut self, end: Time) {
        if self.playing {
            self.pause();
        } else {
            self.play(end);
        }
    }

    pub fn restart(&mut self) {
        self.t = 0.0;
        self.live = false;
    }

    /// Jumps to `t`, kept within the recording, and stops there.
    pub fn scrub(&mut self, t: Time, end: Time) {
        self.pause();
        self.t = t.clamp(0.0, end.max(0.0));
    }

    /// Jumps to the next moment something happens, and stops there.
    pub fn step_forward(&mut self, moments: &[Time]) {
        self.pause();
        if let Some(&next) = moments.iter().find(|&&m| m > self.t + TOLERANCE_MS) {
            self.t = next;
        }
    }

    /// Jumps back to the moment before the cursor, and stops there.
    pub fn step_back(&mut self, moments: &[Time]) {
        self.pause();
        self.t = moments
            .iter()
            .rev()
            .find(|&&m| m < self.t - TOLERANCE_MS)
            .copied()
            .unwrap_or(0.0);
    }

    /// The time to draw: the cursor itself, or with reduced motion the last moment
    /// something happened, so bars jump to their state instead of sliding.
    pub fn shown(&self, moments: &[Time], reduced_motion: bool) -> Time {
        if !reduced_motion {
            return self.t;
        }
        moments
            .iter()
            .rev()
            .find(|&&m| m <= self.t + TOLERANCE_MS)
            .copied()
            .unwrap_or(0.0)
    }

    /// With reduced motion, how long (wall-clock ms) until the next moment, so the page
    /// can wait for it instead of animating; `None` when there is nothing further.
    pub fn wait_for_next(&self, moments: &[Time]) -> Option<Time> {
        let next = moments.iter().find(|&&m| m > self.t + TOLERANCE_MS)?;
        Some((next - self.t) / self.speed.max(0.01))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::gallery;
    use crate::plan::Plan;

    fn race() -> Race {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        Race::simulated(&plan, &Mode::ALL)
    }

    #[test]
    fn events_are_in_time_order_and_cover_every_attempt() {
        let race = race();
        let events = events(&race);
        assert!(events.windows(2).all(|w| w[0].t <= w[1].t));
        let finished = events
            .iter()
            .filter(|e| e.kind == EventKind::Finished)
            .count();
        assert_eq!(finished, 3 * race.plan.len());
        // Staged holds D at the barrier from 200 ms (C done) to 500 ms (B done).
        let d = race.plan.index_of(&crate::StepId::new("d")).expect("d");
        let held: Vec<_> = events
            .iter()
            .filter(|e| e.step == d && e.mode == Mode::Staged)
            .map(|e| (e.kind, e.t))
            .collect();
        assert_eq!(
            held,
            vec![
                (EventKind::Held, 200.0),
                (EventKind::Started, 500.0),
                (EventKind::Finished, 700.0)
            ]
        );
    }

    #[test]
    fn events_a_few_milliseconds_apart_are_one_moment() {
        let at = |t| Event {
            t,
            mode: Mode::Eager,
            step: 0,
            attempt: 0,
            kind: EventKind::Started,
        };
        let events: Vec<Event> = [0.0, 2.0, 4.0, 200.0, 203.0, 210.0].map(at).into();
        assert_eq!(moments(&events), vec![4.0, 203.0, 210.0]);
    }

    #[test]
    fn stepping_visits_each_moment_and_comes_back() {
        let moments = moments(&events(&race()));
        assert_eq!(moments, vec![0.0, 200.0, 400.0, 500.0, 700.0, 900.0]);
        let mut cursor = Cursor::default();
        let mut visited = vec![];
        for _ in 0..7 {
            cursor.step_forward(&moments);
            visited.push(cursor.t);
        }
        assert_eq!(
            visited,
            vec![200.0, 400.0, 500.0, 700.0, 900.0, 900.0, 900.0]
        );
        cursor.step_back(&moments);
        cursor.step_back(&moments);
        assert_eq!(cursor.t, 500.0);
        assert!(!cursor.playing);
    }

    #[test]
    fn playing_follows_speed_and_stops_at_the_end() {
        let mut cursor = Cursor::default();
        cursor.play(900.0);
        cursor.speed = 0.25;
        cursor.advance(400.0, 900.0);
        assert_eq!(cursor.t, 100.0);
        cursor.speed = 4.0;
        cursor.advance(1000.0, 900.0);
        assert_eq!(cursor.t, 900.0);
        assert!(!cursor.playing, "stops at the end of the recording");
        cursor.play(900.0);
        assert_eq!(cursor.t, 0.0, "play at the end starts over");
        cursor.scrub(2000.0, 900.0);
        assert_eq!((cursor.t, cursor.playing), (900.0, false));
        cursor.restart();
        assert_eq!(cursor.t, 0.0);
    }

    #[test]
    fn a_live_cursor_waits_at_the_edge_and_pausing_leaves_live() {
        let mut cursor = Cursor::following(1.0);
        cursor.advance(300.0, 120.0);
        assert_eq!((cursor.t, cursor.playing), (120.0, true));
        cursor.pause();
        assert!(!cursor.live && !cursor.playing);
        cursor.advance(100.0, 500.0);
        assert_eq!(cursor.t, 120.0, "a paused cursor stays put");
    }

    #[test]
    fn reduced_motion_shows_the_last_moment_and_waits_for_the_next() {
        let moments = vec![0.0, 200.0, 500.0];
        let cursor = Cursor {
            t: 350.0,
            playing: true,
            speed: 2.0,
            live: false,
        };
        assert_eq!(cursor.shown(&moments, true), 200.0);
        assert_eq!(cursor.shown(&moments, false), 350.0);
        assert_eq!(cursor.wait_for_next(&moments), Some(75.0));
    }
}
