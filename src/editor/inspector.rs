//! The inspector: every field of the selected step, edited in place. Each field edits
//! the chain through the editor, so the canvas changes at once; typing into one field
//! is one undo step.

use super::{use_editor, Editor};
use crate::timeline::LastRun;
use chainlab_core::edit::{self, NewStep};
use chainlab_core::model::{Header, LatencyModel, TransformOp};
use chainlab_core::{Step, StepId, StepKind};
use leptos::ev;
use leptos::prelude::*;

#[component]
pub fn Inspector() -> impl IntoView {
    let editor = use_editor();
    move || editor.inspecting.get().map(|id| view! { <Panel id=id /> })
}

/// Reads one field of the inspected step.
type Getter<T> = std::sync::Arc<dyn Fn(&Step) -> T + Send + Sync>;

#[component]
fn Panel(id: StepId) -> impl IntoView {
    let editor = use_editor();
    let chain = editor.app.chain;
    let step = Memo::new({
        let id = id.clone();
        move |_| chain.with(|c| c.steps.iter().find(|s| s.id == id).cloned())
    });
    let kind = Memo::new(move |_| step.with(|s| s.as_ref().map(|s| NewStep::of(&s.kind))));
    let latency_model = Memo::new(move |_| {
        step.with(|s| {
            s.as_ref().map(|s| match s.sim.latency {
                LatencyModel::Fixed { .. } => "fixed",
                LatencyModel::Uniform { .. } => "uniform",
                LatencyModel::LogNormal { .. } => "log_normal",
            })
        })
    });
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
    let others = Memo::new({
        let id = id.clone();
        move |_| {
            chain.with(|c| {
                c.steps
                    .iter()
                    .filter(|s| s.id != id)
                    .map(|s| (s.id.clone(), s.label.clone()))
                    .collect::<Vec<_>>()
            })
        }
    });
    let inputs =
        Memo::new(move |_| step.with(|s| s.as_ref().map(|s| s.inputs.clone()).unwrap_or_default()));
    let id_value = RwSignal::new(id.to_string());
    let on_key = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            editor.close_inspector();
        }
    };
    let heading = move || step.with(|s| s.as_ref().map(|s| s.label.clone()).unwrap_or_default());
    let rename_id = id.clone();

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
            // While a race runs the chain stays as the race has it.
            <fieldset class="plain" disabled=move || editor.app.running()>
            <ul class="problems" role="alert">
                {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            {text_field(editor, &id, "Label", "label", getter(|s| s.label.clone()), |s, v| s.label = v)}
            <label class="field">
                <span>"Id " <small>"(how templates name it: {{id}})"</small></span>
                <input
                    data-testid="field-id"
                    prop:value=move || id_value.get()
                    on:change=move |ev| {
                        let new = event_target_value(&ev);
                        let old = rename_id.clone();
                        if editor.try_edit(None, false, |c| edit::rename(c, &old, &new)) {
                            let new = StepId::new(new.trim());
                            editor.selected.set(vec![new.clone()]);
                            editor.inspecting.set(Some(new));
                        } else {
                            id_value.set(old.to_string());
                        }
                    }
                />
            </label>
            <fieldset class="inputs">
                <legend>"Takes input from"</legend>
                {
                    let id = id.clone();
                    move || {
                        let own = id.clone();
                        let is_input_step = kind.get() == Some(NewStep::Input);
                        if is_input_step {
                            return view! { <p class="hint">"An input step starts the chain: it takes no inputs."</p> }.into_any();
                        }
                        others
                            .get()
                            .into_iter()
                            .map(|(other, label)| {
                                let checked = {
                                    let other = other.clone();
                                    move || inputs.with(|i| i.contains(&other))
                                };
                                let own = own.clone();
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
                                                    editor.try_edit(None, false, |c| edit::connect(c, &other, &own))
                                                } else {
                                                    editor.edit(None, false, |c| {
                                                        edit::disconnect(c, &other, &own);
                                                    })
                                                };
                                                if !ok {
                                                    // Refused: show the box as the chain has it.
                                                    let target = ev.target();
                                                    if let Some(input) = target.and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                                                        input.set_checked(!on);
                                                    }
                                                }
                                            }
                                        />
                                        {label} " " <code>{name}</code>
                                    </label>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                }
            </fieldset>
            {
                let id = id.clone();
                move || kind.get().map(|k| kind_fields(editor, &id, k, inputs))
            }
            <fieldset class="latency">
                <legend>"Simulated latency"</legend>
                <label class="field">
                    <span>"Model"</span>
                    <select
                        data-testid="field-latency-model"
                        prop:value=move || latency_model.get().unwrap_or("fixed")
                        on:change={
                            let id = id.clone();
                            move |ev| {
                                let model = event_target_value(&ev);
                                let id = id.clone();
                                editor.edit(None, false, move |c| {
                                    if let Some(s) = c.steps.iter_mut().find(|s| s.id == id) {
                                        let median = s.sim.latency.sample(0, &s.id, 0).max(1) as u32;
                                        s.sim.latency = match model.as_str() {
                                            "uniform" => LatencyModel::Uniform { min_ms: median / 2, max_ms: median * 3 / 2 },
                                            "log_normal" => LatencyModel::LogNormal { median_ms: median, sigma: 0.5 },
                                            _ => LatencyModel::Fixed { ms: median },
                                        };
                                    }
                                });
                            }
                        }
                    >
                        <option value="fixed">"fixed"</option>
                        <option value="uniform">"uniform (between two values)"</option>
                        <option value="log_normal">"log-normal (long tail, like real calls)"</option>
                    </select>
                </label>
                {
                    let id = id.clone();
                    move || latency_model.get().map(|m| latency_fields(editor, &id, m))
                }
            </fieldset>
            {
                let id = id.clone();
                move || {
                    matches!(kind.get(), Some(NewStep::Llm | NewStep::Http)).then(|| {
                        view! {
                            {textarea_field(editor, &id, "Simulated output", "sim-output", getter(|s| s.sim.output.clone()), |s, v| s.sim.output = v)}
                            {available_inputs(editor, &id, inputs, "simulated output", |s, r| s.sim.output.push_str(r))}
                        }
                    })
                }
            }
            </fieldset>
        </aside>
    }
}

