//! Bringing chains in from where engineers already have them: a Mermaid flowchart
//! (LangGraph's `draw_mermaid()` or one from a README), LangGraph's
//! `get_graph().to_json()`, an OpenTelemetry trace (OTLP/JSON) or ChainLab's own
//! Chrome-trace export replayed "as it ran", and ChainLab's own chain JSON.
//!
//! [`import`] looks at the text, not at the file name, to tell the formats apart, so a
//! pasted text and a chosen file go the same way. A graph says which step feeds which
//! but not what a step is or how long it takes, so kinds are guessed from names and
//! latencies are assumed; a trace says how long each step took but not which step
//! needed which. Every such guess comes back as a [`Note`] for the person to read.
//!
//! Everything read here may be hostile, like a share link: the text is capped at
//! [`MAX_IMPORT_BYTES`] before parsing, no input panics (`scripts/fuzz-import.sh` runs a
//! million cases), and the chain is accepted only if [`Plan::with_limits`] accepts it.

mod graph;
mod mermaid;
mod trace;

pub use mermaid::to_mermaid;

use crate::editor::layout;
use crate::io::share::{self, ShareError};
use crate::model::{Chain, HttpStep, LatencyModel, LlmStep, Simulation, Step, StepId, StepKind};
use crate::plan::{Limits, Plan, Problem};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Longer texts are refused before parsing. Traces are far bigger than chains: a
/// 5,000-span OTLP/JSON trace is about 2 MB, so the cap is well above
/// [`share::MAX_JSON_BYTES`] (which still applies to ChainLab's own chain files).
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

/// What a model call is assumed to take when a graph does not say: a few hundred
/// tokens from a hosted chat model take about a second, with a long tail.
pub const ASSUMED_LLM_LATENCY: LatencyModel = LatencyModel::LogNormal {
    median_ms: 800,
    sigma: 0.5,
};
/// What an HTTP or tool call is assumed to take: a search or REST API answers in a few
/// hundred milliseconds, with less spread than a model.
pub const ASSUMED_HTTP_LATENCY: LatencyModel = LatencyModel::LogNormal {
    median_ms: 300,
    sigma: 0.3,
};

/// Words in a step's name that make it an HTTP step rather than a model call.
const HTTP_WORDS: [&str; 5] = ["search", "fetch", "api", "http", "get"];

/// The formats [`import`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    ChainLab,
    Mermaid,
    LangGraphJson,
    OtlpJson,
    ChromeTrace,
}

impl Format {
    /// The format's name as people know it.
    pub fn name(self) -> &'static str {
        match self {
            Format::ChainLab => "ChainLab chain",
            Format::Mermaid => "Mermaid flowchart",
            Format::LangGraphJson => "LangGraph graph JSON",
            Format::OtlpJson => "OpenTelemetry trace (OTLP/JSON)",
            Format::ChromeTrace => "Chrome trace",
        }
    }
}

/// The two kinds a step of a graph or a trace can be guessed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuessedKind {
    Llm,
    Http,
}

impl GuessedKind {
    /// HTTP when a word of the name starts with search, fetch, api, http or get
    /// (`web_search`, `fetchNews`, `get-weather`), otherwise a model call. Words, not
    /// substrings, so that `budget` or `rapid` stay model calls.
    pub fn from_name(name: &str) -> Self {
        let mut words: Vec<String> = Vec::new();
        let mut word = String::new();
        let mut previous_lower = false;
        for c in name.chars() {
            let split = !c.is_alphanumeric() || (c.is_uppercase() && previous_lower);
            if split && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            if c.is_alphanumeric() {
                // The words are only compared with ASCII prefixes, and the only
                // non-ASCII letters whose lower case starts with an ASCII letter are
                // these two, so this matches `to_lowercase` without its table.
                match c {
                    '\u{130}' => word.push_str("i\u{307}"),
                    '\u{212a}' => word.push('k'),
                    c => word.push(c.to_ascii_lowercase()),
                }
            }
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
        }
        words.push(word);
        if words
            .iter()
            .any(|w| HTTP_WORDS.iter().any(|h| w.starts_with(h)))
        {
            GuessedKind::Http
        } else {
            GuessedKind::Llm
        }
    }

    /// The latency a step of this kind is given when the source does not say.
    pub fn assumed_latency(self) -> LatencyModel {
        match self {
            GuessedKind::Llm => ASSUMED_LLM_LATENCY,
            GuessedKind::Http => ASSUMED_HTTP_LATENCY,
        }
    }

