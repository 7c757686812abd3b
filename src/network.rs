//! How a step talks to the network: a [`StepRunner`] whose LLM and HTTP steps are
//! real browser `fetch`es (streamed when the server streams), each aborted through
//! its `AbortController` when the scheduler drops it (time-out, cancel, fail fast),
//! and the providers and keys a person set. How a live race runs (one mode after
//! another, projections, notes) is the core's race session.
//!
//! Keys live only in this module's storage and in request headers: errors and
//! outputs pass through `redact` (with an HTTP step's credentials too, which the
//! core's `io::secrets` names), and nothing here writes a key anywhere else.

use crate::clock::BrowserClock;
use chainlab_core::io::secrets;
use chainlab_core::race::resource_timing::{all_delivered, mark_sent, SentRequest, TimingEntry};
use chainlab_core::race::rounds::{clamp_rounds, DEFAULT_ROUNDS};
use chainlab_core::race::session::{Connections, LaneRunner, SessionOptions, Venue};
use chainlab_core::steps::errors::{parse_retry_after, redact, StepError};
use chainlab_core::steps::providers::{probe_body, Connection, Preset, Probe};
use chainlab_core::steps::wire::{self, SseReader, DEFAULT_SIZE_CAP};
use chainlab_core::{
    Cancel, Choice, Clock, Mode, OnFailure, Policy, RetryPolicy, SimulatedRunner, StepId, StepKind,
    StepRequest, StepResult, StepRunner, Time, Trace,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where storage keeps the providers (sessionStorage, or localStorage when the
/// person asks to be remembered).
const STORAGE_KEY: &str = "chainlab.providers";

/// An OpenAI-compatible endpoint that LLM steps name by `provider`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    pub name: String,
    /// Such as `https://api.openai.com/v1` or `http://127.0.0.1:4321/v1`.
    pub base_url: String,
    pub key: String,
    /// At most this many of this provider's steps at once.
    #[serde(default)]
    pub limit: Option<usize>,
    /// The model "Test connection" asks for and "use for all LLM steps" sets.
    #[serde(default)]
    pub model: String,
}

impl Provider {
    /// The mock server of this repository (`cargo run -p mock-llm`), so a class can
    /// run live with no key.
    pub fn mock() -> Self {
        Self {
            name: "mock".into(),
            base_url: "http://127.0.0.1:4321/v1".into(),
            key: String::new(),
            limit: None,
            model: "mock".into(),
        }
    }

    /// A provider filled from a preset, named as the preset is.
    pub fn from_preset(preset: Preset) -> Self {
        Self {
            name: preset.key().into(),
            base_url: preset.base_url().into(),
            key: String::new(),
            limit: None,
            model: preset.example_model().into(),
        }
    }
}

/// A key as the page shows it: never more than its last four characters.
pub fn masked(key: &str) -> String {
    match key.chars().count() {
        0 => "no key".into(),
        n if n <= 8 => "••••".into(),
        n => format!("••••{}", key.chars().skip(n - 4).collect::<String>()),
    }
}

/// The page's network settings, and the switch of the run in flight.
#[derive(Clone, Copy)]
pub struct NetworkState {
    /// Live: LLM and HTTP steps call their endpoints. Otherwise the simulator runs.
    pub live: RwSignal<bool>,
    pub providers: RwSignal<Vec<Provider>>,
    /// Keep providers and keys in localStorage instead of this tab's sessionStorage.
    pub remember: RwSignal<bool>,
    /// At most this many steps at once in each run.
    pub limit: RwSignal<Option<usize>>,
    pub timeout_s: RwSignal<Option<u32>>,
    pub retries: RwSignal<bool>,
    pub on_failure: RwSignal<OnFailure>,
    /// Show the sequential lane of a live race from measured times instead of
    /// calling every endpoint again one at a time.
    pub project_sequential: RwSignal<bool>,
    /// Set when a live run sent more requests to one origin than the browser has
    /// connections for.
    pub connection_note: RwSignal<Option<String>>,
    /// How many rounds a live race runs, each mode once per round.
    pub rounds: RwSignal<usize>,
    /// One line per lane of the last live race: attempts, retries, failures.
    pub summary: RwSignal<Vec<String>>,
    /// Streamed answers of the live run, growing as tokens arrive: the list changes
    /// when a step starts streaming, each text on its own as its tokens come.
    pub streaming: RwSignal<Vec<(StepId, ArcRwSignal<String>)>>,
    cancel: StoredValue<Option<Cancel>, LocalStorage>,
}

impl NetworkState {
    pub fn new() -> Self {
        let (providers, remember) = load_providers();
        Self {
            live: RwSignal::new(false),
            providers: RwSignal::new(providers),
            remember: RwSignal::new(remember),
            limit: RwSignal::new(None),
            timeout_s: RwSignal::new(Some(60)),
            retries: RwSignal::new(true),
            on_failure: RwSignal::new(OnFailure::SkipDependents),
            project_sequential: RwSignal::new(true),
            connection_note: RwSignal::new(None),
            summary: RwSignal::new(Vec::new()),
            streaming: RwSignal::new(Vec::new()),
            rounds: RwSignal::new(DEFAULT_ROUNDS),
            cancel: StoredValue::new_local(None),
        }
    }

    /// Aborts every request of the run in flight.
    pub fn cancel(&self) {
        if let Some(cancel) = self.cancel.get_value() {
            cancel.cancel();
        }
    }

    /// What the next race session runs, with a fresh Cancel switch; forgets what the
    /// last race reported (notes, summaries, streamed answers).
    pub fn session_options(&self, modes: Vec<Mode>) -> SessionOptions {
        self.connection_note.set(None);
        self.summary.set(Vec::new());
        self.streaming.set(Vec::new());
        let cancel = Cancel::new();
        self.cancel.set_value(Some(cancel.clone()));
        let live = self.live.get_untracked();
        SessionOptions {
            modes,
            limit: self.limit.get_untracked(),
            // The simulator needs no retries or time-outs, only the Cancel button.
            policy: if live {
                self.policy(cancel)
            } else {
                Policy {
                    cancel,
                    ..Policy::default()
                }
            },
            venue: if live {
                Venue::Live {
                    project_sequential: self.project_sequential.get_untracked(),
                    rounds: clamp_rounds(self.rounds.get_untracked()),
                }
            } else {
                Venue::Simulated
            },
        }
    }

    /// Shows the latest text of a streamed answer.
    pub fn show_streamed(&self, step: &StepId, text: &str) {
        let shown = self.streaming.with_untracked(|all| {
            all.iter()
                .find(|(id, _)| id == step)
                .map(|(_, t)| t.clone())
        });
        match shown {
            Some(shown) => shown.set(text.to_string()),
            None => self.streaming.update(|all| {
                all.push((step.clone(), ArcRwSignal::new(text.to_string())));
            }),
        }
    }

    pub fn save(&self) {
        save_providers(
            &self.providers.get_untracked(),
            self.remember.get_untracked(),
        );
    }

    fn policy(&self, cancel: Cancel) -> Policy {
        let providers = self.providers.get_untracked();
        Policy {
            retry: if self.retries.get_untracked() {
                RetryPolicy::STANDARD
            } else {
                RetryPolicy::NONE
            },
            timeout_ms: self.timeout_s.get_untracked().map(|s| u64::from(s) * 1000),
            on_failure: self.on_failure.get_untracked(),
            provider_limits: providers
                .iter()
                .filter_map(|p| Some((p.name.clone(), p.limit?)))
                .collect(),
            cancel,
        }
    }
}

impl Default for NetworkState {
    fn default() -> Self {
        Self::new()
    }
}

fn storage(local: bool) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    let storage = if local {
        window.local_storage()
    } else {
        window.session_storage()
    };
    storage.ok().flatten()
}

