//! Share links and chain files: round trips, stored links of every format version,
//! length against other playgrounds' links, and every kind of broken input.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chainlab_core::editor::gallery;
use chainlab_core::io::share::{
    compact_json, decode_link, encode_link, from_file, to_file, ShareError, MAX_JSON_BYTES,
    MAX_LINK_CHARS,
};
use chainlab_core::model::{Header, HttpStep};
use chainlab_core::{Chain, Problem, StepKind};

/// Links made with each format version, kept forever: they must always open.
/// (c0: plain JSON; c1: compact JSON, deflated; c2: the chain as bytes, deflated with
/// the link words.) All hold the same two-step chain.
const STORED_C0: &str = include_str!("share-links/c0.txt");
const STORED_C1: &str = include_str!("share-links/c1.txt");
const STORED_C2: &str = include_str!("share-links/c2.txt");

fn stored_chain() -> Chain {
    serde_json::from_str(include_str!("share-links/chain.json")).expect("stored chain parses")
}

fn deflate_link(version: u32, json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
    format!("c{version}.{}", URL_SAFE_NO_PAD.encode(packed))
}

fn plain_link(json: &str) -> String {
    format!("c0.{}", URL_SAFE_NO_PAD.encode(json))
}

#[test]
fn every_gallery_chain_round_trips_through_a_link_and_a_file() {
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let link = encode_link(&chain);
        assert!(link.starts_with("c2."), "{link}");
        assert_eq!(decode_link(&link), Ok(chain.clone()), "{}", example.key);
        let url = format!("https://chainlab.example/#{link}");
        assert_eq!(decode_link(&url), Ok(chain.clone()), "{}", example.key);
        assert_eq!(from_file(&to_file(&chain)), Ok(chain), "{}", example.key);
    }
}

/// The TypeScript playground packs its text with lz-string; Mermaid Live deflates its
/// JSON with pako (zlib format) and base64url-encodes it. Our link for the same chain
/// must be no longer than either, and short enough for chat apps.
#[test]
fn gallery_links_are_short() {
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let ours = encode_link(&chain).len();
        let json = serde_json::to_string(&chain).expect("serializes");
        let typescript = lz_str::compress_to_encoded_uri_component(&json).len();
        let zlib = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 9);
        let mermaid = "pako:".len() + URL_SAFE_NO_PAD.encode(zlib).len();
        eprintln!(
            "{}: ours {ours}, lz-string {typescript}, pako {mermaid}, JSON {}",
            example.key,
            json.len()
        );
        let with_address = "https://chainlab.example.org/#".len() + ours;
        assert!(
            with_address < 2_000,
            "{}: {with_address} characters",
            example.key
        );
        assert!(ours <= typescript, "{}: {ours} > {typescript}", example.key);
        assert!(ours <= mermaid, "{}: {ours} > {mermaid}", example.key);
    }
}

#[test]
fn compact_json_leaves_out_defaults_but_keeps_meaning() {
    let chain = gallery::uneven_branches();
    let compact = compact_json(&chain);
    assert!(!compact.contains("max_tokens"), "{compact}");
    assert!(!compact.contains("\"headers\""), "{compact}");
    assert!(compact.len() < serde_json::to_string(&chain).expect("json").len());
    let back: Chain = serde_json::from_str(&compact).expect("compact JSON is chain JSON");
    assert_eq!(back, chain);
}

#[test]
fn stored_links_of_every_version_still_open() {
    assert_eq!(decode_link(STORED_C0.trim()), Ok(stored_chain()));
    assert_eq!(decode_link(STORED_C1.trim()), Ok(stored_chain()));
    assert_eq!(decode_link(STORED_C2.trim()), Ok(stored_chain()));
}

/// Links written before c2 (c1: compact JSON, deflated) keep opening, for every
/// gallery chain, not only the stored one.
#[test]
fn c1_links_of_every_gallery_chain_still_open() {
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let link = deflate_link(1, &compact_json(&chain));
        assert_eq!(decode_link(&link), Ok(chain), "{}", example.key);
    }
}

/// The research assistant's c1 link was 1,047 characters: a version-27 QR code that a
/// phone could not read from a 180 px picture. c2 must stay at 600 or under.
#[test]
fn the_research_assistant_link_fits_a_small_qr_code() {
    let chain = gallery::research_assistant();
    let c1 = deflate_link(1, &compact_json(&chain)).len();
    let c2 = encode_link(&chain).len();
    eprintln!("research assistant: c1 {c1}, c2 {c2} characters");
    assert!(c2 <= 600, "{c2} characters");
    assert!(
        c2 * 10 <= c1 * 6,
        "c2 {c2} is not 40 % shorter than c1 {c1}"
    );
}

