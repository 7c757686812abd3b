//! Templates refer to a step's inputs by id: `Summarize {{search_a}}`.

use crate::model::StepId;

/// The ids a template names, in order of appearance (repeats kept).
pub fn references(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        names.push(after[..close].trim());
        rest = &after[close + 2..];
    }
    names
}

/// Fills every `{{id}}` with that input's output; a name with no value stays as written
/// so the mistake is visible in the result.
pub fn render(template: &str, values: &[(StepId, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.push_str(&rest[..open]);
        let name = after[..close].trim();
        match values.iter().find(|(id, _)| id.as_str() == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_fills_references() {
        let t = "A: {{a}}, B: {{ b }}, again {{a}}, open {{ never closed";
        assert_eq!(references(t), vec!["a", "b", "a"]);
        let values = vec![
            (StepId::new("a"), "1".into()),
            (StepId::new("b"), "2".into()),
        ];
        assert_eq!(
            render(t, &values),
            "A: 1, B: 2, again 1, open {{ never closed"
        );
    }

    #[test]
    fn unknown_names_stay_visible() {
        assert_eq!(render("x {{nope}} y", &[]), "x {{nope}} y");
    }
}
