//! Edits a person makes to a chain on the canvas, as plain functions on [`Chain`]:
//! add, connect, disconnect, delete, move, rename. The page calls these and records
//! the chain before each one for undo; none of them touches the browser.

use crate::editor::layout;
use crate::model::{
    Chain, Choice, HttpStep, LatencyModel, LlmStep, Position, Simulation, Step, StepId, StepKind,
    TransformOp, TransformStep,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

/// The kinds of step the palette offers, by the name used in `palette-<kind>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewStep {
    Input,
    Llm,
    Http,
    Transform,
    Output,
}

impl Choice for NewStep {
    const ALL: &'static [Self] = &NewStep::ALL;

    /// The short name used in ids and test ids: `input`, `llm`, `http`, ...
    fn key(self) -> &'static str {
        match self {
            NewStep::Input => "input",
            NewStep::Llm => "llm",
            NewStep::Http => "http",
            NewStep::Transform => "transform",
            NewStep::Output => "output",
        }
    }

    /// The word shown to people for this kind of step.
    fn label(self) -> &'static str {
        match self {
            NewStep::Input => "input",
            NewStep::Llm => "LLM",
            NewStep::Http => "HTTP",
            NewStep::Transform => "transform",
            NewStep::Output => "output",
        }
    }
}

impl NewStep {
    pub const ALL: [NewStep; 5] = [
        NewStep::Input,
        NewStep::Llm,
        NewStep::Http,
        NewStep::Transform,
        NewStep::Output,
    ];

    /// The kind of an existing step, as the palette names it.
    pub fn of(kind: &StepKind) -> Self {
        match kind {
            StepKind::Input { .. } => NewStep::Input,
            StepKind::Llm(_) => NewStep::Llm,
            StepKind::Http(_) => NewStep::Http,
            StepKind::Transform(_) => NewStep::Transform,
            StepKind::Output => NewStep::Output,
        }
    }

    /// A fresh step of this kind with defaults that run on the simulator at once:
    /// model and HTTP calls get a typical latency so a new chain shows something.
    pub fn step(self, id: StepId, position: Position) -> Step {
        let (label, kind, ms) = match self {
            NewStep::Input => (
                "Input",
                StepKind::Input {
                    text: "Your question".into(),
                },
                0,
            ),
            NewStep::Llm => (
                "LLM call",
                StepKind::Llm(LlmStep {
                    provider: "simulator".into(),
                    model: "sim-small".into(),
                    temperature: 0.7,
                    max_tokens: 512,
                    ..LlmStep::default()
                }),
                500,
            ),
            NewStep::Http => (
                "HTTP call",
                StepKind::Http(HttpStep {
                    method: "GET".into(),
                    url: "https://api.example.org/search".into(),
                    ..HttpStep::default()
                }),
                300,
            ),
            NewStep::Transform => (
                "Combine",
                StepKind::Transform(TransformStep {
                    op: TransformOp::Concatenate,
                    template: String::new(),
                }),
                0,
            ),
            NewStep::Output => ("Output", StepKind::Output, 0),
        };
        let output = match self {
            NewStep::Llm | NewStep::Http => format!("Result of {id}"),
            _ => String::new(),
        };
        Step {
            id,
            label: label.into(),
            kind,
            inputs: Vec::new(),
            position,
            sim: Simulation {
                latency: LatencyModel::Fixed { ms },
                output,
            },
        }
    }
}

