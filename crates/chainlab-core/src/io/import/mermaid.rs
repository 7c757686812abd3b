//! Mermaid flowcharts in and out.
//!
//! Read: what LangGraph's `draw_mermaid()` writes (front matter, `graph TD;`,
//! `__start__([<p>__start__</p>]):::first`, `a -. &nbsp;x&nbsp; .-> b;`, `classDef`) and
//! what people write in READMEs (`flowchart LR`, `A & B --> C`, `A -- text --> B`,
//! `A -->|text| B`, `A[Search the web]`, `%%` comments). One statement per line or
//! between `;`; styling, classes, clicks and subgraph borders are skipped, since a
//! chain has no use for them. Anything else is refused with its line number.
//!
//! Written: `flowchart LR`, one node per step with its label quoted (Mermaid's `#34;`
//! codes for characters that would end or break it), then one `-->` per edge. Step ids
//! that Mermaid would misread (`end`, `a--b`, non-ASCII) are written as a stand-in
//! node id, with a `%% chainlab-id` comment that Mermaid skips and [`super::import`]
//! reads back, so importing an export gives the same steps and edges.

use super::graph::Graph;
use super::{Format, ImportError, Imported, Location};
use crate::model::Chain;
use crate::plan::Limits;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// The comment that carries a step id Mermaid could not hold as a node id.
const ID_COMMENT: &str = "chainlab-id ";

/// Words Mermaid reads as keywords wherever a node id could stand, and LangGraph's
/// markers, which the importer drops.
const RESERVED: [&str; 15] = [
    "end",
    "graph",
    "flowchart",
    "subgraph",
    "style",
    "class",
    "classdef",
    "click",
    "linkstyle",
    "direction",
    "default",
    "call",
    "href",
    "__start__",
    "__end__",
];

/// Shapes: the opening mark and the marks that may close it, longest openings first so
/// that `([` is not read as `(`.
const SHAPES: [(&str, &[&str]); 12] = [
    ("(((", &[")))"]),
    ("((", &["))"]),
    ("([", &["])"]),
    ("[[", &["]]"]),
    ("[(", &[")]"]),
    ("{{", &["}}"]),
    ("[/", &["/]", "\\]"]),
    ("[\\", &["\\]", "/]"]),
    ("[", &["]"]),
    ("(", &[")"]),
    ("{", &["}"]),
    (">", &["]"]),
];

pub(super) fn import(
    text: &str,
    stem: Option<&str>,
    limits: Limits,
) -> Result<Imported, ImportError> {
    let mut graph = Graph::new(limits);
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
    let mut title = None;
    let mut header = false;
    let mut first = true;
    while let Some((n, line)) = lines.next() {
        let t = line.trim();
        if std::mem::take(&mut first) && t == "---" {
            title = front_matter(&mut lines)?;
            continue;
        }
        if t.is_empty() {
            continue;
        }
        if let Some(comment) = t.strip_prefix("%%") {
            if let Some((node, id)) = comment
                .trim_start()
                .strip_prefix(ID_COMMENT)
                .and_then(|rest| rest.split_once(' '))
            {
                graph.ids.insert(node.to_string(), decode_entities(id));
            }
            continue;
        }
        if !header {
            let word = t.split([' ', '\t', ';']).next().unwrap_or(t);
            if !matches!(word, "graph" | "flowchart" | "flowchart-elk") {
                if n == 1 {
                    return Err(ImportError::UnknownFormat {
                        start: t.chars().take(60).collect(),
                    });
                }
                return Err(ImportError::Syntax {
                    at: Location::Line(n),
                    detail: format!(
                        "expected \"graph\" or \"flowchart\" (ChainLab reads Mermaid flowcharts), found \"{}\"",
                        snippet(t)
                    ),
                });
            }
            header = true;
            // `graph TD; A --> B` may go on after the direction.
            let rest = t[word.len()..].trim_start();
            let rest = match rest.split_once(|c: char| c == ';' || c.is_whitespace()) {
                Some((dir, more)) if is_direction(dir) => more,
                None if is_direction(rest) => "",
                _ => rest,
            };
            statements(rest, n, &mut graph)?;
            continue;
        }
        let word = t
            .split_whitespace()
            .next()
            .unwrap_or(t)
            .trim_end_matches([';', ':'])
            .to_ascii_lowercase();
        match word.as_str() {
            "classdef" | "class" | "style" | "linkstyle" | "click" | "direction" | "acctitle"
            | "accdescr" => {}
            "subgraph" => graph.subgraphs += 1,
            "end" if t.trim_end_matches(';').trim() == "end" => {}
            _ => statements(t, n, &mut graph)?,
        }
    }
    if !header {
        return Err(ImportError::UnknownFormat {
            start: text.lines().next().unwrap_or("").chars().take(60).collect(),
        });
    }
    let name = title
        .or_else(|| stem.map(str::to_string))
        .unwrap_or_else(|| "Imported Mermaid flowchart".into());
    graph.into_imported(name, Format::Mermaid, limits)
}

