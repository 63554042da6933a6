#!/usr/bin/env python3
"""netplugd-memif-evil.py SOCKET CASE — a hostile memif client for netplugd's tests.
Speaks just enough of memif 2.0 to reach the validation under test, then reports what netplugd
did: prints "disconnected: <reason>" when netplugd sent DISCONNECT (or closed), "connected"
when it accepted the whole handshake."""
import fcntl, os, socket, struct, sys

ACK, HELLO, INIT, ADD_REGION, ADD_RING, CONNECT, CONNECTED, DISCONNECT = 1, 2, 3, 4, 5, 6, 7, 8
COOKIE = 0x3E31F20

def msg(t, body=b""):
    return (struct.pack("<H", t) + body).ljust(128, b"\0")

def recv(s):
    data, fds, _, _ = socket.recv_fds(s, 128, 4)
    if not data:
        return None, b""
    return struct.unpack_from("<H", data)[0], data[2:]

def send(s, t, body=b"", fds=()):
    if fds:
        socket.send_fds(s, [msg(t, body)], list(fds))
    else:
        s.send(msg(t, body))

def expect_ack(s):
    t, body = recv(s)
    if t == DISCONNECT:
        code, = struct.unpack_from("<I", body)
        print("disconnected:", body[4:100].split(b"\0")[0].decode())
        sys.exit(0)
    if t is None:
        print("disconnected: closed")
        sys.exit(0)
    return t

def main():
    path, case = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    t, _ = recv(s)
    assert t == HELLO, t
    mid = 7 if case == "bad-id" else 0
    ver = 0x0100 if case == "bad-version" else 0x0200
    send(s, INIT, struct.pack("<HIB", ver, mid, 0) + b"\0" * 24 + b"evil".ljust(32, b"\0"))
    expect_ack(s)
    size = 1 << 16
    fd = os.memfd_create("evil", os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    announced = size * 4 if case == "region-too-big" else size
    if case == "region-no-fd":
        send(s, ADD_REGION, struct.pack("<HQ", 0, announced))
    else:
        send(s, ADD_REGION, struct.pack("<HQ", 0, announced), [fd])
    expect_ack(s)
    # ring header + 256 descriptors at offset 0
    ring_off = size - 1024 if case == "ring-outside" else 0
    log2 = 8
    hdr = struct.pack("<IHH", COOKIE, 0, 0)
    os.pwrite(fd, hdr, 0)
    os.pwrite(fd, hdr, 8192)
    efd = os.eventfd(0) if hasattr(os, "eventfd") else os.dup(fd)
    region = 3 if case == "ring-bad-region" else 0
    send(s, ADD_RING, struct.pack("<HHHIBH", 1, 0, region, ring_off, log2, 0), [efd])
    expect_ack(s)
    send(s, ADD_RING, struct.pack("<HHHIBH", 0, 0, 0, 8192, log2, 0), [efd])
    expect_ack(s)
    send(s, CONNECT, b"evil".ljust(32, b"\0"))
    t = expect_ack(s)
    if t != CONNECTED:
        print("unexpected", t)
        sys.exit(1)
    if case == "bad-desc":
        # one c2s descriptor pointing far outside the region, head advanced past it
        desc = struct.pack("<HHIII", 0, 0, 64, size * 8, 0)
        os.pwrite(fd, desc, 128)
        os.pwrite(fd, struct.pack("<H", 1), 6)  # c2s ring head = 1
        import time
        time.sleep(0.5)
        tail = struct.unpack("<H", os.pread(fd, 2, 64))[0]
        print("connected; tail", tail)
        return
    print("connected")

main()
