//! Share links: how long encoding and decoding a link take, and how long the links
//! are (c3, today's; c2 and c1, which older links use) with their QR code versions,
//! next to the TypeScript playground's (lz-string) and Mermaid Live's (pako
//! deflate + base64url), all three given the same pruned JSON our encoder packs
//! (defaults left out), each at its strongest level: lz-string has none, pako's
//! zlib at 9 (written here with miniz_oxide, the same format), ours raw deflate at
//! miniz_oxide's 10.
//!
//! `cargo bench -p chainlab-core --bench share` prints divan's table (median time per
//! call over divan's samples), then one line per gallery chain with the lengths, and
//! what pruning and each packer gain over the full JSON.

#![allow(clippy::print_stdout)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chainlab_core::editor::gallery;
use chainlab_core::io::qr::Qr;
use chainlab_core::io::secrets::without_secrets;
use chainlab_core::io::share::{compact_json, decode_link, encode_link, encode_link_as};
use chainlab_core::{Chain, StepKind};
use std::hint::black_box;

/// Where a deployed page could live: the QR code holds this address and the fragment.
const ADDRESS: &str = "https://chainlab.example.org/#";

fn main() {
    divan::main();
    println!(
        "\nchain: full JSON / pruned JSON → our link (c3) / c2 / c1 / lz-string / pako:…, in characters (c1, lz-string and pako from the pruned JSON); \
         then the QR code of {ADDRESS} and the link, as the page draws it: version and error correction, c3 (c2)"
    );
    let mut totals = [0usize; 7];
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let full = serde_json::to_string(&chain).unwrap_or_default().len();
        let pruned = compact_json(&without_secrets(&chain));
        let zlib = miniz_oxide::deflate::compress_to_vec_zlib(pruned.as_bytes(), 9);
        let c3 = encode_link(&chain);
        let c2 = encode_link_as(&chain, 2).unwrap_or_default();
        let lengths = [
            full,
            pruned.len(),
            c3.len(),
            c2.len(),
            "c1.".len()
                + URL_SAFE_NO_PAD
                    .encode(miniz_oxide::deflate::compress_to_vec(pruned.as_bytes(), 10))
                    .len(),
            lz_str::compress_to_encoded_uri_component(&pruned).len(),
            "pako:".len() + URL_SAFE_NO_PAD.encode(zlib).len(),
        ];
        for (total, length) in totals.iter_mut().zip(lengths) {
            *total += length;
        }
        let qr = |link: &str| {
            Qr::of(&format!("{ADDRESS}{link}"))
                .map_or("none".into(), |q| format!("v{} {}", q.version, q.level))
        };
        println!(
            "{:<22} {:>5} / {:>5} → {:>5} / {:>5} / {:>5} / {:>5} / {:>5}   QR {} ({})",
            example.key,
            lengths[0],
            lengths[1],
            lengths[2],
            lengths[3],
            lengths[4],
            lengths[5],
            lengths[6],
            qr(&c3),
            qr(&c2)
        );
    }
    let share = |i: usize| 100.0 * totals[i] as f64 / totals[0] as f64;
    println!(
        "all gallery chains: pruning keeps {:.0} % of the JSON; links are {:.1} % (ours, c3), {:.0} % (c2), {:.0} % (c1), {:.0} % (lz-string), {:.0} % (pako) of the full JSON",
        share(1),
        share(2),
        share(3),
        share(4),
        share(5),
        share(6),
    );
    // A chain of one's own gains only the byte form, the words and base32: the gallery
    // chains with every text changed stand for it.
    println!("\nthe same chains with every label, prompt, output and note rewritten (nothing left from the gallery's text): c3 / c2 characters, QR c3 (c2)");
    for example in gallery::EXAMPLES {
        let chain = rewritten((example.chain)());
        let (c3, c2) = (
            encode_link(&chain),
            encode_link_as(&chain, 2).unwrap_or_default(),
        );
        let qr = |link: &str| {
            Qr::of(&format!("{ADDRESS}{link}"))
                .map_or("none".into(), |q| format!("v{} {}", q.version, q.level))
        };
        println!(
            "{:<22} {:>5} / {:>5}   QR {} ({})",
            example.key,
            c3.len(),
            c2.len(),
            qr(&c3),
            qr(&c2)
        );
    }
}

/// `chain` with its texts replaced by others of the same length that no dictionary
/// holds (letters picked by a fixed generator), its ids kept.
fn rewritten(mut chain: Chain) -> Chain {
    let mut state = 0x2545_f491_u32;
    let mut scramble = |text: &mut String| {
        *text = text
            .split("{{")
            .map(|part| {
                let (reference, rest) = part.split_once("}}").unwrap_or(("", part));
                let rest: String = rest
                    .chars()
                    .map(|c| {
                        if c.is_alphabetic() {
                            state ^= state << 13;
                            state ^= state >> 17;
                            state ^= state << 5;
                            char::from(b'a' + (state % 26) as u8)
                        } else {
                            c
                        }
                    })
                    .collect();
                if reference.is_empty() && !part.contains("}}") {
                    rest
                } else {
                    format!("{reference}}}}}{rest}")
                }
            })
            .collect::<Vec<_>>()
            .join("{{");
    };
    scramble(&mut chain.name);
    scramble(&mut chain.description);
    for step in &mut chain.steps {
        scramble(&mut step.label);
        scramble(&mut step.sim.output);
        match &mut step.kind {
            StepKind::Input { text } => scramble(text),
            StepKind::Llm(llm) => {
                scramble(&mut llm.prompt);
                scramble(&mut llm.system_prompt);
            }
            StepKind::Transform(t) => scramble(&mut t.template),
            _ => {}
        }
    }
    chain
}

fn largest() -> Chain {
    gallery::EXAMPLES
        .iter()
        .map(|e| (e.chain)())
        .max_by_key(|c| encode_link(c).len())
        .unwrap_or_else(gallery::research_assistant)
}

#[divan::bench]
fn encode_largest_gallery_chain(bencher: divan::Bencher) {
    let chain = largest();
    bencher.bench(|| encode_link(black_box(&chain)));
}

#[divan::bench]
fn decode_largest_gallery_chain(bencher: divan::Bencher) {
    let link = encode_link(&largest());
    bencher.bench(|| decode_link(black_box(&link)));
}

/// A bomb: 64 MB of spaces in about 64 KB of link. The cap stops it after 1 MiB.
#[divan::bench]
fn decode_bomb(bencher: divan::Bencher) {
    let packed = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 64 << 20], 10);
    let link = format!("c1.{}", URL_SAFE_NO_PAD.encode(packed));
    bencher.bench(|| decode_link(black_box(&link)));
}
