//! Import: how long a person waits after pasting a big graph or trace. The issue asks
//! for at most 20 ms in the browser for a 500-node Mermaid graph and a 5,000-span
//! trace; wasm runs such code about 1.5–2× slower than native, so native medians
//! should stay under about 10 ms. Each figure is the whole import: parsing,
//! validation and auto-layout.
//!
//! `cargo bench -p chainlab-core --bench import` prints divan's table (median time
//! per call over divan's samples).

use chainlab_core::io::import::{import, import_with_limits};
use chainlab_core::Limits;
use serde_json::json;
use std::fmt::Write;
use std::hint::black_box;

fn main() {
    divan::main();
}

/// 500 nodes in 25 levels of 20, each taking two nodes of the level before, written
/// the way LangGraph draws a graph (node lines, then edge lines).
fn mermaid_500() -> String {
    let mut text = String::from("---\nconfig:\n  flowchart:\n    curve: linear\n---\ngraph TD;\n");
    for i in 0..500 {
        let _ = writeln!(text, "\tsearch_{i}(search {i})");
    }
    for i in 20..500 {
        let (level, j) = (i / 20, i % 20);
        for k in [j, (j + 1) % 20] {
            let _ = writeln!(text, "\tsearch_{} --> search_{i};", (level - 1) * 20 + k);
        }
    }
    text
}

/// 5,000 spans: a root and 999 turns of an agent, each with two searches at once, then
/// a chat call, then a fetch (4,000 leaf spans), as OTLP/JSON.
fn trace_5000() -> String {
    let origin: u64 = 1_700_000_000_000_000_000;
    let ns = |ms: u64| (origin + ms * 1_000_000).to_string();
    let id = |n: usize| format!("{n:016x}");
    let mut spans = vec![json!({
        "traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": id(0), "name": "agent",
        "startTimeUnixNano": ns(0), "endTimeUnixNano": ns(999 * 100),
    })];
    for turn in 0..999 {
        let t = turn as u64 * 100;
        let group = spans.len();
        let mut push = |name: &str, parent: usize, start: u64, end: u64| {
            spans.push(json!({
                "traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": id(spans.len()),
                "parentSpanId": id(parent), "name": name,
                "startTimeUnixNano": ns(start), "endTimeUnixNano": ns(end),
            }));
        };
        push("turn", 0, t, t + 100);
        push("search_web", group, t, t + 40);
        push("search_news", group, t + 1, t + 30);
        push("chat", group, t + 40, t + 80);
        push("fetch", group, t + 80, t + 100);
    }
    assert_eq!(spans.len(), 4996);
    json!({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}).to_string()
}

#[divan::bench]
fn mermaid_500_nodes(bencher: divan::Bencher) {
    let text = mermaid_500();
    assert_eq!(import(&text, None).map(|i| i.chain.steps.len()), Ok(500));
    bencher.bench(|| import(black_box(&text), None));
}

#[divan::bench]
fn otlp_trace_5000_spans(bencher: divan::Bencher) {
    let text = trace_5000();
    let limits = Limits {
        max_steps: 5_000,
        max_text_bytes: usize::MAX,
    };
    let imported = import_with_limits(&text, None, limits).map(|i| i.chain.steps.len());
    assert_eq!(imported, Ok(3996));
    bencher.bench(|| import_with_limits(black_box(&text), None, limits));
}
