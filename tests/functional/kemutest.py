"""Helpers for functional tests: run kemu, talk to it through a pty,
a pipe or a socket, and wait for text with a deadline."""
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import termios
import time

KEMU = os.environ.get("KEMU", os.path.join(os.path.dirname(__file__), "../../build/kemu"))


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


class Console:
    """kemu with its stdin/stdout on a pty, as a user at a terminal sees it."""

    def __init__(self, args, env=None):
        self.master, self.slave = pty.openpty()
        self.saved = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen([KEMU] + args, stdin=self.slave, stdout=self.slave,
                                     stderr=subprocess.PIPE, close_fds=True, env=env,
                                     start_new_session=True)
        self.buf = b""

    def send(self, text):
        os.write(self.master, text.encode() if isinstance(text, str) else text)

    def expect(self, text, timeout=10.0):
        """Wait until text appears; return everything up to and including it."""
        want = text.encode()
        deadline = time.monotonic() + timeout
        while want not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                fail("timed out waiting for %r; got %r" % (text, self.buf[-2000:]))
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                if not data:
                    fail("console closed waiting for %r; got %r" % (text, self.buf[-2000:]))
                self.buf += data
        i = self.buf.index(want) + len(want)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out.decode(errors="replace")

    def read_for(self, seconds):
        """Whatever arrives within seconds (possibly nothing), consumed."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                if not data:
                    break
                self.buf += data
        out, self.buf = self.buf, b""
        return out.decode(errors="replace")

    def command(self, line, timeout=10.0):
        """Type a monitor command; return its output (up to the next prompt)."""
        self.send(line + "\r")
        out = self.expect("(kemu) ", timeout)
        # Drop the echoed command line and the prompt.
        out = out.replace("\r", "")
        body = out.split("\n", 1)[1] if "\n" in out else ""
        return body[: -len("(kemu) ")] if body.endswith("(kemu) ") else body

    def wait(self, timeout=10.0):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("kemu did not exit")

    def terminal_restored(self):
        return termios.tcgetattr(self.slave) == self.saved

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)


def run(args, timeout=20.0, stdin=b""):
    """Run kemu to completion; return (exit code, stdout, stderr)."""
    p = subprocess.run([KEMU] + args, input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connect(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=timeout)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def sock_expect(sock, text, timeout=10.0):
    want = text.encode()
    buf = b""
    deadline = time.monotonic() + timeout
    while want not in buf:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            fail("timed out waiting for %r on socket; got %r" % (text, buf[-2000:]))
        if not data:
            fail("socket closed waiting for %r; got %r" % (text, buf[-2000:]))
        buf += data
    return buf.decode(errors="replace")


def virtio_blk_guest(args, tmp, legacy, timeout=60):
    """tests/guest/mb-virtio-blk.c (args: kemu's options up to the guest's)
    on a fresh raw image: the checksum it prints of sectors 0-7 is the
    image's, and sector 8 holds its pattern afterwards.  Returns its output."""
    import random
    import struct
    img = os.path.join(tmp, "disk.img")
    data = random.Random(legacy).randbytes(64 * 1024)
    with open(img, "wb") as f:
        f.write(data)
    code, out, err = run(args + ["-drive", "file=%s,format=raw,if=virtio" % img],
                         timeout=timeout)
    what = "mb-virtio-blk legacy=%d %s" % (legacy, " ".join(args))
    if code != 33:
        fail("%s: exit %d\nstdout: %s\nstderr: %s" % (what, code, out, err))
    s = 0
    for (w,) in struct.iter_unpack("<I", data[:8 * 512]):
        s = (((s << 1) | (s >> 31)) + w) & 0xffffffff
    for text in ("sectors=8 checksum=%08x" % s, "wrote sector 8", "PASS virtio-blk"):
        if text not in out:
            fail("%s: expected %r in %r" % (what, text, out))
    with open(img, "rb") as f:
        if f.read()[8 * 512:9 * 512] != bytes((i * 7 + 8) & 0xff for i in range(512)):
            fail("%s: the host does not see sector 8" % what)
    return out


def diff_lines(want, got, limit=60):
    """Compare two outputs line by line; return a report of the lines that
    differ (want is '-', got is '+', with the line number), or '' if equal."""
    w, g = want.splitlines(), got.splitlines()
    out = []
    count = 0
    for i in range(max(len(w), len(g))):
        a = w[i] if i < len(w) else "<missing>"
        b = g[i] if i < len(g) else "<missing>"
        if a != b:
            count += 1
            if count <= limit:
                out.append("line %d:\n  - %s\n  + %s" % (i + 1, a, b))
    if count > limit:
        out.append("... %d more differing lines" % (count - limit))
    return "\n".join(out)
