//! The chain model: what a person builds on the canvas and what a share link carries.
//!
//! A chain is a list of steps; a step's `inputs` are the edges of the graph. Every
//! step carries a simulated latency and output so that any chain runs with no key
//! and no network, the same way every time.

use serde::{Deserialize, Serialize};
use std::fmt;

mod choice;
mod latency;
mod mode;
mod time;

pub use choice::Choice;
pub use latency::{LatencyKind, LatencyModel, Sampler, MAX_LATENCY_MS};
pub use mode::Mode;
pub use time::{Millis, Time, TOLERANCE_MS};

/// The name a step is known by in edges and templates (`{{search_a}}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StepId(pub String);

impl StepId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Seeds every random latency in the chain, so a run repeats exactly.
    #[serde(default)]
    pub seed: u64,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub id: StepId,
    pub label: String,
    pub kind: StepKind,
    /// The steps whose outputs this step needs: the edges into it.
    #[serde(default)]
    pub inputs: Vec<StepId>,
    #[serde(default)]
    pub position: Position,
    #[serde(default)]
    pub sim: Simulation,
}

/// Where the step sits on the canvas, in canvas units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepKind {
    /// A fixed text the chain starts from, such as the user's question.
    Input {
        text: String,
    },
    Llm(LlmStep),
    Http(HttpStep),
    Transform(TransformStep),
    /// What the run returns: its inputs' outputs, joined.
    Output,
}

impl StepKind {
    /// The word shown to people for this kind of step.
    pub fn name(&self) -> &'static str {
        crate::editor::edit::NewStep::of(self).label()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LlmStep {
    /// Name of a provider configured in the settings; "simulator" needs none.
    pub provider: String,
    pub model: String,
    #[serde(default)]
    pub system_prompt: String,
    /// Refers to inputs by id: `Summarize this: {{search_a}}`.
    pub prompt: String,
    #[serde(default = "default_temperature")]
    pub temperature: f32,
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
}

fn default_temperature() -> f32 {
    0.7
}

fn default_max_tokens() -> u32 {
    512
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpStep {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub body: String,
    /// RFC 6901 pointer to the part of a JSON response that flows on; empty keeps it all.
    #[serde(default)]
    pub json_pointer: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
    /// The person marked the value as a credential, whatever the header's name says
    /// (see `io::secrets`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

impl Header {
    /// A header that is secret only if its name says so.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            secret: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransformStep {
    pub op: TransformOp,
    /// Used by [`TransformOp::Template`].
    #[serde(default)]
    pub template: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransformOp {
    /// Fill a template with the inputs.
    Template,
    /// Join the inputs, one paragraph each.
    Concatenate,
    /// Merge inputs that are JSON objects into one object.
    JsonMerge,
    /// The output given by most inputs.
    MajorityVote,
    /// The longest input: a simple "pick the best" rule.
    PickLongest,
}

impl Choice for TransformOp {
    const ALL: &'static [Self] = &[
        TransformOp::Template,
        TransformOp::Concatenate,
        TransformOp::JsonMerge,
        TransformOp::MajorityVote,
        TransformOp::PickLongest,
    ];

    fn key(self) -> &'static str {
        match self {
            TransformOp::Template => "template",
            TransformOp::Concatenate => "concatenate",
            TransformOp::JsonMerge => "json_merge",
            TransformOp::MajorityVote => "majority_vote",
            TransformOp::PickLongest => "pick_longest",
        }
    }

    fn label(self) -> &'static str {
        match self {
            TransformOp::Template => "fill a template",
            TransformOp::Concatenate => "concatenate",
            TransformOp::JsonMerge => "merge JSON objects",
            TransformOp::MajorityVote => "majority vote",
            TransformOp::PickLongest => "pick the longest (best)",
        }
    }
}

/// How a step behaves on the simulator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub latency: LatencyModel,
    /// A template like any other: `Summary of {{search_a}}`.
    #[serde(default)]
    pub output: String,
}

impl Default for Simulation {
    fn default() -> Self {
        Self {
            latency: LatencyModel::Fixed { ms: 0 },
            output: String::new(),
        }
    }
}

impl Step {
    /// Every text field of the step that may refer to inputs with `{{id}}`, with the
    /// field's name for messages.
    pub fn templates(&self) -> Vec<(&'static str, &str)> {
        let mut fields = match &self.kind {
            StepKind::Input { .. } | StepKind::Output => vec![],
            StepKind::Llm(llm) => vec![
                ("system prompt", llm.system_prompt.as_str()),
                ("prompt", llm.prompt.as_str()),
            ],
            StepKind::Http(http) => {
                let mut f = vec![("URL", http.url.as_str()), ("body", http.body.as_str())];
                f.extend(http.headers.iter().map(|h| ("header", h.value.as_str())));
                f
            }
            StepKind::Transform(t) => vec![("template", t.template.as_str())],
        };
        fields.push(("simulated output", self.sim.output.as_str()));
        fields
    }

    /// How many bytes of text the step holds, for the size limit.
    pub fn text_len(&self) -> usize {
        let kind_text = match &self.kind {
            StepKind::Input { text } => text.len(),
            StepKind::Llm(llm) => llm.provider.len() + llm.model.len(),
            StepKind::Http(http) => {
                http.method.len()
                    + http.json_pointer.len()
                    + http.headers.iter().map(|h| h.name.len()).sum::<usize>()
            }
            StepKind::Transform(_) | StepKind::Output => 0,
        };
        self.id.0.len()
            + self.label.len()
            + kind_text
            + self.templates().iter().map(|(_, t)| t.len()).sum::<usize>()
            + self.inputs.iter().map(|i| i.0.len()).sum::<usize>()
    }
}
