//! The lanes: one per mode on one shared time axis, a row per step, the bars of its
//! attempts cut at the cursor, and the reference lines.

use super::{ms, percent, use_replay};
use crate::state::use_app_state;
use chainlab_core::model::TOLERANCE_MS;
use chainlab_core::race::Race;
use chainlab_core::timeline::{ticks, BarKey, Segment, SegmentKind};
use chainlab_core::{Mode, Time};
use leptos::prelude::*;

/// Rows per block of a dense lane (see `LaneView`).
const ROWS_PER_BLOCK: usize = 50;

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
            <li class="key">
                <span class="swatch cursor-key" aria-hidden="true"></span>
                "the moment shown (cursor)"
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
    /// Live, from the measured step times once the race is over; before that `None`:
    /// the simulated latencies predict nothing about real endpoints.
    ideal: Option<Time>,
    bound: Option<Time>,
}

impl Layout {
    fn of(race: &Race) -> Self {
        let critical = race.on_critical_path();
        Layout {
            modes: race.modes(),
            rows: race
                .plan
                .order()
                .iter()
                .map(|&i| (i, race.plan.step(i).label.clone(), critical[i]))
                .collect(),
            ideal: race.critical_path_ms(),
            bound: race.lower_bound_ms(),
        }
    }
}

#[component]
pub fn Lanes() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    let identity = Memo::new(move |_| {
        (
            state.race_id.get(),
            state
                .race
                .with(|r| r.as_ref().map(chainlab_core::Race::modes)),
            // A live race's ideal and critical path arrive with its measured times.
            state
                .race
                .with(|r| r.as_ref().and_then(Race::critical_path_ms)),
        )
    });
    let layout = Memo::new(move |_| {
        // Read (not just tracked) so the identity memo runs and keeps its sources.
        let _ = identity.get();
        state.race.with_untracked(|race| match race {
            Some(race) => Some(Layout::of(race)),
            // Before a run, empty lanes show what will be compared.
            None => state.plan.with(|plan| {
                let plan = plan.as_ref().ok()?;
                Some(Layout::of(&Race::new(plan, &state.modes.get())))
            }),
        })
    });
    let axis = Memo::new(move |_| {
        let t = replay.shown.get();
        state.race.with(|r| match r {
            Some(r) => r.axis_ms(t),
            // Before a run, the axis is the scale of the race the engine predicts.
            None => state.plan.with(|plan| {
                plan.as_ref()
                    .map_or(1.0, |plan| Race::new(plan, &state.modes.get()).axis_ms(0.0))
            }),
        })
    });
    move || match layout.get() {
        None => view! {
            <p class="empty-race">"The chain cannot race until the problems above are fixed."</p>
        }
        .into_any(),
        Some(layout) => {
            let bars = keep_bars_at_cursor(&layout);
            view! {
                <Axis axis=axis />
                {layout
                    .modes
                    .iter()
                    .zip(bars)
                    .enumerate()
                    .map(|(at, (&mode, bars))| {
                        view! { <LaneView at=at mode=mode layout=layout.clone() bars=bars axis=axis /> }
                    })
                    .collect_view()}
            }
            .into_any()
        }
    }
}

/// One signal per row holding its bar at the cursor, by lane then row. One effect
/// recomputes the bars when the cursor moves, skipping rows the move cannot change
/// (before their step was ready, or after it ended, both times), and sets only the
/// signals whose bar changed: a frame touches the few rows that are running, not all
/// of them. Span changes show up at the next frame: the cursor moves every frame
/// while a run is followed.
fn keep_bars_at_cursor(layout: &Layout) -> Vec<Vec<RwSignal<Vec<Segment>>>> {
    let state = use_app_state();
    let replay = use_replay();
    let bars: Vec<Vec<RwSignal<Vec<Segment>>>> = layout
        .modes
        .iter()
        .map(|_| {
            layout
                .rows
                .iter()
                .map(|_| RwSignal::new(Vec::new()))
                .collect()
        })
        .collect();
    let steps: Vec<usize> = layout.rows.iter().map(|&(i, ..)| i).collect();
    let rows = bars.clone();
    // Per row: what its bar was last computed from, and at which time.
    let mut seen: Vec<Vec<Option<(BarKey, Time)>>> = layout
        .modes
        .iter()
        .map(|_| vec![None; steps.len()])
        .collect();
    Effect::new(move |_| {
        let t = replay.shown.get();
        state.race.with_untracked(|race| {
            let Some(race) = race else { return };
            for ((lane, signals), seen) in race.lanes.iter().zip(&rows).zip(&mut seen) {
                for ((&step, signal), seen) in steps.iter().zip(signals).zip(seen.iter_mut()) {
                    let key = lane.bar_key(step);
                    let unchanged =
                        seen.is_some_and(|(k, at)| k == key && lane.bar_same_at(step, at, t));
                    if unchanged {
                        continue;
                    }
                    *seen = Some((key, t));
                    let bar = lane.bar(step, t);
                    if signal.with_untracked(|old| *old != bar) {
                        signal.set(bar);
                    }
                }
            }
        });
    });
    bars
}

