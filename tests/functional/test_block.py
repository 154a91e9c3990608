"""Drives: -drive/-hda/-cdrom/-snapshot and their errors (QEMU's messages),
format probing's raw warning, and the monitor's info block, commit, change
and eject.  Images are made with kemu-img and written with kemu-io.  Also the
kemu-img options added with them (convert -B/-l, commit -b, measure -l,
create -u), compared with qemu-img's output when it is installed."""
import os
import shutil
import subprocess
import sys
import tempfile
from kemutest import KEMU, Console, fail, run

TOOLS = os.path.join(os.path.dirname(os.path.abspath(KEMU)), "tools")
KEMU_IMG = os.environ.get("KEMU_IMG", os.path.join(TOOLS, "kemu-img"))
KEMU_IO = os.environ.get("KEMU_IO", os.path.join(TOOLS, "kemu-io"))
BASE = ["-M", "none", "-nodefaults", "-display", "none", "-S"]


def tool(*args):
    p = subprocess.run(list(args), capture_output=True, timeout=60)
    if p.returncode != 0:
        fail("%s: exit %d: %s%s" % (" ".join(args), p.returncode, p.stdout.decode(),
                                     p.stderr.decode()))
    return p.stdout.decode()


def io_ok(path, fmt, *cmds):
    args = [KEMU_IO, "-f", fmt]
    for c in cmds:
        args += ["-c", c]
    return tool(*args, path)


def io_fails(path, fmt, cmd):
    p = subprocess.run([KEMU_IO, "-f", fmt, "-c", cmd, path], capture_output=True, timeout=60)
    return p.returncode != 0


def monitor(args):
    c = Console(BASE + ["-monitor", "stdio"] + args)
    c.expect("(kemu) ")
    return c


def quit(c):
    c.send("quit\r")
    code = c.wait()
    err = c.proc.stderr.read().decode()
    c.close()
    if code != 0:
        fail("quit exited %d: %s" % (code, err))
    return err


def expect_lines(out, want, what):
    got = [l for l in out.split("\n") if l.strip()]
    if got != want:
        fail("%s:\n got  %r\n want %r" % (what, got, want))


def test_bad_options(d):
    raw = os.path.join(d, "r.img")
    cases = [
        (["-drive", "file=nofile"],
         "kemu: -drive file=nofile: Could not open 'nofile': No such file or directory"),
        (["-hdb", "nofile"], "kemu: -hdb nofile: Could not open 'nofile': No such file or directory"),
        (["-drive", "file=%s,format=foo" % raw], "Unknown driver 'foo'"),
        (["-drive", "file=%s,format=raw,if=scsi" % raw], "unsupported bus type 'scsi'"),
        (["-drive", "if=none,media=tape"], "'tape' invalid media"),
        (["-drive", "if=none,cache=fast"], "invalid cache option"),
        (["-drive", "if=none,aio=native"], "aio=native was specified, but it requires "
         "cache.direct=on, which was not specified."),
        (["-drive", "file=%s,format=raw,foo=bar" % raw],
         "Block format 'raw' does not support the option 'foo'"),
        (["-drive", "index=0,unit=0"], "index cannot be used with bus and unit"),
        (["-drive", "unit=2"], "unit 2 too big (max is 1)"),
        (["-drive", "if=none,snapshot=maybe"], "Parameter 'snapshot' expects 'on' or 'off'"),
        (["-drive", "if=none,id=a", "-drive", "if=none,id=a"], "Duplicate ID 'a' for drive"),
        (["-drive", "file=%s,format=raw" % raw, "-drive", "if=ide,index=0,media=cdrom"],
         "kemu: -drive if=ide,index=0,media=cdrom: drive with bus=0, unit=0 (index=0) exists"),
        (["-hda", raw, "-drive", "file=%s,format=raw,index=0" % raw],
         "drive with bus=0, unit=0 (index=0) exists"),
    ]
    for args, msg in cases:
        code, out, err = run(BASE + args)
        if code != 1 or msg not in err:
            fail("%s: exit %d, stderr %r; want %r" % (args, code, err, msg))
    code, out, err = run(["-drive", "format=help"])
    if code != 0 or "Supported formats: qcow2 raw" not in out:
        fail("format=help: %d %r" % (code, out))


