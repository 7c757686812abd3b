//! The chain editor: a canvas to build the chain on, a palette, an inspector for the
//! selected step and a gallery of ready chains. Every change goes through
//! [`Editor::try_edit`], which applies a pure edit from `chainlab_core::editor::edit`, records
//! the chain before it for undo and puts the result in `AppState::chain`, so the plan,
//! the race and the browser's saved copy follow.

mod canvas;
mod gallery_panel;
mod inspector;
pub mod storage;

use crate::state::AppState;
use chainlab_core::editor::edit::{self, NewStep};
use chainlab_core::editor::fields::Field;
use chainlab_core::editor::gallery;
use chainlab_core::editor::history::History;
use chainlab_core::editor::layout;
use chainlab_core::editor::ports::{self, Port};
use chainlab_core::model::Position;
use chainlab_core::race::Race;
use chainlab_core::{Chain, Choice, StepId};
use leptos::prelude::*;
use std::fmt::Display;

pub use canvas::Canvas;
pub use gallery_panel::GalleryPanel;
pub use inspector::Inspector;

/// What part of the canvas is on screen: canvas point `p` is drawn at `p * zoom + (x, y)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub x: f64,
    pub y: f64,
    pub zoom: f64,
}

impl Default for View {
    fn default() -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            zoom: 1.0,
        }
    }
}

pub const MIN_ZOOM: f64 = 0.2;
pub const MAX_ZOOM: f64 = 2.5;

#[derive(Clone, Copy)]
pub struct Editor {
    pub app: AppState,
    /// The selected steps, in the order they were picked.
    pub selected: RwSignal<Vec<StepId>>,
    /// The step shown in the inspector.
    pub inspecting: RwSignal<Option<StepId>>,
    /// Why the last edit was refused, or what a button did.
    pub message: RwSignal<Option<String>>,
    pub view: RwSignal<View>,
    /// The gallery key of the chain on the canvas, until it is changed.
    pub loaded: RwSignal<Option<&'static str>>,
    /// Bumped to ask the canvas to fit the chain into view.
    pub fit_request: RwSignal<u32>,
    /// The palette a drag from a dot opened on empty canvas (Escape closes it first).
    pub port_menu: RwSignal<Option<canvas::PortMenu>>,
    /// Bumped to ask the canvas to focus the node of `inspecting` (after Escape).
    pub focus_request: RwSignal<Option<StepId>>,
    history: StoredValue<History<Chain>>,
    /// (can undo, can redo), for the buttons.
    pub undoable: RwSignal<(bool, bool)>,
}

impl Editor {
    pub fn new(app: AppState, loaded: Option<&'static str>) -> Self {
        let editor = Self {
            app,
            selected: RwSignal::new(Vec::new()),
            inspecting: RwSignal::new(None),
            message: RwSignal::new(None),
            view: RwSignal::new(View::default()),
            loaded: RwSignal::new(loaded),
            fit_request: RwSignal::new(0),
            focus_request: RwSignal::new(None),
            port_menu: RwSignal::new(None),
            history: StoredValue::new(History::default()),
            undoable: RwSignal::new((false, false)),
        };
        // The browser keeps the chain as it changes, so a reload loses nothing; its
        // credentials move when the person changes where keys are remembered.
        Effect::new(move |_| {
            let remember = app.network.remember.get();
            app.chain.with(|chain| storage::save(chain, remember));
        });
        editor
    }

    pub fn running(&self) -> bool {
        self.app
            .race
            .with_untracked(|r| r.as_ref().is_some_and(Race::is_running))
    }

