"""-accel kvm with the small guests of tests/guest/: serial output, PIO and
MMIO exits, ring 3, timer interrupts, SMP bring-up, resets, virtio-blk with
and without ioeventfds; the monitor against running, spinning and
hammering guests; start-up errors.

Skips (exit 77, "SKIP: ..." on stdout) where /dev/kvm cannot be opened or
the guests were not built (no nasm)."""
import os
import re
import sys
import tempfile
import time
from kemutest import Console, fail, run, virtio_blk_guest

GUESTS = {name: os.environ.get("KEMU_GUEST_" + name.upper().replace("-", "_"))
          for name in ["mb-hello", "mb-exits", "mb-ring3", "mb-timer", "mb-smp", "mb-reset",
                       "mb-vectors", "mb-task"]}
BASE = ["-accel", "kvm", "-M", "pc", "-display", "none", "-nographic", "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
VIRTIO_GUEST = os.environ.get("KEMU_GUEST_MB_VIRTIO_BLK")     # built with gcc -m32
EXIT_PASS = 33          # isa-debug-exit: (0x10 << 1) | 1
TIMEOUT = 60


def skip(reason):
    print("SKIP: " + reason, flush=True)
    sys.exit(77)


def xorshift_sum(n):
    x, s = 2463534242, 0
    for _ in range(n):
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        s = (s + x) & 0xffffffff
    return s


def guest(name, *extra, expect_code=EXIT_PASS, timeout=TIMEOUT):
    """Run a guest to its exit; return its serial output."""
    code, out, err = run(BASE + ["-kernel", GUESTS[name]] + list(extra), timeout=timeout)
    if code != expect_code:
        fail("%s %s: exit %d (want %d)\nstdout: %s\nstderr: %s"
             % (name, " ".join(extra), code, expect_code, out, err))
    if "internal error" in err or "ERROR" in err:
        fail("%s: %s" % (name, err))
    return out


def want(out, *texts):
    for t in texts:
        if t not in out:
            fail("expected %r in %r" % (t, out))


def test_hello():
    want(guest("mb-hello", "-append", "from kvm"), "hello from multiboot:", "from kvm")


def test_exits():
    want(guest("mb-exits"), "fw_cfg signature QEMU", "HPET GCAP_ID 8086", "IOAPIC version",
         "PASS pio-mmio")


def test_ring3():
    out = guest("mb-ring3")
    want(out, "ring3 checksum=31a035cc n=10000000", "PASS ring3")
    out = guest("mb-ring3", "-append", "n=12345")
    want(out, "ring3 checksum=%08x n=12345" % xorshift_sum(12345))
    cycles = int(out.split("cycles=")[1].split()[0], 16)
    print("ring3: 12345 iterations in %d TSC cycles" % cycles)


def test_timer():
    want(guest("mb-timer"), "PIT ticks=10", "LAPIC id=0", "LAPIC timer ticks=10", "PASS timer")


def test_smp():
    want(guest("mb-smp", "-smp", "4"), "CPUs: 4", "APs started: 3", "PASS smp")
    want(guest("mb-smp", "-smp", "2,cores=2"), "CPUs: 2", "APs started: 1", "PASS smp")


# KVM-PVM (this CI host's flavour) runs guest CPL 0 in KVM's instruction
# emulator; with VMX or SVM the ring-0 cases run on the CPU and compare too.
CPL0_EMULATED = os.path.exists("/sys/module/kvm_pvm")
KVMEMU = ["-append", "kvmemu=1"] if CPL0_EMULATED else []


def test_vectors():
    # The exception vectors under KVM, then the same lines from the interpreter:
    # the host is the oracle.  kvmemu=1 skips what KVM's instruction emulator
    # (which runs CPL 0 under KVM-PVM) cannot do: protected-mode INT3/INTO/INT n,
    # BOUND, x87/SSE arithmetic, paging outside long mode, #AC in 32-bit ring 3.
    out = guest("mb-vectors", *KVMEMU)
    want(out, "vector 00 de-div0 err=none eip=insn", "vector 13 gp-exec-only-ds err=00000040",
         "dr6.bs=00004000", "vector 08 df-de-then-np err=00000000", "PASS vectors")
    args = [a if a != "kvm" else "tcg" for a in BASE]
    code, ref, err = run(args + ["-kernel", GUESTS["mb-vectors"]], timeout=TIMEOUT * 2)
    if code != EXIT_PASS:
        fail("mb-vectors under tcg: exit %d\n%s\n%s" % (code, ref, err))
    ref_lines = {l.split()[2]: l for l in ref.splitlines() if l.startswith("vector ")}
    compared = 0
    for line in out.splitlines():
        if not line.startswith("vector ") or "skipped" in line:
            continue
        name = line.split()[2]
        if ref_lines.get(name) != line:
            fail("mb-vectors %s: kvm %r, tcg %r" % (name, line, ref_lines.get(name)))
        compared += 1
    if "dr6.bs=00004000" not in ref:
        fail("tcg: single step without DR6.BS: %r" % ref)
    print("mb-vectors: %d cases equal under kvm and tcg" % compared)


def test_task():
    # Hardware task switches under KVM, each line against the interpreter's.
    # On a host whose KVM runs CPL 0 in its instruction emulator (kvmemu=1)
    # only LTR runs: far JMP/CALL to a TSS is an emulation failure there, it
    # has no protected-mode IRET, and a task gate in the IDT is a triple
    # fault; those cases print "skipped".
    out = guest("mb-task", *KVMEMU)
    want(out, "ltr tr=0018 type=000b", "PASS task")
    args = [a if a != "kvm" else "tcg" for a in BASE]
    code, ref, err = run(args + ["-kernel", GUESTS["mb-task"]], timeout=TIMEOUT * 2)
    if code != EXIT_PASS:
        fail("mb-task under tcg: exit %d\n%s\n%s" % (code, ref, err))
    ref_lines = {l.split()[0]: l for l in ref.splitlines() if l and not l.startswith("PASS")}
    compared = skipped = 0
    for line in out.splitlines():
        if not line or line.startswith("PASS"):
            continue
        if "skipped" in line:
            skipped += 1
            continue
        name = line.split()[0]
        if ref_lines.get(name) != line:
            fail("mb-task %s: kvm %r, tcg %r" % (name, line, ref_lines.get(name)))
        compared += 1
    print("mb-task: %d lines equal under kvm and tcg, %d groups skipped under kvm"
          % (compared, skipped))


def test_reset(*extra):
    # Rebooting: the second boot passes.  -no-reboot: kemu exits 0 at the reset.
    args = [a for a in BASE if a != "-no-reboot"] + list(extra)
    for mode, first in [("triple=0", "reset through 0xcf9"), ("triple=1", "triple fault")]:
        code, out, err = run(args + ["-kernel", GUESTS["mb-reset"], "-append", mode],
                             timeout=TIMEOUT)
        if code != EXIT_PASS:
            fail("reset %s: exit %d\n%s\n%s" % (mode, code, out, err))
        want(out, "first boot, " + first, "second boot", "PASS reset")
        out = guest("mb-reset", "-append", mode, *extra, expect_code=0)
        want(out, "first boot, " + first)
        if "second boot" in out:
            fail("-no-reboot rebooted: %r" % out)


def monitor_console(name, *extra):
    args = ["-accel", "kvm", "-M", "pc", "-display", "none", "-serial", "none",
            "-monitor", "stdio", "-kernel", GUESTS[name]] + list(extra)
    c = Console(args)
    c.expect("(kemu) ")
    return c


def quit_console(c):
    t0 = time.monotonic()
    c.send("quit\r")
    code = c.wait(timeout=10)
    if code != 0:
        fail("quit: exit %d" % code)
    print("quit took %.2f s" % (time.monotonic() - t0))


def test_monitor_running():
    c = monitor_console("mb-ring3", "-append", "n=4000000000", "-smp", "2")
    try:
        deadline = time.monotonic() + 20
        while "CPL=3" not in c.command("info registers"):
            if time.monotonic() > deadline:
                fail("the guest never reached its ring 3 loop")
            time.sleep(0.2)
        out = c.command("info cpus")
        lines = [l for l in out.splitlines() if "CPU #" in l]
        if len(lines) != 2 or not lines[0].startswith("* CPU #0: pc=0x") or \
                "thread_id=" not in lines[0] or not lines[1].startswith("  CPU #1: pc="):
            fail("info cpus: %r" % out)
        out = c.command("info registers")
        # The BSP is in its ring 3 loop (64-bit code): QEMU's 64-bit layout.
        want(out, "RAX=", "RIP=", "CPL=3", "CS =005b", "EFER=0000000000000500", "XMM00=")
        out = c.command("info registers 1")
        want(out, "EIP=", "HLT=0")
        out = c.command("info registers -a")
        want(out, "CPU#0", "CPU#1")
        c.command("stop")
        want(c.command("info status"), "paused")
        rip1 = c.command("info registers").split("RIP=")[1].split()[0]
        time.sleep(0.3)
        rip2 = c.command("info registers").split("RIP=")[1].split()[0]
        if rip1 != rip2:
            fail("paused vCPU moved: %s -> %s" % (rip1, rip2))
        c.command("cont")
        want(c.command("info status"), "running")
        c.command("system_reset")
        time.sleep(0.5)
        want(c.command("info status"), "running")
        quit_console(c)
    finally:
        c.close()


def test_monitor_prelaunch():
    c = monitor_console("mb-hello", "-S", "-device", "isa-debug-exit,iobase=0xf4,iosize=4")
    try:
        want(c.command("info status"), "prelaunch")
        out = c.command("info registers")
        # The BSP waits at the multiboot entry, flat 32-bit protected mode.
        want(out, "EAX=2badb002", "CS =0010 00000000 ffffffff 00cf9b00 DPL=0 CS32 [-RA]",
             "CR0=00000011")
        c.send("cont\r")
        code = c.wait(timeout=TIMEOUT)
        if code != EXIT_PASS:
            fail("after cont: exit %d" % code)
    finally:
        c.close()


def test_bad_guests():
    # A guest that spins with interrupts off, one that hammers unassigned
    # ports and MMIO: the monitor answers and quit works.
    for mode in ["spin=1", "hammer=1"]:
        c = monitor_console("mb-exits", "-append", mode)
        try:
            time.sleep(1)
            for _ in range(3):
                want(c.command("info cpus"), "CPU #0")
            c.command("stop")
            c.command("cont")
            quit_console(c)
        finally:
            c.close()


def test_userspace_irqchip():
    # kernel-irqchip=off: the board's PIC, IOAPIC, PIT and local APICs, KVM only runs the CPUs.
    off = ["-machine", "kernel-irqchip=off"]
    want(guest("mb-exits", *off), "IOAPIC version", "PASS pio-mmio")
    want(guest("mb-timer", *off), "PIT ticks=10", "LAPIC timer ticks=10", "PASS timer")
    want(guest("mb-ring3", *off), "PASS ring3")
    want(guest("mb-smp", "-smp", "4", "-accel", "kvm,kernel-irqchip=off"), "CPUs: 4",
         "APs started: 3", "PASS smp")
    test_reset(*off)
    # The userspace APIC answers info lapic; a spinning guest still lets the monitor in.
    c = monitor_console("mb-exits", "-append", "spin=1", *off)
    try:
        want(c.command("info lapic"), "LVT0", "TPR")
        want(c.command("info registers"), "EIP=", "CPL=0")
        c.command("stop")
        c.command("cont")
        quit_console(c)
    finally:
        c.close()


def virtio_blk_run(tmp, legacy, *extra):
    return virtio_blk_guest(BASE + ["-kernel", VIRTIO_GUEST, "-append",
                                    "repeat=50 legacy=%d" % legacy] + list(extra),
                            tmp, legacy, timeout=TIMEOUT)


def test_virtio_blk():
    # The doorbell through an ioeventfd (the default: no exit to kemu) and through exits.
    if not VIRTIO_GUEST or not os.path.exists(VIRTIO_GUEST):
        print("skipped: mb-virtio-blk not built (gcc -m32?)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for legacy in (0, 1):
            for ioeventfd in ("on", "off"):
                out = virtio_blk_run(tmp, legacy,
                                     "-global", "virtio-blk-pci.ioeventfd=" + ioeventfd)
                m = re.search(r"reads=(\d+) tsc=([0-9a-f]+) kick_tsc=([0-9a-f]+)", out)
                n = int(m.group(1))
                print("virtio-blk %s ioeventfd=%s: %d TSC cycles per request, %d per doorbell"
                      % ("legacy" if legacy else "modern", ioeventfd,
                         int(m.group(2), 16) // n, int(m.group(3), 16) // n))
        virtio_blk_run(tmp, 0, "-machine", "kernel-irqchip=off")


def test_cpu_models():
    for model in ["host", "max", "qemu32", "kvm64", "base", "qemu64,+avx2,-sse2,x2apic=off"]:
        want(guest("mb-hello", "-cpu", model), "hello from multiboot")
    code, _, err = run(BASE + ["-cpu", "qemu64,+nosuchfeature", "-kernel", GUESTS["mb-hello"]])
    if code != 1 or "CPU feature nosuchfeature not found" not in err:
        fail("-cpu +nosuchfeature: %d %r" % (code, err))


def test_errors():
    env = dict(os.environ, KEMU_KVM_DEVICE="/nonexistent/kvm")
    kemu = os.environ["KEMU"]
    import subprocess
    p = subprocess.run([kemu, "-accel", "kvm", "-M", "pc", "-display", "none"],
                       capture_output=True, text=True, env=env, timeout=30)
    want(p.stderr, "Could not access KVM kernel module: No such file or directory",
         "failed to initialize kvm: No such file or directory")
    if p.returncode != 1:
        fail("no /dev/kvm: exit %d" % p.returncode)
    # With a fallback, a warning and the interpreter.
    p = subprocess.run([kemu, "-machine", "accel=kvm:tcg", "-M", "pc", "-display", "none",
                        "-monitor", "stdio", "-serial", "none", "-S"],
                       input="info status\nquit\n", capture_output=True, text=True, env=env,
                       timeout=30)
    want(p.stderr, "Could not access KVM kernel module", "falling back to tcg")
    if p.returncode != 0:
        fail("fallback: exit %d: %s" % (p.returncode, p.stderr))
    for value, msg in [("split", "kernel-irqchip=split is not supported (use on or off)"),
                       ("maybe", "Parameter 'kernel-irqchip' expects 'on', 'off' or 'split'")]:
        code, _, err = run(BASE + ["-machine", "kernel-irqchip=" + value,
                                   "-kernel", GUESTS["mb-hello"]])
        if code != 1 or msg not in err:
            fail("kernel-irqchip=%s: %d %r" % (value, code, err))


def main():
    dev = os.environ.get("KEMU_KVM_DEVICE", "/dev/kvm")     # kemu honours it too
    if not os.path.exists(dev):
        skip("%s does not exist" % dev)
    if not os.access(dev, os.R_OK | os.W_OK):
        skip("%s is not accessible (permissions)" % dev)
    missing = [n for n, p in GUESTS.items() if not p or not os.path.exists(p)]
    if missing:
        skip("guest images not built (nasm missing?): " + ", ".join(missing))
    tests = [test_hello, test_exits, test_ring3, test_timer, test_smp, test_vectors, test_task,
             test_reset,
             test_monitor_running, test_monitor_prelaunch, test_bad_guests,
             test_userspace_irqchip, test_virtio_blk, test_cpu_models, test_errors]
    for t in tests:
        t0 = time.monotonic()
        t()
        print("ok %s (%.1f s)" % (t.__name__, time.monotonic() - t0), flush=True)
    print("PASS: %d KVM tests" % len(tests))


if __name__ == "__main__":
    main()
