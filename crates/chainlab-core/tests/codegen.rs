//! Exported code: its structure follows the plan's levels, and text from the chain
//! never becomes code. (That the Python runs and matches the engine's staged
//! makespan is checked by tests/python/test_exported.py, a stage of scripts/check.sh.)

use chainlab_core::editor::gallery;
use chainlab_core::io::codegen::{export, Language};
use chainlab_core::{Plan, StepId};

#[test]
fn every_gallery_chain_exports_one_stage_per_level() {
    for example in gallery::EXAMPLES {
        let plan = Plan::new((example.chain)()).expect("gallery chain is valid");
        let levels = plan.levels().len();
        let langchain = export(&plan, Language::LangChain);
        assert_eq!(
            langchain.matches("= RunnableParallel(").count(),
            levels,
            "{}",
            example.key
        );
        assert_eq!(langchain.matches("RunnableAssign(level_").count(), levels);
        let langgraph = export(&plan, Language::LangGraph);
        assert_eq!(langgraph.matches("builder.add_node(").count(), plan.len());
        let fan_ins = (0..plan.len())
            .filter(|&i| plan.inputs(i).len() > 1)
            .count();
        assert_eq!(
            langgraph.matches("builder.add_edge([").count(),
            fan_ins,
            "{}",
            example.key
        );
        let rust = export(&plan, Language::Rust);
        assert_eq!(rust.matches("state.extend(join_all(").count(), levels);
        assert_eq!(rust.matches(" = after(vec![").count(), plan.len());
    }
}

#[test]
fn the_comments_say_which_steps_run_together() {
    let plan = Plan::new(gallery::uneven_branches()).expect("valid");
    for language in Language::ALL {
        let code = export(&plan, language);
        assert!(code.contains("b, c run together"), "{language:?}:\n{code}");
        assert!(code.contains("staged 700 ms"), "{language:?}");
    }
}

#[test]
fn chain_text_never_becomes_code() {
    let mut chain = gallery::uneven_branches();
    chain.name = "x\"\"\"\nimport os".into();
    chain.steps[1].label = "B\nimport os  # \u{2028}os.system('boom')\r\nfn evil() {}".into();
    if let chainlab_core::StepKind::Llm(llm) = &mut chain.steps[1].kind {
        llm.prompt = "Analyse in depth: {{a}}\n*/ \"); evil(); //".into();
    }
    chain.steps[1].sim.output = "Deep \"\"\" analysis \\ of {{a}}\nimport os".into();
    let plan = Plan::new(chain).expect("valid");
    for language in Language::ALL {
        let code = export(&plan, language);
        for line in code.lines() {
            let line = line.trim_start();
            assert!(!line.starts_with("import os"), "{language:?}: {line}");
            assert!(!line.starts_with("fn evil"), "{language:?}: {line}");
            assert!(!line.starts_with("os.system"), "{language:?}: {line}");
        }
        assert!(!code.contains('\u{2028}'));
    }
}

#[test]
fn step_ids_become_unique_identifiers() {
    let mut chain = gallery::uneven_branches();
    let ids = ["class", "search-a", "search_a", "2nd", "e"];
    for (step, id) in chain.steps.iter_mut().zip(ids) {
        step.id = StepId::new(id);
    }
    // Keep the edges and templates pointing at the renamed steps.
    chain.steps[1].inputs = vec![StepId::new("class")];
    chain.steps[2].inputs = vec![StepId::new("class")];
    chain.steps[3].inputs = vec![StepId::new("search_a")];
    chain.steps[4].inputs = vec![StepId::new("search-a"), StepId::new("2nd")];
    for step in &mut chain.steps {
        step.sim.output = String::new();
        if let chainlab_core::StepKind::Llm(llm) = &mut step.kind {
            llm.prompt = String::new();
        }
        if let chainlab_core::StepKind::Http(http) = &mut step.kind {
            http.url = "https://example.org".into();
        }
        if let chainlab_core::StepKind::Transform(t) = &mut step.kind {
            t.template = String::new();
        }
    }
    let plan = Plan::new(chain).expect("valid");
    let code = export(&plan, Language::LangGraph);
    for def in [
        "async def step_class(",
        "async def search_a(",
        "async def search_a_2(",
        "async def step_2nd(",
    ] {
        assert!(code.contains(def), "{def} missing:\n{code}");
    }
    assert!(
        code.contains("\"search-a\": str"),
        "state keys stay the step ids"
    );
}

#[test]
fn credentials_never_reach_exported_code() {
    let mut chain = gallery::uneven_branches();
    if let chainlab_core::StepKind::Http(http) = &mut chain.steps[2].kind {
        http.headers = vec![
            chainlab_core::model::Header::new("Authorization", "Bearer sk-live-secret"),
            chainlab_core::model::Header::new("Accept", "application/json"),
        ];
    }
    let plan = Plan::new(chain).expect("valid");
    for language in Language::ALL {
        let code = export(&plan, language);
        assert!(!code.contains("sk-live"), "{language:?}");
        let read = match language {
            Language::Rust => "Authorization: std::env::var(\"C_AUTHORIZATION\")",
            _ => "Authorization: os.environ[\"C_AUTHORIZATION\"]",
        };
        assert!(code.contains(read), "{language:?}:\n{code}");
        assert!(code.contains("Accept: application/json"), "{language:?}");
    }
}
