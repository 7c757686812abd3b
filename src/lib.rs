use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    view! { <h1>"ChainLab"</h1> }
}
