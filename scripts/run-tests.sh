#!/usr/bin/env bash
# Every test: build with ASan/UBSan and warnings as errors, then run the
# unit and functional suites.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build-asan -Dsanitize=address,undefined
meson test -C build-asan --print-errorlogs --num-processes 2 "$@"
