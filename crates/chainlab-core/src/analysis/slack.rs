//! Slack per step by the critical path method, and what-if questions about one step.
//!
//! Forward pass: earliest start ES = max over inputs of EF, earliest finish EF = ES +
//! latency. Backward pass: latest finish LF = min over dependents of LS (for a step
//! nothing depends on: the makespan), latest start LS = LF − latency. Slack = LS − ES
//! is how much later a step may end without the eager run ending later; a step with
//! no slack is critical. Speeding up a step with slack changes nothing.

use super::{check_len, ms, Shape};
use crate::model::Millis;
use crate::plan::Plan;
use crate::Mode;

/// The critical path method's figures for one step, in ms from the start of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepSlack {
    pub earliest_start: Millis,
    pub earliest_finish: Millis,
    pub latest_start: Millis,
    pub latest_finish: Millis,
    pub slack: Millis,
}

impl StepSlack {
    /// On the critical path: any delay here delays the whole eager run.
    pub fn is_critical(&self) -> bool {
        self.slack == 0
    }

    /// What the inspector shows for the selected step.
    pub fn label(&self) -> String {
        let starts = format!(
            "Earliest start {}, latest start {}",
            ms(self.earliest_start),
            ms(self.latest_start)
        );
        if self.is_critical() {
            format!("{starts}: critical, no slack. Any delay here delays the eager run.")
        } else {
            format!(
                "{starts}: {} of slack. It could take that much longer without delaying \
                 the eager run, so speeding it up changes nothing.",
                ms(self.slack)
            )
        }
    }

    /// The short mark on the canvas: "critical" or "slack 100 ms".
    pub fn mark(&self) -> String {
        if self.is_critical() {
            "critical".into()
        } else {
            format!("slack {}", ms(self.slack))
        }
    }
}

/// Slack of every step, for one set of latencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slack {
    /// The eager makespan: the critical path's length.
    pub makespan: Millis,
    /// By step index in the chain's step list.
    pub steps: Vec<StepSlack>,
}

/// Slack of every step of `plan` when step `i` takes `latency[i]` ms: the plan's own
/// latencies ([`super::planned_latencies`]) or times measured in a live run.
pub fn slack(plan: &Plan, latency: &[Millis]) -> Slack {
    check_len(plan, latency);
    slack_of(&Shape::of(plan), latency)
}

fn slack_of(shape: &Shape, latency: &[Millis]) -> Slack {
    let mut finish = vec![0; shape.len()];
    shape.earliest_finish(latency, &mut finish);
    let makespan = finish.iter().copied().max().unwrap_or(0);
    let mut latest_start = vec![0; shape.len()];
    for &i in shape.order.iter().rev() {
        let latest_finish = shape
            .dependents(i)
            .iter()
            .map(|&d| latest_start[d])
            .min()
            .unwrap_or(makespan);
        latest_start[i] = latest_finish - latency[i];
    }
    let steps = (0..shape.len())
        .map(|i| {
            let earliest_start = finish[i] - latency[i];
            StepSlack {
                earliest_start,
                earliest_finish: finish[i],
                latest_start: latest_start[i],
                latest_finish: latest_start[i] + latency[i],
                slack: latest_start[i] - earliest_start,
            }
        })
        .collect();
    Slack { makespan, steps }
}

/// The eager and staged makespans (no concurrency limit) if one step took another time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WhatIf {
    pub step: usize,
    pub latency: Millis,
    pub eager: Millis,
    pub staged: Millis,
}

impl WhatIf {
    /// "If C: quick lookup took 400 ms, eager would take 600 ms and staged 700 ms."
    pub fn label(&self, plan: &Plan) -> String {
        format!(
            "If {} took {}, eager would take {} and staged {}.",
            plan.step(self.step).label,
            ms(self.latency),
            ms(self.eager),
            ms(self.staged)
        )
    }
}

/// What eager and staged would take if step `step` (its index in the chain's step
/// list) took `step_ms` and every other step `i` took `latency[i]`. Linear in the size
/// of the chain, with no new plan, so a slider can call it on every move.
pub fn what_if(plan: &Plan, latency: &[Millis], step: usize, step_ms: Millis) -> WhatIf {
    check_len(plan, latency);
    what_if_on(&Shape::of(plan), latency, step, step_ms)
}

fn what_if_on(shape: &Shape, latency: &[Millis], step: usize, step_ms: Millis) -> WhatIf {
    let mut changed = latency.to_vec();
    changed[step] = step_ms;
    let mut finish = vec![0; shape.len()];
    WhatIf {
        step,
        latency: step_ms,
        eager: shape.makespan(Mode::Eager, &changed, &mut finish),
        staged: shape.makespan(Mode::Staged, &changed, &mut finish),
    }
}

/// The step whose speed-up helps most: the one that, if it took half its time
/// (rounded down), would cut the eager makespan most. Eager is the chain's physical
/// limit, so this is the step worth making faster; staged figures are given beside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpeedUp {
    pub step: usize,
    pub before: WhatIf,
    pub after: WhatIf,
}

impl SpeedUp {
    /// How many ms the eager run would save.
    pub fn gain(&self) -> Millis {
        self.before.eager - self.after.eager
    }

    /// "Halving Search B (500 → 250 ms) helps most: eager 500 → 400 ms (100 ms sooner),
    /// staged 700 → 450 ms."
    pub fn label(&self, plan: &Plan) -> String {
        format!(
            "Halving {} ({} → {}) helps most: eager {} → {} ({} sooner), staged {} → {}.",
            plan.step(self.step).label,
            self.before.latency,
            ms(self.after.latency),
            self.before.eager,
            ms(self.after.eager),
            ms(self.gain()),
            self.before.staged,
            ms(self.after.staged),
        )
    }
}

/// Says why there is no step worth speeding up, when [`best_speed_up`] finds none.
pub const NO_SPEED_UP: &str = "Halving any one step would not shorten the eager run: two or \
    more paths are equally long, so they must all get faster together.";

/// Finds the step whose halving cuts the eager makespan most (ties: the first in
/// topological order). Only critical steps can shorten the eager run, so only they
/// are tried. `None` if no single halving helps (see [`NO_SPEED_UP`]).
pub fn best_speed_up(plan: &Plan, latency: &[Millis]) -> Option<SpeedUp> {
    check_len(plan, latency);
    let shape = Shape::of(plan);
    let slack = slack_of(&shape, latency);
    let mut best: Option<SpeedUp> = None;
    for &i in &shape.order {
        if !slack.steps[i].is_critical() || latency[i] == 0 {
            continue;
        }
        let after = what_if_on(&shape, latency, i, latency[i] / 2);
        let gain = slack.makespan - after.eager;
        if gain > 0 && best.is_none_or(|b| gain > b.gain()) {
            best = Some(SpeedUp {
                step: i,
                before: what_if_on(&shape, latency, i, latency[i]),
                after,
            });
        }
    }
    best
}
