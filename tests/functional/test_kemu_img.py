"""kemu-img: commands, output and exit codes, and interoperation with
Debian's qemu-img both ways.  Images kemu-img makes (every create option,
snapshots, compressed clusters, backing chains, several cluster sizes) must
pass `qemu-img check` and compare equal to their source with `qemu-img
compare`; images qemu-img makes the same ways must read back byte for byte
through kemu-img; snapshots made by either are listed and applied by the
other.  Interop cases print "SKIP: ..." when qemu-img is not installed."""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

KEMU = os.environ.get("KEMU", os.path.join(os.path.dirname(__file__), "../../build/kemu"))
KEMU_IMG = os.environ.get("KEMU_IMG",
                          os.path.join(os.path.dirname(os.path.abspath(KEMU)), "tools/kemu-img"))
QEMU_IMG = shutil.which("qemu-img")
QEMU_IO = shutil.which("qemu-io")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, flush=True)


def run(args, rc=0, what=None):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    out, err = p.stdout.decode(), p.stderr.decode()
    if rc is not None and p.returncode != rc:
        check(False, "%s: exit %d, expected %d\nstdout: %s\nstderr: %s" %
              (what or " ".join(args), p.returncode, rc, out[-2000:], err[-2000:]))
    if "runtime error" in err or "AddressSanitizer" in err:
        check(False, "%s: sanitizer report\n%s" % (" ".join(args), err[-3000:]))
    return out, err, p.returncode


def kimg(*args, rc=0):
    return run([KEMU_IMG] + list(args), rc)


def qimg(*args, rc=0):
    return run([QEMU_IMG] + list(args), rc)


def write_random_raw(path, size, seed):
    """Data, zero runs, compressible runs and a partial tail."""
    rnd = random.Random(seed)
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(left, rnd.choice([512, 4096, 65536, 100000]))
            kind = rnd.random()
            if kind < 0.35:
                f.write(b"\0" * n)
            elif kind < 0.6:
                f.write(bytes([rnd.randrange(3)]) * n)
            else:
                f.write(rnd.randbytes(n))
            left -= n


def read_all(path):
    with open(path, "rb") as f:
        return f.read()


def to_raw(tool, image, out):
    run([tool, "convert", "-O", "raw", image, out])
    return read_all(out)


# ---- kemu-img on its own ------------------------------------------------------------

def test_usage(d):
    _, err, _ = kimg(rc=1)
    check("kemu-img: Not enough arguments" in err, "no arguments: " + err)
    _, err, _ = kimg("frobnicate", rc=1)
    check("Command not found: frobnicate" in err, "unknown command: " + err)
    out, _, _ = kimg("--help")
    check("convert" in out and "snapshot" in out, "--help lists the commands")


def test_create_and_info(d):
    a = os.path.join(d, "a.qcow2")
    out, _, _ = kimg("create", "-f", "qcow2", a, "1G")
    check(out == "Formatting '%s', fmt=qcow2 cluster_size=65536 extended_l2=off "
          "compression_type=zlib size=1073741824 lazy_refcounts=off refcount_bits=16\n" % a,
          "create line: " + out)
    out, _, _ = kimg("create", "-f", "qcow2", "-o", "compat=0.10,cluster_size=4k",
                     os.path.join(d, "b.qcow2"), "100M")
    check("cluster_size=4096 extended_l2=off compression_type=zlib size=104857600 "
          "compat=0.10 lazy_refcounts=off" in out, "create v2 line: " + out)
    out, _, _ = kimg("create", "-f", "raw", os.path.join(d, "r.raw"), "1000")
    check(out.endswith("fmt=raw size=1024\n"), "raw create rounds to sectors: " + out)
    for opts, msg in [("cluster_size=1000", "Cluster size must be a power of two"),
                      ("compat=0.10,lazy_refcounts=on", "Lazy refcounts only supported"),
                      ("refcount_bits=3", "Refcount width must be a power of two"),
                      ("compat=2", "Parameter 'version' does not accept value '2'"),
                      ("preallocation=foo", "does not accept value 'foo'"),
                      ("foo=bar", "Invalid parameter 'foo'"),
                      ("encryption=on", "qcow2 encryption is not supported"),
                      ("data_file=x", "external data files are not supported")]:
        _, err, _ = kimg("create", "-f", "qcow2", "-o", opts, os.path.join(d, "e.qcow2"), "1M",
                         rc=1)
        check(msg in err, "create -o %s: %s" % (opts, err))
    _, err, _ = kimg("create", "-f", "qcow2", os.path.join(d, "e.qcow2"), rc=1)
    check("Image creation needs a size parameter" in err, "no size: " + err)
    _, err, _ = kimg("create", "-f", "qcow2", os.path.join(d, "e.qcow2"), "12Q", rc=1)
    check("Invalid image size specified" in err, "bad size: " + err)
    out, _, _ = kimg("info", a)
    check(out.startswith("image: %s\nfile format: qcow2\nvirtual size: 1 GiB (1073741824 bytes)\n"
                         % a) and "cluster_size: 65536\n" in out and
          "    lazy refcounts: false\n" in out, "info: " + out)
    info = json.loads(kimg("info", "--output=json", a)[0])
    check(info["virtual-size"] == 1 << 30 and info["format-specific"]["data"]["compat"] == "1.1",
          "info json: %r" % info)
    _, err, _ = kimg("info", os.path.join(d, "nonexistent"), rc=1)
    check("Could not open" in err, "info of a missing file: " + err)


