"""-accel tcg (the interpreter) with the small guests of tests/guest/: serial
output, PIO and MMIO, ring 3, timer interrupts through the 8259 and the
local APIC, SMP bring-up with INIT/SIPI, resets, the a.out layout, a
virtio-blk driver; and info lapic in the monitor.

Skips (exit 77, "SKIP: ..." on stdout) where the guests were not built (no nasm)."""
import os
import sys
import tempfile
import time
from kemutest import Console, fail, run, virtio_blk_guest

GUESTS = {name: os.environ.get("KEMU_GUEST_" + name.upper().replace("-", "_"))
          for name in ["mb-hello", "mb-exits", "mb-ring3", "mb-timer", "mb-smp", "mb-reset",
                       "mb-aout", "mb-vectors", "mb-task"]}
BASE = ["-accel", "tcg", "-M", "pc", "-display", "none", "-nographic", "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
VIRTIO_GUEST = os.environ.get("KEMU_GUEST_MB_VIRTIO_BLK")     # built with gcc -m32
EXIT_PASS = 33          # isa-debug-exit: (0x10 << 1) | 1
TIMEOUT = 120           # the interpreter under ASan is slow


def skip(reason):
    print("SKIP: " + reason, flush=True)
    sys.exit(77)


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
    want(guest("mb-hello", "-append", "from tcg"), "hello from multiboot:", "from tcg")


def test_exits():
    want(guest("mb-exits"), "fw_cfg signature QEMU", "HPET GCAP_ID 8086", "IOAPIC version",
         "PASS pio-mmio")


def test_ring3():
    # The guest enters ring 3 with SYSEXIT from long mode: Intel models only.
    want(guest("mb-ring3", "-cpu", "kvm64", "-append", "n=100000"), "n=100000", "PASS ring3")
    # On AMD ones (qemu64, the default) it is #UD, as on the hardware.
    want(guest("mb-ring3", "-append", "n=100000", expect_code=35), "exception 00000006")


def test_timer():
    want(guest("mb-timer"), "PIT ticks=10", "LAPIC id=0", "LAPIC timer ticks=10", "PASS timer")


def test_smp():
    want(guest("mb-smp", "-smp", "4"), "CPUs: 4", "APs started: 3", "PASS smp")
    want(guest("mb-smp", "-smp", "2"), "CPUs: 2", "APs started: 1", "PASS smp")


def test_reset():
    args = [a for a in BASE if a != "-no-reboot"]
    for mode, first in [("triple=0", "reset through 0xcf9"), ("triple=1", "triple fault")]:
        code, out, err = run(args + ["-kernel", GUESTS["mb-reset"], "-append", mode],
                             timeout=TIMEOUT)
        if code != EXIT_PASS:
            fail("reset %s: exit %d\n%s\n%s" % (mode, code, out, err))
        want(out, "first boot, " + first, "second boot", "PASS reset")


def test_vectors():
    # Every exception vector: error code, saved CS:EIP, CR2 (tests/guest/mb-vectors.asm).
    out = guest("mb-vectors")
    want(out, "vector 00 de-div0 err=none eip=insn", "vector 03 bp-int3 err=none eip=next",
         "vector 04 of-into err=none eip=next", "vector 05 br-bound err=none eip=insn",
         "vector 11 np-mov-ds err=00000030", "vector 14 pf-fetch-nx err=00000011",
         "vector 14 pf-user-write-read-only err=00000007 eip=insn cs=001b cr2=00601044",
         "vector 17 ac-user-load err=00000000 eip=insn cs=001b", "dr6.bs=00004000",
         "vector 02 nmi-self-ipi", "vector 08 df-de-then-np err=00000000",
         "vector 19 xm-divss-zero err=none eip=insn", "PASS vectors")
    if "skipped" in out:
        fail("cases skipped under tcg: %r" % out)


def test_task():
    # Hardware task switches (tests/guest/mb-task.asm): the guest prints what it saw.
    out = guest("mb-task")
    # The 16-bit task's saved AX..DI, ES, CS, SS, DS.
    sum16 = sum([0x1234, 0x2345, 0x3456, 0x4567, 0x0ff0, 0x5678, 0x6789, 0x789a,
                 0x10, 0x60, 0x10, 0x10])
    want(out, "ltr tr=0018 type=000b\n",
         " tr=0020 main-type=0009 a-type=000b a-eflags=00000002 cr0.ts=00000008 a-link=0000\n",
         "jmp-back eax=10203040 eip=next main-eflags=00000097 ",
         "main-type=000b a-type=0009\n",
         "saved-a a1a1a1a1 a2a2a2a2 a3a3a3a3 a4a4a4a4 ",
         " a6a6a6a6 a7a7a7a7 a8a8a8a8 es=0010 cs=0008 ss=0010 ds=0010 fs=0010 gs=0010\n",
         "call-gate b-eflags=00004002 b-link=0018 tr=0028 main-type=000b b-type=000b\n",
         "iret-back nt=00000000 tr=0018 b-type=0009 b-saved-eflags=00000002 eip=next\n",
         "call-again b-runs=00000002\n",
         "jmp-busy vector=0000000d err=00000018 ",
         "call-gate-busy vector=0000000d err=00000018 ",
         "jmp-rpl3 vector=0000000d err=00000020 ",
         "jmp-small-limit vector=0000000a err=00000040 eip=",
         " type=0009 main-type=000b\n",
         "tss16 ax-in=1616 si-in=5151 ds=0010 tr=0048 cr0.ts=00000008 eax=dead0000 ip=0038 "
         "flags=0002 sum=%08x bx=4567 bp=5678 cs=0060 type=0001\n" % sum16,
         "debug-trap vector=00000001 err=ffffffff eip=", " dr6.bt=00008000\n",
         "gp-task-gate err=000001f8 esp=top nt=00004000 tr=0030 link=caller eip=insn "
         "old-eflags=00010046 main-type=000b\n",
         "df-task-gate err=00000000 esp=top nt=00004000 tr=0038 link=caller eip=insn "
         "old-eflags=00010046 main-type=000b\n",
         "PASS task")
    if "skipped" in out or "MISMATCH" in out:
        fail("mb-task under tcg: %r" % out)


def test_aout():
    guest("mb-aout", expect_code=(0x2a << 1) | 1)


def test_virtio_blk():
    # A driver polling virtio-blk's used ring: the modern interface, then the legacy one.
    if not VIRTIO_GUEST or not os.path.exists(VIRTIO_GUEST):
        print("skipped: mb-virtio-blk not built (gcc -m32?)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for legacy in (0, 1):
            # ioeventfd=off changes nothing here: the interpreter takes no eventfds.
            virtio_blk_guest(BASE + ["-kernel", VIRTIO_GUEST, "-append", "legacy=%d" % legacy,
                                     "-global", "virtio-blk-pci.ioeventfd=" +
                                     ("off" if legacy else "on")], tmp, legacy, timeout=TIMEOUT)


def test_info_lapic():
    args = ["-accel", "tcg", "-M", "pc", "-display", "none", "-serial", "none",
            "-monitor", "stdio", "-smp", "2", "-S", "-kernel", GUESTS["mb-hello"]]
    c = Console(args)
    try:
        c.expect("(kemu) ")
        out = c.command("info lapic")
        want(out, "dumping local APIC state for CPU 0", "LVT0\t 0x00000700",
             "SPIV\t 0x000000ff APIC disabled")
        want(c.command("info lapic 1"), "dumping local APIC state for CPU 1")
        want(c.command("info lapic 7"), "No CPU with APIC ID 7")
        c.send("quit\r")
        if c.wait(timeout=10) != 0:
            fail("quit failed")
    finally:
        c.close()


def main():
    missing = [n for n, p in GUESTS.items() if not p or not os.path.exists(p)]
    if missing:
        skip("guest images not built (nasm missing?): " + ", ".join(missing))
    tests = [test_hello, test_exits, test_ring3, test_timer, test_smp, test_reset, test_vectors,
             test_task, test_aout,
             test_virtio_blk, test_info_lapic]
    for t in tests:
        t0 = time.monotonic()
        t()
        print("ok %s (%.1f s)" % (t.__name__, time.monotonic() - t0), flush=True)
    print("PASS: %d tcg guest tests" % len(tests))


if __name__ == "__main__":
    main()
