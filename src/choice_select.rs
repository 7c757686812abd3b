//! One select for every closed list of choices (modes, failure policy, transform,
//! latency model, ...): the values and their words come from the core's [`Choice`].

use chainlab_core::Choice;
use leptos::prelude::*;

/// A `<select>` over every value of `T`, showing `value` and reporting each pick.
#[component]
pub fn ChoiceSelect<T: Choice>(
    /// `data-testid` of the select.
    #[prop(into)]
    testid: String,
    /// The value the select shows.
    #[prop(into)]
    value: Signal<T>,
    /// Called with the value picked.
    on_pick: Callback<T>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <select
            data-testid=testid
            prop:value=move || value.get().key()
            disabled=move || disabled.get()
            on:change=move |ev| {
                if let Some(picked) = T::from_key(&event_target_value(&ev)) {
                    on_pick.run(picked);
                }
            }
        >
            {T::ALL
                .iter()
                .map(|&choice| {
                    view! {
                        <option value=choice.key() selected=move || value.get() == choice>
                            {choice.label()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}
