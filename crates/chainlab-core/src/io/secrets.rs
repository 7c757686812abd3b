//! Credentials in a chain, in one place: which HTTP headers and URL query parameters
//! carry them, the chain without them (what storage, links, files and exported code
//! get), the values set apart (for the page to keep where it keeps provider keys, and
//! to put back), and the masking of any text a server may have echoed them into.
//!
//! A header is a credential when its name says so (`Authorization`,
//! `Proxy-Authorization`, `Cookie`, any name with key, token, secret, password or auth
//! in it) or when the person marked it secret. A query parameter is one when its name
//! is a credential's (`api_key`, `token`, `sig`, …). Header values are emptied and the
//! header kept, so a chain opened elsewhere still shows that it needs one; credential
//! parameters are removed from the URL.

use crate::model::{Chain, Header, HttpStep, StepId, StepKind};
use crate::steps::errors::redact;
use crate::steps::wire::origin_of;
use serde::{Deserialize, Serialize};

/// What a credential is shown as.
pub const MASK: &str = "••••";

/// Names of headers whose values are credentials, whatever their case.
pub fn is_secret_header_name(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    ["authorization", "proxy-authorization", "cookie"].contains(&name.as_str())
        || ["key", "token", "secret", "password", "auth"]
            .iter()
            .any(|word| name.contains(word))
}

/// A header whose value is a credential: by its name, or because the person said so.
pub fn is_secret_header(header: &Header) -> bool {
    header.secret || is_secret_header_name(&header.name)
}

/// Names of URL query parameters that carry credentials, whatever their case.
pub fn is_secret_param(name: &str) -> bool {
    let name = percent_decode(name).to_ascii_lowercase();
    const NAMES: [&str; 12] = [
        "key",
        "api_key",
        "apikey",
        "api-key",
        "token",
        "access_token",
        "secret",
        "client_secret",
        "sig",
        "signature",
        "password",
        "auth",
    ];
    NAMES.contains(&name.as_str())
        || name.ends_with("_key")
        || name.ends_with("_token")
        || name.ends_with("_secret")
        || name.contains("password")
}

/// `%41` and `+` as the characters they stand for, so `api%5Fkey` is seen as `api_key`.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL cut into the part before its query, its query's `name=value` pairs (as
/// written) and its fragment (with `#`).
fn split_query(url: &str) -> (&str, Vec<&str>, &str) {
    let (rest, fragment) = match url.find('#') {
        Some(at) => url.split_at(at),
        None => (url, ""),
    };
    match rest.split_once('?') {
        Some((base, query)) => (
            base,
            query.split('&').filter(|p| !p.is_empty()).collect(),
            fragment,
        ),
        None => (rest, Vec::new(), fragment),
    }
}

fn join_query(base: &str, pairs: &[String], fragment: &str) -> String {
    if pairs.is_empty() {
        format!("{base}{fragment}")
    } else {
        format!("{base}?{}{fragment}", pairs.join("&"))
    }
}

fn param_name(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(name, _)| name)
}

/// The URL without its credential parameters, and those parameters as
/// `(name, value)`, in the order they were written.
pub fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let (base, pairs, fragment) = split_query(url);
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for pair in pairs {
        if is_secret_param(param_name(pair)) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            removed.push((name.to_string(), value.to_string()));
        } else {
            kept.push(pair.to_string());
        }
    }
    (join_query(base, &kept, fragment), removed)
}

/// The URL with each credential parameter's value shown as [`MASK`]: for the
/// details panel and messages, where the person still sees that one is sent.
pub fn redact_url(url: &str) -> String {
    let (base, pairs, fragment) = split_query(url);
    let pairs: Vec<String> = pairs
        .into_iter()
        .map(|pair| {
            let name = param_name(pair);
            if is_secret_param(name) {
                format!("{name}={MASK}")
            } else {
                pair.to_string()
            }
        })
        .collect();
    join_query(base, &pairs, fragment)
}

/// Where in a step a credential goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", content = "name", rename_all = "snake_case")]
pub enum Place {
    Header(String),
    Query(String),
}

/// One credential of one step, with the origin it is meant for: it is put back only
/// into a step that still sends to that origin, so a chain that arrives with the same
/// step ids cannot send this device's credentials somewhere else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    pub step: StepId,
    pub place: Place,
    pub origin: String,
    pub value: String,
}

/// A chain's credentials, set apart from it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secrets(pub Vec<Secret>);