/// Why an edit was refused. Messages say what to do instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    UnknownStep(StepId),
    SelfLoop(StepId),
    AlreadyConnected {
        from: StepId,
        to: StepId,
    },
    /// Input steps start the chain, so nothing may flow into them.
    IntoInputStep(StepId),
    /// Output steps end the chain, so nothing may take their output.
    FromOutputStep(StepId),
    /// A step made from a dot must be able to join it (`kind` is its word).
    CannotJoin {
        step: StepId,
        kind: &'static str,
    },
    /// The steps of the cycle the new edge would close, in edge order, the first
    /// repeated at the end.
    Cycle {
        steps: Vec<StepId>,
    },
    EmptyId,
    /// Ids appear in templates as `{{id}}`, so only letters, digits, `_` and `-`.
    BadId(String),
    DuplicateId(StepId),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::UnknownStep(id) => write!(f, "There is no step \"{id}\" in this chain."),
            EditError::SelfLoop(id) => {
                write!(f, "\"{id}\" cannot take its own output as an input.")
            }
            EditError::AlreadyConnected { from, to } => {
                write!(f, "\"{to}\" already takes input from \"{from}\".")
            }
            EditError::IntoInputStep(id) => write!(
                f,
                "\"{id}\" is an input step: it starts the chain and cannot take inputs."
            ),
            EditError::FromOutputStep(id) => write!(
                f,
                "\"{id}\" is an output step: it ends the chain, so no step can take its output."
            ),
            EditError::CannotJoin { step, kind } => write!(
                f,
                "A new {kind} step cannot be joined to this dot of \"{step}\": an input step takes no inputs and an output step feeds nothing."
            ),
            EditError::Cycle { steps } => {
                let names: Vec<&str> = steps.iter().map(StepId::as_str).collect();
                write!(
                    f,
                    "Refused: this connection would make a cycle {}, so none of these steps could ever start.",
                    names.join(" → ")
                )
            }
            EditError::EmptyId => write!(f, "A step needs an id: type one."),
            EditError::BadId(id) => write!(
                f,
                "\"{id}\" cannot be an id: use letters, digits, _ or - only (it is written as {{{{{id}}}}} in templates)."
            ),
            EditError::DuplicateId(id) => {
                write!(f, "Another step is already called \"{id}\": pick another id.")
            }
        }
    }
}

fn index_of(chain: &Chain, id: &StepId) -> Result<usize, EditError> {
    chain
        .steps
        .iter()
        .position(|s| &s.id == id)
        .ok_or_else(|| EditError::UnknownStep(id.clone()))
}

/// `base_1`, `base_2`, ...: the first that no step of the chain uses.
pub fn fresh_id(chain: &Chain, base: &str) -> StepId {
    let taken: HashSet<&str> = chain.steps.iter().map(|s| s.id.as_str()).collect();
    (1..)
        .map(|n| format!("{base}_{n}"))
        .find(|id| !taken.contains(id.as_str()))
        .map(StepId)
        .unwrap_or_else(|| StepId::new(base))
}

/// Adds a new step of `kind` at `position` and returns its id.
pub fn add_step(chain: &mut Chain, kind: NewStep, position: Position) -> StepId {
    let id = fresh_id(chain, kind.key());
    chain.steps.push(kind.step(id.clone(), position));
    id
}

/// Adds a step of `kind` in free space next to `after` (one column to its right, at
/// its height or the nearest free row) and connects `after` into it when the two kinds
/// allow an edge. With no step to follow, the step goes at `fallback` or the nearest
/// free row below it. A new step never lands on another one.
pub fn add_step_after(
    chain: &mut Chain,
    kind: NewStep,
    after: Option<&StepId>,
    fallback: Position,
) -> StepId {
    let anchor = after.and_then(|id| chain.steps.iter().find(|s| &s.id == id));
    let wanted = anchor.map_or(fallback, |s| Position {
        x: s.position.x + layout::COLUMN_PITCH,
        y: s.position.y,
    });
    let position = free_spot(chain, wanted);
    let from = anchor
        .filter(|s| !matches!(s.kind, StepKind::Output) && kind != NewStep::Input)
        .map(|s| s.id.clone());
    let id = add_step(chain, kind, position);
    if let Some(from) = from {
        // A new step has no edges yet, so this edge cannot close a cycle.
        let _ = connect(chain, &from, &id);
    }
    id
}

