//! The app shell: what is on screen at once and how the space is shared. One toolbar
//! row, the canvas above the race with a handle between them, and everything else
//! (files, code, run options, keys, gallery) in a drawer or a dialog over the page, so
//! opening it never pushes the race out of the window.

use crate::editor::use_editor;
use crate::race_runner::start_race;
use crate::state::{use_app_state, AppState};
use chainlab_core::editor::gallery;
use leptos::prelude::*;

/// Share of the work area the canvas gets when the page opens, in percent.
const DEFAULT_SPLIT: f64 = 34.0;
/// The canvas and the race each keep at least this share of the work area.
const MIN_SPLIT: f64 = 15.0;
const MAX_SPLIT: f64 = 80.0;

/// What the shell's parts share.
#[derive(Clone, Copy)]
pub struct Shell {
    /// The drawer with the less frequent things is open.
    pub menu: RwSignal<bool>,
    /// The dialog listing the keyboard shortcuts is open.
    pub shortcuts: RwSignal<bool>,
    /// The canvas's share of the work area's height, in percent.
    pub split: RwSignal<f64>,
    /// A link asked to present: projector mode, and the race starts at the first key
    /// press or click.
    pub present: RwSignal<bool>,
}

impl Shell {
    pub fn new() -> Self {
        Self {
            menu: RwSignal::new(false),
            shortcuts: RwSignal::new(false),
            split: RwSignal::new(DEFAULT_SPLIT),
            present: RwSignal::new(false),
        }
    }
}

/// Escape closes the shortcuts dialog and the drawer.
pub fn close_on_escape(shell: Shell) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            shell.shortcuts.set(false);
            shell.menu.set(false);
        }
    });
    on_cleanup(move || handle.remove());
}

pub fn use_shell() -> Shell {
    expect_context::<Shell>()
}

/// One row: what a person needs every time. The rest is one click away in the drawer.
#[component]
pub fn Toolbar() -> impl IntoView {
    let state = use_app_state();
    let shell = use_shell();
    let running = Memo::new(move |_| state.running());
    let editor = use_editor();
    view! {
        <header class="toolbar" aria-label="Chain and run">
            <h1 class="brand">"ChainLab"</h1>
            <label class="picker">
                <span class="picker-word">"Chain "</span>
                <select
                    data-testid="chain-select"
                    prop:value=move || editor.loaded.get().unwrap_or("")
                    disabled=move || running.get()
                    on:change=move |ev| editor.load(&event_target_value(&ev))
                >
                    <option value="" disabled>"Your own chain (edited)"</option>
                    {gallery::EXAMPLES
                        .iter()
                        .map(|e| view! { <option value=e.key>{(e.chain)().name}</option> })
                        .collect_view()}
                </select>
            </label>
            <button
                data-testid="run"
                class="run"
                aria-keyshortcuts="R"
                title="Run (R)"
                disabled=move || {
                    running.get() || state.plan.with(Result::is_err) || state.modes.with(Vec::is_empty)
                }
                on:click=move |_| run(state, shell)
            >
                {move || {
                    let count = state.modes.with(Vec::len);
                    match (running.get(), count) {
                        (true, _) => "Running…".to_string(),
                        (false, 3) => "▶ Run all three modes".to_string(),
                        (false, 0) => "Choose a mode to run".to_string(),
                        (false, 1) => "▶ Run the chosen mode".to_string(),
                        (false, _) => format!("▶ Run the {count} chosen modes"),
                    }
                }}
            </button>
            <crate::network_panel::CancelButton />
            <crate::network_panel::RunKind />
            <crate::share::ShareButton />
            <span class="toolbar-end">
                <button
                    data-testid="shortcuts"
                    class="icon-button"
                    aria-label="Keyboard shortcuts"
                    aria-keyshortcuts="Shift+?"
                    title="Keyboard shortcuts (?)"
                    on:click=move |_| shell.shortcuts.set(true)
                >
                    "?"
                </button>
                <button
                    data-testid="menu"
                    class="menu-button"
                    aria-expanded=move || shell.menu.get().to_string()
                    aria-controls="drawer"
                    on:click=move |_| shell.menu.update(|open| *open = !*open)
                >
                    "☰ More"
                </button>
            </span>
        </header>
    }
}

/// Starts a race and clears what would cover it.
pub fn run(state: AppState, shell: Shell) {
    if state.running() || state.plan.with_untracked(Result::is_err) {
        return;
    }
    shell.menu.set(false);
    shell.present.set(false);
    start_race(state);
}

