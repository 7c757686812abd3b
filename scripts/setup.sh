#!/usr/bin/env bash
# Installs whatever ChainLab's build, serve and check need, and nothing when all
# of it is already there (then it only runs a few quick checks).
#
# Works on a brand-new Debian 12 machine (root or sudo, rustup stable, node 20+)
# whose only network is crates.io, npm and Debian's archive, and on a laptop
# with full network. See scripts/env.sh for the two routes to a wasm32 std.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A shell that ran `wasm_env` (no arguments) has the wasm32 environment
# exported; native steps must not inherit it.
unset RUSTC_BOOTSTRAP CARGO_UNSTABLE_BUILD_STD CARGO_TARGET_DIR CLIPPY_CONF_DIR
[ "${RUSTUP_TOOLCHAIN:-}" = debian ] && unset RUSTUP_TOOLCHAIN
# shellcheck source=scripts/env.sh
source scripts/env.sh

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132

log() { echo "setup: $*" >&2; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()
fi

# --- apt helpers ------------------------------------------------------------
APT_UPDATED=0
# Installs the given Debian packages that are not installed yet (one fast
# dpkg-query; apt-get runs only when something is missing).
apt_ensure() {
  local installed missing=() p
  installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)"
  for p in "$@"; do
    grep -q "^$p ii" <<<"$installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get to install them"
  log "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then
    "${SUDO[@]}" apt-get update -q
    APT_UPDATED=1
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# --- basic tools ------------------------------------------------------------
command -v rustup >/dev/null 2>&1 || die "rustup not found (install it from https://rustup.rs)"
command -v cargo >/dev/null 2>&1 || die "cargo not found on PATH"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  die "node and npm not found: install Node.js 20 or newer"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old: Playwright needs 20 or newer"
command -v python3 >/dev/null 2>&1 || apt_ensure python3

# Native stable toolchain needs clippy and rustfmt (part of rustup's default profile).
if ! cargo clippy --version >/dev/null 2>&1 || ! cargo fmt --version >/dev/null 2>&1; then
  log "adding clippy and rustfmt to the default toolchain"
  timeout -k 5 60 rustup component add clippy rustfmt ||
    die "clippy/rustfmt missing from the default toolchain and 'rustup component add' failed"
fi

# --- a. wasm32 std: plain rustup target, or Debian rustc-web + build-std -----
mkdir -p target
case "${CHAINLAB_WASM_ROUTE:-}" in
  "" | plain | debian) ;;
  *) die "CHAINLAB_WASM_ROUTE must be plain or debian, not '$CHAINLAB_WASM_ROUTE'" ;;
esac
if [ "${CHAINLAB_WASM_ROUTE:-}" = debian ]; then
  route=debian
elif rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  route=plain
elif [ "$(cat "$CHAINLAB_ROUTE_FILE" 2>/dev/null || true)" = debian ]; then
  route=debian
else
  log "trying 'rustup target add wasm32-unknown-unknown' (20 s at most)"
  if timeout -k 5 20 rustup target add wasm32-unknown-unknown; then
    route=plain
  else
    log "rustup could not add wasm32-unknown-unknown: using Debian's rustc-web with build-std"
    route=debian
  fi
fi
if [ "$route" = debian ]; then
  apt_ensure rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy lld-22
  if ! rustup toolchain list | grep -q '^debian'; then
    log "linking /usr as rustup toolchain 'debian'"
    rustup toolchain link debian /usr
  fi
fi
if [ -z "${CHAINLAB_WASM_ROUTE:-}" ] && [ "$(cat "$CHAINLAB_ROUTE_FILE" 2>/dev/null || true)" != "$route" ]; then
  echo "$route" >"$CHAINLAB_ROUTE_FILE"
fi

# --- b. Chromium and chromedriver for the browser tests ----------------------
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  apt_ensure chromium chromium-driver
fi

# --- c. trunk and wasm-bindgen-cli (built with the stable toolchain) ---------
cargo_install() {
  log "cargo install $*"
  RUSTUP_TOOLCHAIN=stable cargo install --root "${CARGO_HOME:-$HOME/.cargo}" "$@"
}

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  cargo_install trunk --version "$TRUNK_VERSION" --locked
fi

if [ ! -f Cargo.lock ]; then
  log "no Cargo.lock yet: generating it"
  cargo generate-lockfile
fi
wbg_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
[ -n "$wbg_version" ] || die "could not find wasm-bindgen's version in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wbg_version" ] ||
  [ "$(wasm-bindgen-test-runner --version 2>/dev/null || true)" != "wasm-bindgen-test-runner $wbg_version" ]; then
  # No --locked: its lock file pins a webpki-roots the registry may not serve.
  cargo_install wasm-bindgen-cli --version "$wbg_version" --force
fi
if ! grep -q "wasm_bindgen = \"$wbg_version\"" Trunk.toml; then
  die "Trunk.toml's [tools] wasm_bindgen must be \"$wbg_version\" (the version in Cargo.lock)"
fi

# --- d. npm packages: Playwright and binaryen's wasm-opt ----------------------
[ -f package-lock.json ] || die "package-lock.json is missing (run: npm install --package-lock-only)"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/playwright ]; then
  log "npm ci"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  touch node_modules/.package-lock.json
fi
case "$(wasm-opt --version 2>/dev/null || true)" in
  *"(version_$BINARYEN_VERSION)"*) ;;
  *) die "node_modules/.bin/wasm-opt is not binaryen version_$BINARYEN_VERSION" ;;
esac

# --- e. Python venv for the exported-code check (tests/python) ----------------
# Rebuilt only when tests/python/requirements.txt changes (a copy is kept inside).
PY_VENV=target/py-venv
if ! cmp -s tests/python/requirements.txt "$PY_VENV/requirements.txt" 2>/dev/null; then
  log "creating $PY_VENV (langchain-core, langgraph, jsonschema, pytest from PyPI)"
  rm -rf "$PY_VENV"
  python3 -m venv "$PY_VENV" 2>/dev/null || { apt_ensure python3-venv && python3 -m venv "$PY_VENV"; }
  "$PY_VENV/bin/pip" install -q --disable-pip-version-check -r tests/python/requirements.txt
  cp tests/python/requirements.txt "$PY_VENV/requirements.txt"
fi

log "ready (wasm route: $route)"
