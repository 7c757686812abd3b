//! Traces replayed as chains "as it ran": OTLP/JSON (what the OpenTelemetry
//! Collector's file exporter and OTLP/HTTP with JSON write) and Chrome Trace Event JSON
//! (what ChainLab's own timeline export writes, see `crate::io::export`).
//!
//! Each leaf span (one with no child spans) becomes a step whose fixed latency is its
//! measured duration. A trace does not say which step needed which, only when each
//! ran, so the chain keeps every dependency the timing allows: a step waits for each
//! step that ended before it started, minus those implied through another (the
//! transitive reduction of the spans' interval order). Spans that ran one after
//! another become a chain, spans that overlapped become parallel branches, and an
//! eager run of the chain starts every step no later than it started in the trace.
//!
//! Time between spans (a parent's own work, waiting for a slot) is in no leaf span, so
//! the chain leaves it out and a note says how much that is. Latencies are whole
//! milliseconds, rounded from the trace's start rather than per span, so that the
//! durations of back-to-back spans still add up to the time they took together.

use super::{
    finish, json, new_step, Format, GuessedKind, IdMaker, ImportError, Imported, Inputs, Location,
    Note,
};
use crate::model::{
    Chain, LatencyModel, Simulation, Step, StepId, StepKind, TransformOp, TransformStep,
    MAX_LATENCY_MS,
};
use crate::plan::Limits;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// `gen_ai.operation.name` values of a model call (OpenTelemetry's GenAI conventions).
const LLM_OPERATIONS: [&str; 3] = ["chat", "text_completion", "generate_content"];

const NANOS_PER_MS: u64 = 1_000_000;

// Strings are borrowed from the parsed JSON where they need no copy: a big trace
// holds tens of thousands of ids and names, and copying each was most of the work.
// The formats are read from a `serde_json::Value` by hand, not with serde's derive:
// one copy of serde_json's parser in the page instead of one per format's types.

pub(super) struct ResourceSpans<'a> {
    resource: Option<Resource<'a>>,
    scope_spans: Vec<ScopeSpans<'a>>,
}

struct Resource<'a> {
    attributes: Vec<KeyValue<'a>>,
}

struct ScopeSpans<'a> {
    spans: Vec<OtlpSpan<'a>>,
}

struct KeyValue<'a> {
    key: Cow<'a, str>,
    /// Only string values are read; the other kinds of value are skipped.
    string_value: Option<Cow<'a, str>>,
}

struct OtlpSpan<'a> {
    trace_id: Cow<'a, str>,
    span_id: Cow<'a, str>,
    parent_span_id: Cow<'a, str>,
    name: Cow<'a, str>,
    start: Option<u64>,
    end: Option<u64>,
    attributes: Vec<KeyValue<'a>>,
}

/// The `resourceSpans` of an OTLP/JSON request.
pub(super) fn resource_spans(list: &Value) -> Result<Vec<ResourceSpans<'_>>, ImportError> {
    json::list(Some(list), "resourceSpans")?
        .iter()
        .map(|rs| {
            Ok(ResourceSpans {
                resource: json::field(rs, "resource")
                    .map(|r| {
                        Ok::<_, ImportError>(Resource {
                            attributes: key_values(json::field(r, "attributes"))?,
                        })
                    })
                    .transpose()?,
                scope_spans: json::list(json::field(rs, "scopeSpans"), "scopeSpans")?
                    .iter()
                    .map(|ss| {
                        Ok(ScopeSpans {
                            spans: json::list(json::field(ss, "spans"), "spans")?
                                .iter()
                                .map(otlp_span)
                                .collect::<Result<_, _>>()?,
                        })
                    })
                    .collect::<Result<_, ImportError>>()?,
            })
        })
        .collect()
}

fn key_values(list: Option<&Value>) -> Result<Vec<KeyValue<'_>>, ImportError> {
    json::list(list, "attributes")?
        .iter()
        .map(|kv| {
            let key = json::field(kv, "key").ok_or_else(|| json::wrong("\"key\" is missing"))?;
            Ok(KeyValue {
                key: json::text(Some(key), "key")?.into(),
                string_value: json::field(kv, "value")
                    .and_then(|v| json::field(v, "stringValue"))
                    .map(|v| json::text(Some(v), "stringValue").map(Cow::Borrowed))
                    .transpose()?,
            })
        })
        .collect()
}

