"""Floating point, x87, SSE string functions and CRC32C in Linux under the
interpreter (-accel tcg) against the host: tests/functional/fp-check.c,
built static, runs in Debian's kernel with the busybox initramfs once per
CPU model (-cpu max, and the default qemu64) and on the host; the outputs
must agree line by line, except x87 transcendental results within one unit
in the last place (see TRANSCENDENTAL), which are listed and counted.

glibc picks libm variants by CPUID (FMA and AVX2 versions of sin, exp...
may round differently from the SSE2 ones), so the host run masks, through
GLIBC_TUNABLES, the features fp-check's '# cpu' line says the guest lacks.
Lines starting with '#' describe the CPU and are not compared.

Also checks XSAVE: with -cpu max Linux enables xstate features 0x3 (x87,
SSE) with the standard format; with qemu64 it keeps FXSAVE.

Suite 'linux' (run-tests.sh runs it on the release build).  Skips without
a kernel, busybox or cpio, or with KEMU_TEST_LINUX=0."""
import base64
from fractions import Fraction
import gzip
import os
import re
import shutil
import subprocess
import tempfile
import time

from kemutest import diff_lines, fail
from test_linux import BOOT_TIMEOUT, MARKER, MAKE_INITRAMFS, Linux, linux_kernel_or_skip, skip

FP_CHECK = os.environ.get("FP_CHECK", "")
MODELS = [("max", ["-cpu", "max"]), ("default", [])]


def cpu_line(out):
    for line in out.splitlines():
        if line.startswith("# cpu "):
            return dict(kv.split("=") for kv in line[len("# cpu "):].split())
    fail("fp-check printed no '# cpu' line:\n" + out[:2000])