fn is_direction(word: &str) -> bool {
    matches!(word, "TD" | "TB" | "BT" | "RL" | "LR")
}

/// Skips front matter up to its closing `---`, keeping its `title:` if it has one.
fn front_matter<'a>(
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
) -> Result<Option<String>, ImportError> {
    let mut title = None;
    for (_, line) in lines.by_ref() {
        if line.trim() == "---" {
            return Ok(title);
        }
        if let Some(value) = line.strip_prefix("title:") {
            let value = value.trim();
            title = Some(serde_json::from_str::<String>(value).unwrap_or_else(|_| value.into()));
        }
    }
    Err(ImportError::Syntax {
        at: Location::Line(1),
        detail: "the front matter opened by --- is never closed by another ---".into(),
    })
}

/// A short piece of a line for messages.
fn snippet(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// Reads a line as statements: nodes and links, separated by `;`.
fn statements(line: &str, n: usize, graph: &mut Graph) -> Result<(), ImportError> {
    let at = Location::Line(n);
    let mut c = Cursor { text: line, at: 0 };
    let syntax = |detail: String| ImportError::Syntax {
        at: at.clone(),
        detail,
    };
    loop {
        c.skip_spaces();
        if c.eat(";") {
            continue;
        }
        if c.rest().is_empty() {
            return Ok(());
        }
        statement(&mut c, graph, &at)?;
        c.skip_spaces();
        if c.rest().is_empty() {
            return Ok(());
        }
        if !c.eat(";") {
            return Err(syntax(format!(
                "expected a link such as --> or the end of the statement, found \"{}\"",
                snippet(c.rest())
            )));
        }
    }
}

/// `A & B --> C -.-> D`: node groups joined by links; every node of a group links to
/// every node of the next.
fn statement(c: &mut Cursor, graph: &mut Graph, at: &Location) -> Result<(), ImportError> {
    let syntax = |detail: String| ImportError::Syntax {
        at: at.clone(),
        detail,
    };
    let mut left = node_group(c, graph, at)?;
    loop {
        c.skip_spaces();
        if c.rest().is_empty() || c.rest().starts_with(';') {
            return Ok(());
        }
        let link = link(c).map_err(|e| syntax(format!("{e}, found \"{}\"", snippet(c.rest()))))?;
        c.skip_spaces();
        let right = node_group(c, graph, at)?;
        for &from in &left {
            for &to in &right {
                match link {
                    Link::Invisible => graph.invisible += 1,
                    Link::Solid => {
                        graph.edge(from, to, at)?;
                    }
                    Link::Dotted => {
                        if graph.edge(from, to, at)? {
                            graph.conditional += 1;
                        }
                    }
                }
            }
        }
        left = right;
    }
}

fn node_group(c: &mut Cursor, graph: &mut Graph, at: &Location) -> Result<Vec<usize>, ImportError> {
    let mut group = Vec::new();
    loop {
        let node = node(c, graph, at)?;
        if !group.contains(&node) {
            group.push(node);
        }
        c.skip_spaces();
        if !c.eat("&") {
            return Ok(group);
        }
        c.skip_spaces();
    }
}

/// `id`, `id[label]` (or another shape), `id@{ label: "…" }`, each with an optional
/// `:::class`.
fn node(c: &mut Cursor, graph: &mut Graph, at: &Location) -> Result<usize, ImportError> {
    let syntax = |detail: String| ImportError::Syntax {
        at: at.clone(),
        detail,
    };
    let id = read_id(c);
    if id.is_empty() {
        return Err(syntax(format!(
            "expected a node id, found \"{}\"",
            snippet(c.rest())
        )));
    }
    let label = if c.eat("@{") {
        Some(shape_object(c).map_err(syntax)?)
    } else {
        shape(c).map_err(syntax)?
    };
    if c.eat(":::") {
        let class = c
            .rest()
            .find(|ch: char| ch.is_whitespace() || ch == ';' || ch == '&')
            .unwrap_or(c.rest().len());
        c.at += class;
    }
    graph.node(id, label.map(|l| clean_label(&l)), at)
}

/// A node id: up to a space, a shape, a class, `&`, `;` or a link. A single `-` or `.`
/// may stand inside an id (`summarize-a`); two start a link.
fn read_id<'a>(c: &mut Cursor<'a>) -> &'a str {
    let rest = c.rest();
    let end = rest
        .char_indices()
        .find(|&(i, ch)| {
            ch.is_whitespace()
                || "[](){}<>&;|\"'`:@,".contains(ch)
                || ["--", "-.", "==", "~~"]
                    .iter()
                    .any(|link| rest[i..].starts_with(link))
        })
        .map_or(rest.len(), |(i, _)| i);
    c.at += end;
    &rest[..end]
}