    /// The kind as the canvas names it.
    pub fn label(self) -> &'static str {
        match self {
            GuessedKind::Llm => "LLM",
            GuessedKind::Http => "HTTP",
        }
    }

    /// The other kind a guess could have given.
    pub fn other(self) -> Self {
        match self {
            GuessedKind::Llm => GuessedKind::Http,
            GuessedKind::Http => GuessedKind::Llm,
        }
    }

    /// The kind of a model or HTTP step; `None` for the others, which are never guessed.
    pub fn of(kind: &StepKind) -> Option<Self> {
        match kind {
            StepKind::Llm(_) => Some(GuessedKind::Llm),
            StepKind::Http(_) => Some(GuessedKind::Http),
            _ => None,
        }
    }
}

/// Where in the imported text something is, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A line of a Mermaid text, from 1.
    Line(usize),
    /// A node of LangGraph's JSON, from 1.
    Node(usize),
    /// An edge of LangGraph's JSON, from 1.
    Edge(usize),
    /// A span of a trace, by name and id.
    Span { name: String, id: String },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Node(n) => write!(f, "node {n}"),
            Location::Edge(n) => write!(f, "edge {n}"),
            Location::Span { name, id } if id.is_empty() => write!(f, "span \"{name}\""),
            Location::Span { name, id } => write!(f, "span \"{name}\" (id {id})"),
        }
    }
}

/// Why a text could not be imported. Messages say where and what to do; the chain that
/// was open is never touched.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    TooLarge {
        bytes: usize,
        max: usize,
    },
    Empty,
    /// Neither JSON nor a Mermaid flowchart; `start` is the text's first line, cut short.
    UnknownFormat {
        start: String,
    },
    /// JSON that does not parse, or holds the wrong type somewhere.
    BadJson {
        detail: String,
    },
    /// Something the reader does not understand, and where it is.
    Syntax {
        at: Location,
        detail: String,
    },
    /// The steps of a cycle in edge order, the first repeated at the end, and the edge
    /// that closes it.
    Cycle {
        at: Location,
        steps: Vec<StepId>,
    },
    /// A graph whose only nodes are `__start__` and `__end__`.
    NoSteps,
    /// A trace with no spans (or none of a kind ChainLab replays).
    NoSpans,
    /// More steps than the chain limits allow; `at` is the first one too many. A graph
    /// is read no further than that, so `count` is then the steps found so far.
    TooManySteps {
        count: usize,
        max: usize,
        at: Location,
    },
    /// Spans nested deeper than the chain limits allow; `at` is the deepest.
    TooDeep {
        depth: usize,
        max: usize,
        at: Location,
    },
    /// The imported chain breaks a rule of every chain (its text is too long, say).
    InvalidChain {
        problems: Vec<Problem>,
    },
    /// ChainLab's own chain JSON, refused by the share reader.
    ChainLab(ShareError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::TooLarge { bytes, max } => write!(
                f,
                "The text is {} KB; at most {} KB are read, so nothing was imported. \
                 Import a smaller graph or a single trace.",
                bytes.div_ceil(1024),
                max / 1024
            ),
            ImportError::Empty => write!(f, "There is nothing to import: paste a Mermaid flowchart, \
                LangGraph JSON, an OpenTelemetry trace or a ChainLab chain."),
            ImportError::UnknownFormat { start } => write!(
                f,
                "Line 1 (\"{start}\") is not the start of a format ChainLab reads: a Mermaid \
                 flowchart starts with \"graph\" or \"flowchart\" (after an optional --- front \
                 matter), the others are JSON."
            ),
            ImportError::BadJson { detail } => write!(f, "The JSON cannot be read: {detail}."),
            ImportError::Syntax { at, detail } => write!(f, "{}: {detail}", Capitalized(at)),
            ImportError::Cycle { at, steps } => {
                let names: Vec<&str> = steps.iter().map(StepId::as_str).collect();
                write!(
                    f,
                    "{}: this edge closes a cycle ({}). A ChainLab chain runs each step once, \
                     so a loop cannot be imported: remove this edge (or unroll the loop) and \
                     import again.",
                    Capitalized(at),
                    names.join(" → ")
                )
            }
            ImportError::NoSteps => write!(
                f,
                "The graph has no nodes besides __start__ and __end__, so there is no step to import."
            ),
            ImportError::NoSpans => write!(
                f,
                "The trace holds no spans, so there is nothing to replay. Export a trace that \
                 has at least one finished span."
            ),
            ImportError::TooManySteps { count, max, at } => write!(
                f,
                "{}: this would be step {}{}; a chain holds at most {max}. Import a smaller \
                 part of the graph or trace.",
                Capitalized(at),
                max + 1,
                if *count > max + 1 { format!(" of {count}") } else { String::new() }
            ),
            ImportError::TooDeep { depth, max, at } => write!(
                f,
                "{}: spans are nested {depth} deep here; at most {max} levels are read. \
                 Import a smaller part of the trace.",
                Capitalized(at)
            ),
            ImportError::InvalidChain { problems } => {
                let first: Vec<String> = problems.iter().take(3).map(ToString::to_string).collect();
                write!(f, "The imported chain cannot be opened: {}", first.join(" "))?;
                let more = problems.len().saturating_sub(3);
                if more > 0 {
                    write!(f, " (and {more} more problems)")?;
                }
                Ok(())
            }
            ImportError::ChainLab(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ImportError {}

/// A location at the start of a sentence.
struct Capitalized<'a>(&'a Location);

impl fmt::Display for Capitalized<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        let mut chars = text.chars();
        if let Some(first) = chars.next() {
            write!(f, "{}{}", first.to_ascii_uppercase(), chars.as_str())?;
        }
        Ok(())
    }
}

