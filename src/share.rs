//! The share bar: the chain as a link (copied, shown with its length and as a QR
//! code), as a JSON file in and out, and as LangChain, LangGraph or Rust code.
//!
//! Everything from outside (a link's fragment, an imported file) goes through
//! `chainlab_core::io::share`, which refuses bad input with a message. The chain on the
//! page changes only when the new one is valid, and the one it replaces is kept in
//! local storage so one click brings it back. All text is rendered as text.

use crate::editor::{EditKind, Editor};
use crate::shell::{use_shell, Shell};
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
    /// The QR code fills the screen, for a projector.
    qr_big: RwSignal<bool>,
    shell: Shell,
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

    /// Opens the link in the address bar, if there is one. The address bar keeps it
    /// (see [`keep_link_in_address_bar`]), so it can be bookmarked or passed on.
    fn open_fragment(&self) {
        let fragment = window().location().hash().unwrap_or_default();
        let (link, present) = split_options(fragment.trim_start_matches('#'));
        if link.is_empty() {
            return;
        }
        self.open(share::decode_link(link), "The link");
        if present && self.load_error.with_untracked(Option::is_none) {
            self.shell.present.set(true);
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
    if let (Some(storage), Ok(json)) = (storage(), crate::editor::storage::chain_json(chain)) {
        let _ = storage.set_item(BEFORE_LINK_KEY, &json);
    }
}

fn kept_before() -> Option<Chain> {
    let json = storage()?.get_item(BEFORE_LINK_KEY).ok()??;
    crate::editor::storage::chain_from_json(&json).ok()
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

/// Up to this many modules across (version 10), a QR code keeps medium error correction.
const MAX_MEDIUM_QR_WIDTH: usize = 57;

/// The link part of a fragment and whether it asks to present. Options follow the
/// link after `&` (`#c1.…&present`); base64url never holds `&`, so links without
/// options read exactly as before.
fn split_options(fragment: &str) -> (&str, bool) {
    let mut parts = fragment.split('&');
    let link = parts.next().unwrap_or_default();
    (link, parts.any(|option| option == PRESENT_OPTION))
}

/// The fragment option that opens a chain in projector mode, ready to race.
pub const PRESENT_OPTION: &str = "present";

/// Keeps the current chain's link in the address bar as the chain changes, so a
/// reload, a bookmark or a copied address brings back exactly what is on the page.
/// At once, not after a pause: a reload right after an edit must not bring back the
/// link from before it. `replaceState` adds no history entry, so typing does not
/// flood the back button.
fn keep_link_in_address_bar(share: Share) {
    Effect::new(move |_| {
        let fragment = share.state.chain.with(share::encode_link);
        // A link that could not be opened stays in the address bar, to be looked at.
        if share.load_error.with_untracked(Option::is_some) {
            return;
        }
        let location = window().location();
        let current = location.hash().unwrap_or_default();
        if current.trim_start_matches('#') == fragment {
            return;
        }
        let here = format!(
            "{}{}#{fragment}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&here));
        }
    });
}

/// The QR code of `text` as one SVG path in module units (with the quiet zone of four
/// modules the standard asks for), or `None` when the text is too long for any QR code.
fn qr_path(text: &str) -> Option<(usize, String)> {
    use qrcode::{Color, EcLevel, QrCode};
    // Medium error correction survives a projector's glare, but on a long link it makes
    // the modules too small for a phone at the back of a room: there Low error
    // correction gives a code several versions smaller, with bigger modules.
    let code = QrCode::with_error_correction_level(text, EcLevel::M)
        .ok()
        .filter(|code| code.width() <= MAX_MEDIUM_QR_WIDTH)
        .or_else(|| QrCode::with_error_correction_level(text, EcLevel::L).ok())?;
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let _ = write!(path, "M{} {}h1v1h-1z", i % width + 4, i / width + 4);
        }
    }
    Some((width + 8, path))
}

/// Creates the share state, opens a link in the address bar and keeps the address bar
/// in step with the chain. Called once, before the page draws.
pub fn provide() {
    let share = Share {
        state: use_app_state(),
        editor: use_context::<Editor>(),
        load_error: RwSignal::new(None),
        before: RwSignal::new(kept_before()),
        link: RwSignal::new(None),
        copy_status: RwSignal::new(None),
        code: RwSignal::new(None),
        code_menu: RwSignal::new(false),
        qr_big: RwSignal::new(false),
        shell: use_shell(),
    };
    provide_context(share);
    share.open_fragment();
    keep_link_in_address_bar(share);
    // A link pasted into the address bar of an open page only changes the fragment.
    let listener = window_event_listener(leptos::ev::hashchange, move |_| share.open_fragment());
    on_cleanup(move || listener.remove());
    // Escape leaves the full-screen QR code first, then closes the share dialogs.
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "Escape" {
            return;
        }
        if share.qr_big.get_untracked() {
            share.qr_big.set(false);
        } else {
            share.link.set(None);
            share.code_menu.set(false);
        }
    });
    on_cleanup(move || escape.remove());
}