def test_check_leaks_and_corruption(d):
    img = os.path.join(d, "leak.qcow2")
    src = os.path.join(d, "leak-src.raw")
    write_random_raw(src, 1 << 20, 5)
    kimg("convert", "-O", "qcow2", src, img)
    out, _, _ = kimg("check", img)
    check(out.startswith("No errors were found on the image.\n"), "clean check: " + out)
    with open(img, "r+b") as f:           # refcount block at 0x20000, 16-bit entries
        f.seek(0x20000 + 2 * 4)
        f.write(struct.pack(">H", 2))      # the L2 table now looks shared: leak + COPIED
    out, err, _ = kimg("check", img, rc=2)
    check("Leaked cluster 4 refcount=2 reference=1" in err, "leak reported: " + err)
    out, err, _ = kimg("check", "-r", "leaks", img)
    check("The following inconsistencies were found and repaired:" in out and
          "    1 leaked clusters" in out and "Double checking the fixed image now..." in out,
          "repair output: " + out)
    kimg("check", img)
    with open(img, "r+b") as f:
        f.seek(0x20000 + 2 * 6)
        f.write(struct.pack(">H", 0))      # a data cluster with refcount 0
    out, err, _ = kimg("check", img, rc=2)
    check("ERROR cluster 6 refcount=0 reference=1" in err and "errors were found" in out,
          "corruption: " + out + err)
    kimg("check", "-r", "all", img)
    kimg("check", img)
    check(to_raw(KEMU_IMG, img, os.path.join(d, "leak-out.raw")) == read_all(src),
          "data survives the repair")
    _, err, _ = kimg("check", os.path.join(d, "r.raw"), rc=63)
    check("does not support checks" in err, "raw check: " + err)


def test_resize_commit_rebase(d):
    img = os.path.join(d, "rs.qcow2")
    kimg("create", "-q", "-f", "qcow2", img, "10M")
    out, _, _ = kimg("resize", img, "+10M")
    check(out == "Image resized.\n", "resize: " + out)
    _, err, _ = kimg("resize", img, "5M", rc=1)
    check("Use the --shrink option" in err, "shrink refused: " + err)
    kimg("resize", "--shrink", img, "-15M")
    info = json.loads(kimg("info", "--output=json", img)[0])
    check(info["virtual-size"] == 5 << 20, "resized to 5M: %r" % info["virtual-size"])

    base, top = os.path.join(d, "cbase.raw"), os.path.join(d, "ctop.qcow2")
    data = os.path.join(d, "cdata.raw")
    write_random_raw(base, 4 << 20, 1)
    write_random_raw(data, 4 << 20, 2)
    kimg("create", "-q", "-f", "qcow2", "-b", "cbase.raw", "-F", "raw", top)
    kimg("convert", "-n", "-O", "qcow2", data, top)
    expect = to_raw(KEMU_IMG, top, os.path.join(d, "ctop-before.raw"))
    out, _, _ = kimg("commit", top)
    check(out.endswith("Image committed.\n"), "commit: " + out)
    check(read_all(base) == expect, "commit wrote the overlay into the base")
    check(to_raw(KEMU_IMG, top, os.path.join(d, "ctop-after.raw")) == expect,
          "the emptied overlay still reads the same")

    new = os.path.join(d, "rbase.qcow2")
    write_random_raw(os.path.join(d, "rbase.raw"), 4 << 20, 3)
    kimg("convert", "-O", "qcow2", os.path.join(d, "rbase.raw"), new)
    kimg("rebase", "-b", "rbase.qcow2", "-F", "qcow2", top)
    check(to_raw(KEMU_IMG, top, os.path.join(d, "rb.raw")) == expect, "safe rebase keeps data")
    info = json.loads(kimg("info", "--output=json", top)[0])
    check(info.get("backing-filename") == "rbase.qcow2", "rebase changed the backing file")
    kimg("rebase", "-u", "-b", "", top)
    check("backing-filename" not in json.loads(kimg("info", "--output=json", top)[0]),
          "rebase -u -b '' drops the backing file")