#[component]
fn Axis(axis: Memo<Time>) -> impl IntoView {
    let replay = use_replay();
    view! {
        <div class="row axis" aria-hidden="true">
            <span class="step-label">"time →"</span>
            <div class="track">
                {move || {
                    let axis = axis.get();
                    // Projector type is big: fewer ticks, so their labels do not collide.
                    let count = if replay.projector.get() { 5 } else { 8 };
                    ticks(axis, count)
                        .into_iter()
                        .map(|t| {
                            // A label near the right end is written to the left of its line,
                            // so it is not cut off at the edge of the lane.
                            let near_end = t > axis * 0.85;
                            view! {
                                <span class="tick" class:near-end=near_end style:left=percent(t, axis)>
                                    {ms(t)}
                                </span>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </div>
    }
}

#[component]
fn LaneView(
    at: usize,
    mode: Mode,
    layout: Layout,
    bars: Vec<RwSignal<Vec<Segment>>>,
    axis: Memo<Time>,
) -> impl IntoView {
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
            let finished = lane.makespan.filter(|&m| m <= t + TOLERANCE_MS);
            let clock = lane.makespan.map_or(t, |m| m.min(t));
            Some((clock.round(), finished, race.speedup(mode)))
        })
    });
    // Whether the lane was projected, not run; whether the sequential lane was; and
    // a live lane's makespans over its rounds.
    let marks = Memo::new(move |_| {
        state.race.with(|race| {
            let race = race.as_ref()?;
            let projected = |m| race.lane(m).is_some_and(|l| l.projected);
            let spread = race.live.then(|| race.spread(mode)).flatten();
            Some((projected(mode), projected(Mode::Sequential), spread))
        })
    });
    let projected = move || marks.get().is_some_and(|(p, ..)| p);
    let sequential_projected = move || marks.get().is_some_and(|(_, p, _)| p);
    // The spread in parts that each stay on one line, so a narrow lane head breaks
    // it between them: "median 770 ms,", "767–785 ms", "(3 rounds)".
    let spread = move || {
        let (projected, _, spread) = marks.get()?;
        let s = spread?;
        let mut parts = Vec::with_capacity(4);
        if projected {
            parts.push("projected:".to_string());
        }
        if s.rounds == 1 {
            parts.extend(["1 round:".to_string(), ms(s.median), "(no spread)".into()]);
        } else {
            parts.push(format!("median {},", ms(s.median)));
            parts.push(format!("{:.0}–{}", s.min, ms(s.max)));
            parts.push(format!("({} rounds)", s.rounds));
        }
        Some(parts)
    };
    let finished = move || head.get().and_then(|(_, finished, _)| finished);
    let total = move || finished().map(ms).unwrap_or_else(|| "—".into());
    let clock = move || head.get().map(|(clock, ..)| ms(clock)).unwrap_or_default();
    let speedup = move || {
        head.get()
            .and_then(|(_, finished, speedup)| finished.and(speedup))
            .filter(|_| mode != Mode::Sequential)
            .map(|s| {
                if sequential_projected() {
                    format!("{s:.2}× faster than sequential (projected)")
                } else {
                    format!("{s:.2}× faster than sequential")
                }
            })
    };
    let finish_line = move || {
        let axis = axis.get();
        finished().map(|m| {
            view! {
                <span
                    class="finish-line"
                    style:left=percent(m, axis)
                    title=format!("finished at {}", ms(m))
                ></span>
            }
        })
    };
    let (ideal, bound) = (layout.ideal, layout.bound);
    let dense = layout.rows.len() > DENSE_ABOVE;
    let body = NodeRef::<leptos::html::Div>::new();
    if !dense {
        fit_labels(body, layout.rows.len());
    }
    let rows: Vec<_> = layout
        .rows
        .into_iter()
        .zip(bars)
        .map(|((i, label, critical), bar)| view! { <StepRow mode=mode step=i label=label critical=critical bar=bar dense=dense /> })
        .collect();
    // Dense lanes come in blocks that the browser skips while they are off screen
    // (`content-visibility: auto`); blocks, not rows, so it watches few elements.
    let rows = if dense {
        let mut rows = rows.into_iter().peekable();
        let mut blocks = Vec::new();
        while rows.peek().is_some() {
            let block: Vec<_> = rows.by_ref().take(ROWS_PER_BLOCK).collect();
            blocks.push(view! { <div class="row-block">{block}</div> });
        }
        blocks.into_any()
    } else {
        rows.into_any()
    };
    view! {
        <div
            class=format!("lane {}", mode.name())
            style=move || format!("--axis:{:.3}", axis.get().max(1e-3))
            data-mode=mode.name()
            data-testid=format!("lane-{}", mode.name())
        >
            <div class="lane-head">
                <h3>{mode.name()}</h3>
                <span class="explain">{mode.explanation()}</span>
                {move || projected().then(|| view! {
                    <span class="projected-tag" data-testid="projected-lane">"projected, not run"</span>
                })}
                // One figure: the lane's clock while it runs, its total once done.
                <span class="figures">
                    <span class="figure" class:hidden=move || finished().is_some()>
                        <span class="figure-label">"time "</span>
                        <span class="clock" data-testid=format!("clock-{}", mode.name())>{clock}</span>
                    </span>
                    <span class="figure" class:hidden=move || finished().is_none()>
                        <span class="figure-label">"total "</span>
                        <strong class="total" data-testid=format!("total-{}", mode.name())>{total}</strong>
                    </span>
                    {move || speedup().map(|s| view! { <span class="speedup">{s}</span> })}
                    {move || spread().map(|parts| view! {
                        <span class="spread" data-testid=format!("spread-{}", mode.name())>
                            {parts.into_iter().map(|p| view! { <span>{p}</span> " " }).collect_view()}
                        </span>
                    })}
                </span>
            </div>
            <div class="lane-body" node_ref=body>
                {rows}
                <div class="overlay" aria-hidden="true">
                    {ideal.map(|ideal| view! {
                        <span
                            class="ref ideal"
                            style:left=move || percent(ideal, axis.get())
                            title=format!("ideal (critical path): {}", ms(ideal))
                        ></span>
                    })}
                    {ideal.zip(bound).filter(|&(ideal, bound)| bound > ideal + TOLERANCE_MS).map(|(_, bound)| {
                            view! {
                                <span
                                    class="ref bound"
                                    style:left=move || percent(bound, axis.get())
                                    title=format!("lower bound under the limit: {}", ms(bound))
                                ></span>
                            }
                    })}
                    {finish_line}
                    // Moved with a transform, so a frame repaints no part of the lane.
                    <span
                        class="cursor-line"
                        style:transform=move || format!("translateX({})", percent(replay.shown.get(), axis.get()))
                    ></span>
                </div>
            </div>
        </div>
    }
}

/// Keeps `--row-fill` on a lane's body at its height per row, which the stylesheet
/// turns into the labels' type size: thinner rows, smaller labels. It changes only
/// when the body is resized. A container query on each row did the same, but the
/// browser then restyled every label on every layout of the page, some 25 ms per
/// frame of a live race at 1280×720 (and a request's answer waited for it).
fn fit_labels(body: NodeRef<leptos::html::Div>, rows: usize) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    type Watch = (web_sys::ResizeObserver, Closure<dyn FnMut()>);
    let watch = StoredValue::new_local(None::<Watch>);
    body.on_load(move |element| {
        let element: web_sys::Element = element.into();
        let measured = element.clone();
        let on_resize = Closure::<dyn FnMut()>::new(move || {
            let per_row = f64::from(measured.client_height()) / rows.max(1) as f64;
            let _ = measured.set_attribute("style", &format!("--row-fill:{per_row:.1}px"));
        });
        if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(&element);
            watch.set_value(Some((observer, on_resize)));
        }
    });
    on_cleanup(move || {
        if let Some(Some((observer, _))) = watch.try_update_value(Option::take) {
            observer.disconnect();
        }
    });
}

