//! A local OpenAI-compatible server whose latency and faults are chosen per request,
//! so a class can watch real network concurrency without a key and tests can provoke
//! every failure a real provider shows.
//!
//! Behaviour is read from the model name (`mock:latency=300,tokens=20`), from an
//! `x-mock` header with the same syntax, or, for the generic JSON endpoint, from the
//! query string (`/json?latency=300`). Keys:
//!
//! | key | meaning |
//! | --- | --- |
//! | `latency=MS` | time before the first byte |
//! | `jitter=MS` | a random extra of 0..MS added to the latency |
//! | `tokens=N` | how many tokens the answer has |
//! | `tps=N` | tokens per second after the first (0: all at once) |
//! | `fail429=N` | the first N requests with this exact behaviour get 429 |
//! | `p429=P` | a share P (0..1) of requests get 429 |
//! | `retry_after=S` | the `Retry-After` seconds sent with a 429 (default 1) |
//! | `retry_date` | send that `Retry-After` as an HTTP date S seconds from now |
//! | `fail500=N` / `p500=P` | the same for 500 |
//!
//! Random faults (`p429`, `p500`) are drawn from the behaviour and the request's rank
//! among requests with that behaviour ([`draw`]), so they repeat from run to run.
//! | `stall` | send the headers (and first token when streaming), then nothing |
//! | `cut` | end a stream abruptly half-way, without `[DONE]` |
//! | `size=BYTES` | an answer of this many bytes |
//! | `key=SECRET` | answer 401 unless the request has `Authorization: Bearer SECRET` |
//! | `html` | answer 200 with a web page instead of JSON, as a site or a login wall does |
//! | `echo` | (`/json`) put every request header and query parameter in the answer, as a careless server does with credentials |
//!
//! `/json` passes credential parameters (`api_key`, `token`, `sig`, …) through without
//! reading them as behaviour, so `echo` can show them. Everything under `/nocors/`
//! is served without CORS headers, so a browser page is refused the answer while the
//! server is reachable.
//!
//! `GET /stats` tells how many requests are in flight now and at most, and how many
//! were cancelled by the client, so a browser test can check concurrency server-side.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use futures::stream::{self, Stream};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_http::cors::CorsLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// The models `/v1/models` lists; any name starting with `mock` is served.
pub const MODELS: [&str; 3] = ["mock", "mock:latency=300", "mock:latency=300,tps=50"];

/// What one request asks the mock to do, read from its model name. Each switch is a
/// fault a test turns on by itself (`mock:stall`, `mock:cut`, `mock:html` ...), so they
/// stay independent flags rather than one state.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug, PartialEq)]
pub struct Behaviour {
    pub latency_ms: u64,
    pub jitter_ms: u64,
    pub tokens: Option<usize>,
    pub tps: f64,
    pub fail429: u64,
    pub p429: f64,
    pub retry_after_s: u64,
    /// Send `Retry-After` as an HTTP date `retry_after_s` from now, not as seconds.
    pub retry_after_date: bool,
    pub fail500: u64,
    pub p500: f64,
    pub stall: bool,
    pub cut: bool,
    pub size: Option<usize>,
    pub key: Option<String>,
    pub html: bool,
    pub echo: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            jitter_ms: 0,
            tokens: None,
            tps: 0.0,
            fail429: 0,
            p429: 0.0,
            retry_after_s: 1,
            fail500: 0,
            p500: 0.0,
            stall: false,
            cut: false,
            size: None,
            key: None,
            retry_after_date: false,
            html: false,
            echo: false,
        }
    }
}

impl Behaviour {
    /// Reads `key=value` pairs separated by `,` or `&`; unknown keys are an error
    /// so that a typo does not silently give a fast, faultless server.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut b = Self::default();
        for pair in spec
            .split([',', '&'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let number = || {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| format!("mock: `{key}` needs a number, got `{value}`"))
            };
            match key {
                "latency" => b.latency_ms = number()? as u64,
                "jitter" => b.jitter_ms = number()? as u64,
                "tokens" => b.tokens = Some(number()? as usize),
                "tps" => b.tps = number()?,
                "fail429" => b.fail429 = number()? as u64,
                "p429" => b.p429 = number()?,
                "retry_after" => b.retry_after_s = number()? as u64,
                "retry_date" => b.retry_after_date = true,
                "fail500" => b.fail500 = number()? as u64,
                "p500" => b.p500 = number()?,
                "stall" => b.stall = true,
                "cut" => b.cut = true,
                "size" => b.size = Some(number()? as usize),
                "key" => b.key = Some(value.to_string()),
                "html" => b.html = true,
                "echo" => b.echo = true,
                _ => return Err(format!("mock: unknown setting `{key}`")),
            }
        }
        Ok(b)
    }
}

