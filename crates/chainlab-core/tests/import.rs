//! Importing graphs and traces: Mermaid as LangGraph and people write it, LangGraph's
//! JSON, OTLP/JSON and ChainLab's own Chrome-trace export, what each error names, and
//! two round trips over random chains: Mermaid export then import keeps the steps and
//! edges, and an eager run's trace imports as a chain that replays in the same time.

use chainlab_core::editor::gallery;
use chainlab_core::io::export::chrome_trace;
use chainlab_core::io::import::{
    import, set_latency, to_mermaid, Format, GuessedKind, ImportError, Location, Note,
};
use chainlab_core::io::share::to_file;
use chainlab_core::model::{LatencyModel, LlmStep, Position, Simulation};
use chainlab_core::race::Race;
use chainlab_core::{Chain, Mode, Plan, Step, StepId, StepKind};
use proptest::prelude::*;
use serde_json::json;

fn ids(chain: &Chain) -> Vec<&str> {
    chain.steps.iter().map(|s| s.id.as_str()).collect()
}

fn edges(chain: &Chain) -> Vec<(String, String)> {
    let mut edges: Vec<(String, String)> = chain
        .steps
        .iter()
        .flat_map(|s| s.inputs.iter().map(|i| (i.to_string(), s.id.to_string())))
        .collect();
    edges.sort();
    edges
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = list
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    pairs.sort();
    pairs
}

