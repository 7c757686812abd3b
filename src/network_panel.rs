//! The run's network controls (simulated or live, concurrency limit, time-out,
//! retries, failure policy, Cancel) and the settings panel for providers and keys.

use crate::choice_select::ChoiceSelect;
use crate::editor::{EditKind, Editor};
use crate::network::{masked, test_connection, Provider};
use crate::state::use_app_state;
use chainlab_core::editor::edit;
use chainlab_core::race::rounds::{clamp_rounds, MAX_ROUNDS};
use chainlab_core::race::session::BROWSER_CONNECTIONS_PER_ORIGIN;
use chainlab_core::steps::providers::Preset;
use chainlab_core::Choice;
use leptos::prelude::*;

/// Simulated or live: in the toolbar, since it changes what Run does.
#[component]
pub fn RunKind() -> impl IntoView {
    let state = use_app_state();
    let net = state.network;
    let running = Memo::new(move |_| state.running());
    view! {
        <div class="run-kind" role="group" aria-label="Run on">
            <button
                data-testid="mode-simulated"
                aria-pressed=move || (!net.live.get()).to_string()
                disabled=move || running.get()
                title="The built-in simulator: no key, no network"
                on:click=move |_| net.live.set(false)
            >
                "Simulated"
            </button>
            <button
                data-testid="mode-live"
                aria-pressed=move || net.live.get().to_string()
                disabled=move || running.get()
                title="Call the configured endpoints (More → run options and keys)"
                on:click=move |_| net.live.set(true)
            >
                "Live network"
            </button>
        </div>
    }
}

/// Stops every request in flight: beside Run, where it is needed.
#[component]
pub fn CancelButton() -> impl IntoView {
    let state = use_app_state();
    let net = state.network;
    let running = Memo::new(move |_| state.running());
    view! {
        <button
            data-testid="cancel"
            class="cancel"
            disabled=move || !running.get()
            on:click=move |_| net.cancel()
        >
            "■ Cancel"
        </button>
    }
}

/// How a run meets the network: limit, time-out, retries, failure policy, and the
/// providers and keys (in the drawer).
#[component]
pub fn RunOptions() -> impl IntoView {
    let state = use_app_state();
    let net = state.network;
    let set_limit = move |text: String| {
        net.limit
            .set(text.trim().parse::<usize>().ok().filter(|&k| k > 0));
    };
    let set_timeout = move |text: String| {
        net.timeout_s
            .set(text.trim().parse::<u32>().ok().filter(|&s| s > 0));
    };
    view! {
        <section class="network drawer-section" aria-labelledby="run-options">
            <h3 id="run-options">"Run options"</h3>
            <p class="note" data-testid="run-kind-note">
                {move || {
                    if net.live.get() {
                        let projected = if net.project_sequential.get() {
                            " The sequential lane is projected from the measured step times, not run."
                        } else {
                            ""
                        };
                        format!(
                            "Live: LLM and HTTP steps call their endpoints, one mode after another, in {} round(s) after one warm-up request per endpoint.{projected}",
                            net.rounds.get(),
                        )
                    } else {
                        SIMULATED_NOTE.to_string()
                    }
                }}
            </p>
            <label>
                "At most "
                <input
                    data-testid="concurrency-limit"
                    type="number"
                    min="1"
                    placeholder="∞"
                    size="3"
                    prop:value=move || net.limit.get().map(|k| k.to_string()).unwrap_or_default()
                    on:change=move |ev| set_limit(event_target_value(&ev))
                />
                " steps at once"
            </label>
            <span class="live-only" class:hidden=move || !net.live.get()>
                <label>
                    "Time-out "
                    <input
                        data-testid="timeout"
                        type="number"
                        min="1"
                        size="3"
                        prop:value=move || net.timeout_s.get().map(|s| s.to_string()).unwrap_or_default()
                        on:change=move |ev| set_timeout(event_target_value(&ev))
                    />
                    " s"
                </label>
                <label>
                    <input
                        data-testid="retries"
                        type="checkbox"
                        prop:checked=move || net.retries.get()
                        on:change=move |ev| net.retries.set(event_target_checked(&ev))
                    />
                    " retry 429, 5xx and network errors"
                </label>
                <label>
                    "If a step fails: "
                    <ChoiceSelect
                        testid="on-failure"
                        value=net.on_failure
                        on_pick=Callback::new(move |policy| net.on_failure.set(policy))
                    />
                </label>
                <label>
                    <input
                        data-testid="project-sequential"
                        type="checkbox"
                        prop:checked=move || net.project_sequential.get()
                        on:change=move |ev| net.project_sequential.set(event_target_checked(&ev))
                    />
                    " project the sequential lane from measured times (no second round of calls)"
                </label>
                <label title="Each mode runs once per round, the order rotated each round, after one warm-up request per endpoint that is not counted">
                    "Rounds "
                    <input
                        data-testid="rounds"
                        type="number"
                        min="1"
                        max=MAX_ROUNDS.to_string()
                        size="2"
                        prop:value=move || net.rounds.get().to_string()
                        on:change=move |ev| {
                            // Out of range is brought back within 1 and MAX_ROUNDS; text
                            // that is no number leaves the rounds as they were.
                            let field = event_target::<web_sys::HtmlInputElement>(&ev);
                            if let Ok(n) = field.value().trim().parse::<usize>() {
                                net.rounds.set(clamp_rounds(n));
                            }
                            field.set_value(&net.rounds.get_untracked().to_string());
                        }
                    />
                    {format!(" (1–{MAX_ROUNDS}, the order rotated each round)")}
                </label>
            </span>
            <Settings />
        </section>
    }
}

