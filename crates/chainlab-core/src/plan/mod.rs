//! Validation and analysis: a [`Plan`] is a chain that is known to be a runnable DAG,
//! indexed for the schedulers, with its dependency levels, critical path and the
//! makespan each mode must reach.

use crate::model::{Chain, Millis, Step, StepId, StepKind};
use crate::steps::template;
use std::collections::HashMap;
use std::fmt;

/// Larger chains are refused: they would not fit on a canvas or in a link.
pub const MAX_STEPS: usize = 500;
/// All text of a chain together (labels, prompts, templates, outputs).
pub const MAX_TEXT_BYTES: usize = 100 * 1024;

/// How big a chain may be. People's chains get [`Limits::default`]; benchmarks and
/// stress tests may ask for more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_steps: usize,
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_steps: MAX_STEPS,
            max_text_bytes: MAX_TEXT_BYTES,
        }
    }
}

/// Something that keeps a chain from running. Messages name the steps involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    EmptyChain,
    TooManySteps {
        count: usize,
        max: usize,
    },
    TooMuchText {
        bytes: usize,
        max: usize,
    },
    EmptyId {
        position: usize,
    },
    DuplicateId {
        id: StepId,
    },
    DanglingInput {
        step: StepId,
        missing: StepId,
    },
    RepeatedInput {
        step: StepId,
        input: StepId,
    },
    InputStepWithInputs {
        step: StepId,
    },
    /// The steps of one cycle, in edge order; the first is repeated at the end.
    Cycle {
        steps: Vec<StepId>,
    },
    UnknownTemplateName {
        step: StepId,
        field: &'static str,
        name: String,
    },
}

impl Problem {
    /// The step the problem should be shown on, if it concerns one.
    pub fn step(&self) -> Option<&StepId> {
        match self {
            Problem::EmptyChain
            | Problem::TooManySteps { .. }
            | Problem::TooMuchText { .. }
            | Problem::EmptyId { .. } => None,
            Problem::DuplicateId { id } => Some(id),
            Problem::DanglingInput { step, .. }
            | Problem::RepeatedInput { step, .. }
            | Problem::InputStepWithInputs { step }
            | Problem::UnknownTemplateName { step, .. } => Some(step),
            Problem::Cycle { steps } => steps.first(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::EmptyChain => write!(f, "The chain has no steps: add one to start."),
            Problem::TooManySteps { count, max } => write!(
                f,
                "The chain has {count} steps; at most {max} are allowed."
            ),
            Problem::TooMuchText { bytes, max } => write!(
                f,
                "The chain holds {} KB of text; at most {} KB are allowed.",
                bytes.div_ceil(1024),
                max / 1024
            ),
            Problem::EmptyId { position } => {
                write!(f, "Step number {} has no id: give it one.", position + 1)
            }
            Problem::DuplicateId { id } => {
                write!(f, "Two steps share the id \"{id}\": ids must be unique.")
            }
            Problem::DanglingInput { step, missing } => write!(
                f,
                "Step \"{step}\" takes input from \"{missing}\", which is not a step of this chain."
            ),
            Problem::RepeatedInput { step, input } => {
                write!(f, "Step \"{step}\" lists \"{input}\" as an input twice.")
            }
            Problem::InputStepWithInputs { step } => write!(
                f,
                "\"{step}\" is an input step: it starts the chain and cannot take inputs."
            ),
            Problem::Cycle { steps } => {
                let names: Vec<&str> = steps.iter().map(StepId::as_str).collect();
                write!(
                    f,
                    "These steps wait for each other in a cycle, so none can start: {}.",
                    names.join(" → ")
                )
            }
            Problem::UnknownTemplateName { step, field, name } => write!(
                f,
                "The {field} of \"{step}\" uses {{{{{name}}}}}, but \"{name}\" is not one of its inputs."
            ),
        }
    }
}

/// A chain that passed validation, with everything the schedulers and the analysis need.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    chain: Chain,
    preds: Vec<Vec<usize>>,
    succs: Vec<Vec<usize>>,
    /// A topological order; ties keep the order of the chain's step list.
    order: Vec<usize>,
    level: Vec<usize>,
    levels: Vec<Vec<usize>>,
    /// Simulated latency of each step's first attempt.
    latency: Vec<Millis>,
}

impl Plan {
    /// Checks the chain and returns every problem found, or a plan ready to run.
    pub fn new(chain: Chain) -> Result<Self, Vec<Problem>> {
        Self::with_limits(chain, Limits::default())
    }