/// Files, code, run options, keys and the gallery: beside the page, over it, never
/// above the race.
#[component]
pub fn Drawer() -> impl IntoView {
    let shell = use_shell();
    let state = use_app_state();
    view! {
        <aside
            id="drawer"
            class="drawer"
            data-testid="drawer"
            aria-label="More: files, code, run options, keys, gallery"
            hidden=move || !shell.menu.get()
        >
            <div class="drawer-head">
                <h2>"More"</h2>
                <button data-testid="menu-close" on:click=move |_| shell.menu.set(false)>
                    "Close"
                </button>
            </div>
            <section class="drawer-section" aria-labelledby="about-chain">
                <h3 id="about-chain">"This chain"</h3>
                <p class="description">{move || state.chain.with(|c| c.description.clone())}</p>
            </section>
            <crate::share::FileMenu />
            <crate::network_panel::RunOptions />
            <crate::editor::GalleryPanel />
        </aside>
    }
}

/// The handle between the canvas and the race: drag it, or focus it and use the
/// arrow keys.
#[component]
pub fn SplitHandle() -> impl IntoView {
    let shell = use_shell();
    let editor = use_editor();
    let dragging = StoredValue::new(false);
    let set = move |percent: f64| shell.split.set(percent.clamp(MIN_SPLIT, MAX_SPLIT));
    let at_pointer = move |ev: &leptos::ev::PointerEvent| {
        let Some(area) = document().query_selector(".workspace").ok().flatten() else {
            return;
        };
        let rect = area.get_bounding_client_rect();
        if rect.height() > 0.0 {
            set((f64::from(ev.client_y()) - rect.top()) / rect.height() * 100.0);
        }
    };
    view! {
        <div
            class="split-handle"
            data-testid="split-handle"
            role="separator"
            tabindex="0"
            aria-orientation="horizontal"
            aria-label="Resize the canvas and the race (arrow keys)"
            aria-valuemin=MIN_SPLIT
            aria-valuemax=MAX_SPLIT
            aria-valuenow=move || format!("{:.0}", shell.split.get())
            on:pointerdown=move |ev| {
                dragging.set_value(true);
                if let Some(target) = ev
                    .target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                {
                    let _ = target.set_pointer_capture(ev.pointer_id());
                }
            }
            on:pointermove=move |ev| {
                if dragging.get_value() {
                    at_pointer(&ev);
                }
            }
            on:pointerup=move |_| {
                dragging.set_value(false);
                editor.fit();
            }
            on:dblclick=move |_| {
                set(DEFAULT_SPLIT);
                editor.fit();
            }
            on:keydown=move |ev| {
                let by = match ev.key().as_str() {
                    "ArrowUp" => -5.0,
                    "ArrowDown" => 5.0,
                    _ => return,
                };
                ev.prevent_default();
                set(shell.split.get_untracked() + by);
                editor.fit();
            }
        >
            <span class="grip" aria-hidden="true"></span>
        </div>
    }
}

/// Every key the page answers to, in one place: the dialog lists these.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("R", "run the chain in the chosen modes"),
    ("Space", "play or pause the race"),
    ("← →", "step to the previous or next event"),
    ("Home", "back to the start of the race"),
    ("P", "projector mode on or off"),
    ("?", "this list"),
    ("Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y", "undo, redo"),
    ("Escape", "close the inspector, a dialog or the drawer"),
    (
        "On a focused step",
        "arrows move it, Enter opens it, Delete removes it",
    ),
];

#[component]
pub fn ShortcutsDialog() -> impl IntoView {
    let shell = use_shell();
    let close = NodeRef::<leptos::html::Button>::new();
    // Focus moves into the dialog when it opens, so Tab and Enter act in it.
    Effect::new(move |_| {
        if let Some(button) = close.get() {
            let _ = button.focus();
        }
    });
    view! {
        <Show when=move || shell.shortcuts.get()>
            <div class="backdrop" on:click=move |_| shell.shortcuts.set(false)></div>
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="shortcuts-title"
                data-testid="shortcuts-dialog"
            >
                <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                <p class="note">"None of them fires while you type in a field."</p>
                <dl class="keys">
                    {SHORTCUTS
                        .iter()
                        .map(|(key, what)| view! { <dt><kbd>{*key}</kbd></dt><dd>{*what}</dd> })
                        .collect_view()}
                </dl>
                <button
                    data-testid="shortcuts-close"
                    node_ref=close
                    on:click=move |_| shell.shortcuts.set(false)
                >
                    "Close"
                </button>
            </div>
        </Show>
    }
}