fn otlp_span(span: &Value) -> Result<OtlpSpan<'_>, ImportError> {
    let text = |key: &str| json::text(json::field(span, key), key).map(Cow::Borrowed);
    Ok(OtlpSpan {
        trace_id: text("traceId")?,
        span_id: text("spanId")?,
        parent_span_id: text("parentSpanId")?,
        name: text("name")?,
        start: nanos(json::field(span, "startTimeUnixNano"))?,
        end: nanos(json::field(span, "endTimeUnixNano"))?,
        attributes: key_values(json::field(span, "attributes"))?,
    })
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.string_value.as_deref())
}

/// OTLP/JSON writes 64-bit integers as decimal strings (JSON numbers lose precision
/// past 2^53), but some writers use numbers: both are read.
fn nanos(value: Option<&Value>) -> Result<Option<u64>, ImportError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let nanos = match value {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(v), _) => Ok(v),
            (None, Some(_)) => Err("a time before 1970".to_string()),
            (None, None) => Err(format!("{n} is not a time in nanoseconds")),
        },
        Value::String(v) => v
            .parse()
            .map_err(|_| format!("\"{v}\" is not a time in nanoseconds")),
        _ => Err("a span's times should be nanoseconds since 1970 as a string of digits".into()),
    };
    nanos
        .map(Some)
        .map_err(|detail| ImportError::BadJson { detail })
}

/// A Chrome Trace Event: `ph: "X"` events are spans (`ts` and `dur` in µs), `ph: "M"`
/// events name processes. ChainLab writes the step's id in `args.step` and its kind in
/// `cat`.
pub(super) struct ChromeEvent<'a> {
    name: &'a str,
    ph: &'a str,
    cat: &'a str,
    ts: Option<f64>,
    dur: Option<f64>,
    pid: &'a Value,
    tid: &'a Value,
    args: &'a Value,
}

/// The events of a Chrome trace: `traceEvents`, or the whole of the array format.
pub(super) fn chrome_events(list: &Value) -> Result<Vec<ChromeEvent<'_>>, ImportError> {
    static NULL: Value = Value::Null;
    json::list(Some(list), "traceEvents")?
        .iter()
        .map(|event| {
            if !event.is_object() {
                return Err(json::wrong("each trace event should be an object"));
            }
            let text = |key: &str| json::text(json::field(event, key), key);
            // A `ts` or `dur` that is not a number is refused below, by name.
            let number =
                |key: &str| json::field(event, key).map(|v| v.as_f64().unwrap_or(f64::NAN));
            Ok(ChromeEvent {
                name: text("name")?,
                ph: text("ph")?,
                cat: text("cat")?,
                ts: number("ts"),
                dur: number("dur"),
                pid: json::field(event, "pid").unwrap_or(&NULL),
                tid: json::field(event, "tid").unwrap_or(&NULL),
                args: json::field(event, "args").unwrap_or(&NULL),
            })
        })
        .collect()
}

/// What a span says about its step's kind.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SpanKind {
    Guess,
    Known(GuessedKind),
    Input,
    Transform,
    Output,
}

/// A span of either format, times in nanoseconds.
struct RawSpan<'a> {
    id: Cow<'a, str>,
    parent: Option<Cow<'a, str>>,
    name: Cow<'a, str>,
    /// The step id, when the trace names one (ChainLab's `args.step`).
    step: Option<Cow<'a, str>>,
    start: u64,
    end: u64,
    kind: SpanKind,
    model: Option<String>,
}

impl RawSpan<'_> {
    fn location(&self) -> Location {
        Location::Span {
            name: self.name.to_string(),
            id: self.id.to_string(),
        }
    }
}

