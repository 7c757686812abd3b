//! A chain as bytes, for `c2` links: the fields in a fixed order with no names, text
//! as its length then its UTF-8, whole numbers as LEB128 varints, other numbers as
//! their shortest decimal (which reads back to the same `f64`), an input as the index
//! of the step it names, and the places left out when auto-layout puts every step
//! where it is.
//!
//! ```text
//! chain  = text(name) text(description) varint(seed) byte(placed) varint(n) text(id) × n
//!          step × n
//! step   = byte(kind) text(label) varint(k) input × k [number(x) number(y)]
//!          kind fields, latency, text(simulated output)
//! input  = varint(i): i < n names step i; i = n is followed by text(an id no step has)
//! kind   = 0 input: text | 1 llm: provider, model, system prompt, prompt, number(temperature),
//!          varint(max tokens) | 2 http: method, url, varint(h) (name, value) × h, body,
//!          json pointer | 3 transform: byte(op) template | 4 output
//! Templates (prompts, URLs, bodies, header values, simulated outputs) write each
//! `{{id}}` of a step as the byte 0xFF, which UTF-8 never uses, then the step's index.
//! latency = 0 fixed: varint(ms) | 1 uniform: varint(min) varint(max)
//!          | 2 log-normal: varint(median) number(sigma)
//! ```
//!
//! The reader trusts nothing: every length is checked against what is left, and a
//! wrong byte is a damaged link, never a panic.

use super::ShareError;
use crate::editor::layout;
use crate::model::{
    Chain, Choice, Header, HttpStep, LatencyModel, LlmStep, Position, Simulation, Step, StepId,
    StepKind, TransformOp, TransformStep,
};
use std::collections::HashMap;

pub fn write(chain: &Chain) -> Vec<u8> {
    let mut out = Vec::new();
    text(&mut out, &chain.name);
    text(&mut out, &chain.description);
    varint(&mut out, chain.seed);
    let placed = !laid_out(chain);
    out.push(u8::from(placed));
    varint(&mut out, chain.steps.len() as u64);
    for step in &chain.steps {
        text(&mut out, step.id.as_str());
    }
    let index: HashMap<&str, usize> = chain
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let template = |out: &mut Vec<u8>, t: &str| template(out, t, &index);
    for step in &chain.steps {
        out.push(kind_byte(&step.kind));
        text(&mut out, &step.label);
        varint(&mut out, step.inputs.len() as u64);
        for input in &step.inputs {
            match index.get(input.as_str()) {
                Some(&i) => varint(&mut out, i as u64),
                None => {
                    varint(&mut out, chain.steps.len() as u64);
                    text(&mut out, input.as_str());
                }
            }
        }
        if placed {
            number(&mut out, step.position.x);
            number(&mut out, step.position.y);
        }
        match &step.kind {
            StepKind::Input { text: t } => text(&mut out, t),
            StepKind::Llm(llm) => {
                text(&mut out, &llm.provider);
                text(&mut out, &llm.model);
                template(&mut out, &llm.system_prompt);
                template(&mut out, &llm.prompt);
                text(&mut out, &llm.temperature.to_string());
                varint(&mut out, u64::from(llm.max_tokens));
            }
            StepKind::Http(http) => {
                text(&mut out, &http.method);
                template(&mut out, &http.url);
                varint(&mut out, http.headers.len() as u64);
                for header in &http.headers {
                    text(&mut out, &header.name);
                    template(&mut out, &header.value);
                    // Marked secret by the person: the value is left out, the mark is not.
                    out.push(u8::from(header.secret));
                }
                template(&mut out, &http.body);
                text(&mut out, &http.json_pointer);
            }
            StepKind::Transform(t) => {
                out.push(op_byte(t.op));
                template(&mut out, &t.template);
            }
            StepKind::Output => {}
        }
        match step.sim.latency {
            LatencyModel::Fixed { ms } => {
                out.push(0);
                varint(&mut out, u64::from(ms));
            }
            LatencyModel::Uniform { min_ms, max_ms } => {
                out.push(1);
                varint(&mut out, u64::from(min_ms));
                varint(&mut out, u64::from(max_ms));
            }
            LatencyModel::LogNormal { median_ms, sigma } => {
                out.push(2);
                varint(&mut out, u64::from(median_ms));
                number(&mut out, sigma);
            }
        }
        template(&mut out, &step.sim.output);
    }
    out
}