/// A chain of one's own, not laid out, with everything the byte form must carry
/// exactly: places that are not whole numbers, an input no step has, references to
/// unknown ids and braces that are not references, a header, every latency model,
/// every transform, text outside ASCII.
#[test]
fn a_chain_of_ones_own_round_trips_exactly() {
    use chainlab_core::model::{LatencyModel, Position, TransformOp};
    use chainlab_core::Step;
    let mut steps = vec![
        Step::input("ask", "¿Qué tiempo hace? 🌧").labelled("Ask «now»"),
        Step::http("look", "https://x.example/{{ask}}?a={{nobody}}&b=}}{")
            .after(&["ask"])
            .taking_ms(123_456),
        Step::llm("think", "{{look}}{{ask}} }} {x} {{ask}}")
            .after(&["look", "ask"])
            .simulating("{{look}}"),
        Step::output("done").after(&["think", "ghost"]),
    ];
    steps[1].position = Position { x: -12.25, y: 1e-9 };
    steps[2].position = Position { x: 3.0e7, y: -0.1 };
    steps[2].sim.latency = LatencyModel::LogNormal {
        median_ms: 200,
        sigma: 0.123_456_789,
    };
    steps[1].sim.latency = LatencyModel::Uniform {
        min_ms: 5,
        max_ms: u32::MAX,
    };
    if let StepKind::Http(http) = &mut steps[1].kind {
        http.method = "POST".into();
        http.body = "{\"q\": \"{{ask}}\"}".into();
        http.json_pointer = "/a/0".into();
        http.headers.push(Header {
            name: "Accept".into(),
            value: "{{ask}}".into(),
            secret: false,
        });
        // A header the person marked secret keeps its mark, not its value.
        http.headers.push(Header {
            name: "X-Team".into(),
            value: String::new(),
            secret: true,
        });
    }
    if let StepKind::Llm(llm) = &mut steps[2].kind {
        llm.temperature = 0.123_4;
        llm.max_tokens = u32::MAX;
        llm.system_prompt = "Be brief.".into();
    }
    for op in <TransformOp as chainlab_core::Choice>::ALL {
        let id = format!("t_{}", chainlab_core::Choice::key(*op));
        steps.push(Step::transform(&id, *op, "{{think}} and {{look}}").after(&["think", "look"]));
    }
    let chain = Chain {
        name: "Mine".into(),
        description: String::new(),
        seed: u64::MAX,
        steps,
    };
    // "ghost" and "nobody" are no steps: the link carries them as they are, and the plan
    // refuses them on arrival.
    let Err(ShareError::InvalidChain { problems }) = decode_link(&encode_link(&chain)) else {
        panic!("an unknown input and an unknown name are refused");
    };
    let words: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2, "{words:?}");
    assert!(words.iter().any(|w| w.contains("ghost")), "{words:?}");
    assert!(words.iter().any(|w| w.contains("nobody")), "{words:?}");
    let mut fine = chain.clone();
    fine.steps[3].inputs.pop();
    if let StepKind::Http(http) = &mut fine.steps[1].kind {
        http.url = http.url.replace("{{nobody}}", "{nobody}");
    }
    assert_eq!(decode_link(&encode_link(&fine)), Ok(fine));
}

/// Bytes that inflate but do not hold a chain (a cut, a wrong kind, a count larger
/// than the link) are a damaged link.
#[test]
fn damaged_c2_payloads_are_refused() {
    let good = encode_link(&gallery::uneven_branches());
    let bytes = URL_SAFE_NO_PAD.decode(&good[3..]).expect("b64");
    for cut in [1, bytes.len() / 3, bytes.len() - 1] {
        let link = format!("c2.{}", URL_SAFE_NO_PAD.encode(&bytes[..cut]));
        assert!(decode_link(&link).is_err(), "cut at {cut}");
    }
    let mut flipped = bytes.clone();
    for b in &mut flipped[5..15] {
        *b ^= 0x33;
    }
    assert!(decode_link(&format!("c2.{}", URL_SAFE_NO_PAD.encode(&flipped))).is_err());
}

#[test]
fn stored_links_are_what_the_formats_say() {
    let json = include_str!("share-links/chain.json");
    assert_eq!(STORED_C0.trim(), plain_link(json.trim()));
    assert!(STORED_C1.starts_with("c1."));
    assert!(STORED_C2.starts_with("c2."));
}

#[test]
fn secrets_never_travel() {
    let mut chain = gallery::research_assistant();
    let StepKind::Http(http) = &mut chain.steps[1].kind else {
        panic!("search_a is an HTTP step");
    };
    *http = HttpStep {
        headers: vec![
            Header::new("Authorization", "Bearer sk-live-123"),
            Header::new("X-Api-Key", "sk-live-456"),
            Header::new("Accept", "application/json"),
        ],
        ..http.clone()
    };
    let back = decode_link(&encode_link(&chain)).expect("opens");
    let file = to_file(&chain);
    assert!(!file.contains("sk-live"), "{file}");
    let StepKind::Http(http) = &back.steps[1].kind else {
        panic!("still HTTP");
    };
    assert_eq!(http.headers[0].value, "");
    assert_eq!(http.headers[1].value, "");
    assert_eq!(http.headers[2].value, "application/json");
}

