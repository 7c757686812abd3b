//! A graph read from Mermaid or from LangGraph's JSON, and how it becomes a chain:
//! `__start__` and `__end__` become no steps, every other node a step with its id,
//! a guessed kind and an assumed latency, laid out by level.

use super::{
    finish, json, new_step, Format, GuessedKind, IdMaker, ImportError, Imported, Inputs, Location,
    Note, ASSUMED_HTTP_LATENCY, ASSUMED_LLM_LATENCY,
};
use crate::model::{Chain, StepId};
use crate::plan::Limits;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// LangGraph's markers for where a run enters and leaves the graph: not steps.
const START: &str = "__start__";
const END: &str = "__end__";

/// Nodes and edges as written, each with where it was written.
#[derive(Default)]
pub(super) struct Graph {
    /// Raw id and the label, if one was given.
    nodes: Vec<(String, Option<String>)>,
    index: HashMap<String, usize>,
    /// From, to (node indices), where the edge was written.
    edges: Vec<(usize, usize, Location)>,
    seen_edges: HashSet<(usize, usize)>,
    /// Step ids chosen by the source for some nodes (ChainLab's own Mermaid export).
    pub(super) ids: HashMap<String, String>,
    /// Dotted edges (LangGraph's conditional ones).
    pub(super) conditional: usize,
    pub(super) subgraphs: usize,
    pub(super) invisible: usize,
    steps: usize,
    max_steps: usize,
    /// Edges written so far, repeats included.
    written: usize,
}

impl Graph {
    pub(super) fn new(limits: Limits) -> Self {
        Self {
            max_steps: limits.max_steps,
            ..Self::default()
        }
    }

    /// The index of node `id`, added if new; a label given later replaces an earlier one.
    pub(super) fn node(
        &mut self,
        id: &str,
        label: Option<String>,
        at: &Location,
    ) -> Result<usize, ImportError> {
        if let Some(&i) = self.index.get(id) {
            if label.is_some() {
                self.nodes[i].1 = label;
            }
            return Ok(i);
        }
        if id != START && id != END {
            self.steps += 1;
            // Stop at once: a hostile text could name millions of nodes.
            if self.steps > self.max_steps {
                return Err(ImportError::TooManySteps {
                    count: self.steps,
                    max: self.max_steps,
                    at: at.clone(),
                });
            }
        }
        self.index.insert(id.to_string(), self.nodes.len());
        self.nodes.push((id.to_string(), label));
        Ok(self.nodes.len() - 1)
    }

    /// Adds the edge `from` → `to` once, however often it is written; returns whether
    /// it is new. `A & B & … --> C & D & …` writes many edges in one line, so the edges
    /// written in all are capped: a hostile text cannot make the import run for minutes.
    pub(super) fn edge(
        &mut self,
        from: usize,
        to: usize,
        at: &Location,
    ) -> Result<bool, ImportError> {
        self.written += 1;
        let max = self.max_steps.saturating_mul(self.max_steps).max(1 << 16);
        if self.written > max {
            return Err(ImportError::Syntax {
                at: at.clone(),
                detail: format!(
                    "more than {max} edges are written by here; that is more than a chain can hold"
                ),
            });
        }
        let new = self.seen_edges.insert((from, to));
        if new {
            self.edges.push((from, to, at.clone()));
        }
        Ok(new)
    }

    /// The chain: one step per node but `__start__` and `__end__`, edges between
    /// steps as inputs, kinds guessed, latencies assumed.
    pub(super) fn into_imported(
        self,
        name: String,
        format: Format,
        limits: Limits,
    ) -> Result<Imported, ImportError> {
        let mut ids = IdMaker::default();
        // The node's name: the id its source meant, which also labels an unlabelled step.
        let names: Vec<&str> = self
            .nodes
            .iter()
            .map(|(raw, label)| {
                self.ids
                    .get(raw)
                    .map(String::as_str)
                    .or_else(|| unescaped_name(raw, label.as_deref()))
                    .unwrap_or(raw)
            })
            .collect();
        let step_ids: Vec<Option<StepId>> = self
            .nodes
            .iter()
            .zip(&names)
            .map(|((raw, _), name)| (raw != START && raw != END).then(|| ids.id_for(name)))
            .collect();
        let mut inputs: Vec<Vec<StepId>> = vec![Vec::new(); self.nodes.len()];
        for (from, to, _) in &self.edges {
            if let (Some(from), Some(_)) = (&step_ids[*from], &step_ids[*to]) {
                inputs[*to].push(from.clone());
            }
        }
        let (mut http, mut llm) = (Vec::new(), Vec::new());
        let mut steps = Vec::new();
        for ((((_, label), name), id), inputs) in
            self.nodes.iter().zip(&names).zip(&step_ids).zip(inputs)
        {
            let Some(id) = id.clone() else { continue };
            let label = label
                .clone()
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| name.to_string());
            let kind = GuessedKind::from_name(&label);
            let latency = match kind {
                GuessedKind::Llm => {
                    llm.push(id.clone());
                    ASSUMED_LLM_LATENCY
                }
                GuessedKind::Http => {
                    http.push(id.clone());
                    ASSUMED_HTTP_LATENCY
                }
            };
            steps.push(new_step(
                id,
                label,
                kind,
                None,
                (inputs, Inputs::Data),
                latency,
            ));
        }
        if steps.is_empty() {
            return Err(ImportError::NoSteps);
        }
        let chain = Chain {
            name,
            description: format!("Imported from a {}.", format.name()),
            seed: 0,
            steps,
        };
        let closing_edge = |cycle: &[StepId]| {
            let pairs: HashSet<(&StepId, &StepId)> =
                cycle.windows(2).map(|w| (&w[0], &w[1])).collect();
            // The last-written edge of the cycle is the one that closed it.
            self.edges
                .iter()
                .rev()
                .find(|(from, to, _)| {
                    matches!((&step_ids[*from], &step_ids[*to]), (Some(f), Some(t)) if pairs.contains(&(f, t)))
                })
                .map(|(_, _, at)| at.clone())
        };
        let chain = finish(chain, limits, closing_edge)?;