/// Applies `set` to the step `id` as one typing group per field.
fn set_field(editor: Editor, id: &StepId, field: &str, set: impl FnOnce(&mut Step)) {
    let group = format!("{id}:{field}");
    let id = id.clone();
    editor.edit(Some(&group), keeps_race(field), |c| {
        if let Some(s) = c.steps.iter_mut().find(|s| s.id == id) {
            set(s);
        }
    });
}

/// Text fields do not change the graph or the timings, so a finished race stays
/// on screen while they are edited.
fn keeps_race(field: &str) -> bool {
    matches!(field, "label")
}

fn current(editor: Editor, id: &StepId, get: &Getter<String>) -> String {
    editor.app.chain.with(|c| {
        c.steps
            .iter()
            .find(|s| &s.id == id)
            .map(|s| get(s))
            .unwrap_or_default()
    })
}

fn text_field(
    editor: Editor,
    id: &StepId,
    label: &'static str,
    testid: &'static str,
    get: Getter<String>,
    set: fn(&mut Step, String),
) -> impl IntoView {
    let (id, read) = (id.clone(), id.clone());
    view! {
        <label class="field">
            <span>{label}</span>
            <input
                data-testid=format!("field-{testid}")
                prop:value=move || current(editor, &read, &get)
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    set_field(editor, &id, testid, |s| set(s, value));
                }
                on:blur=move |_| editor.seal()
            />
        </label>
    }
}

