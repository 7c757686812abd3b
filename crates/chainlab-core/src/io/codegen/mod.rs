//! A chain written out as code for the frameworks people run in production:
//! LangChain (LCEL, one `RunnableParallel` per dependency level), LangGraph (a
//! `StateGraph` with fan-out and fan-in edges) and Rust with `futures` (a staged and
//! an eager run).
//!
//! The code runs as written: every step is a stand-in that sleeps for the step's
//! simulated latency and returns its simulated output, so the exported program's
//! makespan can be checked against the engine's prediction (CI does, for every gallery
//! chain: `tests/python/test_exported.py`). Real provider calls appear only as comments.
//!
//! Text from the chain lands in string literals (escaped) and in comments (one line,
//! control characters removed), never as code. Credentials (see `io::secrets`) are
//! left out, as in links: the real call reads each from an environment variable.

mod python;
mod rust;

use crate::io::secrets::{self, is_secret_header};
use crate::model::{Step, StepKind};
use crate::plan::Plan;

/// A language a chain can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    LangChain,
    LangGraph,
    Rust,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::LangChain, Language::LangGraph, Language::Rust];

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Language::LangChain => "LangChain (Python, LCEL)",
            Language::LangGraph => "LangGraph (Python, StateGraph)",
            Language::Rust => "Rust (futures: staged and eager)",
        }
    }

    /// A stable key for menus and tests.
    pub fn key(self) -> &'static str {
        match self {
            Language::LangChain => "langchain",
            Language::LangGraph => "langgraph",
            Language::Rust => "rust",
        }
    }

    pub fn from_key(key: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.key() == key)
    }

    /// The file name a download gets.
    pub fn file_name(self) -> &'static str {
        match self {
            Language::LangChain => "chain_langchain.py",
            Language::LangGraph => "chain_langgraph.py",
            Language::Rust => "chain.rs",
        }
    }
}

/// The program that runs `plan` in `language`.
pub fn export(plan: &Plan, language: Language) -> String {
    let names = Names::new(plan, language);
    match language {
        Language::LangChain => python::langchain(plan, &names),
        Language::LangGraph => python::langgraph(plan, &names),
        Language::Rust => rust::program(plan, &names),
    }
}

/// One identifier per step, valid in the target language and unique: the step id
/// where it is one already (`search_a`), made safe otherwise; and the language they
/// are for.
pub(crate) struct Names {
    names: Vec<String>,
    pub(crate) language: Language,
}

impl Names {
    fn new(plan: &Plan, language: Language) -> Self {
        let reserved: &[&str] = match language {
            Language::Rust => RUST_RESERVED,
            Language::LangChain | Language::LangGraph => PYTHON_RESERVED,
        };
        let mut names: Vec<String> = Vec::with_capacity(plan.len());
        for i in 0..plan.len() {
            let mut name: String = plan
                .step(i)
                .id
                .as_str()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            if name.is_empty()
                || name.starts_with(|c: char| c.is_ascii_digit())
                || name.starts_with('_')
                || reserved.contains(&name.as_str())
            {
                name = format!("step_{name}");
            }
            let base = name.clone();
            let mut n = 2;
            while names.contains(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
            names.push(name);
        }
        Names { names, language }
    }

    pub(crate) fn of(&self, i: usize) -> &str {
        &self.names[i]
    }
}

/// Keywords, and names the generated programs use for themselves.
const PYTHON_RESERVED: &[&str] = &[
    "false",
    "none",
    "true",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "type",
    "asyncio",
    "json",
    "re",
    "time",
    "render",
    "main",
    "chain",
    "graph",
    "builder",
    "state",
    "concatenate",
    "pick_longest",
    "majority_vote",
    "json_merge",
    "input",
    "print",
    "len",
    "max",
    "list",
    "dict",
    "str",
];

const RUST_RESERVED: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "main",
    "render",
    "state",
    "run_staged",
    "run_eager",
    "concatenate",
    "pick_longest",
    "majority_vote",
    "json_merge",
    "after",
    "std",
    "core",
    "futures",
    "tokio",
];