def host_run(guest_cpu):
    """fp-check on the host, its glibc limited to the guest's features."""
    probe = subprocess.run([FP_CHECK], capture_output=True, text=True)
    host_cpu = cpu_line(probe.stdout)
    off = [name for name, v in guest_cpu.items() if v == "0" and host_cpu.get(name) == "1"]
    extra = [name for name, v in guest_cpu.items() if v == "1" and host_cpu.get(name) == "0"]
    if extra:
        print("note: the guest has %s, the host does not" % ",".join(extra), flush=True)
    env = dict(os.environ)
    if off:
        env["GLIBC_TUNABLES"] = "glibc.cpu.hwcaps=" + ",".join("-" + n for n in off)
    r = subprocess.run([FP_CHECK], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        fail("fp-check on the host: exit %d: %s" % (r.returncode, r.stderr))
    return r.stdout, env.get("GLIBC_TUNABLES", "")


def compared(out):
    return "\n".join(line for line in out.splitlines() if not line.startswith("#"))


# The x87 transcendental instructions, and the long double functions glibc
# builds on them, may differ from this host's x87 in the last bit of the
# 64-bit significand (and so in C1, the rounded-up flag): the interpreter
# rounds them correctly, the hardware does not, and how it computes them is
# not published.  Such a pair is printed and counted, never hidden; any
# other difference fails.
TRANSCENDENTAL = re.compile(r"^(x87 (fsin|fcos|fsincos|fptan|fpatan|f2xm1|fyl2x|fyl2xp1)|"
                            r"(sinl|cosl|tanl|expl|exp2l|expm1l|logl|log2l|log1pl|atanl|"
                            r"atan2l|powl))\(")
RESULT = re.compile(r"^(.*) = (-?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([-+]\d+)(?: cc=([0-9a-f]+))?$")


def hex_value(sign, whole, frac, exp):
    """A %La result, exactly."""
    frac = frac or ""
    v = Fraction(int(whole + frac, 16)) * Fraction(2) ** (int(exp) - 4 * len(frac))
    return -v if sign else v


def ulp64(v):
    """One unit in the last place of v as a 64-bit significand (denormals: 2^-16445)."""
    if v == 0:
        return Fraction(2) ** -16445
    msb = v.numerator.bit_length() - v.denominator.bit_length()
    if Fraction(2) ** msb > v:
        msb -= 1
    return Fraction(2) ** max(msb - 63, -16445)


def last_bit_only(a, b):
    """True if lines a and b are one transcendental result that differs by at
    most one unit in the last place of a 64-bit significand, or only in C1."""
    if not TRANSCENDENTAL.match(a):
        return False
    ma, mb = RESULT.match(a), RESULT.match(b)
    if not ma or not mb or ma.group(1) != mb.group(1):
        return False
    va, vb = hex_value(*ma.group(2, 3, 4, 5)), hex_value(*mb.group(2, 3, 4, 5))
    cc_a, cc_b = int(ma.group(6) or "0", 16), int(mb.group(6) or "0", 16)
    return abs(va - vb) <= ulp64(max(abs(va), abs(vb))) and ((cc_a ^ cc_b) & ~2) == 0


def split_known(host, guest):
    """The host and guest outputs without the known last-bit pairs, and those pairs."""
    h, g = host.splitlines(), guest.splitlines()
    known = [(a, b) for a, b in zip(h, g) if a != b and last_bit_only(a, b)]
    skip = set(known)
    keep_h = [a for a, b in zip(h, g) if (a, b) not in skip] + h[len(g):]
    keep_g = [b for a, b in zip(h, g) if (a, b) not in skip] + g[len(h):]
    return "\n".join(keep_h), "\n".join(keep_g), known


def check_xsave(vm, model):
    dmesg = vm.shell("dmesg | grep -i -e xsave -e xstate -e 'x86/fpu'", timeout=120)
    flags = re.search(r"flags\s*: (.*)", vm.shell("cat /proc/cpuinfo"))
    flags = flags.group(1).split() if flags else []
    print("%s: %s" % (model, dmesg.replace("\n", " | ")), flush=True)
    if model == "max":
        if "Enabled xstate features 0x3" not in dmesg or "'standard' format" not in dmesg:
            fail("-cpu max: Linux did not enable XSAVE for x87/SSE:\n" + dmesg)
        for f in ("xsave", "xsaveopt"):
            if f not in flags:
                fail("-cpu max: /proc/cpuinfo lacks %s: %s" % (f, " ".join(flags)))
    else:
        if "xsave" in flags or "xstate" in dmesg:
            fail("-cpu qemu64 has no XSAVE, yet:\n%s\n%s" % (dmesg, " ".join(flags)))


def run_model(tmp, kernel, initrd, model, args):
    t0 = time.monotonic()
    vm = Linux(tmp, kernel, initrd, extra=["-accel", "tcg"] + args)
    try:
        vm.expect(MARKER, BOOT_TIMEOUT)
        boot = time.monotonic() - t0
        vm.shell("dmesg -n 1")      # kernel messages off the console
        check_xsave(vm, model)
        t1 = time.monotonic()
        rc = vm.shell("/bin/fp-check > /tmp/fp.out; echo rc=$?", timeout=600)
        run = time.monotonic() - t1
        if rc.strip() != "rc=0":
            fail("%s: fp-check in the guest: %r" % (model, rc))
        b64 = vm.shell("gzip -9 < /tmp/fp.out | base64", timeout=600)
        total = time.monotonic() - t0
    finally:
        vm.close()
    try:
        guest = gzip.decompress(base64.b64decode("".join(b64.split()))).decode()
    except (ValueError, OSError) as e:
        fail("%s: cannot decode the guest's output: %s" % (model, e))
    print("%s: boot %.1f s, fp-check %.1f s, total %.1f s, %d lines"
          % (model, boot, run, total, guest.count("\n")), flush=True)
    return guest


def main():
    kernel = linux_kernel_or_skip()
    if not FP_CHECK or not os.access(FP_CHECK, os.X_OK):
        fail("FP_CHECK (%r) is not an executable" % FP_CHECK)
    tmp = tempfile.mkdtemp(prefix="kemu-fp-")
    failures = []
    try:
        initrd = os.path.join(tmp, "initramfs.cpio.gz")
        r = subprocess.run([MAKE_INITRAMFS, initrd, "--add=%s:/bin/fp-check" % FP_CHECK],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("make-initramfs.sh: %s" % r.stderr)
        for model, args in MODELS:
            guest = run_model(tmp, kernel, initrd, model, args)
            cpu = cpu_line(guest)
            host, tunables = host_run(cpu)
            print("%s: guest %s" % (model, " ".join("%s=%s" % kv for kv in cpu.items())))
            print("%s: host GLIBC_TUNABLES=%s" % (model, tunables or "(none)"), flush=True)
            for line in guest.splitlines():
                if line.startswith("#"):
                    print("%s: guest %s" % (model, line))
            host_cmp, guest_cmp, known = split_known(compared(host), compared(guest))
            print("%s: x87 transcendental last-bit differences: %d of %d lines"
                  % (model, len(known), guest_cmp.count("\n") + 1 + len(known)), flush=True)
            for a, b in known:
                print("  host  %s\n  guest %s" % (a, b))
            report = diff_lines(host_cmp, guest_cmp)
            if report:
                failures.append("-cpu %s: guest output differs from the host's "
                                "(- host, + guest):\n%s" % (model, report))
                print(failures[-1], flush=True)
            else:
                print("%s: %d lines agree" % (model, compared(guest).count("\n") + 1), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        fail("\n".join(failures))
    print("PASS")


if __name__ == "__main__":
    main()
