//! LangChain (LCEL) and LangGraph programs. Both keep every step's output in one dict
//! keyed by step id, the way ChainLab's templates refer to them (`{{search_a}}`).

use super::{comment, level_heading, predictions, python_string, real_call_hint, Names};
use crate::model::{StepKind, TransformOp};
use crate::plan::Plan;
use std::fmt::Write;

/// How a step function hands its output back.
#[derive(Clone, Copy)]
enum Returns {
    /// LCEL: the value; `RunnableParallel` files it under the step id.
    Value,
    /// LangGraph: a partial state update.
    Update,
}

pub(super) fn langchain(plan: &Plan, names: &Names) -> String {
    let mut out = header(plan, "LangChain (LCEL)", "langchain-core");
    out.push_str(
        "\nfrom langchain_core.runnables import RunnableLambda, RunnableParallel\n\
         from langchain_core.runnables.passthrough import RunnableAssign\n\n\n",
    );
    helpers(plan, &mut out);
    step_functions(plan, names, Returns::Value, &mut out);
    out.push_str(
        "# One RunnableParallel per dependency level: its steps run at the same time, and the\n\
         # next level starts when the whole level is done (a barrier). RunnableAssign adds\n\
         # the level's outputs to the state, so later steps see every earlier output.\n",
    );
    for (level, steps) in plan.levels().iter().enumerate() {
        let _ = writeln!(out, "# {}", level_heading(plan, level, names));
        let _ = writeln!(out, "level_{} = RunnableParallel(", level + 1);
        out.push_str("    {\n");
        for &i in steps {
            let _ = writeln!(
                out,
                "        {}: RunnableLambda({}),",
                python_string(plan.step(i).id.as_str()),
                names.of(i)
            );
        }
        out.push_str("    }\n)\n");
    }
    out.push_str("\nchain = (\n");
    for level in 0..plan.levels().len() {
        let pipe = if level == 0 { "    " } else { "    | " };
        let _ = writeln!(out, "{pipe}RunnableAssign(level_{})", level + 1);
    }
    out.push_str(")\n\n\n");
    main(plan, "chain", &mut out);
    out
}

pub(super) fn langgraph(plan: &Plan, names: &Names) -> String {
    let mut out = header(plan, "LangGraph (StateGraph)", "langgraph");
    out.push_str(
        "from typing import TypedDict\n\n\
         from langgraph.graph import END, START, StateGraph\n\n\n",
    );
    helpers(plan, &mut out);
    step_functions(plan, names, Returns::Update, &mut out);

    out.push_str(
        "# Every step's output, under its step id.\nState = TypedDict(\n    \"State\",\n    {\n",
    );
    for i in 0..plan.len() {
        let _ = writeln!(
            out,
            "        {}: str,",
            python_string(plan.step(i).id.as_str())
        );
    }
    out.push_str("    },\n    total=False,\n)\n\n");

    // LangGraph refuses a node named like a state key, so nodes get their own names.
    let node: Vec<String> = (0..plan.len())
        .map(|i| {
            let mut name = format!("run_{}", names.of(i));
            while (0..plan.len()).any(|j| plan.step(j).id.as_str() == name) {
                name.push('_');
            }
            name
        })
        .collect();
    out.push_str(
        "# LangGraph runs in supersteps: the nodes triggered together run at the same time,\n\
         # and the next superstep starts when all of them are done. Here each superstep is\n\
         # one dependency level, so the graph runs like ChainLab's staged mode.\n\
         builder = StateGraph(State)\n",
    );
    for (i, node) in node.iter().enumerate() {
        let _ = writeln!(
            out,
            "builder.add_node({}, {})",
            python_string(node),
            names.of(i)
        );
    }
    for (level, steps) in plan.levels().iter().enumerate() {
        let _ = writeln!(out, "\n# {}", level_heading(plan, level, names));
        for &i in steps {
            let target = python_string(&node[i]);
            let inputs = plan.inputs(i);
            match inputs {
                [] => {
                    let _ = writeln!(out, "builder.add_edge(START, {target})");
                }
                [one] => {
                    let _ = writeln!(
                        out,
                        "builder.add_edge({}, {target})",
                        python_string(&node[*one])
                    );
                }
                many => {
                    let sources: Vec<String> =
                        many.iter().map(|&j| python_string(&node[j])).collect();
                    let _ = writeln!(
                        out,
                        "# Fan-in: {} waits for all of its {} inputs.\nbuilder.add_edge([{}], {target})",
                        names.of(i),
                        many.len(),
                        sources.join(", ")
                    );
                }
            }
        }
    }
    out.push_str("\n# The steps nothing waits for end the run.\n");
    for (i, node) in node.iter().enumerate() {
        if plan.dependents(i).is_empty() {
            let _ = writeln!(out, "builder.add_edge({}, END)", python_string(node));
        }
    }
    out.push_str("graph = builder.compile()\n\n\n");
    main(plan, "graph", &mut out);
    out
}

