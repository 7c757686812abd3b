//! Writes every gallery chain, exported, for the Python check of the exported code
//! (tests/python/test_exported.py): `<dir>/<key>/` holds `chain.json` (the chain file),
//! `chain_langchain.py`, `chain_langgraph.py`, `chain.rs` and `expected.json` (the
//! engine's makespan per mode and the outputs of a simulated run).
//!
//!     cargo run -p chainlab-core --example export_gallery -- target/exported

use chainlab_core::codegen::{export, Language};
use chainlab_core::{gallery, share, simulate, Mode, Plan, RunOptions};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: export_gallery <output dir>")?,
    );
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let plan = Plan::new(chain.clone()).map_err(|p| format!("{}: {p:?}", example.key))?;
        let out = dir.join(example.key);
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
