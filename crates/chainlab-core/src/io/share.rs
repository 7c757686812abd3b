//! How a chain travels in a link or a file.
//!
//! A link carries the whole chain in its fragment (never sent to any server):
//!
//! ```text
//! https://…/#c3.<BASE32(raw deflate(the chain in bytes), with a preset dictionary)>
//! ```
//!
//! The `c<version>.` prefix lets links made today keep opening after the format
//! changes: every older version has a migration to the current chain model, and
//! tests hold a stored link of each version.
//!
//! | version | payload |
//! | --- | --- |
//! | `c0` | base64url of the chain's plain JSON, uncompressed: readable, for hand-made links |
//! | `c1` | base64url of raw deflate of the compact JSON (fields at their default left out) |
//! | `c2` | base64url of raw deflate, primed with [`LINK_WORDS`], of the chain written as bytes: no field names, ids of steps by their index, numbers as their shortest decimal, places left out when they are auto-layout's |
//! | `c3` | base32 (upper case) of the same bytes deflated, primed with the gallery's chains as they were in December 2026 ([`LINK_CHAINS`]), then [`LINK_WORDS`] |
//!
//! `c2` and `c3` exist for the QR code: a phone at the back of a room reads a QR code
//! only when its modules are big, so the link must be short. The research assistant's
//! link went from 1,047 characters (`c1`) to 581 (`c2`): field names cost little after
//! deflate; what c1 spent was the words (prompts, outputs, labels) deflate had not seen
//! yet in so short a text, which the dictionary gives it. That was still a version-17
//! code, which jsQR cannot read from a 180 px picture. `c3` makes a gallery chain, or
//! one edited from it, cost only what differs from the copy in the dictionary (the
//! research assistant: 42 characters), and writes the bytes in base32, whose characters
//! a QR code packs in its alphanumeric mode (8.8 bits a byte instead of 10.7), so a
//! chain of one's own also gets a code two versions smaller than as `c2`.
//!
//! A file is the chain's JSON with a `"version"` field; `docs/chain.schema.json` says
//! what is valid.
//!
//! Everything read here may be hostile: sizes are capped before each stage (the
//! inflater stops at the cap, so a decompression bomb costs at most that much
//! memory), no input makes the decoder panic (a million-case fuzz run checks it:
//! `scripts/fuzz-share.sh`), and a chain is accepted only if [`Plan::new`] accepts it.

use crate::io::secrets::without_secrets;
use crate::model::Chain;
use crate::plan::{Plan, Problem};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde_json::{Map, Value};
use std::fmt;

/// The chain model's version: files carry it in `"version"`. Links of every format
/// (`c0` to [`LINK_FORMAT`]) hold this model.
pub const CURRENT_VERSION: u32 = 1;
/// The format new links are written in (the `c<format>.` prefix).
pub const LINK_FORMAT: u32 = 3;
/// Longer fragments are refused before any decoding. A real chain at the size limits
/// compresses to far less; chat apps already cut links past a few thousand characters.
pub const MAX_LINK_CHARS: usize = 256 * 1024;
/// The most JSON a link may inflate to, or a file may hold. The chain itself is
/// limited to [`crate::plan::MAX_TEXT_BYTES`] of text; this leaves room for the JSON
/// around it and stops a decompression bomb early.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;
/// Past this, a link is not safe to paste into chats and mail: offer a file instead.
pub const SAFE_LINK_CHARS: usize = 8_000;