/// Something the person should know about an imported chain: what was guessed,
/// assumed or left out. Shown beside the chain after an import.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// Kinds guessed from names; the steps guessed as HTTP and as LLM calls.
    KindsGuessed { http: Vec<StepId>, llm: Vec<StepId> },
    /// Latencies not in the source, assumed per kind; [`set_latency`] changes them all.
    LatenciesAssumed {
        llm: LatencyModel,
        http: LatencyModel,
    },
    /// Dotted (LangGraph: conditional) edges, imported as plain edges.
    ConditionalEdges { count: usize },
    /// Ids that are not ChainLab step ids, and what they became.
    IdsChanged { changes: Vec<(String, StepId)> },
    /// Mermaid subgraphs, whose nodes were imported without the grouping.
    SubgraphsFlattened { count: usize },
    /// Invisible links (`~~~`), which only place nodes and were left out.
    InvisibleLinks { count: usize },
    /// A trace says what ran, not which step needed which.
    AsItRan,
    /// The trace took `trace_ms`; the chain replayed as it ran takes `chain_ms`. The
    /// difference is time between spans (a parent's own work, waiting) that no leaf
    /// span covers.
    TimeBetweenSpans { trace_ms: u64, chain_ms: u64 },
    /// The file holds other traces or runs than the one imported.
    OtherRuns { imported: String, others: usize },
    /// Steps that ran more than once (retries), imported from first start to last end.
    AttemptsMerged { steps: Vec<StepId> },
    /// Spans longer than the longest latency a step may have, cut to it.
    LatenciesCapped { steps: Vec<StepId>, max_ms: u64 },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(ids: &[StepId]) -> String {
            let mut names: Vec<&str> = ids.iter().take(6).map(StepId::as_str).collect();
            if ids.len() > 6 {
                names.push("…");
            }
            names.join(", ")
        }
        match self {
            Note::KindsGuessed { http, llm } => {
                write!(f, "Kinds are guessed from the names: ")?;
                if !http.is_empty() {
                    write!(f, "{} HTTP ({})", http.len(), list(http))?;
                }
                if !http.is_empty() && !llm.is_empty() {
                    write!(f, " and ")?;
                }
                if !llm.is_empty() {
                    write!(f, "{} LLM ({})", llm.len(), list(llm))?;
                }
                write!(f, ". Change a step's kind where the guess is wrong.")
            }
            Note::LatenciesAssumed { llm, http } => write!(
                f,
                "Latencies are assumed, not measured: LLM steps {}, HTTP steps {}. Set them \
                 all at once, or import a trace to replay measured times.",
                latency_words(llm),
                latency_words(http)
            ),
            Note::ConditionalEdges { count } => write!(
                f,
                "{count} dotted (conditional) edges were imported as plain edges: LangGraph \
                 takes one branch per run, a ChainLab chain runs them all. Remove the branches \
                 you do not want to race."
            ),
            Note::IdsChanged { changes } => {
                let shown: Vec<String> = changes
                    .iter()
                    .take(6)
                    .map(|(from, to)| format!("\"{from}\" → {to}"))
                    .collect();
                write!(
                    f,
                    "Step ids hold letters, digits, _ and - only, so {} became {}{}.",
                    if changes.len() == 1 { "one id" } else { "some ids" },
                    shown.join(", "),
                    if changes.len() > 6 { ", …" } else { "" }
                )
            }
            Note::SubgraphsFlattened { count } => write!(
                f,
                "{count} subgraphs were flattened: their nodes are steps of the chain, without the grouping."
            ),
            Note::InvisibleLinks { count } => write!(
                f,
                "{count} invisible links (~~~) only place nodes in Mermaid and were left out."
            ),
            Note::AsItRan => write!(
                f,
                "A trace records what ran, not which step needed which: every step waits for \
                 the steps that ended before it started. Remove the dependencies that are not \
                 real, then race to see what staged and eager runs would have taken."
            ),
            Note::TimeBetweenSpans { trace_ms, chain_ms } => write!(
                f,
                "The trace took {trace_ms} ms; replayed as it ran, the chain takes {chain_ms} ms. \
                 The {} ms between spans (work of the parent spans themselves, or waiting) is in \
                 no step.",
                trace_ms.saturating_sub(*chain_ms)
            ),
            Note::OtherRuns { imported, others } => write!(
                f,
                "The file holds {others} more runs or traces; {imported} was imported."
            ),
            Note::AttemptsMerged { steps } => write!(
                f,
                "{} ran more than once (retries): each is one step from its first start to its last end.",
                list(steps)
            ),
            Note::LatenciesCapped { steps, max_ms } => write!(
                f,
                "{} took longer than {} minutes, the longest a step may take; cut to that.",
                list(steps),
                max_ms / 60_000
            ),
        }
    }
}

