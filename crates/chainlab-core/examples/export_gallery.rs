//! Writes every gallery chain, exported, for the Python check of the exported code
//! (tests/python/test_exported.py): `<dir>/<key>/` holds `chain.json` (the chain file),
//! `chain_langchain.py`, `chain_langgraph.py`, `chain.rs` and `expected.json` (the
//! engine's makespan per mode and the outputs of a simulated run). Besides the gallery,
//! `every-field/` is a chain with every field of the model set and every kind of step,
//! latency model and transform: a field added to the model without its place in
//! docs/chain.schema.json fails the schema check, and every transform's Python
//! stand-in is compared with the engine's.
//!
//!     cargo run -p chainlab-core --example export_gallery -- target/exported

use chainlab_core::editor::gallery;
use chainlab_core::io::codegen::{export, Language};
use chainlab_core::io::share;
use chainlab_core::model::{
    Header, HttpStep, LatencyModel, LlmStep, Position, Simulation, TransformOp, TransformStep,
};
use chainlab_core::{simulate, Chain, Mode, Plan, RunOptions, Step, StepId, StepKind};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: export_gallery <output dir>")?,
    );
    let chains = gallery::EXAMPLES
        .iter()
        .map(|e| (e.key, (e.chain)()))
        .chain([("every-field", every_field())]);
    for (key, chain) in chains {
        let plan = Plan::new(chain.clone()).map_err(|p| format!("{key}: {p:?}"))?;
        let out = dir.join(key);
        std::fs::create_dir_all(&out)?;
        std::fs::write(out.join("chain.json"), share::to_file(&chain))?;
        for language in Language::ALL {
            std::fs::write(out.join(language.file_name()), export(&plan, language))?;
        }
        let trace = simulate(&plan, RunOptions::unlimited(Mode::Eager));
        let outputs: serde_json::Map<String, serde_json::Value> = chain
            .steps
            .iter()
            .filter_map(|s| Some((s.id.to_string(), trace.output_of(&s.id)?.to_string().into())))
            .collect();
        let expected = serde_json::json!({
            "sequential_ms": plan.predicted_makespan(Mode::Sequential),
            "staged_ms": plan.predicted_makespan(Mode::Staged),
            "eager_ms": plan.predicted_makespan(Mode::Eager),
            "levels": plan.levels().len(),
            "outputs": outputs,
        });
        std::fs::write(
            out.join("expected.json"),
            serde_json::to_string_pretty(&expected)?,
        )?;
    }
    Ok(())
}

/// A chain that sets every field of the model, with every kind of step, latency model
/// and transform.
fn every_field() -> Chain {
    let step = |id: &str, kind: StepKind, inputs: &[&str], latency: LatencyModel| Step {
        id: StepId::new(id),
        label: format!("Step {id}"),
        kind,
        inputs: inputs.iter().map(|i| StepId::new(*i)).collect(),
        position: Position { x: 1.5, y: 2.5 },
        sim: Simulation {
            latency,
            output: format!("output of {id}"),
        },
    };
    let transform = |op| {
        StepKind::Transform(TransformStep {
            op,
            template: "{{q}}".into(),
        })
    };
    let fixed = LatencyModel::Fixed { ms: 10 };
    Chain {
        name: "Every field".into(),
        description: "Sets every field of the chain model.".into(),
        seed: 42,
        steps: vec![
            step(
                "q",
                StepKind::Input {
                    text: "question".into(),
                },
                &[],
                fixed,
            ),
            step(
                "llm",
                StepKind::Llm(LlmStep {
                    provider: "simulator".into(),
                    model: "sim".into(),
                    system_prompt: "Be brief.".into(),
                    prompt: "{{q}}".into(),
                    temperature: 0.2,
                    max_tokens: 64,
                }),
                &["q"],
                LatencyModel::Uniform {
                    min_ms: 5,
                    max_ms: 9,
                },
            ),
            step(
                "http",
                StepKind::Http(HttpStep {
                    method: "POST".into(),
                    url: "https://example.org/{{q}}".into(),
                    headers: vec![Header::new("Accept", "application/json")],
                    body: "{\"q\": \"{{q}}\"}".into(),
                    json_pointer: "/answer".into(),
                }),
                &["q"],
                LatencyModel::LogNormal {
                    median_ms: 20,
                    sigma: 0.5,
                },
            ),
            step("t1", transform(TransformOp::Template), &["q"], fixed),
            step("t2", transform(TransformOp::Concatenate), &["q"], fixed),
            step("t3", transform(TransformOp::JsonMerge), &["q"], fixed),
            step("t4", transform(TransformOp::MajorityVote), &["q"], fixed),
            step("t5", transform(TransformOp::PickLongest), &["q"], fixed),
            step(
                "out",
                StepKind::Output,
                &["llm", "http", "t1", "t2", "t3", "t4", "t5"],
                fixed,
            ),
        ],
    }
}