/// Counters for `/stats`.
#[derive(Default)]
struct Counters {
    requests: u64,
    in_flight: u64,
    peak_in_flight: u64,
    completed: u64,
    cancelled: u64,
    rate_limited: u64,
    server_errors: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub requests: u64,
    pub in_flight: u64,
    pub peak_in_flight: u64,
    pub completed: u64,
    pub cancelled: u64,
    /// Requests answered 429 on purpose.
    pub rate_limited: u64,
    /// Requests answered 500 on purpose.
    pub server_errors: u64,
}

#[derive(Clone, Default)]
pub struct Server {
    counters: Arc<Mutex<Counters>>,
    /// Requests seen per behaviour spec, for `fail429=N` / `fail500=N`.
    seen: Arc<Mutex<HashMap<String, u64>>>,
    random: Arc<AtomicU64>,
}

/// Held while a request is being answered. Dropped before `finish` means the
/// client went away (hyper drops the handler or the body stream).
struct InFlight {
    counters: Arc<Mutex<Counters>>,
    finished: bool,
}

impl InFlight {
    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut c = lock(&self.counters);
        c.in_flight -= 1;
        if self.finished {
            c.completed += 1;
        } else {
            c.cancelled += 1;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while counting cannot leave the counters inconsistent enough to matter.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Server {
    fn begin(&self) -> InFlight {
        let mut c = lock(&self.counters);
        c.requests += 1;
        c.in_flight += 1;
        c.peak_in_flight = c.peak_in_flight.max(c.in_flight);
        InFlight {
            counters: Arc::clone(&self.counters),
            finished: false,
        }
    }

    pub fn stats(&self) -> Stats {
        let c = lock(&self.counters);
        Stats {
            requests: c.requests,
            in_flight: c.in_flight,
            peak_in_flight: c.peak_in_flight,
            completed: c.completed,
            cancelled: c.cancelled,
            rate_limited: c.rate_limited,
            server_errors: c.server_errors,
        }
    }

    fn reset(&self) {
        let mut c = lock(&self.counters);
        let in_flight = c.in_flight;
        *c = Counters {
            in_flight,
            peak_in_flight: in_flight,
            ..Counters::default()
        };
        lock(&self.seen).clear();
    }

    /// A uniform sample in [0, 1) from a splitmix64 sequence: good enough for
    /// fault shares, and no dependency.
    fn sample(&self) -> f64 {
        let mut z = self
            .random
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault this request meets, if any, before any latency.
    fn fault(&self, spec: &str, b: &Behaviour) -> Option<Response> {
        let nth = {
            let mut seen = lock(&self.seen);
            let n = seen.entry(spec.to_string()).or_insert(0);
            *n += 1;
            *n
        };
        if nth <= b.fail429 || draw(spec, nth, "429") < b.p429 {
            lock(&self.counters).rate_limited += 1;
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                "Rate limit reached (mock).",
            );
            let wait = Duration::from_secs(b.retry_after_s);
            let retry_after = if b.retry_after_date {
                httpdate::fmt_http_date(std::time::SystemTime::now() + wait)
            } else {
                wait.as_secs().to_string()
            };
            response.headers_mut().insert(
                "retry-after",
                HeaderValue::from_str(&retry_after).unwrap_or(HeaderValue::from_static("1")),
            );
            return Some(response);
        }
        if nth <= b.fail429 + b.fail500 || draw(spec, nth, "500") < b.p500 {
            lock(&self.counters).server_errors += 1;
            return Some(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "The mock server failed on purpose.",
            ));
        }
        None
    }

    fn latency(&self, b: &Behaviour) -> Duration {
        let jitter = (self.sample() * b.jitter_ms as f64) as u64;
        Duration::from_millis(b.latency_ms + jitter)
    }
}

/// A uniform draw in [0, 1) fixed by the behaviour, the request's rank among requests
/// with that behaviour, and the fault: random faults repeat from run to run (after a
/// restart or `/stats/reset`), so a demo or a test meets the same ones every time.
pub fn draw(spec: &str, nth: u64, fault: &str) -> f64 {
    // FNV-1a over the inputs, then the splitmix64 finaliser.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in spec.bytes().chain(nth.to_le_bytes()).chain(fault.bytes()) {
        h = (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "message": message, "type": code, "code": code } });
    (status, Json(body)).into_response()
}

