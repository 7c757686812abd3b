//! What sits beside the lanes: the narration, the verdict, the figures, the table view
//! for screen readers and the details of the chosen bar.

use super::{ms, use_replay};
use crate::state::use_app_state;
use chainlab_core::model::TOLERANCE_MS;
use chainlab_core::race::Race;
use chainlab_core::timeline::narrate;
use chainlab_core::timeline::replay::events;
use chainlab_core::{Mode, Outcome, Time};
use leptos::prelude::*;

/// At most this many captions are shown for one moment.
const CAPTIONS_AT_ONCE: usize = 6;

#[component]
pub fn Caption() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    // The moment at the cursor, and the one before it: the captions are for the
    // events in between.
    let moment = Memo::new(move |_| {
        if !replay.narrate.get() {
            return None;
        }
        let t = replay.shown.get();
        replay.moments.with(|m| {
            let at = m.iter().rposition(|&m| m <= t + TOLERANCE_MS)?;
            let before = at.checked_sub(1).map_or(Time::NEG_INFINITY, |b| m[b]);
            Some((before, m[at]))
        })
    });
    let captions = Memo::new(move |_| {
        let Some((before, moment)) = moment.get() else {
            return Vec::new();
        };
        state.race.with(|race| {
            race.as_ref().map_or_else(Vec::new, |race| {
                events(race)
                    .iter()
                    .filter(|e| e.t > before + TOLERANCE_MS && e.t <= moment + TOLERANCE_MS)
                    .map(|e| narrate::caption(race, e))
                    .collect()
            })
        })
    });
    move || {
        replay.narrate.get().then(|| {
            let lines = captions.get();
            let more = lines.len().saturating_sub(CAPTIONS_AT_ONCE);
            view! {
                <div class="captions" data-testid="captions" aria-live="polite" tabindex="0">
                    <p class="caption-time">
                        {move || moment.get().map(|(_, m)| format!("At {}:", ms(m))).unwrap_or_default()}
                    </p>
                    <ul>
                        {lines
                            .into_iter()
                            .take(CAPTIONS_AT_ONCE)
                            .map(|line| view! { <li>{line}</li> })
                            .collect_view()}
                    </ul>
                    {(more > 0).then(|| view! { <p class="more">{format!("… and {more} more at this moment.")}</p> })}
                </div>
            }
        })
    }
}

#[component]
pub fn Verdict() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    let verdict = Memo::new(move |_| {
        let t = replay.shown.get();
        state.race.with(|race| {
            let race = race.as_ref()?;
            let winner = race.winner()?;
            let own = race.lane(winner)?.makespan?;
            // The verdict waits for the cursor, so a replay does not give it away.
            let simulated = !state.network.live.get();
            (race.end_ms()? <= t + TOLERANCE_MS).then(|| verdict_text(race, winner, own, simulated))
        })
    });
    move || {
        verdict.get().map(|(winner, rest)| {
            view! {
                <p class="verdict" role="status">
                    <strong>{winner}</strong>
                    {rest}
                </p>
            }
        })
    }
}

/// The modes that finished with the winner: the same to the millisecond, or (in a
/// simulated run, where the engine's times are exact) predicted to take the same
/// time, so that a millisecond of browser timer noise does not crown a winner.
fn tied_with(race: &Race, winner: Mode, own: Time, simulated: bool) -> Vec<Mode> {
    let predicted = race.predicted(winner);
    race.lanes
        .iter()
        .filter(|lane| lane.mode != winner)
        .filter(|lane| {
            let same_time = lane.makespan.is_some_and(|m| m.round() == own.round());
            let same_prediction = simulated
                && predicted
                    .zip(race.predicted(lane.mode))
                    .is_some_and(|(a, b)| (a - b).abs() < 0.5);
            same_time || same_prediction
        })
        .map(|lane| lane.mode)
        .collect()
}

