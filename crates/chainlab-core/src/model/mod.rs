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

/// Read with [`tagged`] (see there); written by serde's derive.
#[derive(Clone, Debug, PartialEq, Serialize)]
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

impl<'de> Deserialize<'de> for StepKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Input {
            text: String,
        }
        let (kind, value) = tagged(
            deserializer,
            "type",
            &["input", "llm", "http", "transform", "output"],
        )?;
        Ok(match kind {
            0 => StepKind::Input {
                text: variant::<Input, D>(value)?.text,
            },
            1 => StepKind::Llm(variant::<_, D>(value)?),
            2 => StepKind::Http(variant::<_, D>(value)?),
            3 => StepKind::Transform(variant::<_, D>(value)?),
            _ => StepKind::Output,
        })
    }
}

/// An internally tagged enum (`{"type": "llm", ...}`) read without serde's derive for
/// one, which buffers the map in its own `Content` type: that code is large in the
/// page's wasm, and chains are read through `serde_json::Value` anyway. The map is read
/// as a `Value`, its `tag` names the variant (its index in `variants` is returned), and
/// the variant's fields are read from the same `Value` with [`variant`]. The errors are
/// serde's own (missing field, unknown variant).
pub(crate) fn tagged<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    tag: &'static str,
    variants: &'static [&'static str],
) -> Result<(usize, serde_json::Value), D::Error> {
    use serde::de::Error;
    let value = serde_json::Value::deserialize(deserializer)?;
    let name = match value.get(tag) {
        Some(serde_json::Value::String(name)) => name,
        Some(_) => return Err(D::Error::custom(format!("\"{tag}\" should be a string"))),
        None if value.is_object() => return Err(D::Error::missing_field(tag)),
        None => {
            return Err(D::Error::custom(format!(
                "expected an object with \"{tag}\""
            )))
        }
    };
    match variants.iter().position(|v| v == name) {
        Some(index) => Ok((index, value)),
        None => Err(D::Error::unknown_variant(name, variants)),
    }
}

/// The fields of a variant found by [`tagged`].
pub(crate) fn variant<'de, T: serde::de::DeserializeOwned, D: serde::Deserializer<'de>>(
    value: serde_json::Value,
) -> Result<T, D::Error> {
    serde_json::from_value(value).map_err(serde::de::Error::custom)
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

#[cfg(test)]
mod tagged_tests {
    use super::{LatencyModel, StepKind};
    use serde_json::json;

    fn kind(value: serde_json::Value) -> Result<StepKind, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    /// The hand-written readers of the tagged enums read what the derive wrote and
    /// refuse what it refused, with serde's words.
    #[test]
    fn tagged_enums_read_back_and_refuse_with_serde_words() {
        for kind in [
            StepKind::Input { text: "q".into() },
            StepKind::Output,
            StepKind::Llm(crate::model::LlmStep::default()),
        ] {
            let written = serde_json::to_value(&kind).expect("writes");
            assert_eq!(serde_json::from_value::<StepKind>(written).ok(), Some(kind));
        }
        for model in [
            LatencyModel::Fixed { ms: 5 },
            LatencyModel::Uniform {
                min_ms: 1,
                max_ms: 9,
            },
            LatencyModel::LogNormal {
                median_ms: 700,
                sigma: 0.25,
            },
        ] {
            let written = serde_json::to_string(&model).expect("writes");
            assert_eq!(
                serde_json::from_str::<LatencyModel>(&written).ok(),
                Some(model)
            );
        }
        let unknown = kind(json!({"type": "robot"})).expect_err("refused");
        assert!(unknown.contains("unknown variant `robot`"), "{unknown}");
        assert!(unknown.contains("`transform`"), "{unknown}");
        let missing = kind(json!({"text": "q"})).expect_err("refused");
        assert!(missing.contains("missing field `type`"), "{missing}");
        let not_object = kind(json!(3)).expect_err("refused");
        assert!(not_object.contains("\"type\""), "{not_object}");
        let no_text = kind(json!({"type": "input"})).expect_err("refused");
        assert!(no_text.contains("missing field `text`"), "{no_text}");
        let bad_ms = serde_json::from_value::<LatencyModel>(json!({"model": "fixed", "ms": -1}));
        assert!(bad_ms.is_err());
    }
}
