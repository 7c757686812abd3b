//! The lanes: one per mode on one shared time axis, a row per step, the bars of its
//! attempts cut at the cursor, and the reference lines.

use super::{ms, percent, use_replay};
use crate::state::use_app_state;
use chainlab_core::race::{ticks, SegmentKind};
use chainlab_core::{Mode, Time};
use leptos::prelude::*;

/// Above this many steps rows become thin stripes without labels.
pub const DENSE_ABOVE: usize = 40;

#[component]
pub fn Legend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label="What the bars mean">
            {SegmentKind::ALL
                .iter()
                .map(|kind| {
                    view! {
                        <li class="key">
                            <span class=format!("swatch bar {}", kind.name()) aria-hidden="true">
                                <span class="mark">{kind.mark()}</span>
                            </span>
                            {kind.label()}
                        </li>
                    }
                })
                .collect_view()}
            <li class="key">
                <span class="swatch critical-key" aria-hidden="true"></span>
                "critical path (bold)"
            </li>
            <li class="key">
                <span class="swatch ideal-key" aria-hidden="true"></span>
                "ideal: critical path"
            </li>
            <li class="key">
                <span class="swatch bound-key" aria-hidden="true"></span>
                "lower bound under the limit"
            </li>
        </ul>
    }
}

/// The rows of a race: set once per race, so animation never rebuilds them.
#[derive(Clone, PartialEq)]
struct Layout {
    modes: Vec<Mode>,
    /// Step index, label and whether it is on the critical path, in run order.
    rows: Vec<(usize, String, bool)>,
    ideal: Time,
    bound: Time,
}

#[component]
pub fn Lanes() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    let identity = Memo::new(move |_| {
        (
            state.race_id.get(),
            state.race.with(|r| r.as_ref().map(|r| r.modes())),
        )
    });
    let layout = Memo::new(move |_| {
        // Read (not just tracked) so the identity memo runs and keeps its sources.
        let _ = identity.get();
        state.race.with_untracked(|race| {
            let race = race.as_ref()?;
            let critical = race.on_critical_path();
            Some(Layout {
                modes: race.modes(),
                rows: race
                    .plan
                    .order()
                    .iter()
                    .map(|&i| (i, race.plan.step(i).label.clone(), critical[i]))
                    .collect(),
                ideal: race.critical_path_ms(),
                bound: race.lower_bound_ms(),
            })
        })
    });
    let axis = Memo::new(move |_| {
        let t = replay.shown.get();
        state
            .race
            .with(|r| r.as_ref().map_or(1.0, |r| r.axis_ms(t)))
    });
    move || {
        match layout.get() {
        None => view! {
            <p class="empty-race">
                "Press Run to race the chain in the chosen modes. Each mode gets a lane; "
                "all lanes share one time axis, so the shortest lane is the fastest mode."
            </p>
        }
        .into_any(),
        Some(layout) => view! {
            <Axis axis=axis />
            {layout
                .modes
                .iter()
                .enumerate()
                .map(|(at, &mode)| view! { <LaneView at=at mode=mode layout=layout.clone() axis=axis /> })
                .collect_view()}
        }
        .into_any(),
    }
    }
}

#[component]
fn Axis(axis: Memo<Time>) -> impl IntoView {
    view! {
        <div class="row axis" aria-hidden="true">
            <span class="step-label">"time →"</span>
            <div class="track">
                {move || {
                    let axis = axis.get();
                    ticks(axis, 8)
                        .into_iter()
                        .map(|t| view! { <span class="tick" style:left=percent(t, axis)>{ms(t)}</span> })
                        .collect_view()
                }}
            </div>
        </div>
    }
}