fn step<'a>(chain: &'a Chain, id: &str) -> &'a Step {
    chain
        .steps
        .iter()
        .find(|s| s.id.as_str() == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

fn error(text: &str) -> ImportError {
    match import(text, None) {
        Ok(imported) => panic!("imported {:?}", ids(&imported.chain)),
        Err(e) => e,
    }
}

/// What LangGraph 1.2's `draw_mermaid()` writes for a graph with a join, a node name
/// with a space (LangChain escapes it in the id) and a conditional edge.
const LANGGRAPH_MERMAID: &str = "---
config:
  flowchart:
    curve: linear
---
graph TD;
\t__start__([<p>__start__</p>]):::first
\tsearch_a(search_a)
\tsearch_b(search_b)
\tsummarize-a(summarize-a)
\tsynthesize(synthesize)
\tfetch\\20news(fetch news)
\t__end__([<p>__end__</p>]):::last
\t__start__ --> search_a;
\t__start__ --> search_b;
\tsearch_a --> summarize-a;
\tsearch_b --> summarize-a;
\tsummarize-a -. &nbsp;y&nbsp; .-> fetch\\20news;
\tsummarize-a -. &nbsp;x&nbsp; .-> synthesize;
\tfetch\\20news --> __end__;
\tsynthesize --> __end__;
\tclassDef default fill:#f2f0ff,line-height:1.2
\tclassDef first fill-opacity:0
\tclassDef last fill:#bfb6fc
";

#[test]
fn langgraph_mermaid_becomes_a_chain_laid_out_by_level() {
    let imported = import(LANGGRAPH_MERMAID, Some("agent.mmd")).expect("imports");
    let chain = &imported.chain;
    assert_eq!(imported.format, Format::Mermaid);
    assert_eq!(chain.name, "agent");
    assert_eq!(
        ids(chain),
        [
            "search_a",
            "search_b",
            "summarize-a",
            "synthesize",
            "fetch_news"
        ]
    );
    assert_eq!(step(chain, "fetch_news").label, "fetch news");
    assert_eq!(
        edges(chain),
        pairs(&[
            ("search_a", "summarize-a"),
            ("search_b", "summarize-a"),
            ("summarize-a", "fetch_news"),
            ("summarize-a", "synthesize"),
        ])
    );
    for (id, http) in [
        ("search_a", true),
        ("fetch_news", true),
        ("synthesize", false),
    ] {
        assert_eq!(
            matches!(step(chain, id).kind, StepKind::Http(_)),
            http,
            "{id}"
        );
    }
    // Prompts name their inputs, so a live run passes the outputs on.
    let StepKind::Llm(llm) = &step(chain, "summarize-a").kind else {
        panic!("an LLM step")
    };
    assert!(llm.prompt.contains("{{search_a}}") && llm.prompt.contains("{{search_b}}"));
    // Laid out by level: the join stands right of its inputs.
    assert!(step(chain, "summarize-a").position.x > step(chain, "search_a").position.x);
    assert!(imported
        .notes
        .contains(&Note::ConditionalEdges { count: 2 }));
    assert!(imported
        .notes
        .iter()
        .any(|n| matches!(n, Note::KindsGuessed { .. })));
    assert!(imported
        .notes
        .iter()
        .any(|n| matches!(n, Note::LatenciesAssumed { .. })));
    assert!(imported.notes.contains(&Note::IdsChanged {
        changes: vec![("fetch news".into(), StepId::new("fetch_news"))]
    }));
    Plan::new(chain.clone()).expect("valid");
}

#[test]
fn hand_written_mermaid_reads_every_common_form() {
    let text = "%% a research pipeline
flowchart LR
    Q[User question] --> A[Search the web] & B[Search news]
    A -- results --> S1(Summarize web)
    B -->|articles| S2(\"Summarize #quot;news#quot;\"):::slow
    S1 & S2 ==> F{{Synthesize}}
    classDef slow fill:#f96
    class F slow
    style Q fill:#fff
    subgraph tools [Tools]
      A
    end
    F ~~~ Q
    Q --- X>Log it]; X -.-> F
";
    let imported = import(text, None).expect("imports");
    let chain = &imported.chain;
    assert_eq!(chain.name, "Imported Mermaid flowchart");
    assert_eq!(ids(chain), ["Q", "A", "B", "S1", "S2", "F", "X"]);
    assert_eq!(step(chain, "A").label, "Search the web");
    assert_eq!(step(chain, "S2").label, "Summarize \"news\"");
    assert!(matches!(step(chain, "A").kind, StepKind::Http(_)));
    assert!(matches!(step(chain, "S1").kind, StepKind::Llm(_)));
    assert_eq!(
        edges(chain),
        pairs(&[
            ("Q", "A"),
            ("Q", "B"),
            ("A", "S1"),
            ("B", "S2"),
            ("S1", "F"),
            ("S2", "F"),
            ("Q", "X"),
            ("X", "F"),
        ])
    );
    assert!(imported.notes.contains(&Note::InvisibleLinks { count: 1 }));
    assert!(imported
        .notes
        .contains(&Note::SubgraphsFlattened { count: 1 }));
    assert!(imported
        .notes
        .contains(&Note::ConditionalEdges { count: 1 }));

    let one_line = import("graph TD; a-->b; b --> c", None).expect("imports");
    assert_eq!(edges(&one_line.chain), pairs(&[("a", "b"), ("b", "c")]));
}

#[test]
fn mermaid_errors_name_the_line() {
    let e = error("graph TD\n  A --> B\n  A <-- B\n");
    assert!(
        matches!(
            e,
            ImportError::Syntax {
                at: Location::Line(3),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("Line 3: "), "{e}");

    let e = error("graph TD\nA --> B\nB --> C\n%% back\nC --> A\n");
    let ImportError::Cycle { at, steps } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*at, Location::Line(5));
    assert_eq!(steps.first(), steps.last());
    assert!(e.to_string().contains("closes a cycle"), "{e}");

    let e = error("graph TD\nA[oops --> B\n");
    assert!(
        matches!(
            e,
            ImportError::Syntax {
                at: Location::Line(2),
                ..
            }
        ),
        "{e:?}"
    );
    let e = error("sequenceDiagram\nAlice->>Bob: hi\n");
    assert!(matches!(e, ImportError::UnknownFormat { .. }), "{e:?}");
    let e = error("---\ntitle: never closed\ngraph TD\n");
    assert!(
        matches!(
            e,
            ImportError::Syntax {
                at: Location::Line(1),
                ..
            }
        ),
        "{e:?}"
    );
    let e = error("---\ntitle: x\n---\npie title Pets\n");
    assert!(
        matches!(
            e,
            ImportError::Syntax {
                at: Location::Line(4),
                ..
            }
        ),
        "{e:?}"
    );
    let e = error("graph TD\n__start__ --> __end__\n");
    assert_eq!(e, ImportError::NoSteps);

    let mut wide = String::from("flowchart LR\n");
    for i in 0..=500 {
        wide.push_str(&format!("start --> n{i}\n"));
    }
    let e = error(&wide);
    assert!(
        matches!(
            e,
            ImportError::TooManySteps {
                count: 501,
                max: 500,
                at: Location::Line(501)
            }
        ),
        "{e:?}"
    );
}

#[test]
fn langgraph_json_becomes_a_chain() {
    let text = json!({
        "nodes": [
            {"id": "__start__", "type": "schema", "data": "InputState"},
            {"id": "retrieve", "type": "runnable", "data": {"id": ["x"], "name": "retrieve"}},
            {"id": "grade", "type": "runnable", "data": {"id": ["x"], "name": "grade"}},
            {"id": "web_search", "type": "runnable", "data": {"id": ["x"], "name": "web_search"}},
            {"id": "generate", "type": "runnable", "data": {"id": ["x"], "name": "generate"}},
            {"id": "__end__"}
        ],
        "edges": [
            {"source": "__start__", "target": "retrieve"},
            {"source": "retrieve", "target": "grade"},
            {"source": "grade", "target": "web_search", "data": "search", "conditional": true},
            {"source": "grade", "target": "generate", "data": "answer", "conditional": true},
            {"source": "web_search", "target": "generate"},
            {"source": "generate", "target": "__end__"}
        ]
    })
    .to_string();
    let imported = import(&text, Some("crag.json")).expect("imports");
    assert_eq!(imported.format, Format::LangGraphJson);
    assert_eq!(
        ids(&imported.chain),
        ["retrieve", "grade", "web_search", "generate"]
    );
    assert_eq!(
        edges(&imported.chain),
        pairs(&[
            ("retrieve", "grade"),
            ("grade", "web_search"),
            ("grade", "generate"),
            ("web_search", "generate"),
        ])
    );
    assert!(imported
        .notes
        .contains(&Note::ConditionalEdges { count: 2 }));

    let bad = json!({"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "b"}]});
    let e = error(&bad.to_string());
    assert!(
        matches!(
            e,
            ImportError::Syntax {
                at: Location::Edge(1),
                ..
            }
        ),
        "{e:?}"
    );
}

/// One OTLP span: times in ms from an arbitrary origin, written as nanosecond strings.
fn span(
    name: &str,
    id: &str,
    parent: &str,
    start_ms: f64,
    end_ms: f64,
    llm: bool,
) -> serde_json::Value {
    let origin: u64 = 1_700_000_000_000_000_000;
    let ns = |ms: f64| (origin + (ms * 1e6) as u64).to_string();
    let mut span = json!({
        "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
        "spanId": id,
        "parentSpanId": parent,
        "name": name,
        "kind": 1,
        "startTimeUnixNano": ns(start_ms),
        "endTimeUnixNano": ns(end_ms),
    });
    if llm {
        span["attributes"] = json!([
            {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
            {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}}
        ]);
    }
    span
}

fn otlp(spans: &[serde_json::Value]) -> String {
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "agent"}}]},
        "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]
    }]})
    .to_string()
}