    pub fn with_limits(chain: Chain, limits: Limits) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        if chain.steps.is_empty() {
            return Err(vec![Problem::EmptyChain]);
        }
        if chain.steps.len() > limits.max_steps {
            return Err(vec![Problem::TooManySteps {
                count: chain.steps.len(),
                max: limits.max_steps,
            }]);
        }
        let bytes: usize = chain.name.len()
            + chain.description.len()
            + chain.steps.iter().map(Step::text_len).sum::<usize>();
        if bytes > limits.max_text_bytes {
            return Err(vec![Problem::TooMuchText {
                bytes,
                max: limits.max_text_bytes,
            }]);
        }

        let mut index: HashMap<&StepId, usize> = HashMap::new();
        for (i, step) in chain.steps.iter().enumerate() {
            if step.id.as_str().trim().is_empty() {
                problems.push(Problem::EmptyId { position: i });
            } else if index.insert(&step.id, i).is_some() {
                problems.push(Problem::DuplicateId {
                    id: step.id.clone(),
                });
            }
        }

        let n = chain.steps.len();
        let mut preds = vec![Vec::new(); n];
        for (i, step) in chain.steps.iter().enumerate() {
            if matches!(step.kind, StepKind::Input { .. }) && !step.inputs.is_empty() {
                problems.push(Problem::InputStepWithInputs {
                    step: step.id.clone(),
                });
            }
            for input in &step.inputs {
                match index.get(input) {
                    None => problems.push(Problem::DanglingInput {
                        step: step.id.clone(),
                        missing: input.clone(),
                    }),
                    Some(&p) if preds[i].contains(&p) => problems.push(Problem::RepeatedInput {
                        step: step.id.clone(),
                        input: input.clone(),
                    }),
                    Some(&p) => preds[i].push(p),
                }
            }
            for (field, text) in step.templates() {
                for name in template::references(text) {
                    if !step.inputs.iter().any(|input| input.as_str() == name) {
                        problems.push(Problem::UnknownTemplateName {
                            step: step.id.clone(),
                            field,
                            name: name.to_string(),
                        });
                    }
                }
            }
        }
        // One message per problem, in the order found.
        let mut seen = Vec::with_capacity(problems.len());
        problems.retain(|p| {
            let new = !seen.contains(p);
            if new {
                seen.push(p.clone());
            }
            new
        });

        let mut succs = vec![Vec::new(); n];
        for (i, ps) in preds.iter().enumerate() {
            for &p in ps {
                succs[p].push(i);
            }
        }
        let order = match topological_order(&preds, &succs) {
            Ok(order) => order,
            Err(cycle) => {
                problems.push(Problem::Cycle {
                    steps: cycle.iter().map(|&i| chain.steps[i].id.clone()).collect(),
                });
                return Err(problems);
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }

        let mut level = vec![0; n];
        for &i in &order {
            level[i] = preds[i].iter().map(|&p| level[p] + 1).max().unwrap_or(0);
        }
        let depth = level.iter().max().map_or(0, |l| l + 1);
        let mut levels = vec![Vec::new(); depth];
        for &i in &order {
            levels[level[i]].push(i);
        }
        let latency = chain
            .steps
            .iter()
            .map(|s| s.sim.latency.sample(chain.seed, &s.id, 0))
            .collect();
        Ok(Self {
            chain,
            preds,
            succs,
            order,
            level,
            levels,
            latency,
        })
    }

    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    pub fn len(&self) -> usize {
        self.chain.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chain.steps.is_empty()
    }

    pub fn step(&self, i: usize) -> &Step {
        &self.chain.steps[i]
    }

    pub fn index_of(&self, id: &StepId) -> Option<usize> {
        self.chain.steps.iter().position(|s| &s.id == id)
    }

    pub fn inputs(&self, i: usize) -> &[usize] {
        &self.preds[i]
    }

    pub fn dependents(&self, i: usize) -> &[usize] {
        &self.succs[i]
    }

    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// 0 for steps with no inputs, else one more than the deepest input.
    pub fn level(&self, i: usize) -> usize {
        self.level[i]
    }

    /// Steps grouped by level: the steps of one level can all run at the same time.
    pub fn levels(&self) -> &[Vec<usize>] {
        &self.levels
    }

    /// The same plan with step `i` taking `ms[i]` (a fixed latency): how a live race
    /// predicts from measured times with the code that predicts from simulated ones.
    pub fn with_latencies(&self, ms: &[Millis]) -> Self {
        let mut plan = self.clone();
        for (i, &ms) in ms.iter().enumerate().take(plan.len()) {
            let ms = ms.min(crate::model::MAX_LATENCY_MS);
            plan.latency[i] = ms;
            plan.chain.steps[i].sim.latency = crate::model::LatencyModel::Fixed {
                ms: u32::try_from(ms).unwrap_or(u32::MAX),
            };
        }
        plan
    }