fn header(plan: &Plan, framework: &str, package: &str) -> String {
    let chain = plan.chain();
    format!(
        "\"\"\"{framework} program for the ChainLab chain {}.\n\n\
         Exported by ChainLab. Each step is a stand-in that sleeps for its simulated\n\
         latency and returns its simulated output, so this runs as written with no key:\n\
         \n    pip install {package}\n    python {}\n\n\
         To make it real, replace a step's body with the call in the comment above it.\n\
         {}\n\"\"\"\n\n\
         import asyncio\n\
         import json\n\
         import re\n\
         import sys\n\
         import time\n",
        python_string(&comment(&chain.name)),
        if package == "langgraph" {
            "chain_langgraph.py"
        } else {
            "chain_langchain.py"
        },
        predictions(plan)
    )
}

/// The helper functions the steps of this chain use, and no others.
fn helpers(plan: &Plan, out: &mut String) {
    let kinds: Vec<&StepKind> = (0..plan.len()).map(|i| &plan.step(i).kind).collect();
    let uses_op = |op: TransformOp| {
        kinds
            .iter()
            .any(|k| matches!(k, StepKind::Transform(t) if t.op == op))
    };
    let renders = uses_op(TransformOp::Template)
        || kinds
            .iter()
            .any(|k| matches!(k, StepKind::Llm(_) | StepKind::Http(_)));
    if renders {
        out.push_str(
            "def render(template: str, state: dict) -> str:\n\
             \x20   \"\"\"Fills each {{id}} with that step's output; an unknown name stays as written.\"\"\"\n\
             \x20   return re.sub(\n\
             \x20       r\"\\{\\{(.*?)\\}\\}\",\n\
             \x20       lambda m: state.get(m.group(1).strip(), m.group(0)),\n\
             \x20       template,\n\
             \x20       flags=re.DOTALL,\n\
             \x20   )\n\n\n",
        );
    }
    if uses_op(TransformOp::Concatenate) || kinds.iter().any(|k| matches!(k, StepKind::Output)) {
        out.push_str(
            "def concatenate(state: dict, inputs: list) -> str:\n\
             \x20   \"\"\"The inputs' outputs, one paragraph each.\"\"\"\n\
             \x20   return \"\\n\\n\".join(state[i] for i in inputs)\n\n\n",
        );
    }
    if uses_op(TransformOp::PickLongest) {
        out.push_str(
            "def pick_longest(state: dict, inputs: list) -> str:\n\
             \x20   \"\"\"The longest input (of equals, the last).\"\"\"\n\
             \x20   return max(reversed([state[i] for i in inputs]), key=len, default=\"\")\n\n\n",
        );
    }
    if uses_op(TransformOp::MajorityVote) {
        out.push_str(
            "def majority_vote(state: dict, inputs: list) -> str:\n\
             \x20   \"\"\"The answer most inputs gave, ignoring case and outer spaces; ties go to the first seen.\"\"\"\n\
             \x20   tally = {}\n\
             \x20   for i in inputs:\n\
             \x20       text = state[i].strip()\n\
             \x20       count, first = tally.get(text.lower(), (0, text))\n\
             \x20       tally[text.lower()] = (count + 1, first)\n\
             \x20   return max(tally.values(), key=lambda entry: entry[0], default=(0, \"\"))[1]\n\n\n",
        );
    }
    if uses_op(TransformOp::JsonMerge) {
        out.push_str(
            "def json_merge(state: dict, inputs: list) -> str:\n\
             \x20   \"\"\"Merges inputs that are JSON objects; any other input goes under its step id.\"\"\"\n\
             \x20   merged = {}\n\
             \x20   for i in inputs:\n\
             \x20       try:\n\
             \x20           value = json.loads(state[i])\n\
             \x20       except ValueError:\n\
             \x20           value = state[i]\n\
             \x20       if isinstance(value, dict):\n\
             \x20           merged.update(value)\n\
             \x20       else:\n\
             \x20           merged[i] = value\n\
             \x20   return json.dumps(merged, sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False)\n\n\n",
        );
    }
}

