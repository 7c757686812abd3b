#!/usr/bin/env bash
# Everything CI runs (.ci/run execs this), in order, stopping at the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A shell that ran `wasm_env` (no arguments) has the wasm32 environment
# exported; native steps must not inherit it.
unset RUSTC_BOOTSTRAP CARGO_UNSTABLE_BUILD_STD CARGO_TARGET_DIR CLIPPY_CONF_DIR
[ "${RUSTUP_TOOLCHAIN:-}" = debian ] && unset RUSTUP_TOOLCHAIN

STAGE="setup"
START_ALL=$SECONDS
STAGE_START=$SECONDS
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo >&2
    echo "==== FAILED: $STAGE (exit code $rc, after $((SECONDS - STAGE_START)) s)" >&2
  fi
}
trap on_exit EXIT

stage() {
  echo "---- $STAGE: ok ($((SECONDS - STAGE_START)) s)"
  STAGE="$1"
  STAGE_START=$SECONDS
  echo
  echo "==== $STAGE"
}

echo "==== setup"
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh

stage "rustfmt"
cargo fmt --all --check

stage "clippy (native, workspace)"
cargo clippy --workspace --all-targets -- -D warnings

stage "clippy (wasm32, chainlab app, no std::time / thread::sleep)"
CLIPPY_CONF_DIR="$CHAINLAB_ROOT/.clippy-wasm" \
  wasm_env cargo clippy -p chainlab --target wasm32-unknown-unknown --all-targets -- -D warnings

stage "tests (native, workspace without the wasm-only app)"
cargo test --workspace --exclude chainlab

stage "exported code (every gallery chain as LangChain and LangGraph, run from PyPI)"
rm -rf target/exported
cargo run -q -p chainlab-core --example export_gallery -- target/exported
CHAINLAB_EXPORTED=target/exported target/py-venv/bin/python -m pytest -q tests/python

stage "import from real producers (LangGraph Mermaid and JSON, OpenTelemetry OTLP/JSON)"
rm -rf target/import-fixtures
target/py-venv/bin/python tests/python/make_import_fixtures.py target/import-fixtures
# Absolute: cargo runs the test from the crate's directory.
CHAINLAB_IMPORT_FIXTURES="$PWD/target/import-fixtures" \
  cargo test -q -p chainlab-core --test import_real -- --nocapture

stage "tests (wasm32, wasm-bindgen-test in headless Chromium)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER=/usr/bin/chromedriver \
  WASM_BINDGEN_TEST_TIMEOUT=120 \
  wasm_env cargo test -p chainlab --target wasm32-unknown-unknown

stage "trunk build --release"
# Lower it as the wasm shrinks; raise it only with a reason written in BENCHMARKS.md.
WASM_CEILING=615000
wasm_env trunk build --release
for wasm in dist/*.wasm; do
  raw=$(wc -c <"$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  echo "wasm size: $wasm raw $raw bytes ($((raw / 1024)) KiB), gzip -9 $gz bytes ($((gz / 1024)) KiB)"
  # The budget is 520,000 bytes gzip: what a school network loads before Run works.
  # The app is over it today (BENCHMARKS.md, wasm size, says by how much and why), so
  # the check holds a ceiling at today's size: the wasm may shrink, never grow again.
  if [ "$gz" -gt "$WASM_CEILING" ]; then
    echo "wasm too big: $wasm is $gz bytes gzip -9, over the ceiling of $WASM_CEILING bytes (budget 520,000; see BENCHMARKS.md, wasm size)" >&2
    exit 1
  elif [ "$gz" -gt 520000 ]; then
    echo "wasm over the 520,000-byte budget by $((gz - 520000)) bytes (ceiling $WASM_CEILING): see BENCHMARKS.md, wasm size"
  fi
done

stage "playwright (e2e against dist/)"
npx playwright test

echo "---- $STAGE: ok ($((SECONDS - STAGE_START)) s)"
echo
echo "==== all checks passed in $((SECONDS - START_ALL)) s"
