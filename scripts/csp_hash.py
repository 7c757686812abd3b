"""Trunk post_build hook: puts the hash of each inline script trunk wrote into
index.html into the page's Content-Security-Policy, in place of the token
INLINE_SCRIPT_HASHES. Trunk's loader script names the hashed wasm and JS files,
so its hash changes with every build and cannot be written by hand.

A page served by `trunk serve` (debug or --release) also carries trunk's
live-reload script, which `trunk serve` would fill in per request with the
address the browser used (so no hash could match it). Here its two blanks are
filled with what trunk would put there by default (the page's own host, and the
public URL as the websocket's base), so the script served is the script hashed,
and the policy allows exactly that script and trunk's reload websocket. A
release build gets neither."""

import base64
import hashlib
import os
import re
import sys
from pathlib import Path

TOKEN = "INLINE_SCRIPT_HASHES"
# Where trunk's reload script connects (see trunk's src/autoreload.js).
RELOAD_SOCKET = "/.well-known/trunk/ws"

page = Path(os.environ.get("TRUNK_STAGING_DIR", "dist")) / "index.html"
html = page.read_text(encoding="utf-8")
if TOKEN not in html:
    sys.exit(0)

# Whatever the profile: `trunk serve --release` injects the reload script too (and
# `trunk build` never does), so its presence is what says the page will be served live.
dev = "{{__TRUNK_ADDRESS__}}" in html or RELOAD_SOCKET.lstrip("/") in html
if dev:
    base = os.environ.get("TRUNK_PUBLIC_URL", "/") or "/"
    if not base.endswith("/"):
        base += "/"
    html = (
        html.replace("'{{__TRUNK_ADDRESS__}}'", "window.location.host")
        .replace("`{{__TRUNK_ADDRESS__}}`", "window.location.host")
        .replace("{{__TRUNK_WS_BASE__}}", base)
    )

scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.DOTALL)
sources = " ".join(
    "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
    for s in scripts
)
html = html.replace(TOKEN, sources)
if dev and "well-known/trunk/ws" in html:
    # The reload websocket, on whichever local name the page was opened with.
    sockets = " ".join(
        f"ws://{host}:*{RELOAD_SOCKET}" for host in ("127.0.0.1", "localhost")
    )
    html = re.sub(r"(connect-src [^;]*)", lambda m: f"{m.group(1)} {sockets}", html, count=1)
page.write_text(html, encoding="utf-8")
kind = "a build served with live reload" if dev else "a build"
print(f"csp_hash: {len(scripts)} inline script(s) allowed by hash in {page} ({kind})")
