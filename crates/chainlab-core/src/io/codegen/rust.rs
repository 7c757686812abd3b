//! A Rust program with both concurrent runs: staged (`join_all` per dependency level)
//! and eager (each step a shared future that starts when its own inputs are ready).

use super::{comment, level_heading, predictions, real_call_hint, Names};
use crate::model::{StepKind, TransformOp};
use crate::plan::Plan;
use std::fmt::Write;

pub(super) fn program(plan: &Plan, names: &Names) -> String {
    let mut out = format!(
        "//! Rust program for the ChainLab chain {:?}, exported by ChainLab.\n\
         //!\n\
         //! Each step is a stand-in that sleeps for its simulated latency and returns its\n\
         //! simulated output, so this runs as written with no key. Cargo.toml:\n\
         //!\n\
         //!     [dependencies]\n\
         //!     futures = \"0.3\"\n\
         //!     tokio = {{ version = \"1\", features = [\"macros\", \"rt\", \"time\"] }}\n\
         //!\n\
         //! {}\n\n\
         use futures::future::{{join_all, BoxFuture, FutureExt, Shared}};\n\
         use std::collections::HashMap;\n\
         use std::time::{{Duration, Instant}};\n\n\
         /// Every finished step's output, under its step id.\n\
         type State = HashMap<String, String>;\n\n",
        comment(&plan.chain().name),
        predictions(plan)
    );
    helpers(plan, &mut out);
    step_functions(plan, names, &mut out);
    staged(plan, names, &mut out);
    eager(plan, names, &mut out);
    let _ = write!(
        out,
        "#[tokio::main(flavor = \"current_thread\")]\n\
         async fn main() {{\n\
         \x20   for (mode, run) in [(\"staged\", run_staged().boxed()), (\"eager\", run_eager().boxed())] {{\n\
         \x20       let started = Instant::now();\n\
         \x20       let state = run.await;\n\
         \x20       println!(\"{{mode}}: {{}} ms, {{}} outputs\", started.elapsed().as_millis(), state.len());\n\
         \x20   }}\n\
         }}\n"
    );
    out
}

fn helpers(plan: &Plan, out: &mut String) {
    let kinds: Vec<&StepKind> = (0..plan.len()).map(|i| &plan.step(i).kind).collect();
    let uses_op = |op: TransformOp| {
        kinds
            .iter()
            .any(|k| matches!(k, StepKind::Transform(t) if t.op == op))
    };
    out.push_str(
        "/// Fills each `{{id}}` with that step's output; an unknown name stays as written.\n\
         fn render(template: &str, state: &State) -> String {\n\
         \x20   let mut out = String::new();\n\
         \x20   let mut rest = template;\n\
         \x20   while let Some(open) = rest.find(\"{{\") {\n\
         \x20       let after = &rest[open + 2..];\n\
         \x20       let Some(close) = after.find(\"}}\") else { break };\n\
         \x20       out.push_str(&rest[..open]);\n\
         \x20       match state.get(after[..close].trim()) {\n\
         \x20           Some(value) => out.push_str(value),\n\
         \x20           None => out.push_str(&rest[open..open + close + 4]),\n\
         \x20       }\n\
         \x20       rest = &after[close + 2..];\n\
         \x20   }\n\
         \x20   out.push_str(rest);\n\
         \x20   out\n\
         }\n\n",
    );
    if uses_op(TransformOp::Concatenate)
        || uses_op(TransformOp::JsonMerge)
        || kinds.iter().any(|k| matches!(k, StepKind::Output))
    {
        out.push_str(
            "/// The inputs' outputs, one paragraph each.\n\
             fn concatenate(state: &State, inputs: &[&str]) -> String {\n\
             \x20   inputs.iter().map(|i| state[*i].as_str()).collect::<Vec<_>>().join(\"\\n\\n\")\n\
             }\n\n",
        );
    }
    if uses_op(TransformOp::PickLongest) {
        out.push_str(
            "/// The longest input (of equals, the last).\n\
             fn pick_longest(state: &State, inputs: &[&str]) -> String {\n\
             \x20   inputs.iter().map(|i| state[*i].clone()).max_by_key(|t| t.chars().count()).unwrap_or_default()\n\
             }\n\n",
        );
    }
    if uses_op(TransformOp::MajorityVote) {
        out.push_str(
            "/// The answer most inputs gave, ignoring case and outer spaces; ties go to the first seen.\n\
             fn majority_vote(state: &State, inputs: &[&str]) -> String {\n\
             \x20   let mut tally: Vec<(String, usize, String)> = Vec::new();\n\
             \x20   for i in inputs {\n\
             \x20       let text = state[*i].trim();\n\
             \x20       match tally.iter_mut().find(|(key, _, _)| *key == text.to_lowercase()) {\n\
             \x20           Some(entry) => entry.1 += 1,\n\
             \x20           None => tally.push((text.to_lowercase(), 1, text.to_string())),\n\
             \x20       }\n\
             \x20   }\n\
             \x20   let most = tally.iter().map(|e| e.1).max().unwrap_or(0);\n\
             \x20   tally.into_iter().find(|e| e.1 == most).map(|e| e.2).unwrap_or_default()\n\
             }\n\n",
        );
    }
    if uses_op(TransformOp::JsonMerge) {
        out.push_str(
            "/// Stand-in for a JSON merge (add serde_json for the real one): the inputs, one paragraph each.\n\
             fn json_merge(state: &State, inputs: &[&str]) -> String {\n\
             \x20   concatenate(state, inputs)\n\
             }\n\n",
        );
    }
}