/// Why a link or a file could not be opened. Messages say what is wrong and what to do.
#[derive(Clone, Debug, PartialEq)]
pub enum ShareError {
    /// No `c<version>.` prefix: not a ChainLab link.
    NotALink,
    TooNew {
        version: u32,
    },
    TooLong {
        chars: usize,
        max: usize,
    },
    BadBase64,
    BadCompression,
    TooLarge {
        max: usize,
    },
    NotUtf8,
    BadJson {
        detail: String,
    },
    InvalidChain {
        problems: Vec<Problem>,
    },
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DAMAGED: &str = "The link was probably cut short or changed when it was copied: \
            ask for it again, or for the chain as a JSON file.";
        match self {
            ShareError::NotALink => write!(
                f,
                "This is not a ChainLab link: its part after # should start with \"c{LINK_FORMAT}.\". \
                 Check that the whole link was copied."
            ),
            ShareError::TooNew { version } => write!(
                f,
                "This link or file was made by a newer ChainLab (format {version}); this page reads \
                 links up to c{LINK_FORMAT} and files up to version {CURRENT_VERSION}. Reload the page to get the newest ChainLab and open it again."
            ),
            ShareError::TooLong { chars, max } => write!(
                f,
                "The link is {chars} characters long; at most {max} are read. \
                 Ask for the chain as a JSON file instead."
            ),
            ShareError::BadBase64 => write!(f, "The link contains characters a ChainLab link never has. {DAMAGED}"),
            ShareError::BadCompression => write!(f, "The link's data is damaged and cannot be unpacked. {DAMAGED}"),
            ShareError::TooLarge { max } => write!(
                f,
                "The chain unpacks to more than {} KB, the most ChainLab reads; nothing was loaded. \
                 Make the chain smaller before sharing it.",
                max / 1024
            ),
            ShareError::NotUtf8 => write!(f, "The chain's text is not valid UTF-8. {DAMAGED}"),
            ShareError::BadJson { detail } => write!(
                f,
                "The chain is not valid ChainLab JSON ({detail}). Export it again from ChainLab, \
                 or check it against docs/chain.schema.json."
            ),
            ShareError::InvalidChain { problems } => {
                let first: Vec<String> = problems.iter().take(3).map(std::string::ToString::to_string).collect();
                let more = problems.len().saturating_sub(3);
                write!(f, "The chain cannot be opened: {}", first.join(" "))?;
                if more > 0 {
                    write!(f, " (and {more} more problems)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ShareError {}

/// The fragment (without `#`) of a link that opens `chain`.
pub fn encode_link(chain: &Chain) -> String {
    let bytes = bytes::write(&without_secrets(chain));
    format!(
        "c{LINK_FORMAT}.{}",
        base32::encode(&deflate_primed(&[LINK_CHAINS, LINK_WORDS], &bytes))
    )
}

/// The link `chain` had in an older `format` (0 to [`LINK_FORMAT`]), for the tests that
/// keep every format opening. `None` for a format that never existed. The page never
/// writes an old format (the linker leaves this out of it).
pub fn encode_link_as(chain: &Chain, format: u32) -> Option<String> {
    let chain = without_secrets(chain);
    let payload = match format {
        0 => URL_SAFE_NO_PAD.encode(compact_json(&chain)),
        1 => URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
            compact_json(&chain).as_bytes(),
            10,
        )),
        2 => URL_SAFE_NO_PAD.encode(deflate_primed(&[LINK_WORDS], &bytes::write(&chain))),
        LINK_FORMAT => return Some(encode_link(&chain)),
        _ => return None,
    };
    Some(format!("c{format}.{payload}"))
}

/// Reads what `URL_SAFE_NO_PAD` writes, and forgives what copying does to a link:
/// padding added back, or a cut that leaves stray bits (the inflater then reports the
/// data as damaged, which is the more helpful message).
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Reads a link: a whole URL, a fragment with or without `#`, or just the payload part.
pub fn decode_link(link: &str) -> Result<Chain, ShareError> {
    let link = link.trim();
    let fragment = link.rsplit_once('#').map_or(link, |(_, f)| f);
    if fragment.len() > MAX_LINK_CHARS {
        return Err(ShareError::TooLong {
            chars: fragment.chars().count(),
            max: MAX_LINK_CHARS,
        });
    }
    let (version, payload) = split_version(fragment)?;
    if version == 3 {
        let packed = base32::decode(payload).ok_or(ShareError::BadBase64)?;
        return accepted(bytes::read(&inflate_primed(
            &[LINK_CHAINS, LINK_WORDS],
            &packed,
        )?)?);
    }
    // A cut can leave one lone character, which holds no whole byte: drop it so that
    // the inflater reports the link as cut short.
    let payload = payload.trim_end_matches('=');
    if !payload.is_ascii() {
        return Err(ShareError::BadBase64);
    }
    let payload = match payload.len() % 4 {
        1 => &payload[..payload.len() - 1],
        _ => payload,
    };
    let bytes = LENIENT_BASE64
        .decode(payload)
        .map_err(|_| ShareError::BadBase64)?;
    let json = match version {
        0 => {
            if bytes.len() > MAX_JSON_BYTES {
                return Err(ShareError::TooLarge {
                    max: MAX_JSON_BYTES,
                });
            }
            bytes
        }
        1 => inflate_capped(&bytes)?,
        2 => return accepted(bytes::read(&inflate_primed(&[LINK_WORDS], &bytes)?)?),
        version => return Err(ShareError::TooNew { version }),
    };
    let json = String::from_utf8(json).map_err(|_| ShareError::NotUtf8)?;
    chain_from_json(&json, version.min(CURRENT_VERSION))
}

/// The chain as a JSON file: pretty, with the format version.
pub fn to_file(chain: &Chain) -> String {
    let mut value = serde_json::to_value(without_secrets(chain)).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        let mut file = Map::new();
        file.insert("version".into(), Value::from(CURRENT_VERSION));
        file.append(map);
        value = Value::Object(file);
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Reads a chain file written by [`to_file`] (or by hand, following the schema).
/// A file without a `"version"` is read as the current version.
pub fn from_file(text: &str) -> Result<Chain, ShareError> {
    if text.len() > MAX_JSON_BYTES {
        return Err(ShareError::TooLarge {
            max: MAX_JSON_BYTES,
        });
    }
    chain_from_json(text, CURRENT_VERSION)
}

fn split_version(fragment: &str) -> Result<(u32, &str), ShareError> {
    let rest = fragment.strip_prefix('c').ok_or(ShareError::NotALink)?;
    let (digits, payload) = rest.split_once('.').ok_or(ShareError::NotALink)?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ShareError::NotALink);
    }
    let version = digits.parse().map_err(|_| ShareError::NotALink)?;
    Ok((version, payload))
}

/// Inflates raw deflate data, giving up as soon as the output passes [`MAX_JSON_BYTES`].
fn inflate_capped(bytes: &[u8]) -> Result<Vec<u8>, ShareError> {
    use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
    decompress_to_vec_with_limit(bytes, MAX_JSON_BYTES).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => ShareError::TooLarge {
            max: MAX_JSON_BYTES,
        },
        _ => ShareError::BadCompression,
    })
}

