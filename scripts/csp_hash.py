"""Trunk post_build hook: puts the hash of each inline script trunk wrote into
index.html into the page's Content-Security-Policy, in place of the token
INLINE_SCRIPT_HASHES. Trunk's loader script names the hashed wasm and JS files,
so its hash changes with every build and cannot be written by hand."""

import base64
import hashlib
import os
import re
import sys
from pathlib import Path

TOKEN = "INLINE_SCRIPT_HASHES"

page = Path(os.environ.get("TRUNK_STAGING_DIR", "dist")) / "index.html"
html = page.read_text(encoding="utf-8")
if TOKEN not in html:
    sys.exit(0)
scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.DOTALL)
hashes = " ".join(
    "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
    for s in scripts
)
page.write_text(html.replace(TOKEN, hashes), encoding="utf-8")
print(f"csp_hash: {len(scripts)} inline script(s) allowed by hash in {page}")