/// Reads OTLP/JSON. A file may hold several traces: the first one is imported.
pub(super) fn import_otlp(
    resource_spans: &[ResourceSpans<'_>],
    limits: Limits,
) -> Result<Imported, ImportError> {
    let mut traces: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut service = None;
    let mut spans = Vec::new();
    for rs in resource_spans {
        let resource_service = rs
            .resource
            .as_ref()
            .and_then(|r| attribute(&r.attributes, "service.name"));
        for span in rs.scope_spans.iter().flat_map(|s| &s.spans) {
            if seen.insert(&span.trace_id) {
                traces.push(&span.trace_id);
            }
            if span.trace_id != traces[0] {
                continue;
            }
            if spans.is_empty() {
                service = resource_service;
            }
            let missing = |field: &str| ImportError::Syntax {
                at: Location::Span {
                    name: span.name.to_string(),
                    id: span.span_id.to_string(),
                },
                detail: format!("it has no {field}"),
            };
            let operation = attribute(&span.attributes, "gen_ai.operation.name");
            spans.push(RawSpan {
                id: span.span_id.clone(),
                parent: Some(span.parent_span_id.clone()).filter(|p| !p.is_empty()),
                name: span.name.clone(),
                step: None,
                start: span.start.ok_or_else(|| missing("startTimeUnixNano"))?,
                end: span.end.ok_or_else(|| missing("endTimeUnixNano"))?,
                kind: match operation {
                    Some(op) if LLM_OPERATIONS.contains(&op) => SpanKind::Known(GuessedKind::Llm),
                    _ => SpanKind::Guess,
                },
                model: attribute(&span.attributes, "gen_ai.request.model")
                    .or_else(|| attribute(&span.attributes, "gen_ai.response.model"))
                    .map(str::to_string),
            });
        }
    }
    let Some(trace_id) = traces.first() else {
        return Err(ImportError::NoSpans);
    };
    let prefix: String = trace_id.chars().take(8).collect();
    let trace = if prefix.is_empty() {
        "an imported trace".to_string()
    } else {
        format!("trace {prefix}")
    };
    let name = match service {
        Some(service) => format!("{service} · {trace}"),
        None => trace.clone(),
    };
    let mut notes = Vec::new();
    if traces.len() > 1 {
        notes.push(Note::OtherRuns {
            imported: trace,
            others: traces.len() - 1,
        });
    }
    as_it_ran(&spans, name, Format::OtlpJson, notes, limits)
}

/// Reads Chrome Trace Event JSON. ChainLab's export holds one process per mode: the
/// first (by sort index) is imported. Events on one thread nest by time, as in
/// Perfetto; events of one step (its attempts, when it was retried) become one span.
pub(super) fn import_chrome(
    events: &[ChromeEvent],
    limits: Limits,
) -> Result<Imported, ImportError> {
    let mut process_names: HashMap<&str, String> = HashMap::new();
    let mut sort_index: HashMap<&str, i64> = HashMap::new();
    let pids: Vec<String> = events.iter().map(|e| e.pid.to_string()).collect();
    let mut processes: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (event, pid) in events.iter().zip(&pids) {
        match event.ph {
            "M" if event.name == "process_name" => {
                if let Some(name) = event.args.get("name").and_then(Value::as_str) {
                    process_names.insert(pid, name.to_string());
                }
            }
            "M" if event.name == "process_sort_index" => {
                if let Some(index) = event.args.get("sort_index").and_then(Value::as_i64) {
                    sort_index.insert(pid, index);
                }
            }
            "X" if seen.insert(pid) => processes.push(pid),
            _ => {}
        }
    }
    let Some(process) = processes
        .iter()
        .enumerate()
        .min_by_key(|&(at, pid)| (sort_index.get(pid).copied().unwrap_or(i64::MAX), at))
        .map(|(_, pid)| *pid)
    else {
        return Err(ImportError::NoSpans);
    };

    // Times in µs from the first event, as nanoseconds.
    let mut timed = Vec::new();
    for (event, _) in events
        .iter()
        .zip(&pids)
        .filter(|(e, pid)| e.ph == "X" && *pid == process)
    {
        let at = || Location::Span {
            name: event.name.to_string(),
            id: String::new(),
        };
        let ts = event
            .ts
            .filter(|t| t.is_finite())
            .ok_or_else(|| ImportError::Syntax {
                at: at(),
                detail: "its \"ts\" should be a number of microseconds".into(),
            })?;
        let dur = event.dur.unwrap_or(0.0);
        if !dur.is_finite() || dur < 0.0 {
            return Err(ImportError::Syntax {
                at: at(),
                detail: "its \"dur\" should be a number of microseconds, 0 or more".into(),
            });
        }
        timed.push((event, ts, ts + dur));
    }
    let origin = timed.iter().map(|t| t.1).fold(f64::INFINITY, f64::min);
    // Saturating casts: a hostile trace gets odd times, never a panic.
    let ns = |us: f64| ((us - origin) * 1000.0).round() as u64;

    let mut spans: Vec<RawSpan> = Vec::new();
    let mut by_step: HashMap<String, usize> = HashMap::new();
    let mut retried: Vec<bool> = Vec::new();
    let mut threads: Vec<String> = Vec::new();
    for (event, start, end) in timed {
        let (start, end) = (ns(start), ns(end));
        let step = event.args.get("step").and_then(Value::as_str);
        if let Some(&i) = step.and_then(|s| by_step.get(s)) {
            let span: &mut RawSpan = &mut spans[i];
            span.start = span.start.min(start);
            span.end = span.end.max(end);
            retried[i] = true;
            continue;
        }
        if let Some(step) = step {
            by_step.insert(step.to_string(), spans.len());
        }
        threads.push(event.tid.to_string());
        retried.push(false);
        spans.push(RawSpan {
            id: spans.len().to_string().into(),
            parent: None,
            name: event.name.into(),
            step: step.map(Cow::Borrowed),
            start,
            end,
            kind: match event.cat {
                "LLM" => SpanKind::Known(GuessedKind::Llm),
                "HTTP" => SpanKind::Known(GuessedKind::Http),
                "input" => SpanKind::Input,
                "transform" => SpanKind::Transform,
                "output" => SpanKind::Output,
                _ => SpanKind::Guess,
            },
            model: None,
        });
    }
    nest_by_thread(&mut spans, &threads);

    let lane = process_names
        .get(process)
        .cloned()
        .unwrap_or_else(|| format!("process {process}"));
    let mut notes = Vec::new();
    if processes.len() > 1 {
        notes.push(Note::OtherRuns {
            imported: format!("the {lane} run"),
            others: processes.len() - 1,
        });
    }
    let retried: Vec<StepId> = spans
        .iter()
        .zip(&retried)
        .filter(|(_, &retried)| retried)
        .filter_map(|(span, _)| span.step.as_deref().map(StepId::new))
        .collect();
    if !retried.is_empty() {
        notes.push(Note::AttemptsMerged { steps: retried });
    }
    let name = format!("{lane}, as it ran");
    as_it_ran(&spans, name, Format::ChromeTrace, notes, limits)
}

/// Chrome traces nest by time: on one thread, an event inside another is its child.
fn nest_by_thread(spans: &mut [RawSpan], threads: &[String]) {
    let order = crate::sort::stable_order(spans.len(), &|a, b| {
        (&threads[a], spans[a].start, std::cmp::Reverse(spans[a].end)).cmp(&(
            &threads[b],
            spans[b].start,
            std::cmp::Reverse(spans[b].end),
        ))
    });
    let mut open: Vec<usize> = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && threads[order[k - 1]] != threads[i] {
            open.clear();
        }
        while open.last().is_some_and(|&p| spans[p].end <= spans[i].start) {
            open.pop();
        }
        if let Some(&p) = open.last() {
            if spans[i].end <= spans[p].end {
                spans[i].parent = Some(spans[p].id.clone());
            }
        }
        open.push(i);
    }
}

