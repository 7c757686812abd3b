//! No credential survives any way a chain or its race leaves the page: storage, link,
//! file, exported code, Chrome trace, CSV, SVG and the details panel's text.

use chainlab_core::editor::gallery;
use chainlab_core::io::codegen::{export, Language};
use chainlab_core::io::export::{chrome_trace, csv, svg};
use chainlab_core::io::secrets;
use chainlab_core::io::share::{decode_link, encode_link, to_file};
use chainlab_core::model::{Header, HttpStep};
use chainlab_core::race::Race;
use chainlab_core::{Chain, Mode, Plan, StepKind};
use proptest::prelude::*;

const HEADER_NAMES: [&str; 7] = [
    "Authorization",
    "Proxy-Authorization",
    "Cookie",
    "X-Api-Key",
    "x-auth-token",
    "Client-Secret",
    "X-Marked",
];
const PARAM_NAMES: [&str; 9] = [
    "key",
    "api_key",
    "apikey",
    "token",
    "access_token",
    "secret",
    "sig",
    "signature",
    "password",
];

/// Uneven branches with its HTTP step sending `headers` and `params`.
fn chain_with(headers: &[(usize, String)], params: &[(usize, String)]) -> Chain {
    let mut chain = gallery::uneven_branches();
    let mut url = "http://127.0.0.1:4321/json?q={{a}}".to_string();
    for (name, value) in params {
        url.push_str(&format!("&{}={value}", PARAM_NAMES[*name]));
    }
    let StepKind::Http(http) = &mut chain.steps[2].kind else {
        unreachable!("c is the HTTP step");
    };
    *http = HttpStep {
        url,
        headers: headers
            .iter()
            .map(|(name, value)| {
                let mut header = Header::new(HEADER_NAMES[*name], value.clone());
                header.secret = HEADER_NAMES[*name] == "X-Marked";
                header
            })
            .chain([Header::new("Accept", "application/json")])
            .collect(),
        ..http.clone()
    };
    chain
}

/// Everything that leaves the page, as text.
fn everything_exported(chain: &Chain) -> Vec<(String, String)> {
    let mut out = Vec::new();
    out.push((
        "storage".into(),
        serde_json::to_string(&secrets::split(chain).0).expect("json"),
    ));
    let link = decode_link(&encode_link(chain)).expect("the link opens");
    out.push(("link".into(), serde_json::to_string(&link).expect("json")));
    out.push(("file".into(), to_file(chain)));
    let plan = Plan::new(chain.clone()).expect("valid");
    for language in Language::ALL {
        out.push((language.key().into(), export(&plan, language)));
    }
    let race = Race::simulated(&plan, &Mode::ALL);
    out.push(("trace".into(), chrome_trace(&race)));
    out.push(("csv".into(), csv(&race)));
    out.push(("svg".into(), svg(&race, 2_000.0)));
    for mode in Mode::ALL {
        for i in 0..plan.len() {
            out.push((format!("details {mode:?} {i}"), race.request_text(mode, i)));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_secret_value_survives_any_export(
        headers in prop::collection::vec((0..HEADER_NAMES.len(), "S3cr[A-Za-z0-9_-]{6,20}"), 0..4),
        params in prop::collection::vec((0..PARAM_NAMES.len(), "Qp[A-Za-z0-9_-]{6,20}"), 0..3),
    ) {
        let chain = chain_with(&headers, &params);
        for (place, text) in everything_exported(&chain) {
            for (_, value) in headers.iter().chain(&params) {
                prop_assert!(!text.contains(value.as_str()), "{value} in the {place}:\n{text}");
            }
        }
        // What was set apart fills back into what storage kept.
        let (mut bare, kept) = secrets::split(&chain);
        kept.fill(&mut bare);
        prop_assert_eq!(secrets::without_secrets(&bare), secrets::without_secrets(&chain));
        let StepKind::Http(http) = &bare.steps[2].kind else { unreachable!() };
        for (_, value) in &headers {
            prop_assert!(http.headers.iter().any(|h| &h.value == value));
        }
        for (_, value) in &params {
            prop_assert!(http.url.contains(value.as_str()));
        }
    }
}

#[test]
fn an_error_that_echoes_a_credential_is_masked_in_traces_and_csv() {
    let chain = chain_with(
        &[(0, "Bearer S3cr-echoed-0001".into())],
        &[(1, "Qp-echoed-0002".into())],
    );
    let kept = secrets::of_chain(&chain);
    let echoed = "401: bad key S3cr-echoed-0001 for ?api_key=Qp-echoed-0002";
    let clean = kept.redact(echoed);
    assert!(
        !clean.contains("S3cr-echoed") && !clean.contains("Qp-echoed"),
        "{clean}"
    );
    assert!(clean.contains(secrets::MASK));
}