fn textarea_field(
    editor: Editor,
    id: &StepId,
    label: &'static str,
    testid: &'static str,
    get: Getter<String>,
    set: fn(&mut Step, String),
) -> impl IntoView {
    let (id, read) = (id.clone(), id.clone());
    view! {
        <label class="field">
            <span>{label}</span>
            <textarea
                data-testid=format!("field-{testid}")
                rows="3"
                prop:value=move || current(editor, &read, &get)
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    set_field(editor, &id, testid, |s| set(s, value));
                }
                on:blur=move |_| editor.seal()
            ></textarea>
        </label>
    }
}

fn number_field(
    editor: Editor,
    id: &StepId,
    label: &'static str,
    testid: &'static str,
    get: Getter<String>,
    set: fn(&mut Step, f64),
) -> impl IntoView {
    let (id, read) = (id.clone(), id.clone());
    let input = NodeRef::<leptos::html::Input>::new();
    // While a number is being typed ("0." on the way to "0.5") the box keeps the
    // typing as long as it means the value the chain holds.
    let shown = move || {
        let value = current(editor, &read, &get);
        let typed = input.get_untracked().map(|el| el.value());
        match typed {
            Some(t) if t.trim().parse::<f64>().ok() == value.parse::<f64>().ok() => t,
            _ => value,
        }
    };
    view! {
        <label class="field number">
            <span>{label}</span>
            <input
                node_ref=input
                type="number"
                min="0"
                step="any"
                data-testid=format!("field-{testid}")
                prop:value=shown
                on:input=move |ev| {
                    // A half-typed number ("", "-") is left alone until it parses.
                    if let Ok(value) = event_target_value(&ev).trim().parse::<f64>() {
                        if value.is_finite() && value >= 0.0 {
                            set_field(editor, &id, testid, |s| set(s, value));
                        }
                    }
                }
                on:blur=move |_| editor.seal()
            />
        </label>
    }
}

