#!/usr/bin/env bash
# Build a small busybox initramfs (cpio newc, gzip) for booting Linux in kemu.
# Usage: scripts/make-initramfs.sh [OUTPUT] [--modules] [--load=MOD,MOD...]
#   OUTPUT      default build/demo/initramfs.cpio.gz
#   --modules   also copy the modules of the installed kernel (large)
#   --load=...  copy these modules and what they depend on (modules.dep), and
#               modprobe them at boot before the shell starts
#   --add=SRC:DEST  copy the host file SRC to DEST in the image (repeatable)
# Uses only Debian's busybox-static, cpio and gzip.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/demo/initramfs.cpio.gz
modules=0
load=""
adds=()
for a in "$@"; do
  case "$a" in
    --modules) modules=1 ;;
    --load=*) load=${a#--load=} ;;
    --add=*:*) adds+=("${a#--add=}") ;;
    -*) echo "make-initramfs: unknown option $a" >&2; exit 1 ;;
    *) out=$a ;;
  esac
done

busybox=""
for b in /bin/busybox /usr/bin/busybox; do
  if [ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
    busybox=$b; break
  fi
done
if [ -z "$busybox" ]; then
  # file(1) may be missing: accept any busybox that runs without a loader
  for b in /bin/busybox /usr/bin/busybox; do [ -x "$b" ] && busybox=$b && break; done
fi
if [ -z "$busybox" ]; then
  echo "make-initramfs: busybox-static is not installed (apt-get install busybox-static)" >&2
  exit 1
fi
for t in cpio gzip; do
  command -v "$t" >/dev/null || { echo "make-initramfs: $t is not installed" >&2; exit 1; }
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root,lib/modules}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done

kver=$(ls /lib/modules 2>/dev/null | sort -V | tail -n1)
if [ "$modules" = 1 ]; then
  cp -a "/lib/modules/$kver" "$root/lib/modules/"
elif [ -n "$load" ]; then
  # modules.dep lists every module's dependencies, transitively.
  dep=/lib/modules/$kver/modules.dep
  mkdir -p "$root/lib/modules/$kver"
  cp "$dep" "$root/lib/modules/$kver/"
  for m in ${load//,/ }; do
    line=$(grep -E "(^|/)${m//_/[_-]}\.ko(\.[a-z]+)?:" "$dep" || true)
    if [ -z "$line" ]; then
      echo "make-initramfs: no module $m in $dep" >&2
      exit 1
    fi
    for f in ${line/:/}; do
      mkdir -p "$root/lib/modules/$kver/$(dirname "$f")"
      cp "/lib/modules/$kver/$f" "$root/lib/modules/$kver/$f"
    done
  done
  echo "${load//,/ }" > "$root/etc/modules-load"
fi

for a in "${adds[@]}"; do
  src=${a%%:*} dest=${a#*:}
  mkdir -p "$root/$(dirname "$dest")"
  cp "$src" "$root/$dest"
done

cat > "$root/init" <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
hostname kemu
if [ -f /etc/modules-load ]; then
  for m in $(cat /etc/modules-load); do modprobe "$m" || echo "kemu-demo: modprobe $m failed"; done
fi
echo "kemu-demo: shell ready"
cd /root
# setsid + cttyhack: the console becomes the shell's controlling tty (job control)
while true; do
  setsid cttyhack sh -l
  echo "kemu-demo: shell exited, starting another"
done
EOF
chmod 755 "$root/init"
echo 'PS1="kemu:\w# "' > "$root/etc/profile"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner 0:0 --quiet) \
  | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
echo "make-initramfs: wrote $out"
