#!/usr/bin/env bash
# The main job: build kemu and boot Debian's installed kernel to a busybox
# shell on the serial console, under the interpreter (-accel tcg, the default).
# Ctrl-a c: monitor, Ctrl-a x: quit; in the guest `poweroff -f` ends kemu.
# Extra arguments go to kemu, e.g. scripts/run-demo.sh -smp 2 -m 1G.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build -Dbuildtype=release
initrd=build/demo/initramfs.cpio.gz
if [ ! -f "$initrd" ]; then
  scripts/make-initramfs.sh "$initrd"
fi
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n1)
if [ -z "$kernel" ]; then
  echo "run-demo: no kernel in /boot (apt-get install linux-image-amd64)" >&2
  exit 1
fi
exec build/kemu -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0" \
  -nographic -m 512 "$@"