fn load_providers() -> (Vec<Provider>, bool) {
    let read = |local| {
        let text = storage(local)?.get_item(STORAGE_KEY).ok().flatten()?;
        // Through `Value`, as chains are read: one copy of serde_json's text reader in the wasm.
        serde_json::from_str::<serde_json::Value>(&text)
            .and_then(serde_json::from_value::<Vec<Provider>>)
            .ok()
    };
    match (read(true), read(false)) {
        (Some(providers), _) => (providers, true),
        (None, Some(providers)) => (providers, false),
        (None, None) => (vec![Provider::mock()], false),
    }
}

fn save_providers(providers: &[Provider], remember: bool) {
    let Ok(json) = serde_json::to_value(providers).map(|value| value.to_string()) else {
        return;
    };
    if let Some(keep) = storage(remember) {
        // Storage may be full or blocked; the settings then last as long as the page.
        let _ = keep.set_item(STORAGE_KEY, &json);
    }
    if let Some(drop) = storage(!remember) {
        let _ = drop.remove_item(STORAGE_KEY);
    }
}

/// Called with a streamed answer's step and its text so far.
type ShowText = dyn Fn(&StepId, &str);

/// Runs LLM and HTTP steps over the network; every other step (and LLM steps on the
/// "simulator" provider) on the simulator.
pub struct LiveRunner {
    clock: BrowserClock,
    sim: SimulatedRunner<BrowserClock>,
    providers: Vec<Provider>,
    size_cap: usize,
    /// Called with a streamed answer's text as it grows.
    on_text: Box<ShowText>,
    /// Requests in flight per origin, to find one with more than the browser opens.
    connections: Connections,
    /// Every request whose answer was read, to pair with the browser's timings.
    sent: RefCell<Vec<SentRequest>>,
}

