"""The monitor's memory commands on a real guest: x and xp (formats, sizes,
remembered defaults, disassembly with capstone), info tlb and info mem, and
bad input, under -accel tcg and, where /dev/kvm can be used, -accel kvm.

The guest is tests/guest/mb-ring3: stopped at its entry (-S) paging is off;
running, it turns on long-mode paging with a 4 GiB identity map of 2 MiB user
pages.  Expected bytes come from the guest's ELF file itself.

Skips (exit 77, "SKIP: ..." on stdout) where the guests were not built."""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from kemutest import Console, fail, run

GUEST = os.environ.get("KEMU_GUEST_MB_RING3")
TIMEOUT = 60


def skip(reason):
    print("SKIP: " + reason, flush=True)
    sys.exit(77)


def want(out, *texts):
    for t in texts:
        if t not in out:
            fail("expected %r in %r" % (t, out))


class Elf32:
    """The entry point and the loaded bytes of a 32-bit ELF, by physical address."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        if self.data[:4] != b"\x7fELF" or self.data[4] != 1:
            fail("%s: not a 32-bit ELF" % path)
        self.entry, phoff = struct.unpack_from("<II", self.data, 24)
        phentsize, phnum = struct.unpack_from("<HH", self.data, 42)
        self.segments = []
        for i in range(phnum):
            p_type, off, _vaddr, paddr, filesz = struct.unpack_from(
                "<IIIII", self.data, phoff + i * phentsize)
            if p_type == 1:
                self.segments.append((paddr, off, filesz))

    def read(self, paddr, n):
        for base, off, size in self.segments:
            if base <= paddr and paddr + n <= base + size:
                return self.data[off + paddr - base: off + paddr - base + n]
        fail("0x%x is not in the ELF's loaded bytes" % paddr)


def dump_line(addr, words):
    """QEMU's layout of one /xw line."""
    return "%016x: %s" % (addr, " ".join("0x%08x" % w for w in words))


def objdump_insns(path, start, count):
    """[(bytes hex, mnemonic)] from binutils, or None without objdump."""
    objdump = shutil.which("objdump")
    if not objdump:
        return None
    out = subprocess.run([objdump, "-d", "-M", "att", "--start-address=0x%x" % start,
                          "--stop-address=0x%x" % (start + 64), path],
                         capture_output=True, text=True).stdout
    insns = []
    for line in out.splitlines():
        m = re.match(r"\s*[0-9a-f]+:\t([0-9a-f ]+)\t(\S+)", line)
        if m:
            insns.append((m.group(1).strip(), m.group(2)))
    return insns[:count]


def start(accel, *extra):
    # -cpu max: the guest enters ring 3 with SYSEXIT, which AMD models lack in long mode.
    c = Console(["-accel", accel, "-cpu", "max", "-M", "pc", "-m", "256M", "-display", "none",
                 "-serial", "none", "-monitor", "stdio", "-kernel", GUEST] + list(extra))
    c.expect("(kemu) ", timeout=TIMEOUT)
    return c