/// The `{{name}}` of each input, offered for templates: pressing one adds it to the
/// end of `field` (named for people as `field_name`).
fn available_inputs(
    editor: Editor,
    id: &StepId,
    inputs: Memo<Vec<StepId>>,
    field_name: &'static str,
    append: fn(&mut Step, &str),
) -> impl IntoView {
    let id = id.clone();
    view! {
        <p class="hint available">
            "Inputs a template can use (press to add to the " {field_name} "): "
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
                                    set_field(editor, &id, field_name, |s| append(s, &added));
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

fn getter(f: impl Fn(&Step) -> String + Send + Sync + 'static) -> Getter<String> {
    std::sync::Arc::new(f)
}

fn kind_fields(editor: Editor, id: &StepId, kind: NewStep, inputs: Memo<Vec<StepId>>) -> AnyView {
    match kind {
        NewStep::Input => view! {
            {textarea_field(editor, id, "Text the chain starts from", "input-text",
                getter(|s| match &s.kind { StepKind::Input { text } => text.clone(), _ => String::new() }),
                |s, v| if let StepKind::Input { text } = &mut s.kind { *text = v })}
        }
        .into_any(),
        NewStep::Llm => view! {
            <fieldset class="kind-fields">
                <legend>"LLM call"</legend>
                {text_field(editor, id, "Provider", "provider",
                    getter(|s| match &s.kind { StepKind::Llm(l) => l.provider.clone(), _ => String::new() }),
                    |s, v| if let StepKind::Llm(l) = &mut s.kind { l.provider = v })}
                {text_field(editor, id, "Model", "model",
                    getter(|s| match &s.kind { StepKind::Llm(l) => l.model.clone(), _ => String::new() }),
                    |s, v| if let StepKind::Llm(l) = &mut s.kind { l.model = v })}
                {textarea_field(editor, id, "System prompt", "system-prompt",
                    getter(|s| match &s.kind { StepKind::Llm(l) => l.system_prompt.clone(), _ => String::new() }),
                    |s, v| if let StepKind::Llm(l) = &mut s.kind { l.system_prompt = v })}
                {textarea_field(editor, id, "Prompt template", "prompt",
                    getter(|s| match &s.kind { StepKind::Llm(l) => l.prompt.clone(), _ => String::new() }),
                    |s, v| if let StepKind::Llm(l) = &mut s.kind { l.prompt = v })}
                {available_inputs(editor, id, inputs, "prompt template", |s, r| if let StepKind::Llm(l) = &mut s.kind { l.prompt.push_str(r) })}
                {number_field(editor, id, "Temperature", "temperature",
                    getter(|s| match &s.kind { StepKind::Llm(l) => l.temperature.to_string(), _ => String::new() }),
                    |s, v| if let StepKind::Llm(l) = &mut s.kind { l.temperature = v as f32 })}
                {number_field(editor, id, "Max tokens", "max-tokens",
                    getter(|s| match &s.kind { StepKind::Llm(l) => l.max_tokens.to_string(), _ => String::new() }),
                    |s, v| if let StepKind::Llm(l) = &mut s.kind { l.max_tokens = v.round().min(f64::from(u32::MAX)) as u32 })}
            </fieldset>
        }
        .into_any(),
        NewStep::Http => {
            view! {
                <fieldset class="kind-fields">
                    <legend>"HTTP call"</legend>
                    {text_field(editor, id, "Method", "method",
                        getter(|s| match &s.kind { StepKind::Http(h) => h.method.clone(), _ => String::new() }),
                        |s, v| if let StepKind::Http(h) = &mut s.kind { h.method = v.to_uppercase() })}
                    {text_field(editor, id, "URL template", "url",
                        getter(|s| match &s.kind { StepKind::Http(h) => h.url.clone(), _ => String::new() }),
                        |s, v| if let StepKind::Http(h) = &mut s.kind { h.url = v })}
                    <p class="hint">"Inputs put into the URL, like "<code>"?q={{question}}"</code>", are percent-encoded; one at the very start is used as the base URL as it is."</p>
                    {textarea_field(editor, id, "Headers (one 'Name: value' a line)", "headers",
                        getter(|s| match &s.kind {
                            StepKind::Http(h) => h.headers.iter().map(|h| format!("{}: {}", h.name, h.value)).collect::<Vec<_>>().join("\n"),
                            _ => String::new(),
                        }),
                        |s, v| if let StepKind::Http(h) = &mut s.kind { h.headers = parse_headers(&v) })}
                    {textarea_field(editor, id, "Body template", "body",
                        getter(|s| match &s.kind { StepKind::Http(h) => h.body.clone(), _ => String::new() }),
                        |s, v| if let StepKind::Http(h) = &mut s.kind { h.body = v })}
                    {text_field(editor, id, "JSON pointer to keep (e.g. /results/0)", "json-pointer",
                        getter(|s| match &s.kind { StepKind::Http(h) => h.json_pointer.clone(), _ => String::new() }),
                        |s, v| if let StepKind::Http(h) = &mut s.kind { h.json_pointer = v })}
                    {available_inputs(editor, id, inputs, "body template", |s, r| if let StepKind::Http(h) = &mut s.kind { h.body.push_str(r) })}
                </fieldset>
            }
            .into_any()
        }
        NewStep::Transform => {
            let op_id = id.clone();
            let op = Memo::new({
                let id = id.clone();
                move |_| editor.app.chain.with(|c| {
                    c.steps.iter().find(|s| s.id == id).and_then(|s| match &s.kind {
                        StepKind::Transform(t) => Some(op_key(t.op)),
                        _ => None,
                    })
                })
            });
            view! {
                <fieldset class="kind-fields">
                    <legend>"Transform / aggregate"</legend>
                    <label class="field">
                        <span>"Operation"</span>
                        <select
                            data-testid="field-op"
                            prop:value=move || op.get().unwrap_or("concatenate")
                            on:change=move |ev| {
                                let chosen = event_target_value(&ev);
                                set_field(editor, &op_id, "op", |s| {
                                    if let StepKind::Transform(t) = &mut s.kind {
                                        t.op = OPS.iter().find(|(k, _, _)| *k == chosen).map_or(t.op, |(_, op, _)| *op);
                                    }
                                });
                            }
                        >
                            {OPS.iter().map(|(key, _, name)| view! { <option value=*key>{*name}</option> }).collect_view()}
                        </select>
                    </label>
                    {textarea_field(editor, id, "Template (for 'fill a template')", "template",
                        getter(|s| match &s.kind { StepKind::Transform(t) => t.template.clone(), _ => String::new() }),
                        |s, v| if let StepKind::Transform(t) = &mut s.kind { t.template = v })}
                    {available_inputs(editor, id, inputs, "template", |s, r| if let StepKind::Transform(t) = &mut s.kind { t.template.push_str(r) })}
                </fieldset>
            }
            .into_any()
        }
        NewStep::Output => view! {
            <p class="hint">"An output step returns its inputs' results, joined. It has no settings of its own."</p>
        }
        .into_any(),
    }
}

const OPS: [(&str, TransformOp, &str); 5] = [
    ("template", TransformOp::Template, "fill a template"),
    ("concatenate", TransformOp::Concatenate, "concatenate"),
    ("json_merge", TransformOp::JsonMerge, "merge JSON objects"),
    ("majority_vote", TransformOp::MajorityVote, "majority vote"),
    (
        "pick_longest",
        TransformOp::PickLongest,
        "pick the longest (best)",
    ),
];

fn op_key(op: TransformOp) -> &'static str {
    OPS.iter()
        .find(|(_, o, _)| *o == op)
        .map_or("concatenate", |(k, _, _)| k)
}

/// `Name: value` lines; lines without a colon are kept as a name with no value.
fn parse_headers(text: &str) -> Vec<Header> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            Header {
                name: name.trim().to_string(),
                value: value.trim().to_string(),
            }
        })
        .collect()
}

