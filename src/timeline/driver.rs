//! What moves the cursor: a requestAnimationFrame loop while a run is followed live or
//! a replay plays, or, with reduced motion, timers that jump from event to event so
//! nothing slides.

use super::Replay;
use crate::clock::BrowserClock;
use crate::state::AppState;
use chainlab_core::race::Race;
use chainlab_core::timeline::replay::Cursor;
use chainlab_core::{Clock, Time};
use leptos::prelude::*;
use std::collections::HashMap;
use std::time::Duration;

pub fn prefers_reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches())
}

/// How far the recording reaches: the slowest lane's end once all are over, the
/// time since the runs began while they go on.
fn recording_end(race: &Race, now: Time) -> (Time, bool) {
    let running = race.is_running();
    let end = match race.end_ms() {
        Some(end) if !running => end,
        _ => race
            .lanes
            .iter()
            .map(|lane| lane.elapsed(now))
            .fold(0.0, Time::max),
    };
    (end, running)
}

/// Every new race is followed live from its start; a replaced chain resets the cursor.
pub fn follow_new_races(state: AppState, replay: Replay) {
    Effect::new(move |_| {
        state.race_id.track();
        let has_race = state.race.with_untracked(Option::is_some);
        let speed = replay.cursor.with_untracked(|c| c.speed);
        replay.selected.set(None);
        if has_race {
            replay.cursor.set(Cursor::following(speed));
            kick(state, replay);
        } else {
            replay.cursor.set(Cursor {
                speed,
                ..Cursor::default()
            });
        }
    });
    // With reduced motion there is no frame loop: a live cursor moves when a span does.
    Effect::new(move |_| {
        // Runs on every span change, but only a reduced-motion live cursor does any work.
        state.race.track();
        if !replay.reduced_motion() || !replay.cursor.with_untracked(|c| c.live) {
            return;
        }
        let finished = state.race.with(|race| {
            let race = race.as_ref()?;
            let recorded = race.recorded_ms();
            Some((recorded, race.end_ms().filter(|_| !race.is_running())))
        });
        if let Some((recorded, end)) = finished {
            replay.cursor.update(|c| {
                c.t = end.unwrap_or(recorded);
                if end.is_some() {
                    c.live = false;
                    c.playing = false;
                }
            });
        }
    });
}

/// Starts whatever moves the cursor now, if anything should.
pub fn kick(state: AppState, replay: Replay) {
    if replay.reduced_motion_untracked() {
        replay.jump_generation.update_value(|g| *g += 1);
        jump(state, replay, replay.jump_generation.get_value());
        return;
    }
    if replay.animating.get_untracked() || !replay.cursor.with_untracked(|c| c.playing) {
        return;
    }
    let Some(clock) = BrowserClock::new() else {
        return;
    };
    replay.animating.set(true);
    let started = clock.now();
    request_animation_frame(move || frame(state, replay, clock, started));
}

fn frame(state: AppState, replay: Replay, clock: BrowserClock, last: Time) {
    let now = clock.now();
    let Some((end, running)) = state
        .race
        .with_untracked(|race| race.as_ref().map(|r| recording_end(r, now)))
    else {
        replay.animating.set(false);
        return;
    };
    replay.cursor.update(|c| {
        if c.live {
            c.t = end;
            if !running {
                c.live = false;
                c.playing = false;
            }
        } else {
            c.advance(now - last, end);
        }
    });
    let go_on = replay.cursor.with_untracked(|c| c.playing) && !replay.reduced_motion_untracked();
    if go_on {
        request_animation_frame(move || frame(state, replay, clock, now));
    } else {
        replay.animating.set(false);
    }
}

/// Reduced motion: wait for the next event and jump to it, until the end or a pause.
fn jump(state: AppState, replay: Replay, generation: u64) {
    let cursor = replay.cursor.get_untracked();
    if !cursor.playing || cursor.live || replay.jump_generation.get_value() != generation {
        return;
    }
    let Some(end) = state
        .race
        .with_untracked(|r| r.as_ref().and_then(Race::end_ms))
    else {
        return;
    };
    let wait = replay.moments.with_untracked(|m| cursor.wait_for_next(m));
    let Some(wait) = wait else {
        replay.cursor.update(|c| c.advance(end, end));
        return;
    };
    set_timeout(
        move || {
            if replay.jump_generation.get_value() != generation {
                return;
            }
            replay.cursor.update(|c| c.advance(wait, end));
            jump(state, replay, generation);
        },
        Duration::from_secs_f64(wait.max(0.0) / 1000.0),
    );
}

/// Keeps the canvas's step states in step with the cursor, for the chosen lane.
pub fn light_up_canvas(state: AppState, replay: Replay) {
    Effect::new(move |_| {
        let t = replay.shown.get();
        // The cursor moves every frame while a run is followed, so reading the race
        // untracked misses nothing and spares this work on every span change.
        let states = state.race.with_untracked(|race| {
            let Some((race, mode)) = race.as_ref().and_then(|r| Some((r, state.canvas_lane(r)?)))
            else {
                return HashMap::new();
            };
            race.plan
                .chain()
                .steps
                .iter()
                .map(|s| s.id.clone())
                .zip(race.state_at(mode, t))
                .collect()
        });
        if state.step_states.with_untracked(|old| *old != states) {
            state.step_states.set(states);
        }
    });
}