fn assert_refused(link: &str, expected: fn(&ShareError) -> bool) {
    match decode_link(link) {
        Ok(_) => panic!("{link:.80} should be refused"),
        Err(e) => {
            assert!(expected(&e), "{link:.80}: {e:?}");
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn broken_links_say_what_is_wrong() {
    let good = encode_link(&gallery::research_assistant());
    assert_refused("", |e| *e == ShareError::NotALink);
    assert_refused("#hello", |e| *e == ShareError::NotALink);
    assert_refused("https://x/#pako:abc", |e| *e == ShareError::NotALink);
    assert_refused("c1.not base64!", |e| *e == ShareError::BadBase64);
    assert_refused("c99.abc", |e| *e == ShareError::TooNew { version: 99 });
    assert_refused("c4294967296.abc", |e| *e == ShareError::NotALink);
    // Truncated: the deflate stream ends early.
    assert_refused(&good[..good.len() / 2], |e| {
        *e == ShareError::BadCompression
    });
    // Corrupted: bytes flipped in the middle.
    let mut bytes = URL_SAFE_NO_PAD.decode(&good[3..]).expect("b64");
    for b in &mut bytes[10..30] {
        *b ^= 0x5a;
    }
    let corrupted = format!("c1.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_refused(&corrupted, |e| {
        matches!(
            e,
            ShareError::BadCompression | ShareError::BadJson { .. } | ShareError::NotUtf8
        )
    });
    assert_refused(&deflate_link(1, "{\"name\": "), |e| {
        matches!(e, ShareError::BadJson { .. })
    });
    assert_refused(&deflate_link(1, "[1,2]"), |e| {
        matches!(e, ShareError::BadJson { .. })
    });
    assert_refused(&plain_link("{\"name\":\"x\",\"steps\":\"no\"}"), |e| {
        matches!(e, ShareError::BadJson { .. })
    });
}

#[test]
fn a_file_from_a_newer_chainlab_is_refused() {
    let file = to_file(&gallery::uneven_branches()).replacen("\"version\": 1", "\"version\": 2", 1);
    assert_eq!(from_file(&file), Err(ShareError::TooNew { version: 2 }));
}

#[test]
fn a_decompression_bomb_stops_at_the_cap() {
    // 64 MB of spaces compresses to about 64 KB.
    let bomb = vec![b' '; 64 * 1024 * 1024];
    let packed = miniz_oxide::deflate::compress_to_vec(&bomb, 10);
    let link = format!("c1.{}", URL_SAFE_NO_PAD.encode(&packed));
    assert!(link.len() < MAX_LINK_CHARS);
    assert_eq!(
        decode_link(&link),
        Err(ShareError::TooLarge {
            max: MAX_JSON_BYTES
        })
    );
}

#[test]
fn huge_links_are_refused_before_decoding() {
    let link = format!("c1.{}", "A".repeat(MAX_LINK_CHARS + 1));
    assert!(matches!(
        decode_link(&link),
        Err(ShareError::TooLong { .. })
    ));
}

#[test]
fn invalid_chains_are_refused_with_their_problems() {
    let mut cycle = gallery::uneven_branches();
    cycle.steps[1].inputs.push(chainlab_core::StepId::new("e"));
    let e = decode_link(&encode_link(&cycle)).expect_err("a cycle is refused");
    assert!(
        matches!(&e, ShareError::InvalidChain { problems } if problems.iter().any(|p| matches!(p, Problem::Cycle { .. }))),
        "{e:?}"
    );
    assert!(e.to_string().contains("cycle"), "{e}");

    let mut many = gallery::uneven_branches();
    let template = many.steps[0].clone();
    many.steps = (0..3000)
        .map(|i| {
            let mut s = template.clone();
            s.id = chainlab_core::StepId::new(format!("s{i}"));
            s
        })
        .collect();
    assert!(matches!(
        decode_link(&encode_link(&many)),
        Err(ShareError::InvalidChain { problems }) if matches!(problems[0], Problem::TooManySteps { .. })
    ));

    let mut wordy = gallery::uneven_branches();
    wordy.description = "x".repeat(900 * 1024);
    assert!(matches!(
        decode_link(&encode_link(&wordy)),
        Err(ShareError::InvalidChain { problems }) if matches!(problems[0], Problem::TooMuchText { .. })
    ));
}

#[test]
fn markup_in_labels_is_kept_as_plain_text() {
    let mut chain = gallery::uneven_branches();
    chain.name = "<script>alert(1)</script>".into();
    chain.steps[1].label = "<img src=x onerror=alert(1)>".into();
    let back = decode_link(&encode_link(&chain)).expect("markup is just text");
    assert_eq!(back, chain);
}
