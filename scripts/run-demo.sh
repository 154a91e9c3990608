#!/usr/bin/env bash
# The main job: build kemu and start the pc machine with its serial console
# and monitor on this terminal (Ctrl-a c: monitor, Ctrl-a x: quit).  Until
# an accelerator runs guest code the console stays quiet; the monitor shows
# the machine (info qtree, info pci, info mtree).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/kemu -nographic "$@"