/// `t` with each `{{id}}` of a step written as 0xFF and the step's index.
fn template(out: &mut Vec<u8>, t: &str, index: &HashMap<&str, usize>) {
    let mut packed = Vec::with_capacity(t.len());
    let mut rest = t;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        packed.extend_from_slice(&rest.as_bytes()[..open]);
        match index.get(&after[..close]) {
            Some(&i) => {
                packed.push(REFERENCE);
                varint(&mut packed, i as u64);
            }
            None => packed.extend_from_slice(&rest.as_bytes()[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    packed.extend_from_slice(rest.as_bytes());
    varint(out, packed.len() as u64);
    out.extend_from_slice(&packed);
}

/// Stands for `{{id}}` in a template: UTF-8 never has this byte.
const REFERENCE: u8 = 0xff;

/// Whether auto-layout, run on the chain with no places, puts every step where it is:
/// then the reader can lay it out again and the places need not travel.
fn laid_out(chain: &Chain) -> bool {
    let mut again = chain.clone();
    again
        .steps
        .iter_mut()
        .for_each(|s| s.position = Position::default());
    !chain.steps.is_empty() && layout::arrange(&mut again).is_ok() && again == *chain
}

fn kind_byte(kind: &StepKind) -> u8 {
    match kind {
        StepKind::Input { .. } => 0,
        StepKind::Llm(_) => 1,
        StepKind::Http(_) => 2,
        StepKind::Transform(_) => 3,
        StepKind::Output => 4,
    }
}

fn op_byte(op: TransformOp) -> u8 {
    TransformOp::ALL
        .iter()
        .position(|o| *o == op)
        .map_or(0, |i| i as u8)
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn text(out: &mut Vec<u8>, t: &str) {
    varint(out, t.len() as u64);
    out.extend_from_slice(t.as_bytes());
}

/// Rust prints the shortest decimal that parses back to the same `f64`.
fn number(out: &mut Vec<u8>, value: f64) {
    text(out, &value.to_string());
}

pub fn read(bytes: &[u8]) -> Result<Chain, ShareError> {
    let mut r = Reader { bytes, at: 0 };
    let chain = r.chain()?;
    if r.at != bytes.len() {
        return Err(ShareError::BadCompression);
    }
    Ok(chain)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// Every step takes at least this many bytes, which bounds the step count a link can
/// claim before any step is read.
const LEAST_STEP_BYTES: usize = 7;

impl Reader<'_> {
    fn chain(&mut self) -> Result<Chain, ShareError> {
        let name = self.text()?;
        let description = self.text()?;
        let seed = self.varint()?;
        let placed = match self.byte()? {
            0 => false,
            1 => true,
            _ => return Err(damaged()),
        };
        let n = self.count(LEAST_STEP_BYTES)?;
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            ids.push(StepId::new(self.text()?));
        }
        let mut steps = Vec::with_capacity(n);
        for id in &ids {
            steps.push(self.step(id.clone(), &ids, placed)?);
        }
        let mut chain = Chain {
            name,
            description,
            seed,
            steps,
        };
        if !placed && layout::arrange(&mut chain).is_err() {
            return Err(damaged());
        }
        Ok(chain)
    }

    fn step(&mut self, id: StepId, ids: &[StepId], placed: bool) -> Result<Step, ShareError> {
        let kind = self.byte()?;
        let label = self.text()?;
        let k = self.count(1)?;
        let mut inputs = Vec::with_capacity(k);
        for _ in 0..k {
            let i = usize::try_from(self.varint()?).map_err(|_| damaged())?;
            inputs.push(match ids.get(i) {
                Some(id) => id.clone(),
                None if i == ids.len() => StepId::new(self.text()?),
                None => return Err(damaged()),
            });
        }
        let position = if placed {
            Position {
                x: self.number()?,
                y: self.number()?,
            }
        } else {
            Position::default()
        };
        let kind = match kind {
            0 => StepKind::Input { text: self.text()? },
            1 => StepKind::Llm(LlmStep {
                provider: self.text()?,
                model: self.text()?,
                system_prompt: self.template(ids)?,
                prompt: self.template(ids)?,
                // Written by f32's Display (the shortest text that reads back as the
                // same f32), read as f64 and narrowed: what serde_json does for a
                // chain file's temperature too.
                temperature: self.number()? as f32,
                max_tokens: u32::try_from(self.varint()?).map_err(|_| damaged())?,
            }),
            2 => {
                let method = self.text()?;
                let url = self.template(ids)?;
                let h = self.count(2)?;
                let mut headers = Vec::with_capacity(h);
                for _ in 0..h {
                    headers.push(Header {
                        name: self.text()?,
                        value: self.template(ids)?,
                        secret: match self.byte()? {
                            0 => false,
                            1 => true,
                            _ => return Err(damaged()),
                        },
                    });
                }
                StepKind::Http(HttpStep {
                    method,
                    url,
                    headers,
                    body: self.template(ids)?,
                    json_pointer: self.text()?,
                })
            }
            3 => {
                let op = *TransformOp::ALL
                    .get(usize::from(self.byte()?))
                    .ok_or_else(damaged)?;
                StepKind::Transform(TransformStep {
                    op,
                    template: self.template(ids)?,
                })
            }
            4 => StepKind::Output,
            _ => return Err(damaged()),
        };
        let latency = match self.byte()? {
            0 => LatencyModel::Fixed { ms: self.ms()? },
            1 => LatencyModel::Uniform {
                min_ms: self.ms()?,
                max_ms: self.ms()?,
            },
            2 => LatencyModel::LogNormal {
                median_ms: self.ms()?,
                sigma: self.number()?,
            },
            _ => return Err(damaged()),
        };
        let output = self.template(ids)?;
        Ok(Step {
            id,
            label,
            kind,
            inputs,
            position,
            sim: Simulation { latency, output },
        })
    }

    fn byte(&mut self) -> Result<u8, ShareError> {
        let b = *self.bytes.get(self.at).ok_or_else(damaged)?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, ShareError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(damaged())
    }

    /// A count of things that each take at least `least` bytes: more than what is left
    /// could hold is a damaged link, not an allocation.
    fn count(&mut self, least: usize) -> Result<usize, ShareError> {
        let n = usize::try_from(self.varint()?).map_err(|_| damaged())?;
        let left = self.bytes.len() - self.at;
        if n > left / least {
            return Err(damaged());
        }
        Ok(n)
    }

    fn ms(&mut self) -> Result<u32, ShareError> {
        u32::try_from(self.varint()?).map_err(|_| damaged())
    }

    fn text(&mut self) -> Result<String, ShareError> {
        let len = self.count(1)?;
        let raw = &self.bytes[self.at..self.at + len];
        self.at += len;
        String::from_utf8(raw.to_vec()).map_err(|_| ShareError::NotUtf8)
    }

    /// A template, its references to steps written out again as `{{id}}`.
    fn template(&mut self, ids: &[StepId]) -> Result<String, ShareError> {
        let len = self.count(1)?;
        let end = self.at + len;
        let mut text = Vec::with_capacity(len);
        while self.at < end {
            let b = self.byte()?;
            if b != REFERENCE {
                text.push(b);
                continue;
            }
            let i = usize::try_from(self.varint()?).map_err(|_| damaged())?;
            let id = ids.get(i).ok_or_else(damaged)?;
            text.extend_from_slice(b"{{");
            text.extend_from_slice(id.as_str().as_bytes());
            text.extend_from_slice(b"}}");
        }
        if self.at != end {
            return Err(damaged());
        }
        String::from_utf8(text).map_err(|_| ShareError::NotUtf8)
    }

    /// Through `crate::number::parse_f64` (std's own parser would add its tables to
    /// the page).
    fn number(&mut self) -> Result<f64, ShareError> {
        crate::number::parse_f64(&self.text()?).ok_or_else(damaged)
    }
}

/// A `c2` payload that inflated but does not hold a chain: damaged like any other.
fn damaged() -> ShareError {
    ShareError::BadCompression
}