#[component]
fn LaneView(at: usize, mode: Mode, layout: Layout, axis: Memo<Time>) -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    // The lane's figures at the cursor: its clock, and its total once the cursor
    // has reached its finish.
    let head = Memo::new(move |_| {
        let t = replay.shown.get();
        state.race.with(|race| {
            let race = race.as_ref()?;
            let lane = race.lanes.get(at)?;
            lane.origin?;
            let finished = lane.makespan.filter(|&m| m <= t + 0.5);
            let clock = lane.makespan.map_or(t, |m| m.min(t));
            Some((
                clock.round(),
                finished,
                race.speedup(mode),
                race.predicted(mode),
            ))
        })
    });
    let total = move || {
        head.get()
            .and_then(|(_, finished, _, _)| finished)
            .map(ms)
            .unwrap_or_else(|| "—".into())
    };
    let clock = move || head.get().map(|(clock, ..)| ms(clock)).unwrap_or_default();
    let speedup = move || {
        head.get()
            .and_then(|(_, finished, speedup, _)| finished.and(speedup))
            .filter(|_| mode != Mode::Sequential)
            .map(|s| format!("{s:.2}× faster than sequential"))
    };
    let predicted = move || head.get().and_then(|(.., p)| p).map(ms).unwrap_or_default();
    let finish_line = move || {
        let axis = axis.get();
        head.get().and_then(|(_, finished, ..)| finished).map(|m| {
            view! {
                <span class="finish-line" style:left=percent(m, axis)>
                    <span class="finish-label">{format!("finished {}", ms(m))}</span>
                </span>
            }
        })
    };
    let (ideal, bound) = (layout.ideal, layout.bound);
    let rows = layout
        .rows
        .into_iter()
        .map(|(i, label, critical)| view! { <StepRow lane=at mode=mode step=i label=label critical=critical axis=axis /> })
        .collect_view();
    view! {
        <div class=format!("lane {}", mode.name()) data-mode=mode.name()>
            <div class="lane-head">
                <h3>{mode.name()}</h3>
                <span class="explain">{mode.explanation()}</span>
                <span class="figures">
                    <span class="clock" data-testid=format!("clock-{}", mode.name())>{clock}</span>
                    " total "
                    <strong class="total" data-testid=format!("total-{}", mode.name())>{total}</strong>
                    {move || speedup().map(|s| view! { <span class="speedup">{s}</span> })}
                    <span class="predicted">"engine predicts " {predicted}</span>
                </span>
            </div>
            <div class="lane-body">
                {rows}
                <div class="overlay" aria-hidden="true">
                    <span
                        class="ref ideal"
                        style:left=move || percent(ideal, axis.get())
                        title=format!("ideal (critical path): {}", ms(ideal))
                    ></span>
                    {(bound > ideal + 0.5)
                        .then(|| {
                            view! {
                                <span
                                    class="ref bound"
                                    style:left=move || percent(bound, axis.get())
                                    title=format!("lower bound under the limit: {}", ms(bound))
                                ></span>
                            }
                        })}
                    {finish_line}
                    <span class="cursor-line" style:left=move || percent(replay.shown.get(), axis.get())></span>
                </div>
            </div>
        </div>
    }
}

#[component]
fn StepRow(
    lane: usize,
    mode: Mode,
    step: usize,
    label: String,
    critical: bool,
    axis: Memo<Time>,
) -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    let bar = Memo::new(move |_| {
        let t = replay.shown.get();
        state.race.with(|race| {
            race.as_ref()
                .and_then(|r| r.lanes.get(lane))
                .map(|l| l.bar(step, t))
                .unwrap_or_default()
        })
    });
    let select = move |_| replay.selected.set(Some((mode, step)));
    let selected = move || replay.selected.get() == Some((mode, step));
    let bars = move || {
        let axis = axis.get();
        bar.with(|segments| {
            segments
                .iter()
                .map(|s| {
                    view! {
                        <span
                            class=format!("bar {}", s.kind.name())
                            data-kind=s.kind.name()
                            data-start=format!("{:.0}", s.start)
                            data-end=format!("{:.0}", s.end)
                            data-attempt=s.attempt + 1
                            style:left=percent(s.start, axis)
                            style:width=percent(s.end - s.start, axis)
                        >
                            <span class="mark">{s.kind.mark()}</span>
                        </span>
                    }
                })
                .collect_view()
        })
    };
    let title = format!("{label}: click for what went in and came out");
    view! {
        <div class="row" class:critical=critical class:selected=selected data-step=step>
            <button class="step-label" title=title.clone() on:click=select>
                {label}
            </button>
            <div class="track" on:click=select title=title>{bars}</div>
        </div>
    }
}
