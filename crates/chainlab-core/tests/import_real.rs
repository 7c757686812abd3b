//! Imports files written by the real tools: LangGraph's `draw_mermaid()` and
//! `get_graph().to_json()`, and OTLP/JSON traces that the OpenTelemetry SDK recorded
//! of a chain run with real sleeps. `tests/python/make_import_fixtures.py` writes them
//! with a manifest of what each must import as; `scripts/check.sh` runs it and then
//! this test with `CHAINLAB_IMPORT_FIXTURES` set, so CI always checks the real output
//! of the versions pinned in tests/python/requirements.txt.

use chainlab_core::io::import::{import, Format, Imported, Note};
use chainlab_core::{Chain, Mode, Plan, StepKind};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Manifest {
    graphs: Vec<GraphCase>,
    traces: Vec<TraceCase>,
}

#[derive(Deserialize)]
struct GraphCase {
    name: String,
    mermaid: String,
    json: String,
    steps: Vec<String>,
    edges: Vec<(String, String)>,
    conditional: usize,
}

#[derive(Deserialize)]
struct TraceCase {
    file: String,
    service: String,
    trace_id: String,
    steps: Vec<MeasuredStep>,
    llm_steps: Vec<String>,
    edges: Vec<(String, String)>,
    root_ms: f64,
}

#[derive(Deserialize)]
struct MeasuredStep {
    id: String,
    duration_ms: f64,
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

fn import_file(dir: &Path, file: &str) -> Imported {
    let text = std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{file}: cannot be read: {e}"));
    import(&text, Some(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn files_written_by_langgraph_and_opentelemetry_import_as_they_should() {
    let Some(dir) = std::env::var_os("CHAINLAB_IMPORT_FIXTURES") else {
        eprintln!(
            "import_real: SKIPPED, CHAINLAB_IMPORT_FIXTURES is not set. scripts/check.sh writes \
             the files with tests/python/make_import_fixtures.py and runs this test with it."
        );
        return;
    };
    let dir = Path::new(&dir);
    let manifest: Manifest = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json")).expect("the manifest is written"),
    )
    .expect("the manifest parses");
    assert!(!manifest.graphs.is_empty() && !manifest.traces.is_empty());

    for case in &manifest.graphs {
        for (file, format) in [
            (&case.mermaid, Format::Mermaid),
            (&case.json, Format::LangGraphJson),
        ] {
            let imported = import_file(dir, file);
            assert_eq!(imported.format, format, "{file}");
            let ids: Vec<&str> = imported.chain.steps.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids, case.steps, "{file}: steps");
            assert_eq!(edges(&imported.chain), case.edges, "{file}: edges");
            let conditional = imported.notes.iter().find_map(|n| match n {
                Note::ConditionalEdges { count } => Some(*count),
                _ => None,
            });
            assert_eq!(
                conditional.unwrap_or(0),
                case.conditional,
                "{file}: {}",
                case.name
            );
        }
    }

    for case in &manifest.traces {
        let imported = import_file(dir, &case.file);
        let chain = &imported.chain;
        assert_eq!(imported.format, Format::OtlpJson);
        assert_eq!(
            chain.name,
            format!("{} · trace {}", case.service, &case.trace_id[..8]),
            "{}",
            case.file
        );
        let ids: Vec<&str> = chain.steps.iter().map(|s| s.id.as_str()).collect();
        let want: Vec<&str> = case.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, want, "{}: steps in order of start", case.file);
        assert_eq!(edges(chain), case.edges, "{}: edges", case.file);

        let plan = Plan::new(chain.clone()).expect("an imported chain is valid");
        for (i, measured) in case.steps.iter().enumerate() {
            let ms = plan.latency(i) as f64;
            assert!(
                (ms - measured.duration_ms).abs() < 1.0,
                "{}: {} took {} ms, imported as {ms} ms",
                case.file,
                measured.id,
                measured.duration_ms
            );
            let llm = matches!(plan.step(i).kind, StepKind::Llm(_));
            assert_eq!(
                llm,
                case.llm_steps.contains(&measured.id),
                "{}: kind",
                measured.id
            );
        }
        let eager = plan.predicted_makespan(Mode::Eager) as f64;
        assert!(
            (eager - case.root_ms).abs() <= 5.0,
            "{}: as it ran the chain takes {eager} ms, the root span {} ms",
            case.file,
            case.root_ms
        );
        eprintln!(
            "import_real: {}: {} steps, as it ran {eager} ms, root span {:.3} ms",
            case.file,
            chain.steps.len(),
            case.root_ms
        );
    }
}
