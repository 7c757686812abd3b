//! Ready-made chains. Each runs on the simulator with no key.

use crate::model::{
    Chain, HttpStep, LatencyModel, LlmStep, Position, Simulation, Step, StepId, StepKind,
    TransformOp, TransformStep,
};

/// A gallery entry: the chain and what a teacher can say about it.
pub struct Example {
    pub key: &'static str,
    pub chain: fn() -> Chain,
}

pub const EXAMPLES: &[Example] = &[
    Example {
        key: "research-assistant",
        chain: research_assistant,
    },
    Example {
        key: "uneven-branches",
        chain: uneven_branches,
    },
];

pub fn example(key: &str) -> Option<Chain> {
    EXAMPLES.iter().find(|e| e.key == key).map(|e| (e.chain)())
}

/// Search two sources, summarize each, synthesize.
pub fn research_assistant() -> Chain {
    Chain {
        name: "Research assistant".into(),
        description: "Two searches do not need each other, and neither do the two summaries: \
            run them side by side and only the synthesis waits for both. Sequentially the \
            five calls queue up one behind the other."
            .into(),
        seed: 7,
        steps: vec![
            input("question", "Question", "How do heat pumps perform in cold climates?", 0),
            http(
                "search_a",
                "Search A (papers)",
                &["question"],
                "https://api.example.org/papers?q={{question}}",
                300,
                "Papers on: {{question}} — field trials in Norway and Canada.",
                1,
                0,
            ),
            http(
                "search_b",
                "Search B (news)",
                &["question"],
                "https://api.example.org/news?q={{question}}",
                400,
                "News on: {{question}} — adoption is rising in Nordic countries.",
                1,
                1,
            ),
            llm(
                "summarize_a",
                "Summarize A",
                &["search_a"],
                "Summarize these papers in three bullet points:\n{{search_a}}",
                600,
                "Summary of papers: efficient down to -25 °C. ({{search_a}})",
                2,
                0,
            ),
            llm(
                "summarize_b",
                "Summarize B",
                &["search_b"],
                "Summarize these articles in three bullet points:\n{{search_b}}",
                500,
                "Summary of news: sales doubled since 2020. ({{search_b}})",
                2,
                1,
            ),
            llm(
                "synthesize",
                "Synthesize",
                &["summarize_a", "summarize_b"],
                "Write a short answer from:\n{{summarize_a}}\n{{summarize_b}}",
                700,
                "Answer: heat pumps work well in cold climates. Based on: {{summarize_a}} / {{summarize_b}}",
                3,
                0,
            ),
            output("answer", "Answer", &["synthesize"], 4),
        ],
    }
}

/// The chain where staged and eager differ: B is slow, C then D are quick, and a
/// barrier makes D wait for B although D does not need B.
pub fn uneven_branches() -> Chain {
    Chain {
        name: "Uneven branches".into(),
        description: "B takes 500 ms; C and D take 200 ms each, one after the other. Staged \
            runs make D wait for the whole level (B and C), so they take 700 ms; eager runs \
            start D as soon as C is done and finish in 500 ms, the critical path."
            .into(),
        seed: 11,
        steps: vec![
            input("a", "A: question", "Plan a weekend in Lisbon", 0),
            llm(
                "b",
                "B: long analysis",
                &["a"],
                "Analyse in depth: {{a}}",
                500,
                "Deep analysis of {{a}}",
                1,
                0,
            ),
            http(
                "c",
                "C: quick lookup",
                &["a"],
                "https://api.example.org/lookup?q={{a}}",
                200,
                "Lookup for {{a}}",
                1,
                1,
            ),
            llm(
                "d",
                "D: refine lookup",
                &["c"],
                "Refine: {{c}}",
                200,
                "Refined {{c}}",
                2,
                1,
            ),
            Step {
                id: StepId::new("e"),
                label: "E: combine".into(),
                kind: StepKind::Transform(TransformStep {
                    op: TransformOp::Template,
                    template: "{{b}}\n{{d}}".into(),
                }),
                inputs: ids(&["b", "d"]),
                position: at(3, 0),
                sim: Simulation::default(),
            },
        ],
    }
}

fn ids(names: &[&str]) -> Vec<StepId> {
    names.iter().map(|n| StepId::new(*n)).collect()
}

/// Canvas position of a step in column `column`, row `row`.
fn at(column: u32, row: u32) -> Position {
    Position {
        x: 40.0 + 220.0 * f64::from(column),
        y: 40.0 + 120.0 * f64::from(row),
    }
}

fn fixed(ms: u32, output: &str) -> Simulation {
    Simulation {
        latency: LatencyModel::Fixed { ms },
        output: output.into(),
    }
}

fn input(id: &str, label: &str, text: &str, row: u32) -> Step {
    Step {
        id: StepId::new(id),
        label: label.into(),
        kind: StepKind::Input { text: text.into() },
        inputs: vec![],
        position: at(0, row),
        sim: Simulation::default(),
    }
}

#[allow(clippy::too_many_arguments)]
fn llm(
    id: &str,
    label: &str,
    inputs: &[&str],
    prompt: &str,
    ms: u32,
    output: &str,
    column: u32,
    row: u32,
) -> Step {
    Step {
        id: StepId::new(id),
        label: label.into(),
        kind: StepKind::Llm(LlmStep {
            provider: "simulator".into(),
            model: "sim-small".into(),
            system_prompt: String::new(),
            prompt: prompt.into(),
            temperature: 0.7,
            max_tokens: 512,
        }),
        inputs: ids(inputs),
        position: at(column, row),
        sim: fixed(ms, output),
    }
}

#[allow(clippy::too_many_arguments)]
fn http(
    id: &str,
    label: &str,
    inputs: &[&str],
    url: &str,
    ms: u32,
    output: &str,
    column: u32,
    row: u32,
) -> Step {
    Step {
        id: StepId::new(id),
        label: label.into(),
        kind: StepKind::Http(HttpStep {
            method: "GET".into(),
            url: url.into(),
            ..HttpStep::default()
        }),
        inputs: ids(inputs),
        position: at(column, row),
        sim: fixed(ms, output),
    }
}

fn output(id: &str, label: &str, inputs: &[&str], column: u32) -> Step {
    Step {
        id: StepId::new(id),
        label: label.into(),
        kind: StepKind::Output,
        inputs: ids(inputs),
        position: at(column, 0),
        sim: Simulation::default(),
    }
}