fn use_share() -> Share {
    expect_context::<Share>()
}

/// In the toolbar: the link, copied, in a dialog with its QR code.
#[component]
pub fn ShareButton() -> impl IntoView {
    let share = use_share();
    view! {
        <button data-testid="share" class="share" on:click=move |_| share.share()>
            "Share link"
        </button>
    }
}

/// In the drawer: the chain as a file in and out, and as code.
#[component]
pub fn FileMenu() -> impl IntoView {
    let share = use_share();
    let shell = use_shell();
    view! {
        <section class="share-bar drawer-section" aria-labelledby="files-title">
            <h3 id="files-title">"Files and code"</h3>
            <label class="share-import">
                "⤒ Import JSON"
                <input
                    type="file"
                    data-testid="import"
                    accept=".json,application/json"
                    on:change=move |ev| {
                        share.import(&event_target(&ev));
                        shell.menu.set(false);
                    }
                />
            </label>
            <button data-testid="export-json" on:click=move |_| share.export_json()>
                "⤓ Export JSON"
            </button>
            <button
                data-testid="export-code"
                aria-haspopup="dialog"
                aria-expanded=move || share.code_menu.get().to_string()
                on:click=move |_| {
                    share.code_menu.update(|open| *open = !*open);
                    shell.menu.set(false);
                }
            >
                "⟨/⟩ Export code"
            </button>
        </section>
    }
}

/// Above the work area: why a link or file did not open, and the way back to the chain
/// it replaced.
#[component]
pub fn ShareNotices() -> impl IntoView {
    let share = use_share();
    view! {
        {move || {
            share
                .before
                .get()
                .map(|chain| {
                    view! {
                        <p class="share-restore-bar">
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
                        </p>
                    }
                })
        }}
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
    }
}

/// The code export and the link with its QR code, as dialogs over the page.
#[component]
pub fn ShareDialogs() -> impl IntoView {
    let share = use_share();
    let invalid = move || share.state.plan.with(Result::is_err);
    let copied = RwSignal::new(None::<&'static str>);
    let copy_code = move |_| {
        let Some((_, code)) = share.code.get_untracked() else {
            return;
        };
        let promise = window().navigator().clipboard().write_text(&code);
        leptos::task::spawn_local(async move {
            copied.set(Some(match JsFuture::from(promise).await {
                Ok(_) => "Copied.",
                Err(_) => "The browser did not allow copying: select the code and copy it.",
            }));
        });
    };
    view! {
        <Show when=move || share.code_menu.get()>
            <div class="backdrop" on:click=move |_| share.code_menu.set(false)></div>
            <section
                class="share-code dialog wide"
                role="dialog"
                aria-modal="true"
                aria-labelledby="code-title"
            >
                <div class="dialog-head">
                    <h2 id="code-title">"Export code"</h2>
                    <button data-testid="code-close" on:click=move |_| share.code_menu.set(false)>
                        "Close"
                    </button>
                </div>
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
                                on:click=move |_| {
                                    copied.set(None);
                                    share.export_code(language);
                                }
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
                                <p>
                                    {format!("Saved as {}. ", language.file_name())}
                                    <button data-testid="code-copy" on:click=copy_code>
                                        "Copy"
                                    </button>
                                    " "
                                    <span role="status">{move || copied.get()}</span>
                                </p>
                                <pre class="share-code-preview" data-testid="code-preview" tabindex="0">
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
    let present_link = format!("{link}&{PRESENT_OPTION}");
    let big = share.qr_big;
    big.set(false);
    view! {
        <div class="backdrop" on:click=move |_| share.link.set(None)></div>
        <section
            class="share-box dialog wide"
            role="dialog"
            aria-modal="true"
            aria-labelledby="share-title"
        >
            <div class="share-box-text">
                <div class="dialog-head">
                    <h2 id="share-title">"Share this chain"</h2>
                    <button data-testid="share-close" on:click=move |_| share.link.set(None)>
                        "Close"
                    </button>
                </div>
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
                <label>
                    "For slides: the same link, opening in projector mode, racing at the first key or click "
                    <input
                        type="text"
                        readonly
                        data-testid="present-link"
                        prop:value=present_link
                        on:focus=move |ev| {
                            event_target::<web_sys::HtmlInputElement>(&ev).select();
                        }
                    />
                </label>
                <p class="share-note">
                    "The whole chain is in the link, after the #, which browsers never send to a server. "
                    "Keys and credential headers are left out."
                </p>
                <button data-testid="qr-full-screen" on:click=move |_| big.set(true)>
                    "Show the QR code full screen"
                </button>
            </div>
            {match qr {
                Some((size, path)) => {
                    view! {
                        <div class="qr-holder" class:big=move || big.get()>
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
                            <Show when=move || big.get()>
                                <button
                                    class="qr-close"
                                    data-testid="qr-close"
                                    aria-label="Close the full-screen QR code (Escape)"
                                    on:click=move |_| big.set(false)
                                >
                                    "✕ Close"
                                </button>
                            </Show>
                        </div>
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