        let mut notes = vec![
            Note::KindsGuessed { http, llm },
            Note::LatenciesAssumed {
                llm: ASSUMED_LLM_LATENCY,
                http: ASSUMED_HTTP_LATENCY,
            },
        ];
        if self.conditional > 0 {
            notes.push(Note::ConditionalEdges {
                count: self.conditional,
            });
        }
        if self.subgraphs > 0 {
            notes.push(Note::SubgraphsFlattened {
                count: self.subgraphs,
            });
        }
        if self.invisible > 0 {
            notes.push(Note::InvisibleLinks {
                count: self.invisible,
            });
        }
        notes.extend(ids.note());
        Ok(Imported {
            chain,
            format,
            notes,
        })
    }
}

/// The name behind a LangChain-escaped id: `_to_safe_id` writes every character other
/// than `[A-Za-z0-9_-]` as `\` and its hex code (`fetch\20news`), which cannot be
/// undone alone, but the label holds the name, so the label is taken when escaping it
/// gives the id.
fn unescaped_name<'a>(raw: &str, label: Option<&'a str>) -> Option<&'a str> {
    let label = label?;
    if !raw.contains('\\') {
        return None;
    }
    let escaped: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{:x}", c as u32)
            }
        })
        .collect();
    (escaped == raw).then_some(label)
}

/// A node of LangGraph's `get_graph().to_json()`: `data` is the runnable's description
/// (its `name` is the node's name) or a schema's.
pub(super) struct JsonNode<'a> {
    id: Option<&'a Value>,
    data: Option<&'a Value>,
}

/// An edge of LangGraph's JSON; `conditional` marks a branch chosen at run time.
pub(super) struct JsonEdge<'a> {
    source: Option<&'a Value>,
    target: Option<&'a Value>,
    conditional: bool,
}

/// LangGraph's `nodes` and `edges`, read by hand from the parsed JSON (no serde derive
/// code in the page for them).
pub(super) fn json_graph<'a>(
    nodes: &'a Value,
    edges: Option<&'a Value>,
) -> Result<(Vec<JsonNode<'a>>, Vec<JsonEdge<'a>>), ImportError> {
    let object = |v: &Value, what: &str| {
        if v.is_object() {
            Ok(())
        } else {
            Err(json::wrong(&format!(
                "each of the {what} should be an object"
            )))
        }
    };
    let nodes = json::list(Some(nodes), "nodes")?
        .iter()
        .map(|node| {
            object(node, "nodes")?;
            Ok(JsonNode {
                id: node.get("id"),
                data: json::field(node, "data"),
            })
        })
        .collect::<Result<_, ImportError>>()?;
    let edges = json::list(edges, "edges")?
        .iter()
        .map(|edge| {
            object(edge, "edges")?;
            let conditional = match json::field(edge, "conditional") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(json::wrong(
                        "an edge's \"conditional\" should be true or false",
                    ))
                }
            };
            Ok(JsonEdge {
                source: json::field(edge, "source"),
                target: json::field(edge, "target"),
                conditional,
            })
        })
        .collect::<Result<_, ImportError>>()?;
    Ok((nodes, edges))
}

fn json_id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads LangGraph's `get_graph().to_json()`.
pub(super) fn import_langgraph(
    nodes: &[JsonNode],
    edges: &[JsonEdge],
    stem: Option<&str>,
    limits: Limits,
) -> Result<Imported, ImportError> {
    let mut graph = Graph::new(limits);
    for (i, node) in nodes.iter().enumerate() {
        let at = Location::Node(i + 1);
        let id = node
            .id
            .and_then(json_id)
            .ok_or_else(|| ImportError::Syntax {
                at: at.clone(),
                detail: "its \"id\" should be a string".into(),
            })?;
        let label = node
            .data
            .and_then(|d| d.get("name"))
            .and_then(Value::as_str)
            .filter(|name| *name != id)
            .map(str::to_string);
        graph.node(&id, label, &at)?;
    }
    for (i, edge) in edges.iter().enumerate() {
        let at = Location::Edge(i + 1);
        let end = |value: Option<&Value>, field: &str| {
            let id = value.and_then(json_id).ok_or_else(|| ImportError::Syntax {
                at: at.clone(),
                detail: format!("its \"{field}\" should be a node's id"),
            })?;
            graph
                .index
                .get(&id)
                .copied()
                .ok_or_else(|| ImportError::Syntax {
                    at: at.clone(),
                    detail: format!("its {field} \"{id}\" is not one of the nodes"),
                })
        };
        let (from, to) = (end(edge.source, "source")?, end(edge.target, "target")?);
        if graph.edge(from, to, &at)? && edge.conditional {
            graph.conditional += 1;
        }
    }
    let name = stem.map_or_else(|| "Imported LangGraph graph".to_string(), str::to_string);
    graph.into_imported(name, Format::LangGraphJson, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn langchain_escaped_ids_take_the_name_from_the_label() {
        assert_eq!(
            unescaped_name("fetch\\20news", Some("fetch news")),
            Some("fetch news")
        );
        assert_eq!(unescaped_name("fetch\\20news", Some("other")), None);
        assert_eq!(unescaped_name("plain", Some("Plain label")), None);
    }
}
