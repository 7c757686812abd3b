//! The page: pick a chain, run it in all three modes at once, watch them race.

use crate::editor::{listen_for_shortcuts, storage, ChainEditor, Editor};
use crate::race_runner::describe_problems;
use crate::share::{ShareDialogs, ShareNotices};
use crate::shell::{Drawer, Shell, ShortcutsDialog, SplitHandle, Toolbar};
use crate::state::AppState;
use crate::timeline::Timeline;
use chainlab_core::Plan;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let (chain, loaded, unreadable) = storage::restore();
    let state = AppState::new(chain);
    provide_context(state);
    let editor = Editor::new(state, loaded);
    provide_context(editor);
    let shell = Shell::new();
    provide_context(shell);
    crate::shell::close_on_escape(shell);
    state.error.set(unreadable);
    listen_for_shortcuts(editor);
    // Reads a link in the address bar (which may ask to present) before anything draws.
    crate::share::provide();
    view! {
        <div class="app">
            <Toolbar />
            <div class="notices">
                <ShareNotices />
                <crate::import::ImportNotice />
                {move || state.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                {move || {
                    describe_problems(&state.plan.get())
                        .map(|message| view! { <p class="error" role="alert">{message}</p> })
                }}
                {move || {
                    state.plan.with(|plan| plan.as_ref().ok().and_then(Plan::output_warning)).map(|warning| {
                        view! { <p class="warning" data-testid="output-warning" role="status">{warning}</p> }
                    })
                }}
            </div>
            <main class="workspace" style=move || format!("--split: {:.1}%", shell.split.get())>
                <ChainEditor />
                <SplitHandle />
                <Timeline />
            </main>
            <Drawer />
            <ShareDialogs />
            <ShortcutsDialog />
        </div>
    }
}
