//! Share links: how long encoding and decoding a link take, and how long the links
//! are (c2, today's, and c1, the compact JSON deflated, which older links use) next to the TypeScript playground's (lz-string) and Mermaid Live's (pako
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
use chainlab_core::io::secrets::without_secrets;
use chainlab_core::io::share::{compact_json, decode_link, encode_link};
use chainlab_core::Chain;
use std::hint::black_box;

fn main() {
    divan::main();
    println!(
        "\nchain: full JSON / pruned JSON → our link (c2) / c1 / lz-string / pako:…, in characters (c1, lz-string and pako from the pruned JSON)"
    );
    let mut totals = [0usize; 6];
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let full = serde_json::to_string(&chain).unwrap_or_default().len();
        let pruned = compact_json(&without_secrets(&chain));
        let zlib = miniz_oxide::deflate::compress_to_vec_zlib(pruned.as_bytes(), 9);
        let lengths = [
            full,
            pruned.len(),
            encode_link(&chain).len(),
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
        println!(
            "{:<22} {:>5} / {:>5} → {:>5} / {:>5} / {:>5} / {:>5}",
            example.key, lengths[0], lengths[1], lengths[2], lengths[3], lengths[4], lengths[5]
        );
    }
    let share = |i: usize| 100.0 * totals[i] as f64 / totals[0] as f64;
    println!(
        "all gallery chains: pruning keeps {:.0} % of the JSON; links are {:.0} % (ours, c2), {:.0} % (c1), {:.0} % (lz-string), {:.0} % (pako) of the full JSON; ours is {:.0} % shorter than c1, {:.0} % shorter than lz-string and {:.0} % shorter than pako",
        share(1),
        share(2),
        share(3),
        share(4),
        share(5),
        100.0 - 100.0 * totals[2] as f64 / totals[3] as f64,
        100.0 - 100.0 * totals[2] as f64 / totals[4] as f64,
        100.0 - 100.0 * totals[2] as f64 / totals[5] as f64,
    );
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