/// What a simulated run promises, and what it does not: the engine's times are exact
/// and repeat; the bars are drawn from the browser's timers, which add a little.
pub const SIMULATED_NOTE: &str = "Simulated: no key, no network. The engine predicts the same      times on every run; the lanes show what the browser's timers measured, a few ms more      and a little different each time.";

/// What the last live run said about the network, above the work area.
#[component]
pub fn RunReport() -> impl IntoView {
    let net = use_app_state().network;
    view! {
        {move || {
            net.connection_note
                .get()
                .map(|note| {
                    view! {
                        <p class="connection-note" data-testid="connection-note" role="note">
                            {note}
                        </p>
                    }
                })
        }}
        {move || {
            let lines = net.summary.get();
            (!lines.is_empty())
                .then(|| {
                    view! {
                        <ul class="live-summary" data-testid="live-summary" aria-label="Last live run">
                            {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                        </ul>
                    }
                })
        }}
        <Streaming />
    }
}

/// Providers and keys. A key is written once and then shown masked; it is never put
/// back into the page.
#[component]
fn Settings() -> impl IntoView {
    let net = use_app_state().network;
    let change = move |i: usize, edit: &dyn Fn(&mut Provider)| {
        net.providers.update(|ps| {
            if let Some(p) = ps.get_mut(i) {
                edit(p);
            }
        });
        net.save();
    };
    let rows = move || {
        net.providers
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let key_hint = format!("{} (type to replace)", masked(&p.key));
                view! {
                    <fieldset class="provider" data-testid=format!("provider-{i}")>
                        <legend>{format!("Provider {}", i + 1)}</legend>
                        <label>
                            "Name "
                            <input
                                data-testid="provider-name"
                                prop:value=p.name.clone()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    change(i, &|p| p.name = v.trim().to_string());
                                }
                            />
                        </label>
                        <label>
                            "Base URL "
                            <input
                                data-testid="provider-url"
                                size="32"
                                prop:value=p.base_url.clone()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    change(i, &|p| p.base_url = v.trim().to_string());
                                }
                            />
                        </label>
                        <label>
                            "API key "
                            <input
                                data-testid="provider-key"
                                type="password"
                                autocomplete="off"
                                placeholder=key_hint
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    change(i, &|p| p.key = v.trim().to_string());
                                }
                            />
                        </label>
                        <label>
                            "Model "
                            <input
                                data-testid="provider-model"
                                size="24"
                                prop:value=p.model.clone()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    change(i, &|p| p.model = v.trim().to_string());
                                }
                            />
                        </label>
                        {Preset::for_url(&p.base_url)
                            .map(|preset| {
                                view! {
                                    <p class="note" data-testid="provider-note">
                                        {format!("{}: {} {}", preset.label(), preset.key_note(), preset.browser_note())}
                                    </p>
                                }
                            })}
                        <ProviderActions provider=p.clone() />
                        <label>
                            "At most "
                            <input
                                data-testid="provider-limit"
                                type="number"
                                min="1"
                                size="3"
                                placeholder="∞"
                                prop:value=p.limit.map(|k| k.to_string()).unwrap_or_default()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev).trim().parse::<usize>().ok();
                                    change(i, &|p| p.limit = v.filter(|&k| k > 0));
                                }
                            />
                            " at once"
                        </label>
                        <button on:click=move |_| {
                            net.providers.update(|ps| {
                                if i < ps.len() {
                                    ps.remove(i);
                                }
                            });
                            net.save();
                        }>"Remove"</button>
                    </fieldset>
                }
            })
            .collect_view()
    };
    view! {
        <details class="settings" data-testid="settings">
            <summary>"Settings: providers and API keys"</summary>
            <p class="note">
                "An LLM step names a provider: an OpenAI-compatible endpoint (OpenAI, Ollama, "
                "LM Studio, vLLM, llama.cpp, OpenRouter …). Keys stay in this browser and go "
                "only to their provider: never into links, exports, traces or messages. The "
                "mock server (cargo run -p mock-llm) needs no key. Browsers open at most "
                {BROWSER_CONNECTIONS_PER_ORIGIN.to_string()}
                " HTTP/1.1 connections per origin."
            </p>
            <label>
                "Add a provider from a preset "
                <select
                    data-testid="provider-preset"
                    on:change=move |ev| {
                        let target = event_target::<web_sys::HtmlSelectElement>(&ev);
                        if let Some(preset) = Preset::from_key(&target.value()) {
                            net.providers.update(|ps| ps.push(Provider::from_preset(preset)));
                            net.save();
                        }
                        target.set_value("");
                    }
                >
                    <option value="" selected>"Choose…"</option>
                    {Preset::ALL
                        .iter()
                        .map(|&preset| view! { <option value=preset.key()>{preset.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            {rows}
            <button
                data-testid="add-provider"
                on:click=move |_| {
                    net.providers
                        .update(|ps| {
                            ps.push(Provider {
                                name: format!("provider{}", ps.len() + 1),
                                ..Provider::default()
                            });
                        });
                    net.save();
                }
            >
                "+ Add provider"
            </button>
            <label>
                <input
                    data-testid="remember-keys"
                    type="checkbox"
                    prop:checked=move || net.remember.get()
                    on:change=move |ev| {
                        net.remember.set(event_target_checked(&ev));
                        net.save();
                    }
                />
                " Remember on this device (otherwise keys are forgotten when the tab closes)"
            </label>
        </details>
    }
}

/// Test connection, and pointing the chain's LLM steps at this provider.
#[component]
fn ProviderActions(provider: Provider) -> impl IntoView {
    let editor = use_context::<Editor>();
    let result = RwSignal::new(None::<(bool, String)>);
    let testing = RwSignal::new(false);
    let pointed = RwSignal::new(None::<String>);
    let tested = provider.clone();
    let test = move |_| {
        let provider = tested.clone();
        testing.set(true);
        result.set(Some((false, "Testing: one tiny request…".into())));
        leptos::task::spawn_local(async move {
            let found = test_connection(&provider).await;
            let _ = result.try_set(Some((found.worked(), found.to_string())));
            let _ = testing.try_set(false);
        });
    };
    let selected = move || editor.map_or(0, |e| e.selected.with(Vec::len));
    let point = move |_| {
        let Some(editor) = editor else { return };
        let ids = editor.selected.get_untracked();
        let mut changed = 0;
        let done = editor.edit(EditKind::Graph, |chain| {
            changed = edit::point_llm_steps(chain, &ids, &provider.name, &provider.model);
        });
        let whom = if ids.is_empty() { "" } else { " selected" };
        let model = if provider.model.trim().is_empty() {
            String::new()
        } else {
            format!(", model \"{}\"", provider.model.trim())
        };
        let words = match (done, changed) {
            (false, _) => return,
            (true, 0) => format!("No{whom} LLM step needed a change: they already use this provider."),
            (true, n) => format!(
                "{n}{whom} LLM step{} now use{} provider \"{}\"{model}. Undo brings back what they had.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
                provider.name
            ),
        };
        pointed.set(Some(words));
    };
    view! {
        <div class="provider-actions">
            <button data-testid="test-connection" disabled=move || testing.get() on:click=test>
                "Test connection"
            </button>
            <button data-testid="provider-for-all" disabled=move || editor.is_none() on:click=point>
                {move || match selected() {
                    0 => "Use for every LLM step".to_string(),
                    n => format!("Use for the {n} selected steps"),
                }}
            </button>
            {move || {
                result
                    .get()
                    .map(|(worked, words)| {
                        view! {
                            <p
                                class="connection-result"
                                class:worked=worked
                                data-testid="connection-result"
                                role="status"
                            >
                                {words}
                            </p>
                        }
                    })
            }}
            {move || {
                pointed
                    .get()
                    .map(|words| view! { <p class="note" data-testid="provider-for-all-result" role="status">{words}</p> })
            }}
        </div>
    }
}

/// Answers as they stream in: time to first token is where the text starts growing.
/// The list is drawn again only when a step starts streaming; a token changes the text
/// of its own step alone.
#[component]
fn Streaming() -> impl IntoView {
    let net = use_app_state().network;
    move || {
        let answers = net.streaming.get();
        (!answers.is_empty()).then(|| {
            view! {
                <details class="streaming" data-testid="streaming" open>
                    <summary>"Answers streaming in (live)"</summary>
                    <dl>
                        {answers
                            .into_iter()
                            .map(|(step, text)| {
                                // The end of a long answer is where it grows.
                                let tail = move || {
                                    text.with(|text| {
                                        let n = text.chars().count();
                                        text.chars().skip(n.saturating_sub(160)).collect::<String>()
                                    })
                                };
                                view! {
                                    <dt>{step.to_string()}</dt>
                                    <dd data-testid=format!("streaming-{step}")>{tail}</dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                </details>
            }
        })
    }
}
