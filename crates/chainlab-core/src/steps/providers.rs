//! Real providers in a few clicks: what each well-known OpenAI-compatible endpoint
//! needs (base URL, key, what the browser needs from its server), and what one tiny
//! test request said, in plain words. The browser's `fetch` is the app's
//! (`src/network.rs`); the facts and the reading of the answer are here.
//!
//! Facts were checked in each project's documentation: Ollama allows only pages
//! served from localhost unless `OLLAMA_ORIGINS` names others; LM Studio sends CORS
//! headers only with "Enable CORS" on (`lms server start --cors`); vLLM allows every
//! origin by default (`--allowed-origins`, default `*`); llama.cpp's `llama-server`
//! listens on 127.0.0.1:8080 with its OpenAI API under `/v1`; the LiteLLM proxy listens
//! on port 4000 and takes its master key as the bearer key.

use crate::model::{Choice, Millis};
use crate::steps::wire;
use serde_json::{json, Value};
use std::fmt;

/// Whether a provider wants an API key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyNeed {
    Required,
    /// Only when the server was started with one.
    IfConfigured,
    None,
}

/// A well-known OpenAI-compatible endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    OpenAi,
    OpenRouter,
    Groq,
    Together,
    Mistral,
    Ollama,
    LmStudio,
    LlamaCpp,
    Vllm,
    LiteLlm,
}

impl Choice for Preset {
    const ALL: &'static [Self] = &[
        Preset::OpenAi,
        Preset::OpenRouter,
        Preset::Groq,
        Preset::Together,
        Preset::Mistral,
        Preset::Ollama,
        Preset::LmStudio,
        Preset::LlamaCpp,
        Preset::Vllm,
        Preset::LiteLlm,
    ];

    /// Also the provider name a preset gives, which LLM steps refer to.
    fn key(self) -> &'static str {
        match self {
            Preset::OpenAi => "openai",
            Preset::OpenRouter => "openrouter",
            Preset::Groq => "groq",
            Preset::Together => "together",
            Preset::Mistral => "mistral",
            Preset::Ollama => "ollama",
            Preset::LmStudio => "lmstudio",
            Preset::LlamaCpp => "llamacpp",
            Preset::Vllm => "vllm",
            Preset::LiteLlm => "litellm",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Preset::OpenAi => "OpenAI",
            Preset::OpenRouter => "OpenRouter",
            Preset::Groq => "Groq",
            Preset::Together => "Together AI",
            Preset::Mistral => "Mistral AI",
            Preset::Ollama => "Ollama (local)",
            Preset::LmStudio => "LM Studio (local)",
            Preset::LlamaCpp => "llama.cpp server (local)",
            Preset::Vllm => "vLLM (local or self-hosted)",
            Preset::LiteLlm => "LiteLLM proxy (local)",
        }
    }
}

