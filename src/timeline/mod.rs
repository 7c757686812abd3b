//! The race on one time axis: a lane per mode, a bar per step attempt, the figures
//! beside them, and the replay controls a teacher uses to walk through a run.
//!
//! Everything is drawn at the cursor's time (`Replay::shown`), so a live run, a paused
//! one and a replay are the same picture. Each row owns a memo of its own bar, so a
//! frame only touches the rows whose bars changed: a 1,000-step chain stays smooth.

#[cfg(feature = "bench-hooks")]
mod bench;
mod controls;
mod driver;
mod lanes;
mod panels;

pub use panels::LastRun;

use crate::state::use_app_state;
use chainlab_core::timeline::replay::{self, Cursor};
use chainlab_core::{Mode, Time};
use leptos::prelude::*;

/// What the timeline's parts share: the cursor and the view switches.
#[derive(Clone, Copy)]
pub struct Replay {
    pub cursor: RwSignal<Cursor>,
    /// The time to draw: the cursor, or with reduced motion the last event before it.
    pub shown: Memo<Time>,
    /// When something happened, in order: where stepping stops.
    pub moments: Memo<Vec<Time>>,
    /// The system asks for reduced motion (`prefers-reduced-motion`).
    pub system_reduced: RwSignal<bool>,
    /// The person's choice, overriding the system: `Some(true)` to jump, `Some(false)`
    /// to animate.
    pub motion_override: RwSignal<Option<bool>>,
    pub narrate: RwSignal<bool>,
    pub projector: RwSignal<bool>,
    pub table: RwSignal<bool>,
    /// The bar whose details are open.
    pub selected: RwSignal<Option<(Mode, usize)>>,
    /// A requestAnimationFrame loop is running.
    pub animating: RwSignal<bool>,
    /// Bumped whenever reduced-motion playback restarts, so older timers stop.
    pub jump_generation: StoredValue<u64>,
}

impl Replay {
    pub fn reduced_motion(&self) -> bool {
        self.motion_override
            .get()
            .unwrap_or_else(|| self.system_reduced.get())
    }

    pub fn reduced_motion_untracked(&self) -> bool {
        self.motion_override
            .get_untracked()
            .unwrap_or_else(|| self.system_reduced.get_untracked())
    }
}

pub fn use_replay() -> Replay {
    expect_context::<Replay>()
}

fn ms(t: Time) -> String {
    format!("{t:.0} ms")
}

fn percent(t: Time, axis: Time) -> String {
    format!("{:.3}%", (t / axis * 100.0).clamp(0.0, 100.0))
}

#[component]
pub fn Timeline() -> impl IntoView {
    let state = use_app_state();
    let cursor = RwSignal::new(Cursor::default());
    let moments = Memo::new(move |_| {
        state.race.with(|race| {
            race.as_ref()
                .map(|r| replay::moments(&replay::events(r)))
                .unwrap_or_default()
        })
    });
    let system_reduced = RwSignal::new(driver::prefers_reduced_motion());
    let motion_override = RwSignal::new(None);
    let shown = Memo::new(move |_| {
        let cursor = cursor.get();
        let reduced = motion_override
            .get()
            .unwrap_or_else(|| system_reduced.get());
        if reduced {
            moments.with(|m| cursor.shown(m, true))
        } else {
            cursor.t
        }
    });
    let replay = Replay {
        cursor,
        shown,
        moments,
        system_reduced,
        motion_override,
        narrate: RwSignal::new(false),
        projector: RwSignal::new(false),
        table: RwSignal::new(false),
        selected: RwSignal::new(None),
        animating: RwSignal::new(false),
        jump_generation: StoredValue::new(0),
    };
    provide_context(replay);
    driver::follow_new_races(state, replay);
    driver::light_up_canvas(state, replay);
    #[cfg(feature = "bench-hooks")]
    bench::start_if_asked(state);

    let dense = Memo::new(move |_| {
        state.race.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.plan.len() > lanes::DENSE_ABOVE)
        })
    });
    // A live race's lane heads carry each lane's spread over the rounds: room for it.
    let live = Memo::new(move |_| state.race.with(|r| r.as_ref().is_some_and(|r| r.live)));
    controls::listen_for_shortcuts(state, replay);
    // Projector mode changes the canvas's size: fit the chain into it again.
    let editor = crate::editor::use_editor();
    Effect::new(move |before: Option<bool>| {
        let on = replay.projector.get();
        if before.is_some_and(|b| b != on) {
            editor.fit();
        }
        on
    });
    view! {
        <section
            class="timeline race-pane"
            class:dense=move || dense.get()
            class:live=move || live.get()
            class:reduced-motion=move || replay.reduced_motion()
            data-testid="timeline"
            data-animating=move || replay.animating.get().to_string()
            aria-labelledby="race-title"
            tabindex="0"
        >
            <div class="race-head">
                <h2 id="race-title">"The race"</h2>
                <controls::Playback />
            </div>
            <div class="race-body">
                <div class="lanes" data-testid="lanes">
                    <lanes::Lanes />
                </div>
                // Beside the lanes, so opening any of it never moves them.
                <div class="rail" data-testid="rail">
                    <panels::Verdict />
                    <panels::WarmUps />
                    <panels::RoundPicker />
                    <panels::Caption />
                    <panels::Details />
                    <crate::network_panel::RunReport />
                    <panels::Figures />
                    <crate::analysis::AnalysisPanel />
                    <panels::TableView />
                    <controls::ModePicker />
                    <controls::Motion />
                    <lanes::Legend />
                    <controls::Exports />
                </div>
            </div>
        </section>
    }
}
