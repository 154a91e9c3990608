"""The monitor as users reach it: -nographic's mux on a terminal (Ctrl-a c),
a TCP socket served to two clients in turn, and bad commands that get an
error and a prompt.  The terminal must be restored on quit and on SIGTERM."""
import os
import signal
import sys
import time
from kemutest import Console, fail, free_port, connect, sock_expect, run


def test_nographic_mux():
    c = Console(["-M", "none", "-nographic"])
    try:
        c.send("\x01c")
        c.expect("(kemu) ")
        out = c.command("info version")
        if "0." not in out:
            fail("info version: %r" % out)
        out = c.command("info status")
        if "VM status: running" not in out:
            fail("info status: %r" % out)
        out = c.command("info mtree")
        if "address-space: memory" not in out or "address-space: I/O" not in out:
            fail("info mtree: %r" % out)
        c.command("stop")
        out = c.command("info status")
        if "VM status: paused" not in out:
            fail("after stop: %r" % out)
        c.command("cont")
        out = c.command("info status")
        if "VM status: running" not in out:
            fail("after cont: %r" % out)
        # Ctrl-a h lists the escapes; Ctrl-a c twice comes back to the monitor.
        c.send("\x01h")
        c.expect("C-a x")
        c.send("quit\r")
        code = c.wait()
        if code != 0:
            fail("quit exited %d" % code)
        if not c.terminal_restored():
            fail("terminal not restored after quit")
    finally:
        c.close()


def test_sigterm_restores_terminal():
    c = Console(["-M", "none", "-nographic"])
    try:
        c.send("\x01c")
        c.expect("(kemu) ")
        c.proc.send_signal(signal.SIGTERM)
        c.wait()
        err = c.proc.stderr.read().decode()
        if "terminating on signal 15" not in err:
            fail("no signal message: %r" % err)
        if not c.terminal_restored():
            fail("terminal not restored after SIGTERM")
    finally:
        c.close()


def test_ctrl_a_x():
    c = Console(["-M", "none", "-nographic"])
    try:
        c.send("\x01x")
        c.expect("Terminated")
        if c.wait() != 0:
            fail("Ctrl-a x exit status")
        if not c.terminal_restored():
            fail("terminal not restored after Ctrl-a x")
    finally:
        c.close()


def test_tcp_monitor_two_clients():
    port = free_port()
    import subprocess
    from kemutest import KEMU
    p = subprocess.Popen([KEMU, "-M", "none", "-display", "none", "-monitor",
                          "tcp:127.0.0.1:%d,server=on,wait=off" % port],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for n in range(2):
            s = connect(port)
            sock_expect(s, "(kemu) ")
            s.sendall(b"info status\r\n")
            out = sock_expect(s, "(kemu) ")
            if "VM status: running" not in out:
                fail("client %d: %r" % (n, out))
            s.sendall(b"info name\r\n")
            sock_expect(s, "(kemu) ")
            s.close()
            time.sleep(0.2)
        s = connect(port)
        sock_expect(s, "(kemu) ")
        s.sendall(b"quit\r\n")
        code = p.wait(10)
        if code != 0:
            fail("quit over tcp exited %d" % code)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


# Monitor commands that must fail with a one-line reason and leave the monitor running.
BAD_COMMANDS = [
    ("foo", "unknown command: 'foo'"),
    ("info nosuch", "info nosuch"),
    ("log nosuchitem", "nosuchitem"),
    ("help nosuchcmd", "nosuchcmd"),
    ("stop extra", "extraneous characters"),
    ("logfile", "logfile"),
    ("x" * 5000, "unknown command"),
    ("info \"unterminated", "info"),
    ("\x7f\x7f\x1b[A\x1b[B", ""),
    ("system_reset now", "extraneous characters"),
]


def test_bad_monitor_commands():
    c = Console(["-M", "none", "-display", "none", "-monitor", "stdio", "-name", "demo",
                 "-uuid", "12345678-1234-1234-1234-123456789abc"])
    try:
        c.expect("(kemu) ")
        for line, want in BAD_COMMANDS:
            out = c.command(line)
            if want and want not in out:
                fail("%r: wanted %r in %r" % (line[:40], want, out))
        if "demo" not in c.command("info name"):
            fail("info name")
        if "12345678-1234-1234-1234-123456789abc" not in c.command("info uuid"):
            fail("info uuid")
        hist = c.command("info history")
        if "info name" not in hist:
            fail("info history: %r" % hist)
        if "serial0" not in c.command("info chardev"):
            fail("info chardev")
        if "bus: main-system-bus" not in c.command("info qtree"):
            fail("info qtree")
        c.send("quit\r")
        if c.wait() != 0:
            fail("quit after bad commands")
    finally:
        c.close()


def test_prelaunch():
    c = Console(["-M", "none", "-display", "none", "-monitor", "stdio", "-S"])
    try:
        c.expect("(kemu) ")
        if "VM status: paused (prelaunch)" not in c.command("info status"):
            fail("-S status")
        c.command("c")
        if "VM status: running" not in c.command("info status"):
            fail("cont from prelaunch")
        c.send("q\r")
        c.wait()
    finally:
        c.close()


def test_pc_machine():
    """The default machine's devices as the monitor shows them, and a reset."""
    c = Console(["-display", "none", "-monitor", "stdio", "-m", "512", "-smp", "2"])
    try:
        c.expect("(kemu) ")
        pci = c.command("info pci")
        for want in ("8086:1237", "8086:7000", "8086:7113"):
            if want not in pci:
                fail("info pci lacks %s: %r" % (want, pci))
        qtree = c.command("info qtree")
        for want in ("i440FX-pcihost", "isa-i8259", "isa-pit", "mc146818rtc", "isa-serial",
                     "i8042", "hpet", "ioapic", "fw_cfg_io", "PIIX4_PM"):
            if want not in qtree:
                fail("info qtree lacks %s" % want)
        mtree = c.command("info mtree")
        for want in ("ram-below-4g", "pc.bios", "isa-bios", "ioapic", "hpet"):
            if want not in mtree:
                fail("info mtree lacks %s" % want)
        if "pic0:" not in c.command("info pic"):
            fail("info pic")
        c.command("system_reset")
        if "VM status: running" not in c.command("info status"):
            fail("status after system_reset")
        c.send("quit\r")
        if c.wait() != 0:
            fail("quit")
    finally:
        c.close()


TESTS = [test_pc_machine, test_nographic_mux, test_sigterm_restores_terminal, test_ctrl_a_x,
         test_tcp_monitor_two_clients, test_bad_monitor_commands, test_prelaunch]

if __name__ == "__main__":
    for t in TESTS:
        t()
        print("ok", t.__name__, flush=True)
    print("%d passed, 0 failed" % len(TESTS))