    /// Applies `change` to a copy of the chain; on success the copy becomes the chain
    /// and the old one is kept for undo, as `kind` says. A refusal is shown above the
    /// canvas and returned, for the field that asked to show it beside itself.
    pub fn try_edit<E: Display>(
        &self,
        kind: EditKind,
        change: impl FnOnce(&mut Chain) -> Result<(), E>,
    ) -> Result<(), String> {
        if self.running() {
            let why = "A race is running: the chain can be changed once it ends, so the timeline keeps matching it.";
            self.message.set(Some(why.into()));
            return Err(why.into());
        }
        let before = self.app.chain.get_untracked();
        let mut chain = before.clone();
        if let Err(e) = change(&mut chain) {
            self.message.set(Some(e.to_string()));
            return Err(e.to_string());
        }
        self.message.set(None);
        if chain == before {
            return Ok(());
        }
        let keeps_race = kind.keeps_race();
        self.history
            .update_value(|h| h.record(before, kind.into_group().as_deref()));
        self.put(chain, keeps_race);
        self.loaded.set(None);
        Ok(())
    }

    /// An edit that cannot be refused (except while a race runs).
    pub fn edit(&self, kind: EditKind, change: impl FnOnce(&mut Chain)) -> bool {
        self.try_edit(kind, |chain| {
            change(chain);
            Ok::<(), std::convert::Infallible>(())
        })
        .is_ok()
    }

    fn put(&self, chain: Chain, keeps_race: bool) {
        let ids: Vec<StepId> = chain.steps.iter().map(|s| s.id.clone()).collect();
        if keeps_race {
            self.app.chain.set(chain);
        } else {
            self.app.replace_chain(chain);
        }
        self.selected.update(|s| s.retain(|id| ids.contains(id)));
        if self
            .inspecting
            .with_untracked(|i| i.as_ref().is_some_and(|id| !ids.contains(id)))
        {
            self.inspecting.set(None);
        }
        self.refresh_undoable();
    }

    fn refresh_undoable(&self) {
        self.undoable
            .set(self.history.with_value(|h| (h.can_undo(), h.can_redo())));
    }

    pub fn undo(&self) {
        self.step_history(true);
    }

    pub fn redo(&self) {
        self.step_history(false);
    }

    fn step_history(&self, back: bool) {
        if self.running() {
            self.message.set(Some(
                "A race is running: undo and redo wait until it ends.".into(),
            ));
            return;
        }
        let current = self.app.chain.get_untracked();
        let target = self.history.try_update_value(|h| {
            if back {
                h.undo(current)
            } else {
                h.redo(current)
            }
        });
        if let Some(Some(chain)) = target {
            self.message.set(None);
            self.put(chain, false);
            self.loaded.set(None);
        }
    }

    /// Ends the current typing group, so the next change undoes on its own.
    pub fn seal(&self) {
        self.history.update_value(History::seal);
    }

    /// Puts a gallery chain on the canvas (undoable, like any edit) and fits it.
    pub fn load(&self, key: &str) {
        let Some(example) = gallery::EXAMPLES.iter().find(|e| e.key == key) else {
            return;
        };
        let chain = (example.chain)();
        if self.edit(EditKind::Graph, |c| *c = chain) {
            self.loaded.set(Some(example.key));
            self.selected.set(Vec::new());
            self.inspecting.set(None);
            self.fit();
        }
    }

    pub fn fit(&self) {
        self.fit_request.update(|n| *n += 1);
    }

    /// Adds a step of `kind` where it can be seen and opens it in the inspector.
    /// Adds a step in free space beside the selected step, connected from it, and
    /// selects it; with nothing selected, near the top left of what is on screen.
    pub fn add(&self, kind: NewStep) {
        let view = self.view.get_untracked();
        let on_screen = Position {
            x: (40.0 - view.x) / view.zoom,
            y: (40.0 - view.y) / view.zoom,
        };
        let after = self
            .selected
            .with_untracked(|s| (s.len() == 1).then(|| s[0].clone()));
        self.add_with(|c| {
            Ok::<_, std::convert::Infallible>(edit::add_step_after(
                c,
                kind,
                after.as_ref(),
                on_screen,
            ))
        });
    }

    /// Adds a step of `kind` where a drag from `port` was let go on empty canvas (at
    /// `at`, in canvas units), joined to that dot, and selects it: one undo removes it.
    pub fn add_at_port(&self, port: &Port, kind: NewStep, at: Position) {
        self.add_with(|c| ports::add_at(c, port, kind, at));
    }