/// A time on the lane's axis as a CSS length: the lane holds the axis's length in
/// `--axis`, so bars stay put in the DOM while the axis grows during a run.
fn on_axis(t: Time) -> String {
    format!("calc(100% * {:.2} / var(--axis))", t.max(0.0))
}

#[component]
fn StepRow(
    mode: Mode,
    step: usize,
    label: String,
    critical: bool,
    bar: RwSignal<Vec<Segment>>,
    /// Thin rows for big chains: no label, no marks, fewer elements to lay out.
    dense: bool,
) -> impl IntoView {
    let replay = use_replay();
    let select = move |_| replay.selected.set(Some((mode, step)));
    let selected = move || replay.selected.get() == Some((mode, step));
    // Placed against the lane's `--axis` (see `LaneView`): a longer axis restyles the
    // bars, it does not redraw them.
    let bars = move || {
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
                            style:left=on_axis(s.start)
                            style:width=on_axis(s.end - s.start)
                        >
                            {(!dense).then(|| view! { <span class="mark">{s.kind.mark()}</span> })}
                        </span>
                    }
                })
                .collect_view()
        })
    };
    let title = format!("{label}: click for what went in and came out");
    view! {
        <div class="row" class:critical=critical class:selected=selected data-step=step>
            {(!dense)
                .then(|| {
                    view! {
                        <button class="step-label" title=title.clone() on:click=select>
                            {label}
                        </button>
                    }
                })}
            <div class="track" on:click=select title=title>{bars}</div>
        </div>
    }
}
