//! Slack by the critical path method: a mark on every canvas node, the figures and a
//! what-if for the step in the inspector, and the step whose speed-up helps most.
//! All of it uses the latencies of the race on the page (the simulator's first
//! attempt of each step).

use crate::state::{use_app_state, AppState};
use chainlab_core::analysis::{
    best_speed_up, ms, planned_latencies, slack, what_if, StepSlack, NO_SPEED_UP,
};
use chainlab_core::editor::layout::{NODE_HEIGHT, NODE_WIDTH};
use chainlab_core::{Millis, StepId};
use leptos::prelude::*;
use std::collections::HashMap;

/// Every step's slack, by id, shared by the canvas nodes: worked out once per chain
/// change, not once per node.
#[derive(Clone, Copy)]
struct SlackMarks(Memo<HashMap<StepId, StepSlack>>);

/// Call in the canvas, before its nodes are drawn.
pub fn provide_slack_marks(state: AppState) {
    let marks = Memo::new(move |_| {
        state.plan.with(|plan| {
            let Ok(plan) = plan else {
                return HashMap::new();
            };
            let found = slack(plan, &planned_latencies(plan));
            plan.chain()
                .steps
                .iter()
                .map(|s| s.id.clone())
                .zip(found.steps)
                .collect()
        })
    });
    provide_context(SlackMarks(marks));
}

/// The words of step `id`'s slack mark, for its node's accessible name (what is drawn
/// must also be what is said). Call where the node is created.
pub fn slack_mark_words(id: StepId) -> Signal<Option<String>> {
    let marks = use_context::<SlackMarks>();
    Signal::derive(move || {
        marks.and_then(|m| m.0.with(|m| m.get(&id).map(|s| s.mark().to_string())))
    })
}

/// The slack mark in a canvas node: "critical" with a bold outline, or "slack 100 ms".
#[component]
pub fn SlackMark(id: StepId) -> impl IntoView {
    let marks = use_context::<SlackMarks>();
    let testid = format!("slack-{id}");
    let mine = Memo::new(move |_| marks.and_then(|m| m.0.with(|m| m.get(&id).copied())));
    move || {
        mine.get().map(|s| {
            let critical = s.is_critical();
            view! {
                <g class="slack-mark" class:critical=critical>
                    <title>{s.label()}</title>
                    {critical.then(|| view! {
                        <rect class="critical-ring" x="-3" y="-3" width=NODE_WIDTH + 6.0 height=NODE_HEIGHT + 6.0 rx="10"></rect>
                    })}
                    <text x=NODE_WIDTH - 10.0 y=NODE_HEIGHT - 8.0 text-anchor="end" data-testid=testid.clone()>
                        {s.mark()}
                    </text>
                </g>
            }
        })
    }
}

/// For the step in the inspector: its earliest and latest start, its slack, and a
/// what-if that changes nothing in the chain.
#[component]
pub fn StepAnalysis(id: StepId) -> impl IntoView {
    let state = use_app_state();
    let figures = Memo::new(move |_| {
        state.plan.with(|plan| {
            let plan = plan.as_ref().ok()?;
            let i = plan.index_of(&id)?;
            let latency = planned_latencies(plan);
            let s = slack(plan, &latency).steps[i];
            Some((i, latency[i], s))
        })
    });
    // The latency tried in the what-if; `None` until the person moves it.
    let tried = RwSignal::new(None::<Millis>);
    let answer = Memo::new(move |_| {
        let (i, own, _) = figures.get()?;
        state.plan.with(|plan| {
            let plan = plan.as_ref().ok()?;
            let latency = planned_latencies(plan);
            Some(what_if(plan, &latency, i, tried.get().unwrap_or(own)).label(plan))
        })
    });
    let set_tried = move |ev: leptos::ev::Event| {
        if let Some(ms) = chainlab_core::number::parse_f64(event_target_value(&ev).trim()) {
            tried.set(Some(ms.max(0.0).round() as Millis));
        }
    };
    move || {
        figures.get().map(|(_, own, s)| {
            // Room to try up to three times as long, and always at least a second.
            let most = (own * 3).max(1_000);
            let shown = move || tried.get().unwrap_or(own).to_string();
            view! {
                <section class="step-analysis" aria-label="Slack and what-if">
                    <h3>"Slack (critical path method)"</h3>
                    <div data-testid="step-slack" class:critical=s.is_critical()>
                        <dl>
                            <dt>"earliest start"</dt>
                            <dd>{ms(s.earliest_start)}</dd>
                            <dt>"latest start"</dt>
                            <dd>{ms(s.latest_start)}</dd>
                            <dt>"slack"</dt>
                            <dd data-testid="step-slack-value">{ms(s.slack)}</dd>
                            <dt>"critical"</dt>
                            <dd>{if s.is_critical() { "yes: on the critical path" } else { "no" }}</dd>
                        </dl>
                        <p class="hint">{s.label()}</p>
                    </div>
                    <label class="what-if-field">
                        <span>"What if this step took"</span>
                        <input
                            type="range"
                            data-testid="what-if-slider"
                            min="0"
                            max=most
                            step="10"
                            prop:value=shown
                            on:input=set_tried
                        />
                        <input
                            type="number"
                            data-testid="what-if-ms"
                            min="0"
                            prop:value=shown
                            on:input=set_tried
                        />
                        " ms?"
                    </label>
                    <p class="what-if" data-testid="what-if" aria-live="polite">{move || answer.get()}</p>
                    <p class="hint">"Only a what-if: the chain keeps its latencies."</p>
                </section>
            }
        })
    }
}

/// "Halving B helps most", for the whole chain.
#[component]
pub fn BestSpeedUp() -> impl IntoView {
    let state = use_app_state();
    let words = Memo::new(move |_| {
        state.plan.with(|plan| {
            let plan = plan.as_ref().ok().filter(|p| !p.is_empty())?;
            Some(
                best_speed_up(plan, &planned_latencies(plan))
                    .map_or_else(|| NO_SPEED_UP.to_string(), |best| best.label(plan)),
            )
        })
    });
    move || {
        words.get().map(|words| {
            view! {
                <p class="best-speed-up">
                    <strong>"The step whose speed-up helps most: "</strong>
                    <span data-testid="best-speed-up">{words}</span>
                    " Click a step on the canvas for its slack and to try another latency."
                </p>
            }
        })
    }
}