/// A shape and its text, if one follows: `[text]`, `(text)`, `(["text"])`, …
fn shape(c: &mut Cursor) -> Result<Option<String>, String> {
    let rest = c.rest();
    let Some((open, closes)) = SHAPES.iter().find(|(open, _)| rest.starts_with(open)) else {
        return Ok(None);
    };
    let body = &rest[open.len()..];
    let never_closed = || {
        format!(
            "the shape opened by \"{open}\" is never closed by \"{}\"",
            closes[0]
        )
    };
    let (text, used) = if let Some(quoted) = body.strip_prefix('"') {
        let end = quoted
            .find('"')
            .ok_or("a quoted label is never closed by \"")?;
        let after = &quoted[end + 1..];
        let close = closes
            .iter()
            .find(|close| after.starts_with(*close))
            .ok_or_else(never_closed)?;
        (&quoted[..end], 1 + end + 1 + close.len())
    } else {
        // The first closing mark that ends the node, so a name with brackets in it
        // (which LangGraph writes unquoted) stays whole.
        let (end, close) = closes
            .iter()
            .flat_map(|close| body.match_indices(close))
            .filter(|&(i, close)| ends_node(&body[i + close.len()..]))
            .min_by_key(|&(i, _)| i)
            .ok_or_else(never_closed)?;
        (&body[..end], end + close.len())
    };
    c.at += open.len() + used;
    Ok(Some(text.to_string()))
}

/// Whether a node can end before `rest`.
fn ends_node(rest: &str) -> bool {
    rest.is_empty()
        || rest.starts_with(|ch: char| ch.is_whitespace() || ch == ';' || ch == '&')
        || [":::", "--", "-.", "==", "~~"]
            .iter()
            .any(|mark| rest.starts_with(mark))
}

