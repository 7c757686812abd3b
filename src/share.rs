//! The share bar: the chain as a link (copied, shown with its length and as a QR
//! code), as a JSON file in and out, and as LangChain, LangGraph or Rust code.
//!
//! Everything from outside (a link's fragment, an imported file) goes through
//! `chainlab_core::io::share`, which refuses bad input with a message. The chain on the
//! page changes only when the new one is valid, and the one it replaces is kept in
//! local storage so one click brings it back. All text is rendered as text.

use crate::editor::{EditKind, Editor};
use crate::state::{use_app_state, AppState};
use chainlab_core::io::arrival::{self, Arrival};
use chainlab_core::io::codegen::{self, Language};
use chainlab_core::io::share::{self, ShareError, MAX_JSON_BYTES, SAFE_LINK_CHARS};
use chainlab_core::Chain;
use leptos::prelude::*;
use std::fmt::Write;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Where the chain a link or file replaced is kept (the editor keeps the current
/// chain under its own key).
const BEFORE_LINK_KEY: &str = "chainlab.before-link";

#[derive(Clone, Copy)]
struct Share {
    state: AppState,
    editor: Option<Editor>,
    /// Why the last link or file could not be opened.
    load_error: RwSignal<Option<String>>,
    /// The chain the person had before a link or file replaced it.
    before: RwSignal<Option<Chain>>,
    /// The link in the share box, while it is open.
    link: RwSignal<Option<String>>,
    /// Whether the link reached the clipboard.
    copy_status: RwSignal<Option<String>>,
    /// The code shown after an export, with its language.
    code: RwSignal<Option<(Language, String)>>,
    code_menu: RwSignal<bool>,
}

impl Share {
    /// Puts a chain read from `source` on the page, or says why it cannot.
    fn open(&self, read: Result<Chain, ShareError>, source: &str) {
        let chain = match read {
            Ok(chain) => chain,
            Err(e) => {
                self.load_error.set(Some(format!(
                    "{source} could not be opened. {e} Your chain is unchanged."
                )));
                return;
            }
        };
        if self.state.running() {
            self.load_error.set(Some(format!(
                "{source} was not opened because a race is running: open it again when the race ends."
            )));
            return;
        }
        self.load_error.set(None);
        let current = self.state.chain.get_untracked();
        if chain == current {
            return;
        }
        keep_before(&current);
        self.before.set(Some(current));
        self.put(chain);
    }

    fn put(&self, chain: Chain) {
        let Arrival {
            chain,
            gallery_key: key,
        } = arrival::arrive(chain);
        match self.editor {
            Some(editor) => {
                editor.edit(EditKind::Graph, |c| *c = chain);
                editor.loaded.set(key);
                editor.fit();
            }
            None => self.state.replace_chain(chain),
        }
    }

    fn restore(&self) {
        if let Some(chain) = self.before.get_untracked() {
            self.put(chain);
            self.forget_before();
            self.load_error.set(None);
        }
    }

    fn forget_before(&self) {
        self.before.set(None);
        if let Some(storage) = storage() {
            let _ = storage.remove_item(BEFORE_LINK_KEY);
        }
    }

    /// Opens the link in the address bar, if there is one, and then takes it out of
    /// the address bar so that a reload keeps the person's later edits.
    fn open_fragment(&self) {
        let location = window().location();
        let fragment = location.hash().unwrap_or_default();
        let fragment = fragment.trim_start_matches('#');
        if fragment.is_empty() {
            return;
        }
        self.open(share::decode_link(fragment), "The link");
        if self.load_error.with_untracked(Option::is_none) {
            let here = format!(
                "{}{}",
                location.pathname().unwrap_or_default(),
                location.search().unwrap_or_default()
            );
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&here));
            }
        }
    }

    fn share(&self) {
        // The page's address without its query: a link carries the chain and nothing
        // else the sender's page happened to be opened with.
        let location = window().location();
        let base = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        let link = format!(
            "{base}#{}",
            self.state.chain.with_untracked(share::encode_link)
        );
        self.copy_status.set(None);
        let copied = self.copy_status;
        let promise = window().navigator().clipboard().write_text(&link);
        leptos::task::spawn_local(async move {
            copied.set(Some(match JsFuture::from(promise).await {
                Ok(_) => "Copied to the clipboard.".into(),
                Err(_) => "The browser did not allow copying: select the link and copy it.".into(),
            }));
        });
        self.link.set(Some(link));
    }

    fn export_json(&self) {
        let chain = self.state.chain.get_untracked();
        if let Err(e) = crate::download::text(
            &format!("{}.chainlab.json", file_stem(&chain.name)),
            "application/json",
            &share::to_file(&chain),
        ) {
            self.load_error.set(Some(e));
        }
    }

    fn export_code(&self, language: Language) {
        let Ok(plan) = self.state.plan.get_untracked() else {
            return;
        };
        let code = codegen::export(&plan, language);
        if let Err(e) = crate::download::text(language.file_name(), "text/plain", &code) {
            self.load_error.set(Some(e));
        }
        self.code.set(Some((language, code)));
    }

    fn import(&self, input: &web_sys::HtmlInputElement) {
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // Cleared so that choosing the same file again is a new import.
        input.set_value("");
        if file.size() > MAX_JSON_BYTES as f64 {
            self.open(
                Err(ShareError::TooLarge {
                    max: MAX_JSON_BYTES,
                }),
                "The file",
            );
            return;
        }
        let share = *self;
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.text()).await {
                Ok(text) => share.open(
                    share::from_file(&text.as_string().unwrap_or_default()),
                    "The file",
                ),
                Err(_) => share.load_error.set(Some(
                    "The browser could not read the file. Try again, or choose another file."
                        .into(),
                )),
            }
        });
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn keep_before(chain: &Chain) {
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(chain)) {
        let _ = storage.set_item(BEFORE_LINK_KEY, &json);
    }
}

