"""Process-level options: -daemonize with -pidfile, a second kemu refused
the same pid file, several monitors at once, -D/-d and the log commands."""
import os
import socket
import subprocess
import tempfile
import time
from kemutest import KEMU, fail, sock_expect, run


def unix_connect(path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            return s
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_daemonize_pidfile():
    with tempfile.TemporaryDirectory() as d:
        pidfile = os.path.join(d, "kemu.pid")
        mon = os.path.join(d, "mon.sock")
        args = [KEMU, "-M", "none", "-display", "none", "-daemonize", "-pidfile", pidfile,
                "-monitor", "unix:%s,server=on,wait=off" % mon]
        p = subprocess.run(args, capture_output=True, timeout=20)
        if p.returncode != 0:
            fail("-daemonize exited %d: %r" % (p.returncode, p.stderr))
        pid = int(open(pidfile).read())
        os.kill(pid, 0)                     # the daemon is alive
        # A second instance must not take over the locked pid file.
        code, _, err = run(["-M", "none", "-display", "none", "-pidfile", pidfile])
        if code != 1 or "cannot create PID file" not in err:
            fail("second instance: %d %r" % (code, err))
        s = unix_connect(mon)
        sock_expect(s, "(kemu) ")
        s.sendall(b"info status\r\n")
        if "VM status: running" not in sock_expect(s, "(kemu) "):
            fail("daemon monitor")
        s.sendall(b"quit\r\n")
        deadline = time.monotonic() + 10
        while os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.05)
        if os.path.exists(pidfile):
            fail("pid file left behind after quit")


def test_daemonize_failure_reported():
    # The parent waits for the child: a start-up error is its exit status.
    code, _, err = run(["-M", "none", "-display", "none", "-daemonize",
                        "-chardev", "file,id=f,path=/nonexistent/dir/x", "-monitor", "none"])
    if code != 1:
        fail("-daemonize with a bad chardev exited %d: %r" % (code, err))


def test_two_monitors_and_log():
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "kemu.log")
        m1 = os.path.join(d, "m1.sock")
        m2 = os.path.join(d, "m2.sock")
        p = subprocess.Popen([KEMU, "-M", "none", "-display", "none", "-d", "unimp", "-D", log,
                              "-chardev", "socket,id=m1,path=%s,server=on,wait=off" % m1,
                              "-mon", "chardev=m1",
                              "-monitor", "unix:%s,server=on,wait=off" % m2],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            a = unix_connect(m1)
            b = unix_connect(m2)
            sock_expect(a, "(kemu) ")
            sock_expect(b, "(kemu) ")
            a.sendall(b"stop\r\n")
            sock_expect(a, "(kemu) ")
            b.sendall(b"info status\r\n")
            if "VM status: paused" not in sock_expect(b, "(kemu) "):
                fail("second monitor does not see the first's stop")
            b.sendall(b"log\r\n")
            if "in_asm" not in sock_expect(b, "(kemu) "):
                fail("log lists no items")
            b.sendall(b"log nosuch\r\n")
            if "nosuch" not in sock_expect(b, "(kemu) "):
                fail("log accepted a bad item")
            if not os.path.exists(log):
                fail("-D did not create the log file")
            a.sendall(b"quit\r\n")
            if p.wait(10) != 0:
                fail("quit")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


TESTS = [test_daemonize_pidfile, test_daemonize_failure_reported, test_two_monitors_and_log]

if __name__ == "__main__":
    for t in TESTS:
        t()
        print("ok", t.__name__, flush=True)
    print("%d passed, 0 failed" % len(TESTS))