/// The label of Mermaid's newer node syntax, `id@{ shape: rect, label: "Search" }`.
fn shape_object(c: &mut Cursor) -> Result<String, String> {
    let body = c.rest();
    let mut quoted = false;
    let end = body
        .char_indices()
        .find(|&(_, ch)| {
            if ch == '"' {
                quoted = !quoted;
            }
            ch == '}' && !quoted
        })
        .map(|(i, _)| i)
        .ok_or("the node's @{ is never closed by }")?;
    c.at += end + 1;
    let Some((_, value)) = body[..end].split_once("label:") else {
        return Ok(String::new());
    };
    let value = value.trim_start();
    Ok(match value.strip_prefix('"') {
        Some(q) => q.split('"').next().unwrap_or(q).to_string(),
        None => value.split(',').next().unwrap_or(value).trim().to_string(),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    /// `-->`, `---`, `==>`, `--o`, with or without text: an edge.
    Solid,
    /// `-.->`, `-. text .->`: LangGraph's conditional edges.
    Dotted,
    /// `~~~`: places nodes, means nothing.
    Invisible,
}

/// A link and its text (`-- text -->`, `-->|text|`), which says nothing ChainLab keeps.
fn link(c: &mut Cursor) -> Result<Link, &'static str> {
    let rest = c.rest();
    let kind = if rest.starts_with("~~~") {
        c.at += run(rest, '~');
        Link::Invisible
    } else if rest.starts_with("-.") {
        c.at += 1;
        c.at += run(c.rest(), '.');
        if !c.eat("-") {
            // `-. text .->`
            let end = c
                .rest()
                .find(".-")
                .ok_or("a dotted link's text is never closed by .->")?;
            c.at += end;
            c.at += run(c.rest(), '.');
            if !c.eat("-") {
                return Err("a dotted link's text is never closed by .->");
            }
        }
        c.eat(">");
        Link::Dotted
    } else if let Some(mark) = ['-', '='].into_iter().find(|&m| rest.starts_with([m, m])) {
        let n = run(rest, mark);
        c.at += n;
        if !c.arrow_head() && n < 3 {
            // `-- text -->`
            let double: String = [mark, mark].iter().collect();
            let end = c
                .rest()
                .find(&double)
                .ok_or("a link's text is never closed by --> or ==>")?;
            c.at += end;
            let closing = run(c.rest(), mark);
            c.at += closing;
            if !c.arrow_head() && closing < 3 {
                return Err("a link's text is never closed by --> or ==>");
            }
        }
        Link::Solid
    } else {
        return Err("expected a link such as -->, -.-> or ==>");
    };
    c.skip_spaces();
    if c.eat("|") {
        let end = c
            .rest()
            .find('|')
            .ok_or("a link's |text| is never closed by |")?;
        c.at += end + 1;
    }
    Ok(kind)
}

/// How many `mark`s `text` starts with, in bytes.
fn run(text: &str, mark: char) -> usize {
    text.len() - text.trim_start_matches(mark).len()
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, mark: &str) -> bool {
        let found = self.rest().starts_with(mark);
        if found {
            self.at += mark.len();
        }
        found
    }

    /// `>`, or a circle or cross end (`--o`, `--x`) followed by a space.
    fn arrow_head(&mut self) -> bool {
        if self.eat(">") {
            return true;
        }
        let rest = self.rest();
        let mut chars = rest.chars();
        if matches!(chars.next(), Some('o' | 'x')) && chars.next().is_some_and(char::is_whitespace)
        {
            self.at += 1;
            return true;
        }
        false
    }
}

/// A label as people read it: HTML tags dropped (`<br>` a space), LangGraph's metadata
/// after `<hr/>` left out, markdown backticks and entities (`&nbsp;`, `#quot;`, `#35;`)
/// undone.
fn clean_label(raw: &str) -> String {
    let raw = raw.trim();
    let raw = raw
        .strip_prefix('`')
        .and_then(|r| r.strip_suffix('`'))
        .unwrap_or(raw);
    let raw = raw.split("<hr").next().unwrap_or(raw);
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = rest[open + 1..open + close].trim_start_matches('/');
        if tag.to_ascii_lowercase().starts_with("br") {
            text.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    decode_entities(&text).trim().to_string()
}

/// Undoes HTML entities (`&amp;`, `&#35;`) and Mermaid's (`#quot;`, `#35;`); anything
/// else that starts with `&` or `#` stays as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['&', '#']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match entity(rest) {
            Some((len, ch)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push_str(&rest[..1]);
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity at the start of `text` stands for, and its length.
fn entity(text: &str) -> Option<(usize, char)> {
    // Entities are short: look for the `;` among the next few characters only.
    let semi = 1 + text[1..]
        .char_indices()
        .take(12)
        .find(|&(_, c)| c == ';')
        .map(|(i, _)| i)?;
    let name = &text[1..semi];
    let number = match name.strip_prefix('#') {
        Some(n) if text.starts_with('&') => Some(n),
        _ if text.starts_with('#') => Some(name),
        _ => None,
    };
    let ch = match number {
        Some(n) if n.starts_with(['x', 'X']) => {
            char::from_u32(u32::from_str_radix(&n[1..], 16).ok()?)?
        }
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            char::from_u32(n.parse().ok()?)?
        }
        _ => match name {
            "nbsp" => ' ',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => return None,
        },
    };
    Some((semi + 1, ch))
}

/// Whether Mermaid reads `id` as this node id wherever it stands: ASCII letters, digits
/// and `_`, with single `-` inside, and not a keyword.
fn is_mermaid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && !RESERVED.contains(&id.to_ascii_lowercase().as_str())
}

