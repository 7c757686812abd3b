//! Templates refer to a step's inputs by id: `Summarize {{search_a}}`.

use crate::model::StepId;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

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
    render_with(template, values, |_, value| value.to_string())
}

/// Characters left as they are in a URL component: letters, digits and `-_.~`.
const URL_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Fills a URL template: values are percent-encoded (`a b&c` becomes `a%20b%26c`), so an
/// answer put into a path or a query stays one piece of it. A value at the very start
/// of the template is taken as the base of the URL and left as it is.
pub fn render_url(template: &str, values: &[(StepId, String)]) -> String {
    render_with(template, values, |at, value| {
        if at == 0 {
            value.to_string()
        } else {
            utf8_percent_encode(value, URL_COMPONENT).to_string()
        }
    })
}

/// Fills every `{{id}}` with `fill(where it stands in the template, value)`.
fn render_with(
    template: &str,
    values: &[(StepId, String)],
    fill: impl Fn(usize, &str) -> String,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.push_str(&rest[..open]);
        let name = after[..close].trim();
        match values.iter().find(|(id, _)| id.as_str() == name) {
            Some((_, value)) => out.push_str(&fill(template.len() - rest.len() + open, value)),
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
    fn url_values_are_percent_encoded_except_a_leading_base() {
        let values = vec![
            (StepId::new("base"), "https://api.example.com/v1".into()),
            (StepId::new("q"), "rust & wasm/100%?".into()),
        ];
        assert_eq!(
            render_url("{{base}}/search?q={{q}}&raw={{q}}", &values),
            "https://api.example.com/v1/search?q=rust%20%26%20wasm%2F100%25%3F&raw=rust%20%26%20wasm%2F100%25%3F"
        );
        assert_eq!(
            render_url("https://h/{{ q }}", &values[1..]),
            "https://h/rust%20%26%20wasm%2F100%25%3F"
        );
    }

    #[test]
    fn unknown_names_stay_visible() {
        assert_eq!(render("x {{nope}} y", &[]), "x {{nope}} y");
    }
}
