//! Why a step failed, in words a user understands, and which failures are worth
//! another attempt. The network runner maps HTTP statuses and fetch failures here;
//! the scheduler asks only `retryable` and `retry_after_ms`.
//!
//! Messages never carry a secret: text that comes from a server goes through
//! [`redact`] before it is kept.

use crate::model::{Millis, StepId};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum StepError {
    /// 429: the provider wants fewer requests; `Retry-After` if it said when.
    RateLimited {
        retry_after_ms: Option<Millis>,
    },
    /// 5xx: the server failed; trying again may work.
    ServerError {
        status: u16,
    },
    /// `fetch` itself failed: offline, refused, or blocked by CORS (the browser does
    /// not tell a page which).
    Network,
    /// 401 / 403.
    KeyRejected {
        status: u16,
    },
    /// 404 from a model endpoint.
    ModelNotFound {
        model: String,
    },
    /// Any other status the request cannot recover from.
    Refused {
        status: u16,
        detail: String,
    },
    TimedOut {
        after_ms: Millis,
    },
    TooLarge {
        limit_bytes: usize,
    },
    /// A streamed answer broke off before its end.
    CutOff,
    /// The answer arrived but is not what the step expects.
    BadAnswer {
        detail: String,
    },
    /// The person pressed Cancel.
    Cancelled,
    /// The run fails fast and this other step failed.
    Halted {
        failed: StepId,
    },
    /// Anything else, already in user words.
    Other(String),
}

impl StepError {
    /// Failures that may pass if the same request is sent again.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            StepError::RateLimited { .. }
                | StepError::ServerError { .. }
                | StepError::Network
                | StepError::CutOff
        )
    }

    pub fn retry_after_ms(&self) -> Option<Millis> {
        match self {
            StepError::RateLimited { retry_after_ms } => *retry_after_ms,
            _ => None,
        }
    }

    /// Maps an HTTP status that is not a success. `detail` is the server's own message
    /// (already redacted), `retry_after_ms` the `Retry-After` header as a wait (see
    /// [`parse_retry_after`]), `model` the model asked for when the request went to a
    /// model endpoint.
    pub fn from_status(
        status: u16,
        detail: &str,
        retry_after_ms: Option<Millis>,
        model: Option<&str>,
    ) -> Self {
        match status {
            429 => StepError::RateLimited { retry_after_ms },
            401 | 403 => StepError::KeyRejected { status },
            404 if model.is_some() => StepError::ModelNotFound {
                model: model.unwrap_or_default().to_string(),
            },
            500..=599 => StepError::ServerError { status },
            _ => StepError::Refused {
                status,
                detail: detail.chars().take(200).collect(),
            },
        }
    }
}

/// `Retry-After` as a wait: either seconds (`"2"`, `"0.5"`), or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), which `date_ms` turns into milliseconds since
/// the Unix epoch (in the browser, `Date.parse`) and which counts from `now_ms`, the
/// wall clock on the same scale. A date already past means no wait; anything else
/// unreadable is treated as absent, and the back-off applies.
pub fn parse_retry_after(
    value: &str,
    now_ms: f64,
    date_ms: impl Fn(&str) -> Option<f64>,
) -> Option<Millis> {
    let value = value.trim();
    let wait_ms = match crate::number::parse_f64(value) {
        Some(seconds) => seconds * 1000.0,
        None => (date_ms(value)? - now_ms).max(0.0),
    };
    (wait_ms.is_finite() && wait_ms >= 0.0).then(|| wait_ms.round() as Millis)
}

impl From<&str> for StepError {
    fn from(message: &str) -> Self {
        StepError::Other(message.to_string())
    }
}

