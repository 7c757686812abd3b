//! The inspector: every field of the selected step, edited in place. Each field edits
//! the chain through the editor, so the canvas changes at once; typing into one field
//! is one undo step. Which fields a step has, and how each is read and checked, is the
//! core's `editor::fields`.

use super::{use_editor, EditKind, Editor};
use crate::choice_select::ChoiceSelect;
use crate::timeline::LastRun;
use chainlab_core::editor::edit::{self, NewStep};
use chainlab_core::editor::fields::{Field, Widget};
use chainlab_core::model::{Header, LatencyKind};
use chainlab_core::{StepId, StepKind};
use leptos::ev;
use leptos::prelude::*;

#[component]
pub fn Inspector() -> impl IntoView {
    let editor = use_editor();
    move || editor.inspecting.get().map(|id| view! { <Panel id=id /> })
}

#[component]
fn Panel(id: StepId) -> impl IntoView {
    let editor = use_editor();
    let chain = editor.app.chain;
    let step = Memo::new({
        let id = id.clone();
        move |_| chain.with(|c| c.steps.iter().find(|s| s.id == id).cloned())
    });
    let kind = Memo::new(move |_| step.with(|s| s.as_ref().map(|s| NewStep::of(&s.kind))));
    let latency_kind = Memo::new(move |_| step.with(|s| s.as_ref().map(|s| s.sim.latency.kind())));
    let problems = Memo::new({
        let id = id.clone();
        move |_| {
            editor.app.plan.with(|plan| match plan {
                Ok(_) => Vec::new(),
                Err(problems) => problems
                    .iter()
                    .filter(|p| p.step() == Some(&id))
                    .map(ToString::to_string)
                    .collect(),
            })
        }
    });
    // Steps this one may take input from: an output step's result feeds nothing.
    let others = Memo::new({
        let id = id.clone();
        move |_| {
            chain.with(|c| {
                c.steps
                    .iter()
                    .filter(|s| s.id != id && !matches!(s.kind, StepKind::Output))
                    .map(|s| (s.id.clone(), s.label.clone()))
                    .collect::<Vec<_>>()
            })
        }
    });
    let inputs =
        Memo::new(move |_| step.with(|s| s.as_ref().map(|s| s.inputs.clone()).unwrap_or_default()));
    let on_key = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            editor.close_inspector();
        }
    };
    let heading = move || step.with(|s| s.as_ref().map(|s| s.label.clone()).unwrap_or_default());

    view! {
        <aside class="inspector" data-testid="inspector" aria-label="Step inspector" on:keydown=on_key>
            <div class="inspector-head">
                <h2>{heading}</h2>
                <button
                    data-testid="inspector-close"
                    aria-label="Close the inspector (Escape)"
                    on:click=move |_| editor.close_inspector()
                >
                    "✕"
                </button>
            </div>
            <LastRun id=id.clone() />
            <crate::analysis::StepAnalysis id=id.clone() />
            // While a race runs the chain stays as the race has it.
            <fieldset class="plain" disabled=move || editor.app.running()>
            <ul class="problems" role="alert">
                {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            <FieldInput id=id.clone() field=Field::Label />
            <IdField id=id.clone() />
            <fieldset class="inputs">
                <legend>"Takes input from"</legend>
                {
                    let id = id.clone();
                    move || {
                        if kind.get() == Some(NewStep::Input) {
                            return view! { <p class="hint">"An input step starts the chain: it takes no inputs."</p> }.into_any();
                        }
                        let own = id.clone();
                        others
                            .get()
                            .into_iter()
                            .map(|(other, label)| view! { <InputCheck own=own.clone() other=other label=label inputs=inputs /> })
                            .collect_view()
                            .into_any()
                    }
                }
            </fieldset>
            {
                let id = id.clone();
                move || kind.get().map(|k| kind_fields(&id, k, inputs))
            }
            <fieldset class="latency">
                <legend>"Simulated latency"</legend>
                <label class="field">
                    <span>"Latency model"</span>
                    <ChoiceSelect
                        testid="field-latency-model"
                        value=Signal::derive(move || latency_kind.get().unwrap_or(LatencyKind::Fixed))
                        on_pick={
                            let id = id.clone();
                            Callback::new(move |picked: LatencyKind| {
                                let id = id.clone();
                                editor.edit(EditKind::Graph, move |c| {
                                    if let Some(s) = c.steps.iter_mut().find(|s| s.id == id) {
                                        s.sim.latency = s.sim.latency.as_kind(picked);
                                    }
                                });
                            })
                        }
                    />
                </label>
                {
                    let id = id.clone();
                    move || {
                        latency_kind.get().map(|k| {
                            Field::of_latency(k)
                                .iter()
                                .map(|&field| view! { <FieldInput id=id.clone() field=field /> })
                                .collect_view()
                        })
                    }
                }
            </fieldset>
            {
                let id = id.clone();
                move || {
                    matches!(kind.get(), Some(NewStep::Llm | NewStep::Http)).then(|| {
                        view! {
                            <FieldInput id=id.clone() field=Field::SimOutput />
                            <AvailableInputs id=id.clone() inputs=inputs field=Field::SimOutput />
                        }
                    })
                }
            }
            </fieldset>
        </aside>
    }
}

