//! The fields of a step as the inspector edits them: one lens per field that reads it
//! as text and writes text back, checked, so that the page has one field component
//! and no knowledge of where each value lives in the model.

use crate::editor::edit::NewStep;
use crate::io::secrets;
use crate::model::{Header, LatencyKind, LatencyModel, Step, StepKind};
use std::fmt;

/// One editable field of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Label,
    InputText,
    Provider,
    Model,
    SystemPrompt,
    Prompt,
    Temperature,
    MaxTokens,
    Method,
    Url,
    Headers,
    Body,
    JsonPointer,
    Template,
    SimOutput,
    LatencyMs,
    LatencyMin,
    LatencyMax,
    LatencyMedian,
    LatencySigma,
}

/// How a field is typed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Widget {
    Line,
    /// Several lines: prompts, templates, bodies.
    Text,
    Number,
}

/// Why a value was not taken; the field keeps what the person typed and shows this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError(pub String);

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Sigma beyond this makes latencies of hours; nobody means it.
const MAX_SIGMA: f64 = 5.0;

impl Field {
    /// The fields of a kind of step, in the order the inspector shows them (the
    /// label, the id, the inputs and the latency are shown for every step).
    pub fn of_kind(kind: NewStep) -> &'static [Field] {
        match kind {
            NewStep::Input => &[Field::InputText],
            NewStep::Llm => &[
                Field::Provider,
                Field::Model,
                Field::SystemPrompt,
                Field::Prompt,
                Field::Temperature,
                Field::MaxTokens,
            ],
            NewStep::Http => &[
                Field::Method,
                Field::Url,
                Field::Headers,
                Field::Body,
                Field::JsonPointer,
            ],
            NewStep::Transform => &[Field::Template],
            NewStep::Output => &[],
        }
    }

    /// The numbers of a latency model.
    pub fn of_latency(kind: LatencyKind) -> &'static [Field] {
        match kind {
            LatencyKind::Fixed => &[Field::LatencyMs],
            LatencyKind::Uniform => &[Field::LatencyMin, Field::LatencyMax],
            LatencyKind::LogNormal => &[Field::LatencyMedian, Field::LatencySigma],
        }
    }

    /// The template field of a kind of step that `{{input}}` buttons add to.
    pub fn template_of(kind: NewStep) -> Option<Field> {
        match kind {
            NewStep::Llm => Some(Field::Prompt),
            NewStep::Http => Some(Field::Body),
            NewStep::Transform => Some(Field::Template),
            NewStep::Input | NewStep::Output => None,
        }
    }

    /// The test id suffix and the name of the field's undo group.
    pub fn key(self) -> &'static str {
        match self {
            Field::Label => "label",
            Field::InputText => "input-text",
            Field::Provider => "provider",
            Field::Model => "model",
            Field::SystemPrompt => "system-prompt",
            Field::Prompt => "prompt",
            Field::Temperature => "temperature",
            Field::MaxTokens => "max-tokens",
            Field::Method => "method",
            Field::Url => "url",
            Field::Headers => "headers",
            Field::Body => "body",
            Field::JsonPointer => "json-pointer",
            Field::Template => "template",
            Field::SimOutput => "sim-output",
            Field::LatencyMs => "latency-ms",
            Field::LatencyMin => "latency-min",
            Field::LatencyMax => "latency-max",
            Field::LatencyMedian => "latency-median",
            Field::LatencySigma => "latency-sigma",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Label => "Label",
            Field::InputText => "Text the chain starts from",
            Field::Provider => "Provider",
            Field::Model => "Model name",
            Field::SystemPrompt => "System prompt",
            Field::Prompt => "Prompt template",
            Field::Temperature => "Temperature",
            Field::MaxTokens => "Max tokens",
            Field::Method => "Method",
            Field::Url => "URL template",
            Field::Headers => "Headers (one 'Name: value' a line)",
            Field::Body => "Body template",
            Field::JsonPointer => "JSON pointer to keep (e.g. /results/0)",
            Field::Template => "Template (for 'fill a template')",
            Field::SimOutput => "Simulated output",
            Field::LatencyMs => "Milliseconds",
            Field::LatencyMin => "At least (ms)",
            Field::LatencyMax => "At most (ms)",
            Field::LatencyMedian => "Median (ms)",
            Field::LatencySigma => "Spread (sigma)",
        }
    }

    pub fn widget(self) -> Widget {
        match self {
            Field::InputText
            | Field::SystemPrompt
            | Field::Prompt
            | Field::Headers
            | Field::Body
            | Field::Template
            | Field::SimOutput => Widget::Text,
            Field::Temperature
            | Field::MaxTokens
            | Field::LatencyMs
            | Field::LatencyMin
            | Field::LatencyMax
            | Field::LatencyMedian
            | Field::LatencySigma => Widget::Number,
            Field::Label
            | Field::Provider
            | Field::Model
            | Field::Method
            | Field::Url
            | Field::JsonPointer => Widget::Line,
        }
    }

    /// Whether a race on screen still matches the chain after this field changes:
    /// only the label changes neither the graph nor the timings.
    pub fn keeps_race(self) -> bool {
        self == Field::Label
    }

    /// The field's value as text; `None` when the step has no such field.
    pub fn get(self, step: &Step) -> Option<String> {
        let latency = &step.sim.latency;
        Some(match (self, &step.kind) {
            (Field::Label, _) => step.label.clone(),
            (Field::SimOutput, _) => step.sim.output.clone(),
            (Field::InputText, StepKind::Input { text }) => text.clone(),
            (Field::Provider, StepKind::Llm(l)) => l.provider.clone(),
            (Field::Model, StepKind::Llm(l)) => l.model.clone(),
            (Field::SystemPrompt, StepKind::Llm(l)) => l.system_prompt.clone(),
            (Field::Prompt, StepKind::Llm(l)) => l.prompt.clone(),
            (Field::Temperature, StepKind::Llm(l)) => l.temperature.to_string(),
            (Field::MaxTokens, StepKind::Llm(l)) => l.max_tokens.to_string(),
            (Field::Method, StepKind::Http(h)) => h.method.clone(),
            (Field::Url, StepKind::Http(h)) => h.url.clone(),
            (Field::Headers, StepKind::Http(h)) => Header::lines(&h.headers),
            (Field::Body, StepKind::Http(h)) => h.body.clone(),
            (Field::JsonPointer, StepKind::Http(h)) => h.json_pointer.clone(),
            (Field::Template, StepKind::Transform(t)) => t.template.clone(),
            (Field::LatencyMs, _) => match latency {
                LatencyModel::Fixed { ms } => ms.to_string(),
                _ => return None,
            },
            (Field::LatencyMin | Field::LatencyMax, _) => match latency {
                LatencyModel::Uniform { min_ms, max_ms } => if self == Field::LatencyMin {
                    min_ms
                } else {
                    max_ms
                }
                .to_string(),
                _ => return None,
            },
            (Field::LatencyMedian | Field::LatencySigma, _) => match latency {
                LatencyModel::LogNormal { median_ms, sigma } => {
                    if self == Field::LatencyMedian {
                        median_ms.to_string()
                    } else {
                        sigma.to_string()
                    }
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    /// Writes `value` into the field. A number that does not parse or is out of range
    /// is refused with words that say what would be taken; the step is unchanged.
    pub fn set(self, step: &mut Step, value: &str) -> Result<(), FieldError> {
        let text = value.to_string();
        match self.widget() {
            Widget::Number => self.set_number(step, value),
            Widget::Line | Widget::Text => {
                let slot: Option<&mut String> = match (self, &mut step.kind) {
                    (Field::Label, _) => Some(&mut step.label),
                    (Field::SimOutput, _) => Some(&mut step.sim.output),
                    (Field::InputText, StepKind::Input { text }) => Some(text),
                    (Field::Provider, StepKind::Llm(l)) => Some(&mut l.provider),
                    (Field::Model, StepKind::Llm(l)) => Some(&mut l.model),
                    (Field::SystemPrompt, StepKind::Llm(l)) => Some(&mut l.system_prompt),
                    (Field::Prompt, StepKind::Llm(l)) => Some(&mut l.prompt),
                    (Field::Method, StepKind::Http(h)) => {
                        // A method is an HTTP token (ASCII): no Unicode case table needed.
                        h.method = text.trim().to_ascii_uppercase();
                        return Ok(());
                    }
                    (Field::Url, StepKind::Http(h)) => Some(&mut h.url),
                    (Field::Headers, StepKind::Http(h)) => {
                        h.headers = Header::parse_lines_keeping(&text, &h.headers);
                        return Ok(());
                    }
                    (Field::Body, StepKind::Http(h)) => Some(&mut h.body),
                    (Field::JsonPointer, StepKind::Http(h)) => Some(&mut h.json_pointer),
                    (Field::Template, StepKind::Transform(t)) => Some(&mut t.template),
                    _ => None,
                };
                if let Some(slot) = slot {
                    *slot = text;
                }
                Ok(())
            }
        }
    }

    fn set_number(self, step: &mut Step, value: &str) -> Result<(), FieldError> {
        let number = crate::number::parse_f64(value.trim())
            .filter(|n| n.is_finite())
            .ok_or_else(|| FieldError(format!("{}: type a number.", self.label())))?;
        let range = |lo: f64, hi: f64, words: &str| {
            if (lo..=hi).contains(&number) {
                Ok(number)
            } else {
                Err(FieldError(format!("{}: {words}", self.label())))
            }
        };
        let ms = || {
            range(
                0.0,
                f64::from(crate::model::MAX_LATENCY_MS as u32),
                "a latency is 0 ms or more (at most 10 minutes).",
            )
            .map(|v| v.round() as u32)
        };
        match (self, &mut step.kind, &mut step.sim.latency) {
            (Field::Temperature, StepKind::Llm(l), _) => {
                l.temperature = range(0.0, 2.0, "between 0 and 2.")? as f32;
            }
            (Field::MaxTokens, StepKind::Llm(l), _) => {
                l.max_tokens = range(1.0, f64::from(u32::MAX), "1 or more.")?.round() as u32;
            }
            (Field::LatencyMs, _, LatencyModel::Fixed { ms: slot })
            | (Field::LatencyMin, _, LatencyModel::Uniform { min_ms: slot, .. })
            | (Field::LatencyMax, _, LatencyModel::Uniform { max_ms: slot, .. })
            | (
                Field::LatencyMedian,
                _,
                LatencyModel::LogNormal {
                    median_ms: slot, ..
                },
            ) => {
                *slot = ms()?;
            }
            (Field::LatencySigma, _, LatencyModel::LogNormal { sigma, .. }) => {
                *sigma = range(0.0, MAX_SIGMA, "between 0 and 5.")?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// The mark after a header's name that makes its value a credential.
const SECRET_MARK: &str = "(secret)";

impl Header {
    /// `Name: value` lines; a line without a colon is a name with no value, and
    /// `Name (secret): value` marks the value as a credential.
    pub fn parse_lines(text: &str) -> Vec<Header> {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap_or((line, ""));
                let name = name.trim();
                let (name, secret) = match name.strip_suffix(SECRET_MARK) {
                    Some(bare) => (bare.trim(), true),
                    None => (name, false),
                };
                Header {
                    secret,
                    ..Header::new(name, value.trim())
                }
            })
            .collect()
    }

    /// [`Header::parse_lines`], where a credential still shown as its mask keeps the
    /// value it had in `before`: the field never shows a credential, and saving it
    /// must not lose one.
    pub fn parse_lines_keeping(text: &str, before: &[Header]) -> Vec<Header> {
        let mut headers = Self::parse_lines(text);
        for header in &mut headers {
            if header.value == secrets::MASK {
                header.value = before
                    .iter()
                    .find(|old| old.name.eq_ignore_ascii_case(&header.name))
                    .map(|old| old.value.clone())
                    .unwrap_or_default();
            }
        }
        headers
    }

    /// Each header of an HTTP step as the inspector offers it to be kept secret: its
    /// name, whether it is marked, and whether its name makes it a credential anyway.
    pub fn secret_marks(step: &Step) -> Vec<(String, bool, bool)> {
        match &step.kind {
            StepKind::Http(h) => h
                .headers
                .iter()
                .filter(|h| !h.name.is_empty())
                .map(|h| {
                    (
                        h.name.clone(),
                        h.secret,
                        secrets::is_secret_header_name(&h.name),
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Marks the header named `name` of an HTTP step as a credential, or not.
    pub fn mark_secret(step: &mut Step, name: &str, secret: bool) {
        if let StepKind::Http(h) = &mut step.kind {
            for header in h.headers.iter_mut().filter(|h| h.name == name) {
                header.secret = secret;
            }
        }
    }

    /// The headers as `Name: value` lines, as [`Header::parse_lines`] reads them,
    /// with each credential's value shown as its mask.
    pub fn lines(headers: &[Header]) -> String {
        headers
            .iter()
            .map(|h| {
                let name = if h.secret {
                    format!("{} {SECRET_MARK}", h.name)
                } else {
                    h.name.clone()
                };
                match h.value.as_str() {
                    "" => name,
                    _ if secrets::is_secret_header(h) => format!("{name}: {}", secrets::MASK),
                    value => format!("{name}: {value}"),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Position, StepId};

    fn step(kind: NewStep) -> Step {
        kind.step(StepId::new("s"), Position::default())
    }

    #[test]
    fn every_field_of_a_kind_reads_back_what_was_written() {
        for &kind in NewStep::ALL.iter() {
            for &field in Field::of_kind(kind) {
                let mut s = step(kind);
                let value = if field.widget() == Widget::Number {
                    "1"
                } else {
                    "GET"
                };
                field.set(&mut s, value).expect("taken");
                assert_eq!(field.get(&s).as_deref(), Some(value), "{field:?}");
            }
        }
    }

    #[test]
    fn a_negative_latency_is_refused_in_words_and_changes_nothing() {
        let mut s = step(NewStep::Llm);
        let before = s.clone();
        let error = Field::LatencyMs.set(&mut s, "-50").expect_err("refused");
        assert_eq!(
            error.to_string(),
            "Milliseconds: a latency is 0 ms or more (at most 10 minutes)."
        );
        assert_eq!(s, before);
        assert!(Field::Temperature.set(&mut s, "abc").is_err());
    }

    #[test]
    fn a_step_without_the_field_has_no_value() {
        let s = step(NewStep::Output);
        assert_eq!(Field::Prompt.get(&s), None);
        assert_eq!(Field::LatencyMin.get(&s), None);
        assert_eq!(Field::Label.get(&s).as_deref(), Some("Output"));
    }

    #[test]
    fn switching_latency_model_there_and_back_keeps_the_numbers() {
        for ms in [0, 1, 945, 1800, 1801] {
            let fixed = LatencyModel::Fixed { ms };
            for &kind in <LatencyKind as crate::model::Choice>::ALL {
                assert_eq!(fixed.as_kind(kind).as_kind(LatencyKind::Fixed), fixed);
            }
        }
    }

    #[test]
    fn credential_headers_are_shown_masked_and_keep_their_value() {
        let before =
            Header::parse_lines("Authorization: Bearer sk-1234567\nX-Signed (secret): me-and-you");
        assert!(before[1].secret && before[1].name == "X-Signed");
        let shown = Header::lines(&before);
        assert_eq!(shown, "Authorization: ••••\nX-Signed (secret): ••••");
        let after = Header::parse_lines_keeping(&format!("{shown}\nAccept: text/plain"), &before);
        assert_eq!(after[0].value, "Bearer sk-1234567");
        assert_eq!(after[1].value, "me-and-you");
        assert_eq!(after[2].value, "text/plain");
        let retyped = Header::parse_lines_keeping("Authorization: Bearer new-one", &before);
        assert_eq!(retyped[0].value, "Bearer new-one");
    }

    #[test]
    fn headers_are_lines_of_name_and_value() {
        let headers = Header::parse_lines("Accept: application/json\n\nX-Flag");
        assert_eq!(Header::lines(&headers), "Accept: application/json\nX-Flag");
    }

    #[test]
    fn a_header_marked_secret_is_masked_and_its_mark_read_back() {
        let mut s = step(NewStep::Http);
        Field::Headers
            .set(&mut s, "X-Team: blue-42\nAuthorization: Bearer x")
            .expect("taken");
        assert_eq!(
            Header::secret_marks(&s),
            [
                ("X-Team".to_string(), false, false),
                ("Authorization".to_string(), false, true)
            ]
        );
        Header::mark_secret(&mut s, "X-Team", true);
        let shown = Field::Headers.get(&s).expect("headers");
        assert_eq!(shown, "X-Team (secret): ••••\nAuthorization: ••••");
        // The text form, masks and all, keeps the value and the mark.
        Field::Headers.set(&mut s, &shown).expect("taken");
        let StepKind::Http(h) = &s.kind else {
            panic!("an HTTP step")
        };
        assert!(h.headers[0].secret && h.headers[0].value == "blue-42");
        Header::mark_secret(&mut s, "X-Team", false);
        assert_eq!(
            Field::Headers.get(&s).as_deref(),
            Some("X-Team: blue-42\nAuthorization: ••••")
        );
    }
}