#[test]
fn a_trace_imports_as_it_ran() {
    // root: plan (chat), then a tools span holding two overlapping calls, then 3 ms
    // of the root's own work, then answer (chat).
    let text = otlp(&[
        span("agent", "00000000000000a0", "", 0.0, 160.0, false),
        span(
            "plan",
            "00000000000000a1",
            "00000000000000a0",
            0.0,
            20.4,
            true,
        ),
        span(
            "tools",
            "00000000000000a2",
            "00000000000000a0",
            20.4,
            80.0,
            false,
        ),
        span(
            "web_search",
            "00000000000000a3",
            "00000000000000a2",
            20.4,
            80.0,
            false,
        ),
        span(
            "calculator",
            "00000000000000a4",
            "00000000000000a2",
            20.6,
            50.2,
            false,
        ),
        span(
            "answer",
            "00000000000000a5",
            "00000000000000a0",
            83.0,
            160.0,
            true,
        ),
    ]);
    let imported = import(&text, None).expect("imports");
    let chain = &imported.chain;
    assert_eq!(imported.format, Format::OtlpJson);
    assert_eq!(chain.name, "agent · trace 4bf92f35");
    assert_eq!(ids(chain), ["plan", "web_search", "calculator", "answer"]);
    assert_eq!(
        edges(chain),
        pairs(&[
            ("plan", "web_search"),
            ("plan", "calculator"),
            ("web_search", "answer"),
            ("calculator", "answer"),
        ])
    );
    let plan = Plan::new(chain.clone()).expect("valid");
    // Rounded from the trace's start: 20.4 → 20, 80.0 → 80, so 60 ms; 20.6 → 21, 50.2 → 50.
    let latencies: Vec<u64> = (0..plan.len()).map(|i| plan.latency(i)).collect();
    assert_eq!(latencies, [20, 60, 29, 77]);
    let StepKind::Llm(llm) = &step(chain, "answer").kind else {
        panic!("gen_ai.operation.name = chat is an LLM step")
    };
    assert_eq!(llm.model, "gpt-4o-mini");
    assert!(matches!(step(chain, "web_search").kind, StepKind::Http(_)));
    assert_eq!(plan.predicted_makespan(Mode::Eager), 157);
    assert_eq!(imported.notes[0], Note::AsItRan);
    assert!(imported.notes.contains(&Note::TimeBetweenSpans {
        trace_ms: 160,
        chain_ms: 157
    }));
    assert!(imported.notes.contains(&Note::KindsGuessed {
        http: vec![StepId::new("web_search")],
        llm: vec![StepId::new("calculator")],
    }));
}