fn step_functions(plan: &Plan, names: &Names, out: &mut String) {
    for &i in plan.order() {
        let step = plan.step(i);
        let inputs: Vec<String> = plan
            .inputs(i)
            .iter()
            .map(|&j| format!("{:?}", plan.step(j).id.as_str()))
            .collect();
        let inputs = format!("&[{}]", inputs.join(", "));
        let value = match &step.kind {
            StepKind::Input { text } => format!("{text:?}.to_string()"),
            StepKind::Llm(_) | StepKind::Http(_) => {
                format!("render({:?}, &state)", step.sim.output)
            }
            StepKind::Transform(t) => match t.op {
                TransformOp::Template => format!("render({:?}, &state)", t.template),
                TransformOp::Concatenate => format!("concatenate(&state, {inputs})"),
                TransformOp::JsonMerge => format!("json_merge(&state, {inputs})"),
                TransformOp::MajorityVote => format!("majority_vote(&state, {inputs})"),
                TransformOp::PickLongest => format!("pick_longest(&state, {inputs})"),
            },
            StepKind::Output => format!("concatenate(&state, {inputs})"),
        };
        let ms = plan.latency(i);
        let _ = writeln!(
            out,
            "/// {} ({} step, {ms} ms simulated).",
            comment(&step.label),
            step.kind.name()
        );
        // An input step ignores the state; the underscore keeps the compiler quiet.
        let state = match step.kind {
            StepKind::Input { .. } => "_state",
            _ => "state",
        };
        let _ = writeln!(
            out,
            "fn {}({state}: State) -> BoxFuture<'static, (String, String)> {{",
            names.of(i)
        );
        out.push_str("    async move {\n");
        if let Some(hint) = real_call_hint(step, names.language) {
            let _ = writeln!(out, "        // {hint}");
        }
        if ms > 0 {
            let _ = writeln!(
                out,
                "        tokio::time::sleep(Duration::from_millis({ms})).await;"
            );
        }
        let _ = writeln!(
            out,
            "        ({:?}.to_string(), {value})\n    }}\n    .boxed()\n}}\n",
            step.id.as_str()
        );
    }
}

fn staged(plan: &Plan, names: &Names, out: &mut String) {
    out.push_str(
        "/// Staged: the steps of a level run together (`join_all`); the next level starts\n\
         /// when the whole level is done.\n\
         async fn run_staged() -> State {\n\
         \x20   let mut state = State::new();\n",
    );
    for (level, steps) in plan.levels().iter().enumerate() {
        let calls: Vec<String> = steps
            .iter()
            .map(|&i| format!("{}(state.clone())", names.of(i)))
            .collect();
        let _ = writeln!(
            out,
            "    // {}\n    state.extend(join_all([{}]).await);",
            level_heading(plan, level, names),
            calls.join(", ")
        );
    }
    out.push_str("    state\n}\n\n");
}

fn eager(plan: &Plan, names: &Names, out: &mut String) {
    out.push_str(
        "type Output = Shared<BoxFuture<'static, (String, String)>>;\n\n\
         /// Starts `step` as soon as all of `inputs` are done, and not before.\n\
         fn after(inputs: Vec<Output>, step: fn(State) -> BoxFuture<'static, (String, String)>) -> Output {\n\
         \x20   async move { step(join_all(inputs).await.into_iter().collect()).await }\n\
         \x20       .boxed()\n\
         \x20       .shared()\n\
         }\n\n\
         /// Eager: every step starts the moment its own inputs are ready, so the run takes\n\
         /// as long as the critical path.\n\
         async fn run_eager() -> State {\n",
    );
    for &i in plan.order() {
        let inputs: Vec<String> = plan
            .inputs(i)
            .iter()
            .map(|&j| format!("{}.clone()", names.of(j)))
            .collect();
        let _ = writeln!(
            out,
            "    let {} = after(vec![{}], {});",
            names.of(i),
            inputs.join(", "),
            names.of(i)
        );
    }
    let all: Vec<&str> = plan.order().iter().map(|&i| names.of(i)).collect();
    let _ = writeln!(
        out,
        "    join_all([{}]).await.into_iter().collect()\n}}\n",
        all.join(", ")
    );
}