fn chain_from_json(json: &str, version: u32) -> Result<Chain, ShareError> {
    let mut value: Value = serde_json::from_str(json).map_err(|e| bad_json(&e))?;
    let version = match &mut value {
        Value::Object(map) => match map.remove("version") {
            None => version,
            Some(v) => v
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| ShareError::BadJson {
                    detail: "\"version\" must be a whole number".into(),
                })?,
        },
        _ => {
            return Err(ShareError::BadJson {
                detail: "expected an object with \"name\" and \"steps\"".into(),
            })
        }
    };
    if version > CURRENT_VERSION {
        return Err(ShareError::TooNew { version });
    }
    // Every version so far shares the chain model; a later model change adds its
    // migration here, applied to `value` in order from `version` up.
    let chain: Chain = serde_json::from_value(value).map_err(|e| bad_json(&e))?;
    accepted(chain)
}

/// The chain, if [`Plan::new`] accepts it: whatever a link or a file holds is checked
/// the same way.
fn accepted(chain: Chain) -> Result<Chain, ShareError> {
    Plan::new(chain.clone()).map_err(|problems| ShareError::InvalidChain { problems })?;
    Ok(chain)
}

/// serde's message, cut short: it can quote the input, which may be huge.
fn bad_json(e: &serde_json::Error) -> ShareError {
    let mut detail = e.to_string();
    if detail.len() > 160 {
        let cut = (0..=160)
            .rev()
            .find(|&i| detail.is_char_boundary(i))
            .unwrap_or(0);
        detail.truncate(cut);
        detail.push('…');
    }
    ShareError::BadJson { detail }
}

