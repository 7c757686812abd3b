//! The race on one time axis: a lane per mode, a bar per step, totals and speedups.

use crate::state::use_app_state;
use chainlab_core::race::{segments, ticks, Lane, Race};
use chainlab_core::{Mode, Plan, Time};
use leptos::prelude::*;

fn ms(t: Time) -> String {
    format!("{t:.0} ms")
}

fn percent(t: Time, axis: Time) -> String {
    format!("{:.3}%", (t / axis * 100.0).clamp(0.0, 100.0))
}

#[component]
pub fn Timeline() -> impl IntoView {
    let state = use_app_state();
    let drawn = move || {
        let now = state.now.get();
        state.race.with(|race| {
            state.plan.with(|plan| {
                let plan = plan.as_ref().ok()?;
                // Before the first run, empty lanes show what will be compared.
                let not_run;
                let race = match race {
                    Some(race) => race,
                    None => {
                        not_run = Race::new(plan, &Mode::ALL);
                        &not_run
                    }
                };
                let axis = race.axis_ms(now);
                Some(view! {
                    <Axis axis=axis />
                    {race
                        .lanes
                        .iter()
                        .zip(&race.predicted)
                        .map(|(lane, &predicted)| lane_view(plan, race, lane, predicted, axis, now))
                        .collect_view()}
                    <Verdict race=race.clone() />
                })
            })
        })
    };
    view! {
        <section class="timeline" data-testid="timeline" aria-label="Timeline of the three runs">
            <h2>"The race"</h2>
            <Legend />
            {drawn}
        </section>
    }
}

#[component]
fn Axis(axis: Time) -> impl IntoView {
    view! {
        <div class="row axis" aria-hidden="true">
            <span class="step-label">"time →"</span>
            <div class="track">
                {ticks(axis, 8)
                    .into_iter()
                    .map(|t| {
                        view! {
                            <span class="tick" style:left=percent(t, axis)>
                                {ms(t)}
                            </span>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}

fn lane_view(
    plan: &Plan,
    race: &Race,
    lane: &Lane,
    predicted: Time,
    axis: Time,
    now: Time,
) -> impl IntoView {
    let mode = lane.mode;
    let total = lane.makespan.map(ms).unwrap_or_else(|| "—".into());
    let clock = lane
        .origin
        .map(|_| ms(lane.elapsed(now)))
        .unwrap_or_default();
    let speedup = race
        .speedup(mode)
        .filter(|_| mode != Mode::Sequential)
        .map(|s| format!("{s:.2}× faster than sequential"));
    let rows = plan
        .order()
        .iter()
        .map(|&i| {
            let step = plan.step(i);
            // A race drawn for a chain that was just replaced may have fewer steps.
            let bars = match (lane.spans.get(i).and_then(Option::as_ref), lane.origin) {
                (Some(span), Some(origin)) => segments(span, origin, now)
                    .into_iter()
                    .map(|segment| {
                        let title = format!(
                            "{}: {} from {} to {}",
                            step.label,
                            segment.kind.name().replace('-', " "),
                            ms(segment.start),
                            ms(segment.end)
                        );
                        view! {
                            <span
                                class=format!("bar {}", segment.kind.name())
                                style:left=percent(segment.start, axis)
                                style:width=percent(segment.end - segment.start, axis)
                                title=title
                            ></span>
                        }
                    })
                    .collect_view()
                    .into_any(),
                _ => ().into_any(),
            };
            view! {
                <div class="row">
                    <span class="step-label" title=step.label.clone()>{step.label.clone()}</span>
                    <div class="track">{bars}</div>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class=format!("lane {}", mode.name()) data-mode=mode.name()>
            <div class="lane-head">
                <h3>{mode.name()}</h3>
                <span class="explain">{mode.explanation()}</span>
                <span class="figures">
                    <span class="clock" aria-hidden="true">{clock}</span>
                    " total "
                    <strong class="total" data-testid=format!("total-{}", mode.name())>
                        {total}
                    </strong>
                    {speedup.map(|s| view! { <span class="speedup">{s}</span> })}
                    <span class="predicted">"engine predicts " {ms(predicted)}</span>
                </span>
            </div>
            {rows}
            {lane
                .makespan
                .map(|m| {
                    view! {
                        <div class="row finish" aria-hidden="true">
                            <span class="step-label"></span>
                            <div class="track">
                                <span class="finish-line" style:left=percent(m, axis)></span>
                            </div>
                        </div>
                    }
                })}
        </div>
    }
}

#[component]
fn Verdict(race: Race) -> impl IntoView {
    let Some(winner) = race.winner() else {
        return ().into_any();
    };
    let sequential = race.lane(Mode::Sequential).and_then(|l| l.makespan);
    let own = race.lane(winner).and_then(|l| l.makespan);
    let barrier = race
        .lane(Mode::Staged)
        .zip(race.lane(Mode::Eager))
        .and_then(|(s, e)| Some(s.makespan? - e.makespan?))
        .filter(|lost| *lost > 0.5);
    view! {
        <p class="verdict" role="status">
            <strong>{winner.name()}</strong>
            " finished first"
            {own.map(|t| format!(" in {}", ms(t)))}
            {race
                .speedup(winner)
                .zip(sequential)
                .map(|(s, seq)| format!(", {s:.2}× faster than sequential ({}).", ms(seq)))}
            {barrier
                .map(|lost| {
                    format!(
                        " Staged lost {} waiting at barriers for steps it did not need.",
                        ms(lost),
                    )
                })}
        </p>
    }
    .into_any()
}

#[component]
fn Legend() -> impl IntoView {
    view! {
        <p class="legend">
            <span class="key"><span class="swatch done"></span>"running / done"</span>
            <span class="key"><span class="swatch barrier-wait"></span>"ready, held back by the mode (barrier or one-at-a-time)"</span>
            <span class="key"><span class="swatch queued"></span>"ready, waiting for a slot"</span>
        </p>
    }
}
