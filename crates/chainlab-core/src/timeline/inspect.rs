//! What the inspector shows of a step in a finished lane: what went into it.

use crate::io::secrets;
use crate::model::{Mode, StepKind};
use crate::race::Race;
use crate::steps::template;

impl Race {
    /// What went into one attempt of a step, as the step saw it: the rendered prompt
    /// or request, filled with its inputs' outputs from the same lane. Header values
    /// are left out: they may hold keys.
    pub fn request_text(&self, mode: Mode, i: usize) -> String {
        let Some(lane) = self.lane(mode) else {
            return String::new();
        };
        let inputs: Vec<_> = self
            .plan
            .inputs(i)
            .iter()
            .filter_map(|&p| {
                let span = lane.latest(p)?;
                Some((span.step.clone(), span.output.clone()?))
            })
            .collect();
        let step = self.plan.step(i);
        match &step.kind {
            StepKind::Input { text } => text.clone(),
            StepKind::Llm(llm) => {
                let prompt = template::render(&llm.prompt, &inputs);
                if llm.system_prompt.is_empty() {
                    prompt
                } else {
                    let system = template::render(&llm.system_prompt, &inputs);
                    format!("System: {system}\n\n{prompt}")
                }
            }
            StepKind::Http(http) => {
                let mut text = format!(
                    "{} {}",
                    http.method,
                    secrets::redact_url(&template::render_url(&http.url, &inputs))
                );
                for header in &http.headers {
                    let value = if secrets::is_secret_header(header) {
                        secrets::MASK.to_string()
                    } else {
                        template::render(&header.value, &inputs)
                    };
                    text.push_str(&format!("\n{}: {value}", header.name));
                }
                if !http.body.is_empty() {
                    text.push_str("\n\n");
                    text.push_str(&template::render(&http.body, &inputs));
                }
                secrets::of_step(&step.id, http).redact(&text)
            }
            StepKind::Transform(_) | StepKind::Output => inputs
                .iter()
                .map(|(id, output)| format!("{id}: {output}", id = id.as_str()))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}
