//! What goes over the wire for a live step, without the transport: the
//! OpenAI-compatible chat-completions request and its answers (whole or streamed as
//! server-sent events), and an HTTP step's request and the part of its answer that
//! flows on. The browser's `fetch` lives in the app (`src/network.rs`).

use crate::model::{HttpStep, LlmStep, StepId};
use crate::steps::errors::StepError;
use crate::steps::template;
use serde_json::{json, Value};

/// Answers larger than this are dropped with [`StepError::TooLarge`].
pub const DEFAULT_SIZE_CAP: usize = 1 << 20;

/// `scheme://host:port` of a URL: whom a request goes to, for limits per provider and
/// for counting connections per origin.
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// The body of a chat-completions request for `llm` with its inputs filled in.
pub fn chat_request(llm: &LlmStep, inputs: &[(StepId, String)], stream: bool) -> String {
    let mut messages = Vec::new();
    if !llm.system_prompt.trim().is_empty() {
        messages.push(
            json!({ "role": "system", "content": template::render(&llm.system_prompt, inputs) }),
        );
    }
    messages.push(json!({ "role": "user", "content": template::render(&llm.prompt, inputs) }));
    json!({
        "model": llm.model,
        "messages": messages,
        "temperature": llm.temperature,
        "max_tokens": llm.max_tokens,
        "stream": stream,
    })
    .to_string()
}

/// `{base}/chat/completions`, whether or not the base ends with a slash.
pub fn chat_url(base_url: &str) -> String {
    format!("{}/chat/completions", base_url.trim().trim_end_matches('/'))
}

/// The answer of a non-streamed chat completion.
pub fn chat_answer(body: &str) -> Result<String, StepError> {
    let value: Value = serde_json::from_str(body).map_err(|_| StepError::BadAnswer {
        detail: "the model endpoint did not answer with JSON".into(),
    })?;
    value
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| StepError::BadAnswer {
            detail: "no choices[0].message.content in the answer".into(),
        })
}

/// The server's own words in an error body (`{"error":{"message":...}}`), if any.
pub fn error_detail(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.pointer("/message"))
                .or_else(|| v.get("error"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| body.chars().take(200).collect())
}

/// Reads a stream of server-sent events chunk by chunk, as they arrive.
#[derive(Debug, Default)]
pub struct SseReader {
    pending: Vec<u8>,
    text: String,
    done: bool,
}

impl SseReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next chunk of bytes; returns whether new text arrived.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<bool, StepError> {
        self.pending.extend_from_slice(chunk);
        let mut grew = false;
        // Lines end with '\n', so a complete line is complete UTF-8 too.
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let Some(data) = line.trim_end().strip_prefix("data:") else {
                continue;
            };
            let data = data.trim();
            if data == "[DONE]" {
                self.done = true;
                continue;
            }
            let event: Value = serde_json::from_str(data).map_err(|_| StepError::BadAnswer {
                detail: "a streamed event is not JSON".into(),
            })?;
            if let Some(message) = event.pointer("/error/message").and_then(Value::as_str) {
                return Err(StepError::BadAnswer {
                    detail: message.to_string(),
                });
            }
            if let Some(delta) = event
                .pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
            {
                self.text.push_str(delta);
                grew |= !delta.is_empty();
            }
            if event
                .pointer("/choices/0/finish_reason")
                .is_some_and(|r| !r.is_null())
            {
                self.done = true;
            }
        }
        Ok(grew)
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The whole answer once the stream has ended; a stream that stopped before
    /// saying it was done was cut off.
    pub fn finish(self) -> Result<String, StepError> {
        if self.done {
            Ok(self.text)
        } else {
            Err(StepError::CutOff)
        }
    }
}

/// An HTTP step's request with its inputs filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