/// The whole server: routes, CORS and shared counters.
pub fn router(server: Server) -> Router {
    // Served with no CORS layer: browsers refuse pages these answers.
    let without_cors = Router::new()
        .route("/nocors/v1/models", get(models))
        .route("/nocors/v1/chat/completions", post(chat));
    Router::new()
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat))
        .route("/json", any(json_endpoint))
        .route("/stats", get(stats))
        .route("/stats/reset", post(reset))
        .layer(
            // Any origin, any header: the page is served from another port. Exposing
            // headers lets the page read Retry-After.
            CorsLayer::permissive(),
        )
        .layer(
            // Lets the page read each request's Resource Timing, which shows how long
            // a request waited inside the browser for one of its six connections.
            SetResponseHeaderLayer::if_not_present(
                HeaderName::from_static("timing-allow-origin"),
                HeaderValue::from_static("*"),
            ),
        )
        .merge(without_cors)
        .with_state(server)
}

async fn models() -> Json<Value> {
    let data: Vec<Value> = MODELS
        .iter()
        .map(|id| json!({ "id": id, "object": "model", "owned_by": "mock-llm" }))
        .collect();
    Json(json!({ "object": "list", "data": data }))
}

async fn stats(State(server): State<Server>) -> Json<Stats> {
    Json(server.stats())
}

async fn reset(State(server): State<Server>) -> Json<Stats> {
    server.reset();
    Json(server.stats())
}

#[derive(Deserialize)]
struct ChatRequest {
    model: String,
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    stream: bool,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Value,
}

async fn chat(State(server): State<Server>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<ChatRequest>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "The body is not a chat completions request.",
        );
    };
    let Some(model_spec) = request.model.strip_prefix("mock") else {
        return error(
            StatusCode::NOT_FOUND,
            "model_not_found",
            &format!("The model `{}` does not exist.", request.model),
        );
    };
    let header_spec = headers
        .get("x-mock")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let spec = format!("{},{header_spec}", model_spec.trim_start_matches(':'));
    let behaviour = match Behaviour::parse(&spec) {
        Ok(b) => b,
        Err(message) => return error(StatusCode::BAD_REQUEST, "invalid_request_error", &message),
    };
    if let Some(key) = &behaviour.key {
        let given = headers.get("authorization").and_then(|v| v.to_str().ok());
        if given != Some(format!("Bearer {key}").as_str()) {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "Incorrect API key provided.",
            );
        }
    }
    if behaviour.html {
        return (
            StatusCode::OK,
            [("content-type", "text/html; charset=utf-8")],
            "<!doctype html><html><body><h1>Welcome</h1><p>Please sign in.</p></body></html>",
        )
            .into_response();
    }
    let mut in_flight = server.begin();
    if let Some(fault) = server.fault(&spec, &behaviour) {
        in_flight.finish();
        return fault;
    }
    let prompt = request
        .messages
        .last()
        .map(|m| match &m.content {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let tokens = answer_tokens(&request.model, &prompt, &behaviour);
    let latency = server.latency(&behaviour);
    if request.stream {
        return stream_answer(in_flight, request.model, tokens, latency, &behaviour);
    }
    tokio::time::sleep(latency + token_time(&behaviour, tokens.len())).await;
    if behaviour.stall {
        futures::future::pending::<()>().await;
    }
    in_flight.finish();
    let content: String = tokens.concat();
    Json(json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "model": request.model,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content },
            "finish_reason": "stop"
        }],
        "usage": { "completion_tokens": tokens.len() }
    }))
    .into_response()
}

/// The answer, one token per element (each with its trailing space).
fn answer_tokens(model: &str, prompt: &str, b: &Behaviour) -> Vec<String> {
    if let Some(size) = b.size {
        return vec!["x".repeat(size)];
    }
    let snippet: String = prompt.chars().take(80).collect();
    let base = format!("Mock answer from {model} to: {snippet}");
    let words: Vec<&str> = base.split_whitespace().collect();
    let count = b.tokens.unwrap_or(words.len()).max(1);
    words
        .iter()
        .chain(std::iter::repeat(&"more"))
        .take(count)
        .map(|w| format!("{w} "))
        .collect()
}

/// Time to produce the tokens after the first.
fn token_time(b: &Behaviour, tokens: usize) -> Duration {
    if b.tps > 0.0 {
        Duration::from_secs_f64(tokens.saturating_sub(1) as f64 / b.tps)
    } else {
        Duration::ZERO
    }
}