def test_info_block(d):
    raw = os.path.join(d, "r.img")
    ovl = os.path.join(d, "o.qcow2")
    tool(KEMU_IMG, "create", "-q", "-f", "qcow2", "-b", "r.img", "-F", "raw", ovl)
    c = monitor(["-drive", "file=%s,format=qcow2" % ovl,
                 "-drive", "if=ide,index=2,media=cdrom",
                 "-drive", "file=%s,format=raw,if=none,id=nn,cache=none,readonly=on" % raw,
                 "-drive", "file=%s,if=virtio,cache=unsafe,readonly=on" % raw])
    out = c.command("info block")
    expect_lines(out, [
        "ide0-hd0 (#block102): %s (qcow2)" % ovl,
        "    Removable device: not locked, tray closed",
        "    Cache mode:       writeback",
        "    Backing file:     %s (chain depth: 1)" % raw,
        "ide1-cd0: [not inserted]",
        "    Removable device: not locked, tray closed",
        "nn (#block104): %s (raw, read-only)" % raw,
        "    Removable device: not locked, tray closed",
        "    Cache mode:       writeback, direct",
        "virtio0 (#block106): %s (raw, read-only)" % raw,
        "    Removable device: not locked, tray closed",
        "    Cache mode:       writeback, ignore flushes",
    ], "info block")
    expect_lines(c.command("info block ide1-cd0"), [
        "ide1-cd0: [not inserted]",
        "    Removable device: not locked, tray closed"], "info block ide1-cd0")
    err = quit(c)
    # No board device took them: QEMU's orphan warning, with the option that made each.
    want = ("kemu: -drive if=ide,index=2,media=cdrom: warning: Orphaned drive without device: "
            "id=ide1-cd0,file=,if=ide,bus=1,unit=0")
    if want not in err or "id=virtio0" not in err or "id=nn" in err:
        fail("orphan warnings: %r" % err)
    # Probing: a raw image opened read-write without format= gets QEMU's warning.
    c = monitor(["-hda", raw])
    err = quit(c)
    if ("WARNING: Image format was not specified for '%s' and probing guessed raw." % raw
            not in err):
        fail("no probe warning: %r" % err)


def test_commit(d):
    base = os.path.join(d, "base.img")
    top = os.path.join(d, "top.qcow2")
    with open(base, "wb") as f:
        f.truncate(1 << 20)
    io_ok(base, "raw", "write -P 0x11 0 1M")
    tool(KEMU_IMG, "create", "-q", "-f", "qcow2", "-b", base, "-F", "raw", top)
    io_ok(top, "qcow2", "write -P 0x22 64k 64k")
    c = monitor(["-drive", "file=%s,format=qcow2,if=virtio" % top,
                 "-drive", "file=%s,format=raw,if=none,id=plain,readonly=on" % base])
    out = c.command("commit nosuch")
    expect_lines(out, ["Device 'nosuch' not found"], "commit nosuch")
    out = c.command("commit plain")
    expect_lines(out, ["'commit' error for 'plain': Operation not supported"], "commit plain")
    out = c.command("commit virtio0")
    expect_lines(out, [], "commit virtio0")
    out = c.command("commit all")
    expect_lines(out, [], "commit all")
    quit(c)
    io_ok(base, "raw", "read -P 0x22 64k 64k", "read -P 0x11 0 64k", "read -P 0x11 128k 896k")
    # The top image was emptied: its map shows nothing allocated.
    out = tool(KEMU_IMG, "map", "--output=json", top)
    if '"depth": 0' in out:
        fail("top not emptied after commit: %s" % out)


