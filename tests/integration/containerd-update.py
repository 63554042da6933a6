#!/usr/bin/python3
"""containerd-update.py SOCKET NAMESPACE ID RESOURCES.json: the Tasks/Update call of containerd's
API, which `ctr` (1.6) has no command for. The request is encoded by hand (three fields), so
only Debian's python3-grpcio is needed, not containerd's generated stubs. Exits 1 with
containerd's error message when the call fails."""
import sys
import grpc

# UpdateTaskRequest { string container_id = 1; google.protobuf.Any resources = 2; }
# The Any holds a runtime-spec LinuxResources as JSON, under the type URL containerd's client
# registers for it (typeurl: "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources").
TYPE_URL = b"types.containerd.io/opencontainers/runtime-spec/1/LinuxResources"


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: containerd-update.py SOCKET NAMESPACE ID RESOURCES.json")
    sock, ns, cid, path = sys.argv[1:]
    with open(path, "rb") as f:
        resources = f.read()
    request = field(1, cid.encode()) + field(2, field(1, TYPE_URL) + field(2, resources))
    with grpc.insecure_channel("unix://" + sock) as channel:
        update = channel.unary_unary("/containerd.services.tasks.v1.Tasks/Update")
        try:
            update(request, metadata=[("containerd-namespace", ns)], timeout=30)
        except grpc.RpcError as e:
            print("update failed: %s" % e.details(), file=sys.stderr)
            sys.exit(1)


main()
