//! The import parsers (Mermaid, LangGraph JSON, OTLP/JSON, Chrome traces) against
//! arbitrary and mangled input: each must return a chain or an error, never panic,
//! and a chain it returns must survive a Mermaid round trip. Not part of the normal
//! test run: a million cases take minutes. Run it with `scripts/fuzz-import.sh`.
//!
//! Mangling splices the formats' own tokens (arrows, brackets, entities, JSON keys)
//! into valid texts, which reaches the parsers' branches far more often than flipped
//! bits would; random span trees (parents that loop, spans of no time, huge times)
//! reach the trace replay.

use chainlab_core::editor::gallery;
use chainlab_core::io::export::chrome_trace;
use chainlab_core::io::import::{import, import_with_limits, to_mermaid};
use chainlab_core::race::Race;
use chainlab_core::{Limits, Mode, Plan};
use proptest::prelude::*;
use serde_json::json;
use std::sync::OnceLock;

const TOKENS: [&str; 52] = [
    "-->",
    "---",
    "-.->",
    "-. x .->",
    "==>",
    "-- t -->",
    "-->|t|",
    "~~~",
    " & ",
    "[",
    "]",
    "(",
    ")",
    "([",
    "])",
    "{{",
    "}}",
    "[/",
    "\\]",
    ">",
    "|",
    ":::c",
    "%%",
    ";",
    "\n",
    "\"",
    "#35;",
    "&#x1F600;",
    "&nbsp;",
    "@{ label: \"x\" }",
    "subgraph s\n",
    "\nend\n",
    "---\n",
    "graph TD\n",
    "__start__",
    "\\20",
    "é",
    "{",
    "}",
    ",",
    ":",
    "\"parentSpanId\":\"",
    "\"startTimeUnixNano\":",
    "\"18446744073709551615\"",
    "-1",
    "1e400",
    "null",
    "[]",
    "\"ph\":\"X\"",
    "\"dur\":-1",
    "\"resourceSpans\":",
    "\"traceEvents\":",
];

/// Valid texts of every format, for the fuzzer to mangle.
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = vec![
            "---\nconfig:\n  flowchart:\n    curve: linear\n---\ngraph TD;\n\t__start__([<p>__start__</p>]):::first\n\
             \tsearch(search)\n\tfetch\\20it(fetch it)\n\t__end__([<p>__end__</p>]):::last\n\t__start__ --> search;\n\
             \tsearch -. &nbsp;x&nbsp; .-> fetch\\20it;\n\tfetch\\20it --> __end__;\n\tclassDef default fill:#f2f0ff\n"
                .to_string(),
            "flowchart LR\n  %% c\n  Q[Ask] --> A[Search] & B(\"News\")\n  A -- r --> S{{Sum}}\n  B -->|x| S\n  S ==> O>Out]\n"
                .to_string(),
            json!({"nodes": [{"id": "__start__"}, {"id": "a", "data": {"name": "a"}}, {"id": "b"}, {"id": "__end__"}],
                   "edges": [{"source": "__start__", "target": "a"}, {"source": "a", "target": "b", "conditional": true},
                             {"source": "b", "target": "__end__"}]})
            .to_string(),
            otlp(&[(0, None, 0, 100), (1, Some(0), 0, 40), (2, Some(0), 40, 100), (3, Some(2), 41, 90), (4, Some(2), 40, 100)]),
        ];
        for example in gallery::EXAMPLES {
            let chain = (example.chain)();
            seeds.push(to_mermaid(&chain));
            if let Ok(plan) = Plan::new(chain) {
                seeds.push(chrome_trace(&Race::simulated(&plan, &Mode::ALL)));
            }
        }
        seeds
    })
}