/// The nearest place to `wanted`, in whole rows above or below it, where a step does
/// not overlap any other.
pub fn free_spot(chain: &Chain, wanted: Position) -> Position {
    let overlaps = |at: Position| {
        chain.steps.iter().any(|s| {
            (s.position.x - at.x).abs() < layout::NODE_WIDTH + 8.0
                && (s.position.y - at.y).abs() < layout::NODE_HEIGHT + 8.0
        })
    };
    (0..=chain.steps.len() as i64)
        .flat_map(|k| [k, -k])
        .map(|k| Position {
            x: wanted.x,
            y: wanted.y + k as f64 * layout::ROW_PITCH,
        })
        .find(|&at| !overlaps(at))
        .unwrap_or(wanted)
}

/// Makes `to` take `from`'s output as an input, unless that would close a cycle.
pub fn connect(chain: &mut Chain, from: &StepId, to: &StepId) -> Result<(), EditError> {
    let source = index_of(chain, from)?;
    let target = index_of(chain, to)?;
    if from == to {
        return Err(EditError::SelfLoop(from.clone()));
    }
    if matches!(chain.steps[source].kind, StepKind::Output) {
        return Err(EditError::FromOutputStep(from.clone()));
    }
    if matches!(chain.steps[target].kind, StepKind::Input { .. }) {
        return Err(EditError::IntoInputStep(to.clone()));
    }
    if chain.steps[target].inputs.contains(from) {
        return Err(EditError::AlreadyConnected {
            from: from.clone(),
            to: to.clone(),
        });
    }
    if let Some(path) = dependency_path(chain, from, to) {
        // `path` runs from `to` along edges to `from`; the new edge closes it.
        let mut steps = path;
        steps.push(to.clone());
        return Err(EditError::Cycle { steps });
    }
    chain.steps[target].inputs.push(from.clone());
    Ok(())
}

/// If `from` already depends on `to` (directly or not), the steps along one such
/// dependency in edge order: `to`, ..., `from`.
fn dependency_path(chain: &Chain, from: &StepId, to: &StepId) -> Option<Vec<StepId>> {
    let by_id: HashMap<&StepId, &Step> = chain.steps.iter().map(|s| (&s.id, s)).collect();
    // Breadth-first over inputs, from `from` back towards `to`: the shortest cycle.
    let mut came_from: HashMap<&StepId, &StepId> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = HashSet::from([from]);
    while let Some(id) = queue.pop_front() {
        if id == to {
            let mut path = vec![id.clone()];
            let mut cursor = id;
            while let Some(&next) = came_from.get(cursor) {
                path.push(next.clone());
                cursor = next;
            }
            return Some(path);
        }
        for input in by_id.get(id).map(|s| s.inputs.as_slice()).unwrap_or(&[]) {
            if seen.insert(input) {
                came_from.insert(input, id);
                queue.push_back(input);
            }
        }
    }
    None
}

/// Removes the edge `from` -> `to`; returns whether there was one.
pub fn disconnect(chain: &mut Chain, from: &StepId, to: &StepId) -> bool {
    let Some(step) = chain.steps.iter_mut().find(|s| &s.id == to) else {
        return false;
    };
    let before = step.inputs.len();
    step.inputs.retain(|i| i != from);
    step.inputs.len() != before
}

/// Deletes the steps and every edge into or out of them. Templates that named them
/// are left as written, so validation points at what now needs fixing.
pub fn delete_steps(chain: &mut Chain, ids: &[StepId]) {
    chain.steps.retain(|s| !ids.contains(&s.id));
    for step in &mut chain.steps {
        step.inputs.retain(|i| !ids.contains(i));
    }
}

