//! What the page's components share, provided once as context.

use chainlab_core::race::Race;
use chainlab_core::{Chain, Plan, Problem, Time};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct AppState {
    /// The chain on the page: what the person is looking at and editing.
    pub chain: RwSignal<Chain>,
    /// The chain, validated; problems name the steps they concern.
    pub plan: Memo<Result<Plan, Vec<Problem>>>,
    /// The latest race, drawn on the timeline.
    pub race: RwSignal<Option<Race>>,
    /// The page clock (`performance.now()`), advanced while a race runs.
    pub now: RwSignal<Time>,
    /// Bumped by every new race, so runs that were replaced stop drawing.
    pub race_id: RwSignal<u64>,
    /// A message about something the page could not do.
    pub error: RwSignal<Option<String>>,
}

impl AppState {
    pub fn new(chain: Chain) -> Self {
        let chain = RwSignal::new(chain);
        let plan = Memo::new(move |_| Plan::new(chain.get()));
        Self {
            chain,
            plan,
            race: RwSignal::new(None),
            now: RwSignal::new(0.0),
            race_id: RwSignal::new(0),
            error: RwSignal::new(None),
        }
    }

    pub fn running(&self) -> bool {
        self.race.with(|r| r.as_ref().is_some_and(Race::is_running))
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