def test_compare_map_measure(d):
    a, b = os.path.join(d, "c1.raw"), os.path.join(d, "c2.raw")
    kimg("create", "-q", "-f", "raw", a, "1M")
    shutil.copy(a, b)
    out, _, _ = kimg("compare", a, b)
    check(out == "Images are identical.\n", "compare same: " + out)
    with open(b, "r+b") as f:
        f.seek(1000)
        f.write(b"x")
    out, _, _ = kimg("compare", a, b, rc=1)
    check(out == "Content mismatch at offset 512!\n", "compare differs: " + out)
    kimg("compare", a, os.path.join(d, "nonexistent"), rc=2)
    out, _, _ = kimg("measure", "-O", "qcow2", "--size", "10G")
    check(out == "required size: 1900544\nfully allocated size: 10739318784\n",
          "measure: " + out)
    q = os.path.join(d, "m.qcow2")
    kimg("convert", "-O", "qcow2", b, q)
    out, _, _ = kimg("map", "--output=json", q)
    check(out.startswith('[{ "start": 0, "length": 65536, "depth": 0, "present": true, '
                         '"zero": false, "data": true, "offset": '), "map json: " + out)


def test_progress(d):
    src, dst = os.path.join(d, "p.raw"), os.path.join(d, "p.qcow2")
    write_random_raw(src, 3 << 20, 9)
    out, _, _ = kimg("convert", "-p", "-c", "-O", "qcow2", src, dst)
    check(out.endswith("    (100.00/100%)\r\n") or out.endswith("(100.00/100%)\n"),
          "progress: %r" % out[-60:])
    kimg("compare", src, dst)


# ---- Interoperation with qemu-img ----------------------------------------------------------

def test_kemu_images_pass_qemu(d):
    src = os.path.join(d, "src.raw")
    write_random_raw(src, 6 << 20, 11)
    cases = []
    for compat in ["0.10", "1.1"]:
        for cs in ["512", "4k", "64k", "2M"]:
            cases.append("compat=%s,cluster_size=%s" % (compat, cs))
    for prealloc in ["off", "metadata", "falloc", "full"]:
        cases.append("preallocation=%s,cluster_size=64k" % prealloc)
    for bits in ["1", "8", "16", "64"]:
        cases.append("refcount_bits=%s,cluster_size=4k" % bits)
    cases.append("lazy_refcounts=on")
    for i, opts in enumerate(cases):
        img = os.path.join(d, "k%d.qcow2" % i)
        kimg("create", "-q", "-f", "qcow2", "-o", opts, img, str(6 << 20))
        kimg("convert", "-n", "-O", "qcow2", src, img)        # kemu's write path
        qimg("check", "-q", img)
        out, _, _ = qimg("compare", "-f", "raw", "-F", "qcow2", src, img)
        check(out == "Images are identical.\n", "qemu-img compare (%s): %s" % (opts, out))
        info = json.loads(qimg("info", "--output=json", img)[0])
        data = info["format-specific"]["data"]
        check(data["compat"] == ("0.10" if "0.10" in opts else "1.1"), "compat of " + opts)
        if "lazy" in opts:
            check(data["lazy-refcounts"] is True, "lazy refcounts flag")
        if "refcount_bits" in opts:
            check(data["refcount-bits"] == int(opts.split("=")[1].split(",")[0]),
                  "refcount bits of " + opts)
    for cs in ["4k", "64k", "2M"]:
        img = os.path.join(d, "kc-%s.qcow2" % cs)
        kimg("convert", "-c", "-O", "qcow2", "-o", "cluster_size=" + cs, src, img)
        out, _, _ = qimg("check", img)
        check("compressed clusters" in out and " 0.00% compressed" not in out,
              "compressed clusters written: " + out)
        qimg("compare", src, img)