impl From<String> for StepError {
    fn from(message: String) -> Self {
        StepError::Other(message)
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::RateLimited {
                retry_after_ms: Some(ms),
            } => write!(
                f,
                "Rate-limited (429): the provider asked to wait {}.",
                seconds(*ms)
            ),
            StepError::RateLimited {
                retry_after_ms: None,
            } => f.write_str(
                "Rate-limited (429): too many requests. Lower the concurrency limit or wait.",
            ),
            StepError::ServerError { status } => write!(
                f,
                "The server failed ({status}). It may work if you run again."
            ),
            StepError::Network => f.write_str(
                "The request did not reach the server: it is down or unreachable, or it refused \
                 this page by CORS (the server must send Access-Control-Allow-Origin).",
            ),
            StepError::KeyRejected { status } => write!(
                f,
                "Key rejected ({status}): check the provider's API key in Settings."
            ),
            StepError::ModelNotFound { model } => write!(
                f,
                "Model not found: the provider has no model \"{model}\". Check the model name."
            ),
            StepError::Refused { status, detail } if detail.is_empty() => {
                write!(f, "The server refused the request ({status}).")
            }
            StepError::Refused { status, detail } => {
                write!(f, "The server refused the request ({status}): {detail}")
            }
            StepError::TimedOut { after_ms } => write!(
                f,
                "Time-out after {}: no complete answer. Raise the time-out or check the server.",
                seconds(*after_ms)
            ),
            StepError::TooLarge { limit_bytes } => write!(
                f,
                "Response too large: more than {} KB, so it was cut off and dropped.",
                limit_bytes / 1024
            ),
            StepError::CutOff => f.write_str(
                "The streamed answer broke off before its end (the connection closed early).",
            ),
            StepError::BadAnswer { detail } => write!(f, "Unexpected answer: {detail}"),
            StepError::Cancelled => f.write_str("Cancel was pressed."),
            StepError::Halted { failed } => write!(
                f,
                "Stopped because step \"{failed}\" failed and this run fails fast."
            ),
            StepError::Other(message) => f.write_str(message),
        }
    }
}

fn seconds(ms: Millis) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// Replaces every secret in `text` with a mask, so a server that echoes a key
/// ("Incorrect API key provided: sk-...") cannot leak it into a trace.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, "••••");
        // Servers often echo a key shortened to its first characters.
        let prefix: String = secret.chars().take(12).collect();
        if prefix.len() >= 8 {
            out = out.replace(&prefix, "••••");
        }
    }
    out
}

/// The note a step gets when it ran without some of its inputs (carry-on policy).
pub fn missing_inputs_note(missing: &[StepId]) -> String {
    let names: Vec<&str> = missing.iter().map(StepId::as_str).collect();
    format!("[made without {}: failed]", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_user_words() {
        let e = StepError::from_status(429, "", Some(2_000), Some("m"));
        assert_eq!(e.retry_after_ms(), Some(2000));
        assert!(e.to_string().contains("Rate-limited"));
        assert!(e.retryable());
        let e = StepError::from_status(401, "", None, Some("m"));
        assert!(e.to_string().starts_with("Key rejected"));
        assert!(!e.retryable());
        let e = StepError::from_status(404, "", None, Some("gpt-9"));
        assert!(e.to_string().contains("Model not found"), "{e}");
        assert!(StepError::from_status(503, "", None, None).retryable());
        assert_eq!(
            StepError::TimedOut { after_ms: 2500 }.to_string(),
            "Time-out after 2.5 s: no complete answer. Raise the time-out or check the server."
        );
        assert!(StepError::Network.to_string().contains("CORS"));
        assert!(StepError::TooLarge {
            limit_bytes: 1 << 20
        }
        .to_string()
        .contains("too large"));
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        const DATE: &str = "Wed, 21 Oct 2015 07:28:00 GMT";
        // 2015-10-21T07:28:00Z in Unix milliseconds.
        let date_ms = |text: &str| (text == DATE).then_some(1_445_412_480_000.0);
        let now = 1_445_412_477_500.0;
        assert_eq!(parse_retry_after(" 0.5 ", now, date_ms), Some(500));
        assert_eq!(parse_retry_after(DATE, now, date_ms), Some(2_500));
        assert_eq!(parse_retry_after(DATE, now + 10_000.0, date_ms), Some(0));
        assert_eq!(parse_retry_after("soon", now, date_ms), None);
        assert_eq!(parse_retry_after("-1", now, date_ms), None);
    }

    #[test]
    fn redaction_removes_keys_and_their_prefixes() {
        let key = "sk-test-0123456789abcdef";
        let echoed = format!("Incorrect API key provided: {key}. Also sk-test-0123***");
        let clean = redact(&echoed, &[key]);
        assert!(!clean.contains("0123456789"), "{clean}");
        assert!(!clean.contains("sk-test-0123"), "{clean}");
        let e = StepError::from_status(400, &clean, None, None);
        assert!(!e.to_string().contains(key));
    }
}
