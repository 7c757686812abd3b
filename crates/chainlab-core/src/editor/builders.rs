//! One way to write a step in code: the gallery, the tests, the benchmarks and the
//! page's benchmark hook all build steps with these, so a new field of [`Step`] has one
//! default in one place.
//!
//! ```
//! use chainlab_core::Step;
//! let search = Step::http("search_a", "https://example.com/?q={{question}}")
//!     .after(&["question"])
//!     .taking_ms(300)
//!     .simulating("Results for {{question}}");
//! assert_eq!(search.inputs[0].as_str(), "question");
//! ```

use crate::model::{
    HttpStep, LatencyModel, LlmStep, Position, Simulation, Step, StepId, StepKind, TransformOp,
    TransformStep,
};

impl Step {
    fn of_kind(id: &str, kind: StepKind) -> Self {
        Self {
            id: StepId::new(id),
            label: id.to_string(),
            kind,
            inputs: Vec::new(),
            position: Position::default(),
            sim: Simulation::default(),
        }
    }

    /// A step the chain starts from, holding `text`.
    pub fn input(id: &str, text: &str) -> Self {
        Self::of_kind(id, StepKind::Input { text: text.into() })
    }

    /// A model call on the simulator, with `prompt` as its template.
    pub fn llm(id: &str, prompt: &str) -> Self {
        Self::of_kind(
            id,
            StepKind::Llm(LlmStep {
                provider: "simulator".into(),
                model: "sim-small".into(),
                system_prompt: String::new(),
                prompt: prompt.into(),
                temperature: 0.7,
                max_tokens: 512,
            }),
        )
    }

    /// A `GET` of `url` (a template).
    pub fn http(id: &str, url: &str) -> Self {
        Self::of_kind(
            id,
            StepKind::Http(HttpStep {
                method: "GET".into(),
                url: url.into(),
                ..HttpStep::default()
            }),
        )
    }

    /// A local transform; `template` is used by [`TransformOp::Template`].
    pub fn transform(id: &str, op: TransformOp, template: &str) -> Self {
        Self::of_kind(
            id,
            StepKind::Transform(TransformStep {
                op,
                template: template.into(),
            }),
        )
    }

    /// What the run returns: its inputs' outputs.
    pub fn output(id: &str) -> Self {
        Self::of_kind(id, StepKind::Output)
    }

    pub fn labelled(mut self, label: &str) -> Self {
        self.label = label.into();
        self
    }

    /// The steps whose outputs this one needs.
    pub fn after<S: AsRef<str>>(mut self, inputs: &[S]) -> Self {
        self.inputs = inputs.iter().map(|i| StepId::new(i.as_ref())).collect();
        self
    }

    /// A fixed simulated latency.
    pub fn taking_ms(self, ms: u32) -> Self {
        self.with_latency(LatencyModel::Fixed { ms })
    }

    pub fn with_latency(mut self, latency: LatencyModel) -> Self {
        self.sim.latency = latency;
        self
    }

    /// The simulated output, a template like any other.
    pub fn simulating(mut self, output: &str) -> Self {
        self.sim.output = output.into();
        self
    }

    /// The provider an LLM step calls live (a name from the page's settings).
    pub fn calling(mut self, provider: &str) -> Self {
        if let StepKind::Llm(llm) = &mut self.kind {
            llm.provider = provider.into();
        }
        self
    }

    pub fn at(mut self, x: f64, y: f64) -> Self {
        self.position = Position { x, y };
        self
    }
}
