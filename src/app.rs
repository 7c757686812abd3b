//! The page: pick a chain, run it in all three modes at once, watch them race.

use crate::editor::{listen_for_shortcuts, storage, use_editor, ChainEditor, Editor, GalleryPanel};
use crate::network_panel::NetworkPanel;
use crate::race_runner::{describe_problems, start_race};
use crate::share::SharePanel;
use crate::state::{use_app_state, AppState};
use crate::timeline::Timeline;
use chainlab_core::editor::gallery;
use chainlab_core::Plan;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let (chain, loaded, unreadable) = storage::restore();
    let state = AppState::new(chain);
    provide_context(state);
    let editor = Editor::new(state, loaded);
    provide_context(editor);
    state.error.set(unreadable);
    listen_for_shortcuts(editor);
    view! {
        <header class="masthead">
            <h1>"ChainLab"</h1>
            <p class="tagline">
                "The same chain of LLM and API steps, run three ways at once. "
                "Independent steps can run at the same time; only a step that needs "
                "another step's output has to wait for it."
            </p>
        </header>
        <main>
            <Toolbar />
            <SharePanel />
            <NetworkPanel />
            <p class="description">{move || state.chain.with(|c| c.description.clone())}</p>
            {move || state.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || {
                describe_problems(&state.plan.get())
                    .map(|message| view! { <p class="error" role="alert">{message}</p> })
            }}
            {move || {
                state.plan.with(|plan| plan.as_ref().ok().and_then(Plan::output_warning)).map(|warning| {
                    view! { <p class="warning" data-testid="output-warning" role="status">{warning}</p> }
                })
            }}
            <GalleryPanel />
            <ChainEditor />
            <Timeline />
        </main>
    }
}

#[component]
fn Toolbar() -> impl IntoView {
    let state = use_app_state();
    let running = Memo::new(move |_| state.running());
    let editor = use_editor();
    view! {
        <section class="controls" aria-label="Chain and run">
            <label class="picker">
                "Chain "
                <select
                    data-testid="chain-select"
                    prop:value=move || editor.loaded.get().unwrap_or("")
                    disabled=move || running.get()
                    on:change=move |ev| editor.load(&event_target_value(&ev))
                >
                    <option value="" disabled>"Your own chain (edited)"</option>
                    {gallery::EXAMPLES
                        .iter()
                        .map(|e| view! { <option value=e.key>{(e.chain)().name}</option> })
                        .collect_view()}
                </select>
            </label>
            <button
                data-testid="run"
                class="run"
                disabled=move || {
                    running.get() || state.plan.with(Result::is_err) || state.modes.with(Vec::is_empty)
                }
                on:click=move |_| start_race(state)
            >
                {move || {
                    let count = state.modes.with(Vec::len);
                    match (running.get(), count) {
                        (true, _) => "Running…".to_string(),
                        (false, 3) => "▶ Run all three modes".to_string(),
                        (false, 0) => "Choose a mode to run".to_string(),
                        (false, 1) => "▶ Run the chosen mode".to_string(),
                        (false, _) => format!("▶ Run the {count} chosen modes"),
                    }
                }}
            </button>
        </section>
    }
}
