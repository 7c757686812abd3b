//! How a step talks to the network: a [`StepRunner`] whose LLM and HTTP steps are
//! real browser `fetch`es (streamed when the server streams), each aborted through
//! its `AbortController` when the scheduler drops it (time-out, cancel, fail fast);
//! the providers and keys a person set; and the live race, which runs the chosen
//! modes one after another so they do not compete for the same connections.
//!
//! Keys live only in this module's storage and in request headers: errors and
//! outputs pass through `redact`, and nothing here writes a key anywhere else.

use crate::clock::BrowserClock;
use chainlab_core::race::projection::project_sequential;
use chainlab_core::race::resource_timing::{mark_sent, SentRequest, TimingEntry};
use chainlab_core::race::Race;
use chainlab_core::steps::errors::{parse_retry_after, redact, StepError};
use chainlab_core::steps::wire::{self, SseReader, DEFAULT_SIZE_CAP};
use chainlab_core::{
    run_with, Cancel, Clock, Mode, OnFailure, Outcome, Plan, Policy, RetryPolicy, RunOptions,
    SimulatedRunner, Span, StepId, StepKind, StepRequest, StepResult, StepRunner, Time, Trace,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Browsers open at most this many HTTP/1.1 connections to one origin; more requests
/// wait inside the browser, where no page can see them.
pub const BROWSER_CONNECTIONS_PER_ORIGIN: usize = 6;

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
    /// One line per lane of the last live race: attempts, retries, failures.
    pub summary: RwSignal<Vec<String>>,
    /// Streamed answers of the live run, growing as tokens arrive.
    pub streaming: RwSignal<Vec<(StepId, String)>>,
    /// The race's sequential lane was projected, not run.
    pub projected: RwSignal<bool>,
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
            projected: RwSignal::new(false),
            cancel: StoredValue::new_local(None),
        }
    }

    /// Aborts every request of the run in flight.
    pub fn cancel(&self) {
        if let Some(cancel) = self.cancel.get_value() {
            cancel.cancel();
        }
    }

    /// A fresh switch for a new run, which also forgets the last run's projection.
    pub fn new_cancel(&self) -> Cancel {
        self.projected.set(false);
        let cancel = Cancel::new();
        self.cancel.set_value(Some(cancel.clone()));
        cancel
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
        serde_json::from_str::<Vec<Provider>>(&text).ok()
    };
    match (read(true), read(false)) {
        (Some(providers), _) => (providers, true),
        (None, Some(providers)) => (providers, false),
        (None, None) => (vec![Provider::mock()], false),
    }
}