    /// Applies an edit that adds a step, then selects the step and opens it.
    fn add_with<E: Display>(&self, add: impl FnOnce(&mut Chain) -> Result<StepId, E>) {
        let mut added = None;
        let ok = self.try_edit(EditKind::Graph, |c| {
            added = Some(add(c)?);
            Ok::<(), E>(())
        });
        if let (Ok(()), Some(id)) = (ok, added) {
            self.selected.set(vec![id.clone()]);
            self.inspecting.set(Some(id));
        }
    }

    pub fn delete_selected(&self) {
        let ids = self.selected.get_untracked();
        if ids.is_empty() {
            self.message
                .set(Some("Select a step first (click it, or Tab to it).".into()));
            return;
        }
        self.edit(EditKind::Graph, |c| edit::delete_steps(c, &ids));
    }

    pub fn duplicate_selected(&self) {
        let ids = self.selected.get_untracked();
        if ids.is_empty() {
            self.message
                .set(Some("Select the steps to duplicate first.".into()));
            return;
        }
        let mut copies = Vec::new();
        if self.edit(EditKind::Graph, |c| copies = edit::duplicate_steps(c, &ids)) {
            self.selected.set(copies);
        }
    }

    pub fn arrange(&self) {
        if self.try_edit(EditKind::Layout, layout::arrange).is_ok() {
            self.fit();
        }
    }

    /// A new, empty chain (the old one stays one undo away).
    pub fn new_chain(&self) {
        self.edit(EditKind::Graph, |c| {
            *c = Chain {
                name: "My chain".into(),
                description: "A chain of your own: add steps from the palette and connect them."
                    .into(),
                seed: 1,
                steps: Vec::new(),
            }
        });
    }

    /// Removes every step but keeps the chain's name and description.
    pub fn clear(&self) {
        self.edit(EditKind::Graph, |c| c.steps.clear());
    }

    pub fn inspect(&self, id: StepId) {
        if !self.selected.with_untracked(|s| s.contains(&id)) {
            self.selected.set(vec![id.clone()]);
        }
        self.inspecting.set(Some(id));
    }

    /// Closes the inspector and gives focus back to the step it showed.
    pub fn close_inspector(&self) {
        if let Some(id) = self.inspecting.get_untracked() {
            self.inspecting.set(None);
            self.focus_request.set(Some(id));
        }
    }
}

/// What an edit does to undo and to the race on screen.
#[derive(Clone, Debug, PartialEq)]
pub enum EditKind {
    /// Changes the graph or its timings: one undo step, and the race on screen no
    /// longer matches the chain, so it goes.
    Graph,
    /// Moves steps on the canvas: one undo step; the race still matches.
    Layout,
    /// Arrow-key nudges, undone together; the race still matches.
    Nudge,
    /// Typing into one field of one step, undone together.
    Typing(StepId, Field),
}

impl EditKind {
    fn into_group(self) -> Option<String> {
        match self {
            EditKind::Graph | EditKind::Layout => None,
            EditKind::Nudge => Some("arrow keys".into()),
            EditKind::Typing(id, field) => Some(format!("{id}:{}", field.key())),
        }
    }

    fn keeps_race(&self) -> bool {
        match self {
            EditKind::Graph => false,
            EditKind::Layout | EditKind::Nudge => true,
            EditKind::Typing(_, field) => field.keeps_race(),
        }
    }
}

pub fn use_editor() -> Editor {
    expect_context::<Editor>()
}

