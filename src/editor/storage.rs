//! The chain kept in the browser's local storage, so a reload brings it back.

use chainlab_core::Chain;

use chainlab_core::editor::gallery;
use chainlab_core::io::arrival;

/// Where the current chain is kept.
const KEY: &str = "chainlab.chain";
/// Where a saved chain that could not be read is moved, so it is not lost.
const BROKEN_KEY: &str = "chainlab.chain.unreadable";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The chain as JSON, through `serde_json::Value` as share links and files go: the
/// chain's serde code is then in the wasm once, for `Value`, not a second time for text
/// (about 3 KB of the page, gzip).
pub fn chain_json(chain: &Chain) -> serde_json::Result<String> {
    serde_json::to_value(chain).map(|value| value.to_string())
}

/// Reads a chain written by [`chain_json`] (or by an older page, which wrote the same
/// JSON directly); the same path as [`chain_json`], for the same reason.
pub fn chain_from_json(json: &str) -> serde_json::Result<Chain> {
    serde_json::from_str::<serde_json::Value>(json).and_then(serde_json::from_value)
}

/// Saves the chain; a full or missing storage only means no copy is kept.
pub fn save(chain: &Chain) {
    if let (Some(storage), Ok(json)) = (storage(), chain_json(chain)) {
        let _ = storage.set_item(KEY, &json);
    }
}

/// What the page starts with: the saved chain, or the first gallery chain when there
/// is none. A saved value that cannot be read is set aside under another key and
/// reported, so the page still opens and the text can be recovered.
pub fn restore() -> (Chain, Option<&'static str>, Option<String>) {
    let first = &gallery::EXAMPLES[0];
    let fallback = ((first.chain)(), Some(first.key), None);
    let Some(storage) = storage() else {
        return fallback;
    };
    let Ok(Some(json)) = storage.get_item(KEY) else {
        return fallback;
    };
    match chain_from_json(&json) {
        Ok(chain) => {
            let arrived = arrival::arrive(chain);
            (arrived.chain, arrived.gallery_key, None)
        }
        Err(e) => {
            let _ = storage.set_item(BROKEN_KEY, &json);
            let _ = storage.remove_item(KEY);
            (
                fallback.0,
                fallback.1,
                Some(format!(
                    "The chain saved in this browser could not be read ({e}), so the {} chain is shown instead. \
                     The unreadable text is kept in local storage under \"{BROKEN_KEY}\".",
                    first.key
                )),
            )
        }
    }
}