fn kept_before() -> Option<Chain> {
    let json = storage()?.get_item(BEFORE_LINK_KEY).ok()??;
    serde_json::from_str(&json).ok()
}

/// A file name from the chain's name: letters, digits and dashes.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "chain".into()
    } else {
        stem
    }
}

/// The QR code of `text` as one SVG path in module units (with the quiet zone of four
/// modules the standard asks for), or `None` when the text is too long for any QR code.
fn qr_path(text: &str) -> Option<(usize, String)> {
    use qrcode::{Color, EcLevel, QrCode};
    // Medium error correction survives a projector's glare; long links need Low to fit.
    let code = QrCode::with_error_correction_level(text, EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(text, EcLevel::L))
        .ok()?;
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let _ = write!(path, "M{} {}h1v1h-1z", i % width + 4, i / width + 4);
        }
    }
    Some((width + 8, path))
}

#[component]
pub fn SharePanel() -> impl IntoView {
    let share = Share {
        state: use_app_state(),
        editor: use_context::<Editor>(),
        load_error: RwSignal::new(None),
        before: RwSignal::new(kept_before()),
        link: RwSignal::new(None),
        copy_status: RwSignal::new(None),
        code: RwSignal::new(None),
        code_menu: RwSignal::new(false),
    };
    share.open_fragment();
    // A link pasted into the address bar of an open page only changes the fragment.
    let listener = window_event_listener(leptos::ev::hashchange, move |_| share.open_fragment());
    on_cleanup(move || listener.remove());
    let invalid = move || share.state.plan.with(Result::is_err);

    view! {
        <section class="share-bar" aria-label="Share, import and export">
            <button data-testid="share" on:click=move |_| share.share()>
                "Share link"
            </button>
            <label class="share-import">
                "⤒ Import JSON"
                <input
                    type="file"
                    data-testid="import"
                    accept=".json,application/json"
                    on:change=move |ev| share.import(&event_target(&ev))
                />
            </label>
            <button data-testid="export-json" on:click=move |_| share.export_json()>
                "⤓ Export JSON"
            </button>
            <button
                data-testid="export-code"
                aria-expanded=move || share.code_menu.get().to_string()
                on:click=move |_| share.code_menu.update(|open| *open = !*open)
            >
                "⟨/⟩ Export code"
            </button>
            {move || {
                share
                    .before
                    .get()
                    .map(|chain| {
                        view! {
                            <button
                                data-testid="restore"
                                class="share-restore"
                                on:click=move |_| share.restore()
                            >
                                "↩ Restore “"
                                {chain.name}
                                "”, the chain you had open before"
                            </button>
                            <button
                                data-testid="restore-forget"
                                title="Forget the chain kept from before the link"
                                aria-label="Forget the chain kept from before the link"
                                on:click=move |_| share.forget_before()
                            >
                                "✕"
                            </button>
                        }
                    })
            }}
        </section>
        {move || {
            share
                .load_error
                .get()
                .map(|message| {
                    view! {
                        <p class="error share-error" role="alert" data-testid="load-error">
                            {message}
                            " "
                            <button on:click=move |_| share.load_error.set(None)>"Dismiss"</button>
                        </p>
                    }
                })
        }}
        <Show when=move || share.code_menu.get()>
            <section class="share-code" aria-label="Export code">
                <p>
                    "Runnable code with stand-in steps that sleep for the simulated latencies; "
                    "comments say which steps run together and what the real calls would be."
                </p>
                {Language::ALL
                    .into_iter()
                    .map(|language| {
                        view! {
                            <button
                                data-testid=format!("export-code-{}", language.key())
                                disabled=invalid
                                title=move || {
                                    if invalid() { "Fix the chain's problems first" } else { "" }
                                }
                                on:click=move |_| share.export_code(language)
                            >
                                {language.label()}
                            </button>
                        }
                    })
                    .collect_view()}
                {move || {
                    share
                        .code
                        .get()
                        .map(|(language, code)| {
                            view! {
                                <p>{format!("Saved as {}:", language.file_name())}</p>
                                <pre class="share-code-preview" data-testid="code-preview">
                                    {code}
                                </pre>
                            }
                        })
                }}
            </section>
        </Show>
        {move || share.link.get().map(|link| view! { <LinkBox share link /> })}
    }
}