def test_kemu_chains_pass_qemu(d):
    base, mid, top = (os.path.join(d, n) for n in ("kb.qcow2", "km.qcow2", "kt.qcow2"))
    b_raw, m_raw, t_raw = (os.path.join(d, n) for n in ("kb.raw", "km.raw", "kt.raw"))
    write_random_raw(b_raw, 4 << 20, 21)
    write_random_raw(m_raw, 4 << 20, 22)
    write_random_raw(t_raw, 4 << 20, 23)
    kimg("convert", "-O", "qcow2", "-o", "cluster_size=4k", b_raw, base)
    kimg("create", "-q", "-f", "qcow2", "-b", "kb.qcow2", "-F", "qcow2", "-o",
         "cluster_size=64k", mid)
    kimg("create", "-q", "-f", "qcow2", "-b", "km.qcow2", "-F", "qcow2", "-o", "compat=0.10",
         top)
    # Sparse copies: 4 KiB pieces land in 64 KiB clusters, copying the rest from below.
    kimg("convert", "-n", "-O", "qcow2", m_raw, mid)
    kimg("snapshot", "-c", "before-top", top)
    kimg("convert", "-n", "-O", "qcow2", t_raw, top)
    for img in (base, mid, top):
        qimg("check", "-q", img)
    expect = to_raw(QEMU_IMG, top, os.path.join(d, "kt-q.raw"))
    check(to_raw(KEMU_IMG, top, os.path.join(d, "kt-k.raw")) == expect,
          "kemu and qemu read the same chain")
    out, _, _ = qimg("info", "--backing-chain", top)
    check(out.count("image: ") == 3, "qemu-img sees the whole chain")
    k = json.loads(kimg("info", "--output=json", "--backing-chain", top)[0])
    q = json.loads(qimg("info", "--output=json", "--backing-chain", top)[0])
    for ki, qi in zip(k, q):
        for key in ("virtual-size", "format", "cluster-size", "backing-filename",
                    "backing-filename-format", "format-specific", "dirty-flag"):
            check(ki.get(key) == qi.get(key), "info %s of %s: %r vs %r" %
                  (key, qi["filename"], ki.get(key), qi.get(key)))
    out_k, _, _ = kimg("map", "--output=json", top)
    out_q, _, _ = qimg("map", "--output=json", top)
    check(out_k == out_q, "map json differs:\n%s\n%s" % (out_k[:800], out_q[:800]))


def test_snapshots_both_ways(d):
    img = os.path.join(d, "snap.qcow2")
    r1, r2 = os.path.join(d, "snap1.raw"), os.path.join(d, "snap2.raw")
    write_random_raw(r1, 2 << 20, 31)
    write_random_raw(r2, 2 << 20, 32)
    kimg("convert", "-O", "qcow2", r1, img)
    kimg("snapshot", "-c", "k-one", img)
    kimg("convert", "-n", "-O", "qcow2", r2, img)
    qimg("snapshot", "-c", "q-two", img)
    qimg("check", "-q", img)
    out_k, _, _ = kimg("snapshot", "-l", img)
    out_q, _, _ = qimg("snapshot", "-l", img)
    check(out_k == out_q, "snapshot lists differ:\n%s\n%s" % (out_k, out_q))
    qimg("snapshot", "-a", "k-one", img)
    check(to_raw(KEMU_IMG, img, os.path.join(d, "s-a.raw")) == read_all(r1),
          "qemu-img applied kemu's snapshot")
    kimg("snapshot", "-a", "q-two", img)
    qimg("check", "-q", img)
    check(to_raw(QEMU_IMG, img, os.path.join(d, "s-b.raw"))[:2 << 20] == read_all(r2),
          "kemu-img applied qemu's snapshot")
    kimg("snapshot", "-d", "k-one", img)
    qimg("check", "-q", img)
    qimg("snapshot", "-d", "q-two", img)
    kimg("check", img)
    out, _, _ = kimg("snapshot", "-l", img)
    check(out == "", "no snapshots left: " + out)


