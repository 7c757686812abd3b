"""scripts/csp_hash.py, the trunk hook that fills in the page's Content-Security-Policy:
a release build allows its loader script by hash and nothing else; a development build
(`trunk serve`) also allows exactly trunk's live-reload script, as trunk serves it, and
its reload websocket."""

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "scripts" / "csp_hash.py"

LOADER = "import init from '/chainlab-1a2b.js'; init('/chainlab-1a2b_bg.wasm');"
# The parts of trunk's src/autoreload.js that trunk serve fills in per request.
RELOAD = (
    "const address = '{{__TRUNK_ADDRESS__}}'; const base = '{{__TRUNK_WS_BASE__}}';"
    " const url = 'ws://' + address + base + '.well-known/trunk/ws';"
)
CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' INLINE_SCRIPT_HASHES; "
    "connect-src 'self' https:; object-src 'none'"
)


def staged(tmp_path: Path, reload: bool) -> Path:
    body = f"<script type=\"module\">{LOADER}</script>"
    if reload:
        body += f"<script>{RELOAD}</script>"
    page = tmp_path / "index.html"
    page.write_text(
        f'<html><head><meta http-equiv="Content-Security-Policy" content="{CSP}" /></head>'
        f"<body>{body}</body></html>",
        encoding="utf-8",
    )
    return page


def run_hook(tmp_path: Path, profile: str) -> str:
    env = dict(os.environ, TRUNK_STAGING_DIR=str(tmp_path), TRUNK_PROFILE=profile, TRUNK_PUBLIC_URL="/")
    subprocess.run([sys.executable, str(HOOK)], check=True, env=env, capture_output=True)
    return (tmp_path / "index.html").read_text(encoding="utf-8")


def served(html: str, host: str) -> str:
    """What trunk serve sends (trunk 0.21 src/serve/mod.rs, html_address_middleware)."""
    return html.replace("'{{__TRUNK_ADDRESS__}}'", f"'{host}'").replace("{{__TRUNK_WS_BASE__}}", "/")


def policy(html: str) -> str:
    return re.search(r'content="([^"]*)"', html).group(1)


def sha(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.DOTALL)


def test_release_build_allows_only_its_loader(tmp_path):
    staged(tmp_path, reload=False)
    html = run_hook(tmp_path, "release")
    csp = policy(html)
    assert sha(LOADER) in csp
    assert csp.count("'sha256-") == 1
    assert "ws:" not in csp and "unsafe-inline" not in csp


def test_dev_build_allows_the_reload_script_as_served_and_its_websocket(tmp_path):
    staged(tmp_path, reload=True)
    html = run_hook(tmp_path, "debug")
    for host in ("127.0.0.1:8080", "localhost:8080"):
        page = served(html, host)
        csp = policy(page)
        for script in inline_scripts(page):
            assert sha(script) in csp, script[:60]
    csp = policy(html)
    assert "ws://127.0.0.1:*/.well-known/trunk/ws" in csp
    assert "ws://localhost:*/.well-known/trunk/ws" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]



def test_served_release_build_allows_the_reload_script_too(tmp_path):
    """`trunk serve --release` injects the reload script as well (TRUNK_PROFILE=release):
    the hook keys on the script, not on the profile."""
    staged(tmp_path, reload=True)
    html = run_hook(tmp_path, "release")
    page = served(html, "127.0.0.1:4180")
    csp = policy(page)
    for script in inline_scripts(page):
        assert sha(script) in csp, script[:60]
    assert "ws://127.0.0.1:*/.well-known/trunk/ws" in csp