/// Chain text made safe for a one-line comment: control characters and line
/// separators become spaces, and long text is cut.
pub(crate) fn comment(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let one_line = one_line.trim();
    match one_line.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line.to_string(),
    }
}

/// A double-quoted string literal that Python and JSON both read back as `text`.
pub(crate) fn python_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// How the program reads credential `name` of `step` from its environment.
fn env_read(language: Language, step: &Step, name: &str) -> String {
    let var = secrets::env_name(&step.id, name);
    match language {
        Language::LangChain | Language::LangGraph => format!("os.environ[\"{var}\"]"),
        Language::Rust => format!("std::env::var(\"{var}\")"),
    }
}

/// What a real run of the step would do, for a comment next to its stand-in.
pub(crate) fn real_call_hint(step: &Step, language: Language) -> Option<String> {
    match &step.kind {
        StepKind::Llm(llm) => {
            let prompt = comment(&llm.prompt);
            // An empty prompt is said in words, not left as a dangling "prompt:".
            let prompt = if prompt.is_empty() {
                "no prompt of its own (only the system prompt)".to_string()
            } else {
                format!("prompt: {prompt}")
            };
            Some(format!(
                "Real call: chat model {} via {} (temperature {}, max {} tokens), {prompt}",
                comment(&llm.model),
                comment(&llm.provider),
                llm.temperature,
                llm.max_tokens,
            ))
        }
        StepKind::Http(http) => {
            let headers: Vec<String> = http
                .headers
                .iter()
                .map(|h| {
                    if is_secret_header(h) {
                        format!(
                            "{}: {}",
                            comment(&h.name),
                            env_read(language, step, &h.name)
                        )
                    } else {
                        format!("{}: {}", comment(&h.name), comment(&h.value))
                    }
                })
                .collect();
            let (url, credentials) = secrets::split_url(&http.url);
            let mut hint = format!(
                "Real call: HTTP {} {}",
                comment(&http.method),
                comment(&url)
            );
            if !headers.is_empty() {
                hint.push_str(&format!(" with headers {}", headers.join(", ")));
            }
            if !credentials.is_empty() {
                let params: Vec<String> = credentials
                    .iter()
                    .map(|(name, _)| {
                        format!("{}={}", comment(name), env_read(language, step, name))
                    })
                    .collect();
                hint.push_str(&format!(" and query {}", params.join("&")));
            }
            Some(hint)
        }
        StepKind::Input { .. } | StepKind::Transform(_) | StepKind::Output => None,
    }
}

/// Which steps run together, as the comment heading a level says it. Levels are
/// numbered from 1, as the canvas's "runs together" bands are.
pub(crate) fn level_heading(plan: &Plan, level: usize, names: &Names) -> String {
    let steps = &plan.levels()[level];
    let number = level + 1;
    let list: Vec<&str> = steps.iter().map(|&i| names.of(i)).collect();
    let slowest = steps.iter().map(|&i| plan.latency(i)).max().unwrap_or(0);
    if steps.len() == 1 {
        format!(
            "Level {number}: {} runs alone ({slowest} ms).",
            list.join(", ")
        )
    } else {
        format!(
            "Level {number}: {} run together; the level takes as long as the slowest ({slowest} ms).",
            list.join(", ")
        )
    }
}

/// The figures the exported program should reproduce, for its header comment.
pub(crate) fn predictions(plan: &Plan) -> String {
    use crate::Mode;
    format!(
        "ChainLab predicts: sequential {} ms, staged {} ms, eager {} ms (the critical path).",
        plan.predicted_makespan(Mode::Sequential),
        plan.predicted_makespan(Mode::Staged),
        plan.predicted_makespan(Mode::Eager)
    )
}