/// Aborts the request when the attempt is dropped: the scheduler drops attempts that
/// time out or are cancelled, and the request must not outlive them.
struct AbortOnDrop(web_sys::AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl LiveRunner {
    pub fn new(
        clock: BrowserClock,
        providers: Vec<Provider>,
        on_text: impl Fn(&StepId, &str) + 'static,
    ) -> Self {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            // Room for every request of a big race; the default keeps only 250 entries.
            performance.clear_resource_timings();
            performance.set_resource_timing_buffer_size(10_000);
        }
        Self {
            sim: SimulatedRunner {
                clock: clock.clone(),
            },
            clock,
            providers,
            size_cap: DEFAULT_SIZE_CAP,
            on_text: Box::new(on_text),
            connections: Connections::default(),
            sent: RefCell::new(Vec::new()),
        }
    }

    /// Marks on `trace` how long each request waited inside the browser for a
    /// connection, from the browser's Resource Timing entries; returns how many
    /// requests it could see (servers must send `Timing-Allow-Origin`).
    async fn mark_browser_waits(&self, trace: &mut Trace) -> usize {
        let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
            return 0;
        };
        let requests = self.sent.take();
        let mut entries = Vec::new();
        // The browser adds an entry once the response has ended, in a task of its own,
        // which a busy machine may run late: wait a little for the missing ones.
        for wait_ms in [0, 10, 20, 40, 80] {
            gloo_timers::future::TimeoutFuture::new(wait_ms).await;
            entries = resource_timings(&performance);
            if all_delivered(&requests, &entries) {
                break;
            }
        }
        mark_sent(trace, &requests, &entries)
    }

    async fn chat(
        &self,
        llm: &chainlab_core::model::LlmStep,
        request: &StepRequest<'_>,
    ) -> StepResult {
        let Some(provider) = self.providers.iter().find(|p| p.name == llm.provider) else {
            return failed(StepError::Other(format!(
                "No provider \"{}\" in Settings: add its base URL and key there, or run Simulated.",
                llm.provider
            )));
        };
        if provider.base_url.trim().is_empty() {
            return failed(StepError::Other(format!(
                "Provider \"{}\" has no base URL: set it in Settings.",
                provider.name
            )));
        }
        if let Some(reason @ Connection::NoKey { .. }) =
            Connection::before_sending(&provider.base_url, &provider.key, &llm.model)
        {
            return failed(StepError::Other(format!(
                "Provider \"{}\": {reason}",
                provider.name
            )));
        }
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        if !provider.key.is_empty() {
            headers.push(("Authorization".into(), format!("Bearer {}", provider.key)));
        }
        let body = wire::chat_request(llm, &request.inputs, true);
        let url = wire::chat_url(&provider.base_url);
        let secrets = [provider.key.as_str()];
        let exchange = Exchange {
            method: "POST",
            url: &url,
            headers: &headers,
            body: Some(&body),
            secrets: &secrets,
            step: &request.step.id,
            attempt: request.attempt,
            model: Some(&llm.model),
        };
        let mut first_byte = None;
        let result = self.exchange(&exchange, &mut first_byte).await;
        let output = result.and_then(|(body, streamed)| match streamed {
            Some(reader) => reader.finish(),
            None => wire::chat_answer(&body),
        });
        StepResult {
            output: output.map(|text| redact(&text, &secrets)),
            first_byte,
        }
    }

    async fn http(
        &self,
        http: &chainlab_core::model::HttpStep,
        request: &StepRequest<'_>,
    ) -> StepResult {
        if let Some(name) = secrets::missing_header(http) {
            return failed(StepError::Other(format!(
                "The {name} header of step \"{}\" has no value on this device: credentials \
                 never travel in links or files. Type it in the step's headers.",
                request.step.id
            )));
        }
        let credentials = secrets::of_step(&request.step.id, http).masked_texts();
        let credentials: Vec<&str> = credentials.iter().map(String::as_str).collect();
        let built = wire::http_request(http, &request.inputs);
        let exchange = Exchange {
            method: &built.method,
            url: &built.url,
            headers: &built.headers,
            body: built.body.as_deref(),
            secrets: &credentials,
            step: &request.step.id,
            attempt: request.attempt,
            model: None,
        };
        let mut first_byte = None;
        let result = self.exchange(&exchange, &mut first_byte).await;
        StepResult {
            output: result
                .and_then(|(body, _)| wire::http_output(http, &body))
                .map(|text| redact(&text, &credentials)),
            first_byte,
        }
    }

    /// Sends one request and reads its answer: server-sent events through an
    /// [`SseReader`] as they arrive, anything else as text. Both stop at the size cap.
    async fn exchange(
        &self,
        exchange: &Exchange<'_>,
        first_byte: &mut Option<Time>,
    ) -> Result<(String, Option<SseReader>), StepError> {
        let controller = web_sys::AbortController::new().map_err(|_| StepError::Network)?;
        let _abort = AbortOnDrop(controller.clone());
        let _counted = self.connections.enter(exchange.url);
        let init = web_sys::RequestInit::new();
        init.set_method(exchange.method);
        init.set_mode(web_sys::RequestMode::Cors);
        init.set_signal(Some(&controller.signal()));
        let headers = web_sys::Headers::new().map_err(|_| StepError::Network)?;
        for (name, value) in exchange.headers {
            headers.set(name, value).map_err(|_| {
                StepError::Other(format!(
                    "The header \"{name}\" is not allowed in a request."
                ))
            })?;
        }
        init.set_headers(&headers);
        if let Some(body) = exchange.body {
            init.set_body(&JsValue::from_str(body));
        }
        let request =
            web_sys::Request::new_with_str_and_init(exchange.url, &init).map_err(|_| {
                StepError::Other(format!(
                    "\"{}\" is not a URL the browser can fetch.",
                    redact(&secrets::redact_url(exchange.url), exchange.secrets)
                ))
            })?;
        let window = web_sys::window().ok_or(StepError::Network)?;
        let fetched = self.clock.now();
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| StepError::Network)?
            .unchecked_into();
        let retry_after_ms = response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|value| {
                parse_retry_after(&value, js_sys::Date::now(), |date| {
                    Some(js_sys::Date::parse(date)).filter(|ms| ms.is_finite())
                })
            });
        let streamed = response
            .headers()
            .get("content-type")
            .ok()
            .flatten()
            .is_some_and(|t| t.contains("text/event-stream"));
        if !response.ok() {
            let body = self
                .read(&response, first_byte, |_| Ok(()))
                .await
                .unwrap_or_default();
            self.note_sent(exchange, &request, fetched);
            let detail = redact(&wire::error_detail(&body), exchange.secrets);
            return Err(StepError::from_status(
                response.status(),
                &detail,
                retry_after_ms,
                exchange.model,
            ));
        }
        let answer = if streamed {
            let mut reader = SseReader::new();
            self.read(&response, first_byte, |chunk| {
                if reader.feed(chunk)? {
                    (self.on_text)(exchange.step, &redact(reader.text(), exchange.secrets));
                }
                Ok(())
            })
            .await?;
            (String::new(), Some(reader))
        } else {
            (self.read(&response, first_byte, |_| Ok(())).await?, None)
        };
        self.note_sent(exchange, &request, fetched);
        Ok(answer)
    }

    /// Records a request whose answer has been read, for `mark_browser_waits`.
    fn note_sent(&self, exchange: &Exchange<'_>, request: &web_sys::Request, fetched: Time) {
        self.sent.borrow_mut().push(SentRequest {
            step: exchange.step.clone(),
            attempt: exchange.attempt,
            url: request.url(),
            fetched,
            read: self.clock.now(),
        });
    }

    /// Reads the body chunk by chunk, handing each to `each`, and returns it as text.
    async fn read(
        &self,
        response: &web_sys::Response,
        first_byte: &mut Option<Time>,
        mut each: impl FnMut(&[u8]) -> Result<(), StepError>,
    ) -> Result<String, StepError> {
        let Some(body) = response.body() else {
            return Ok(String::new());
        };
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        let mut bytes = Vec::new();
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|_| StepError::CutOff)?;
            let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if done {
                break;
            }
            let value = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
                .map_err(|_| StepError::CutOff)?;
            let part = js_sys::Uint8Array::new(&value).to_vec();
            first_byte.get_or_insert_with(|| self.clock.now());
            if bytes.len() + part.len() > self.size_cap {
                // Stop the download too, not only the reading.
                let _ = reader.cancel();
                return Err(StepError::TooLarge {
                    limit_bytes: self.size_cap,
                });
            }
            each(&part)?;
            bytes.extend_from_slice(&part);
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// One request as `exchange` sends it.
struct Exchange<'a> {
    method: &'a str,
    url: &'a str,
    headers: &'a [(String, String)],
    body: Option<&'a str>,
    /// Texts that must not appear in an error or an output.
    secrets: &'a [&'a str],
    /// The model asked for, when the request goes to a model endpoint.
    model: Option<&'a str>,
    step: &'a StepId,
    attempt: u32,
}

