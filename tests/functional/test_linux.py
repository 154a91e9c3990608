"""Debian's kernel under the interpreter (-accel tcg): boot to the busybox
shell of scripts/make-initramfs.sh, type commands on the serial console,
drive the monitor on a unix socket while Linux runs, power off; -smp 2 with
4 GiB, then `reboot -f` resets the machine; bad input (a garbage initramfs,
a missing init) gives the guest's own error and a clean exit.

Boots take a minute or more each: run-tests.sh runs this suite ('linux') on
the release build.  Skips (exit 77, "SKIP: ..." on stdout) without an
installed kernel or busybox-static and cpio, or with KEMU_TEST_LINUX=0.
KEMU_LINUX_TIMEOUT (seconds) bounds each boot."""
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from kemutest import Console, fail

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_INITRAMFS = os.path.join(HERE, "../../scripts/make-initramfs.sh")
MARKER = "kemu-demo: shell ready"
BOOT_TIMEOUT = float(os.environ.get("KEMU_LINUX_TIMEOUT", "900"))
PROMPT = "kemu:"


def skip(reason):
    print("SKIP: " + reason, flush=True)
    sys.exit(77)


def find_kernel():
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    return kernels[-1] if kernels else None


def linux_kernel_or_skip(*tools):
    """The kernel the Linux tests boot; skips (exit 77) with KEMU_TEST_LINUX=0,
    without a readable kernel, busybox, or one of the host tools named."""
    if os.environ.get("KEMU_TEST_LINUX", "1") == "0":
        skip("KEMU_TEST_LINUX=0")
    kernel = find_kernel()
    if not kernel:
        skip("no kernel in /boot")
    if not os.access(kernel, os.R_OK):
        skip("%s is not readable" % kernel)
    if not any(os.path.exists(b) for b in ["/bin/busybox", "/usr/bin/busybox"]):
        skip("busybox-static is not installed")
    for tool in ("cpio",) + tools:
        if not shutil.which(tool):
            skip("%s is not installed" % tool)
    return kernel


class Linux:
    """kemu booting Linux: serial console on a pty, monitor on a unix socket."""

    def __init__(self, tmp, kernel, initrd, append="console=ttyS0", extra=(), mem="512",
                 no_reboot=True):
        self.mon_path = os.path.join(tmp, "mon-%d.sock" % time.monotonic_ns())
        args = ["-kernel", kernel, "-initrd", initrd, "-append", append,
                "-display", "none", "-serial", "stdio", "-m", mem,
                "-monitor", "unix:%s,server,nowait" % self.mon_path] + list(extra)
        if no_reboot:
            args.append("-no-reboot")
        self.con = Console(args)
        self.mon = None
        self.mon_buf = b""

    def expect(self, text, timeout=60.0):
        return self.con.expect(text, timeout)

    def shell(self, line, timeout=60.0):
        """Run line in the guest shell; return its output between two markers."""
        tag = "@%d@" % (time.monotonic_ns() % 1000000)
        # The markers are built by the shell, so the echoed command line does not match.
        self.con.send("echo %s''B; %s; echo %s''E\n" % (tag, line, tag))
        self.expect(tag + "B", timeout)
        out = self.expect(tag + "E", timeout)
        return out[: -len(tag + "E")].replace("\r", "").strip("\n")

    def monitor(self, cmd, timeout=30.0):
        if self.mon is None:
            deadline = time.monotonic() + 10
            while True:
                try:
                    self.mon = socket.socket(socket.AF_UNIX)
                    self.mon.connect(self.mon_path)
                    break
                except OSError:
                    self.mon.close()
                    if time.monotonic() > deadline:
                        fail("monitor socket %s does not answer" % self.mon_path)
                    time.sleep(0.1)
            self.mon_read_until(b"(kemu) ", timeout)
        self.mon.sendall(cmd.encode() + b"\n")
        out = self.mon_read_until(b"(kemu) ", timeout).decode(errors="replace")
        return out.replace("\r", "")

    def mon_read_until(self, want, timeout):
        deadline = time.monotonic() + timeout
        while want not in self.mon_buf:
            self.mon.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                data = self.mon.recv(65536)
            except socket.timeout:
                data = None
            if not data or time.monotonic() > deadline:
                fail("monitor: no %r; got %r" % (want, self.mon_buf[-1000:]))
            self.mon_buf += data
        i = self.mon_buf.index(want) + len(want)
        out, self.mon_buf = self.mon_buf[:i], self.mon_buf[i:]
        return out

    def close(self):
        if self.mon:
            self.mon.close()
        self.con.close()


def check_shell(vm, kernel):
    want = os.path.basename(kernel)[len("vmlinuz-"):]
    got = vm.shell("uname -r")
    if got != want:
        fail("uname -r: %r, want %r" % (got, want))

    cpuinfo = vm.shell("cat /proc/cpuinfo")
    model = re.search(r"model name\s*: (.*)", cpuinfo)
    flags = re.search(r"flags\s*: (.*)", cpuinfo)
    if not model or not model.group(1).strip():
        fail("/proc/cpuinfo has no model name:\n" + cpuinfo)
    if not flags:
        fail("/proc/cpuinfo has no flags:\n" + cpuinfo)
    for f in ["fpu", "tsc", "msr", "pae", "cx8", "cmov", "pse", "lm", "syscall", "nx"]:
        if f not in flags.group(1).split():
            fail("/proc/cpuinfo: flag %s missing: %s" % (f, flags.group(1)))

    dmesg = vm.shell("dmesg", timeout=120)
    for bad in ["WARNING:", "BUG:", "Call Trace", "soft lockup"]:
        if bad in dmesg:
            i = dmesg.index(bad)
            fail("dmesg has %r:\n%s" % (bad, dmesg[max(0, i - 1500): i + 1500]))

    # Guest time follows host time: sleep 2 takes about 2 s.
    t0 = time.monotonic()
    vm.shell("sleep 2", timeout=60)
    took = time.monotonic() - t0
    if not 1.8 <= took <= 6.0:
        fail("sleep 2 took %.1f s of host time" % took)

    # Job control: the shell has a controlling terminal.
    out = vm.shell("sleep 30 & jobs; kill %1")
    if "sleep 30" not in out:
        fail("no job control: %r" % out)