fn save_providers(providers: &[Provider], remember: bool) {
    let Ok(json) = serde_json::to_string(providers) else {
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

/// Runs LLM and HTTP steps over the network; every other step (and LLM steps on the
/// "simulator" provider) on the simulator.
pub struct LiveRunner {
    clock: BrowserClock,
    sim: SimulatedRunner<BrowserClock>,
    providers: Vec<Provider>,
    size_cap: usize,
    /// Streamed answers as they grow, for the page to show.
    streaming: RwSignal<Vec<(StepId, String)>>,
    /// Requests in flight per origin now, and the most at once.
    origins: RefCell<HashMap<String, (usize, usize)>>,
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

/// Counts a request in flight to its origin for as long as it lives.
struct InFlight<'a> {
    runner: &'a LiveRunner,
    origin: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(count) = self.runner.origins.borrow_mut().get_mut(&self.origin) {
            count.0 = count.0.saturating_sub(1);
        }
    }
}

impl LiveRunner {
    pub fn new(
        clock: BrowserClock,
        providers: Vec<Provider>,
        streaming: RwSignal<Vec<(StepId, String)>>,
    ) -> Self {
        Self {
            sim: SimulatedRunner {
                clock: clock.clone(),
            },
            clock,
            providers,
            size_cap: DEFAULT_SIZE_CAP,
            streaming,
            origins: RefCell::new(HashMap::new()),
            sent: RefCell::new(Vec::new()),
        }
    }

    /// Marks on `trace` how long each request waited inside the browser for a
    /// connection, from the browser's Resource Timing entries; returns how many
    /// requests it could see (servers must send `Timing-Allow-Origin`).
    pub async fn mark_browser_waits(&self, trace: &mut Trace) -> usize {
        // The browser adds an entry once the response has ended, in a task of its own.
        gloo_timers::future::TimeoutFuture::new(0).await;
        let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
            return 0;
        };
        let entries: Vec<TimingEntry> = performance
            .get_entries_by_type("resource")
            .iter()
            .filter_map(|e| e.dyn_into::<web_sys::PerformanceResourceTiming>().ok())
            .map(|e| TimingEntry {
                url: e.name(),
                start: e.start_time(),
                request_start: e.request_start(),
                response_end: e.response_end(),
            })
            .collect();
        let requests = self.sent.take();
        mark_sent(trace, &requests, &entries)
    }

    /// The origin that had more requests in flight than the browser has
    /// connections for, and how many it had.
    pub fn crowded_origin(&self) -> Option<(String, usize)> {
        self.origins
            .borrow()
            .iter()
            .map(|(origin, &(_, peak))| (origin.clone(), peak))
            .filter(|&(_, peak)| peak > BROWSER_CONNECTIONS_PER_ORIGIN)
            .max_by_key(|&(_, peak)| peak)
    }

    fn enter(&self, url: &str) -> InFlight<'_> {
        let origin = origin_of(url);
        let mut origins = self.origins.borrow_mut();
        let count = origins.entry(origin.clone()).or_insert((0, 0));
        count.0 += 1;
        count.1 = count.1.max(count.0);
        InFlight {
            runner: self,
            origin,
        }
    }

    /// Shows the latest text of a streamed answer.
    fn show_text(&self, step: &StepId, text: &str) {
        self.streaming
            .update(|all| match all.iter_mut().find(|(id, _)| id == step) {
                Some((_, shown)) => *shown = text.to_string(),
                None => all.push((step.clone(), text.to_string())),
            });
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
        let built = wire::http_request(http, &request.inputs);
        let exchange = Exchange {
            method: &built.method,
            url: &built.url,
            headers: &built.headers,
            body: built.body.as_deref(),
            secrets: &[],
            step: &request.step.id,
            attempt: request.attempt,
            model: None,
        };
        let mut first_byte = None;
        let result = self.exchange(&exchange, &mut first_byte).await;
        StepResult {
            output: result.and_then(|(body, _)| wire::http_output(http, &body)),
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
        let _counted = self.enter(exchange.url);
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
                    redact(exchange.url, exchange.secrets)
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
                    self.show_text(exchange.step, &redact(reader.text(), exchange.secrets));
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

fn failed(error: StepError) -> StepResult {
    StepResult {
        output: Err(error),
        first_byte: None,
    }
}

/// `scheme://host:port` of a URL, for counting connections per origin.
fn origin_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    url[..end].to_string()
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

/// Races `plan` live: the concurrent modes one after another (so they do not share
/// the browser's connections or the provider's rate limit), and the sequential lane
/// projected from the last measured run unless the person asked to run it for real.
pub fn start_live_race(
    net: NetworkState,
    plan: Rc<Plan>,
    modes: Vec<Mode>,
    clock: BrowserClock,
    update: impl Fn(&dyn Fn(&mut Race)) + Copy + 'static,
) {
    let cancel = net.new_cancel();
    let policy = net.policy(cancel.clone());
    let limit = net.limit.get_untracked();
    let project = net.project_sequential.get_untracked() && modes.len() > 1;
    net.streaming.set(Vec::new());
    let runner = LiveRunner::new(clock.clone(), net.providers.get_untracked(), net.streaming);
    net.connection_note.set(None);
    net.summary.set(Vec::new());
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        // Room for every request of a big race; the default keeps only 250 entries.
        performance.clear_resource_timings();
        performance.set_resource_timing_buffer_size(10_000);
    }
    spawn_local(async move {
        let mut measured = None;
        let mut browser_waits = 0;
        for &mode in modes
            .iter()
            .filter(|&&m| !(project && m == Mode::Sequential))
        {
            if cancel.is_cancelled() {
                break;
            }
            update(&|race| race.start(mode, clock.now()));
            let batch = SpanBatch::new(mode, update);
            let observe = |span: &Span| batch.push(span);
            let options = RunOptions { mode, limit };
            let mut trace = run_with(&plan, options, &policy, &runner, &clock, &observe).await;
            batch.drop_pending();
            browser_waits += runner.mark_browser_waits(&mut trace).await;
            update(&|race| race.finish(&trace));
            net.summary.update(|lines| lines.push(summarize(&trace)));
            measured = Some(trace);
        }
        // A cancelled run measured nothing worth projecting.
        let wanted = project && modes.contains(&Mode::Sequential) && !cancel.is_cancelled();
        if let (true, Some(measured)) = (wanted, measured) {
            let projected = project_sequential(&plan, &measured);
            net.summary.update(|lines| {
                lines.push(format!(
                    "sequential (projected from the measured times, not run): {} ms",
                    projected.makespan().round()
                ))
            });
            net.projected.set(true);
            update(&|race| {
                race.start(Mode::Sequential, projected.origin);
                race.finish(&projected);
            });
        }
        if let Some((origin, peak)) = runner.crowded_origin() {
            let shown = if browser_waits > 0 {
                "the others waited inside the browser for a free connection, drawn as \
                 \"queued in the browser\" on their bars"
            } else {
                "the others waited inside the browser, and their bars include that wait \
                 (this server does not send Timing-Allow-Origin, so the page cannot see \
                 where the wait ends)"
            };
            net.connection_note.set(Some(format!(
                "{peak} requests to {origin} were in flight at once, but over HTTP/1.1 a \
                 browser opens at most {BROWSER_CONNECTIONS_PER_ORIGIN} connections per \
                 origin: {shown}. An HTTP/2 endpoint, or a concurrency limit of \
                 {BROWSER_CONNECTIONS_PER_ORIGIN}, avoids it."
            )));
        }
    });
}

/// Span changes collected for one frame: a live run of many fast requests changes
/// spans far more often than a screen can show, and redrawing the race for each one
/// would cost more than the requests themselves.
struct SpanBatch<U> {
    mode: Mode,
    update: U,
    pending: Rc<RefCell<Vec<Span>>>,
}

/// How long span changes wait to be drawn together.
const FRAME_MS: u32 = 16;

impl<U: Fn(&dyn Fn(&mut Race)) + Copy + 'static> SpanBatch<U> {
    fn new(mode: Mode, update: U) -> Self {
        Self {
            mode,
            update,
            pending: Rc::new(RefCell::new(Vec::new())),
        }
    }

    fn push(&self, span: &Span) {
        let mut pending = self.pending.borrow_mut();
        if pending.is_empty() {
            let (pending, mode, update) = (Rc::clone(&self.pending), self.mode, self.update);
            spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(FRAME_MS).await;
                let spans = pending.take();
                if !spans.is_empty() {
                    update(&|race| spans.iter().for_each(|s| race.record(mode, s)));
                }
            });
        }
        pending.push(span.clone());
    }

    /// Forgets changes not drawn yet: the finished trace replaces them.
    fn drop_pending(&self) {
        self.pending.borrow_mut().clear();
    }
}