def check_paging_off(c, elf):
    """At the entry point (-S): 32-bit protected mode, no paging."""
    want(c.command("info tlb"), "PG disabled")
    want(c.command("info mem"), "PG disabled")

    # The multiboot header at the start of the image (Multiboot 0.6.96, 3.1.1).
    hdr = 0x200000
    words = struct.unpack("<4I", elf.read(hdr, 16))
    if words[0] != 0x1BADB002:
        fail("the ELF has no multiboot magic at 0x%x" % hdr)
    want(c.command("xp /4xw 0x%x" % hdr), dump_line(hdr, words))
    # Paging off: virtual is physical.
    want(c.command("x /4xw 0x%x" % hdr), dump_line(hdr, words))
    want(c.command("x/4xw 0x%x" % hdr), dump_line(hdr, words))     # QEMU's spelling too
    # Defaults come from the last use: format x, size w, then b, then d with b.
    want(c.command("xp 0x%x" % hdr), dump_line(hdr, words[:1]))
    want(c.command("xp /2b 0x%x" % hdr), "%016x: 0x02 0xb0" % hdr)
    checksum = elf.read(hdr + 8, 2)
    out = c.command("xp /2d 0x%x" % (hdr + 8))
    want(out, "%016x: %3d %3d" % ((hdr + 8,) + struct.unpack("<2b", checksum)))
    want(c.command("xp /2xg 0x%x" % hdr),
         "%016x: 0x%016x 0x%016x" % ((hdr,) + struct.unpack("<2Q", elf.read(hdr, 16))))
    want(c.command("xp /2uh 0x%x" % hdr), "%016x: %5d %5d" % ((hdr,) + struct.unpack(
        "<2H", elf.read(hdr, 4))))
    want(c.command("xp /o 0x%x" % hdr), "%016x: 0%o" % (hdr, words[0] & 0xffff))
    # Bytes as characters, escaped as QEMU does.
    chars = elf.read(hdr, 4)
    out = c.command("xp /4c 0x%x" % hdr)
    if not out.startswith("%016x:" % hdr) or out.count("'") != 8:
        fail("xp /4c: %r (bytes %r)" % (out, chars))
    # 16 bytes a line for words, 8 for bytes.
    if len(c.command("xp /8xw 0x%x" % hdr).strip().splitlines()) != 2:
        fail("xp /8xw is not two lines")
    if len(c.command("xp /9xb 0x%x" % hdr).strip().splitlines()) != 2:
        fail("xp /9xb is not two lines")

    # The first instructions at the entry, against the ELF's bytes and binutils.
    regs = c.command("info registers")
    m = re.search(r"EIP=([0-9a-f]{8})", regs)
    if not m or int(m.group(1), 16) != elf.entry:
        fail("not stopped at the entry 0x%x: %r" % (elf.entry, regs[:200]))
    out = c.command("x /3i $pc")
    lines = out.strip().splitlines()
    if len(lines) != 3:
        fail("x /3i: %r" % out)
    addr = elf.entry
    ref = objdump_insns(GUEST, elf.entry, 3)
    for i, line in enumerate(lines):
        m = re.match(r"0x([0-9a-f]{8}):  ((?:[0-9a-f]{2} )+)\s*(\S+)", line)
        if not m or int(m.group(1), 16) != addr:
            fail("x /3i line %d: %r" % (i, line))
        code = bytes.fromhex(m.group(2))
        if code != elf.read(addr, len(code)):
            fail("x /3i bytes at 0x%x: %r" % (addr, line))
        if ref and (ref[i][0].replace(" ", "") != code.hex() or
                    not m.group(3).startswith(ref[i][1])):
            fail("x /3i differs from objdump: %r vs %r" % (line, ref[i]))
        addr += len(code)
    want(out, "%esp", "%esi", "$0x2badb002, %eax")
    # The same code through xp, and as 16-bit code with /ih.
    want(c.command("xp /1i 0x%x" % elf.entry), lines[0])
    if c.command("x /1ih 0x%x" % elf.entry).strip() == lines[0]:
        fail("x /ih decoded 32-bit code the same as 32-bit")

    # Nothing there: unassigned physical memory.
    want(c.command("xp /4xw 0xfffffff000000"), "000fffffff000000: Cannot access memory")


def check_bad_input(c):
    out = c.command("x /9z 0")
    want(out, "invalid char in format: 'z'")
    want(c.command("x"), "Parameter 'addr' is missing")
    want(c.command("x /4xw"), "Parameter 'addr' is missing")
    want(c.command("xp /100000000xw 0"), "too large")
    want(c.command("x /99999999999999999999xw 0"), "format count too large")
    want(c.command("x /100000i 0"), "too large")
    want(c.command("x /x $nosuch"), "unknown register '$nosuch'")
    want(c.command("x /x 0x10 * 2"), "invalid character '*' in address")
    want(c.command("xp 12abc"), "invalid number '12abc'")
    # After the errors the monitor still answers.
    want(c.command("info status"), "VM status")


def wait_paging(c):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if "PG disabled" not in c.command("info mem"):
            return
        time.sleep(0.2)
    fail("the guest did not turn paging on")


