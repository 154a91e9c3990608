"""Malformed command lines: each gets one clear error line and exit 1,
never a crash (the test build runs under ASan/UBSan).  Help and version
requests print and exit 0."""
import glob
import os
import sys
import tempfile
from kemutest import run, fail

BAD = [
    (["-foo"], "kemu: -foo: invalid option"),
    (["--bogus"], "kemu: --bogus: invalid option"),
    (["-m", "12Q"], "kemu: -m 12Q: invalid size"),
    (["-m", "-5"], "kemu: -m -5: invalid size"),
    (["-m", ""], "kemu: -m : invalid size"),
    (["-m", "1G,typo=1"], "kemu: -m 1G,typo=1: Invalid parameter 'typo'"),
    (["-m", "2G,maxmem=1G"], "maxmem"),
    (["-m"], "kemu: -m: requires an argument"),
    (["-smp", "0"], "kemu: -smp 0: Invalid CPU topology"),
    (["-smp", "4,sockets=3,cores=1"], "product of the hierarchy must match maxcpus"),
    (["-smp", "8,maxcpus=4"], "maxcpus must be equal to or greater than smp"),
    (["-smp", "two"], "Parameter 'cpus' expects a number"),
    (["-smp", "2,bogus=1"], "Invalid parameter 'bogus'"),
    (["-M", "nosuch"], "kemu: unsupported machine type \"nosuch\""),
    (["-M", "none,nosuchprop=1"], "not found"),
    (["-M", "none", "-smp", "2"], "Invalid SMP CPUs 2. The max CPUs supported by machine 'none' is 1"),
    (["-cpu", "pentium9"], "kemu: -cpu pentium9: unable to find CPU model 'pentium9'"),
    (["-accel", "xen"], "kemu: -accel xen: invalid accelerator xen"),
    (["-accel", "tcg", "-machine", "accel=kvm"], "incompatible"),
    (["-machine", "accel=foo"], "invalid accelerator foo"),
    (["-uuid", "1234"], "kemu: -uuid 1234: Fail to parse UUID string. Wrong format."),
    (["-display", "gtk3000"], "kemu: -display gtk3000: Parameter 'type' does not accept value 'gtk3000'"),
    (["-d", "nonsense"], "kemu: -d nonsense: Invalid -d option \"nonsense\""),
    (["-D", "/nonexistent/dir/log"], "could not open log file"),
    (["-initrd", "x"], "-initrd only allowed with -kernel option"),
    (["-append", "x"], "-append only allowed with -kernel option"),
    (["-serial", "bogus:x"], "kemu: -serial bogus:x:"),
    (["-chardev", "nosuch,id=x"], "'nosuch' is not a valid char driver name"),
    (["-chardev", "null"], "Parameter 'id' is missing"),
    (["-chardev", "null,id=a", "-chardev", "null,id=a"], "Duplicate ID 'a' for chardev"),
    (["-device", "no-such-device"], "'no-such-device' is not a valid device model name"),
    (["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
     "No 'ISA' bus found for device 'isa-debug-exit'"),
    (["-device", "isa-serial,chardev=nosuch"], "No 'ISA' bus found for device 'isa-serial'"),
    (["-debugcon", "bogus:x"], "kemu: -debugcon bogus:x:"),
    (["-debugcon", "null"], "kemu: -debugcon null: No 'ISA' bus found for device 'isa-debugcon'"),
    (["-global", "garbage"], "kemu: -global garbage: Invalid format"),
    (["-rtc", "base=xyz"], "kemu: -rtc base=xyz: invalid datetime format"),
    (["-rtc", "base=2006-02-30"], "kemu: -rtc base=2006-02-30: invalid datetime format"),
    (["-rtc", "base=2006-06-17T25:00:00"], "invalid datetime format"),
    (["-rtc", "clock=foo"], "kemu: -rtc clock=foo: invalid option value 'foo'"),
    (["-rtc", "driftfix=bar"], "kemu: -rtc driftfix=bar: invalid option value 'bar'"),
    (["-rtc", "base=utc,bogus=1"], "kemu: -rtc base=utc,bogus=1: Invalid parameter 'bogus'"),
    (["-rtc", "utc"], "Invalid parameter 'utc'"),
    (["-name", "x,bogus=1"], "Invalid parameter 'bogus'"),
    (["-nographic", "-daemonize"], "-nographic cannot be used with -daemonize"),
    (["-mon", "chardev=nosuch"], "nosuch"),
    (["disk.img"], "disk.img"),
    # The pc machine's loaders and firmware.
    (["-M", "pc", "-display", "none", "-kernel", "/etc/passwd"],
     "kemu: /etc/passwd: not a bzImage, multiboot or ELF kernel"),
    (["-M", "pc", "-display", "none", "-kernel", "/bin/true"],
     "an ELF kernel without a multiboot header cannot be booted"),
    (["-M", "pc", "-display", "none", "-kernel", "/nonexistent/vmlinuz"],
     "could not open '/nonexistent/vmlinuz'"),
    (["-M", "pc", "-display", "none", "-bios", "/etc/passwd"], "could not load PC BIOS"),
    (["-M", "pc", "-display", "none", "-bios", "nosuch.bin"], "could not load PC BIOS 'nosuch.bin'"),
    (["-M", "pc", "-display", "none", "-m", "1M"], "the pc machine needs at least 2 MiB of RAM"),
    (["-M", "pc,hpet=maybe", "-display", "none"], "hpet"),
    (["-M", "pc", "-display", "none", "-smp", "300"], "Invalid SMP CPUs 300"),
]

HELP = [
    (["-h"], "usage: kemu"),
    (["-version"], "kemu emulator version"),
    (["-M", "help"], "Supported machines are:"),
    (["-machine", "?"], "none"),
    (["-cpu", "help"], "qemu64"),
    (["-accel", "help"], "tcg"),
    (["-d", "help"], "in_asm"),
    (["-display", "help"], "none"),
    (["-chardev", "help"], "socket"),
    (["-device", "help"], ""),
]


def kernel_cases(tmpdir):
    """Cases that need Debian's bzImage; skipped loudly without it."""
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        print("SKIP: kernel cases: no /boot/vmlinuz-* (install linux-image-amd64)")
        return []
    k = kernels[-1]
    big = os.path.join(tmpdir, "big-initrd")
    with open(big, "wb") as f:
        f.truncate(200 << 20)
    pc = ["-M", "pc", "-display", "none", "-kernel", k]
    return [
        (pc + ["-append", "x" * 5000], "kernel command line too long"),
        (pc + ["-m", "128M", "-initrd", big], "is too large"),
        (pc + ["-m", "32M"], "give the guest more memory with -m"),
    ]


def main():
    failures = 0
    tmp = tempfile.TemporaryDirectory()
    cases = BAD + kernel_cases(tmp.name)
    for args, want in cases:
        # Add a machine that could start, unless the case names one or ends in a bare option.
        names_machine = "-M" in args or "-machine" in args or args == ["-m"]
        code, out, err = run(args if names_machine else args + ["-M", "none", "-display", "none"])
        lines = [l for l in err.splitlines() if l.strip()]
        ok = code == 1 and want in err and "AddressSanitizer" not in err and "runtime error" not in err
        if not ok:
            failures += 1
            print("FAIL %s: exit %d, stderr %r (wanted %r)" % (" ".join(args), code, err, want))
        elif len(lines) > 2:
            failures += 1
            print("FAIL %s: more than a short error: %r" % (" ".join(args), err))
    for args, want in HELP:
        code, out, err = run(args)
        if code != 0 or want not in out:
            failures += 1
            print("FAIL %s: exit %d, stdout %r stderr %r" % (" ".join(args), code, out[:500], err))
    total = len(cases) + len(HELP)
    print("%d passed, %d failed" % (total - failures, failures))
    sys.exit(1 if failures else 0)


main()
