//! What the page's components share, provided once as context.

use crate::network::NetworkState;
use chainlab_core::race::Race;
use chainlab_core::timeline::StepState;
use chainlab_core::{Chain, Mode, Plan, Problem, StepId};
use leptos::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Copy)]
pub struct AppState {
    /// The chain on the page: what the person is looking at and editing.
    pub chain: RwSignal<Chain>,
    /// The chain, validated; problems name the steps they concern.
    pub plan: Memo<Result<Plan, Vec<Problem>>>,
    /// The latest race, drawn on the timeline.
    pub race: RwSignal<Option<Race>>,
    /// Bumped by every new race, so runs that were replaced stop drawing.
    pub race_id: RwSignal<u64>,
    /// A message about something the page could not do.
    pub error: RwSignal<Option<String>>,
    /// The modes the next race runs, in lane order.
    pub modes: RwSignal<Vec<Mode>>,
    /// What each step is doing at the timeline's cursor, for the canvas to light up.
    /// By id, so each of a big chain's nodes finds its own at once.
    pub step_states: RwSignal<HashMap<StepId, StepState>>,
    /// The lane whose states the canvas shows, and whose record the inspector shows.
    pub canvas_mode: RwSignal<Mode>,
    /// Simulated or live, providers and keys, limits, and the Cancel switch.
    pub network: NetworkState,
}

impl AppState {
    pub fn new(chain: Chain) -> Self {
        let chain = RwSignal::new(chain);
        let plan = Memo::new(move |_| Plan::new(chain.get()));
        Self {
            chain,
            plan,
            race: RwSignal::new(None),
            race_id: RwSignal::new(0),
            error: RwSignal::new(None),
            modes: RwSignal::new(Mode::ALL.to_vec()),
            step_states: RwSignal::new(HashMap::new()),
            canvas_mode: RwSignal::new(Mode::Eager),
            network: NetworkState::new(),
        }
    }

    /// The lane the canvas shows: the chosen one if it ran, else the race's first.
    pub fn canvas_lane(&self, race: &Race) -> Option<Mode> {
        let wanted = self.canvas_mode.get();
        if race.lane(wanted).is_some() {
            Some(wanted)
        } else {
            race.lanes.first().map(|lane| lane.mode)
        }
    }

    pub fn running(&self) -> bool {
        self.race.with(|r| r.as_ref().is_some_and(Race::is_running))
    }

    /// What step `id` is doing at the timeline's cursor; `None` before any race.
    pub fn step_state(&self, id: &StepId) -> Option<StepState> {
        self.step_states.with(|states| states.get(id).copied())
    }

    /// Puts a new chain on the page; the old race no longer applies.
    pub fn replace_chain(&self, chain: Chain) {
        self.race_id.update(|id| *id += 1);
        self.race.set(None);
        self.chain.set(chain);
    }
}

pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
