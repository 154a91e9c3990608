"""Disks under Debian's kernel (-accel tcg): an IDE disk (/dev/sda), two
virtio-blk disks (/dev/vda on qcow2, /dev/vdb on raw) and an ATAPI CD-ROM
(/dev/sr0) from -cdrom.  The guest sees the sizes given, reads a known
pattern (its checksum matches the host's), writes files on ext4 file systems
made on the host that the host reads back afterwards (debugfs; the qcow2
through kemu-img convert), mounts the ISO 9660 image, and follows the
monitor's eject and change while it runs.

Suite 'linux' (run-tests.sh runs it on the release build).  Skips loudly
without a kernel, busybox, e2fsprogs or xorriso, or with KEMU_TEST_LINUX=0."""
import hashlib
import os
import random
import shutil
import subprocess
import tempfile
import time

from kemutest import KEMU, fail
from test_linux import BOOT_TIMEOUT, MARKER, MAKE_INITRAMFS, Linux, linux_kernel_or_skip, skip

KEMU_IMG = os.environ.get("KEMU_IMG", os.path.join(os.path.dirname(os.path.abspath(KEMU)),
                                                   "tools", "kemu-img"))
MODULES = "ata_piix,sd_mod,sr_mod,virtio_pci,virtio_blk,ext4,crc32c_generic,isofs"
PATTERN_SIZE = 16 << 20
EXT4_SIZE = 32 << 20


def host(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, text=True)
    if r.returncode != 0:
        fail("%s: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout


def make_iso(tmp, name, text):
    d = os.path.join(tmp, name + ".d")
    os.mkdir(d)
    with open(os.path.join(d, "hello.txt"), "w") as f:
        f.write(text + "\n")
    iso = os.path.join(tmp, name + ".iso")
    host("xorriso", "-as", "mkisofs", "-quiet", "-o", iso, d)
    return iso


def make_images(tmp):
    rnd = random.Random(7)
    pattern = os.path.join(tmp, "pattern.raw")
    with open(pattern, "wb") as f:
        f.write(rnd.randbytes(PATTERN_SIZE))
    ext_raw = os.path.join(tmp, "ext.raw")
    ext_src = os.path.join(tmp, "ext-src.raw")
    for img in (ext_raw, ext_src):
        with open(img, "wb") as f:
            f.truncate(EXT4_SIZE)
        host("mkfs.ext4", "-q", "-F", img)
    ext_qcow2 = os.path.join(tmp, "ext.qcow2")
    host(KEMU_IMG, "convert", "-f", "raw", "-O", "qcow2", ext_src, ext_qcow2)
    return pattern, ext_raw, ext_qcow2


def guest_mount_cd(vm, want):
    """Mount /dev/sr0 on /c and read hello.txt; the drive may need a moment after a change."""
    for _ in range(10):
        out = vm.shell("mount -t iso9660 -o ro /dev/sr0 /c 2>&1 && cat /c/hello.txt; umount /c")
        if want in out:
            return
        time.sleep(1)
    fail("/dev/sr0: %r, want %r" % (out, want))


def debugfs_cat(image, path):
    return host("debugfs", "-R", "cat " + path, image)


def main():
    kernel = linux_kernel_or_skip("mkfs.ext4", "debugfs", "xorriso")
    if not os.path.exists(KEMU_IMG):
        skip("no kemu-img at %s" % KEMU_IMG)
    tmp = tempfile.mkdtemp(prefix="kemu-disks-")
    try:
        initrd = os.path.join(tmp, "initramfs.cpio.gz")
        r = subprocess.run([MAKE_INITRAMFS, initrd, "--load=" + MODULES],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("make-initramfs.sh: %s" % r.stderr)
        pattern, ext_raw, ext_qcow2 = make_images(tmp)
        iso_a = make_iso(tmp, "a", "hello-a")
        iso_b = make_iso(tmp, "b", "hello-b")
        with open(pattern, "rb") as f:
            want_sum = hashlib.sha256(f.read()).hexdigest()

        vm = Linux(tmp, kernel, initrd, extra=[
            "-drive", "file=%s,format=raw,if=ide" % pattern,
            "-drive", "file=%s,format=qcow2,if=virtio" % ext_qcow2,
            "-drive", "file=%s,format=raw,if=virtio" % ext_raw,
            "-cdrom", iso_a])
        try:
            vm.expect(MARKER, BOOT_TIMEOUT)
            if "failed" in vm.con.read_for(0.5):
                fail("a module did not load")
            vm.shell("dmesg -n 1")      # kernel messages off the console: they would mix in
            sizes = vm.shell("cat /sys/block/sda/size /sys/block/vda/size /sys/block/vdb/size "
                             "/sys/block/sr0/size").split()
            want = [str(PATTERN_SIZE // 512), str(EXT4_SIZE // 512), str(EXT4_SIZE // 512),
                    str(os.path.getsize(iso_a) // 512)]
            if sizes != want:
                fail("sizes (sda vda vdb sr0) %r, want %r" % (sizes, want))
            got = vm.shell("sha256sum /dev/sda", timeout=300).split()[0]
            if got != want_sum:
                fail("/dev/sda sha256 %s, host %s" % (got, want_sum))
            for dev in ("vda", "vdb"):
                out = vm.shell("mkdir -p /m && mount -t ext4 /dev/%s /m && seq 1 20000 > /m/data "
                               "&& echo %s > /m/who && umount /m && echo ok" % (dev, dev),
                               timeout=300)
                if not out.endswith("ok"):
                    fail("ext4 on /dev/%s: %r" % (dev, out))
            vm.shell("mkdir -p /c")
            guest_mount_cd(vm, "hello-a")
            # A mounted CD is locked by the guest: change is refused, the medium stays.
            vm.shell("mount -t iso9660 -o ro /dev/sr0 /c")
            out = vm.monitor("change ide1-cd0 %s" % iso_b)
            if "is locked and force was not specified" not in out:
                fail("change of a locked tray: %r" % out)
            if vm.shell("cat /c/hello.txt") != "hello-a":
                fail("a refused change swapped the medium")
            vm.shell("umount /c")

            out = vm.monitor("eject ide1-cd0")
            if "error" in out.lower():
                fail("eject: %r" % out)
            out = vm.shell("dd if=/dev/sr0 of=/dev/null bs=2048 count=1 2>&1; echo rc=$?")
            if "rc=0" in out:
                fail("/dev/sr0 still readable after eject: %r" % out)
            vm.monitor("change ide1-cd0 %s" % iso_b)
            guest_mount_cd(vm, "hello-b")
            if "ide1-cd0" not in vm.monitor("info block"):
                fail("info block lists no ide1-cd0")

            vm.con.send("poweroff -f\n")
            if vm.con.wait(120) != 0:
                fail("poweroff -f did not exit 0")
        finally:
            vm.close()

        want_data = "".join("%d\n" % i for i in range(1, 20001))
        if debugfs_cat(ext_raw, "/data") != want_data or debugfs_cat(ext_raw, "/who") != "vdb\n":
            fail("the raw image does not hold what the guest wrote")
        back = os.path.join(tmp, "back.raw")
        host(KEMU_IMG, "convert", "-f", "qcow2", "-O", "raw", ext_qcow2, back)
        if debugfs_cat(back, "/data") != want_data or debugfs_cat(back, "/who") != "vda\n":
            fail("the qcow2 image does not hold what the guest wrote")
        host(KEMU_IMG, "check", ext_qcow2)
        if shutil.which("qemu-img"):
            host("qemu-img", "check", ext_qcow2)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
