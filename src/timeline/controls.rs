//! The timeline's controls: which modes race, the replay buttons and keys, the view
//! switches, and the exports.

use super::{driver, ms, use_replay, Replay};
use crate::choice_select::ChoiceSelect;
use crate::download;
use crate::shell::{self, use_shell};
use crate::state::{use_app_state, AppState};
use chainlab_core::io::export;
use chainlab_core::race::Race;
use chainlab_core::timeline::replay::SPEEDS;
use chainlab_core::{Mode, Time};
use leptos::prelude::*;

#[component]
pub fn ModePicker() -> impl IntoView {
    let state = use_app_state();
    let running = Memo::new(move |_| state.running());
    let toggle = move |mode: Mode, on: bool| {
        state.modes.update(|modes| {
            modes.retain(|&m| m != mode);
            if on {
                modes.push(mode);
            }
            // Lanes always stack in the same order, whatever order they were ticked in.
            chainlab_core::sort::sort_by_key(modes, |m| Mode::ALL.iter().position(|x| x == m));
        });
    };
    view! {
        <fieldset class="mode-picker">
            <legend>"Modes to race"</legend>
            {Mode::ALL
                .iter()
                .map(|&mode| {
                    view! {
                        <label>
                            <input
                                type="checkbox"
                                data-testid=format!("mode-{}", mode.name())
                                prop:checked=move || state.modes.with(|m| m.contains(&mode))
                                disabled=move || running.get()
                                on:change=move |ev| toggle(mode, event_target_checked(&ev))
                            />
                            {mode.name()}
                        </label>
                    }
                })
                .collect_view()}
            <label class="canvas-mode">
                "Canvas shows "
                <ChoiceSelect
                    testid="canvas-mode"
                    value=state.canvas_mode
                    on_pick=Callback::new(move |mode| state.canvas_mode.set(mode))
                />
                " at the cursor"
            </label>
        </fieldset>
    }
}

/// How far the recording reaches right now.
fn end_of(state: AppState) -> Time {
    state.race.with_untracked(|race| {
        race.as_ref().map_or(0.0, |r| match r.end_ms() {
            Some(end) if !r.is_running() => end,
            _ => r.recorded_ms(),
        })
    })
}

fn act(
    state: AppState,
    replay: Replay,
    change: impl FnOnce(&mut chainlab_core::timeline::replay::Cursor, Time, &[Time]),
) {
    let end = end_of(state);
    replay
        .moments
        .with_untracked(|moments| replay.cursor.update(|c| change(c, end, moments)));
    driver::kick(state, replay);
}

/// The page's race keys (listed in the shortcuts dialog, `crate::shell::SHORTCUTS`):
/// R runs, Space plays and pauses, ← → step, Home restarts, P switches projector mode,
/// ? lists them. Keys typed into a field belong to the field, and a key some part of
/// the page already used (the canvas moving a step with the arrows) is left alone.
pub fn listen_for_shortcuts(state: AppState, replay: Replay) {
    let shell = use_shell();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.default_prevented() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let target = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
        let typing = target.as_ref().is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                || el.closest("[contenteditable]").ok().flatten().is_some()
        });
        // Space and Enter press a focused button; the canvas has its own arrows.
        let own_keys = target.as_ref().is_some_and(|el| {
            el.tag_name() == "BUTTON" || el.closest(".canvas-wrap").ok().flatten().is_some()
        });
        if typing || shell.shortcuts.get_untracked() {
            return;
        }
        // Presenting from a link: the first key starts the race.
        if shell.present.get_untracked()
            && !matches!(
                ev.key().as_str(),
                "Shift" | "Control" | "Alt" | "Meta" | "Tab"
            )
        {
            ev.prevent_default();
            shell::run(state, shell);
            return;
        }
        let race = state.race.with_untracked(Option::is_some);
        match ev.key().as_str() {
            "r" | "R" => shell::run(state, shell),
            "p" | "P" => set_projector(replay, !replay.projector.get_untracked()),
            "?" => shell.shortcuts.set(true),
            " " if race && !own_keys => act(state, replay, |c, end, _| c.toggle(end)),
            "ArrowRight" if race && !own_keys => act(state, replay, |c, _, m| c.step_forward(m)),
            "ArrowLeft" if race && !own_keys => act(state, replay, |c, _, m| c.step_back(m)),
            "Home" if race && !own_keys => act(state, replay, |c, _, _| c.restart()),
            _ => return,
        }
        ev.prevent_default();
    });
    // Presenting from a link: so does the first click or tap.
    let click = window_event_listener(leptos::ev::pointerdown, move |_| {
        if shell.present.get_untracked() {
            shell::run(state, shell);
        }
    });
    // A link asks to present: projector mode at once.
    Effect::new(move |_| {
        if shell.present.get() {
            set_projector(replay, true);
        }
    });
    on_cleanup(move || {
        handle.remove();
        click.remove();
    });
}