fn verdict_text(race: &Race, winner: Mode, own: Time, simulated: bool) -> (String, String) {
    let tied = tied_with(race, winner, own, simulated);
    if !tied.is_empty() {
        let mut names: Vec<&str> = std::iter::once(winner)
            .chain(tied)
            .map(Mode::name)
            .collect();
        // Lane order, whichever was measured a millisecond faster.
        chainlab_core::sort::sort_by_key(&mut names, |n| {
            Mode::ALL.iter().position(|m| m.name() == *n)
        });
        let last = names.pop().unwrap_or_default();
        let who = if names.is_empty() {
            last.to_string()
        } else {
            format!("{} and {last}", names.join(", "))
        };
        let why = if simulated {
            " The engine predicts the same time for them: the browser's timers differ by a millisecond or so."
        } else {
            ""
        };
        return (
            who,
            format!(" tie at {}: neither finishes first.{why}", ms(own)),
        );
    }
    let mut rest = format!(" finished first in {}", ms(own));
    if let (Some(s), Some(seq)) = (
        race.speedup(winner),
        race.lane(Mode::Sequential).and_then(|l| l.makespan),
    ) {
        if winner != Mode::Sequential {
            rest.push_str(&format!(", {s:.2}× faster than sequential ({})", ms(seq)));
        }
    }
    rest.push('.');
    if let Some(lost) = race.barrier_loss().filter(|lost| *lost > TOLERANCE_MS) {
        rest.push_str(&format!(
            " Staged lost {} waiting at barriers for steps it did not need.",
            ms(lost)
        ));
    }
    (winner.name().to_string(), rest)
}