/// The step's id, renamed everywhere it is used; a taken or empty id is refused
/// beside the field, and the box keeps what was typed until it is fixed.
#[component]
fn IdField(id: StepId) -> impl IntoView {
    let editor = use_editor();
    let typed = RwSignal::new(id.to_string());
    let refusal = RwSignal::new(None::<String>);
    let current = StoredValue::new(id);
    view! {
        <label class="field">
            <span>"Id " <small>"(how templates name it: {{id}})"</small></span>
            <input
                data-testid="field-id"
                aria-invalid=move || refusal.with(Option::is_some).to_string()
                prop:value=move || typed.get()
                on:change=move |ev| {
                    let new = event_target_value(&ev);
                    // A change can arrive as the inspector closes (the box loses focus):
                    // then this field is gone and the rename is not asked for.
                    if typed.try_set(new.clone()).is_some() {
                        return;
                    }
                    let Some(old) = current.try_get_value() else {
                        return;
                    };
                    match editor.try_edit(EditKind::Graph, |c| edit::rename(c, &old, &new)) {
                        Ok(()) => {
                            let new = StepId::new(new.trim());
                            refusal.set(None);
                            current.set_value(new.clone());
                            editor.selected.set(vec![new.clone()]);
                            editor.inspecting.set(Some(new));
                        }
                        Err(why) => {
                            let _ = refusal.try_set(Some(why));
                        }
                    }
                }
            />
            {move || refusal.get().map(|why| view! { <small class="field-error" data-testid="field-id-error" role="alert">{why}</small> })}
        </label>
    }
}

/// One "takes input from" box: ticking it connects `other` into `own`.
#[component]
fn InputCheck(
    own: StepId,
    other: StepId,
    label: String,
    inputs: Memo<Vec<StepId>>,
) -> impl IntoView {
    let editor = use_editor();
    let checked = {
        let other = other.clone();
        move || inputs.with(|i| i.contains(&other))
    };
    let testid = format!("input-{other}");
    let name = other.to_string();
    view! {
        <label class="check">
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=checked
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    let ok = if on {
                        editor.try_edit(EditKind::Graph, |c| edit::connect(c, &other, &own)).is_ok()
                    } else {
                        editor.edit(EditKind::Graph, |c| {
                            edit::disconnect(c, &other, &own);
                        })
                    };
                    if !ok {
                        // Refused: show the box as the chain has it.
                        if let Some(input) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                            input.set_checked(!on);
                        }
                    }
                }
            />
            {label} " " <code>{name}</code>
        </label>
    }
}

/// One field of the step, as a line, a text box or a number. What the person types
/// goes through the field's checks; a refused value stays in the box with the reason
/// beside it, and the chain keeps its last good value.
#[component]
fn FieldInput(id: StepId, field: Field) -> impl IntoView {
    let editor = use_editor();
    let refusal = RwSignal::new(None::<String>);
    let stored = {
        let id = id.clone();
        move || {
            editor.app.chain.with(|c| {
                c.steps
                    .iter()
                    .find(|s| s.id == id)
                    .and_then(|s| field.get(s))
                    .unwrap_or_default()
            })
        }
    };
    // While a value is refused (or a number is half typed: "0." on the way to
    // "0.5"), the box keeps the typing instead of the stored value.
    let typed = RwSignal::new(None::<String>);
    let shown = move || match typed.get() {
        Some(t) => t,
        None => stored(),
    };
    let on_input = move |ev: ev::Event| {
        let value = event_target_value(&ev);
        let id = id.clone();
        let result = editor.try_edit(EditKind::Typing(id.clone(), field), |c| {
            match c.steps.iter_mut().find(|s| s.id == id) {
                Some(step) => field.set(step, &value),
                None => Ok(()),
            }
        });
        let _ = refusal.try_set(result.err());
        let _ = typed.try_set(Some(value));
    };
    let on_blur = move |_| {
        editor.seal();
        // Closing the inspector removes a focused box, which still sends its blur:
        // by then this field's signals are gone, and there is nothing to reset.
        if refusal.try_with_untracked(Option::is_none) == Some(true) {
            let _ = typed.try_set(None);
        }
    };
    let testid = format!("field-{}", field.key());
    let error_id = format!("field-{}-error", field.key());
    let input = match field.widget() {
        Widget::Text => view! {
            <textarea data-testid=testid rows="3" prop:value=shown on:input=on_input on:blur=on_blur
                aria-invalid=move || refusal.with(Option::is_some).to_string()></textarea>
        }
        .into_any(),
        Widget::Line => view! {
            <input data-testid=testid prop:value=shown on:input=on_input on:blur=on_blur
                aria-invalid=move || refusal.with(Option::is_some).to_string() />
        }
        .into_any(),
        Widget::Number => view! {
            <input data-testid=testid type="number" min="0" step="any" prop:value=shown on:input=on_input on:blur=on_blur
                aria-invalid=move || refusal.with(Option::is_some).to_string() />
        }
        .into_any(),
    };
    view! {
        <label class="field" class:number=field.widget() == Widget::Number>
            <span>{field.label()}</span>
            {input}
            {move || refusal.get().map(|why| view! { <small class="field-error" data-testid=error_id.clone() role="alert">{why}</small> })}
        </label>
    }
}

