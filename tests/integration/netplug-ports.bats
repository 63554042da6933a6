#!/usr/bin/env bats
# netplug modes memif / vhost-user / tap against a real netplugd (skipped only when netplugd
# is not built), plus the control-protocol error paths against a scripted fake daemon.
load helpers
load netplug-common

setup() { np_setup; np_netns pod; POD=$NSPATH; }
teardown() { np_npd_stop; [ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null; np_teardown; }

@test "netplug ports: memif on a bridge: socketPath, per-pod socket dir, device-info, CHECK, DEL" {
  np_npd_start
  npctl network add br0 --type bridge
  conf=$(np_pconf memif '"network":"br0"')
  run cni ADD c1 net1 "$POD" "$conf" "K8S_POD_INFRA_CONTAINER_ID=sandbox1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p"
  assert_success
  result=$output
  sock=$NETPLUG_PODS_DIR/sandbox1/net1.sock
  echo "$output" | jq -e --arg s "$sock" '.interfaces[0].name == "net1" and .interfaces[0].socketPath == $s'
  [ -S "$sock" ]
  run npctl --json port show c1-net1
  assert_success
  echo "$output" | jq -e '.result.type == "memif" and .result.network == "br0" and .result.owner.container_id == "c1" and .result.owner.sandbox == "sandbox1"'
  jq -e --arg s "$sock" '.type == "memif" and .memif.path == $s and .memif.role == "slave" and .memif.mode == "ethernet"' \
    "$NETPLUG_DEVINFO_DIR/c1-net1-device.json"
  run cni CHECK c1 net1 "$POD" "$(echo "$conf" | jq -c --argjson p "$result" '. + {prevResult: $p}')"
  assert_success
  run cni STATUS "" "" "" "$conf"
  assert_success
  run cni DEL c1 net1 "$POD" "$conf"
  assert_success
  run npctl port show c1-net1
  assert_failure
  [ ! -e "$sock" ]
  [ ! -d "$NETPLUG_PODS_DIR/sandbox1" ]
  [ ! -e "$NETPLUG_DEVINFO_DIR/c1-net1-device.json" ]
  run cni DEL c1 net1 "$POD" "$conf"
  assert_success
  # CHECK after DEL: the attachment is unknown
  run cni CHECK c1 net1 "$POD" "$conf"
  assert_failure
  echo "$output" | jq -e '.code == 3'
}

@test "netplug ports: memif with cniVersion 1.0.0 has no socketPath; the sandbox id defaults to the container id" {
  np_npd_start
  conf=$(np_pconf memif | jq -c '.cniVersion = "1.0.0"')
  run cni ADD c2 net1 "$POD" "$conf"
  assert_success
  echo "$output" | jq -e '.cniVersion == "1.0.0" and (.interfaces[0] | has("socketPath") | not)'
  [ -S "$NETPLUG_PODS_DIR/c2/net1.sock" ]
  run cni DEL c2 net1 "$POD" "$conf"
  assert_success
}

@test "netplug ports: vhost-user: netplugd is the client, the container the server" {
  np_npd_start
  conf=$(np_pconf vhost-user)
  run cni ADD v1 vhu0 "$POD" "$conf"
  if [[ $output == *"not supported by this build"* ]]; then skip "this netplugd build has no vhost-user ports"; fi
  assert_success
  echo "$output" | jq -e '.interfaces[0].socketPath == "'"$NETPLUG_PODS_DIR/v1/vhu0.sock"'"'
  jq -e '.type == "vhost-user" and .["vhost-user"].mode == "server"' "$NETPLUG_DEVINFO_DIR/v1-vhu0-device.json"
  run npctl --json port show v1-vhu0
  echo "$output" | jq -e '.result.type == "vhost-user" and .result.role == "client"'
  run cni DEL v1 vhu0 "$POD" "$conf"
  assert_success
  run npctl port show v1-vhu0
  assert_failure
}

@test "netplug ports: two tap pods on one netplugd bridge ping each other" {
  np_npd_start
  npctl network add br0 --type bridge
  np_netns pod2
  conf=$(np_pconf tap '"network":"br0","ipam":{"type":"host-local","dataDir":"'"$T/ipam"'","ranges":[[{"subnet":"10.66.0.0/24"}]]}')
  run cni ADD t1 eth1 "$POD" "$conf"
  assert_success
  a1=$(echo "$output" | jq -r '.ips[0].address')
  echo "$output" | jq -e '.interfaces[0].name == "eth1" and .interfaces[0].sandbox == "'"$POD"'" and .ips[0].interface == 0'
  run cni ADD t2 eth1 "/run/netns/npcni-pod2-$ID" "$conf"
  assert_success
  a2=$(echo "$output" | jq -r '.ips[0].address')
  run ip -n "npcni-pod-$ID" -o addr show eth1
  assert_output --partial "$a1"
  ip netns exec "npcni-pod-$ID" busybox ping -c2 -W2 "${a2%/*}"
  run cni CHECK t1 eth1 "$POD" "$conf"
  assert_success
  run cni DEL t1 eth1 "$POD" "$conf"
  assert_success
  run cni DEL t2 eth1 "/run/netns/npcni-pod2-$ID" "$conf"
  assert_success
  run ip -n "npcni-pod-$ID" link show eth1
  assert_failure
  [ "$(npctl --json port list | jq '.result.ports | length')" = 0 ]
  [ "$(ls "$T/ipam/npcni-tap" | grep -c '^10\.')" = 0 ]
}

@test "netplug ports: xconnect to a peer port" {
  np_npd_start
  run cni ADD xa net1 "$POD" "$(np_pconf memif)"
  assert_success
  run cni ADD xb net1 "$POD" "$(np_pconf memif '"xconnect":"xa-net1"')"
  assert_success
  run npctl --json network list
  echo "$output" | jq -e '[.result.networks[] | select(.type == "xconnect")] | length == 1'
  run cni DEL xb net1 "$POD" "$(np_pconf memif '"xconnect":"xa-net1"')"
  assert_success
  run cni DEL xa net1 "$POD" "$(np_pconf memif)"
  assert_success
  [ "$(npctl --json port list | jq '.result.ports | length')" = 0 ]
}

@test "netplug ports: an ADD failure at each step leaves no port, no tap, no address" {
  np_npd_start
  npctl network add br0 --type bridge
  conf=$(np_pconf tap '"network":"br0","ipam":{"type":"host-local","dataDir":"'"$T/ipam"'","ranges":[[{"subnet":"10.66.1.0/24"}]]}')
  for n in 1 2 3 4 5; do
    NETPLUG_DEBUG_FAIL_AFTER=$n run cni ADD "f$n" eth1 "$POD" "$conf"
    assert_failure
    echo "$output" | jq -e '.code == 199'
    [ "$(npctl --json port list | jq '.result.ports | length')" = 0 ]
    [ "$(ip -n "npcni-pod-$ID" -o link show | wc -l)" = 1 ]
    run bash -c "ls '$T/ipam/npcni-tap' 2>/dev/null | grep -c '^10\\.'"
    assert_output 0
  done
  mconf=$(np_pconf memif '"network":"br0"')
  for n in 1 2 3 4 5; do
    NETPLUG_DEBUG_FAIL_AFTER=$n run cni ADD "m$n" net1 "$POD" "$mconf" "K8S_POD_INFRA_CONTAINER_ID=sbm"
    assert_failure
    [ "$(npctl --json port list | jq '.result.ports | length')" = 0 ]
    [ ! -e "$NETPLUG_PODS_DIR/sbm" ]
    [ ! -e "$NETPLUG_DEVINFO_DIR/m$n-net1-device.json" ]
  done
}

@test "netplug ports: netplugd down: ADD 11, STATUS 50, DEL retried until it is back" {
  np_npd_start
  conf=$(np_pconf memif)
  run cni ADD d1 net1 "$POD" "$conf"
  assert_success
  np_npd_stop
  run cni ADD d2 net1 "$POD" "$conf"
  assert_failure
  echo "$output" | jq -e '.code == 11'
  run cni STATUS "" "" "" "$conf"
  assert_failure
  echo "$output" | jq -e '.code == 50'
  if [ -S "$NPD_CTL" ]; then   # stale socket: the daemon is installed but down, the port persists
    run cni DEL d1 net1 "$POD" "$conf"
    assert_failure
    echo "$output" | jq -e '.code == 11'
    [ -e "$NETPLUG_CACHE_DIR/d1-net1.json" ]
  fi
  np_npd_start                 # restores its persisted ports
  run cni DEL d1 net1 "$POD" "$conf"
  assert_success
  run npctl port show d1-net1
  assert_failure
  # a control socket that never existed: nothing to release, DEL succeeds
  run cni DEL d3 net1 "$POD" "$(np_pconf memif | jq -c '.controlSocket = "/run/npcni-none/ctl.sock"')"
  assert_success
  run cni STATUS "" "" "" "$(np_pconf memif | jq -c '.controlSocket = "/run/npcni-none/ctl.sock"')"
  echo "$output" | jq -e '.code == 50'
}

# A one-shot fake netplugd replying with $1 to every request.
fake_daemon() {
  NPD_CTL=$T/fake.sock
  python3 - "$NPD_CTL" "$1" <<'PY' &
import socket, sys, os
path, reply = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(path); s.listen(8)
while True:
    c, _ = s.accept(); buf = b""
    while not buf.endswith(b"\n"):
        d = c.recv(65536)
        if not d: break
        buf += d
    open(path + ".log", "ab").write(buf)
    c.sendall(reply.encode() + b"\n"); c.close()
PY
  FAKE_PID=$!
  local i; for i in $(seq 50); do [ -S "$NPD_CTL" ] && return 0; sleep 0.1; done
  return 1
}

@test "netplug ports: protocol error paths (no netplugd needed)" {
  fake_daemon '{"ok":false,"error":{"code":"limit","msg":"32 ports at most"}}'
  run cni ADD e1 net1 "$POD" "$(np_pconf memif)"
  assert_failure
  echo "$output" | jq -e '.code == 103 and (.msg | contains("limit")) and (.msg | contains("32 ports"))'
  [ ! -e "$NETPLUG_CACHE_DIR/e1-net1.json" ]
  # the request was one JSON line with the fields of PROTOCOL.md
  head -1 "$NPD_CTL.log" | jq -e '.op == "port-add" and .type == "memif" and .role == "server" and .name == "e1-net1" and (.socket | endswith("/e1/net1.sock")) and .owner.ifname == "net1"'
  kill "$FAKE_PID"; rm -f "$NPD_CTL"
  fake_daemon '{"ok":false,"error":{"code":"busy","msg":"try later"}}'
  run cni ADD e2 net1 "$POD" "$(np_pconf memif)"
  echo "$output" | jq -e '.code == 11'
  kill "$FAKE_PID"; rm -f "$NPD_CTL"
  fake_daemon 'this is not json'
  run cni ADD e3 net1 "$POD" "$(np_pconf memif)"
  echo "$output" | jq -e '.code == 103'
  run cni STATUS "" "" "" "$(np_pconf memif)"
  echo "$output" | jq -e '.code == 103'
  kill "$FAKE_PID"; rm -f "$NPD_CTL"
  fake_daemon '{"ok":true,"result":{"status":"degraded"}}'
  run cni STATUS "" "" "" "$(np_pconf memif)"
  assert_failure
  echo "$output" | jq -e '.code == 51'
  # sun_path: a socket path over 107 bytes is refused before netplugd is asked
  export NETPLUG_PODS_DIR=$T/$(printf 'x%.0s' $(seq 100))
  run cni ADD e4 net1 "$POD" "$(np_pconf memif)"
  assert_failure
  echo "$output" | jq -e '.code == 7 and (.msg | contains("sun_path"))'
}

@test "netplug ports: vhost-user request and device-info against a scripted daemon" {
  fake_daemon '{"ok":true,"result":{"name":"v2-vhu0","type":"vhost-user","state":"waiting"}}'
  conf=$(np_pconf vhost-user '"vhostRole":"server","ringSize":512')
  run cni ADD v2 vhu0 "$POD" "$conf"
  assert_success
  echo "$output" | jq -e '.interfaces[0].socketPath == "'"$NETPLUG_PODS_DIR/v2/vhu0.sock"'"'
  head -1 "$NPD_CTL.log" | jq -e '.op == "port-add" and .type == "vhost-user" and .role == "server" and .ring_size == 512'
  # netplugd is the server here, so the container's virtio_user is the client
  jq -e '.type == "vhost-user" and .["vhost-user"].mode == "client"' "$NETPLUG_DEVINFO_DIR/v2-vhu0-device.json"
  run cni DEL v2 vhu0 "$POD" "$conf"
  assert_success
  tail -1 "$NPD_CTL.log" | jq -e '.op == "port-del" and .name == "v2-vhu0"'
  [ ! -e "$NETPLUG_DEVINFO_DIR/v2-vhu0-device.json" ]
}

@test "netplug ports: GC removes stale ports, also those whose cache entry was lost" {
  np_npd_start
  conf=$(np_pconf memif)
  for c in g1 g2 g3; do run cni ADD "$c" net1 "$POD" "$conf" "K8S_POD_INFRA_CONTAINER_ID=sb$c"; assert_success; done
  rm "$NETPLUG_CACHE_DIR/g3-net1.json"           # a lost cache entry: only netplugd knows g3
  # another network's port is not ours to collect
  run cni ADD o1 net1 "$POD" "$(np_pconf memif | jq -c '.name = "npcni-other"')"
  assert_success
  run cni GC "" "" "" "$(echo "$conf" | jq -c '. + {"cni.dev/valid-attachments":[{"containerID":"g1","ifname":"net1"}]}')"
  assert_success
  run npctl --json port list
  echo "$output" | jq -e '[.result.ports[].name] | sort == ["g1-net1","o1-net1"]'
  [ ! -e "$NETPLUG_CACHE_DIR/g2-net1.json" ]
  [ ! -e "$NETPLUG_PODS_DIR/sbg2" ]
  [ ! -e "$NETPLUG_PODS_DIR/sbg3" ]
  [ -S "$NETPLUG_PODS_DIR/sbg1/net1.sock" ]
  # GC without the list is refused instead of wiping everything
  run cni GC "" "" "" "$conf"
  assert_failure
  echo "$output" | jq -e '.code == 7'
  [ "$(npctl --json port list | jq '.result.ports | length')" = 2 ]
}