/// Copies the steps under fresh ids, a little below and to the right, and returns the
/// copies' ids. Edges among the copied steps are copied too, so a copied branch is a
/// new branch; inputs from outside the copy stay, so a copied variant of a step is fed
/// like the original (the way a fan-out is built).
pub fn duplicate_steps(chain: &mut Chain, ids: &[StepId]) -> Vec<StepId> {
    let originals: Vec<Step> = chain
        .steps
        .iter()
        .filter(|s| ids.contains(&s.id))
        .cloned()
        .collect();
    let mut renamed: Vec<(StepId, StepId)> = Vec::new();
    for step in &originals {
        let base = step
            .id
            .as_str()
            .trim_end_matches(|c: char| c.is_ascii_digit());
        let base = base.trim_end_matches('_');
        let fresh = fresh_id(chain, if base.is_empty() { "step" } else { base });
        // Reserve the id before choosing the next one.
        chain.steps.push(Step {
            id: fresh.clone(),
            ..step.clone()
        });
        renamed.push((step.id.clone(), fresh));
    }
    let start = chain.steps.len() - originals.len();
    for copy in &mut chain.steps[start..] {
        copy.position.x += 24.0;
        copy.position.y += 24.0;
        copy.label = format!("{} (copy)", copy.label);
        for (old, new) in &renamed {
            if copy.inputs.contains(old) {
                for input in &mut copy.inputs {
                    if input == old {
                        *input = new.clone();
                    }
                }
                rename_references(copy, old.as_str(), new.as_str());
            }
        }
    }
    renamed.into_iter().map(|(_, new)| new).collect()
}

/// Moves the steps by (`dx`, `dy`) canvas units.
pub fn move_steps(chain: &mut Chain, ids: &[StepId], dx: f64, dy: f64) {
    for step in chain.steps.iter_mut().filter(|s| ids.contains(&s.id)) {
        step.position.x += dx;
        step.position.y += dy;
    }
}

/// Points the LLM steps among `ids` (every LLM step when `ids` is empty) at
/// `provider` and, unless it is empty, `model`; returns how many it changed. One edit,
/// so one undo brings back what each step had.
pub fn point_llm_steps(chain: &mut Chain, ids: &[StepId], provider: &str, model: &str) -> usize {
    let mut changed = 0;
    for step in &mut chain.steps {
        if !ids.is_empty() && !ids.contains(&step.id) {
            continue;
        }
        if let StepKind::Llm(llm) = &mut step.kind {
            let before = (llm.provider.clone(), llm.model.clone());
            llm.provider = provider.trim().to_string();
            if !model.trim().is_empty() {
                llm.model = model.trim().to_string();
            }
            changed += usize::from(before != (llm.provider.clone(), llm.model.clone()));
        }
    }
    changed
}

/// Gives a step a new id and updates every edge and `{{old}}` reference to it.
pub fn rename(chain: &mut Chain, old: &StepId, new: &str) -> Result<(), EditError> {
    let new = new.trim();
    if new.is_empty() {
        return Err(EditError::EmptyId);
    }
    if !new
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(EditError::BadId(new.to_string()));
    }
    let i = index_of(chain, old)?;
    if old.as_str() == new {
        return Ok(());
    }
    if chain.steps.iter().any(|s| s.id.as_str() == new) {
        return Err(EditError::DuplicateId(StepId::new(new)));
    }
    let new = StepId::new(new);
    chain.steps[i].id = new.clone();
    for step in &mut chain.steps {
        if !step.inputs.contains(&new) && !step.inputs.contains(old) {
            continue;
        }
        for input in &mut step.inputs {
            if input == old {
                *input = new.clone();
            }
        }
        rename_references(step, old.as_str(), new.as_str());
    }
    Ok(())
}

fn rename_references(step: &mut Step, old: &str, new: &str) {
    let fix = |text: &mut String| *text = rename_in_template(text, old, new);
    match &mut step.kind {
        StepKind::Input { .. } | StepKind::Output => {}
        StepKind::Llm(llm) => {
            fix(&mut llm.system_prompt);
            fix(&mut llm.prompt);
        }
        StepKind::Http(http) => {
            fix(&mut http.url);
            fix(&mut http.body);
            http.headers.iter_mut().for_each(|h| fix(&mut h.value));
        }
        StepKind::Transform(t) => fix(&mut t.template),
    }
    fix(&mut step.sim.output);
}