/// What a live lane met, in one line: its time, its attempts and retries, why steps
/// failed, and how many were cancelled.
fn summarize(trace: &Trace) -> String {
    let retries = trace.spans.iter().filter(|s| s.attempt > 0).count();
    // Only a step's last attempt says how it ended.
    let last_attempts = trace.spans.iter().filter(|s| {
        !trace
            .spans
            .iter()
            .any(|o| o.index == s.index && o.attempt > s.attempt)
    });
    let mut failures = Vec::new();
    let mut cancelled = Vec::new();
    for span in last_attempts {
        match &span.outcome {
            Outcome::Failed { error } => failures.push(format!("{}: {error}", span.step)),
            Outcome::Cancelled { reason } => cancelled.push(reason.as_str()),
            _ => {}
        }
    }
    let failed = failures.len();
    failures.truncate(3);
    let mut line = format!(
        "{}: {} ms, {} attempts ({retries} retried), {failed} failed",
        trace.mode.name(),
        trace.makespan().round(),
        trace.spans.len(),
    );
    if let Some(reason) = cancelled.first() {
        line.push_str(&format!(", {} cancelled ({reason})", cancelled.len()));
    }
    for failure in failures {
        line.push_str(" · ");
        line.push_str(&failure);
    }
    line
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
        assert_eq!(origin_of("http://h:1/v1/chat?x"), "http://h:1");
    }

    #[wasm_bindgen_test]
    fn a_summary_counts_retries_and_names_only_final_failures() {
        let span = |step: &str, index, attempt, outcome| Span {
            step: StepId::new(step),
            index,
            attempt,
            ready: 0.0,
            queued: 0.0,
            started: Some(0.0),
            sent: None,
            first_byte: None,
            ended: Some(100.0 * f64::from(attempt + 1)),
            outcome,
            output: None,
        };
        let failed = |error: &str| Outcome::Failed {
            error: error.into(),
        };
        let trace = Trace {
            mode: Mode::Eager,
            origin: 0.0,
            spans: vec![
                span("a", 0, 0, failed("Rate-limited")),
                span("a", 0, 1, Outcome::Done),
                span("b", 1, 0, failed("Key rejected")),
                span(
                    "c",
                    2,
                    0,
                    Outcome::Cancelled {
                        reason: "Cancel was pressed.".into(),
                    },
                ),
            ],
        };
        assert_eq!(
            summarize(&trace),
            "eager: 200 ms, 4 attempts (1 retried), 1 failed, 1 cancelled (Cancel was pressed.) · b: Key rejected"
        );
    }
}