fn latency_words(latency: &LatencyModel) -> String {
    match *latency {
        LatencyModel::Fixed { ms } => format!("{ms} ms"),
        LatencyModel::Uniform { min_ms, max_ms } => format!("{min_ms}–{max_ms} ms"),
        LatencyModel::LogNormal { median_ms, .. } => format!("about {median_ms} ms (long-tailed)"),
    }
}

/// A chain brought in, where from, and what the person should know about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub chain: Chain,
    pub format: Format,
    pub notes: Vec<Note>,
}

/// Imports pasted text or a file's text. `file_name`, when there is one, names the
/// chain if the text does not.
pub fn import(text: &str, file_name: Option<&str>) -> Result<Imported, ImportError> {
    import_with_limits(text, file_name, Limits::default())
}

/// [`import`] for chains of another size: benchmarks and stress tests ask for more.
pub fn import_with_limits(
    text: &str,
    file_name: Option<&str>,
    limits: Limits,
) -> Result<Imported, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            bytes: text.len(),
            max: MAX_IMPORT_BYTES,
        });
    }
    let text = text.trim_start_matches('\u{feff}').trim();
    let stem = file_name
        .map(|name| name.rsplit(['/', '\\']).next().unwrap_or(name))
        .map(|name| name.rsplit_once('.').map_or(name, |(stem, _)| stem))
        .filter(|stem| !stem.trim().is_empty());
    match text.chars().next() {
        None => Err(ImportError::Empty),
        Some('{' | '[') => import_json(text, stem, limits),
        Some(_) => mermaid::import(text, stem, limits),
    }
}