fn ms_of(v: f64) -> u32 {
    v.round().clamp(0.0, f64::from(u32::MAX)) as u32
}

fn latency_fields(editor: Editor, id: &StepId, model: &'static str) -> AnyView {
    match model {
        "uniform" => view! {
            {number_field(editor, id, "At least (ms)", "latency-min",
                getter(|s| match s.sim.latency { LatencyModel::Uniform { min_ms, .. } => min_ms.to_string(), _ => String::new() }),
                |s, v| if let LatencyModel::Uniform { min_ms, .. } = &mut s.sim.latency { *min_ms = ms_of(v) })}
            {number_field(editor, id, "At most (ms)", "latency-max",
                getter(|s| match s.sim.latency { LatencyModel::Uniform { max_ms, .. } => max_ms.to_string(), _ => String::new() }),
                |s, v| if let LatencyModel::Uniform { max_ms, .. } = &mut s.sim.latency { *max_ms = ms_of(v) })}
        }
        .into_any(),
        "log_normal" => view! {
            {number_field(editor, id, "Median (ms)", "latency-median",
                getter(|s| match s.sim.latency { LatencyModel::LogNormal { median_ms, .. } => median_ms.to_string(), _ => String::new() }),
                |s, v| if let LatencyModel::LogNormal { median_ms, .. } = &mut s.sim.latency { *median_ms = ms_of(v) })}
            {number_field(editor, id, "Spread (sigma)", "latency-sigma",
                getter(|s| match s.sim.latency { LatencyModel::LogNormal { sigma, .. } => sigma.to_string(), _ => String::new() }),
                |s, v| if let LatencyModel::LogNormal { sigma, .. } = &mut s.sim.latency { *sigma = v.min(5.0) })}
        }
        .into_any(),
        _ => number_field(editor, id, "Milliseconds", "latency-ms",
            getter(|s| match s.sim.latency { LatencyModel::Fixed { ms } => ms.to_string(), _ => String::new() }),
            |s, v| if let LatencyModel::Fixed { ms } = &mut s.sim.latency { *ms = ms_of(v) })
        .into_any(),
    }
}
