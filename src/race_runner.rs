//! Starts a race in the browser: the core's race session over the simulator or the
//! browser's `fetch`, its changes drawn once per animation frame. The session decides
//! how the modes run; this module only picks the runner and the sink.

use crate::clock::BrowserClock;
use crate::network::LiveRunner;
use crate::state::AppState;
use chainlab_core::race::session::{LaneRunner, RaceChange, Session, SessionOptions, Venue};
use chainlab_core::{Plan, Race, SimulatedRunner};
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
    let net = state.network;
    let options = net.session_options(modes);
    let race = match options.venue {
        Venue::Simulated => Race::with_limit(&plan, &options.modes, options.limit),
        Venue::Live { rounds, .. } => Race::live(&plan, &options.modes, options.limit, rounds),
    };
    let sink = RaceSink::begin(state, race);
    spawn_local(async move {
        match options.venue {
            Venue::Simulated => {
                let runner = SimulatedRunner {
                    clock: clock.clone(),
                };
                run_session(&plan, &runner, &clock, options, &sink).await;
            }
            Venue::Live { .. } => {
                let runner = LiveRunner::new(clock.clone(), net.providers.get_untracked(), {
                    move |step, text| net.show_streamed(step, text)
                });
                run_session(&plan, &runner, &clock, options, &sink).await;
            }
        }
    });
}

async fn run_session<R: LaneRunner>(
    plan: &Plan,
    runner: &R,
    clock: &BrowserClock,
    options: SessionOptions,
    sink: &Rc<RaceSink>,
) {
    let session = Session {
        plan,
        runner,
        clock,
        options,
    };
    session.run(&|change| sink.push(change)).await;
}

/// Race changes waiting to be drawn. A wide chain changes hundreds of spans between
/// two frames; applying them to the race signal once per frame, not once each, keeps
/// the page's reactive work per frame small.
struct RaceSink {
    state: AppState,
    /// The race these changes belong to; changes for a replaced race are dropped.
    race_id: u64,
    waiting: RefCell<Vec<RaceChange>>,
    flush_asked: Cell<bool>,
}

impl RaceSink {
    /// Puts `race` on the page, replacing the last one, and returns its sink.
    fn begin(state: AppState, race: Race) -> Rc<Self> {
        state.race_id.update(|id| *id += 1);
        state.race.set(Some(race));
        Rc::new(Self {
            state,
            race_id: state.race_id.get_untracked(),
            waiting: RefCell::new(Vec::new()),
            flush_asked: Cell::new(false),
        })
    }

    fn push(self: &Rc<Self>, change: RaceChange) {
        // A lane's start, and the end, are drawn at once: the Run and Cancel buttons
        // follow them.
        let start = matches!(change, RaceChange::LaneStarted { .. } | RaceChange::Ended);
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
        let net = self.state.network;
        self.state.race.update(|race| {
            let Some(race) = race else { return };
            for change in changes {
                match change {
                    RaceChange::WarmingUp(warm_ups) => race.warm_ups = warm_ups,
                    RaceChange::WarmedUp(warm_up) => race.warmed_up(&warm_up),
                    RaceChange::RoundStarted { order, .. } => race.begin_round(order),
                    RaceChange::LaneStarted { mode, origin } => race.start(mode, origin),
                    RaceChange::Span { mode, span } => race.record(mode, &span),
                    RaceChange::LaneFinished(trace) => race.finish(&trace),
                    RaceChange::Projected(trace) => race.finish_projected(&trace),
                    RaceChange::RoundEnded { complete, .. } => race.end_round(complete),
                    RaceChange::Ended => race.end(),
                    RaceChange::Summary(line) => net.summary.update(|lines| lines.push(line)),
                    RaceChange::Note(note) => net.connection_note.set(Some(note)),
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