/// The browser's Resource Timing entries so far.
fn resource_timings(performance: &web_sys::Performance) -> Vec<TimingEntry> {
    performance
        .get_entries_by_type("resource")
        .iter()
        .filter_map(|e| e.dyn_into::<web_sys::PerformanceResourceTiming>().ok())
        .map(|e| TimingEntry {
            url: e.name(),
            start: e.start_time(),
            request_start: e.request_start(),
            response_end: e.response_end(),
        })
        .collect()
}

fn failed(error: StepError) -> StepResult {
    StepResult {
        output: Err(error),
        first_byte: None,
    }
}

impl StepRunner for LiveRunner {
    async fn run(&self, request: StepRequest<'_>) -> StepResult {
        let step = request.step;
        match &step.kind {
            StepKind::Llm(llm) if llm.provider != "simulator" => self.chat(llm, &request).await,
            StepKind::Http(http) => self.http(http, &request).await,
            _ => self.sim.run(request).await,
        }
    }
}

impl LaneRunner for LiveRunner {
    async fn settle(&self, trace: &mut Trace) -> usize {
        self.mark_browser_waits(trace).await
    }

    fn crowded_origin(&self) -> Option<(String, usize)> {
        self.connections.crowded()
    }
}

/// "Test connection": one tiny chat request to `provider` (one token, not
/// streamed), read by the core into what happened. When `fetch` itself fails, a
/// second, opaque (`no-cors`) request tells a server that refused this page (CORS)
/// from one that is not there. Gives up after [`TEST_TIMEOUT_MS`].
pub async fn test_connection(provider: &Provider) -> Connection {
    if let Some(reason) =
        Connection::before_sending(&provider.base_url, &provider.key, &provider.model)
    {
        return reason;
    }
    let Some(clock) = BrowserClock::new() else {
        return Connection::NetworkFailed;
    };
    let started = clock.now();
    let probe = match with_timeout(clock.clone(), probe(provider)).await {
        Some(Ok((status, content_type, body))) => Probe::Answered {
            status,
            content_type,
            body: redact(&body, &[provider.key.as_str()]),
            latency_ms: (clock.now() - started).max(0.0).round() as u64,
        },
        Some(Err(())) => Probe::Failed {
            reachable_without_cors: with_timeout(clock, reachable(&provider.base_url))
                .await
                .unwrap_or(false),
        },
        None => Probe::Failed {
            reachable_without_cors: false,
        },
    };
    Connection::classify(&probe, &provider.base_url, &provider.model)
}

