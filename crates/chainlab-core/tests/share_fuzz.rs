//! The link decoder against arbitrary and mangled input: it must return (a chain or
//! an error), never panic and never take long. Not part of the normal test run: a
//! million cases take minutes. Run it with `scripts/fuzz-share.sh`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chainlab_core::editor::gallery;
use chainlab_core::io::share::{
    base32, decode_link, encode_link, encode_link_as, from_file, to_file, LINK_WORDS,
};
use proptest::prelude::*;
use std::sync::OnceLock;

/// Valid links and files of every gallery chain: the fuzzer mangles these, which
/// reaches the inflater and the JSON reader far more often than random text would.
struct Seed {
    /// The c3 link, and its deflated bytes.
    link: String,
    packed3: Vec<u8>,
    /// The c2 link's deflated bytes.
    packed: Vec<u8>,
    /// The c2 byte form the link packs, before deflate.
    plain: Vec<u8>,
    file: String,
}

/// Inflates a c2 payload the way the decoder does: after the link words.
fn inflate_after_words(packed: &[u8]) -> Vec<u8> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    let mut out = LINK_WORDS.to_vec();
    out.resize(LINK_WORDS.len() + 64 * 1024, 0);
    let mut inflater = DecompressorOxide::new();
    let (_, _, wrote) = decompress(
        &mut inflater,
        packed,
        &mut out,
        LINK_WORDS.len(),
        inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
    );
    out[LINK_WORDS.len()..LINK_WORDS.len() + wrote].to_vec()
}

fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        gallery::EXAMPLES
            .iter()
            .map(|e| {
                let chain = (e.chain)();
                let link = encode_link(&chain);
                let packed3 = base32::decode(&link[3..]).expect("our own links decode");
                let c2 = encode_link_as(&chain, 2).expect("c2");
                let packed = URL_SAFE_NO_PAD
                    .decode(&c2[3..])
                    .expect("our own links decode");
                let plain = inflate_after_words(&packed);
                // The mangled byte forms start from one the decoder reads back.
                let again = miniz_oxide::deflate::compress_to_vec(&plain, 1);
                assert_eq!(
                    decode_link(&format!("c2.{}", URL_SAFE_NO_PAD.encode(again))).ok(),
                    Some(chain.clone())
                );
                Seed {
                    link,
                    packed3,
                    plain,
                    packed,
                    file: to_file(&chain),
                }
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Mangle {
    Flip { at: usize, mask: u8 },
    Cut { at: usize },
    Insert { at: usize, byte: u8 },
}

fn mangle() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Mangle::Flip { at, mask }),
        any::<usize>().prop_map(|at| Mangle::Cut { at }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mangle::Insert { at, byte }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mangles: &[Mangle]) {
    for m in mangles {
        let len = bytes.len().max(1);
        match *m {
            Mangle::Flip { at, mask } => {
                if let Some(b) = bytes.get_mut(at % len) {
                    *b ^= mask;
                }
            }
            Mangle::Cut { at } => bytes.truncate(at % len),
            Mangle::Insert { at, byte } => bytes.insert((at % len).min(bytes.len()), byte),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES in the environment overrides this (the script asks for 1,000,000).
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    #[ignore = "fuzz job: run scripts/fuzz-share.sh"]
    fn decoder_never_panics(
        which in 0usize..64,
        kind in 0u8..7,
        mangles in proptest::collection::vec(mangle(), 1..4),
        text in "\\PC{0,200}",
        raw in proptest::collection::vec(any::<u8>(), 0..300),
        version in 0u32..5,
    ) {
        let seed = &seeds()[which % seeds().len()];
        let mut bytes = seed.packed.clone();
        let link = match kind {
            // A valid link, its compressed bytes mangled.
            0 => {
                apply(&mut bytes, &mangles);
                format!("c2.{}", URL_SAFE_NO_PAD.encode(&bytes))
            }
            // The same for c3, whose dictionary also holds the gallery's chains.
            6 => {
                let mut bytes = seed.packed3.clone();
                apply(&mut bytes, &mangles);
                format!("c3.{}", base32::encode(&bytes))
            }
            // A valid link's byte form mangled, then deflated (a plain deflate stream
            // reads the same after the link words): reaches the byte reader.
            5 => {
                let mut plain = seed.plain.clone();
                apply(&mut plain, &mangles);
                format!("c2.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&plain, 1)))
            }
            // A valid link's characters mangled (case, stray characters, cuts).
            1 => {
                let mut chars = seed.link.clone().into_bytes();
                apply(&mut chars, &mangles);
                String::from_utf8_lossy(&chars).into_owned()
            }
            // Random bytes behind a version prefix.
            2 if version == 3 => format!("c3.{}", base32::encode(&raw)),
            2 => format!("c{version}.{}", URL_SAFE_NO_PAD.encode(&raw)),
            // Random text deflated: reaches the JSON reader.
            3 => format!("c1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 1))),
            // Random text as a link.
            _ => text.clone(),
        };
        let _ = decode_link(&link);
        let _ = from_file(&text);
        if kind == 0 {
            let mut file = seed.file.clone().into_bytes();
            apply(&mut file, &mangles);
            let _ = from_file(&String::from_utf8_lossy(&file));
        }
    }
}
