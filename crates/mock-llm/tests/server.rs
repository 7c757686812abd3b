//! The mock server over real sockets: what the browser tests rely on.

use mock_llm::{serve, Server, Stats};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

async fn start() -> (String, reqwest::Client) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(serve(listener, Server::default()));
    (format!("http://{addr}"), reqwest::Client::new())
}

fn chat(model: &str, stream: bool) -> Value {
    json!({ "model": model, "stream": stream, "messages": [{ "role": "user", "content": "hello" }] })
}

async fn stats(client: &reqwest::Client, base: &str) -> Stats {
    client
        .get(format!("{base}/stats"))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats json")
}

#[tokio::test]
async fn answers_a_chat_completion_after_the_latency_asked_for() {
    let (base, client) = start().await;
    let start = Instant::now();
    let body: Value = client
        .post(format!("{base}/v1/chat/completions"))
        .json(&chat("mock:latency=200", false))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
    let content = body["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(content.contains("hello"), "{content}");
}

#[tokio::test]
async fn lists_models_and_allows_cross_origin_calls() {
    let (base, client) = start().await;
    let response = client
        .get(format!("{base}/v1/models"))
        .header("origin", "http://127.0.0.1:4173")
        .send()
        .await
        .expect("sent");
    assert!(response
        .headers()
        .contains_key("access-control-allow-origin"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["data"][0]["id"], "mock");
}

#[tokio::test]
async fn streams_tokens_as_server_sent_events_ending_with_done() {
    let (base, client) = start().await;
    let text = client
        .post(format!("{base}/v1/chat/completions"))
        .json(&chat("mock:tokens=5,tps=200", true))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    let events: Vec<&str> = text.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events.len(), 6, "{text}");
    assert_eq!(*events.last().expect("events"), "data: [DONE]");
}

#[tokio::test]
async fn a_cut_stream_breaks_off_without_done() {
    let (base, client) = start().await;
    let result = client
        .post(format!("{base}/v1/chat/completions"))
        .json(&chat("mock:tokens=6,cut", true))
        .send()
        .await
        .expect("headers arrive")
        .text()
        .await;
    assert!(
        result.is_err(),
        "a cut stream must not read as complete: {result:?}"
    );
}

#[tokio::test]
async fn the_first_requests_get_429_with_retry_after_then_succeed() {
    let (base, client) = start().await;
    let send = || {
        client
            .post(format!("{base}/v1/chat/completions"))
            .json(&chat("mock:fail429=2,retry_after=3", false))
            .send()
    };
    for _ in 0..2 {
        let r = send().await.expect("sent");
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "3");
    }
    assert_eq!(send().await.expect("sent").status(), 200);
}

#[tokio::test]
async fn retry_after_can_be_an_http_date() {
    let (base, client) = start().await;
    let r = client
        .post(format!("{base}/v1/chat/completions"))
        .json(&chat("mock:fail429=1,retry_after=3,retry_date", false))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 429);
    let date = r.headers()["retry-after"]
        .to_str()
        .expect("text")
        .to_string();
    let at = httpdate::parse_http_date(&date).expect("an HTTP date");
    let ahead = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(
        ahead > Duration::from_secs(1) && ahead <= Duration::from_secs(3),
        "{date}"
    );
}

#[tokio::test]
async fn unknown_models_wrong_keys_and_typos_are_refused() {
    let (base, client) = start().await;
    let post = |model: &str| {
        client
            .post(format!("{base}/v1/chat/completions"))
            .json(&chat(model, false))
            .send()
    };
    assert_eq!(post("gpt-9").await.expect("sent").status(), 404);
    assert_eq!(post("mock:key=s3cret").await.expect("sent").status(), 401);
    assert_eq!(post("mock:latncy=5").await.expect("sent").status(), 400);
    let with_key = client
        .post(format!("{base}/v1/chat/completions"))
        .bearer_auth("s3cret")
        .json(&chat("mock:key=s3cret", false))
        .send()
        .await
        .expect("sent");
    assert_eq!(with_key.status(), 200);
}

