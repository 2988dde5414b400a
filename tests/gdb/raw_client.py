#!/usr/bin/env python3
"""Speaks the GDB remote protocol to `hvtrace gdb` byte by byte, as no well-behaved gdb
would: malformed, oversized and unknown packets must get error (or empty) replies and
leave the stub serving. usage: raw_client.py (--port N | --socket PATH)
Prints PASS/FAIL lines; exits 1 if anything failed."""
import re
import socket
import sys

failures = 0


def check(name, ok, detail=""):
    global failures
    print(("PASS " if ok else "FAIL ") + "raw-" + name + ("" if ok else ": " + detail))
    if not ok:
        failures += 1


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.s.settimeout(20)
        self.buf = b""

    def read_byte(self):
        if not self.buf:
            data = self.s.recv(65536)
            if not data:
                raise EOFError("connection closed")
            self.buf = data
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def send_raw(self, data):
        self.s.sendall(data)

    def send(self, payload, checksum=None):
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        cs = sum(payload) & 0xFF if checksum is None else checksum
        self.send_raw(b"$" + payload + b"#%02x" % cs)

    def read_ack(self):
        return self.read_byte()

    def read_packet(self):
        """The next packet's payload, run-length decoded."""
        while self.read_byte() != b"$":
            pass
        data = b""
        while True:
            c = self.read_byte()
            if c == b"#":
                break
            data += c
        cs = self.read_byte() + self.read_byte()
        if int(cs, 16) != sum(data) & 0xFF:
            raise ValueError("bad checksum from the stub: %r" % data)
        out = b""
        i = 0
        while i < len(data):
            if data[i:i + 1] == b"*":
                out += out[-1:] * (data[i + 1] - 29)
                i += 2
            else:
                out += data[i:i + 1]
                i += 1
        return out.decode("latin-1")

    def ask(self, payload):
        self.send(payload)
        ack = self.read_ack()
        if ack != b"+":
            raise ValueError("no ack for %r: %r" % (payload, ack))
        return self.read_packet()


def expect(c, name, payload, pattern):
    try:
        reply = c.ask(payload)
    except Exception as e:  # noqa: BLE001 - any failure is the test's failure
        check(name, False, "%r: %s" % (payload[:40], e))
        return None
    check(name, re.fullmatch(pattern, reply, re.S) is not None,
          "%r -> %r (want %s)" % (payload[:40], reply[:80], pattern))
    return reply