#[test]
fn trace_errors_name_the_span() {
    assert_eq!(error(&otlp(&[])), ImportError::NoSpans);
    assert_eq!(error(r#"{"resourceSpans": []}"#), ImportError::NoSpans);

    let e = error(&otlp(&[span("late", "01", "", 10.0, 5.0, false)]));
    assert!(
        matches!(&e, ImportError::Syntax { at: Location::Span { name, .. }, .. } if name == "late"),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("Span \"late\" (id 01): "), "{e}");

    let e = error(&otlp(&[
        span("a", "01", "02", 0.0, 1.0, false),
        span("b", "02", "01", 0.0, 1.0, false),
    ]));
    assert!(matches!(e, ImportError::Syntax { .. }), "{e:?}");

    let wide: Vec<_> = (0..=500)
        .map(|i| {
            span(
                &format!("call{i}"),
                &format!("{i:016x}"),
                "",
                i as f64,
                i as f64 + 1.0,
                false,
            )
        })
        .collect();
    let e = error(&otlp(&wide));
    assert!(
        matches!(&e, ImportError::TooManySteps { count: 501, at: Location::Span { name, .. }, .. } if name == "call500"),
        "{e:?}"
    );

    let deep: Vec<_> = (0..=500)
        .map(|i| {
            let parent = if i == 0 {
                String::new()
            } else {
                format!("{:016x}", i - 1)
            };
            span(
                &format!("level{i}"),
                &format!("{i:016x}"),
                &parent,
                0.0,
                1.0,
                false,
            )
        })
        .collect();
    let e = error(&otlp(&deep));
    assert!(
        matches!(
            e,
            ImportError::TooDeep {
                depth: 501,
                max: 500,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_chainlab_trace_of_an_eager_run_imports_as_the_same_graph() {
    let chain = gallery::uneven_branches();
    let plan = Plan::new(chain.clone()).expect("valid");
    let trace = chrome_trace(&Race::simulated(&plan, &[Mode::Eager]));
    let imported = import(&trace, Some("trace.json")).expect("imports");
    assert_eq!(imported.format, Format::ChromeTrace);
    assert_eq!(imported.chain.name, "eager mode, as it ran");
    assert_eq!(edges(&imported.chain), edges(&chain));
    let replay = Plan::new(imported.chain.clone()).expect("valid");
    assert_eq!(replay.predicted_makespan(Mode::Eager), 500);
    assert!(matches!(
        step(&imported.chain, "a").kind,
        StepKind::Input { .. }
    ));
    assert!(matches!(step(&imported.chain, "c").kind, StepKind::Http(_)));

    // All three lanes: the first (sequential) is imported, the others named in a note.
    let trace = chrome_trace(&Race::simulated(&plan, &Mode::ALL));
    let imported = import(&trace, None).expect("imports");
    let replay = Plan::new(imported.chain.clone()).expect("valid");
    assert_eq!(replay.predicted_makespan(Mode::Eager), 900);
    assert!(imported.notes.contains(&Note::OtherRuns {
        imported: "the sequential mode run".into(),
        others: 2
    }));
}

#[test]
fn chainlab_files_still_open_and_assumed_latencies_change_at_once() {
    let chain = gallery::research_assistant();
    let imported = import(&to_file(&chain), Some("research.json")).expect("imports");
    assert_eq!(imported.format, Format::ChainLab);
    assert_eq!(imported.chain, chain);

    let mut chain = import(LANGGRAPH_MERMAID, None).expect("imports").chain;
    let fast = LatencyModel::Fixed { ms: 100 };
    assert_eq!(set_latency(&mut chain, GuessedKind::Llm, fast), 2);
    for s in &chain.steps {
        assert_eq!(
            s.sim.latency == fast,
            matches!(s.kind, StepKind::Llm(_)),
            "{}",
            s.id
        );
    }
    assert_eq!(set_latency(&mut chain, GuessedKind::Llm, fast), 0);
}

/// Ids that are valid in ChainLab but that Mermaid would misread as written, beside
/// plain ones: the export must carry them through.
const AWKWARD_IDS: [&str; 9] = [
    "end",
    "End",
    "a-",
    "-b",
    "x--y",
    "é",
    "__start__",
    "graph",
    "数",
];

/// A random chain: step `t` takes inputs from earlier steps only, ids plain or
/// awkward, labels any text (quotes, `#`, HTML, line breaks, other scripts).
fn random_chain() -> impl Strategy<Value = Chain> {
    (1usize..30)
        .prop_flat_map(|n| {
            let steps = (0..n)
                .map(|t| {
                    (
                        proptest::collection::vec(0..t.max(1), 0..=3.min(t)),
                        prop_oneof![3 => Just(None), 1 => (0..AWKWARD_IDS.len()).prop_map(Some)],
                        prop_oneof![
                            Just(String::new()),
                            "\\PC{0,24}",
                            "[\"#&<>`%;|\\[\\](){} \n-]{0,12}"
                        ],
                        0u32..1000,
                    )
                })
                .collect::<Vec<_>>();
            (steps, ".{0,20}")
        })
        .prop_map(|(steps, name)| {
            let id = |t: usize, awkward: Option<usize>| match awkward {
                Some(k) => format!("{}{t}", AWKWARD_IDS[k]),
                None => format!("s{t}"),
            };
            let ids: Vec<String> = steps.iter().enumerate().map(|(t, s)| id(t, s.1)).collect();
            Chain {
                name,
                description: String::new(),
                seed: 0,
                steps: steps
                    .into_iter()
                    .enumerate()
                    .map(|(t, (mut inputs, _, label, ms))| {
                        inputs.sort_unstable();
                        inputs.dedup();
                        Step {
                            id: StepId::new(ids[t].clone()),
                            label,
                            kind: StepKind::Llm(LlmStep::default()),
                            inputs: inputs
                                .iter()
                                .map(|&u| StepId::new(ids[u].clone()))
                                .collect(),
                            position: Position::default(),
                            sim: Simulation {
                                latency: LatencyModel::Fixed { ms },
                                output: String::new(),
                            },
                        }
                    })
                    .collect(),
            }
        })
}

proptest! {
    #[test]
    fn mermaid_export_imports_as_the_same_steps_and_edges(chain in random_chain()) {
        let text = to_mermaid(&chain);
        let imported = import(&text, None).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let back = imported.chain;
        prop_assert_eq!(ids(&back), ids(&chain), "{}", text);
        for (a, b) in chain.steps.iter().zip(&back.steps) {
            prop_assert_eq!(&a.inputs, &b.inputs, "{}", text);
            let label = if a.label.trim().is_empty() { a.id.as_str() } else { a.label.trim() };
            prop_assert_eq!(label, b.label.as_str(), "{}", text);
        }
        prop_assert_eq!(back.name.trim(), chain.name.trim());
    }

    #[test]
    fn an_eager_run_replays_in_the_time_it_took(chain in random_chain()) {
        let plan = Plan::new(chain).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
        let race = Race::simulated(&plan, &[Mode::Eager]);
        let imported = import(&chrome_trace(&race), None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let replay = Plan::new(imported.chain).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
        prop_assert_eq!(replay.predicted_makespan(Mode::Eager), plan.predicted_makespan(Mode::Eager));
        for i in 0..replay.len() {
            let original = plan.index_of(&replay.step(i).id).expect("same ids");
            prop_assert_eq!(replay.latency(i), plan.latency(original));
        }
    }
}
