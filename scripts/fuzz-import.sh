#!/usr/bin/env bash
# Fuzzes the import parsers (Mermaid, LangGraph JSON, OTLP/JSON, Chrome traces): a
# million proptest cases of mangled and random graphs and traces
# (crates/chainlab-core/tests/import_fuzz.rs), the sibling of scripts/fuzz-share.sh.
# Not part of scripts/check.sh: it takes minutes. Prints the case count, the time
# and the result.
#   bash scripts/fuzz-import.sh [cases]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unset RUSTC_BOOTSTRAP CARGO_UNSTABLE_BUILD_STD CARGO_TARGET_DIR CLIPPY_CONF_DIR
CASES="${1:-1000000}"
cargo test --release -p chainlab-core --test import_fuzz --no-run
start=$(date +%s)
PROPTEST_CASES="$CASES" cargo test --release -p chainlab-core --test import_fuzz -- --ignored --nocapture
echo "fuzz-import: $CASES cases, no panic, $(($(date +%s) - start)) s"