def main():
    if sys.argv[1] == "--port":
        sock = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(sys.argv[2])
    c = Conn(sock)

    expect(c, "qSupported", "qSupported:multiprocess+;swbreak+", r"PacketSize=[0-9a-f]+;.*multiprocess\+.*")
    expect(c, "status", "?", r"T05thread:p1\.1;.*")
    expect(c, "unknown-packet", "Jfoo", r"")
    expect(c, "unknown-query", "qFrobnicate", r"")
    expect(c, "unknown-v", "vFrobnicate;1", r"")
    # A wrong checksum is nacked, and the stub still answers the next packet.
    c.send("g", checksum=0)
    check("bad-checksum-nacked", c.read_ack() == b"-")
    expect(c, "registers", "g", r"[0-9a-fx]{100,}")
    # Oversized: longer than any PacketSize gdb could have been told.
    c.send("m" + "1" * 70000)
    check("oversized-acked", c.read_ack() == b"+")
    try:
        check("oversized-error", re.fullmatch(r"E[0-9a-f]{2}", c.read_packet()) is not None)
    except Exception as e:  # noqa: BLE001
        check("oversized-error", False, str(e))
    # Every packet with arguments, malformed.
    for name, pkt in [
        ("m-no-len", "m1000"), ("m-bad-hex", "mzz,4"), ("m-too-long-addr", "m11111111111111111,4"),
        ("M-short-data", "M1000,4:00"), ("M-no-colon", "M1000,4"), ("M-bad-hex", "M1000,1:zz"),
        ("X-length-mismatch", "X1000,4:ab"), ("X-dangling-escape", "X1000,1:}"),
        ("p-bad", "pzz"), ("p-out-of-range", "p1000"), ("P-no-value", "P0"),
        ("P-short-value", "P0=1234"), ("G-odd", "G123"), ("Z-no-args", "Z0"),
        ("Z-bad-kind", "Z0,401000,2"), ("Z-watch-len-0", "Z2,1000,0"), ("Z-cond", "Z0,401000,1;X1,0"),
        ("H-bad", "Hx"), ("H-unknown-thread", "Hgp1.99"), ("T-bad", "Tzz"), ("T-dead", "Tp1.77"),
        ("vCont-bad-action", "vCont;x"), ("vCont-bad-thread", "vCont;c:zz"),
        ("vCont-no-thread", "vCont;c:p1.99"), ("C-bad-signal", "Czz"), ("S-unknown-signal", "S07"),
        ("D-bad", "D;zz"), ("D-unknown", "D;99"), ("qXfer-bad-offset", "qXfer:features:read:target.xml:zz,10"),
        ("QPassSignals-bad", "QPassSignals:zz"), ("qXfer-exec-bad", "qXfer:exec-file:read:zz:0,10"),
        ("qXfer-siginfo-bad", "qXfer:siginfo:read::zz,10"), ("qXfer-siginfo-no-len", "qXfer:siginfo:read::0"),
        ("vRun-odd-hex", "vRun;616"), ("vRun-bad-hex", "vRun;zz"), ("vRun-nul", "vRun;6100"),
        ("vRun-too-many", "vRun;" + ";61" * 300), ("vRun-busy", "vRun;;61"),
        ("vAttach-bad", "vAttach;zz"), ("vAttach-0", "vAttach;0"), ("vAttach-trailing", "vAttach;1;2"),
        ("vAttach-busy", "vAttach;1"), ("vKill-bad", "vKill;zz"), ("vKill-unknown", "vKill;99"),
        ("qRcmd-bad-hex", "qRcmd,zz"),
    ]:
        expect(c, name, pkt, r"E[0-9a-f]{2}")
    expect(c, "Z-unknown-type", "Z9,1000,1", r"")
    expect(c, "m-unmapped", "m0,8", r"E[0-9a-f]{2}")
    expect(c, "m-huge-length", "m401000,ffffffff", r"[0-9a-f]+")
    expect(c, "target-xml", "qXfer:features:read:target.xml:0,40", r"m<\?xml.*")
    expect(c, "target-xml-past-end", "qXfer:features:read:target.xml:100000,40", r"l")
    expect(c, "other-annex", "qXfer:features:read:64bit-core.xml:0,40", r"E[0-9a-f]{2}")
    reply = expect(c, "siginfo", "qXfer:siginfo:read::0,200", r"l.*")
    check("siginfo-is-sigtrap", reply is not None and reply[1:2] == "\x05", repr(reply))
    expect(c, "siginfo-past-end", "qXfer:siginfo:read::80,10", r"l")
    expect(c, "monitor-help", "qRcmd," + b"help".hex(), r"([0-9a-f]{2})+")
    # vFile: the guest's files, read-only; malformed arguments are File-I/O errors.
    for name, pkt in [
        ("vFile-open-bad-hex", "vFile:open:zz,0,0"), ("vFile-open-no-flags", "vFile:open:2f"),
        ("vFile-open-write", "vFile:open:2f746d70,1,1c0"), ("vFile-open-missing", "vFile:open:2f6e6f6e65,0,0"),
        ("vFile-pread-bad-fd", "vFile:pread:99,10,0"), ("vFile-pread-bad", "vFile:pread:0,zz"),
        ("vFile-close-bad", "vFile:close:zz"), ("vFile-fstat-bad-fd", "vFile:fstat:5"),
        ("vFile-unlink", "vFile:unlink:2f746d70"), ("vFile-setfs-bad", "vFile:setfs:zz"),
    ]:
        expect(c, name, pkt, r"F-1,[0-9a-f]+")
    expect(c, "vFile-setfs", "vFile:setfs:0", r"F0")
    expect(c, "vFile-open", "vFile:open:%s,0,0" % b"/proc/1/cmdline".hex(), r"F0")
    expect(c, "vFile-pread", "vFile:pread:0,100,0", r"F[0-9a-f]+;.*basic.*")
    expect(c, "vFile-fstat", "vFile:fstat:0", r"F40;.*")
    expect(c, "vFile-close", "vFile:close:0", r"F0")
    expect(c, "vFile-closed", "vFile:pread:0,100,0", r"F-1,9")
    expect(c, "threads", "qfThreadInfo", r"mp1\.1")
    expect(c, "threads-end", "qsThreadInfo", r"l")
    expect(c, "thread-alive", "Tp1.1", r"OK")
    expect(c, "vCont?", "vCont?", r"vCont;c;C;s;S")
    # Memory round trip through M and X (binary, with escaped bytes).
    rsp = c.ask("p7")
    sp = int.from_bytes(bytes.fromhex(rsp), "little") - 256
    expect(c, "M", "M%x,4:01020304" % sp, r"OK")
    expect(c, "m-after-M", "m%x,4" % sp, r"01020304")
    c.send(b"X%x,4:}\x03}\x04}]}\x0a" % sp)
    c.read_ack()
    check("X", c.read_packet() == "OK")
    expect(c, "m-after-X", "m%x,4" % sp, r"23247d2a")
    expect(c, "X-probe", "X%x,0:" % sp, r"OK")
    # A step really moves rip; then no-ack mode, and the stub still serves.
    rip = c.ask("p10")
    c.send("vCont;s:p1.1")
    c.read_ack()
    stop = c.read_packet()
    check("step-stops", stop.startswith("T05thread:p1.1;"), stop)
    expect(c, "step-moved-rip", "p10", r"(?!%s)[0-9a-f]{16}" % rip)
    expect(c, "no-ack", "QStartNoAckMode", r"OK")
    c.send("qC")
    reply = c.read_packet()
    check("no-ack-serves", reply == "QCp1.1", reply)
    c.send("vKill;1")
    reply = c.read_packet()
    check("vKill", reply == "OK", reply)
    sock.close()
    print("raw client: %d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