pub fn http_request(http: &HttpStep, inputs: &[(StepId, String)]) -> HttpRequest {
    let method = match http.method.trim() {
        "" => "GET".to_string(),
        m => m.to_ascii_uppercase(),
    };
    let body = template::render(&http.body, inputs);
    let carries_body = !matches!(method.as_str(), "GET" | "HEAD") && !body.is_empty();
    HttpRequest {
        url: template::render_url(&http.url, inputs),
        headers: http
            .headers
            .iter()
            .filter(|h| !h.name.trim().is_empty())
            .map(|h| {
                (
                    h.name.trim().to_string(),
                    template::render(&h.value, inputs),
                )
            })
            .collect(),
        body: carries_body.then_some(body),
        method,
    }
}

/// The part of an HTTP answer that flows on: the whole body, or the value at the
/// step's JSON pointer (text as it is, anything else as JSON).
pub fn http_output(http: &HttpStep, body: &str) -> Result<String, StepError> {
    let pointer = http.json_pointer.trim();
    if pointer.is_empty() {
        return Ok(body.to_string());
    }
    let value: Value = serde_json::from_str(body).map_err(|_| StepError::BadAnswer {
        detail: format!("the answer is not JSON, so the pointer {pointer} cannot apply"),
    })?;
    match value.pointer(pointer) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Ok(other.to_string()),
        None => Err(StepError::BadAnswer {
            detail: format!("nothing at {pointer} in the answer"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;

    fn inputs() -> Vec<(StepId, String)> {
        vec![(StepId::new("q"), "tea".into())]
    }

    #[test]
    fn a_chat_request_fills_the_prompt_and_asks_for_a_stream() {
        let llm = LlmStep {
            provider: "p".into(),
            model: "m".into(),
            system_prompt: "Be brief.".into(),
            prompt: "About {{q}}".into(),
            temperature: 0.5,
            max_tokens: 9,
        };
        let body: Value = serde_json::from_str(&chat_request(&llm, &inputs(), true)).expect("json");
        assert_eq!(body["messages"][1]["content"], "About tea");
        assert_eq!(body["messages"][0]["role"], "system");
        assert_eq!(body["stream"], true);
        assert_eq!(chat_url("http://h/v1/"), "http://h/v1/chat/completions");
    }

    #[test]
    fn streamed_events_are_read_across_chunk_boundaries() {
        let events = concat!(
            "data: {\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}\n\n",
            ": keep-alive\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"llo\"}}]}\n\n",
            "data: [DONE]\n\n"
        )
        .as_bytes();
        let mut reader = SseReader::new();
        for chunk in events.chunks(7) {
            reader.feed(chunk).expect("valid events");
        }
        assert_eq!(reader.finish(), Ok("Héllo".to_string()));
    }

    #[test]
    fn a_stream_without_its_end_is_cut_off() {
        let mut reader = SseReader::new();
        reader
            .feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n")
            .expect("valid");
        assert_eq!(reader.text(), "Hi");
        assert_eq!(reader.finish(), Err(StepError::CutOff));
    }

    #[test]
    fn answers_and_error_bodies_are_read() {
        let body = r#"{"choices":[{"message":{"content":"ok"}}]}"#;
        assert_eq!(chat_answer(body), Ok("ok".into()));
        assert!(chat_answer("<html>").is_err());
        assert_eq!(
            error_detail(r#"{"error":{"message":"no such model"}}"#),
            "no such model"
        );
    }

    #[test]
    fn an_http_step_renders_its_request_and_picks_its_output() {
        let http = HttpStep {
            method: "post".into(),
            url: "http://h/json?q={{q}}".into(),
            headers: vec![Header::new("X-Topic", "{{q}}")],
            body: "{\"topic\":\"{{q}}\"}".into(),
            json_pointer: "/data/answer".into(),
        };
        let request = http_request(&http, &inputs());
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "http://h/json?q=tea");
        assert_eq!(request.headers, vec![("X-Topic".into(), "tea".into())]);
        assert_eq!(request.body.as_deref(), Some("{\"topic\":\"tea\"}"));
        assert_eq!(
            http_output(&http, r#"{"data":{"answer":"42"}}"#),
            Ok("42".into())
        );
        assert!(http_output(&http, r#"{"data":{}}"#).is_err());
    }
}
