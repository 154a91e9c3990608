#!/usr/bin/env bash
# The main job: build kemu and start it with the serial console and the
# monitor on this terminal.  Until the pc machine boots a guest, this is the
# empty "none" machine: Ctrl-a c reaches the monitor, Ctrl-a x quits.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/kemu -M none -nographic "$@"