fn sse_chunk(model: &str, token: &str) -> Bytes {
    let chunk = json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion.chunk",
        "model": model,
        "choices": [{ "index": 0, "delta": { "content": token }, "finish_reason": null }]
    });
    Bytes::from(format!("data: {chunk}\n\n"))
}

fn stream_answer(
    in_flight: InFlight,
    model: String,
    tokens: Vec<String>,
    latency: Duration,
    b: &Behaviour,
) -> Response {
    let gap = if b.tps > 0.0 {
        Duration::from_secs_f64(1.0 / b.tps)
    } else {
        Duration::ZERO
    };
    let cut_after = if b.cut {
        (tokens.len() / 2).max(1)
    } else {
        usize::MAX
    };
    let body = token_stream(in_flight, model, tokens, latency, gap, cut_after, b.stall);
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(body))
        .unwrap_or_else(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "stream"))
}

/// Events of a streamed answer; the in-flight guard lives inside, so a client that
/// hangs up mid-stream is counted as cancelled.
fn token_stream(
    in_flight: InFlight,
    model: String,
    tokens: Vec<String>,
    latency: Duration,
    gap: Duration,
    cut_after: usize,
    stall: bool,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    struct S {
        in_flight: InFlight,
        model: String,
        tokens: std::vec::IntoIter<String>,
        sent: usize,
        done: bool,
    }
    let start = S {
        in_flight,
        model,
        tokens: tokens.into_iter(),
        sent: 0,
        done: false,
    };
    stream::unfold(start, move |mut s| async move {
        if s.done {
            return None;
        }
        tokio::time::sleep(if s.sent == 0 { latency } else { gap }).await;
        if s.sent == 1 && stall {
            futures::future::pending::<()>().await;
        }
        if s.sent == cut_after {
            // Dropping the connection without a last chunk is what a crashed or
            // overloaded upstream looks like to a client.
            s.in_flight.finish();
            s.done = true;
            return Some((Err(std::io::Error::other("stream cut (mock)")), s));
        }
        let item = match s.tokens.next() {
            Some(token) => sse_chunk(&s.model, &token),
            None => {
                s.in_flight.finish();
                s.done = true;
                Bytes::from_static(b"data: [DONE]\n\n")
            }
        };
        s.sent += 1;
        Some((Ok(item), s))
    })
}

/// Query parameters that carry credentials: passed through, never read as behaviour.
const CREDENTIAL_PARAMS: [&str; 9] = [
    "api_key",
    "apikey",
    "token",
    "access_token",
    "secret",
    "sig",
    "signature",
    "password",
    "auth",
];

/// A generic JSON API for HTTP steps: echoes what it got, after the behaviour asked
/// for in the query string.
async fn json_endpoint(
    State(server): State<Server>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let spec: String = query
        .iter()
        .filter(|(k, _)| k.as_str() != "q" && !CREDENTIAL_PARAMS.contains(&k.as_str()))
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    let behaviour = match Behaviour::parse(&spec) {
        Ok(b) => b,
        Err(message) => return error(StatusCode::BAD_REQUEST, "invalid_request_error", &message),
    };
    let mut in_flight = server.begin();
    if let Some(fault) = server.fault(&spec, &behaviour) {
        in_flight.finish();
        return fault;
    }
    tokio::time::sleep(server.latency(&behaviour)).await;
    if behaviour.stall {
        futures::future::pending::<()>().await;
    }
    in_flight.finish();
    let text = String::from_utf8_lossy(&body).into_owned();
    let parsed = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
    let q = query.get("q").cloned().unwrap_or_default();
    let answer = match behaviour.size {
        Some(size) => "x".repeat(size),
        None => format!("Result for {q}"),
    };
    let mut answer = json!({
        "method": method.as_str(),
        "query": q,
        "body": parsed,
        "data": { "answer": answer }
    });
    if behaviour.echo {
        let echoed: HashMap<&str, &str> = headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect();
        answer["headers"] = json!(echoed);
        answer["params"] = json!(query);
        if let Some(auth) = echoed.get("authorization") {
            // Echoed inside the text that flows on, too.
            answer["data"]["answer"] = json!(format!("Result for {q}, asked with {auth}"));
        }
    }
    Json(answer).into_response()
}

/// Serves on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, server: Server) -> std::io::Result<()> {
    // Without TCP_NODELAY, Nagle's algorithm holds each small streamed event until the
    // client's delayed ACK (about 40 ms): every answer would take that long.
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        // A socket that refuses the option still serves, only slower.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router(server)).await
}