/// Text that Mermaid shows as written inside a quoted label: characters that would end
/// the label, start a comment or an entity, or be read as HTML, as `#<code>;`.
fn escape(text: &str, spaces: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '#' | '&' | '<' | '>' | '`' | '%')
            || c.is_control()
            || (spaces && c == ' ')
        {
            let _ = write!(out, "#{};", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// The chain as a Mermaid flowchart, left to right like the canvas, for a README or a
/// GitHub issue.
pub fn to_mermaid(chain: &Chain) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\ntitle: {}\n---",
        serde_json::to_string(&chain.name).unwrap_or_default()
    );
    out.push_str("flowchart LR\n");
    let taken: HashSet<&str> = chain.steps.iter().map(|s| s.id.as_str()).collect();
    let mut nodes: HashMap<&str, String> = HashMap::new();
    let mut stand_ins = 0;
    for step in &chain.steps {
        let id = step.id.as_str();
        let node = if is_mermaid_id(id) {
            id.to_string()
        } else {
            let node = loop {
                stand_ins += 1;
                let candidate = format!("step{stand_ins}");
                if !taken.contains(candidate.as_str()) {
                    break candidate;
                }
            };
            let _ = writeln!(out, "    %% {ID_COMMENT}{node} {}", escape(id, true));
            node
        };
        if step.label.trim().is_empty() {
            let _ = writeln!(out, "    {node}");
        } else {
            let _ = writeln!(out, "    {node}[\"{}\"]", escape(&step.label, false));
        }
        nodes.insert(id, node);
    }
    for step in &chain.steps {
        for input in &step.inputs {
            if let (Some(from), Some(to)) = (nodes.get(input.as_str()), nodes.get(step.id.as_str()))
            {
                let _ = writeln!(out, "    {from} --> {to}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_html_and_entities() {
        assert_eq!(clean_label("<p>__start__</p>"), "__start__");
        assert_eq!(clean_label("a<br>b"), "a b");
        assert_eq!(
            clean_label("Say #quot;hi#quot; #35;1 &amp; more"),
            "Say \"hi\" #1 & more"
        );
        assert_eq!(
            clean_label("node<hr/><small><em>k = v</em></small>"),
            "node"
        );
        assert_eq!(clean_label("`**bold**`"), "**bold**");
        assert_eq!(clean_label("a # b & c"), "a # b & c");
    }

    #[test]
    fn escaped_labels_decode_to_themselves() {
        for text in [
            "plain",
            "a \"quoted\" #tag & <b> `x` 100%",
            "two\nlines",
            "é ü 中文",
        ] {
            assert_eq!(decode_entities(&escape(text, false)), text);
        }
    }

    #[test]
    fn ids_that_mermaid_would_misread_are_not_written_as_ids() {
        for bad in [
            "end",
            "End",
            "a--b",
            "-a",
            "a-",
            "é",
            "a b",
            "__start__",
            "",
        ] {
            assert!(!is_mermaid_id(bad), "{bad}");
        }
        for good in ["search_a", "summarize-a", "S1", "x"] {
            assert!(is_mermaid_id(good), "{good}");
        }
    }
}
