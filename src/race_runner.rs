//! Starts a race in the browser: the plan run in every mode at once, each as a future
//! on the event loop, drawing into the shared race state as spans change.

use crate::clock::BrowserClock;
use crate::state::AppState;
use chainlab_core::race::Race;
use chainlab_core::{run, Clock, Mode, Plan, RunOptions, SimulatedRunner, Span};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use std::time::Duration;

/// How often running clocks and growing bars are redrawn.
const FRAME: Duration = Duration::from_millis(16);

pub fn start_race(state: AppState) {
    let Some(clock) = BrowserClock::new() else {
        state.error.set(Some(
            "This browser gives the page no performance timer, so runs cannot be timed.".into(),
        ));
        return;
    };
    let Ok(plan) = state.plan.get_untracked() else {
        return;
    };
    state.error.set(None);
    state.race_id.update(|id| *id += 1);
    let id = state.race_id.get_untracked();
    state.race.set(Some(Race::new(&plan, &Mode::ALL)));
    state.now.set(clock.now());
    // Updates from a race that has been replaced are dropped.
    let update = move |change: &dyn Fn(&mut Race)| {
        if state.race_id.get_untracked() == id {
            state.race.update(|race| {
                if let Some(race) = race {
                    change(race);
                }
            });
        }
    };

    let plan = Rc::new(plan);
    for mode in Mode::ALL {
        let (plan, clock) = (Rc::clone(&plan), clock.clone());
        spawn_local(async move {
            let runner = SimulatedRunner {
                clock: clock.clone(),
            };
            update(&|race| race.start(mode, clock.now()));
            let observe = |span: &Span| update(&|race| race.record(mode, span));
            let trace = run(
                &plan,
                RunOptions::unlimited(mode),
                &runner,
                &clock,
                &observe,
            )
            .await;
            update(&|race| race.finish(&trace));
        });
    }
    tick_while_running(state, clock, id);
}

fn tick_while_running(state: AppState, clock: BrowserClock, id: u64) {
    let handle = StoredValue::new(None::<IntervalHandle>);
    let tick = move || {
        state.now.set(clock.now());
        let over = state.race_id.get_untracked() != id
            || !state
                .race
                .with_untracked(|r| r.as_ref().is_some_and(Race::is_running));
        if over {
            if let Some(h) = handle.get_value() {
                h.clear();
            }
        }
    };
    if let Ok(h) = set_interval_with_handle(tick, FRAME) {
        handle.set_value(Some(h));
    }
}

/// The page's message for a chain that cannot run.
pub fn describe_problems(plan: &Result<Plan, Vec<chainlab_core::Problem>>) -> Option<String> {
    plan.as_ref().err().map(|problems| {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    })
}