/// Fields that serde fills in when absent, with their default: links leave them out.
/// Names are unique to their struct in the model, so pruning by name is safe.
const DEFAULTED_FIELDS: &[&str] = &[
    "description",
    "seed",
    "inputs",
    "position",
    "system_prompt",
    "temperature",
    "max_tokens",
    "headers",
    "body",
    "json_pointer",
    "template",
    "output",
    "sim",
];

/// The chain's JSON without the fields that equal their default.
pub fn compact_json(chain: &Chain) -> String {
    let defaults = default_values();
    let mut value = serde_json::to_value(chain).unwrap_or(Value::Null);
    prune(&mut value, &defaults);
    value.to_string()
}

fn default_values() -> Map<String, Value> {
    use crate::model::{LlmStep, Position, Simulation};
    let llm: Value = serde_json::from_str(r#"{"provider":"","model":"","prompt":""}"#)
        .and_then(serde_json::from_value::<LlmStep>)
        .and_then(serde_json::to_value)
        .unwrap_or(Value::Null);
    let mut defaults = Map::new();
    for name in DEFAULTED_FIELDS {
        let value = match *name {
            "seed" => Value::from(0),
            "inputs" | "headers" => Value::Array(vec![]),
            "position" => serde_json::to_value(Position::default()).unwrap_or(Value::Null),
            "sim" => serde_json::to_value(Simulation::default()).unwrap_or(Value::Null),
            "temperature" | "max_tokens" => llm.get(*name).cloned().unwrap_or(Value::Null),
            _ => Value::from(""),
        };
        defaults.insert((*name).into(), value);
    }
    defaults
}

fn prune(value: &mut Value, defaults: &Map<String, Value>) {
    match value {
        Value::Object(map) => {
            map.retain(|key, v| defaults.get(key) != Some(v));
            map.values_mut().for_each(|v| prune(v, defaults));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| prune(v, defaults)),
        _ => {}
    }
}

pub mod base32;
mod bytes;

/// The gallery's chains as they were when `c3` was made (2026-12-03), in the byte form,
/// least used first, the research assistant last: what deflate has "already seen"
/// before a `c3` link's bytes, after which an unchanged gallery chain is a handful of
/// back-references, and an edited one costs its edits. Frozen like [`LINK_WORDS`]:
/// the gallery may change, these bytes never do (the stored link in
/// `tests/share-links/c3.txt` fails if they do).
pub const LINK_CHAINS: &[u8] = include_bytes!("share/chains-c3.bin");

/// What deflate has "already seen" before a `c2` link's bytes: the words chains are made
/// of (kinds of work, prompt phrasing, providers, models, addresses) and the bytes a
/// step starts with. A short text compresses badly because every word is new; primed
/// with these, a prompt's words become back-references of two or three bytes. They
/// are the vocabulary of the gallery's kinds of parallel work and of how its notes
/// explain them, never a whole prompt or note, so a chain of one's own gains too.
///
/// Frozen: every `c2` and `c3` link is decoded against exactly these bytes (the stored links in
/// `tests/share-links/c2.txt` and `c3.txt` fail if one changes). Better words go in a new format.
/// Deflate codes near matches shorter, so the most common words come last.
pub const LINK_WORDS: &[u8] = b"\
    image audio video transcript caption photo describe detect language translate into English \
    flights hotels weather events itinerary travel plan budget dates destination trip \
    marketing email subject line greeting call to action body product launch customer tagline \
    sentiment keywords categorize category topic classify label score rating positive negative \
    validate check verify spelling grammar safety policy format schema valid invalid rules \
    variant option candidate pick the best majority vote compare rank choose winner \
    database records social media posts news articles papers documents sources report briefing \
    research question search results query lookup fetch retrieve collect gather \
    Combine Merge Join Concatenate Fill the template Pick the longest \
    Return only JSON. Reply in one sentence. Be concise. You are a helpful assistant. \
    Outline draft revise Write a short answer from:\nAnswer the question using:\nBased on: \
    https://api.example.org/search?q={{question}}&limit=10 https://api.example.com/ \
    POST application/json Content-Type Accept \x03GET \
    gpt-4o-mini gpt-4o llama3.1 qwen2.5 mistral ollama openai openrouter mock \
    Sequentially, the calls queue up one behind the other, one after the other. \
    They do not need each other, and none needs another's answer: independent steps \
    run side by side, in parallel, at the same time, all at once, at the same moment. \
    Only the last step waits for both, for every answer, for the slowest of them, not for their sum. \
    critical path, the whole level, staged, eager, sequential. \
    Summary of Summarize these articles in three bullet points:\n\
     of the and to in for on with from that this is are a an \
    Question Input Output Answer Result Synthesize Summarize Search \
    \x00\x00\x01\x09simulator\x09sim-small\x00\x030.7\x80\x04\x00";

/// Raw deflate of `bytes` as if the `dictionary` parts had come first: they go in and
/// are flushed to a byte boundary, and only what follows is kept. (zlib calls this a
/// preset dictionary; miniz_oxide has none, but a sync flush gives the same stream.)
/// Deflate looks back 32 KB at most: the parts together stay well under that.
fn deflate_primed(dictionary: &[&[u8]], bytes: &[u8]) -> Vec<u8> {
    use miniz_oxide::deflate::core::{
        compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
    };
    let mut compressor = CompressorOxide::new(create_comp_flags_from_zip_params(10, 0, 0));
    let words = dictionary.concat();
    let mut scratch = vec![0; words.len() * 2 + 64];
    let _ = compress(&mut compressor, &words, &mut scratch, TDEFLFlush::Sync);
    let mut out = vec![0; bytes.len() + bytes.len() / 2 + 64];
    let (mut input, mut at) = (bytes, 0);
    loop {
        let (status, read, wrote) =
            compress(&mut compressor, input, &mut out[at..], TDEFLFlush::Finish);
        at += wrote;
        input = input.get(read..).unwrap_or_default();
        match status {
            TDEFLStatus::Okay => out.resize(out.len() * 2, 0),
            _ => break,
        }
    }
    out.truncate(at);
    out
}

/// Inflates what [`deflate_primed`] wrote: the output buffer starts with the same
/// dictionary, which back-references may reach into, and stops past
/// [`MAX_JSON_BYTES`] of output.
fn inflate_primed(dictionary: &[&[u8]], packed: &[u8]) -> Result<Vec<u8>, ShareError> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let mut out = dictionary.concat();
    let words = out.len();
    let cap = words + MAX_JSON_BYTES;
    out.resize((words + packed.len() * 4).clamp(words + 1024, cap), 0);
    let mut inflater = Box::<DecompressorOxide>::default();
    let (mut input, mut at) = (packed, words);
    loop {
        let (status, read, wrote) = decompress(
            &mut inflater,
            input,
            &mut out,
            at,
            inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        at += wrote;
        input = input.get(read..).unwrap_or_default();
        match status {
            TINFLStatus::Done => {
                out.truncate(at);
                return Ok(out.split_off(words));
            }
            TINFLStatus::HasMoreOutput if out.len() < cap => {
                out.resize((out.len() * 2).min(cap), 0);
            }
            TINFLStatus::HasMoreOutput => {
                return Err(ShareError::TooLarge {
                    max: MAX_JSON_BYTES,
                })
            }
            _ => return Err(ShareError::BadCompression),
        }
    }
}