impl Preset {
    /// The OpenAI-compatible base URL (`…/chat/completions` is added to it).
    pub fn base_url(self) -> &'static str {
        match self {
            Preset::OpenAi => "https://api.openai.com/v1",
            Preset::OpenRouter => "https://openrouter.ai/api/v1",
            Preset::Groq => "https://api.groq.com/openai/v1",
            Preset::Together => "https://api.together.xyz/v1",
            Preset::Mistral => "https://api.mistral.ai/v1",
            Preset::Ollama => "http://localhost:11434/v1",
            Preset::LmStudio => "http://localhost:1234/v1",
            Preset::LlamaCpp => "http://localhost:8080/v1",
            Preset::Vllm => "http://localhost:8000/v1",
            Preset::LiteLlm => "http://localhost:4000/v1",
        }
    }

    pub fn key_need(self) -> KeyNeed {
        match self {
            Preset::OpenAi
            | Preset::OpenRouter
            | Preset::Groq
            | Preset::Together
            | Preset::Mistral => KeyNeed::Required,
            Preset::LlamaCpp | Preset::Vllm | Preset::LiteLlm => KeyNeed::IfConfigured,
            Preset::Ollama | Preset::LmStudio => KeyNeed::None,
        }
    }

    /// A model to start from; the provider's own list has the rest.
    pub fn example_model(self) -> &'static str {
        match self {
            Preset::OpenAi => "gpt-4o-mini",
            Preset::OpenRouter => "openai/gpt-4o-mini",
            Preset::Groq => "llama-3.1-8b-instant",
            Preset::Together => "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            Preset::Mistral => "mistral-small-latest",
            Preset::Ollama => "llama3.2",
            // These serve the model they loaded, by the name they list.
            Preset::LmStudio | Preset::LlamaCpp | Preset::Vllm | Preset::LiteLlm => "",
        }
    }

    /// What the person needs for a key, in words.
    pub fn key_note(self) -> &'static str {
        match self.key_need() {
            KeyNeed::Required => "Needs an API key from the provider's dashboard.",
            KeyNeed::IfConfigured => match self {
                Preset::LiteLlm => "Needs the proxy's master key (or a virtual key) if one is set.",
                _ => "Needs a key only if the server was started with --api-key.",
            },
            KeyNeed::None => "Needs no key.",
        }
    }

    /// What the browser needs from the server for this page to call it (CORS).
    pub fn browser_note(self) -> &'static str {
        match self {
            Preset::OpenAi | Preset::OpenRouter | Preset::Groq => {
                "Answers browsers (CORS) directly, but the key then sits in this browser: use a key \
                 with a spending limit."
            }
            Preset::Together | Preset::Mistral => {
                "Browser (CORS) access is not documented: if Test connection says the browser \
                 blocked it, run the LiteLLM proxy locally and point the page at it."
            }
            Preset::Ollama => {
                "Allows pages served from localhost only: for a page on another address, start \
                 Ollama with OLLAMA_ORIGINS set to this page's origin (for example \
                 OLLAMA_ORIGINS=https://your-host ollama serve)."
            }
            Preset::LmStudio => {
                "Turn on \"Enable CORS\" in the server settings (or run lms server start --cors); \
                 without it the browser blocks the page."
            }
            Preset::LlamaCpp => {
                "llama-server answers browsers (CORS) itself; start it with --host 0.0.0.0 to \
                 reach it from another machine."
            }
            Preset::Vllm => {
                "Allows every origin by default; if it was started with --allowed-origins, that \
                 list must include this page's origin."
            }
            Preset::LiteLlm => {
                "Allows every origin by default, so it can also stand in front of a provider that \
                 does not answer browsers."
            }
        }
    }

    /// The preset whose server `base_url` points at, by scheme, host and port
    /// (`127.0.0.1` and `localhost` are the same machine).
    pub fn for_url(base_url: &str) -> Option<Preset> {
        let normalise = |url: &str| {
            wire::origin_of(url.trim())
                .to_ascii_lowercase()
                .replace("://127.0.0.1", "://localhost")
        };
        let wanted = normalise(base_url);
        Self::ALL
            .iter()
            .copied()
            .find(|p| normalise(p.base_url()) == wanted)
    }
}

/// The body of the tiny request "Test connection" sends: one token, not streamed.
pub fn probe_body(model: &str) -> String {
    json!({
        "model": model,
        "messages": [{ "role": "user", "content": "Say OK." }],
        "max_tokens": 1,
        "stream": false,
    })
    .to_string()
}

/// What the browser saw of the test request.
#[derive(Clone, Debug, PartialEq)]
pub enum Probe {
    Answered {
        status: u16,
        content_type: String,
        body: String,
        latency_ms: Millis,
    },
    /// `fetch` failed. `reachable_without_cors` says whether a second, opaque
    /// (`no-cors`) request reached the server: then it was the browser that refused
    /// the answer, not the network.
    Failed { reachable_without_cors: bool },
}

