#!/usr/bin/env bash
# Fuzzes the share-link decoder: a million proptest cases of random and mangled
# links and files (crates/chainlab-core/tests/share_fuzz.rs). Not part of
# scripts/check.sh: it takes minutes. Prints the case count, the time and the result.
#   bash scripts/fuzz-share.sh [cases]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unset RUSTC_BOOTSTRAP CARGO_UNSTABLE_BUILD_STD CARGO_TARGET_DIR CLIPPY_CONF_DIR
CASES="${1:-1000000}"
cargo test --release -p chainlab-core --test share_fuzz --no-run
start=$(date +%s)
PROPTEST_CASES="$CASES" cargo test --release -p chainlab-core --test share_fuzz -- --ignored --nocapture
echo "fuzz-share: $CASES cases, no panic, $(($(date +%s) - start)) s"
