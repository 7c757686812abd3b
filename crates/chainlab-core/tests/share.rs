//! Share links and chain files: round trips, stored links of every format version,
//! length against other playgrounds' links, and every kind of broken input.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chainlab_core::editor::gallery;
use chainlab_core::io::qr::Qr;
use chainlab_core::io::share::{
    base32, compact_json, decode_link, encode_link, encode_link_as, from_file, to_file, ShareError,
    LINK_FORMAT, MAX_JSON_BYTES, MAX_LINK_CHARS,
};
use chainlab_core::model::{Header, HttpStep};
use chainlab_core::{Chain, Problem, StepKind};
use proptest::prelude::*;

#[allow(dead_code)] // shared with other test files; this one needs only the chains
mod random_dag;

/// Links made with each format version, kept forever: they must always open.
/// (c0: plain JSON; c1: compact JSON, deflated; c2: the chain as bytes, deflated with
/// the link words; c3: the same bytes deflated after the frozen gallery chains and the
/// words, in base32.) All hold the same two-step chain.
const STORED_C0: &str = include_str!("share-links/c0.txt");
const STORED_C1: &str = include_str!("share-links/c1.txt");
const STORED_C2: &str = include_str!("share-links/c2.txt");
const STORED_C3: &str = include_str!("share-links/c3.txt");

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
        assert!(link.starts_with("c3."), "{link}");
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
    assert_eq!(decode_link(STORED_C3.trim()), Ok(stored_chain()));
}

/// Every gallery chain, written in every format there has been, opens as itself: the
/// links people made before c3 keep working.
#[test]
fn every_format_of_every_gallery_chain_still_opens() {
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        for format in 0..=LINK_FORMAT {
            let link = encode_link_as(&chain, format).expect("a format that exists");
            assert!(link.starts_with(&format!("c{format}.")), "{link:.20}");
            assert_eq!(
                decode_link(&link),
                Ok(chain.clone()),
                "{} as c{format}",
                example.key
            );
        }
    }
    assert_eq!(
        encode_link_as(&gallery::uneven_branches(), LINK_FORMAT + 1),
        None
    );
}

/// A c3 link is typed or scanned in any case, and may come back with padding.
#[test]
fn c3_links_open_in_lower_case_and_padded() {
    let chain = gallery::uneven_branches();
    let link = encode_link(&chain);
    let (prefix, payload) = link.split_at(3);
    assert!(payload
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    assert_eq!(
        decode_link(&format!("{prefix}{}", payload.to_lowercase())),
        Ok(chain.clone())
    );
    assert_eq!(decode_link(&format!("{link}===")), Ok(chain));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Base32 gives back every byte string, in either case.
    #[test]
    fn base32_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = base32::encode(&bytes);
        prop_assert_eq!(text.len(), (bytes.len() * 8).div_ceil(5));
        prop_assert_eq!(base32::decode(&text), Some(bytes.clone()));
        prop_assert_eq!(base32::decode(&text.to_lowercase()), Some(bytes));
    }

    /// Any chain (random DAGs of every step kind and latency model, shuffled) opens as
    /// itself from a link in every format, the old ones included.
    #[test]
    fn random_chains_round_trip_in_every_format(dag in random_dag::dag(24)) {
        let chain = dag.chain();
        for format in 0..=LINK_FORMAT {
            let link = encode_link_as(&chain, format).expect("a format that exists");
            prop_assert_eq!(decode_link(&link), Ok(chain.clone()), "c{}", format);
        }
    }
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
/// phone could not read from a 180 px picture; as c2, 581 and version 17, which jsQR
/// still cannot read there. Every gallery chain's page link must stay a small code
/// (version 5 at most: 37 modules, 45 with the quiet zone, four pixels a module at
/// 180 px), and an edited one too.
#[test]
fn gallery_links_make_small_qr_codes() {
    let page = "https://chainlab.example.org/chainlab/#";
    let version = |chain: &Chain| {
        Qr::of(&format!("{page}{}", encode_link(chain)))
            .expect("fits")
            .version
    };
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let c2 = encode_link_as(&chain, 2).expect("c2");
        let old = Qr::of(&format!("{page}{c2}")).expect("fits").version;
        eprintln!(
            "{}: c2 {} characters (version {old}), c3 {} (version {})",
            example.key,
            c2.len(),
            encode_link(&chain).len(),
            version(&chain)
        );
        assert!(
            version(&chain) <= 5,
            "{}: version {}",
            example.key,
            version(&chain)
        );
    }
    // A teacher's edits: a step renamed, a prompt rewritten, a step added, the latency
    // of another changed.
    let mut edited = gallery::research_assistant();
    edited.steps[1].label = "Search the school library".into();
    if let StepKind::Llm(llm) = &mut edited.steps[3].kind {
        llm.prompt = "List three facts a ten-year-old would remember from {{search_a}}".into();
    }
    edited.steps[2].sim.latency = chainlab_core::model::LatencyModel::Fixed { ms: 750 };
    let mut extra = edited.steps[3].clone();
    extra.id = chainlab_core::StepId::new("summarize_c");
    extra.label = "Summarize C".into();
    edited.steps.push(extra);
    assert!(decode_link(&encode_link(&edited)).is_ok());
    eprintln!(
        "edited research assistant: c3 {} characters (version {})",
        encode_link(&edited).len(),
        version(&edited)
    );
    assert!(
        version(&edited) <= 9,
        "edited: version {}",
        version(&edited)
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
    let good = encode_link_as(&gallery::uneven_branches(), 2).expect("c2");
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

/// The same for c3: cut or flipped, the link is refused, never opened as another chain.
#[test]
fn damaged_c3_payloads_are_refused() {
    let chain = gallery::research_assistant();
    let good = encode_link(&chain);
    let bytes = base32::decode(&good[3..]).expect("base32");
    for cut in [1, bytes.len() / 3, bytes.len() - 1] {
        let link = format!("c3.{}", base32::encode(&bytes[..cut]));
        assert!(decode_link(&link).is_err(), "cut at {cut}");
    }
    // Deflate has no checksum: a flipped byte can still inflate to some chain, but
    // most flips are refused.
    let refused = (0..bytes.len())
        .filter(|&at| {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x5a;
            decode_link(&format!("c3.{}", base32::encode(&flipped))).is_err()
        })
        .count();
    assert!(
        refused * 10 >= bytes.len() * 8,
        "{refused} of {} flips refused",
        bytes.len()
    );
    assert_refused("c3.NOT-BASE32!", |e| *e == ShareError::BadBase64);
    assert_refused("c3.", |e| *e == ShareError::BadCompression);
    assert_refused(&good[..good.len() - 4], |e| {
        *e == ShareError::BadCompression
    });
}

#[test]
fn stored_links_are_what_the_formats_say() {
    let json = include_str!("share-links/chain.json");
    assert_eq!(STORED_C0.trim(), plain_link(json.trim()));
    assert!(STORED_C1.starts_with("c1."));
    assert!(STORED_C2.starts_with("c2."));
    assert!(STORED_C3.starts_with("c3."));
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
    let good = encode_link_as(&gallery::research_assistant(), 2).expect("c2");
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