/// How long "Test connection" waits for an answer.
const TEST_TIMEOUT_MS: u64 = 15_000;

async fn with_timeout<T>(
    clock: BrowserClock,
    work: impl std::future::Future<Output = T>,
) -> Option<T> {
    use futures::future::{select, Either};
    let work = std::pin::pin!(work);
    let timer = std::pin::pin!(clock.sleep(TEST_TIMEOUT_MS));
    match select(work, timer).await {
        Either::Left((done, _)) => Some(done),
        Either::Right(_) => None,
    }
}

/// The test request: its status, content type and body, or `Err` when `fetch` failed.
async fn probe(provider: &Provider) -> Result<(u16, String, String), ()> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_mode(web_sys::RequestMode::Cors);
    let headers = web_sys::Headers::new().map_err(|_| ())?;
    headers
        .set("Content-Type", "application/json")
        .map_err(|_| ())?;
    if !provider.key.is_empty() {
        headers
            .set("Authorization", &format!("Bearer {}", provider.key))
            .map_err(|_| ())?;
    }
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&probe_body(&provider.model)));
    let url = wire::chat_url(&provider.base_url);
    let window = web_sys::window().ok_or(())?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| ())?
        .unchecked_into();
    let content_type = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    let body = match response.text() {
        Ok(text) => JsFuture::from(text)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    Ok((response.status(), content_type, body))
}

/// Whether an opaque request (which CORS does not stop) reaches the server at all.
async fn reachable(base_url: &str) -> bool {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_mode(web_sys::RequestMode::NoCors);
    let url = format!("{}/models", base_url.trim().trim_end_matches('/'));
    let Some(window) = web_sys::window() else {
        return false;
    };
    JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn keys_are_masked_to_their_last_four_characters() {
        assert_eq!(masked("sk-abcdefghijklmnop"), "••••mnop");
        assert_eq!(masked("short"), "••••");
        assert_eq!(masked(""), "no key");
    }
}
