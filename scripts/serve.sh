#!/usr/bin/env bash
# Builds and serves ChainLab at http://127.0.0.1:8080 with live reload.
# The app runs on a built-in simulator: no API key, no server needed.
# Extra arguments go to `trunk serve` (e.g. --release, --port 9000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh
# shellcheck disable=SC2119 # no arguments: export the wasm environment here
wasm_env
exec trunk serve --address 127.0.0.1 --port 8080 "$@"