def test_qemu_images_read_by_kemu(d):
    src = os.path.join(d, "qsrc.raw")
    write_random_raw(src, 5 << 20, 41)
    images = []
    for opts in ["compat=0.10,cluster_size=4k", "cluster_size=512,refcount_bits=1",
                 "cluster_size=2M,refcount_bits=64", "lazy_refcounts=on,refcount_bits=8",
                 "preallocation=metadata", "preallocation=falloc,cluster_size=16k"]:
        img = os.path.join(d, "q%d.qcow2" % len(images))
        qimg("convert", "-O", "qcow2", "-o", opts, src, img)
        images.append(img)
    img = os.path.join(d, "qc.qcow2")
    qimg("convert", "-c", "-O", "qcow2", src, img)
    images.append(img)
    if QEMU_IO:
        base = os.path.join(d, "qbase.qcow2")
        qimg("convert", "-c", "-O", "qcow2", "-o", "cluster_size=4k", src, base)
        top = os.path.join(d, "qtop.qcow2")
        qimg("create", "-q", "-f", "qcow2", "-b", "qbase.qcow2", "-F", "qcow2", top)
        run([QEMU_IO, "-c", "write -P 7 100k 300k", "-c", "write -z 2M 1M", "-c",
             "discard 4M 512k", "-c", "write -P 9 3000 5", top])
        qimg("snapshot", "-c", "one", top)
        run([QEMU_IO, "-c", "write -P 8 0 64k", top])
        images.append(top)
    else:
        print("SKIP: qemu-io not installed: no qemu-written chains", flush=True)
    for img in images:
        expect = to_raw(QEMU_IMG, img, img + ".q.raw")
        check(to_raw(KEMU_IMG, img, img + ".k.raw") == expect,
              "kemu-img reads %s byte for byte" % img)
        kimg("compare", img, img + ".q.raw")
        out_k, _, _ = kimg("check", img)
        out_q, _, _ = qimg("check", img)
        check(out_k == out_q, "check output differs for %s:\n%s\n%s" % (img, out_k, out_q))
        out_k, _, _ = kimg("measure", "-O", "qcow2", img)
        out_q, _, _ = qimg("measure", "-O", "qcow2", img)
        check(out_k == out_q, "measure differs for %s:\n%s\n%s" % (img, out_k, out_q))
    for size in ["1M", "1G", "1000G", "4T"]:
        for opts in ["cluster_size=512", "cluster_size=64k", "cluster_size=2M,refcount_bits=1"]:
            if size in ("1000G", "4T") and opts == "cluster_size=512":
                continue
            out_k, _, _ = kimg("measure", "-O", "qcow2", "-o", opts, "--size", size)
            out_q, _, _ = qimg("measure", "-O", "qcow2", "-o", opts, "--size", size)
            check(out_k == out_q, "measure %s %s: %s vs %s" % (size, opts, out_k, out_q))


def main():
    if not os.path.exists(KEMU_IMG):
        print("FAIL: kemu-img not found at " + KEMU_IMG)
        sys.exit(1)
    # fsync on a disk can cost 20 ms; images here are throwaway.
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(prefix="kemu-img-", dir=base) as d:
        os.chdir(d)
        for t in [test_usage, test_create_and_info, test_check_leaks_and_corruption,
                  test_resize_commit_rebase, test_compare_map_measure, test_progress]:
            t(d)
        interop = [test_kemu_images_pass_qemu, test_kemu_chains_pass_qemu,
                   test_snapshots_both_ways, test_qemu_images_read_by_kemu]
        if not QEMU_IMG:
            print("SKIP: qemu-img not installed: %d interop tests not run" % len(interop),
                  flush=True)
        else:
            for t in interop:
                t(d)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
