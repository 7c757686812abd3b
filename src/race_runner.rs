//! Starts a race in the browser: the plan run in the chosen modes at once, each as a
//! future on the event loop, recording into the shared race state as spans change.
//! The timeline draws (and later replays) what is recorded here.

use crate::clock::BrowserClock;
use crate::state::AppState;
use chainlab_core::race::Race;
use chainlab_core::{
    run_with, Clock, Mode, Plan, Policy, RunOptions, SimulatedRunner, Span, Time, Trace,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Races the chain on the page in the modes the person chose.
pub fn start_race(state: AppState) {
    let Ok(plan) = state.plan.get_untracked() else {
        return;
    };
    start_race_of(state, plan);
}

/// Races `plan`, which may differ from the chain on the page (the timeline
/// benchmark races a chain larger than people may build).
pub fn start_race_of(state: AppState, plan: Plan) {
    let Some(clock) = BrowserClock::new() else {
        state.error.set(Some(
            "This browser gives the page no performance timer, so runs cannot be timed.".into(),
        ));
        return;
    };
    let modes = state.modes.get_untracked();
    if modes.is_empty() {
        state.error.set(Some(
            "Choose at least one mode to race, then press Run.".into(),
        ));
        return;
    }
    state.error.set(None);
    state.race_id.update(|id| *id += 1);
    let id = state.race_id.get_untracked();
    let limit = state.network.limit.get_untracked();
    state.race.set(Some(Race::with_limit(&plan, &modes, limit)));
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
    if state.network.live.get_untracked() {
        crate::network::start_live_race(state.network, plan, modes, clock, update);
        return;
    }
    // The simulator needs no retries or time-outs, only the Cancel button.
    let policy = Policy {
        cancel: state.network.new_cancel(),
        ..Policy::default()
    };
    let changes = Changes::new(state, id);
    for mode in modes {
        let (plan, clock, policy) = (Rc::clone(&plan), clock.clone(), policy.clone());
        let changes = Rc::clone(&changes);
        spawn_local(async move {
            let runner = SimulatedRunner {
                clock: clock.clone(),
            };
            changes.push(Change::Start(mode, clock.now()));
            let observe = |span: &Span| changes.push(Change::Record(mode, span.clone()));
            let options = RunOptions { mode, limit };
            let trace = run_with(&plan, options, &policy, &runner, &clock, &observe).await;
            changes.push(Change::Finish(trace));
        });
    }
}

enum Change {
    Start(Mode, Time),
    Record(Mode, Span),
    Finish(Trace),
}

/// Simulated span changes waiting to be drawn. A wide chain changes hundreds of spans
/// between two frames; applying them to the race signal once per frame, not once
/// each, keeps the page's reactive work per frame small.
struct Changes {
    state: AppState,
    /// The race these changes belong to; changes for a replaced race are dropped.
    race_id: u64,
    waiting: RefCell<Vec<Change>>,
    flush_asked: Cell<bool>,
}

impl Changes {
    fn new(state: AppState, race_id: u64) -> Rc<Self> {
        Rc::new(Self {
            state,
            race_id,
            waiting: RefCell::new(Vec::new()),
            flush_asked: Cell::new(false),
        })
    }

    fn push(self: &Rc<Self>, change: Change) {
        // A lane's start is drawn at once: until then the race does not count as running.
        let start = matches!(change, Change::Start(..));
        self.waiting.borrow_mut().push(change);
        if start {
            self.flush();
            return;
        }
        if !self.flush_asked.replace(true) {
            let this = Rc::clone(self);
            request_animation_frame(move || this.flush());
        }
    }

    fn flush(&self) {
        self.flush_asked.set(false);
        let changes = self.waiting.take();
        if self.state.race_id.get_untracked() != self.race_id {
            return;
        }
        self.state.race.update(|race| {
            let Some(race) = race else { return };
            for change in changes {
                match change {
                    Change::Start(mode, origin) => race.start(mode, origin),
                    Change::Record(mode, span) => race.record(mode, &span),
                    Change::Finish(trace) => race.finish(&trace),
                }
            }
        });
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