/// Projector mode reaches the whole page (the canvas too), so it sits on <html>; the
/// canvas gets smaller (the timeline fits the chain again).
pub fn set_projector(replay: Replay, on: bool) {
    replay.projector.set(on);
    set_projector_class(on);
}

#[component]
pub fn Playback() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    let no_race = Memo::new(move |_| state.race.with(Option::is_none));
    let playing = Memo::new(move |_| replay.cursor.with(|c| c.playing));
    let end = Memo::new(move |_| {
        state.race.with(|race| {
            race.as_ref().map_or(0.0, |r| match r.end_ms() {
                Some(end) if !r.is_running() => end,
                _ => r.axis_ms(0.0),
            })
        })
    });
    let speed_label = |s: f64| format!("{s}×");
    view! {
        <div class="playback" role="group" aria-label="Replay">
            <button
                data-testid="restart"
                disabled=move || no_race.get()
                on:click=move |_| act(state, replay, |c, _, _| c.restart())
                title="Back to the start (Home)"
            >
                "↺ Restart"
            </button>
            <button
                data-testid="step-back"
                disabled=move || no_race.get()
                on:click=move |_| act(state, replay, |c, _, m| c.step_back(m))
                title="Back to the previous event (←)"
            >
                "◀ Step"
            </button>
            <Show
                when=move || playing.get()
                fallback=move || {
                    view! {
                        <button
                            data-testid="play"
                            class="primary"
                            disabled=move || no_race.get()
                            on:click=move |_| act(state, replay, |c, end, _| c.play(end))
                            title="Play (Space)"
                        >
                            "▶ Play"
                        </button>
                    }
                }
            >
                <button
                    data-testid="pause"
                    class="primary"
                    on:click=move |_| act(state, replay, |c, _, _| c.pause())
                    title="Pause (Space)"
                >
                    "❚❚ Pause"
                </button>
            </Show>
            <button
                data-testid="step-forward"
                disabled=move || no_race.get()
                on:click=move |_| act(state, replay, |c, _, m| c.step_forward(m))
                title="On to the next event (→)"
            >
                "Step ▶"
            </button>
            <label class="speed">
                "Speed "
                <select
                    data-testid="speed"
                    prop:value=move || replay.cursor.with(|c| c.speed.to_string())
                    on:change=move |ev| {
                        if let Some(speed) = chainlab_core::number::parse_f64(&event_target_value(&ev)) {
                            replay.cursor.update(|c| c.speed = speed);
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .map(|&s| view! { <option value=s.to_string()>{speed_label(s)}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="scrub">
                <span class="visually-hidden">"Time"</span>
                <input
                    type="range"
                    data-testid="scrub"
                    min="0"
                    step="1"
                    prop:max=move || end.get().to_string()
                    prop:value=move || replay.cursor.with(|c| c.t.round().to_string())
                    disabled=move || no_race.get()
                    on:input=move |ev| {
                        if let Some(t) = chainlab_core::number::parse_f64(&event_target_value(&ev)) {
                            act(state, replay, |c, end, _| c.scrub(t, end));
                        }
                    }
                />
            </label>
            <span class="cursor-time" data-testid="cursor-time">
                {move || ms(replay.shown.get())}
            </span>
            <span class="switches">
                <Switch on=replay.narrate testid="narrate" text="Narrate" />
                <Switch on=replay.table testid="table-view" text="Table view" />
                <button
                    data-testid="projector"
                    aria-pressed=move || replay.projector.get().to_string()
                    aria-keyshortcuts="P"
                    title="Projector mode: big type, thick bars (P)"
                    on:click=move |_| set_projector(replay, !replay.projector.get_untracked())
                >
                    "Projector"
                </button>
            </span>
        </div>
    }
}

/// Whether the replay animates or jumps from event to event (`prefers-reduced-motion`
/// unless the person chooses).
#[component]
pub fn Motion() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    view! {
        <label class="motion">
            "Motion "
            <select
                data-testid="motion"
                on:change=move |ev| {
                    replay
                        .motion_override
                        .set(match event_target_value(&ev).as_str() {
                            "animate" => Some(false),
                            "jump" => Some(true),
                            _ => None,
                        });
                    driver::kick(state, replay);
                }
            >
                <option value="system">
                    {move || {
                        if replay.system_reduced.get() {
                            "as the system asks (jump)"
                        } else {
                            "as the system asks (animate)"
                        }
                    }}
                </option>
                <option value="animate">"animate"</option>
                <option value="jump">"jump to each event"</option>
            </select>
        </label>
    }
}

#[component]
fn Switch(on: RwSignal<bool>, testid: &'static str, text: &'static str) -> impl IntoView {
    view! {
        <button
            data-testid=testid
            aria-pressed=move || on.get().to_string()
            on:click=move |_| on.update(|v| *v = !*v)
        >
            {text}
        </button>
    }
}

/// Projector mode reaches the whole page (the canvas too), so it sits on <html>.
fn set_projector_class(on: bool) {
    if let Some(root) = document().document_element() {
        let classes = root.class_list();
        let _ = if on {
            classes.add_1("projector")
        } else {
            classes.remove_1("projector")
        };
    }
}

/// The files a race can be saved as.
#[derive(Clone, Copy)]
enum Export {
    Svg,
    Png,
    Trace,
    Csv,
}

impl Export {
    /// Writes the file and offers it; the picture is drawn at the cursor's time `t`.
    fn save(self, race: &Race, t: Time) -> Result<(), String> {
        match self {
            Export::Svg => {
                download::text("chainlab-race.svg", "image/svg+xml", &export::svg(race, t))
            }
            Export::Png => download::png("chainlab-race.png", &export::svg(race, t)),
            Export::Trace => download::text(
                "chainlab-trace.json",
                "application/json",
                &export::chrome_trace(race),
            ),
            Export::Csv => download::text("chainlab-spans.csv", "text/csv", &export::csv(race)),
        }
    }
}

#[component]
pub fn Exports() -> impl IntoView {
    let state = use_app_state();
    let replay = use_replay();
    let finished = Memo::new(move |_| {
        state
            .race
            .with(|r| r.as_ref().is_some_and(|r| !r.is_running()))
    });
    let save = move |format: Export| {
        let t = replay.shown.get_untracked();
        let saved = state
            .race
            .with_untracked(|r| r.as_ref().map(|r| format.save(r, t)));
        if let Some(Err(message)) = saved {
            state.error.set(Some(message));
        }
    };
    view! {
        <div class="exports" role="group" aria-label="Export the race">
            <span>"Export: "</span>
            <button
                data-testid="export-svg"
                disabled=move || !finished.get()
                on:click=move |_| save(Export::Svg)
            >
                "SVG"
            </button>
            <button
                data-testid="export-png"
                disabled=move || !finished.get()
                on:click=move |_| save(Export::Png)
            >
                "PNG"
            </button>
            <button
                data-testid="export-trace"
                disabled=move || !finished.get()
                on:click=move |_| save(Export::Trace)
                title="Chrome Trace Event JSON: open it in ui.perfetto.dev or chrome://tracing"
            >
                "Trace JSON (Perfetto)"
            </button>
            <button
                data-testid="export-csv"
                disabled=move || !finished.get()
                on:click=move |_| save(Export::Csv)
            >
                "CSV"
            </button>
        </div>
    }
}