/// An OTLP/JSON trace of spans (name number, parent, start ms, end ms).
fn otlp(spans: &[(usize, Option<usize>, u64, u64)]) -> String {
    let spans: Vec<_> = spans
        .iter()
        .enumerate()
        .map(|(i, &(name, parent, start, end))| {
            json!({
                "traceId": "0af7651916cd43dd8448eb211c80319c",
                "spanId": format!("{i:016x}"),
                "parentSpanId": parent.map(|p| format!("{p:016x}")).unwrap_or_default(),
                "name": (["search", "chat", "fetch", "plan", "", "a b"][name % 6]),
                "startTimeUnixNano": (start * 1_000_000).to_string(),
                "endTimeUnixNano": end.saturating_mul(1_000_000),
                "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}],
            })
        })
        .collect();
    json!({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
                              "scopeSpans": [{"spans": spans}]}]})
    .to_string()
}

#[derive(Debug, Clone)]
enum Edit {
    Splice { at: usize, token: usize },
    Cut { at: usize, len: usize },
    Repeat { at: usize, len: usize, times: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Edit::Splice { at, token }),
        1 => (any::<usize>(), 0usize..200).prop_map(|(at, len)| Edit::Cut { at, len }),
        1 => (any::<usize>(), 0usize..40, 1usize..20).prop_map(|(at, len, times)| Edit::Repeat { at, len, times }),
    ]
}

/// The nearest character boundary at or before `at % (len + 1)`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, edits: &[Edit]) {
    for edit in edits {
        match *edit {
            Edit::Splice { at, token } => {
                let at = boundary(text, at);
                text.insert_str(at, TOKENS[token]);
            }
            Edit::Cut { at, len } => {
                let from = boundary(text, at);
                let to = boundary(text, from + len).max(from);
                text.replace_range(from..to, "");
            }
            Edit::Repeat { at, len, times } => {
                let from = boundary(text, at);
                let to = boundary(text, from + len).max(from);
                let piece = text[from..to].repeat(times);
                text.insert_str(to, &piece);
            }
        }
    }
}

/// Imports `text` with the default limits and with tiny ones, and checks that a chain
/// it gives comes back from its own Mermaid export.
fn check(text: &str) -> Result<(), TestCaseError> {
    if let Ok(imported) = import(text, Some("fuzz.mmd")) {
        let again = import(&to_mermaid(&imported.chain), None)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let ids =
            |c: &chainlab_core::Chain| c.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        prop_assert_eq!(ids(&again.chain), ids(&imported.chain));
    }
    let tiny = Limits {
        max_steps: 3,
        max_text_bytes: 600,
    };
    let _ = import_with_limits(text, None, tiny);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES in the environment overrides this (the script asks for 1,000,000).
        cases: 2_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    #[ignore = "fuzz job: run scripts/fuzz-import.sh"]
    fn import_never_panics(
        which in 0usize..256,
        kind in 0u8..4,
        edits in proptest::collection::vec(edit(), 1..6),
        text in "\\PC{0,200}",
        spans in proptest::collection::vec(
            (0usize..6, proptest::option::of(0usize..24), 0u64..200, prop_oneof![0u64..200, Just(u64::MAX / 1_000_000)]),
            0..24,
        ),
        events in proptest::collection::vec((0usize..4, 0u8..3, -10.0f64..1e7, -1.0f64..1e6), 0..24),
    ) {
        let seeds = seeds();
        let text = match kind {
            // A valid text of some format, mangled with the formats' own tokens.
            0 => {
                let mut seed = seeds[which % seeds.len()].clone();
                apply(&mut seed, &edits);
                seed
            }
            // A random span tree: parents may loop or be missing, spans may take no
            // time, end before they start or last for centuries.
            1 => otlp(&spans.iter().map(|&(n, p, s, d)| (n, p.map(|p| p % 24), s, s.saturating_add(d))).collect::<Vec<_>>()),
            // Random Chrome events: negative or huge times, repeated steps, several processes.
            2 => json!({"traceEvents": events.iter().map(|&(step, pid, ts, dur)| json!({
                "name": format!("s{step}"), "ph": "X", "cat": (["LLM", "HTTP", "input", "output"][step % 4]),
                "ts": ts, "dur": dur, "pid": pid, "tid": step, "args": {"step": format!("s{step}")},
            })).collect::<Vec<_>>()}).to_string(),
            // Random text.
            _ => text,
        };
        check(&text)?;
    }
}