fn import_json(text: &str, stem: Option<&str>, limits: Limits) -> Result<Imported, ImportError> {
    // Every format is parsed into `serde_json::Value`s and read from there by hand: the
    // page carries one copy of serde_json's parser, not one per format's types.
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let first = match values.next() {
        Some(value) => value.map_err(|e| bad_json(&e))?,
        None => return Err(ImportError::Empty),
    };
    let more: Vec<Value> = values.collect::<Result<_, _>>().map_err(|e| bad_json(&e))?;
    if first.is_array() {
        if !more.is_empty() {
            return Err(json::wrong("it holds several JSON values"));
        }
        // Chrome's "JSON Array Format": the events alone.
        return trace::import_chrome(&trace::chrome_events(&first)?, limits);
    }
    if !first.is_object() {
        return Err(json::wrong("it should be an object"));
    }
    let resource_spans = json::field(&first, "resourceSpans");
    if !more.is_empty() {
        // The Collector's file exporter writes one OTLP/JSON request per line.
        let not_otlp = || ImportError::BadJson {
            detail: "it holds several JSON values; only an OpenTelemetry trace may come as \
                one OTLP/JSON request per line"
                .into(),
        };
        let mut spans = trace::resource_spans(resource_spans.ok_or_else(not_otlp)?)?;
        for value in &more {
            spans.extend(trace::resource_spans(
                json::field(value, "resourceSpans").ok_or_else(not_otlp)?,
            )?);
        }
        return trace::import_otlp(&spans, limits);
    }
    if let Some(resource_spans) = resource_spans {
        return trace::import_otlp(&trace::resource_spans(resource_spans)?, limits);
    }
    if let Some(events) = json::field(&first, "traceEvents") {
        return trace::import_chrome(&trace::chrome_events(events)?, limits);
    }
    if first.get("steps").is_some() {
        let mut chain = share::from_file(text).map_err(ImportError::ChainLab)?;
        // A file written by hand or by a program may give its steps no places.
        layout::arrange_if_stacked(&mut chain);
        return Ok(Imported {
            chain,
            format: Format::ChainLab,
            notes: Vec::new(),
        });
    }
    match json::field(&first, "nodes") {
        Some(nodes) => {
            let (nodes, edges) = graph::json_graph(nodes, json::field(&first, "edges"))?;
            graph::import_langgraph(&nodes, &edges, stem, limits)
        }
        None => Err(ImportError::BadJson {
            detail:
                "it has none of \"resourceSpans\" (an OpenTelemetry trace), \"traceEvents\" \
                (a Chrome trace), \"nodes\" (LangGraph's to_json()) or \"steps\" (a ChainLab chain)"
                    .into(),
        }),
    }
}

/// Reading the formats' fields from a parsed JSON value.
mod json {
    use super::ImportError;
    use serde_json::Value;

    /// A field, when it is there and not `null`.
    pub fn field<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
        object.get(key).filter(|v| !v.is_null())
    }

    /// A list; none when the field is missing.
    pub fn list<'a>(value: Option<&'a Value>, name: &str) -> Result<&'a [Value], ImportError> {
        match value {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(wrong(&format!("\"{name}\" should be a list"))),
        }
    }

    /// A string; empty when the field is missing.
    pub fn text<'a>(value: Option<&'a Value>, name: &str) -> Result<&'a str, ImportError> {
        match value {
            None => Ok(""),
            Some(Value::String(text)) => Ok(text),
            Some(_) => Err(wrong(&format!("\"{name}\" should be a string"))),
        }
    }

    pub fn wrong(detail: &str) -> ImportError {
        ImportError::BadJson {
            detail: detail.into(),
        }
    }
}

/// serde's message, cut short: it can quote the input, which may be huge.
fn bad_json(e: &serde_json::Error) -> ImportError {
    let mut detail = e.to_string();
    if let Some(cut) = (0..=200).rev().find(|&i| detail.is_char_boundary(i)) {
        if cut < detail.len() {
            detail.truncate(cut);
            detail.push('…');
        }
    }
    ImportError::BadJson { detail }
}

/// Gives every LLM or every HTTP step of the chain `latency`: how "set all assumed
/// latencies at once" works after a graph import. Returns how many steps changed.
pub fn set_latency(chain: &mut Chain, kind: GuessedKind, latency: LatencyModel) -> usize {
    let mut changed = 0;
    for step in &mut chain.steps {
        if GuessedKind::of(&step.kind) == Some(kind) && step.sim.latency != latency {
            step.sim.latency = latency;
            changed += 1;
        }
    }
    changed
}

/// Makes step `id` a step of `kind`: how a wrong guess is put right after an import.
/// The step keeps its id, label, inputs, place and output; a latency that was the old
/// kind's assumed one becomes the new kind's, a measured or chosen one stays. Returns
/// whether the step changed (not when it is missing, already of `kind`, or neither a
/// model nor an HTTP step).
pub fn change_kind(chain: &mut Chain, id: &StepId, kind: GuessedKind) -> bool {
    let Some(step) = chain.steps.iter_mut().find(|s| &s.id == id) else {
        return false;
    };
    let Some(old) = GuessedKind::of(&step.kind) else {
        return false;
    };
    if old == kind {
        return false;
    }
    let latency = if step.sim.latency == old.assumed_latency() {
        kind.assumed_latency()
    } else {
        step.sim.latency
    };
    let template = match &step.kind {
        StepKind::Llm(llm) => llm.prompt.as_str(),
        StepKind::Http(http) => http.url.as_str(),
        _ => "",
    };
    let what = if step
        .inputs
        .iter()
        .any(|i| template.contains(&format!("{{{{{i}}}}}")))
    {
        Inputs::Data
    } else {
        Inputs::Order
    };
    let mut changed = new_step(
        step.id.clone(),
        step.label.clone(),
        kind,
        None,
        (step.inputs.clone(), what),
        latency,
    );
    changed.position = step.position;
    changed.sim.output = std::mem::take(&mut step.sim.output);
    *step = changed;
    true
}

