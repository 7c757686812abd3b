//! The page: pick a chain, run it in all three modes at once, watch them race.

use crate::clock::BrowserClock;
use crate::diagram::ChainDiagram;
use crate::timeline::Timeline;
use chainlab_core::race::Race;
use chainlab_core::{gallery, run, Clock, Mode, Plan, RunOptions, SimulatedRunner};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use std::time::Duration;

/// How often the running clocks and growing bars are redrawn.
const FRAME: Duration = Duration::from_millis(16);

fn load(key: &str) -> Result<Plan, String> {
    let chain = gallery::example(key).ok_or_else(|| format!("There is no chain called {key}."))?;
    Plan::new(chain).map_err(|problems| {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

#[component]
pub fn App() -> impl IntoView {
    let first = gallery::EXAMPLES[0].key;
    let chain_key = RwSignal::new(first.to_string());
    let plan = RwSignal::new(load(first));
    let race =
        RwSignal::new(plan.with_untracked(|p| p.as_ref().ok().map(|p| Race::new(p, &Mode::ALL))));
    let now = RwSignal::new(0.0);
    let error = RwSignal::new(None::<String>);
    let ticker = StoredValue::new(None::<IntervalHandle>);
    let running = Memo::new(move |_| race.with(|r| r.as_ref().is_some_and(Race::is_running)));

    let choose = move |key: String| {
        let loaded = load(&key);
        race.set(loaded.as_ref().ok().map(|p| Race::new(p, &Mode::ALL)));
        plan.set(loaded);
        chain_key.set(key);
    };

    let start = move || {
        let Some(clock) = BrowserClock::new() else {
            error.set(Some(
                "This browser gives the page no performance timer, so runs cannot be timed.".into(),
            ));
            return;
        };
        let Some(current) = plan.get_untracked().ok() else {
            return;
        };
        error.set(None);
        race.set(Some(Race::new(&current, &Mode::ALL)));
        now.set(clock.now());
        let current = Rc::new(current);
        for mode in Mode::ALL {
            let (plan, clock) = (Rc::clone(&current), clock.clone());
            spawn_local(async move {
                let runner = SimulatedRunner {
                    clock: clock.clone(),
                };
                race.update(|r| {
                    if let Some(r) = r {
                        r.start(mode, clock.now());
                    }
                });
                let observe = move |span: &chainlab_core::Span| {
                    race.update(|r| {
                        if let Some(r) = r {
                            r.record(mode, span);
                        }
                    });
                };
                let trace = run(
                    &plan,
                    RunOptions::unlimited(mode),
                    &runner,
                    &clock,
                    &observe,
                )
                .await;
                race.update(|r| {
                    if let Some(r) = r {
                        r.finish(&trace);
                    }
                });
            });
        }
        let tick_clock = clock.clone();
        let handle = set_interval_with_handle(
            move || {
                now.set(tick_clock.now());
                if !running.get_untracked() {
                    if let Some(handle) = ticker.get_value() {
                        handle.clear();
                    }
                }
            },
            FRAME,
        );
        if let Ok(handle) = handle {
            ticker.set_value(Some(handle));
        }
    };

    let description = move || {
        plan.with(|p| match p {
            Ok(p) => p.chain().description.clone(),
            Err(_) => String::new(),
        })
    };

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
            <section class="controls" aria-label="Chain and run">
                <label class="picker">
                    "Chain "
                    <select
                        data-testid="chain-select"
                        prop:value=move || chain_key.get()
                        disabled=move || running.get()
                        on:change=move |ev| choose(event_target_value(&ev))
                    >
                        {gallery::EXAMPLES
                            .iter()
                            .map(|e| {
                                let name = (e.chain)().name;
                                view! { <option value=e.key>{name}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button
                    data-testid="run"
                    class="run"
                    disabled=move || running.get() || plan.with(Result::is_err)
                    on:click=move |_| start()
                >
                    {move || if running.get() { "Running…" } else { "▶ Run all three modes" }}
                </button>
                <span class="note">"Simulated: no key, no network. Same result every time."</span>
            </section>
            <p class="description">{description}</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match plan.get() {
                Ok(p) => {
                    view! {
                        <ChainDiagram plan=p.clone() />
                        <Timeline plan=p race=race now=now />
                    }
                        .into_any()
                }
                Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
            }}
        </main>
    }
}