/// What a test of a provider found, said in plain words by `Display`.
#[derive(Clone, Debug, PartialEq)]
pub enum Connection {
    Worked {
        latency_ms: Millis,
    },
    NoUrl,
    NoModel,
    /// The preset needs a key and none is set: nothing was sent.
    NoKey {
        preset: Preset,
    },
    BlockedByBrowser {
        preset: Option<Preset>,
    },
    KeyRefused {
        status: u16,
    },
    ModelUnknown {
        model: String,
    },
    NetworkFailed,
    /// The server answered, but not with JSON (a web page, a login form, a proxy's
    /// error page).
    NotJson {
        status: u16,
        content_type: String,
    },
    Refused {
        status: u16,
        detail: String,
    },
}

impl Connection {
    pub fn worked(&self) -> bool {
        matches!(self, Connection::Worked { .. })
    }

    /// Why no request should be sent at all, if there is a reason.
    pub fn before_sending(base_url: &str, key: &str, model: &str) -> Option<Connection> {
        if base_url.trim().is_empty() {
            return Some(Connection::NoUrl);
        }
        if model.trim().is_empty() {
            return Some(Connection::NoModel);
        }
        match Preset::for_url(base_url) {
            Some(preset) if preset.key_need() == KeyNeed::Required && key.trim().is_empty() => {
                Some(Connection::NoKey { preset })
            }
            _ => None,
        }
    }