fn step_functions(plan: &Plan, names: &Names, returns: Returns, out: &mut String) {
    for &i in plan.order() {
        let step = plan.step(i);
        let inputs: Vec<String> = plan
            .inputs(i)
            .iter()
            .map(|&j| python_string(plan.step(j).id.as_str()))
            .collect();
        let inputs = format!("[{}]", inputs.join(", "));
        let value = match &step.kind {
            StepKind::Input { text } => python_string(text),
            StepKind::Llm(_) | StepKind::Http(_) => {
                format!("render({}, state)", python_string(&step.sim.output))
            }
            StepKind::Transform(t) => match t.op {
                TransformOp::Template => format!("render({}, state)", python_string(&t.template)),
                TransformOp::Concatenate => format!("concatenate(state, {inputs})"),
                TransformOp::JsonMerge => format!("json_merge(state, {inputs})"),
                TransformOp::MajorityVote => format!("majority_vote(state, {inputs})"),
                TransformOp::PickLongest => format!("pick_longest(state, {inputs})"),
            },
            StepKind::Output => format!("concatenate(state, {inputs})"),
        };
        let ms = plan.latency(i);
        let (signature, result) = match returns {
            Returns::Value => ("-> str", value),
            Returns::Update => (
                "-> dict",
                format!("{{{}: {value}}}", python_string(step.id.as_str())),
            ),
        };
        let _ = writeln!(out, "async def {}(state: dict) {signature}:", names.of(i));
        let _ = writeln!(
            out,
            "    # {} ({} step, {ms} ms simulated)",
            comment(&step.label),
            step.kind.name()
        );
        if let Some(hint) = real_call_hint(step, names.language) {
            let _ = writeln!(out, "    # {hint}");
        }
        if ms > 0 {
            let _ = writeln!(out, "    await asyncio.sleep({})", seconds(ms));
        }
        let _ = writeln!(out, "    return {result}\n\n");
    }
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn main(plan: &Plan, runnable: &str, out: &mut String) {
    let finals: Vec<String> = (0..plan.len())
        .filter(|&i| plan.dependents(i).is_empty())
        .map(|i| python_string(plan.step(i).id.as_str()))
        .collect();
    let _ = write!(
        out,
        "async def main() -> None:\n\
         \x20   started = time.perf_counter()\n\
         \x20   state = await {runnable}.ainvoke({{}})\n\
         \x20   makespan_ms = (time.perf_counter() - started) * 1000\n\
         \x20   if \"--json\" in sys.argv:\n\
         \x20       print(json.dumps({{\"makespan_ms\": makespan_ms, \"outputs\": state}}, ensure_ascii=False))\n\
         \x20       return\n\
         \x20   for step in [{}]:\n\
         \x20       print(f\"{{step}}: {{state[step]}}\")\n\
         \x20   print(f\"Finished in {{makespan_ms:.0f}} ms. {}\")\n\n\n\
         if __name__ == \"__main__\":\n\
         \x20   asyncio.run(main())\n",
        finals.join(", "),
        predictions(plan)
    );
}
