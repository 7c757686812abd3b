//! What sits beside the lanes: the narration, the verdict, the figures, the table view
//! for screen readers and the details of the chosen bar.

use super::{ms, use_replay};
use crate::state::use_app_state;
use chainlab_core::io::secrets;
use chainlab_core::model::TOLERANCE_MS;
use chainlab_core::race::rounds::{Shown, Spread, Standing};
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
            if race.is_running() || race.end_ms()? > t + TOLERANCE_MS {
                return None;
            }
            if race.live {
                return live_verdict_text(race);
            }
            Some(verdict_text(race, winner, own, true))
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

/// " (projected, not run)" after the sequential lane's name when it was projected.
fn projected_mark(race: &Race, mode: Mode) -> &'static str {
    if race.lane(mode).is_some_and(|l| l.projected) {
        " (projected from measured step times, not run)"
    } else {
        ""
    }
}

/// A spread in words: "512 ms (500–530 ms over 3 rounds)".
fn spread_text(spread: &Spread) -> String {
    if spread.rounds == 1 {
        format!("{} (1 round)", ms(spread.median))
    } else {
        format!(
            "{} ({}–{} over {} rounds)",
            ms(spread.median),
            ms(spread.min),
            ms(spread.max),
            spread.rounds
        )
    }
}

/// The verdict of a live race: a winner only when every one of its rounds beat every
/// round of every other mode; otherwise the difference is within the noise.
fn live_verdict_text(race: &Race) -> Option<(String, String)> {
    let standing = race.standing()?;
    let spread = |m: Mode| race.spread(m);
    match standing {
        Standing::Ahead { winner } => {
            let own = spread(winner)?;
            let mut rest = format!(" finished first: median {}", spread_text(&own));
            if let (Some(seq), true) = (spread(Mode::Sequential), winner != Mode::Sequential) {
                if own.median > 0.0 {
                    rest.push_str(&format!(
                        ", {:.2}× faster than sequential ({}{})",
                        seq.median / own.median,
                        ms(seq.median),
                        projected_mark(race, Mode::Sequential),
                    ));
                }
            }
            rest.push_str(". Every round of it beat every round of the others.");
            if let (Some(staged), Some(eager)) = (spread(Mode::Staged), spread(Mode::Eager)) {
                if eager.clearly_below(&staged) {
                    rest.push_str(&format!(
                        " Staged lost {} (medians) waiting at barriers for steps it did not need.",
                        ms(staged.median - eager.median)
                    ));
                }
            }
            Some((winner.name().to_string(), rest))
        }
        Standing::WithinNoise(close) => {
            let mut names: Vec<String> = close
                .iter()
                .map(|&m| format!("{}{}", m.name(), projected_mark(race, m)))
                .collect();
            let last = names.pop().unwrap_or_default();
            let who = format!("{} and {last}", names.join(", "));
            let spreads: Vec<String> = close
                .iter()
                .filter_map(|&m| Some(format!("{} {}", m.name(), spread_text(&spread(m)?))))
                .collect();
            Some((
                who,
                format!(
                    ": the difference is within the noise, so neither is named faster. Their rounds overlap: {}. More rounds may tell them apart.",
                    spreads.join("; ")
                ),
            ))
        }
    }
}

