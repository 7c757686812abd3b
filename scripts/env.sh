# shellcheck shell=bash
# Sourced by the other scripts (and by humans: `source scripts/env.sh`).
#
# - Puts node_modules/.bin (wasm-opt from npm binaryen, playwright) and
#   ~/.cargo/bin (trunk, wasm-bindgen, wasm-bindgen-test-runner) on PATH.
# - Defines `wasm_env`, which runs a command with the environment for wasm32
#   builds:
#       wasm_env trunk build --release
#       wasm_env cargo clippy -p chainlab --target wasm32-unknown-unknown
#   It also points clippy at .clippy-wasm/ (no std::time, no thread::sleep).
#   Called with no arguments it exports that environment into the current shell.
#
# Two routes to a wasm32 std (chosen by scripts/setup.sh, recorded in
# target/.wasm-route; CHAINLAB_WASM_ROUTE=plain|debian in the environment
# overrides the choice, e.g. to try the Debian route on a machine that has both):
#   plain  - rustup's wasm32-unknown-unknown target on the default toolchain.
#   debian - Debian's rustc-web linked as rustup toolchain "debian", std for
#            wasm32 built from rust-web-src with cargo's build-std.
# Native builds keep the default (stable) toolchain and target/; wasm builds
# always use target/wasm so the two never invalidate each other.

CHAINLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CHAINLAB_ROOT

case ":$PATH:" in
  *":$CHAINLAB_ROOT/node_modules/.bin:"*) ;;
  *) PATH="$CHAINLAB_ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" ;;
esac
export PATH
# Playwright must never try to download its own browser; we use /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

CHAINLAB_ROUTE_FILE="$CHAINLAB_ROOT/target/.wasm-route"

# Prints "plain" or "debian".
chainlab_wasm_route() {
  if [ -n "${CHAINLAB_WASM_ROUTE:-}" ]; then
    echo "$CHAINLAB_WASM_ROUTE"
  elif [ -f "$CHAINLAB_ROUTE_FILE" ]; then
    cat "$CHAINLAB_ROUTE_FILE"
  elif rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo plain
  elif rustup toolchain list 2>/dev/null | grep -q '^debian'; then
    echo debian
  else
    echo plain
  fi
}

wasm_env() {
  local route clippy_conf
  route="$(chainlab_wasm_route)"
  # Clippy for wasm32 bans std::time / thread::sleep (see .clippy-wasm/clippy.toml).
  clippy_conf="${CLIPPY_CONF_DIR:-$CHAINLAB_ROOT/.clippy-wasm}"
  if [ "$#" -eq 0 ]; then
    export CARGO_TARGET_DIR="$CHAINLAB_ROOT/target/wasm" CLIPPY_CONF_DIR="$clippy_conf"
    if [ "$route" = debian ]; then
      export RUSTUP_TOOLCHAIN=debian RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    fi
    return 0
  fi
  if [ "$route" = debian ]; then
    env CARGO_TARGET_DIR="$CHAINLAB_ROOT/target/wasm" CLIPPY_CONF_DIR="$clippy_conf" \
      RUSTUP_TOOLCHAIN=debian RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
      "$@"
  else
    env CARGO_TARGET_DIR="$CHAINLAB_ROOT/target/wasm" CLIPPY_CONF_DIR="$clippy_conf" "$@"
  fi
}