/// Hands out step ids. Ids appear as `{{id}}` in templates, so they hold letters,
/// digits, `_` and `-` only (the editor's rule for renames): a name that is such an id
/// is kept, anything else has its other characters replaced by `_`, and a repeat gets `_2`, `_3`, … Changes are collected
/// for a [`Note::IdsChanged`].
#[derive(Default)]
struct IdMaker {
    taken: HashSet<String>,
    /// The last number given to each repeated name: a trace names a thousand spans
    /// `chat`, and counting up from 2 each time would be quadratic.
    numbered: HashMap<String, usize>,
    changes: Vec<(String, StepId)>,
}

impl IdMaker {
    fn id_for(&mut self, name: &str) -> StepId {
        let mut base: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() {
            base = "step".into();
        }
        let id = if self.taken.contains(&base) {
            let mut n = self.numbered.get(&base).copied().unwrap_or(1);
            let id = loop {
                n += 1;
                let id = format!("{base}_{n}");
                if !self.taken.contains(&id) {
                    break id;
                }
            };
            self.numbered.insert(base, n);
            id
        } else {
            base
        };
        self.taken.insert(id.clone());
        let id = StepId(id);
        if id.as_str() != name {
            self.changes.push((name.to_string(), id.clone()));
        }
        id
    }

    fn note(self) -> Option<Note> {
        (!self.changes.is_empty()).then_some(Note::IdsChanged {
            changes: self.changes,
        })
    }
}

/// What a step's inputs are to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inputs {
    /// Data it needs (a graph's edges): its templates name them, so that live runs
    /// pass each input's output on.
    Data,
    /// Only what it waited for (a trace's order): its templates name none, so that a
    /// dependency that is not real can be removed on the canvas and the chain stays
    /// valid.
    Order,
}

/// A model or HTTP step that runs on the simulator.
fn new_step(
    id: StepId,
    label: String,
    kind: GuessedKind,
    model: Option<String>,
    (inputs, what): (Vec<StepId>, Inputs),
    latency: LatencyModel,
) -> Step {
    let refs: Vec<String> = match what {
        Inputs::Data => inputs.iter().map(|i| format!("{{{{{i}}}}}")).collect(),
        Inputs::Order => Vec::new(),
    };
    // A name may hold `{{`, which a template would read as the start of a reference.
    let mut instruction = String::with_capacity(label.len());
    let mut chars = label.chars().peekable();
    while let Some(c) = chars.next() {
        instruction.push(c);
        if c == '{' && chars.peek() == Some(&'{') {
            instruction.push(' ');
        }
    }
    let kind = match kind {
        GuessedKind::Llm => StepKind::Llm(LlmStep {
            provider: "simulator".into(),
            model: model.unwrap_or_else(|| "sim-small".into()),
            prompt: if refs.is_empty() {
                instruction
            } else {
                format!("{instruction}\n\n{}", refs.join("\n\n"))
            },
            temperature: 0.7,
            max_tokens: 512,
            ..LlmStep::default()
        }),
        GuessedKind::Http => {
            let query: Vec<String> = inputs
                .iter()
                .zip(&refs)
                .map(|(input, r)| format!("{input}={r}"))
                .collect();
            let mut url = format!("https://api.example.org/{id}");
            if !query.is_empty() {
                url.push('?');
                url.push_str(&query.join("&"));
            }
            StepKind::Http(HttpStep {
                method: "GET".into(),
                url,
                ..HttpStep::default()
            })
        }
    };
    Step {
        sim: Simulation {
            latency,
            // Not the inputs' outputs: in a wide diamond those would double per level.
            output: format!("Result of {id}"),
        },
        id,
        label,
        kind,
        inputs,
        position: Default::default(),
    }
}