/// The chain a trace's spans ran as (see the module's comment).
fn as_it_ran(
    spans: &[RawSpan],
    name: String,
    format: Format,
    mut notes: Vec<Note>,
    limits: Limits,
) -> Result<Imported, ImportError> {
    if spans.is_empty() {
        return Err(ImportError::NoSpans);
    }
    if let Some(span) = spans.iter().find(|s| s.end < s.start) {
        return Err(ImportError::Syntax {
            at: span.location(),
            detail: "it ends before it starts".into(),
        });
    }
    let n = spans.len();
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (i, span) in spans.iter().enumerate() {
        index.entry(span.id.as_ref()).or_insert(i);
    }
    let parent: Vec<Option<usize>> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = *index.get(s.parent.as_deref()?)?;
            (p != i).then_some(p)
        })
        .collect();
    check_depth(spans, &parent, limits.max_steps)?;
    let mut has_child = vec![false; n];
    for p in parent.iter().flatten() {
        has_child[*p] = true;
    }

    let mut leaves: Vec<usize> = (0..n).filter(|&i| !has_child[i]).collect();
    crate::sort::sort_by_key(&mut leaves, |&i| (spans[i].start, spans[i].end, i));
    if leaves.len() > limits.max_steps {
        return Err(ImportError::TooManySteps {
            count: leaves.len(),
            max: limits.max_steps,
            at: spans[leaves[limits.max_steps]].location(),
        });
    }
    let origin = spans.iter().map(|s| s.start).min().unwrap_or(0);
    // Saturating: times near the end of u64 (a hostile trace) must not wrap.
    let ms = |t: u64| (t - origin).saturating_add(NANOS_PER_MS / 2) / NANOS_PER_MS;
    let trace_ms = ms(spans.iter().map(|s| s.end).max().unwrap_or(origin));

    let times: Vec<(u64, u64)> = leaves
        .iter()
        .map(|&i| (spans[i].start, spans[i].end))
        .collect();
    let inputs = interval_order(&with_instants_in_order(&times));

    let mut ids = IdMaker::default();
    let step_ids: Vec<StepId> = leaves
        .iter()
        .map(|&i| ids.id_for(spans[i].step.as_deref().unwrap_or(&spans[i].name)))
        .collect();
    let (mut guessed_http, mut guessed_llm, mut capped) = (Vec::new(), Vec::new(), Vec::new());
    let mut finish_ms = vec![0u64; leaves.len()];
    let mut steps = Vec::with_capacity(leaves.len());
    for (at, &i) in leaves.iter().enumerate() {
        let span = &spans[i];
        let id = step_ids[at].clone();
        let mut latency = ms(span.end) - ms(span.start);
        if latency > MAX_LATENCY_MS {
            latency = MAX_LATENCY_MS;
            capped.push(id.clone());
        }
        // Leaves are in order of start, and every input started earlier.
        finish_ms[at] = inputs[at].iter().map(|&p| finish_ms[p]).max().unwrap_or(0) + latency;
        let fixed = LatencyModel::Fixed {
            ms: u32::try_from(latency).unwrap_or(u32::MAX),
        };
        let label = if span.name.trim().is_empty() {
            id.to_string()
        } else {
            span.name.to_string()
        };
        let inputs: Vec<StepId> = inputs[at].iter().map(|&p| step_ids[p].clone()).collect();
        let kind = match span.kind {
            SpanKind::Known(kind) => kind,
            SpanKind::Guess => {
                let kind = GuessedKind::from_name(&label);
                match kind {
                    GuessedKind::Http => guessed_http.push(id.clone()),
                    GuessedKind::Llm => guessed_llm.push(id.clone()),
                }
                kind
            }
            local => {
                steps.push(local_step(id, label, local, inputs, fixed));
                continue;
            }
        };
        steps.push(new_step(
            id,
            label,
            kind,
            span.model.clone(),
            (inputs, Inputs::Order),
            fixed,
        ));
    }

    let chain_ms = finish_ms.iter().copied().max().unwrap_or(0);
    notes.insert(0, Note::AsItRan);
    if trace_ms > chain_ms {
        notes.push(Note::TimeBetweenSpans { trace_ms, chain_ms });
    }
    if !guessed_http.is_empty() || !guessed_llm.is_empty() {
        notes.push(Note::KindsGuessed {
            http: guessed_http,
            llm: guessed_llm,
        });
    }
    if !capped.is_empty() {
        notes.push(Note::LatenciesCapped {
            steps: capped,
            max_ms: MAX_LATENCY_MS,
        });
    }
    notes.extend(ids.note());
    let chain = Chain {
        name,
        description: format!("Imported from an {} as it ran.", format.name()),
        seed: 0,
        steps,
    };
    let chain = finish(chain, limits, |_| None)?;
    Ok(Imported {
        chain,
        format,
        notes,
    })
}

