//! The chain kept in the browser's local storage, so a reload brings it back. Its
//! credentials (HTTP headers and URL parameters that carry them) are kept apart,
//! where provider keys are: in this tab's session storage, or in local storage when
//! the person asks to be remembered. The core says which values those are
//! (`chainlab_core::io::secrets`); this module only stores them and puts them back.

use chainlab_core::Chain;

use chainlab_core::editor::gallery;
use chainlab_core::io::arrival;
use chainlab_core::io::secrets::{self, Secrets};

/// Where the current chain is kept.
const KEY: &str = "chainlab.chain";
/// Where a saved chain that could not be read is moved, so it is not lost.
const BROKEN_KEY: &str = "chainlab.chain.unreadable";

fn storage(local: bool) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    if local {
        window.local_storage().ok().flatten()
    } else {
        window.session_storage().ok().flatten()
    }
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

/// Where the credentials of the chain kept under `key` are kept.
fn secrets_key(key: &str) -> String {
    format!("{key}.secrets")
}

/// Keeps `chain` under `key` in local storage, without its credentials, which go to
/// session storage (local storage when `remember`). A full or missing storage only
/// means no copy is kept.
pub fn keep(key: &str, chain: &Chain, remember: bool) {
    let (bare, credentials) = secrets::split(chain);
    if let (Some(local), Ok(json)) = (storage(true), chain_json(&bare)) {
        let _ = local.set_item(key, &json);
    }
    let credentials_key = secrets_key(key);
    if let Some(other) = storage(!remember) {
        let _ = other.remove_item(&credentials_key);
    }
    let Some(kept) = storage(remember) else {
        return;
    };
    match serde_json::to_string(&credentials) {
        Ok(json) if !credentials.is_empty() => {
            let _ = kept.set_item(&credentials_key, &json);
        }
        _ => {
            let _ = kept.remove_item(&credentials_key);
        }
    }
}

/// Puts back into `chain` the credentials kept beside `key`, wherever they are.
pub fn fill_credentials(key: &str, chain: &mut Chain) {
    let credentials_key = secrets_key(key);
    for local in [false, true] {
        let kept = storage(local)
            .and_then(|s| s.get_item(&credentials_key).ok().flatten())
            .and_then(|json| serde_json::from_str::<Secrets>(&json).ok());
        if let Some(credentials) = kept {
            credentials.fill(chain);
        }
    }
}

/// The chain kept under `key`, with its credentials, if there is one that reads.
pub fn kept(key: &str) -> Option<Chain> {
    let json = storage(true)?.get_item(key).ok()??;
    let mut chain = chain_from_json(&json).ok()?;
    fill_credentials(key, &mut chain);
    Some(chain)
}

/// Forgets the chain kept under `key` and its credentials.
pub fn forget(key: &str) {
    let credentials_key = secrets_key(key);
    for local in [false, true] {
        if let Some(s) = storage(local) {
            let _ = s.remove_item(&credentials_key);
            if local {
                let _ = s.remove_item(key);
            }
        }
    }
}

/// Saves the current chain.
pub fn save(chain: &Chain, remember: bool) {
    keep(KEY, chain, remember);
}

/// What the page starts with: the saved chain, or the first gallery chain when there
/// is none. A saved value that cannot be read is set aside under another key and
/// reported, so the page still opens and the text can be recovered.
pub fn restore() -> (Chain, Option<&'static str>, Option<String>) {
    let first = &gallery::EXAMPLES[0];
    let fallback = ((first.chain)(), Some(first.key), None);
    let Some(storage) = storage(true) else {
        return fallback;
    };
    let Ok(Some(json)) = storage.get_item(KEY) else {
        return fallback;
    };
    match chain_from_json(&json) {
        Ok(mut chain) => {
            fill_credentials(KEY, &mut chain);
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
