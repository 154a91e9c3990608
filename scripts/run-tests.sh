#!/usr/bin/env bash
# Every test.  The unit, device and functional suites run on a build with
# ASan/UBSan and warnings as errors; the Linux boots (suite 'linux') run on
# the release build, where each takes a minute or two instead of ten.
# With arguments (e.g. a test name) only the sanitizer build's run gets them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build-asan -Dsanitize=address,undefined
meson test -C build-asan --print-errorlogs --num-processes 2 --no-suite linux "$@"
if [ $# -eq 0 ]; then
  scripts/setup.sh build -Dbuildtype=release
  meson test -C build --print-errorlogs --suite linux
fi