def test_snapshot(d):
    base = os.path.join(d, "snap.img")
    with open(base, "wb") as f:
        f.truncate(1 << 20)
    tmp = os.path.join(d, "tmp")
    os.mkdir(tmp)
    env = dict(os.environ, TMPDIR=tmp)
    c = Console(BASE + ["-monitor", "stdio", "-snapshot", "-drive",
                        "file=%s,format=raw" % base, "-drive",
                        "file=%s,format=raw,if=none,id=ro,readonly=on" % base], env=env)
    c.expect("(kemu) ")
    out = c.command("info block")
    lines = [l for l in out.split("\n") if l.strip()]
    overlays = os.listdir(tmp)
    if len(overlays) != 1:
        fail("-snapshot overlays: %r" % overlays)
    ovl = os.path.join(tmp, overlays[0])
    want = ["ide0-hd0 (#block102): %s (qcow2)" % ovl,
            "    Removable device: not locked, tray closed",
            "    Cache mode:       writeback, ignore flushes",
            "    Backing file:     %s (chain depth: 1)" % os.path.realpath(base)]
    if lines[:4] != want or lines[4] != "ro (#block104): %s (raw, read-only)" % base:
        fail("-snapshot info block: %r" % lines)
    # (test-blockdev checks that guest writes land in the overlay and commit moves them.)
    expect_lines(c.command("commit ide0-hd0"), [], "commit -snapshot")
    quit(c)
    if os.listdir(tmp):
        fail("overlay left behind: %r" % os.listdir(tmp))
    io_ok(base, "raw", "read -P 0 0 1M")


def test_change_eject(d):
    iso = os.path.join(d, "cd.iso")
    with open(iso, "wb") as f:
        f.write(b"\x33" * 65536)
    c = monitor(["-cdrom", iso, "-drive", "if=none,id=empty"])
    out = c.command("info block ide1-cd0")
    expect_lines(out, ["ide1-cd0 (#block102): %s (raw, read-only)" % iso,
                       "    Removable device: not locked, tray closed",
                       "    Cache mode:       writeback"], "cdrom")
    expect_lines(c.command("eject ide1-cd0"), [], "eject")
    expect_lines(c.command("info block ide1-cd0"), [
        "ide1-cd0: [not inserted]", "    Removable device: not locked, tray closed"],
        "after eject")
    expect_lines(c.command("eject ide1-cd0"), [], "eject empty")
    expect_lines(c.command("change ide1-cd0 nofile"),
                 ["Error: Could not open 'nofile': No such file or directory"], "change nofile")
    expect_lines(c.command("change ide1-cd0 %s foo" % iso), ["Error: Unknown driver 'foo'"],
                 "change foo")
    expect_lines(c.command("change ide1-cd0 %s raw" % iso), [], "change raw")
    expect_lines(c.command("info block ide1-cd0"), [
        "ide1-cd0 (#block104): %s (raw, read-only)" % iso,
        "    Removable device: not locked, tray closed",
        "    Cache mode:       writeback"], "after change")
    expect_lines(c.command("change empty %s raw" % iso), [], "change if=none")
    expect_lines(c.command("eject -f empty"), [], "eject -f")
    expect_lines(c.command("change nosuch %s" % iso), ["Error: Device 'nosuch' not found"],
                 "change nosuch")
    expect_lines(c.command("eject nosuch"), ["Error: Device 'nosuch' not found"], "eject nosuch")
    out = c.command("eject")
    if "eject" not in out and "argument" not in out.lower():
        fail("eject without device: %r" % out)
    quit(c)


def img_both(args, cwd):
    """Run qemu-img (if installed), then kemu-img, with args: files left are kemu-img's.
    Returns [(code, out, err)], kemu-img's first."""
    res = []
    for prog, name in ((shutil.which("qemu-img"), "qemu-img"), (KEMU_IMG, "kemu-img")):
        if not prog:
            continue
        p = subprocess.run([prog] + args, capture_output=True, timeout=60, cwd=cwd)
        res.insert(0, (p.returncode, p.stdout.decode(), p.stderr.decode().replace(name, "IMG")))
    return res


def same(args, d, what):
    res = img_both(args, d)
    if len(res) == 2 and res[0] != res[1]:
        fail("%s: kemu-img %r, qemu-img %r" % (what, res[0], res[1]))
    return res[0]