/// The `{{name}}` of each input, offered for a template field: pressing one adds it
/// to the end of that field.
#[component]
fn AvailableInputs(id: StepId, inputs: Memo<Vec<StepId>>, field: Field) -> impl IntoView {
    let editor = use_editor();
    let field_name = field.label().to_ascii_lowercase();
    view! {
        <p class="hint available">
            "Inputs a template can use (press to add to the " {field_name.clone()} "): "
            {move || {
                let names = inputs.get();
                if names.is_empty() {
                    return view! { <em>"none yet: connect a step into this one"</em> }.into_any();
                }
                names
                    .into_iter()
                    .map(|n| {
                        let reference = format!("{{{{{n}}}}}");
                        let (id, added) = (id.clone(), reference.clone());
                        view! {
                            <button
                                class="reference"
                                data-testid=format!("insert-{n}")
                                aria-label=format!("Add {reference} to the {field_name}")
                                on:click=move |_| {
                                    editor.seal();
                                    append(editor, &id, field, &added);
                                    editor.seal();
                                }
                            >
                                <code>{reference.clone()}</code>
                            </button>
                            " "
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </p>
    }
}

fn append(editor: Editor, id: &StepId, field: Field, text: &str) {
    let id = id.clone();
    let _ = editor.try_edit(EditKind::Typing(id.clone(), field), |c| {
        match c.steps.iter_mut().find(|s| s.id == id) {
            Some(step) => {
                let value = field.get(step).unwrap_or_default() + text;
                field.set(step, &value)
            }
            None => Ok(()),
        }
    });
}

fn kind_fields(id: &StepId, kind: NewStep, inputs: Memo<Vec<StepId>>) -> AnyView {
    let editor = use_editor();
    let fields = Field::of_kind(kind)
        .iter()
        .map(|&field| match field {
            Field::Provider => view! { <ProviderField id=id.clone() /> }.into_any(),
            Field::Headers => view! {
                <FieldInput id=id.clone() field=field />
                <HeaderSecrets id=id.clone() />
            }
            .into_any(),
            _ => view! { <FieldInput id=id.clone() field=field /> }.into_any(),
        })
        .collect_view();
    let available = Field::template_of(kind)
        .map(|field| view! { <AvailableInputs id=id.clone() inputs=inputs field=field /> });
    match kind {
        NewStep::Input => fields.into_any(),
        NewStep::Output => view! {
            <p class="hint">"An output step returns its inputs' results, joined. It has no settings of its own."</p>
        }
        .into_any(),
        NewStep::Llm | NewStep::Http | NewStep::Transform => {
            let legend = match kind {
                NewStep::Llm => "LLM call",
                NewStep::Http => "HTTP call",
                _ => "Transform / aggregate",
            };
            let op = (kind == NewStep::Transform).then(|| {
                let id = id.clone();
                let current = {
                    let id = id.clone();
                    Signal::derive(move || {
                        editor.app.chain.with(|c| {
                            c.steps.iter().find(|s| s.id == id).and_then(|s| match &s.kind {
                                StepKind::Transform(t) => Some(t.op),
                                _ => None,
                            })
                            .unwrap_or(chainlab_core::model::TransformOp::Concatenate)
                        })
                    })
                };
                view! {
                    <label class="field">
                        <span>"Operation"</span>
                        <ChoiceSelect
                            testid="field-op"
                            value=current
                            on_pick=Callback::new(move |op| {
                                let id = id.clone();
                                editor.edit(EditKind::Graph, move |c| {
                                    if let Some(StepKind::Transform(t)) = c.steps.iter_mut().find(|s| s.id == id).map(|s| &mut s.kind) {
                                        t.op = op;
                                    }
                                });
                            })
                        />
                    </label>
                }
            });
            let url_hint = (kind == NewStep::Http).then(|| view! {
                <p class="hint">"Inputs put into the URL, like "<code>"?q={{question}}"</code>", are percent-encoded; one at the very start is used as the base URL as it is."</p>
            });
            view! {
                <fieldset class="kind-fields">
                    <legend>{legend}</legend>
                    {op}
                    {fields}
                    {url_hint}
                    {available}
                </fieldset>
            }
            .into_any()
        }
    }
}

/// One box per header of an HTTP step to keep its value secret (like a provider key:
/// out of saved chains, links, files and code, masked wherever it is shown, still
/// sent). A header whose name already says it is a credential is shown kept.
#[component]
fn HeaderSecrets(id: StepId) -> impl IntoView {
    let editor = use_editor();
    let marks = {
        let id = id.clone();
        move || {
            editor.app.chain.with(|c| {
                c.steps
                    .iter()
                    .find(|s| s.id == id)
                    .map(Header::secret_marks)
                    .unwrap_or_default()
            })
        }
    };
    let has_headers = {
        let marks = marks.clone();
        move || !marks().is_empty()
    };
    view! {
        <Show when=has_headers>
            <fieldset class="header-secrets" data-testid="header-secrets">
                <legend>"Keep secret (sent, but never saved, linked or exported)"</legend>
                {
                    let (id, marks) = (id.clone(), marks.clone());
                    move || {
                        marks()
                            .into_iter()
                            .enumerate()
                            .map(|(i, (name, marked, by_name))| {
                                let id = id.clone();
                                let header = name.clone();
                                view! {
                                    <label class="check">
                                        <input
                                            type="checkbox"
                                            data-testid=format!("header-secret-{i}")
                                            prop:checked=marked || by_name
                                            disabled=by_name
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let id = id.clone();
                                                editor.seal();
                                                editor.edit(EditKind::Typing(id.clone(), Field::Headers), |c| {
                                                    if let Some(step) = c.steps.iter_mut().find(|s| s.id == id) {
                                                        Header::mark_secret(step, &header, on);
                                                    }
                                                });
                                                editor.seal();
                                            }
                                        />
                                        <code>{name}</code>
                                        {by_name.then_some(" (a credential by its name)")}
                                    </label>
                                }
                            })
                            .collect_view()
                    }
                }
            </fieldset>
        </Show>
    }
}

/// The provider of an LLM step, picked from the providers in Settings (and the
/// simulator, which needs none). A provider the chain names but Settings lacks stays
/// in the list, marked, so opening a shared chain never loses it.
#[component]
fn ProviderField(id: StepId) -> impl IntoView {
    let editor = use_editor();
    let providers = editor.app.network.providers;
    let current = {
        let id = id.clone();
        Signal::derive(move || {
            editor.app.chain.with(|c| {
                c.steps
                    .iter()
                    .find(|s| s.id == id)
                    .and_then(|s| Field::Provider.get(s))
                    .unwrap_or_default()
            })
        })
    };
    let names = {
        move || {
            let mut names = vec![(
                "simulator".to_string(),
                "simulator (no network)".to_string(),
            )];
            names.extend(
                providers
                    .get()
                    .into_iter()
                    .map(|p| (p.name.clone(), p.name)),
            );
            let now = current.get();
            if !names.iter().any(|(n, _)| *n == now) {
                names.push((now.clone(), format!("{now} (not in Settings)")));
            }
            names
        }
    };
    view! {
        <label class="field">
            <span>{Field::Provider.label()}</span>
            <select
                data-testid="field-provider"
                prop:value=current
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    let id = id.clone();
                    let _ = editor.try_edit(EditKind::Typing(id.clone(), Field::Provider), |c| {
                        match c.steps.iter_mut().find(|s| s.id == id) {
                            Some(step) => Field::Provider.set(step, &value),
                            None => Ok(()),
                        }
                    });
                }
            >
                {move || {
                    let now = current.get();
                    names()
                        .into_iter()
                        .map(|(name, words)| {
                            let selected = name == now;
                            view! { <option value=name selected=selected>{words}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}