/// A ChainLab input, transform or output step, as its Chrome-trace `cat` says. An input
/// step that waited for others (in a sequential run, say) passes them on instead, since
/// an input step cannot have inputs.
fn local_step(
    id: StepId,
    label: String,
    kind: SpanKind,
    inputs: Vec<StepId>,
    latency: LatencyModel,
) -> Step {
    let kind = match kind {
        SpanKind::Input if inputs.is_empty() => StepKind::Input {
            text: label.clone(),
        },
        SpanKind::Output => StepKind::Output,
        _ => StepKind::Transform(TransformStep {
            op: TransformOp::Concatenate,
            template: String::new(),
        }),
    };
    Step {
        id,
        label,
        kind,
        inputs,
        position: Default::default(),
        sim: Simulation {
            latency,
            output: String::new(),
        },
    }
}

/// Fails if a span's parents lead back to it, or nest deeper than `max` levels.
fn check_depth(spans: &[RawSpan], parent: &[Option<usize>], max: usize) -> Result<(), ImportError> {
    const UNSEEN: usize = 0;
    const ON_PATH: usize = usize::MAX;
    // 0 while unseen, the depth (from 1) once known.
    let mut depth = vec![UNSEEN; spans.len()];
    let mut path = Vec::new();
    for start in 0..spans.len() {
        let mut i = start;
        let mut above = 0;
        loop {
            match depth[i] {
                ON_PATH => {
                    return Err(ImportError::Syntax {
                        at: spans[i].location(),
                        detail: "its parent spans lead back to it, so it has no place in a tree"
                            .into(),
                    })
                }
                UNSEEN => {}
                known => {
                    above = known;
                    break;
                }
            }
            depth[i] = ON_PATH;
            path.push(i);
            match parent[i] {
                Some(p) => i = p,
                None => break,
            }
        }
        for (k, &i) in path.iter().rev().enumerate() {
            depth[i] = above + k + 1;
            if depth[i] > max {
                return Err(ImportError::TooDeep {
                    depth: depth[i],
                    max,
                    at: spans[i].location(),
                });
            }
        }
        path.clear();
    }
    Ok(())
}