/// Checks the chain against the limits and lays it out by level. `closing_edge` names
/// where the edge that closes a cycle was written, when the source has places.
fn finish(
    mut chain: Chain,
    limits: Limits,
    closing_edge: impl Fn(&[StepId]) -> Option<Location>,
) -> Result<Chain, ImportError> {
    if let Err(problems) = Plan::with_limits(chain.clone(), limits) {
        if let Some(Problem::Cycle { steps }) =
            problems.iter().find(|p| matches!(p, Problem::Cycle { .. }))
        {
            if let Some(at) = closing_edge(steps) {
                return Err(ImportError::Cycle {
                    at,
                    steps: steps.clone(),
                });
            }
        }
        return Err(ImportError::InvalidChain { problems });
    }
    // Plan accepted it, so it has no cycle and auto-layout cannot fail.
    let _ = layout::arrange(&mut chain);
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `from_name` lower-cases ASCII only and maps the two exceptions: every other
    /// non-ASCII letter lower-cases to text that starts with a non-ASCII char, so it
    /// can never complete an ASCII prefix such as "api" or "get".
    #[test]
    fn only_two_non_ascii_letters_lower_case_to_ascii() {
        let to_ascii: Vec<char> = (0x80..=0x10_ffff_u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_alphanumeric())
            .filter(|c| c.to_lowercase().next().is_some_and(|l| l.is_ascii()))
            .collect();
        assert_eq!(to_ascii, ['\u{130}', '\u{212a}']);
        assert_eq!('\u{130}'.to_lowercase().collect::<String>(), "i\u{307}");
        assert_eq!(
            GuessedKind::from_name("AP\u{130}_weather"),
            GuessedKind::Http
        );
        assert_eq!(GuessedKind::from_name("\u{c9}tude"), GuessedKind::Llm);
    }

    #[test]
    fn kinds_are_guessed_from_words_of_the_name() {
        for http in [
            "web_search",
            "fetchNews",
            "get-weather",
            "call_API",
            "HTTP",
            "apis",
        ] {
            assert_eq!(GuessedKind::from_name(http), GuessedKind::Http, "{http}");
        }
        for llm in ["summarize", "budget", "rapid_answer", "generate", "target"] {
            assert_eq!(GuessedKind::from_name(llm), GuessedKind::Llm, "{llm}");
        }
    }

    #[test]
    fn ids_are_kept_sanitized_or_numbered() {
        let mut ids = IdMaker::default();
        assert_eq!(ids.id_for("search_a").as_str(), "search_a");
        assert_eq!(ids.id_for("fetch news").as_str(), "fetch_news");
        assert_eq!(ids.id_for("fetch_news").as_str(), "fetch_news_2");
        assert_eq!(ids.id_for("").as_str(), "step");
        assert_eq!(ids.changes.len(), 3);
    }

    #[test]
    fn a_wrong_guess_is_changed_keeping_the_step_in_place() {
        let mut chain = import("graph LR\n  web_search --> answer\n", None)
            .expect("imports")
            .chain;
        let id = StepId::new("web_search");
        let before = chain.steps[0].clone();
        assert!(change_kind(&mut chain, &id, GuessedKind::Llm));
        let after = &chain.steps[0];
        assert_eq!(GuessedKind::of(&after.kind), Some(GuessedKind::Llm));
        assert_eq!(after.sim.latency, ASSUMED_LLM_LATENCY);
        assert_eq!(
            (&after.label, &after.inputs, after.position),
            (&before.label, &before.inputs, before.position)
        );
        assert!(!change_kind(&mut chain, &id, GuessedKind::Llm));
        assert!(!change_kind(
            &mut chain,
            &StepId::new("gone"),
            GuessedKind::Http
        ));
        // A latency someone chose is kept.
        chain.steps[1].sim.latency = LatencyModel::Fixed { ms: 5 };
        assert!(change_kind(
            &mut chain,
            &StepId::new("answer"),
            GuessedKind::Http
        ));
        assert_eq!(chain.steps[1].sim.latency, LatencyModel::Fixed { ms: 5 });
        assert!(Plan::new(chain).is_ok());
    }

    #[test]
    fn empty_and_oversized_texts_are_refused() {
        assert_eq!(import("  \n", None), Err(ImportError::Empty));
        let huge = " ".repeat(MAX_IMPORT_BYTES + 1);
        assert!(matches!(
            import(&huge, None),
            Err(ImportError::TooLarge { .. })
        ));
    }
}
