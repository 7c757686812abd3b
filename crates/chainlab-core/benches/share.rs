//! Share links: how long encoding and decoding a link take, and how long the links
//! are next to the TypeScript playground's (lz-string) and Mermaid Live's (pako
//! deflate + base64url) for the same chain JSON.
//!
//! `cargo bench -p chainlab-core --bench share` prints divan's table (median time per
//! call over divan's samples), then one line per gallery chain with the three lengths.

#![allow(clippy::print_stdout)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chainlab_core::editor::gallery;
use chainlab_core::io::share::{decode_link, encode_link};
use chainlab_core::Chain;
use std::hint::black_box;

fn main() {
    divan::main();
    println!("\nchain: our link / lz-string (TypeScript playground) / pako:… (Mermaid Live) / chain JSON, in characters");
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let json = serde_json::to_string(&chain).unwrap_or_default();
        let zlib = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 9);
        println!(
            "{:<22} {:>5} / {:>5} / {:>5} / {:>5}",
            example.key,
            encode_link(&chain).len(),
            lz_str::compress_to_encoded_uri_component(&json).len(),
            "pako:".len() + URL_SAFE_NO_PAD.encode(zlib).len(),
            json.len()
        );
    }
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