fn percent(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

#[component]
pub fn Figures() -> impl IntoView {
    let state = use_app_state();
    let figures = Memo::new(move |_| {
        state.race.with(|race| {
            let race = race.as_ref().filter(|r| !r.is_running())?;
            let rows: Vec<_> = race
                .modes()
                .into_iter()
                .filter_map(|m| Some((m, race.figures(m)?)))
                .collect();
            Some((
                rows,
                race.critical_path_ms(),
                race.lower_bound_ms(),
                race.limit,
            ))
        })
    });
    move || {
        figures.get().map(|(rows, ideal, bound, limit)| {
            // Only live runs against servers that allow Resource Timing know this.
            let browser = rows
                .iter()
                .any(|(_, f)| f.browser_wait.is_some_and(|w| w >= 1.0));
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="The figures (scrolls sideways)">
                <table class="figures-table" data-testid="figures">
                    <caption>
                        {match (ideal, bound) {
                            (Some(ideal), Some(bound)) => format!(
                                "The figures. Makespans are what the browser's timers measured; the engine's predictions are exact. Ideal (critical path): {}. Lower bound {}: {}.",
                                ms(ideal),
                                limit.map_or("with no concurrency limit".into(), |k| format!("with at most {k} at once")),
                                ms(bound),
                            ),
                            // The simulated latencies predict nothing about real endpoints.
                            _ => "The figures, as measured live: no prediction is made from simulated latencies.".to_string(),
                        }}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"mode"</th>
                            <th scope="col">"makespan (measured)"</th>
                            <th scope="col">"engine predicts"</th>
                            <th scope="col">"speedup vs sequential"</th>
                            <th scope="col">"parallel efficiency"</th>
                            <th scope="col">"most at once"</th>
                            <th scope="col">"held back by the mode (all steps)"</th>
                            <th scope="col">"queued for a slot (all steps)"</th>
                            {browser.then(|| view! { <th scope="col">"queued in the browser (all steps)"</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|(mode, f)| {
                                view! {
                                    <tr data-mode=mode.name()>
                                        <th scope="row">{mode.name()}</th>
                                        <td>{f.makespan.map(ms)}</td>
                                        <td>{f.predicted.map_or_else(|| "not predicted live".to_string(), ms)}</td>
                                        <td>{f.speedup.map(|s| format!("{s:.2}×"))}</td>
                                        <td>{f.efficiency.map(percent)}</td>
                                        <td>{f.peak_concurrency}</td>
                                        // Eager starts every step the moment its inputs are
                                        // ready: a millisecond measured here is timer noise.
                                        <td>
                                            {if mode == Mode::Eager {
                                                Some("never".to_string())
                                            } else {
                                                f.barrier_wait.map(ms)
                                            }}
                                        </td>
                                        <td>{f.limit_wait.map(ms)}</td>
                                        {browser.then(|| view! { <td>{f.browser_wait.map(ms)}</td> })}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                </div>
            }
        })
    }
}

/// Start, end and duration of a step's attempts in one lane, relative to the lane's
/// start, as far as the cursor has got.
fn cells(race: &Race, mode: Mode, i: usize, t: Time) -> [String; 3] {
    let Some(lane) = race.lane(mode) else {
        return Default::default();
    };
    let Some(origin) = lane.origin else {
        return Default::default();
    };
    let attempts = lane.attempts.get(i).map(Vec::as_slice).unwrap_or_default();
    let start = attempts
        .iter()
        .find_map(|a| a.started)
        .map(|s| s - origin)
        .filter(|&s| s <= t + TOLERANCE_MS);
    let end = attempts
        .last()
        .and_then(|a| a.started.and(a.ended))
        .map(|e| e - origin)
        .filter(|&e| e <= t + TOLERANCE_MS);
    match (start, end) {
        (None, _) => ["not started".into(), String::new(), String::new()],
        (Some(s), None) => [ms(s), "running".into(), String::new()],
        (Some(s), Some(e)) => [ms(s), ms(e), ms(e - s)],
    }
}

#[component]
pub fn TableView() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    let table = move || {
        if !replay.table.get() {
            return None;
        }
        let t = replay.shown.get();
        state.race.with(|race| {
            let race = race.as_ref()?;
            let modes = race.modes();
            Some(view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Each step's times (scrolls sideways)">
                <table class="timeline-table" data-testid="timeline-table">
                    <caption>
                        {format!(
                            "Each step's start, end and duration per mode, at {}, as the browser's timers measured them.",
                            ms(t),
                        )}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"step"</th>
                            {modes
                                .iter()
                                .map(|m| {
                                    view! {
                                        <th scope="col">{format!("{} start", m.name())}</th>
                                        <th scope="col">{format!("{} end", m.name())}</th>
                                        <th scope="col">{format!("{} duration", m.name())}</th>
                                    }
                                })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {race
                            .plan
                            .order()
                            .iter()
                            .map(|&i| {
                                view! {
                                    <tr data-step=i>
                                        <th scope="row">{race.plan.step(i).label.clone()}</th>
                                        {modes
                                            .iter()
                                            .map(|&m| {
                                                let [start, end, duration] = cells(race, m, i, t);
                                                view! {
                                                    <td data-mode=m.name() data-field="start">{start}</td>
                                                    <td data-mode=m.name() data-field="end">{end}</td>
                                                    <td data-mode=m.name() data-field="duration">{duration}</td>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                </div>
            })
        })
    };
    view! { {table} }
}

fn outcome_words(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Pending => "not finished".into(),
        Outcome::Done => "done".into(),
        Outcome::Failed { error } => format!("failed: {error}"),
        Outcome::Skipped { failed_input } => format!("skipped: input {failed_input} failed"),
        Outcome::Cancelled { reason } => format!("cancelled: {reason}"),
    }
}

#[component]
pub fn Details() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    move || {
        let (mode, i) = replay.selected.get()?;
        state.race.with(|race| {
            let record = run_record(race.as_ref()?, mode, i, "details", false)?;
            let step = race.as_ref()?.plan.step(i);
            Some(view! {
                <aside class="details" data-testid="details" aria-label="The chosen step">
                    <button class="close" on:click=move |_| replay.selected.set(None)>"Close"</button>
                    <h3>{format!("{} — {} mode", step.label, mode.name())}</h3>
                    <p class="kind">{format!("{} step \"{}\"", step.kind.name(), step.id)}</p>
                    {record}
                </aside>
            })
        })
    }
}

/// What step `i` did in the `mode` lane: one row per attempt with its times (a table,
/// or one line each where space is `narrow`), what went in and what came out. Test
/// hooks are `{testid}-input` and `{testid}-output`.
pub fn run_record(
    race: &Race,
    mode: Mode,
    i: usize,
    testid: &str,
    narrow: bool,
) -> Option<impl IntoView> {
    let lane = race.lane(mode)?;
    let origin = lane.origin?;
    let at = move |t: Option<Time>| t.map(|t| ms(t - origin)).unwrap_or_else(|| "—".into());
    let attempts = lane.attempts.get(i)?.clone();
    let output = lane
        .latest(i)
        .and_then(|s| s.output.clone())
        .unwrap_or_else(|| "(nothing yet)".into());
    // The column appears only when the browser told how long a request waited in it.
    let sent = attempts.iter().any(|a| a.sent.is_some());
    let times = if narrow {
        let lines = attempts
            .iter()
            .map(|a| {
                let mut line = format!("Attempt {}: started {}", a.attempt + 1, at(a.started));
                if a.sent.is_some() {
                    line.push_str(&format!(", left the browser {}", at(a.sent)));
                }
                if a.first_byte.is_some() {
                    line.push_str(&format!(", first byte {}", at(a.first_byte)));
                }
                line.push_str(&format!(", ended {}", at(a.ended)));
                if a.running() > 0.0 {
                    line.push_str(&format!(" (took {})", ms(a.running())));
                }
                let outcome = outcome_words(&a.outcome);
                view! { <li>{line}" — " <strong>{outcome}</strong></li> }
            })
            .collect_view();
        view! { <ol class="attempts">{lines}</ol> }.into_any()
    } else {
        view! {
        <table class="attempts">
            <thead>
                <tr>
                    <th scope="col">"attempt"</th>
                    <th scope="col">"ready"</th>
                    <th scope="col">"handed over"</th>
                    <th scope="col">"started"</th>
                    {sent.then(|| view! { <th scope="col">"left the browser"</th> })}
                    <th scope="col">"first byte"</th>
                    <th scope="col">"ended"</th>
                    <th scope="col">"outcome"</th>
                </tr>
            </thead>
            <tbody>
                {attempts
                    .iter()
                    .map(|a| {
                        view! {
                            <tr>
                                <td>{a.attempt + 1}</td>
                                <td>{at(Some(a.ready))}</td>
                                <td>{at(Some(a.queued))}</td>
                                <td>{at(a.started)}</td>
                                {sent.then(|| view! { <td>{at(a.sent)}</td> })}
                                <td>{at(a.first_byte)}</td>
                                <td>{at(a.ended)}</td>
                                <td>{outcome_words(&a.outcome)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        }
        .into_any()
    };
    Some(view! {
        {times}
        <h4>"What went in"</h4>
        // Focusable, as a box that scrolls must be, for keyboards.
        <pre tabindex="0" data-testid=format!("{testid}-input")>{race.request_text(mode, i)}</pre>
        <h4>"What came out"</h4>
        <pre tabindex="0" data-testid=format!("{testid}-output")>{output}</pre>
    })
}

/// The inspected step in the last race, for the lane the canvas shows: clicking a node
/// tells what it did, as clicking its bar does.
#[component]
pub fn LastRun(id: chainlab_core::StepId) -> impl IntoView {
    let state = use_app_state();
    move || {
        state.race.with(|race| {
            let race = race.as_ref()?;
            let mode = state.canvas_lane(race)?;
            let i = race.plan.index_of(&id)?;
            let record = run_record(race, mode, i, "last-run", true)?;
            Some(view! {
                <section class="last-run" data-testid="last-run" aria-label="This step in the last run">
                    <h3 class="last-run-head">{format!("In the last run — {} mode", mode.name())}</h3>
                    {record}
                </section>
            })
        })
    }
}
