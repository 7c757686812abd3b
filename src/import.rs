//! What the page says after a chain arrives as text (pasted, or a Mermaid, LangGraph,
//! trace or chain file): where it came from, what was guessed and assumed, and for a
//! trace what it took as it ran. Reading the text and telling the formats apart is the
//! core's (`chainlab_core::io::arrival::arrive_text`); this shows its report and applies
//! the report's two offers, every assumed latency at once and a guessed kind put right,
//! as undoable edits.

use crate::editor::{use_editor, EditKind};
use chainlab_core::io::arrival::{self, Assumed, ImportReport, Replay};
use chainlab_core::io::import::{self, GuessedKind, Note};
use chainlab_core::model::LatencyModel;
use chainlab_core::StepId;
use leptos::prelude::*;

/// The last import's report, with how long reading the text took in the page.
#[derive(Clone, Copy)]
pub struct Imports {
    pub report: RwSignal<Option<(ImportReport, f64)>>,
}

pub fn provide() -> Imports {
    let imports = Imports {
        report: RwSignal::new(None),
    };
    provide_context(imports);
    imports
}

pub fn use_imports() -> Imports {
    expect_context::<Imports>()
}

/// The median a latency model is described by, for the "all at once" fields.
fn median_ms(latency: LatencyModel) -> u32 {
    match latency {
        LatencyModel::Fixed { ms } => ms,
        LatencyModel::Uniform { min_ms, max_ms } => min_ms / 2 + max_ms / 2,
        LatencyModel::LogNormal { median_ms, .. } => median_ms,
    }
}

/// `latency` with its median moved to `ms`, its shape kept.
fn with_median(latency: LatencyModel, ms: u32) -> LatencyModel {
    match latency {
        LatencyModel::Fixed { .. } => LatencyModel::Fixed { ms },
        LatencyModel::Uniform { min_ms, max_ms } => {
            let half = max_ms.saturating_sub(min_ms) / 2;
            LatencyModel::Uniform {
                min_ms: ms.saturating_sub(half),
                max_ms: ms.saturating_add(half),
            }
        }
        LatencyModel::LogNormal { sigma, .. } => LatencyModel::LogNormal {
            median_ms: ms,
            sigma,
        },
    }
}

/// Above the canvas after an import; gone when a gallery chain is picked or it is
/// dismissed.
#[component]
pub fn ImportNotice() -> impl IntoView {
    let imports = use_imports();
    let editor = use_editor();
    // A Memo: every edit sets `loaded` again, which must not redraw (and close) the report.
    let own_chain = Memo::new(move |_| editor.loaded.get().is_none());
    move || {
        if !own_chain.get() {
            return None;
        }
        imports
            .report
            .get()
            .map(|(report, ms)| view! { <Report report ms /> })
    }
}

#[component]
fn Report(report: ImportReport, ms: f64) -> impl IntoView {
    let imports = use_imports();
    let ImportReport {
        format,
        name,
        notes,
        guessed,
        assumed,
        replay,
    } = report;
    // The replay's words say these, with the figures.
    let notes: Vec<String> = notes
        .iter()
        .filter(|n| !matches!(n, Note::TimeBetweenSpans { .. } | Note::AsItRan))
        .map(ToString::to_string)
        .collect();
    view! {
        <section class="import-report" data-testid="import-report" aria-labelledby="import-report-title">
            <div class="import-report-head">
                <h2 id="import-report-title">
                    "Imported “" <span data-testid="import-name">{name}</span> "” from a "
                    <span data-testid="import-format">{format.name()}</span>
                </h2>
                <span class="import-time" data-testid="import-time" data-ms=format!("{ms:.3}")>
                    {format!("read in {ms:.1} ms (measured in this page)")}
                </span>
                <button data-testid="import-report-close" on:click=move |_| imports.report.set(None)>
                    "Dismiss"
                </button>
            </div>
            {replay.map(|replay| view! { <ReplayLine replay /> })}
            <ul class="import-notes">
                {notes
                    .into_iter()
                    .map(|note| view! { <li data-testid="import-note">{note}</li> })
                    .collect_view()}
            </ul>
            {assumed.map(|assumed| view! { <AssumedLatencies assumed /> })}
            {(!guessed.is_empty()).then(|| view! { <Guesses guessed /> })}
        </section>
    }
}

#[component]
fn ReplayLine(replay: Replay) -> impl IntoView {
    view! {
        <p
            class="import-replay"
            data-testid="import-as-it-ran"
            data-as-it-ran-ms=replay.as_it_ran_ms
            data-trace-ms=replay.trace_ms
        >
            {replay.words()}
        </p>
    }
}