fn percent(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// What the figures table adds for a live race, in lane order.
#[derive(Clone, PartialEq)]
struct LiveFigures {
    /// Rounds that finished.
    rounds: usize,
    spreads: Vec<Option<Spread>>,
    projected: Vec<bool>,
}

/// The warm-up requests of a live race: shown, never counted.
#[component]
pub fn WarmUps() -> impl IntoView {
    let state = use_app_state();
    let lines = Memo::new(move |_| {
        state.race.with(|race| {
            race.as_ref().map_or_else(Vec::new, |race| {
                race.warm_ups
                    .iter()
                    .map(|w| {
                        let took = w.span.ended.map(|e| e - w.span.queued);
                        let how = match (&w.span.outcome, took) {
                            (Outcome::Done, Some(t)) => ms(t),
                            (Outcome::Pending, _) => "in flight…".to_string(),
                            (outcome, _) => outcome_words(outcome),
                        };
                        format!("{}: {how}", w.endpoint)
                    })
                    .collect()
            })
        })
    });
    move || {
        let lines = lines.get();
        (!lines.is_empty()).then(|| {
            view! {
                <div class="warm-up" data-testid="warm-up" role="note">
                    <p>"Warm-up before the race, one request per endpoint (not counted in any figure):"</p>
                    <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                </div>
            }
        })
    }
}

/// Which round a live race's lanes show: each lane's median round, or one round.
#[component]
pub fn RoundPicker() -> impl IntoView {
    let state = use_app_state();
    let choices = Memo::new(move |_| {
        state.race.with(|race| {
            let race = race.as_ref().filter(|r| r.live && !r.is_running())?;
            let rounds = race.complete_rounds();
            (rounds.len() > 1).then(|| {
                let options: Vec<(String, String)> = rounds
                    .iter()
                    .map(|&r| {
                        let order: Vec<&str> =
                            race.rounds[r].order.iter().map(|m| m.name()).collect();
                        (
                            r.to_string(),
                            format!("round {} ({})", r + 1, order.join(", ")),
                        )
                    })
                    .collect();
                let shown = match race.shown {
                    Shown::Median => "median".to_string(),
                    Shown::Round(r) => r.to_string(),
                };
                (options, shown)
            })
        })
    });
    move || {
        choices.get().map(|(options, shown)| {
            view! {
                <label class="round-picker">
                    "The lanes show "
                    <select
                        data-testid="round-shown"
                        prop:value=shown
                        on:change=move |ev| {
                            let picked = event_target_value(&ev).parse::<usize>().ok();
                            state.race.update(|race| {
                                if let Some(race) = race {
                                    race.show(picked.map_or(Shown::Median, Shown::Round));
                                }
                            });
                        }
                    >
                        <option value="median">"each lane's median round"</option>
                        {options.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                    </select>
                </label>
            }
        })
    }
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
            let live = race.live.then(|| LiveFigures {
                rounds: race.complete_rounds().len(),
                spreads: race.modes().into_iter().map(|m| race.spread(m)).collect(),
                projected: race
                    .modes()
                    .into_iter()
                    .map(|m| race.lane(m).is_some_and(|l| l.projected))
                    .collect(),
            });
            Some((
                rows,
                race.critical_path_ms(),
                race.lower_bound_ms(),
                race.limit,
                live,
            ))
        })
    });
    move || {
        figures.get().map(|(rows, ideal, bound, limit, live)| {
            let sequential_projected = live.as_ref().is_some_and(|l| {
                rows.iter().zip(&l.projected).any(|((m, _), &p)| *m == Mode::Sequential && p)
            });
            // Only live runs against servers that allow Resource Timing know this.
            let browser = rows
                .iter()
                .any(|(_, f)| f.browser_wait.is_some_and(|w| w >= 1.0));
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="The figures (scrolls sideways)">
                <table class="figures-table" data-testid="figures">
                    <caption>
                        {
                            let under = limit.map_or("with no concurrency limit".into(), |k| format!("with at most {k} at once"));
                            match (ideal, bound, &live) {
                                (Some(ideal), Some(bound), None) => format!(
                                    "The figures. Makespans are what the browser's timers measured; the engine's predictions are exact. Ideal (critical path): {}. Lower bound {under}: {}.",
                                    ms(ideal),
                                    ms(bound),
                                ),
                                (Some(ideal), Some(bound), Some(live)) => format!(
                                    "The figures of a live race: makespans are the median of {} round(s) as the browser's timers measured them (min–max in brackets). Predictions lay each step's median measured time out as the mode schedules it; the difference is the overhead that the network, the browser and the mode added. Ideal (critical path): {}, from measured step times. Lower bound {under}: {}.",
                                    live.rounds,
                                    ms(ideal),
                                    ms(bound),
                                ),
                                // No round finished: nothing was measured to predict from.
                                _ => "The figures, as measured live: no round finished, so nothing is predicted.".to_string(),
                            }
                        }
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"mode"</th>
                            <th scope="col">{if live.is_some() { "makespan (measured, median of rounds)" } else { "makespan (measured)" }}</th>
                            <th scope="col">{if live.is_some() { "predicted from measured step times" } else { "engine predicts" }}</th>
                            {live.is_some().then(|| view! { <th scope="col">"overhead (network, browser, mode)"</th> })}
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
                            .enumerate()
                            .map(|(at, (mode, f))| {
                                let spread = live.as_ref().and_then(|l| l.spreads.get(at).copied().flatten());
                                let projected = live.as_ref().is_some_and(|l| l.projected.get(at).copied().unwrap_or(false));
                                let makespan = match (&live, spread) {
                                    (Some(_), Some(s)) => Some(spread_text(&s)),
                                    _ => f.makespan.map(ms),
                                };
                                let measured = spread.map(|s| s.median).or(f.makespan);
                                let overhead = if projected {
                                    "none: projected, not run".to_string()
                                } else {
                                    measured
                                        .zip(f.predicted)
                                        .map(|(m, p)| format!("{}{}", if m >= p { "+" } else { "−" }, ms((m - p).abs())))
                                        .unwrap_or_default()
                                };
                                let name = if projected {
                                    format!("{} (projected from measured step times, not run)", mode.name())
                                } else {
                                    mode.name().to_string()
                                };
                                let speedup = f.speedup.map(|s| {
                                    if sequential_projected {
                                        format!("{s:.2}× (vs projected sequential)")
                                    } else {
                                        format!("{s:.2}×")
                                    }
                                });
                                view! {
                                    <tr data-mode=mode.name()>
                                        <th scope="row">{name}</th>
                                        <td data-field="makespan">{makespan}</td>
                                        <td data-field="predicted">{f.predicted.map_or_else(|| "not predicted live".to_string(), ms)}</td>
                                        {live.is_some().then(|| view! { <td data-field="overhead">{overhead}</td> })}
                                        <td>{speedup}</td>
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
    // The runner masks what a server echoed already; this holds for any runner.
    let output = lane
        .latest(i)
        .and_then(|s| s.output.as_deref())
        .map(|text| secrets::of_chain(race.plan.chain()).redact(text))
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