    /// Reads what the browser saw; `base_url` finds the preset whose advice applies.
    pub fn classify(probe: &Probe, base_url: &str, model: &str) -> Connection {
        let (status, content_type, body, latency_ms) = match probe {
            Probe::Failed {
                reachable_without_cors: true,
            } => {
                return Connection::BlockedByBrowser {
                    preset: Preset::for_url(base_url),
                }
            }
            Probe::Failed { .. } => return Connection::NetworkFailed,
            Probe::Answered {
                status,
                content_type,
                body,
                latency_ms,
            } => (*status, content_type, body, *latency_ms),
        };
        let json = serde_json::from_str::<Value>(body).is_ok();
        match status {
            401 | 403 => Connection::KeyRefused { status },
            404 if json => Connection::ModelUnknown {
                model: model.to_string(),
            },
            _ if !json => Connection::NotJson {
                status,
                content_type: content_type.clone(),
            },
            200..=299 => Connection::Worked { latency_ms },
            _ => Connection::Refused {
                status,
                detail: wire::error_detail(body),
            },
        }
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Connection::Worked { latency_ms } => write!(
                f,
                "It worked: the model answered in {latency_ms} ms (measured, one request)."
            ),
            Connection::NoUrl => f.write_str("No base URL: pick a preset or type the URL first."),
            Connection::NoModel => {
                f.write_str("No model: type the model's name (the provider's list has them) first.")
            }
            Connection::NoKey { preset } => write!(
                f,
                "{} needs an API key: paste it in API key above. Nothing was sent.",
                preset.label()
            ),
            Connection::BlockedByBrowser { preset } => {
                f.write_str(
                    "The browser blocked it (CORS): the server is there but does not allow this \
                     page's origin.",
                )?;
                match preset {
                    Some(preset) => write!(f, " {}", preset.browser_note()),
                    None => f.write_str(
                        " Allow this origin on the server, or go through a local proxy such as \
                         LiteLLM.",
                    ),
                }
            }
            Connection::KeyRefused { status } => write!(
                f,
                "The key was refused ({status}): check the API key, or that it may use this model."
            ),
            Connection::ModelUnknown { model } => write!(
                f,
                "The server is there but has no model \"{model}\" (404): check the model's name."
            ),
            Connection::NetworkFailed => f.write_str(
                "The network failed: nothing answered at that address. Check the URL and that the \
                 server is running.",
            ),
            Connection::NotJson {
                status,
                content_type,
            } => {
                let what = if content_type.contains("html") {
                    "a web page (HTML)"
                } else {
                    "something that is not JSON"
                };
                write!(
                    f,
                    "The server answered {what} ({status}), not an API's JSON: the base URL \
                     probably points at a site, not its API (it usually ends in /v1)."
                )
            }
            Connection::Refused { status, detail } if detail.is_empty() => {
                write!(f, "The server refused the request ({status}).")
            }
            Connection::Refused { status, detail } => {
                write!(f, "The server refused the request ({status}): {detail}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16, content_type: &str, body: &str) -> Probe {
        Probe::Answered {
            status,
            content_type: content_type.into(),
            body: body.into(),
            latency_ms: 42,
        }
    }

    #[test]
    fn every_preset_has_a_base_url_notes_and_is_found_by_its_url() {
        for &preset in Preset::ALL {
            assert!(preset.base_url().ends_with("/v1"), "{preset:?}");
            assert!(!preset.browser_note().is_empty() && !preset.key_note().is_empty());
            assert_eq!(Preset::for_url(preset.base_url()), Some(preset));
        }
        assert_eq!(Preset::ALL.len(), 10);
        assert_eq!(
            Preset::for_url("http://127.0.0.1:11434/v1/"),
            Some(Preset::Ollama)
        );
        assert_eq!(Preset::for_url("http://127.0.0.1:4321/v1"), None);
        assert!(Preset::Ollama.browser_note().contains("OLLAMA_ORIGINS"));
    }

    #[test]
    fn a_preset_that_needs_a_key_is_not_tested_without_one() {
        let url = Preset::OpenAi.base_url();
        let found = Connection::before_sending(url, "", "gpt-4o-mini");
        assert_eq!(
            found,
            Some(Connection::NoKey {
                preset: Preset::OpenAi
            })
        );
        assert!(found
            .expect("a reason")
            .to_string()
            .contains("needs an API key"));
        assert_eq!(Connection::before_sending(url, "sk-1", "gpt-4o-mini"), None);
        assert_eq!(
            Connection::before_sending(Preset::Ollama.base_url(), "", "llama3.2"),
            None
        );
        assert_eq!(
            Connection::before_sending(" ", "", "m"),
            Some(Connection::NoUrl)
        );
        assert_eq!(
            Connection::before_sending(url, "k", ""),
            Some(Connection::NoModel)
        );
    }

    #[test]
    fn each_outcome_is_told_apart() {
        let url = "http://localhost:11434/v1";
        let classify = |probe: Probe| Connection::classify(&probe, url, "m");
        let ok = r#"{"choices":[{"message":{"content":"OK"}}]}"#;
        assert_eq!(
            classify(answered(200, "application/json", ok)),
            Connection::Worked { latency_ms: 42 }
        );
        assert_eq!(
            classify(answered(401, "application/json", "{}")),
            Connection::KeyRefused { status: 401 }
        );
        assert_eq!(
            classify(answered(403, "text/plain", "no")),
            Connection::KeyRefused { status: 403 }
        );
        assert_eq!(
            classify(answered(404, "application/json", r#"{"error":"x"}"#)),
            Connection::ModelUnknown { model: "m".into() }
        );
        let html = classify(answered(200, "text/html", "<!doctype html><html>"));
        assert!(matches!(html, Connection::NotJson { status: 200, .. }));
        assert!(html.to_string().contains("HTML"), "{html}");
        assert!(matches!(
            classify(answered(404, "text/html", "<html>Not found</html>")),
            Connection::NotJson { status: 404, .. }
        ));
        assert_eq!(
            classify(Probe::Failed {
                reachable_without_cors: false
            }),
            Connection::NetworkFailed
        );
        let blocked = classify(Probe::Failed {
            reachable_without_cors: true,
        });
        assert!(blocked.to_string().contains("OLLAMA_ORIGINS"), "{blocked}");
        let refused = classify(answered(
            400,
            "application/json",
            r#"{"error":{"message":"bad"}}"#,
        ));
        assert_eq!(
            refused.to_string(),
            "The server refused the request (400): bad"
        );
        assert!(Connection::Worked { latency_ms: 7 }
            .to_string()
            .contains("7 ms"));
    }
}
