//! The gallery of ready chains: one card per use case, with what a teacher can say.

use super::use_editor;
use chainlab_core::editor::gallery;
use leptos::prelude::*;

#[component]
pub fn GalleryPanel() -> impl IntoView {
    let editor = use_editor();
    let running = Memo::new(move |_| editor.app.running());
    view! {
        <details class="gallery" data-testid="gallery">
            <summary>
                "Gallery: " {gallery::EXAMPLES.len()}
                " ready chains, one for each kind of parallel work (open to choose)"
            </summary>
            <ul class="cards">
                {gallery::EXAMPLES
                    .iter()
                    .map(|example| {
                        let chain = (example.chain)();
                        let key = example.key;
                        let current = move || editor.loaded.get() == Some(key);
                        view! {
                            <li class="card" class:current=current data-testid=format!("gallery-{key}")>
                                <h3>{chain.name.clone()}</h3>
                                <p>{chain.description.clone()}</p>
                                <button
                                    data-testid=format!("load-{key}")
                                    aria-label=format!("Load the {} chain", chain.name)
                                    disabled=move || running.get()
                                    on:click=move |_| editor.load(key)
                                >
                                    {move || if current() { "Loaded" } else { "Load" }}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