/// The assumed latencies of every model and every HTTP step, changed in one edit.
#[component]
fn AssumedLatencies(assumed: Assumed) -> impl IntoView {
    let editor = use_editor();
    let llm = RwSignal::new(median_ms(assumed.llm).to_string());
    let http = RwSignal::new(median_ms(assumed.http).to_string());
    let status = RwSignal::new(None::<String>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let read = |text: String, kind: &str| {
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|ms| u64::from(*ms) <= chainlab_core::model::MAX_LATENCY_MS)
                .ok_or(format!(
                    "The {kind} latency should be a whole number of milliseconds, 0 or more."
                ))
        };
        let (llm_ms, http_ms) = match (
            read(llm.get_untracked(), "LLM"),
            read(http.get_untracked(), "HTTP"),
        ) {
            (Ok(l), Ok(h)) => (l, h),
            (Err(e), _) | (_, Err(e)) => {
                status.set(Some(e));
                return;
            }
        };
        let chosen = Assumed {
            llm: with_median(assumed.llm, llm_ms),
            http: with_median(assumed.http, http_ms),
        };
        let mut changed = 0;
        editor.edit(EditKind::Graph, |chain| {
            changed = arrival::set_assumed(chain, chosen);
        });
        status.set(Some(match changed {
            0 => "No step changed: they all have these latencies already.".into(),
            1 => "1 step changed (undo with Ctrl+Z).".into(),
            n => format!("{n} steps changed (undo with Ctrl+Z)."),
        }));
    };
    view! {
        // novalidate: the page says what is wrong in words, not the browser in a bubble.
        <form class="import-assumed" data-testid="assumed-latency" novalidate on:submit=apply>
            <span>"Assumed latency, for all steps at once: "</span>
            <label>
                "every LLM step "
                <input
                    type="number"
                    min="0"
                    step="1"
                    inputmode="numeric"
                    data-testid="assumed-llm-ms"
                    prop:value=move || llm.get()
                    on:input=move |ev| llm.set(event_target_value(&ev))
                />
                " ms"
            </label>
            <label>
                ", every HTTP step "
                <input
                    type="number"
                    min="0"
                    step="1"
                    inputmode="numeric"
                    data-testid="assumed-http-ms"
                    prop:value=move || http.get()
                    on:input=move |ev| http.set(event_target_value(&ev))
                />
                " ms (median) "
            </label>
            <button type="submit" data-testid="assumed-apply">"Apply to all steps"</button>
            " "
            <span role="status" data-testid="assumed-status">{move || status.get()}</span>
        </form>
    }
}

/// Each step whose kind was guessed, with its kind now and a button for the other.
/// Drawn only when opened: an imported graph may have hundreds of steps.
#[component]
fn Guesses(guessed: Vec<(StepId, GuessedKind)>) -> impl IntoView {
    let editor = use_editor();
    let open = RwSignal::new(false);
    let count = guessed.len();
    let guessed = StoredValue::new(guessed);
    view! {
        <details class="import-guesses" data-testid="import-guesses">
            // A click (or Enter) on the summary opens and closes the details; the
            // toggle event would be simpler but does not bubble to leptos' handlers.
            <summary on:click=move |_| open.update(|o| *o = !*o)>
                {format!(
                    "{count} {} guessed from {} names: check or change them",
                    if count == 1 { "kind" } else { "kinds" },
                    if count == 1 { "its" } else { "their" },
                )}
            </summary>
            <Show when=move || open.get()>
                <ul>
                    {guessed
                        .get_value()
                        .into_iter()
                        .map(|(id, guess)| {
                            let now = Memo::new({
                                let id = id.clone();
                                move |_| {
                                    editor.app.chain.with(|c| {
                                        c.steps
                                            .iter()
                                            .find(|s| s.id == id)
                                            .and_then(|s| GuessedKind::of(&s.kind))
                                    })
                                }
                            });
                            let testid = format!("guess-{id}");
                            let shown = id.to_string();
                            move || {
                                now.get()
                                    .map(|kind| {
                                        let id = id.clone();
                                        let how = if kind == guess { "guessed" } else { "changed from the guess" };
                                        view! {
                                            <li>
                                                <span class="import-guess-step">{shown.clone()}</span>
                                                {format!(": {} ({how}) ", kind.label())}
                                                <button
                                                    data-testid=testid.clone()
                                                    on:click=move |_| {
                                                        editor.edit(EditKind::Graph, |c| {
                                                            import::change_kind(c, &id, kind.other());
                                                        });
                                                    }
                                                >
                                                    {format!("Make it {}", kind.other().label())}
                                                </button>
                                            </li>
                                        }
                                    })
                            }
                        })
                        .collect_view()}
                </ul>
            </Show>
        </details>
    }
}
