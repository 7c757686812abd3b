//! The page: pick a chain, run it in all three modes at once, watch them race.

use crate::diagram::ChainDiagram;
use crate::race_runner::{describe_problems, start_race};
use crate::state::{use_app_state, AppState};
use crate::timeline::Timeline;
use chainlab_core::gallery;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new(gallery::research_assistant());
    provide_context(state);
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
            <p class="description">{move || state.chain.with(|c| c.description.clone())}</p>
            {move || state.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || {
                describe_problems(&state.plan.get())
                    .map(|message| view! { <p class="error" role="alert">{message}</p> })
            }}
            <ChainDiagram />
            <Timeline />
        </main>
    }
}

#[component]
fn Toolbar() -> impl IntoView {
    let state = use_app_state();
    let running = Memo::new(move |_| state.running());
    let chosen = RwSignal::new(gallery::EXAMPLES[0].key.to_string());
    let choose = move |key: String| {
        if let Some(chain) = gallery::example(&key) {
            state.replace_chain(chain);
            chosen.set(key);
        }
    };
    view! {
        <section class="controls" aria-label="Chain and run">
            <label class="picker">
                "Chain "
                <select
                    data-testid="chain-select"
                    prop:value=move || chosen.get()
                    disabled=move || running.get()
                    on:change=move |ev| choose(event_target_value(&ev))
                >
                    {gallery::EXAMPLES
                        .iter()
                        .map(|e| view! { <option value=e.key>{(e.chain)().name}</option> })
                        .collect_view()}
                </select>
            </label>
            <button
                data-testid="run"
                class="run"
                disabled=move || running.get() || state.plan.with(Result::is_err)
                on:click=move |_| start_race(state)
            >
                {move || if running.get() { "Running…" } else { "▶ Run all three modes" }}
            </button>
            <span class="note">"Simulated: no key, no network. Same result every time."</span>
        </section>
    }
}