impl Secrets {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Puts each value back where it was taken from: into the same step's header of
    /// that name (when it is empty) or its URL (unless it is there already), if the
    /// step still sends to the same origin.
    pub fn fill(&self, chain: &mut Chain) {
        for secret in &self.0 {
            let Some(http) = chain
                .steps
                .iter_mut()
                .find(|s| s.id == secret.step)
                .and_then(|s| match &mut s.kind {
                    StepKind::Http(http) => Some(http),
                    _ => None,
                })
            else {
                continue;
            };
            if origin_of(&http.url) != secret.origin {
                continue;
            }
            match &secret.place {
                Place::Header(name) => {
                    if let Some(header) = http
                        .headers
                        .iter_mut()
                        .find(|h| h.name.trim().eq_ignore_ascii_case(name) && h.value.is_empty())
                    {
                        header.value.clone_from(&secret.value);
                    }
                }
                Place::Query(name) => {
                    let (base, pairs, fragment) = split_query(&http.url);
                    let pair = format!("{name}={}", secret.value);
                    if pairs.contains(&pair.as_str()) {
                        continue;
                    }
                    let mut pairs: Vec<String> = pairs.into_iter().map(str::to_string).collect();
                    pairs.push(pair);
                    http.url = join_query(base, &pairs, fragment);
                }
            }
        }
    }

    /// Every text that must not be shown, for [`redact`]: each whole value, and the
    /// long words inside it (`Bearer sk-…` is often echoed as `sk-…` alone).
    pub fn masked_texts(&self) -> Vec<String> {
        let mut texts: Vec<String> = Vec::new();
        for secret in &self.0 {
            let value = secret.value.trim();
            let decoded = percent_decode(value);
            let words = value
                .split([' ', ';', ',', '='])
                .chain(decoded.split([' ', ';', ',', '=']))
                .filter(|w| w.len() >= 6);
            for text in std::iter::once(value)
                .chain(std::iter::once(decoded.as_str()))
                .chain(words)
            {
                if text.len() >= 4 && !texts.iter().any(|t| t == text) {
                    texts.push(text.to_string());
                }
            }
        }
        // Longest first, so a value is masked whole before its words are.
        texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
        texts
    }

    /// `text` with every credential masked.
    pub fn redact(&self, text: &str) -> String {
        let texts = self.masked_texts();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        redact(text, &refs)
    }
}

/// The credentials of one HTTP step, with its header values emptied and its
/// credential parameters removed.
fn take_from_step(id: &StepId, http: &mut HttpStep, into: &mut Vec<Secret>) {
    let (url, removed) = split_url(&http.url);
    let origin = origin_of(&url).to_string();
    for header in &mut http.headers {
        if is_secret_header(header) && !header.value.is_empty() {
            into.push(Secret {
                step: id.clone(),
                place: Place::Header(header.name.trim().to_string()),
                origin: origin.clone(),
                value: std::mem::take(&mut header.value),
            });
        }
    }
    for (name, value) in removed {
        into.push(Secret {
            step: id.clone(),
            place: Place::Query(name),
            origin: origin.clone(),
            value,
        });
    }
    http.url = url;
}

/// The chain without its credentials, and the credentials.
pub fn split(chain: &Chain) -> (Chain, Secrets) {
    let mut bare = chain.clone();
    let mut secrets = Vec::new();
    for step in &mut bare.steps {
        if let StepKind::Http(http) = &mut step.kind {
            take_from_step(&step.id, http, &mut secrets);
        }
    }
    (bare, Secrets(secrets))
}

/// The chain as it may leave the page: in storage, a link, a file or code.
pub fn without_secrets(chain: &Chain) -> Chain {
    split(chain).0
}

/// The credentials of a chain, to mask in what its run shows and exports.
pub fn of_chain(chain: &Chain) -> Secrets {
    split(chain).1
}

/// The credentials one HTTP step sends, to mask in its answer and errors.
pub fn of_step(id: &StepId, http: &HttpStep) -> Secrets {
    let mut secrets = Vec::new();
    take_from_step(id, &mut http.clone(), &mut secrets);
    Secrets(secrets)
}

/// The first credential header of `http` with no value, which it would send empty:
/// the case of a chain opened from a link or file on another device.
pub fn missing_header(http: &HttpStep) -> Option<&str> {
    http.headers
        .iter()
        .find(|h| is_secret_header(h) && h.value.trim().is_empty())
        .map(|h| h.name.as_str())
}