def check_monitor(vm):
    regs = vm.monitor("info registers")
    if "RIP=" not in regs or "CR0=" not in regs:
        fail("info registers: %r" % regs)
    cpus = vm.monitor("info cpus")
    if "CPU #0" not in cpus:
        fail("info cpus: %r" % cpus)
    vm.monitor("stop")
    if "paused" not in vm.monitor("info status"):
        fail("stop did not pause the VM")
    # A stopped guest neither echoes nor runs what is typed; cont catches up.
    vm.con.send("echo stopped-''check\n")
    early = vm.con.read_for(2.0)
    if "stopped" in early:
        fail("the guest ran while stopped: %r" % early)
    vm.monitor("cont")
    if "running" not in vm.monitor("info status"):
        fail("cont did not resume the VM")
    vm.expect("stopped-check", 60)


def test_boot_and_poweroff(tmp, kernel, initrd):
    vm = Linux(tmp, kernel, initrd)
    try:
        t0 = time.monotonic()
        vm.expect(MARKER, BOOT_TIMEOUT)
        print("booted to the shell in %.1f s" % (time.monotonic() - t0), flush=True)
        vm.expect(PROMPT, 60)
        check_shell(vm, kernel)
        check_monitor(vm)
        vm.con.send("poweroff -f\n")
        code = vm.con.wait(120)
        if code != 0:
            fail("poweroff -f: exit status %d" % code)
    finally:
        vm.close()


def test_smp_and_reboot(tmp, kernel, initrd):
    """-smp 2 with 4 GiB (RAM above the PCI hole); without -no-reboot a reboot resets."""
    vm = Linux(tmp, kernel, initrd, extra=["-smp", "2"], mem="4G", no_reboot=False)
    try:
        vm.expect(MARKER, BOOT_TIMEOUT)
        online = vm.shell("cat /sys/devices/system/cpu/online")
        if online != "0-1":
            fail("-smp 2: CPUs online %r" % online)
        meminfo = vm.shell("grep MemTotal /proc/meminfo")
        kib = int(re.search(r"(\d+) kB", meminfo).group(1))
        if not 3800 * 1024 <= kib <= 4096 * 1024:
            fail("-m 4G: %r" % meminfo)
        out = vm.shell("taskset 2 cat /proc/self/stat | cut -d' ' -f39")
        if out != "1":
            fail("-smp 2: a task pinned to CPU 1 ran on CPU %r" % out)
        vm.con.send("reboot -f\n")
        # The machine resets: the kernel starts again from the top.
        vm.expect("reboot: Restarting system", 120)
        vm.expect("Linux version", BOOT_TIMEOUT)
    finally:
        vm.close()


def test_bad_initramfs(tmp, kernel):
    junk = os.path.join(tmp, "junk.img")
    with open(junk, "wb") as f:
        f.write(os.urandom(256 * 1024))
    vm = Linux(tmp, kernel, junk, append="console=ttyS0 panic=-1", mem="128")
    try:
        # No init anywhere: the kernel panics (and with panic=-1 reboots; -no-reboot exits).
        vm.expect("Kernel panic", BOOT_TIMEOUT)
        code = vm.con.wait(120)
        if code != 0:
            fail("garbage initramfs: exit status %d" % code)
    finally:
        vm.close()


def test_no_init(tmp, kernel, initrd):
    # No /nonexistent in the initramfs: the kernel looks for a root device, finds none, panics.
    vm = Linux(tmp, kernel, initrd, append="console=ttyS0 panic=-1 rdinit=/nonexistent",
               mem="128")
    try:
        vm.expect("Kernel panic - not syncing: VFS: Unable to mount root fs", BOOT_TIMEOUT)
        code = vm.con.wait(120)
        if code != 0:
            fail("rdinit=/nonexistent: exit status %d" % code)
    finally:
        vm.close()


def run_parallel(cases):
    """Run (name, fn) pairs two at a time (this host has two cores); fail after all ran."""
    failures = []

    def one(name, fn):
        try:
            fn()
            print("%s: ok" % name, flush=True)
        except SystemExit:      # fail() already printed the reason
            failures.append(name)

    for i in range(0, len(cases), 2):
        threads = [threading.Thread(target=one, args=c) for c in cases[i:i + 2]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if failures:
        fail("failed: " + ", ".join(failures))


def main():
    kernel = linux_kernel_or_skip()
    tmp = tempfile.mkdtemp(prefix="kemu-linux-")
    try:
        initrd = os.path.join(tmp, "initramfs.cpio.gz")
        r = subprocess.run([MAKE_INITRAMFS, initrd], capture_output=True, text=True)
        if r.returncode != 0:
            fail("make-initramfs.sh: %s" % r.stderr)
        # Alone first: it checks that guest time follows host time.
        test_boot_and_poweroff(tmp, kernel, initrd)
        run_parallel([("smp and reboot", lambda: test_smp_and_reboot(tmp, kernel, initrd)),
                      ("no init", lambda: test_no_init(tmp, kernel, initrd)),
                      ("garbage initramfs", lambda: test_bad_initramfs(tmp, kernel))])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