def test_img_gaps(d):
    """convert -B/-F and -l, commit -b, measure -l, create -u: as qemu-img."""
    base = os.path.join(d, "g-base.raw")
    with open(base, "wb") as f:
        f.write(b"\x07" * (4 << 20))
    tool(KEMU_IMG, "create", "-q", "-f", "qcow2", "-b", base, "-F", "raw", "g-mid.qcow2")
    io_ok("g-mid.qcow2", "qcow2", "write -P 3 0 64k")
    tool(KEMU_IMG, "create", "-q", "-f", "qcow2", "-b", "g-mid.qcow2", "-F", "qcow2",
         "g-top.qcow2")
    io_ok("g-top.qcow2", "qcow2", "write -P 4 64k 64k", "write -z 192k 64k")
    # convert -B: only the top layer's data goes into an image on the given backing file.
    for name in ("g-k.qcow2", "g-q.qcow2"):
        if os.path.exists(name):
            os.unlink(name)
    code, out, err = same(["convert", "-B", "g-mid.qcow2", "-F", "qcow2", "-O", "qcow2",
                           "g-top.qcow2", "g-out.qcow2"], d, "convert -B")
    if code != 0:
        fail("convert -B: %s" % err)
    code, out, _ = same(["compare", "g-top.qcow2", "g-out.qcow2"], d, "compare -B")
    if code != 0:
        fail("convert -B output differs: %s" % out)
    same(["map", "--output=json", "g-out.qcow2"], d, "map of convert -B")
    same(["convert", "-B", "x", "-O", "qcow2", "g-top.qcow2", "g-bad.qcow2"], d, "-B no -F")
    same(["convert", "-B", "x", "-O", "raw", "g-top.qcow2", "g-bad.raw"], d, "-B raw")
    # convert -l / measure -l: an internal snapshot's contents.
    tool(KEMU_IMG, "create", "-q", "-f", "qcow2", "g-snap.qcow2", "1M")
    io_ok("g-snap.qcow2", "qcow2", "write -P 1 0 64k")
    tool(KEMU_IMG, "snapshot", "-c", "sn1", "g-snap.qcow2")
    io_ok("g-snap.qcow2", "qcow2", "write -P 2 0 128k")
    for param in ("sn1", "1", "snapshot.name=sn1", "snapshot.id=1"):
        same(["convert", "-l", param, "-O", "raw", "g-snap.qcow2", "g-snap.raw"], d,
             "convert -l " + param)
        io_ok("g-snap.raw", "raw", "read -P 1 0 64k", "read -P 0 64k 64k")
        same(["measure", "-l", param, "-O", "qcow2", "g-snap.qcow2"], d, "measure -l")
    same(["convert", "-l", "nosuch", "-O", "raw", "g-snap.qcow2", "g-snap.raw"], d, "-l bad")
    same(["measure", "-l", "nosuch", "-O", "qcow2", "g-snap.qcow2"], d, "measure -l bad")
    same(["convert", "-l", "sn1", "-O", "raw", base, "g-snap.raw"], d, "-l on raw")
    # create -u: the backing file is not opened, so a size is needed.
    same(["create", "-q", "-f", "qcow2", "-u", "-b", "nosuch", "-F", "raw", "g-u.qcow2"], d,
         "create -u no size")
    same(["create", "-f", "qcow2", "-u", "-b", "nosuch", "-F", "raw", "g-u.qcow2", "1M"], d,
         "create -u")
    # commit -b: into the base further down; nothing is emptied.
    same(["commit", "-b", "nosuch", "g-top.qcow2"], d, "commit -b nosuch")
    code, out, err = run_img(["commit", "-b", base, "g-top.qcow2"], d)
    if code != 0 or out != "Image committed.\n":
        fail("commit -b: %d %r %r" % (code, out, err))
    io_ok(base, "raw", "read -P 3 0 64k", "read -P 4 64k 64k", "read -P 7 128k 64k",
          "read -P 0 192k 64k", "read -P 7 256k 3840k")
    io_ok("g-top.qcow2", "qcow2", "read -P 4 64k 64k")


def run_img(args, d):
    p = subprocess.run([KEMU_IMG] + args, capture_output=True, timeout=60, cwd=d)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def main():
    for p in (KEMU_IMG, KEMU_IO):
        if not os.path.exists(p):
            print("SKIP: %s not built" % p)
            return
    d = tempfile.mkdtemp(prefix="kemu-block-", dir="/dev/shm" if os.path.isdir("/dev/shm")
                         else None)
    try:
        with open(os.path.join(d, "r.img"), "wb") as f:
            f.truncate(1 << 20)
        os.chdir(d)
        for t in (test_bad_options, test_info_block, test_commit, test_snapshot,
                  test_change_eject, test_img_gaps):
            t(d)
            print("ok", t.__name__, flush=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