/// The name of the environment variable exported code reads a credential from:
/// `FETCH_AUTHORIZATION` for the `Authorization` header of step `fetch`.
pub fn env_name(step: &StepId, name: &str) -> String {
    let raw = format!("{}_{}", step.as_str(), name);
    let mut out: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::gallery;

    fn step_with(url: &str, headers: Vec<Header>) -> Chain {
        let mut chain = gallery::uneven_branches();
        chain.steps[1].kind = StepKind::Http(HttpStep {
            method: "GET".into(),
            url: url.into(),
            headers,
            ..HttpStep::default()
        });
        chain
    }

    fn http(chain: &Chain) -> &HttpStep {
        match &chain.steps[1].kind {
            StepKind::Http(h) => h,
            _ => unreachable!("step 1 is the HTTP step"),
        }
    }

    #[test]
    fn headers_are_credentials_by_name_or_by_mark() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "COOKIE",
            "X-Api-Key",
            "x-auth-token",
            "Client-Secret",
        ] {
            assert!(is_secret_header_name(name), "{name}");
        }
        for name in ["Accept", "Content-Type", "X-Topic"] {
            assert!(!is_secret_header_name(name), "{name}");
        }
        let mut marked = Header::new("X-Signed-By", "me");
        assert!(!is_secret_header(&marked));
        marked.secret = true;
        assert!(is_secret_header(&marked));
    }

    #[test]
    fn credential_parameters_leave_the_url_and_others_stay() {
        let (url, removed) = split_url("https://h/x?q={{q}}&api_key=abc123&API%5FKEY=x&sig=s1#top");
        assert_eq!(url, "https://h/x?q={{q}}#top");
        assert_eq!(
            removed,
            vec![
                ("api_key".into(), "abc123".into()),
                ("API%5FKEY".into(), "x".into()),
                ("sig".into(), "s1".into())
            ]
        );
        assert_eq!(split_url("https://h/x?token=t").0, "https://h/x");
        assert_eq!(split_url("https://h/x?q=1").0, "https://h/x?q=1");
        assert_eq!(
            redact_url("https://h/x?q=1&access_token=zz"),
            "https://h/x?q=1&access_token=••••"
        );
        for name in ["key", "apikey", "password", "signature", "secret", "token"] {
            assert!(is_secret_param(name), "{name}");
        }
        assert!(!is_secret_param("q") && !is_secret_param("keyword"));
    }

    #[test]
    fn a_split_chain_fills_back_to_itself() {
        let mut marked = Header::new("X-Signed-By", "team-secret-77");
        marked.secret = true;
        let chain = step_with(
            "http://127.0.0.1:4321/json?q=1&api_key=qp-value-123",
            vec![
                Header::new("Authorization", "Bearer sk-live-abcdef"),
                Header::new("Accept", "application/json"),
                marked,
            ],
        );
        let (mut bare, secrets) = split(&chain);
        assert_eq!(secrets.0.len(), 3);
        let text = serde_json::to_string(&bare).expect("json");
        for value in ["sk-live-abcdef", "qp-value-123", "team-secret-77"] {
            assert!(!text.contains(value), "{value} in {text}");
        }
        assert!(text.contains("application/json") && text.contains("Authorization"));
        secrets.fill(&mut bare);
        assert_eq!(without_secrets(&bare), without_secrets(&chain));
        assert_eq!(http(&bare).headers, http(&chain).headers);
        assert_eq!(http(&bare).url, http(&chain).url);
    }

    #[test]
    fn credentials_go_back_only_to_the_origin_they_were_for() {
        let chain = step_with(
            "https://api.example.com/v1?token=t0k3n-value",
            vec![Header::new("Authorization", "Bearer sk-live-abcdef")],
        );
        let secrets = of_chain(&chain);
        let mut elsewhere = without_secrets(&chain);
        if let StepKind::Http(h) = &mut elsewhere.steps[1].kind {
            h.url = "https://attacker.example/collect".into();
        }
        secrets.fill(&mut elsewhere);
        assert_eq!(http(&elsewhere).headers[0].value, "");
        assert_eq!(http(&elsewhere).url, "https://attacker.example/collect");
        assert_eq!(missing_header(http(&elsewhere)), Some("Authorization"));
    }

    #[test]
    fn echoed_values_and_their_words_are_masked() {
        let chain = step_with(
            "http://h/json?api_key=qp%2Dvalue",
            vec![Header::new("Authorization", "Bearer sk-live-abcdef")],
        );
        let secrets = of_chain(&chain);
        let echoed = "got Bearer sk-live-abcdef, then sk-live-abcdef and qp-value and qp%2Dvalue";
        let clean = secrets.redact(echoed);
        assert!(
            !clean.contains("sk-live") && !clean.contains("qp-value"),
            "{clean}"
        );
        assert!(!clean.contains("qp%2Dvalue"), "{clean}");
        assert!(clean.starts_with("got ••••"), "{clean}");
        assert_eq!(
            env_name(&StepId::new("fetch-a"), "X-Api-Key"),
            "FETCH_A_X_API_KEY"
        );
    }
}