#[tokio::test]
async fn counts_concurrent_requests_and_clients_that_hang_up() {
    let (base, client) = start().await;
    let calls = (0..4).map(|_| {
        client
            .post(format!("{base}/v1/chat/completions"))
            .json(&chat("mock:latency=300", false))
            .send()
    });
    futures::future::join_all(calls).await;
    let after = stats(&client, &base).await;
    assert_eq!(after.peak_in_flight, 4);
    assert_eq!(after.completed, 4);
    assert_eq!(after.in_flight, 0);

    // A client that gives up: the server must notice and stop working on it.
    let gave_up = tokio::time::timeout(
        Duration::from_millis(100),
        client.get(format!("{base}/json?latency=5000")).send(),
    )
    .await;
    assert!(gave_up.is_err());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = stats(&client, &base).await;
    assert_eq!(after.cancelled, 1, "{after:?}");
    assert_eq!(after.in_flight, 0, "{after:?}");
}

#[tokio::test]
async fn the_json_endpoint_echoes_the_request() {
    let (base, client) = start().await;
    let body: Value = client
        .post(format!("{base}/json?q=flights&latency=10"))
        .json(&json!({ "from": "LIS" }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(body["data"]["answer"], "Result for flights");
    assert_eq!(body["body"]["from"], "LIS");
    assert_eq!(body["method"], "POST");
}

#[tokio::test]
async fn random_faults_hit_about_the_share_asked_for() {
    let (base, client) = start().await;
    let mut statuses = HashMap::new();
    for _ in 0..400 {
        let r = client
            .post(format!("{base}/v1/chat/completions"))
            .json(&chat("mock:p429=0.25,p500=0.1,retry_after=2", false))
            .send()
            .await
            .expect("sent");
        if r.status() == 429 {
            assert_eq!(r.headers()["retry-after"], "2");
        }
        *statuses.entry(r.status().as_u16()).or_insert(0) += 1;
    }
    // 400 draws: 100 expected 429s (sd 8.7); of the other 300, 30 expected 500s (sd 5.2).
    let share = |status| statuses.get(&status).copied().unwrap_or(0);
    assert!((70..=130).contains(&share(429)), "{statuses:?}");
    assert!((12..=48).contains(&share(500)), "{statuses:?}");
    assert_eq!(share(429) + share(500) + share(200), 400, "{statuses:?}");
    let s = stats(&client, &base).await;
    assert_eq!(s.rate_limited, share(429));
    assert_eq!(s.server_errors, share(500));
}

#[tokio::test]
async fn lets_the_page_read_resource_timings() {
    let (base, client) = start().await;
    let r = client
        .get(format!("{base}/v1/models"))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.headers()["timing-allow-origin"], "*");
}

/// The browser test "random 429s are retried" relies on this sequence: with this
/// behaviour, requests 3, 9 and 14 are rate-limited, so 12 steps need 15 requests and
/// none of them meets four 429s in a row.
#[test]
fn random_faults_repeat_for_the_same_behaviour() {
    let spec = "p429=0.3,retry_after=0,latency=43,";
    let hits: Vec<u64> = (1..=16)
        .filter(|&n| mock_llm::draw(spec, n, "429") < 0.3)
        .collect();
    assert_eq!(hits, [3, 9, 14]);
}

#[tokio::test]
async fn html_echo_and_no_cors_answer_as_the_connection_tests_need() {
    let (base, client) = start().await;
    let page = client
        .post(format!("{base}/v1/chat/completions"))
        .json(&chat("mock:html", false))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .expect("text")
        .starts_with("text/html"));
    let echoed: Value = client
        .get(format!("{base}/json?q=tea&echo&api_key=qp-secret-1"))
        .header("authorization", "Bearer sk-echo-2")
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(echoed["params"]["api_key"], "qp-secret-1");
    assert_eq!(echoed["headers"]["authorization"], "Bearer sk-echo-2");
    assert!(echoed["data"]["answer"]
        .as_str()
        .expect("text")
        .contains("sk-echo-2"));
    let closed = client
        .post(format!("{base}/nocors/v1/chat/completions"))
        .header("origin", "http://127.0.0.1:4173")
        .json(&chat("mock", false))
        .send()
        .await
        .expect("sent");
    assert_eq!(closed.status(), 200, "reachable");
    assert!(closed
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