def check_paging_on(c):
    """Long mode, the 4 GiB identity map of paging.inc: 2048 user pages of 2 MiB."""
    out = c.command("info mem")
    want(out, "0000000000000000-0000000100000000 0000000100000000 urw")
    if len(out.strip().splitlines()) != 1:
        fail("info mem: %r" % out)
    out = c.command("info tlb", timeout=TIMEOUT)
    lines = out.strip().splitlines()
    if len(lines) != 2048:
        fail("info tlb: %d lines: %r" % (len(lines), lines[:4]))
    for i in (0, 1, 2047):
        a = i << 21
        if not re.fullmatch(r"%016x: %016x --P[-D][-A]--UW" % (a, a), lines[i]):
            fail("info tlb line %d: %r" % (i, lines[i]))
    # Through the page tables: the same bytes as physical.
    phys = c.command("xp /4xw 0x200000")
    want(c.command("x /4xw 0x200000"), phys.strip())
    # Beyond the map, non-canonical, and a read that runs off the end of the map.
    want(c.command("x /2xg 0x100000000"), "0000000100000000: Cannot access memory")
    want(c.command("x /xg 0x800000000000"), "0000800000000000: Cannot access memory")
    out = c.command("x /8xw 0xfffffff0")
    want(out, "00000000fffffff0:", "0000000100000000: Cannot access memory")
    # Where the CPU is: three instructions from $pc, in the CPU's mode (64-bit in
    # the guest's ring-3 loop: 16 digits of address).
    regs = c.command("info registers")
    rip = int(re.search(r"RIP=([0-9a-f]{16})", regs).group(1), 16)
    digits = 16 if re.search(r"^CS =.* CS64", regs, re.M) else 8
    out = c.command("x /3i $pc")
    lines = out.strip().splitlines()
    if len(lines) != 3 or "Cannot access" in out or "(bad)" in out:
        fail("x /3i $pc: %r" % out)
    if not lines[0].startswith("0x%0*x:  " % (digits, rip)):
        fail("x /3i $pc does not start at RIP %x (%d digits): %r" % (rip, digits, out))
    # 64-bit code (/ig) running into the end of the map stops there.
    out = c.command("x /20ig 0xfffffffe")
    want(out, "0x0000000100000000: Cannot access memory")


def run_accel(accel):
    elf = Elf32(GUEST)
    # The guest's loop runs for long: paging stays on while the monitor looks.
    c = start(accel, "-S", "-append", "n=4000000000")
    try:
        check_paging_off(c, elf)
        check_bad_input(c)
        c.command("cont")
        wait_paging(c)
        c.command("stop")
        check_paging_on(c)
        c.send("quit\r")
        if c.wait(timeout=TIMEOUT) != 0:
            fail("quit failed")
    finally:
        c.close()


def check_in_asm(elf):
    """-d in_asm: each new block's instructions, disassembled like x /i."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "in_asm.log")
        code, out, err = run(["-accel", "tcg", "-cpu", "max", "-M", "pc", "-display", "none",
                              "-nographic", "-no-reboot", "-device",
                              "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", GUEST,
                              "-append", "n=1000", "-d", "in_asm", "-D", log], timeout=TIMEOUT)
        if code != 33:
            fail("in_asm run: exit %d\n%s\n%s" % (code, out, err))
        with open(log) as f:
            text = f.read()
    first = elf.read(elf.entry, 5)
    want(text, "IN: 0010:%016x phys 0x%x 32-bit" % (elf.entry, elf.entry),
         "  0x%016x:  %s " % (elf.entry, " ".join("%02x" % b for b in first)),
         "cmpl $0x2badb002, %eax", " 64-bit\n", "sysexit", "ud2")
    if "(bad)" in text:
        fail("in_asm: an instruction capstone cannot decode: %r" % text[:2000])


def kvm_usable():
    dev = os.environ.get("KEMU_KVM_DEVICE", "/dev/kvm")
    if not os.path.exists(dev):
        return "%s does not exist" % dev
    if not os.access(dev, os.R_OK | os.W_OK):
        return "%s is not accessible (permissions)" % dev
    return None


def main():
    if not GUEST or not os.path.exists(GUEST):
        skip("guest image mb-ring3 not built (nasm missing?)")
    t0 = time.monotonic()
    run_accel("tcg")
    check_in_asm(Elf32(GUEST))
    print("ok tcg (%.1f s)" % (time.monotonic() - t0), flush=True)
    why = kvm_usable()
    if why:
        print("SKIPPED the kvm part: %s" % why, flush=True)
        print("PASS: tcg only")
        return
    t0 = time.monotonic()
    run_accel("kvm")
    print("ok kvm (%.1f s)" % (time.monotonic() - t0), flush=True)
    print("PASS: tcg and kvm")


if __name__ == "__main__":
    main()
