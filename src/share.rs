//! The share bar: the chain as a link (copied, shown with its length and as a QR
//! code), as a JSON or Mermaid file out, in from a file or pasted text (ChainLab JSON,
//! Mermaid, LangGraph JSON, OpenTelemetry or Chrome traces), and as LangChain,
//! LangGraph or Rust code.
//!
//! Everything from outside (a link's fragment, an imported file or text) goes through
//! `chainlab_core::io` (`share` for links, `arrival::arrive_text` for files and text),
//! which refuses bad input with a message. The chain on the
//! page changes only when the new one is valid, and the one it replaces is kept in
//! local storage so one click brings it back (its credentials kept apart, as the
//! current chain's are). All text is rendered as text.

use crate::editor::{storage, EditKind, Editor};
use crate::shell::{use_shell, Shell};
use crate::state::{use_app_state, AppState};
use chainlab_core::io::arrival::{self, Arrival};
use chainlab_core::io::codegen::{self, Language};
use chainlab_core::io::import::{self, ImportError, MAX_IMPORT_BYTES};
use chainlab_core::io::secrets;
use chainlab_core::io::share::{self, SAFE_LINK_CHARS};
use chainlab_core::Chain;
use leptos::prelude::*;
use std::fmt::{Display, Write};
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
    imports: crate::import::Imports,
}

impl Share {
    /// Puts a chain read from `source` on the page, or says why it cannot. Returns
    /// whether the chain on the page is now the one read.
    fn open<E: Display>(&self, read: Result<Chain, E>, source: &str) -> bool {
        let chain = match read {
            Ok(chain) => chain,
            Err(e) => {
                self.load_error.set(Some(format!(
                    "{source} could not be opened. {e} Your chain is unchanged."
                )));
                return false;
            }
        };
        if self.state.running() {
            self.load_error.set(Some(format!(
                "{source} was not opened because a race is running: open it again when the race ends."
            )));
            return false;
        }
        self.load_error.set(None);
        let current = self.state.chain.get_untracked();
        // A link never carries credentials: the address bar's own link, read again on
        // a reload, is the chain on the page without them, and must not replace it.
        if chain == current || chain == secrets::without_secrets(&current) {
            return true;
        }
        storage::keep(
            BEFORE_LINK_KEY,
            &current,
            self.state.network.remember.get_untracked(),
        );
        self.before.set(Some(current));
        self.put(chain);
        true
    }

    /// Imports a pasted text or a file's text, whatever its format, and reports what
    /// was guessed. The time the core took to read it is measured here, where the
    /// person waits for it (tools/import-bench.mjs reads it).
    fn import_text(&self, text: &str, file_name: Option<&str>, source: &str) -> bool {
        let performance = window().performance();
        let now = || performance.as_ref().map_or(0.0, web_sys::Performance::now);
        let started = now();
        let read = arrival::arrive_text(text, file_name);
        let ms = now() - started;
        match read {
            Ok((arrival, report)) => {
                let opened = self.open(Ok::<_, ImportError>(arrival.chain), source);
                if opened {
                    self.imports.report.set(report.map(|r| (r, ms)));
                }
                opened
            }
            Err(e) => self.open(Err::<Chain, _>(e), source),
        }
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
        storage::forget(BEFORE_LINK_KEY);
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

    /// The chain as a Mermaid flowchart, for a README or a GitHub issue.
    fn export_mermaid(&self) {
        let chain = self.state.chain.get_untracked();
        if let Err(e) = crate::download::text(
            &format!("{}.mmd", file_stem(&chain.name)),
            "text/plain",
            &import::to_mermaid(&chain),
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
        let name = file.name();
        let source = format!("The file “{name}”");
        // Refused before reading: the size of a file is known without its text.
        if file.size() > MAX_IMPORT_BYTES as f64 {
            self.open(
                Err::<Chain, _>(ImportError::TooLarge {
                    bytes: file.size() as usize,
                    max: MAX_IMPORT_BYTES,
                }),
                &source,
            );
            return;
        }
        let share = *self;
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.text()).await {
                Ok(text) => {
                    share.import_text(&text.as_string().unwrap_or_default(), Some(&name), &source);
                }
                Err(_) => share.load_error.set(Some(
                    "The browser could not read the file. Try again, or choose another file."
                        .into(),
                )),
            }
        });
    }
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

/// The link part of a fragment and whether it asks to present. Options follow the
/// link after `&` (`#c3.…&present`); neither base32 nor base64url holds `&`, so links without
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
    use chainlab_core::io::qr::{Qr, QUIET_ZONE};
    let code = Qr::of(text)?;
    let mut path = String::new();
    for (i, _) in code.dark.iter().enumerate().filter(|(_, dark)| **dark) {
        let (x, y) = (i % code.width + QUIET_ZONE, i / code.width + QUIET_ZONE);
        let _ = write!(path, "M{x} {y}h1v1h-1z");
    }
    Some((code.across(), path))
}

/// Creates the share state, opens a link in the address bar and keeps the address bar
/// in step with the chain. Called once, before the page draws.
pub fn provide() {
    let share = Share {
        state: use_app_state(),
        editor: use_context::<Editor>(),
        load_error: RwSignal::new(None),
        before: RwSignal::new(storage::kept(BEFORE_LINK_KEY)),
        link: RwSignal::new(None),
        copy_status: RwSignal::new(None),
        code: RwSignal::new(None),
        code_menu: RwSignal::new(false),
        qr_big: RwSignal::new(false),
        shell: use_shell(),
        imports: crate::import::provide(),
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
                "⤒ Import a file"
                <input
                    type="file"
                    data-testid="import"
                    accept=".json,.mmd,.txt,application/json,text/plain"
                    on:change=move |ev| {
                        share.import(&event_target(&ev));
                        shell.menu.set(false);
                    }
                />
            </label>
            <button data-testid="export-json" on:click=move |_| share.export_json()>
                "⤓ Export JSON"
            </button>
            <button data-testid="export-mermaid" on:click=move |_| share.export_mermaid()>
                "⤓ Export Mermaid"
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
            <PasteImport share />
        </section>
    }
}

/// A text to import: a Mermaid flowchart (from LangGraph's `draw_mermaid()` or a
/// README), LangGraph's JSON, an OpenTelemetry trace or a ChainLab chain.
#[component]
fn PasteImport(share: Share) -> impl IntoView {
    let shell = use_shell();
    let text = RwSignal::new(String::new());
    view! {
        <form
            class="paste-import"
            on:submit=move |ev| {
                ev.prevent_default();
                let pasted = text.get_untracked();
                if share.import_text(&pasted, None, "The pasted text") {
                    text.set(String::new());
                }
                shell.menu.set(false);
            }
        >
            <label for="import-text">
                "Or paste a Mermaid flowchart, LangGraph JSON, an OpenTelemetry trace (OTLP/JSON) or a ChainLab chain"
            </label>
            <textarea
                id="import-text"
                data-testid="import-text"
                rows="4"
                spellcheck="false"
                placeholder="graph TD\n  search_a --> summarize\n  search_b --> summarize"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <button type="submit" data-testid="import-text-go">
                "⤒ Import the text"
            </button>
        </form>
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
                    "Keys, credential headers and credential parameters (api_key, token, …) are left out."
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