#[component]
fn LinkBox(share: Share, link: String) -> impl IntoView {
    let length = link.chars().count();
    let too_long = length > SAFE_LINK_CHARS;
    let qr = qr_path(&link);
    // Full screen for a projector: the whole height of the screen, closed by a click.
    let big = RwSignal::new(false);
    view! {
        <section class="share-box" aria-label="Share link">
            <div class="share-box-text">
                <label>
                    "Link to this chain "
                    <span data-testid="share-length">{format!("({length} characters)")}</span>
                    <input
                        type="text"
                        readonly
                        data-testid="share-link"
                        prop:value=link
                        on:focus=move |ev| {
                            event_target::<web_sys::HtmlInputElement>(&ev).select();
                        }
                    />
                </label>
                <p class="share-status" role="status">{move || share.copy_status.get()}</p>
                {too_long
                    .then(|| {
                        view! {
                            <p class="share-warning">
                                {format!(
                                    "This link is {length} characters long: chat apps and mail may cut it. \
                                     Send the chain as a JSON file instead."
                                )}
                                " "
                                <button on:click=move |_| share.export_json()>"⤓ Download JSON file"</button>
                            </p>
                        }
                    })}
                <p class="share-note">
                    "The whole chain is in the link, after the #, which browsers never send to a server. "
                    "Keys and credential headers are left out."
                </p>
                <button on:click=move |_| big.set(true)>"Show the QR code full screen"</button>
                " "
                <button on:click=move |_| share.link.set(None)>"Close"</button>
            </div>
            {match qr {
                Some((size, path)) => {
                    view! {
                        <svg
                            class="share-qr"
                            class:big=move || big.get()
                            data-testid="share-qr"
                            on:click=move |_| big.update(|b| *b = !*b)
                            role="img"
                            aria-label="QR code of the link: point a phone camera at it"
                            viewBox=format!("0 0 {size} {size}")
                            shape-rendering="crispEdges"
                        >
                            <rect width=size height=size fill="#fff" />
                            <path d=path fill="#000" />
                        </svg>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="share-warning">
                            "The link is too long for a QR code: share the JSON file instead."
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chainlab_core::editor::gallery;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn file_names_come_from_the_chain_name() {
        assert_eq!(file_stem("Research assistant"), "research-assistant");
        assert_eq!(file_stem("<script>/../"), "script");
        assert_eq!(file_stem("???"), "chain");
    }

    #[wasm_bindgen_test]
    fn gallery_links_fit_in_a_qr_code() {
        for example in gallery::EXAMPLES {
            let link = format!(
                "https://chainlab.example/#{}",
                share::encode_link(&(example.chain)())
            );
            assert!(qr_path(&link).is_some(), "{}", example.key);
        }
        assert!(qr_path(&"x".repeat(SAFE_LINK_CHARS)).is_none());
    }
}