/// Palette, buttons, canvas and inspector side by side.
#[component]
pub fn ChainEditor() -> impl IntoView {
    let editor = use_editor();
    let running = Memo::new(move |_| editor.app.running());
    let undoable = editor.undoable;
    let nothing_selected = Memo::new(move |_| editor.selected.with(Vec::is_empty));
    view! {
        <section class="editor" aria-label="Chain editor">
            <div class="editor-bar" role="toolbar" aria-label="Edit the chain">
                <span class="palette" role="group" aria-label="Add a step">
                    <span class="bar-label">"Add"</span>
                    {NewStep::ALL
                        .into_iter()
                        .map(|kind| {
                            view! {
                                <button
                                    data-testid=format!("palette-{}", kind.key())
                                    class=format!("palette-item {}", kind.key())
                                    title=format!("Add a {} step", kind.label())
                                    aria-label=format!("Add a {} step", kind.label())
                                    disabled=move || running.get()
                                    on:click=move |_| editor.add(kind)
                                >
                                    <span class="icon" aria-hidden="true">{canvas::kind_icon(kind)}</span>
                                    {kind.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </span>
                <span class="tools" role="group" aria-label="Change">
                    <button
                        data-testid="undo"
                        title="Undo (Ctrl+Z)"
                        aria-keyshortcuts="Control+Z"
                        disabled=move || !undoable.get().0 || running.get()
                        on:click=move |_| editor.undo()
                    >
                        "↶ Undo"
                    </button>
                    <button
                        data-testid="redo"
                        title="Redo (Ctrl+Shift+Z)"
                        aria-keyshortcuts="Control+Shift+Z"
                        disabled=move || !undoable.get().1 || running.get()
                        on:click=move |_| editor.redo()
                    >
                        "↷ Redo"
                    </button>
                    <button
                        data-testid="delete"
                        title="Delete the selected steps (Delete)"
                        disabled=move || nothing_selected.get() || running.get()
                        on:click=move |_| editor.delete_selected()
                    >
                        "✕ Delete"
                    </button>
                    <button
                        data-testid="duplicate"
                        title="Duplicate the selected steps"
                        disabled=move || nothing_selected.get() || running.get()
                        on:click=move |_| editor.duplicate_selected()
                    >
                        "Duplicate"
                    </button>
                    <button
                        data-testid="layout"
                        title="Put steps in columns: each column runs together"
                        disabled=move || running.get()
                        on:click=move |_| editor.arrange()
                    >
                        "▦ Auto-layout"
                    </button>
                </span>
                <span class="tools" role="group" aria-label="Chain">
                    <button
                        data-testid="new-chain"
                        disabled=move || running.get()
                        on:click=move |_| editor.new_chain()
                    >
                        "New"
                    </button>
                    <button
                        data-testid="clear"
                        disabled=move || running.get()
                        on:click=move |_| editor.clear()
                    >
                        "Clear"
                    </button>
                </span>
            </div>
            <p class="editor-message" data-testid="editor-message" aria-live="polite">
                {move || editor.message.get()}
            </p>
            <div class="editor-body">
                <Canvas />
                <Inspector />
            </div>
        </section>
    }
}

/// Page-wide keys: undo and redo anywhere except inside a text box (which has its
/// own undo), Escape closes the inspector, then lets go of the selection.
pub fn listen_for_shortcuts(editor: Editor) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let in_text = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        let command = ev.ctrl_key() || ev.meta_key();
        match ev.key().to_ascii_lowercase().as_str() {
            "z" if command && !in_text => {
                ev.prevent_default();
                if ev.shift_key() {
                    editor.redo();
                } else {
                    editor.undo();
                }
            }
            "y" if command && !in_text => {
                ev.prevent_default();
                editor.redo();
            }
            // Escape closes the innermost thing first: the palette of a dot, then the
            // inspector, then the selection.
            "escape" if editor.port_menu.with_untracked(Option::is_some) => {
                if let Some(menu) = editor.port_menu.get_untracked() {
                    editor.port_menu.set(None);
                    canvas::focus_node(&menu.port.step);
                }
            }
            "escape" if editor.inspecting.with_untracked(Option::is_some) => {
                editor.close_inspector();
            }
            // With the inspector closed, Escape lets go of the selection, so the next
            // step added from the palette is not connected from it.
            "escape" if !in_text && editor.selected.with_untracked(|s| !s.is_empty()) => {
                editor.selected.set(Vec::new());
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}
