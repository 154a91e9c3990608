#!/usr/bin/env bash
# Install what kemu needs from Debian (only what is missing), then configure
# and build.  Usage: scripts/setup.sh BUILDDIR [meson options...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  gcc binutils meson ninja-build pkg-config python3 nasm
  libglib2.0-dev libcmocka-dev libpixman-1-dev zlib1g-dev
  libsdl2-dev libvncserver-dev libslirp-dev libcapstone-dev seabios acpica-tools qemu-utils
  linux-image-amd64 busybox-static cpio gzip e2fsprogs xorriso
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

builddir=${1:-build}
shift || true
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dwerror=true "$@" >/dev/null
fi
ninja -C "$builddir" >/dev/null
echo "setup: built $builddir/kemu"
