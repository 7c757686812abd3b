//! Random chains for property tests, shared by the test files that need them.
//!
//! A generated DAG numbers its steps `s0, s1, …` in a topological order (every input
//! of `s{t}` is some `s{u}` with `u < t`); the chain's step list is then often
//! shuffled, so the plan cannot rely on list order being a topological order.

use chainlab_core::model::{
    HttpStep, LatencyModel, LlmStep, Position, Simulation, TransformOp, TransformStep,
};
use chainlab_core::{Chain, Plan, Step, StepId, StepKind};
use proptest::prelude::*;
use proptest::sample::Index;

/// Outputs longer than this stop referencing their inputs, so that diamonds (whose
/// outputs would otherwise double at every level) keep outputs small.
const OUTPUT_BUDGET: usize = 600;

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Input,
    Llm,
    Http,
    Template,
    Output,
}

#[derive(Clone, Debug)]
pub struct GenStep {
    pub latency: LatencyModel,
    /// Topological numbers of the inputs, all smaller than the step's own.
    pub inputs: Vec<usize>,
    pub kind: Kind,
    /// Whether the step's template names its inputs (set by the output budget).
    pub refs: bool,
}

#[derive(Clone, Debug)]
pub struct Dag {
    pub seed: u64,
    pub steps: Vec<GenStep>,
    /// `list[p]` is the topological number of the step at list position `p`.
    pub list: Vec<usize>,
}

pub fn id(t: usize) -> StepId {
    StepId::new(format!("s{t}"))
}

pub fn latency_model() -> impl Strategy<Value = LatencyModel> {
    prop_oneof![
        5 => (0u32..=1000).prop_map(|ms| LatencyModel::Fixed { ms }),
        // Round figures make many steps end at the same instant.
        3 => (0u32..=10).prop_map(|h| LatencyModel::Fixed { ms: h * 100 }),
        1 => Just(LatencyModel::Fixed { ms: 0 }),
        1 => (0u32..=1000, 0u32..=1000)
            .prop_map(|(min_ms, max_ms)| LatencyModel::Uniform { min_ms, max_ms }),
        1 => (0u32..=1000, 0.0f64..1.5)
            .prop_map(|(median_ms, sigma)| LatencyModel::LogNormal { median_ms, sigma }),
    ]
}

/// Inputs are drawn from the `window` steps just before a step: a small window makes
/// deep graphs, a large one wide and shallow graphs.
pub fn dag(max_steps: usize) -> impl Strategy<Value = Dag> {
    (
        1..=max_steps,
        prop_oneof![Just(2usize), Just(6), Just(25), Just(200)],
    )
        .prop_flat_map(|(n, window)| {
            let step = (
                latency_model(),
                prop::collection::vec(any::<Index>(), 0..=4),
                0u8..10,
            );
            (
                any::<u64>(),
                prop::collection::vec(step, n),
                any::<bool>(),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            )
                .prop_map(move |(seed, raw, shuffle, shuffled)| {
                    build_dag(seed, window, raw, shuffle, shuffled)
                })
        })
}

fn build_dag(
    seed: u64,
    window: usize,
    raw: Vec<(LatencyModel, Vec<Index>, u8)>,
    shuffle: bool,
    shuffled: Vec<usize>,
) -> Dag {
    let mut steps: Vec<GenStep> = Vec::with_capacity(raw.len());
    let mut size: Vec<usize> = Vec::with_capacity(raw.len());
    for (t, (latency, picks, kind_roll)) in raw.into_iter().enumerate() {
        let mut inputs: Vec<usize> = Vec::new();
        if t > 0 {
            for pick in picks {
                let u = t - 1 - pick.index(t.min(window));
                if !inputs.contains(&u) {
                    inputs.push(u);
                }
            }
        }
        let input_size: usize = inputs.iter().map(|&u| size[u]).sum();
        let refs = input_size + 2 * inputs.len() <= OUTPUT_BUDGET;
        let kind = match (inputs.is_empty(), kind_roll) {
            (true, 0..=4) => Kind::Input,
            (_, 0..=4) => Kind::Llm,
            (_, 5..=6) => Kind::Http,
            (_, 7..=8) => Kind::Template,
            // An output step always joins all its inputs.
            _ if refs => Kind::Output,
            _ => Kind::Llm,
        };
        let own = format!("<s{t}|>").len() + inputs.len();
        size.push(match kind {
            Kind::Input => format!("q{t}").len(),
            Kind::Output => input_size + 2 * inputs.len(),
            _ if refs => own + input_size,
            _ => own,
        });
        steps.push(GenStep {
            latency,
            inputs,
            kind,
            refs,
        });
    }
    let list = if shuffle {
        shuffled
    } else {
        (0..steps.len()).collect()
    };
    Dag { seed, steps, list }
}

impl Dag {
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// `{{s3}}|{{s7}}` when the step names its inputs, else nothing.
    fn refs(&self, t: usize) -> String {
        let s = &self.steps[t];
        if !s.refs {
            return String::new();
        }
        s.inputs
            .iter()
            .map(|&u| format!("{{{{s{u}}}}}"))
            .collect::<Vec<_>>()
            .join("|")
    }

    pub fn chain(&self) -> Chain {
        let steps = self.list.iter().map(|&t| self.step(t)).collect();
        Chain {
            name: "random DAG".into(),
            description: String::new(),
            seed: self.seed,
            steps,
        }
    }

    fn step(&self, t: usize) -> Step {
        let g = &self.steps[t];
        let sim_output = format!("<s{t}|{}>", self.refs(t));
        let (kind, sim_output) = match g.kind {
            Kind::Input => (
                StepKind::Input {
                    text: format!("q{t}"),
                },
                String::new(),
            ),
            Kind::Llm => (
                StepKind::Llm(LlmStep {
                    provider: "simulator".into(),
                    model: "sim".into(),
                    system_prompt: String::new(),
                    prompt: format!("Use {}", self.refs(t)),
                    temperature: 0.7,
                    max_tokens: 512,
                }),
                sim_output,
            ),
            Kind::Http => (
                StepKind::Http(HttpStep {
                    method: "GET".into(),
                    url: format!("https://example.org/?q={}", self.refs(t)),
                    ..HttpStep::default()
                }),
                sim_output,
            ),
            Kind::Template => (
                StepKind::Transform(TransformStep {
                    op: TransformOp::Template,
                    template: sim_output,
                }),
                // Not used by a transform, but validated like any template.
                String::new(),
            ),
            Kind::Output => (StepKind::Output, String::new()),
        };
        Step {
            id: id(t),
            label: format!("step {t}"),
            kind,
            inputs: g.inputs.iter().map(|&u| id(u)).collect(),
            position: Position {
                x: t as f64,
                y: 0.0,
            },
            sim: Simulation {
                latency: g.latency,
                output: sim_output,
            },
        }
    }
}

pub fn plan_of(dag: &Dag) -> Plan {
    Plan::new(dag.chain()).unwrap_or_else(|problems| panic!("generated DAG refused: {problems:?}"))
}
