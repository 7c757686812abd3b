//! Local steps: what transform/aggregate and output steps compute from their inputs.
//! They run the same way on the simulator and in a live run.

use crate::model::{StepId, TransformOp};
use crate::steps::template;

pub fn apply(op: TransformOp, template_text: &str, inputs: &[(StepId, String)]) -> String {
    match op {
        TransformOp::Template => template::render(template_text, inputs),
        TransformOp::Concatenate => concatenate(inputs),
        TransformOp::JsonMerge => json_merge(inputs),
        TransformOp::MajorityVote => majority_vote(inputs),
        TransformOp::PickLongest => inputs
            .iter()
            .max_by_key(|(_, text)| text.chars().count())
            .map(|(_, text)| text.clone())
            .unwrap_or_default(),
    }
}

pub fn concatenate(inputs: &[(StepId, String)]) -> String {
    inputs
        .iter()
        .map(|(_, text)| text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Objects are merged key by key (later inputs win); any other value is kept under
/// the id of the step it came from.
fn json_merge(inputs: &[(StepId, String)]) -> String {
    let mut merged = serde_json::Map::new();
    for (id, text) in inputs {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(object)) => merged.extend(object),
            Ok(value) => {
                merged.insert(id.to_string(), value);
            }
            Err(_) => {
                merged.insert(id.to_string(), serde_json::Value::String(text.clone()));
            }
        }
    }
    serde_json::Value::Object(merged).to_string()
}

/// The answer most inputs gave (compared trimmed and case-blind); ties go to the
/// answer seen first.
fn majority_vote(inputs: &[(StepId, String)]) -> String {
    let mut tally: Vec<(String, usize, &str)> = Vec::new();
    for (_, text) in inputs {
        let key = text.trim().to_lowercase();
        match tally.iter_mut().find(|(k, _, _)| *k == key) {
            Some(entry) => entry.1 += 1,
            None => tally.push((key, 1, text.trim())),
        }
    }
    let mut best: Option<&(String, usize, &str)> = None;
    for entry in &tally {
        if best.is_none_or(|b| entry.1 > b.1) {
            best = Some(entry);
        }
    }
    best.map(|(_, _, text)| text.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(texts: &[&str]) -> Vec<(StepId, String)> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| (StepId::new(format!("s{i}")), t.to_string()))
            .collect()
    }

    #[test]
    fn majority_vote_picks_the_most_common_answer() {
        assert_eq!(
            apply(
                TransformOp::MajorityVote,
                "",
                &inputs(&["no", "Yes", "yes "])
            ),
            "Yes"
        );
    }

    #[test]
    fn json_merge_keeps_non_objects_under_their_step() {
        let merged = apply(
            TransformOp::JsonMerge,
            "",
            &inputs(&[r#"{"a":1}"#, "plain", r#"{"b":2}"#]),
        );
        assert_eq!(merged, r#"{"a":1,"b":2,"s1":"plain"}"#);
    }

    #[test]
    fn pick_longest_and_concatenate() {
        let ins = inputs(&["short", "the longest one", "mid size"]);
        assert_eq!(apply(TransformOp::PickLongest, "", &ins), "the longest one");
        assert_eq!(
            apply(TransformOp::Concatenate, "", &ins),
            "short\n\nthe longest one\n\nmid size"
        );
    }
}