/// `template` with every `{{old}}` (spaces inside the braces allowed) written `{{new}}`.
fn rename_in_template(template: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.push_str(&rest[..open]);
        if after[..close].trim() == old {
            out.push_str("{{");
            out.push_str(new);
            out.push_str("}}");
        } else {
            out.push_str(&rest[open..open + 2 + close + 2]);
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::gallery;
    use crate::plan::Plan;

    fn id(s: &str) -> StepId {
        StepId::new(s)
    }

    fn empty() -> Chain {
        Chain {
            name: "Test".into(),
            description: String::new(),
            seed: 0,
            steps: Vec::new(),
        }
    }

    #[test]
    fn llm_steps_are_pointed_at_a_provider_all_or_the_selected() {
        let mut chain = gallery::uneven_branches();
        let llms = |c: &Chain| -> Vec<(String, String)> {
            c.steps
                .iter()
                .filter_map(|s| match &s.kind {
                    StepKind::Llm(l) => Some((l.provider.clone(), l.model.clone())),
                    _ => None,
                })
                .collect()
        };
        let n = llms(&chain).len();
        assert!(n >= 2);
        assert_eq!(
            point_llm_steps(&mut chain, &[], "groq", "llama-3.1-8b-instant"),
            n
        );
        assert!(llms(&chain)
            .iter()
            .all(|(p, m)| p == "groq" && m == "llama-3.1-8b-instant"));
        // Only the selected; an HTTP step among them is left alone; an empty model keeps it.
        assert_eq!(
            point_llm_steps(&mut chain, &[id("b"), id("c")], "ollama", ""),
            1
        );
        assert_eq!(
            llms(&chain)[0],
            ("ollama".into(), "llama-3.1-8b-instant".into())
        );
        assert_eq!(llms(&chain)[1].0, "groq");
        assert_eq!(point_llm_steps(&mut chain, &[id("b")], "ollama", ""), 0);
    }

    #[test]
    fn added_steps_get_fresh_ids() {
        let mut chain = empty();
        let a = add_step(&mut chain, NewStep::Llm, Position::default());
        let b = add_step(&mut chain, NewStep::Llm, Position::default());
        assert_eq!((a.as_str(), b.as_str()), ("llm_1", "llm_2"));
        delete_steps(&mut chain, &[a]);
        assert_eq!(
            add_step(&mut chain, NewStep::Llm, Position::default()).as_str(),
            "llm_1"
        );
    }

    #[test]
    fn a_cycle_is_refused_with_its_steps_named() {
        let mut chain = gallery::uneven_branches();
        let before = chain.clone();
        // e needs d, d needs c: making c need e closes e -> c -> d -> e.
        let err = connect(&mut chain, &id("e"), &id("c")).expect_err("a cycle");
        assert_eq!(
            err,
            EditError::Cycle {
                steps: vec![id("c"), id("d"), id("e"), id("c")]
            }
        );
        assert!(err.to_string().contains("c → d → e → c"), "{err}");
        assert_eq!(chain, before, "a refused edit changes nothing");
    }

    #[test]
    fn connect_refuses_self_loops_repeats_and_inputs() {
        let mut chain = gallery::uneven_branches();
        assert_eq!(
            connect(&mut chain, &id("b"), &id("b")),
            Err(EditError::SelfLoop(id("b")))
        );
        assert!(matches!(
            connect(&mut chain, &id("a"), &id("b")),
            Err(EditError::AlreadyConnected { .. })
        ));
        assert_eq!(
            connect(&mut chain, &id("b"), &id("a")),
            Err(EditError::IntoInputStep(id("a")))
        );
        connect(&mut chain, &id("b"), &id("d")).expect("b -> d is fine");
        assert!(Plan::new(chain).is_ok());
    }

    #[test]
    fn disconnect_and_delete_remove_edges() {
        let mut chain = gallery::uneven_branches();
        assert!(disconnect(&mut chain, &id("b"), &id("e")));
        assert!(!disconnect(&mut chain, &id("b"), &id("e")));
        delete_steps(&mut chain, &[id("c")]);
        assert_eq!(chain.steps.len(), 4);
        let d = chain.steps.iter().find(|s| s.id == id("d")).expect("d");
        assert!(d.inputs.is_empty());
    }

    #[test]
    fn rename_updates_edges_and_templates() {
        let mut chain = gallery::research_assistant();
        rename(&mut chain, &id("search_a"), "papers").expect("rename");
        let summary = chain
            .steps
            .iter()
            .find(|s| s.id == id("summarize_a"))
            .expect("step");
        assert_eq!(summary.inputs, vec![id("papers")]);
        assert!(summary.sim.output.contains("{{papers}}"));
        assert!(Plan::new(chain.clone()).is_ok());
        assert_eq!(
            rename(&mut chain, &id("papers"), "search_b"),
            Err(EditError::DuplicateId(id("search_b")))
        );
        assert_eq!(
            rename(&mut chain, &id("papers"), "a b"),
            Err(EditError::BadId("a b".into()))
        );
    }

    #[test]
    fn duplicates_get_fresh_ids_and_keep_their_branch() {
        let mut chain = gallery::research_assistant();
        let copies = duplicate_steps(&mut chain, &[id("search_a"), id("summarize_a")]);
        assert_eq!(copies, vec![id("search_a_1"), id("summarize_a_1")]);
        let summary = chain
            .steps
            .iter()
            .find(|s| s.id == copies[1])
            .expect("copy");
        assert_eq!(summary.inputs, vec![id("search_a_1")]);
        assert!(summary.sim.output.contains("{{search_a_1}}"));
        let search = chain
            .steps
            .iter()
            .find(|s| s.id == copies[0])
            .expect("copy");
        assert_eq!(search.inputs, vec![id("question")]);
        assert!(Plan::new(chain).is_ok());
    }

    #[test]
    fn move_shifts_only_the_chosen_steps() {
        let mut chain = gallery::uneven_branches();
        let before = chain.steps[1].position;
        move_steps(&mut chain, &[id("b")], 10.0, -5.0);
        assert_eq!(chain.steps[1].position.x, before.x + 10.0);
        assert_eq!(chain.steps[1].position.y, before.y - 5.0);
        assert_eq!(
            chain.steps[0].position,
            gallery::uneven_branches().steps[0].position
        );
    }

    #[test]
    fn a_new_step_goes_beside_the_selected_one_connected_and_never_on_another() {
        let mut chain = crate::editor::gallery::uneven_branches();
        let a = chain.steps[0].id.clone();
        let first = add_step_after(&mut chain, NewStep::Llm, Some(&a), Position::default());
        let second = add_step_after(&mut chain, NewStep::Llm, Some(&a), Position::default());
        for id in [&first, &second] {
            let step = chain.steps.iter().find(|s| &s.id == id).expect("added");
            assert_eq!(step.inputs, vec![a.clone()]);
        }
        let at = |id: &StepId| chain.steps.iter().find(|s| &s.id == id).map(|s| s.position);
        for (i, s) in chain.steps.iter().enumerate() {
            for t in &chain.steps[i + 1..] {
                let apart = (s.position.x - t.position.x).abs() >= layout::NODE_WIDTH
                    || (s.position.y - t.position.y).abs() >= layout::NODE_HEIGHT;
                assert!(apart, "{} overlaps {}", s.id, t.id);
            }
        }
        assert_ne!(at(&first), at(&second));
        let input = add_step_after(&mut chain, NewStep::Input, Some(&a), Position::default());
        assert!(chain
            .steps
            .iter()
            .find(|s| s.id == input)
            .expect("added")
            .inputs
            .is_empty());
    }
}