/// The same order of events on a scale where every span takes some time. A span of no
/// time (ChainLab's input, transform and output steps) comes after the spans that end
/// at its instant and before those that start there; several at one instant come one
/// after another in the order given, as a trace lists the steps it ran.
fn with_instants_in_order(times: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut instants: Vec<u64> = times.iter().flat_map(|&(s, e)| [s, e]).collect();
    instants.sort_unstable();
    instants.dedup();
    let place = |t: u64| instants.binary_search(&t).unwrap_or_default();
    let mut zero_length = vec![0u64; instants.len()];
    for &(s, e) in times {
        if s == e {
            zero_length[place(s)] += 1;
        }
    }
    // Per instant: where spans end, then one unit per span of no time, then where
    // spans start.
    let mut ends_at = Vec::with_capacity(instants.len());
    let mut next = 0u64;
    for &count in &zero_length {
        ends_at.push(next);
        next += count + 1;
    }
    let mut used = vec![0u64; instants.len()];
    times
        .iter()
        .map(|&(s, e)| {
            let (ks, ke) = (place(s), place(e));
            if s == e {
                let at = ends_at[ks] + used[ks];
                used[ks] += 1;
                (at, at + 1)
            } else {
                (ends_at[ks] + zero_length[ks], ends_at[ke])
            }
        })
        .collect()
}

/// For intervals `[start, end)` with `start < end`, sorted by start: the inputs of
/// each, by position: the intervals that ended before it started and that no other
/// such interval started after. In end order those are a run just before the first
/// interval that ends later than the latest start among them, so finding them costs
/// a binary search plus the inputs themselves.
fn interval_order(intervals: &[(u64, u64)]) -> Vec<Vec<usize>> {
    let by_end = crate::sort::stable_order(intervals.len(), &|a, b| {
        (intervals[a].1, intervals[a].0).cmp(&(intervals[b].1, intervals[b].0))
    });
    let ends: Vec<u64> = by_end.iter().map(|&i| intervals[i].1).collect();
    let latest_start: Vec<u64> = by_end
        .iter()
        .scan(0, |latest, &i| {
            *latest = (*latest).max(intervals[i].0);
            Some(*latest)
        })
        .collect();
    intervals
        .iter()
        .map(|&(start, _)| {
            let before = ends.partition_point(|&end| end <= start);
            let Some(&latest) = before.checked_sub(1).map(|k| &latest_start[k]) else {
                return Vec::new();
            };
            let mut inputs: Vec<usize> = (0..before)
                .rev()
                .take_while(|&k| ends[k] > latest)
                .map(|k| by_end[k])
                .collect();
            inputs.sort_unstable();
            inputs
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_to_back_spans_chain_and_overlapping_ones_branch() {
        // a, then b and c together, then d after both.
        let inputs = interval_order(&[(0, 10), (10, 30), (12, 20), (30, 40)]);
        assert_eq!(inputs, vec![vec![], vec![0], vec![0], vec![1, 2]]);
    }

    #[test]
    fn spans_of_no_time_sit_between_those_that_end_and_start_at_their_instant() {
        // b and c take no time at 10, between a (ending at 10) and d (starting there).
        let times = [(0, 10), (10, 10), (10, 10), (10, 20), (20, 20)];
        let inputs = interval_order(&with_instants_in_order(&times));
        assert_eq!(inputs, vec![vec![], vec![0], vec![1], vec![2], vec![3]]);
    }

    #[test]
    fn implied_dependencies_are_left_out() {
        // a → b → c: c does not list a.
        let inputs = interval_order(&[(0, 1), (1, 2), (2, 3)]);
        assert_eq!(inputs, vec![vec![], vec![0], vec![1]]);
        // a long span beside a short chain: d waits for both ends.
        let inputs = interval_order(&[(0, 100), (0, 10), (10, 20), (100, 110)]);
        assert_eq!(inputs, vec![vec![], vec![], vec![1], vec![0, 2]]);
    }
}
