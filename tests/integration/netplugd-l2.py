#!/usr/bin/env python3
"""netplugd-l2.py — raw Ethernet frames for netplugd's VLAN tests (ethertype 0x88b5).
  send IFACE SRCMAC [VLAN]   send one broadcast frame, 802.1Q-tagged when VLAN is given
  recv IFACE SECONDS         print "vlan=<id|none> src=<mac>" for the first 0x88b5 frame, or "none"
The kernel may move a received tag into packet metadata, so PACKET_AUXDATA is read too."""
import socket, struct, sys, select, time

ETH_P_ALL, ETHERTYPE, SOL_PACKET, PACKET_AUXDATA = 0x0003, 0x88B5, 263, 8
TP_STATUS_VLAN_VALID = 1 << 4

def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))

def send(iface, src, vlan=None):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    hdr = b"\xff" * 6 + mac(src)
    if vlan is not None:
        hdr += struct.pack("!HH", 0x8100, int(vlan))
    s.send(hdr + struct.pack("!H", ETHERTYPE) + b"netplugd-vlan-test".ljust(46, b"\0"))

def recv(iface, seconds):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((iface, 0))
    end = time.time() + float(seconds)
    while time.time() < end:
        if not select.select([s], [], [], max(0, end - time.time()))[0]:
            break
        data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(32))
        vlan = None
        for level, typ, val in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA:
                status, _, _, _, _, tci, _ = struct.unpack_from("IIIHHHH", val)
                if status & TP_STATUS_VLAN_VALID:
                    vlan = tci & 0xfff
        etype = struct.unpack_from("!H", data, 12)[0]
        if etype == 0x8100:
            vlan = struct.unpack_from("!H", data, 14)[0] & 0xfff
            etype = struct.unpack_from("!H", data, 16)[0]
        if etype == ETHERTYPE:
            print("vlan=%s src=%s" % ("none" if vlan is None else vlan, ":".join("%02x" % b for b in data[6:12])))
            return
    print("none")

if sys.argv[1] == "send":
    send(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
else:
    recv(sys.argv[2], sys.argv[3])
