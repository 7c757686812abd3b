//! A picture of the chain: steps as boxes at their canvas positions, inputs as arrows.

use crate::state::use_app_state;
use chainlab_core::{Plan, StepKind};
use leptos::prelude::*;

const NODE_W: f64 = 180.0;
const NODE_H: f64 = 64.0;
const MARGIN: f64 = 20.0;

#[component]
pub fn ChainDiagram() -> impl IntoView {
    let state = use_app_state();
    move || state.plan.with(|plan| plan.as_ref().ok().map(diagram))
}

fn diagram(plan: &Plan) -> impl IntoView {
    let steps = &plan.chain().steps;
    let width = steps.iter().map(|s| s.position.x).fold(0.0, f64::max) + NODE_W + MARGIN;
    let height = steps.iter().map(|s| s.position.y).fold(0.0, f64::max) + NODE_H + MARGIN;
    let edges = (0..plan.len())
        .flat_map(|i| plan.inputs(i).iter().map(move |&p| (p, i)))
        .map(|(from, to)| {
            let (a, b) = (plan.step(from).position, plan.step(to).position);
            let (x1, y1) = (a.x + NODE_W, a.y + NODE_H / 2.0);
            let (x2, y2) = (b.x - 4.0, b.y + NODE_H / 2.0);
            let bend = (x2 - x1).abs() / 2.0;
            let d = format!(
                "M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}",
                x1 + bend,
                x2 - bend
            );
            view! { <path class="edge" d=d marker-end="url(#arrow)"></path> }
        })
        .collect_view();
    let nodes = steps
        .iter()
        .map(|step| {
            let kind = match step.kind {
                StepKind::Input { .. } => "input",
                StepKind::Llm(_) => "llm",
                StepKind::Http(_) => "http",
                StepKind::Transform(_) => "transform",
                StepKind::Output => "output",
            };
            let latency = step.sim.latency.sample(plan.chain().seed, &step.id, 0);
            let (x, y) = (step.position.x, step.position.y);
            view! {
                <g
                    class=format!("node {kind}")
                    transform=format!("translate({x},{y})")
                    data-testid=format!("node-{}", step.id)
                >
                    <rect width=NODE_W height=NODE_H rx="8"></rect>
                    <text class="kind" x="10" y="18">{step.kind.name()}</text>
                    <text class="latency" x=NODE_W - 10.0 y="18" text-anchor="end">
                        {format!("{latency} ms")}
                    </text>
                    <text class="label" x="10" y="44">{step.label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <section class="diagram" aria-label="The chain">
            <h2>"The chain"</h2>
            <svg
                viewBox=format!("0 0 {width} {height}")
                role="img"
                aria-label=format!("{} as a graph of {} steps", plan.chain().name, steps.len())
            >
                <defs>
                    <marker
                        id="arrow"
                        viewBox="0 0 10 10"
                        refX="9"
                        refY="5"
                        markerWidth="8"
                        markerHeight="8"
                        orient="auto-start-reverse"
                    >
                        <path d="M0,0 L10,5 L0,10 z"></path>
                    </marker>
                </defs>
                {edges}
                {nodes}
            </svg>
        </section>
    }
}