    pub fn latency(&self, i: usize) -> Millis {
        self.latency[i]
    }

    /// Sum of all simulated latencies: the work to be done.
    pub fn total_work(&self) -> Millis {
        self.latency.iter().sum()
    }

    /// What the run will not return, in words, before it runs: an output step with no
    /// inputs, or steps whose work reaches no output step. (A chain with no output step
    /// returns what its last steps return.) The chain still runs; this only says what
    /// its result will lack.
    pub fn output_warning(&self) -> Option<String> {
        let outputs: Vec<usize> = (0..self.len())
            .filter(|&i| matches!(self.step(i).kind, crate::StepKind::Output))
            .collect();
        if outputs.is_empty() {
            return None;
        }
        if let Some(&empty) = outputs.iter().find(|&&i| self.inputs(i).is_empty()) {
            return Some(format!(
                "The output step \"{}\" has no inputs, so it returns nothing: connect the last steps into it.",
                self.step(empty).label
            ));
        }
        // Steps from which no output can be reached: walk back from the outputs.
        let mut reaches = vec![false; self.len()];
        let mut stack = outputs;
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reaches[i], true) {
                stack.extend_from_slice(self.inputs(i));
            }
        }
        let stray: Vec<&str> = (0..self.len())
            .filter(|&i| !reaches[i])
            .map(|i| self.step(i).label.as_str())
            .collect();
        match stray.as_slice() {
            [] => None,
            [one] => Some(format!(
                "\"{one}\" is not connected to the output, so its result is left out of what the run returns."
            )),
            many => Some(format!(
                "{} steps are not connected to the output ({}), so their results are left out of what the run returns.",
                many.len(),
                many.join(", ")
            )),
        }
    }

    /// The longest chain of dependent steps, by simulated latency, first to last.
    pub fn critical_path(&self) -> Vec<usize> {
        let mut finish = vec![0; self.len()];
        let mut via: Vec<Option<usize>> = vec![None; self.len()];
        for &i in &self.order {
            let before = self.preds[i].iter().copied().max_by_key(|&p| finish[p]);
            finish[i] = before.map_or(0, |p| finish[p]) + self.latency[i];
            via[i] = before;
        }
        let mut path = Vec::new();
        let mut cursor = (0..self.len()).max_by_key(|&i| finish[i]);
        while let Some(i) = cursor {
            path.push(i);
            cursor = via[i];
        }
        path.reverse();
        path
    }

    pub fn critical_path_ms(&self) -> Millis {
        self.critical_path().iter().map(|&i| self.latency[i]).sum()
    }

    /// Makespan on the simulator with no concurrency limit.
    pub fn predicted_makespan(&self, mode: crate::Mode) -> Millis {
        match mode {
            crate::Mode::Sequential => self.total_work(),
            crate::Mode::Staged => self
                .levels
                .iter()
                .map(|level| level.iter().map(|&i| self.latency[i]).max().unwrap_or(0))
                .sum(),
            crate::Mode::Eager => self.critical_path_ms(),
        }
    }

    /// No schedule with at most `limit` steps running at once can finish sooner.
    pub fn lower_bound(&self, limit: usize) -> f64 {
        let work = self.total_work() as f64 / limit.max(1) as f64;
        work.max(self.critical_path_ms() as f64)
    }

    /// Graham's bound: any schedule that never idles while a step is ready and a slot
    /// is free finishes by then.
    pub fn graham_bound(&self, limit: usize) -> f64 {
        self.total_work() as f64 / limit.max(1) as f64 + self.critical_path_ms() as f64
    }
}

/// Kahn's algorithm, stable with respect to the step list. On a cycle, returns the
/// steps of one cycle, closed (first step repeated at the end).
fn topological_order(preds: &[Vec<usize>], succs: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    let n = preds.len();
    let mut waiting: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &s in &succs[i] {
            waiting[s] -= 1;
            if waiting[s] == 0 {
                ready.insert(s);
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Every step left has an input that is also left, so walking inputs backwards
    // must revisit a step: that walk closes a cycle.
    let Some(start) = (0..n).find(|&i| waiting[i] > 0) else {
        return Ok(order);
    };
    let mut seen_at = vec![usize::MAX; n];
    let mut walk = Vec::new();
    let mut i = start;
    while seen_at[i] == usize::MAX {
        seen_at[i] = walk.len();
        walk.push(i);
        let Some(&p) = preds[i].iter().find(|&&p| waiting[p] > 0) else {
            break;
        };
        i = p;
    }
    let mut cycle: Vec<usize> = walk[seen_at[i].min(walk.len())..].to_vec();
    cycle.reverse();
    if let Some(&first) = cycle.first() {
        cycle.push(first);
    }
    Err(cycle)
}
