#!/usr/bin/env bats
# netplug mode sriov with a netdev VF: a fake PCI tree whose VF net/ entries are real veths,
# moved into real netns; VF settings through the recording fake backend.
load helpers
load netplug-common

setup() { np_setup; np_vf 0; np_netns pod; POD=$NSPATH; }
teardown() { np_teardown; }

@test "netplug sriov: ADD moves the VF into the pod, renames, addresses, routes; DEL restores it" {
  conf=$(np_conf 1.1.0 '"vlan":100,"vlanQoS":3,"spoofchk":"off","trust":"on","link_state":"enable","min_tx_rate":10,"max_tx_rate":100,"mtu":1400,"mac":"02:aa:bb:cc:dd:01"')
  run cni ADD c1 net1 "$POD" "$conf"
  assert_success
  result=$output
  echo "$output" | jq -e '.cniVersion == "1.1.0"'
  echo "$output" | jq -e '.interfaces[0].name == "net1" and .interfaces[0].sandbox == "'"$POD"'" and .interfaces[0].pciID == "'"$VF"'"'
  echo "$output" | jq -e '.interfaces[0].mac == "02:aa:bb:cc:dd:01" and .interfaces[0].mtu == 1400'
  echo "$output" | jq -e '.ips[0].interface == 0 and (.ips[0].address | startswith("10.77."))'
  addr=$(echo "$output" | jq -r '.ips[0].address')
  # the netdev is gone from the host and lives in the pod, up, with MAC, MTU, address, route
  run ip link show "$VFDEV"
  assert_failure
  run ip -n "npcni-pod-$ID" -o link show net1
  assert_success
  assert_output --partial "mtu 1400"
  assert_output --partial "02:aa:bb:cc:dd:01"
  assert_output --partial "UP"
  run ip -n "npcni-pod-$ID" -o addr show net1
  assert_output --partial "$addr"
  run ip -n "npcni-pod-$ID" route show default
  assert_output --partial "dev net1"
  # traffic: the pod reaches the peer end of the "VF"
  ip -n "npcni-peer-$ID" addr add "${addr%.*}.200/24" dev "$PEER"
  ip netns exec "npcni-pod-$ID" busybox ping -c1 -W2 "${addr%.*}.200"
  # VF settings applied through the PF
  [ "$(vf_field 0 vlan)" = 100 ]
  [ "$(vf_field 0 qos)" = 3 ]
  [ "$(vf_field 0 spoofchk)" = 0 ]
  [ "$(vf_field 0 trust)" = 1 ]
  [ "$(vf_field 0 link_state)" = 1 ]
  [ "$(vf_field 0 max_tx_rate)" = 100 ]
  [ "$(vf_field 0 mac)" = 02:aa:bb:cc:dd:01 ]
  [ -f "$NETPLUG_CACHE_DIR/c1-net1.json" ]

  # CHECK with the ADD result as prevResult, as libcni does; a second ADD is refused
  run cni CHECK c1 net1 "$POD" "$(echo "$conf" | jq -c --argjson p "$result" '. + {prevResult: $p}')"
  assert_success
  run cni ADD c1 net1 "$POD" "$conf"
  assert_failure
  echo "$output" | jq -e '.code >= 100'
  run cni DEL c1 net1 "$POD" "$conf"
  assert_success
  assert_output ""
  # back in the host with its name, MAC and MTU; VF settings restored to the defaults
  run ip -o link show "$VFDEV"
  assert_success
  assert_output --partial "mtu 1500"
  assert_output --partial "02:00:00:00:00:01"
  run ip -n "npcni-pod-$ID" link show net1
  assert_failure
  [ "$(vf_field 0 vlan)" = 0 ]
  [ "$(vf_field 0 spoofchk)" = 1 ]
  [ "$(vf_field 0 trust)" = 0 ]
  [ "$(vf_field 0 max_tx_rate)" = 0 ]
  [ "$(vf_field 0 mac)" = 00:00:00:00:00:00 ]
  [ ! -e "$NETPLUG_CACHE_DIR/c1-net1.json" ]
  # the address went back to the pool
  run ls "$T/ipam/npcni-net"
  refute_output --partial "10.77."
}

@test "netplug sriov: every cniVersion gets its own result format" {
  for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
    conf=$(np_conf "$v")
    run cni ADD "cv$v" net1 "$POD" "$conf"
    assert_success
    echo "$output" | jq -e --arg v "$v" '.cniVersion == $v and .interfaces[0].name == "net1" and (.ips | length) == 1'
    case $v in
      0.*) echo "$output" | jq -e '.ips[0].version == "4" and (.interfaces[0] | has("pciID") | not) and (.interfaces[0] | has("mtu") | not)' ;;
      1.0.0) echo "$output" | jq -e '(.ips[0] | has("version") | not) and (.interfaces[0] | has("pciID") | not)' ;;
      1.1.0) echo "$output" | jq -e '(.ips[0] | has("version") | not) and .interfaces[0].pciID == "'"$VF"'" and .interfaces[0].mtu == 1500' ;;
    esac
    if [ "$v" != 0.3.0 ] && [ "$v" != 0.3.1 ]; then
      run cni CHECK "cv$v" net1 "$POD" "$(echo "$conf" | jq -c --argjson p "$output" '. + {prevResult: $p}')"
      assert_success
    fi
    run cni DEL "cv$v" net1 "$POD" "$conf"
    assert_success
    ip link show "$VFDEV" >/dev/null
  done
}

@test "netplug sriov: DEL is idempotent: repeated, without cache, with the netns gone" {
  conf=$(np_conf)
  run cni DEL never net1 "$POD" "$conf"          # nothing was ever added
  assert_success
  assert_output ""
  run cni DEL never net1 "" "$conf"              # CNI_NETNS may be empty on DEL
  assert_success
  run cni ADD c1 net1 "$POD" "$conf"
  assert_success
  for i in 1 2 3; do
    run cni DEL c1 net1 "$POD" "$conf"
    assert_success
  done
  ip link show "$VFDEV" >/dev/null
  run cni ADD c2 net1 "$POD" "$conf"
  assert_success
  ip netns del "npcni-pod-$ID"                    # the pod's netns disappears first
  run cni DEL c2 net1 "$POD" "$conf"
  assert_success
  [ ! -e "$NETPLUG_CACHE_DIR/c2-net1.json" ]
  run cni DEL c2 net1 "$POD" "$conf"
  assert_success
  # the address was released even though the netns was gone
  run bash -c "ls '$T/ipam/npcni-net' | grep -c '^10\\.'"
  assert_output 0
}

@test "netplug sriov: an ADD failure at each step leaves nothing behind" {
  conf=$(np_conf 1.1.0 '"vlan":300,"spoofchk":"off","trust":"on","mtu":1400,"mac":"02:aa:bb:cc:dd:02"')
  ip link property add dev "$VFDEV" altname "npcalt$ID"
  before=$(ip -o link show "$VFDEV" | sed 's/^[0-9]*: //')
  for n in 1 2 3 4 5 6 7; do
    NETPLUG_DEBUG_FAIL_AFTER=$n run cni ADD "f$n" net1 "$POD" "$conf"
    assert_failure
    echo "$output" | jq -e --arg n "$n" '.code == 199 and (.msg | contains("step " + $n))'
    # the netdev is back in the host exactly as it was (name, MAC, MTU, altname, down)
    [ "$(ip -o link show "$VFDEV" | sed 's/^[0-9]*: //')" = "$before" ]
    run ip -o link show "$VFDEV"
    assert_output --partial "altname npcalt$ID"
    [ "$(ip -n "npcni-pod-$ID" -o link show | wc -l)" = 1 ]
    [ ! -e "$NETPLUG_CACHE_DIR/f$n-net1.json" ]
    if [ -f "$T/vf.json" ]; then
      [ "$(vf_field 0 vlan)" = 0 ]
      [ "$(vf_field 0 spoofchk)" = 1 ]
      [ "$(vf_field 0 trust)" = 0 ]
      [ "$(vf_field 0 mac)" = 00:00:00:00:00:00 ]
    fi
    run bash -c "ls '$T/ipam/npcni-net' 2>/dev/null | grep -c '^10\\.'"
    assert_output 0
  done
  # and after all that, a clean ADD works even though a pod device is named like the VF's
  # stale altname; the altname is dropped for the pod's life and restored on DEL
  ip -n "npcni-pod-$ID" link add "npcalt$ID" type veth peer name "npcaq$ID"
  run cni ADD ok net1 "$POD" "$conf"
  assert_success
  assert_success
  run ip -n "npcni-pod-$ID" -o link show net1
  refute_output --partial altname
  run cni DEL ok net1 "$POD" "$conf"
  assert_success
  run ip -o link show "$VFDEV"
  assert_output --partial "altname npcalt$ID"
}

@test "netplug sriov: a VF setting the PF refuses rolls back the earlier ones" {
  conf=$(np_conf 1.1.0 '"vlan":300,"spoofchk":"off","trust":"on"')
  NETPLUG_FAKE_VF_FAIL=set_trust run cni ADD c1 net1 "$POD" "$conf"
  assert_failure
  echo "$output" | jq -e '.code == 101'
  [ "$(vf_field 0 vlan)" = 0 ]
  [ "$(vf_field 0 spoofchk)" = 1 ]
  ip link show "$VFDEV" >/dev/null
}

@test "netplug sriov: concurrent ADDs for different pods, and two pods racing for one VF" {
  np_vf 1; np_vf 2; np_vf 3
  for i in 0 1 2 3; do np_netns "p$i"; done
  for i in 0 1 2 3; do
    VF=0000:3b:02.$i
    cni ADD "cc$i" net1 "/run/netns/npcni-p$i-$ID" "$(np_conf)" >"$T/out$i" &
  done
  wait
  for i in 0 1 2 3; do
    jq -e '.interfaces[0].name == "net1"' "$T/out$i"
    ip -n "npcni-p$i-$ID" link show net1 >/dev/null
  done
  [ "$(jq -r '.ips[0].address' "$T"/out? | sort -u | wc -l)" = 4 ]
  for i in 0 1 2 3; do cni DEL "cc$i" net1 "/run/netns/npcni-p$i-$ID" "$(np_conf)"; done
  # two pods, one VF: the flock serialises them, exactly one wins
  VF=0000:3b:02.1
  np_netns ra; np_netns rb
  cni ADD ra net1 "/run/netns/npcni-ra-$ID" "$(np_conf)" >"$T/ra" &
  cni ADD rb net1 "/run/netns/npcni-rb-$ID" "$(np_conf)" >"$T/rb" &
  wait || true
  [ "$(cat "$T/ra" "$T/rb" | jq -s '[.[] | select(.interfaces)] | length')" = 1 ]
  [ "$(cat "$T/ra" "$T/rb" | jq -s '[.[] | select(.code == 100)] | length')" = 1 ]
  cni DEL ra net1 "/run/netns/npcni-ra-$ID" "$(np_conf)"
  cni DEL rb net1 "/run/netns/npcni-rb-$ID" "$(np_conf)"
  ip link show npcv1$ID >/dev/null
}

@test "netplug sriov: error codes for malformed stdin, bad env, unknown mode, missing deviceID" {
  conf=$(np_conf)
  run cni ADD c1 net1 "$POD" '{"cniVersion":'
  assert_failure; echo "$output" | jq -e '.code == 6'
  run cni ADD c1 net1 "$POD" '{"cniVersion":"1.1.0","name":"n","type":"netplug","mode":"carrier-pigeon"}'
  assert_failure; echo "$output" | jq -e '.code == 7 and (.msg | contains("carrier-pigeon"))'
  run cni ADD c1 net1 "$POD" '{"cniVersion":"1.1.0","name":"n","type":"netplug"}'
  assert_failure; echo "$output" | jq -e '.code == 7 and (.msg | contains("deviceID"))'
  run cni ADD c1 net1 "$POD" '{"cniVersion":"0.2.0","name":"n","type":"netplug","deviceID":"'"$VF"'"}'
  assert_failure; echo "$output" | jq -e '.code == 1'
  run cni ADD c1 net1 "$POD" '{"cniVersion":"1.1.0","name":"n","type":"netplug","deviceID":"0000:3b:0f.0"}'
  assert_failure; echo "$output" | jq -e '.code == 100'
  run cni ADD "" net1 "$POD" "$conf"
  assert_failure; echo "$output" | jq -e '.code == 4 and (.msg | contains("CNI_CONTAINERID"))'
  run cni ADD "bad/id" net1 "$POD" "$conf"
  assert_failure; echo "$output" | jq -e '.code == 4'
  run cni ADD c1 "this-name-is-too-long" "$POD" "$conf"
  assert_failure; echo "$output" | jq -e '.code == 4 and (.msg | contains("CNI_IFNAME"))'
  run cni ADD c1 net1 "" "$conf"
  assert_failure; echo "$output" | jq -e '.code == 4 and (.msg | contains("CNI_NETNS"))'
  run cni ADD c1 net1 /run/netns/npcni-absent "$conf"
  assert_failure; echo "$output" | jq -e '.code == 3'
  run cni ADD c1 net1 "$POD" "$conf" "FOO=bar"
  assert_failure; echo "$output" | jq -e '.code == 4 and (.msg | contains("FOO"))'
  run cni NOPE c1 net1 "$POD" "$conf"
  assert_failure; echo "$output" | jq -e '.code == 4'
  run env -u CNI_PATH CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_IFNAME=net1 CNI_NETNS="$POD" "$NETPLUG" <<<"$conf"
  assert_failure; echo "$output" | grep '^{' | jq -e '.code == 4'
  # nothing of that touched the VF
  ip link show "$VFDEV" >/dev/null
  [ ! -e "$T/vf.json" ]
}

@test "netplug sriov: VERSION, STATUS, CNI_ARGS MAC, runtimeConfig, static IPAM, prevResult pass-through" {
  run cni VERSION "" "" "" '{"cniVersion":"0.4.0"}'
  assert_success
  echo "$output" | jq -e '.cniVersion == "0.4.0" and .supportedVersions == ["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
  run cni STATUS "" "" "" "$(np_conf)"
  assert_success
  conf='{"cniVersion":"1.1.0","name":"npcni-st","type":"netplug","pciBusID":"'"${VF#0000:}"'",
         "runtimeConfig":{"mtu":1500},
         "prevResult":{"cniVersion":"1.1.0","interfaces":[{"name":"lo0"}],"ips":[{"address":"192.0.2.9/32","interface":0}]},
         "ipam":{"type":"static","addresses":[{"address":"10.78.0.5/24","gateway":"10.78.0.1"},{"address":"fd78::5/64"}],
                 "routes":[{"dst":"10.79.0.0/16"}]}}'
  run cni ADD c1 net1 "$POD" "$conf" "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;MAC=02:12:34:56:78:9a;FOO=1"
  assert_success
  echo "$output" | jq -e '.interfaces[0].name == "lo0" and .interfaces[1].name == "net1" and .interfaces[1].mac == "02:12:34:56:78:9a"'
  echo "$output" | jq -e '.ips[0].address == "192.0.2.9/32" and .ips[1].interface == 1 and .ips[1].address == "10.78.0.5/24" and .ips[2].address == "fd78::5/64"'
  # CHECK at 1.1.0 with the final result: static (which stops at 1.0.0) gets a converted prevResult
  run cni CHECK c1 net1 "$POD" "$(echo "$conf" | jq -c --argjson p "$output" '.prevResult = $p')" "IgnoreUnknown=1;MAC=02:12:34:56:78:9a"
  assert_success
  run ip -n "npcni-pod-$ID" -o addr show net1
  assert_output --partial 10.78.0.5/24
  assert_output --partial fd78::5/64
  run ip -n "npcni-pod-$ID" route show 10.79.0.0/16
  assert_output --partial "via 10.78.0.1 dev net1"
  [ "$(vf_field 0 mac)" = 02:12:34:56:78:9a ]
  run cni DEL c1 net1 "$POD" "$conf"
  assert_success
  [ "$(vf_field 0 mac)" = 00:00:00:00:00:00 ]
  run ip -o link show "$VFDEV"
  assert_output --partial 02:00:00:00:00:01
}

@test "netplug sriov: GC removes stale attachments (valid-attachments and the older attachments key)" {
  np_vf 1; np_vf 2
  np_netns p1; np_netns p2
  VF=0000:3b:02.0; cni ADD keep net1 "$POD" "$(np_conf)" >/dev/null
  VF=0000:3b:02.1; cni ADD stale1 net1 "/run/netns/npcni-p1-$ID" "$(np_conf)" >/dev/null
  VF=0000:3b:02.2; cni ADD stale2 net1 "/run/netns/npcni-p2-$ID" "$(np_conf)" >/dev/null
  [ "$(ls "$T/ipam/npcni-net" | grep -c '^10\.')" = 3 ]
  gc=$(np_conf | jq -c '. + {"cni.dev/valid-attachments":[{"containerID":"keep","ifname":"net1"},{"containerID":"stale2","ifname":"net1"}]}')
  run cni GC "" "" "" "$gc"
  assert_success
  [ ! -e "$NETPLUG_CACHE_DIR/stale1-net1.json" ]
  [ -e "$NETPLUG_CACHE_DIR/stale2-net1.json" ]
  ip link show npcv1$ID >/dev/null          # stale1's VF is back in the host
  ip -n "npcni-pod-$ID" link show net1 >/dev/null
  [ "$(ls "$T/ipam/npcni-net" | grep -c '^10\.')" = 2 ]
  gc=$(np_conf | jq -c '. + {"cni.dev/attachments":[{"containerID":"keep","ifname":"net1"}]}')
  run cni GC "" "" "" "$gc"
  assert_success
  [ ! -e "$NETPLUG_CACHE_DIR/stale2-net1.json" ]
  ip link show npcv2$ID >/dev/null
  [ -e "$NETPLUG_CACHE_DIR/keep-net1.json" ]
  # GC needs 1.1.0
  run cni GC "" "" "" "$(np_conf 1.0.0)"
  assert_failure
  echo "$output" | jq -e '.code == 1'
  cni DEL keep net1 "$POD" "$(np_conf)"
}

@test "netplug sriov: ADD announces its addresses: gratuitous ARP and unsolicited NA reach the wire" {
  # a raw capture on the far end of the "VF" for 4 seconds
  ip netns exec "npcni-peer-$ID" python3 - "$PEER" >"$T/cap" 2>&1 <<'PY' &
import socket, struct, sys, time, ipaddress
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); s.bind((sys.argv[1], 0)); s.settimeout(0.2)
print("ready", flush=True); end = time.time() + 4
while time.time() < end:
    try: f = s.recv(2048)
    except socket.timeout: continue
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x0806 and struct.unpack("!H", f[20:22])[0] == 1 and f[28:32] == f[38:42]:
        print("garp", ipaddress.IPv4Address(f[28:32]), flush=True)
    if et == 0x86dd and f[20] == 58 and f[54] == 136:
        print("na", ipaddress.IPv6Address(f[62:78]), flush=True)
PY
  cap=$!
  wait_for 30 grep -q ready "$T/cap"
  conf='{"cniVersion":"1.1.0","name":"npcni-an","type":"netplug","deviceID":"'"$VF"'",
         "ipam":{"type":"static","addresses":[{"address":"10.79.1.5/24"},{"address":"fd79::5/64"}]}}'
  run cni ADD an net1 "$POD" "$conf"
  assert_success
  wait "$cap" || true
  run cat "$T/cap"
  assert_output --partial "garp 10.79.1.5"
  assert_output --partial "na fd79::5"
  cni DEL an net1 "$POD" "$conf"
}

@test "netplug sriov: the real netlink VF backend reads IFLA_VFINFO_LIST and refuses a PF without that VF" {
  # the fake tree's PF netdev is a real link here, but it has no VFs for the kernel to report
  ip link add "npcpf$ID" type veth peer name "npcpq$ID"
  LINKS+=("npcpf$ID")
  unset NETPLUG_VFOPS
  run cni ADD nl1 net1 "$POD" "$(np_conf 1.1.0 '"vlan":5')"
  assert_failure
  echo "$output" | jq -e '.code == 100 and (.msg | contains("IFLA_VFINFO_LIST")) and (.msg | contains("npcpf'"$ID"'"))'
  ip link show "$VFDEV" >/dev/null
  [ ! -e "$NETPLUG_CACHE_DIR/nl1-net1.json" ]
  run bash -c "ls '$T/ipam/npcni-net' 2>/dev/null | grep -c '^10\\.'"
  assert_output 0
}

@test "netplug sriov: hostile stdin always yields one JSON error object, never a crash" {
  inputs=(
    ''
    'null'
    '[]'
    '"str"'
    '{"cniVersion":1}'
    '{"cniVersion":"1.1.0","name":"n","type":"netplug","deviceID":"'"$VF"'","runtimeConfig":[]}'
    '{"cniVersion":"1.1.0","name":"n","type":"netplug","deviceID":"'"$VF"'","ipam":"host-local"}'
    '{"cniVersion":"1.1.0","name":"n","type":"netplug","deviceID":"'"$VF"'","prevResult":{"ips":[{"address":7}]}}'
    '{"cniVersion":"1.1.0","name":"n","type":"netplug","deviceID":"'"$VF"'","mtu":"big"}'
    '{"cniVersion":"1.1.0","name":"n","type":"netplug","deviceID":"'"$VF"'","vlan":-1}'
    '{"cniVersion":"1.1.0","name":"n","type":"netplug","deviceID":"'"$VF"'","ipam":{"type":"no-such-ipam"}}'
    "$(printf '{"a":%.0s' $(seq 3000))"
    "$(printf '{"cniVersion":"1.1.0","name":"\xff\xfe","type":"netplug"}')"
  )
  for i in "${!inputs[@]}"; do
    run cni ADD "h$i" net1 "$POD" "${inputs[$i]}"
    [ "$status" -eq 1 ] || { echo "input $i: status $status: $output"; false; }
    echo "$output" | jq -e '(.code | type) == "number" and (.msg | type) == "string" and (.cniVersion | type) == "string"' >/dev/null ||
      { echo "input $i: not a CNI error: $output"; false; }
  done
  ip link show "$VFDEV" >/dev/null
}

@test "netplug sriov: DEL after the netns died finds the VF the kernel handed back under another name" {
  conf=$(np_conf 1.1.0 '"mtu":1400,"mac":"02:aa:bb:cc:dd:03","vlan":9')
  run cni ADD c1 net1 "$POD" "$conf"
  assert_success
  # What the kernel does to a physical VF when its netns is destroyed: it comes back to the
  # host netns, down, possibly renamed (dev%d) - and sysfs shows the new name.
  ip -n "npcni-pod-$ID" link set net1 netns 1 name "npcrt$ID"
  mv "$SYS/bus/pci/devices/$VF/net/$VFDEV" "$SYS/bus/pci/devices/$VF/net/npcrt$ID"
  ip netns del "npcni-pod-$ID"
  run cni DEL c1 net1 "$POD" "$conf"
  assert_success
  mv "$SYS/bus/pci/devices/$VF/net/npcrt$ID" "$SYS/bus/pci/devices/$VF/net/$VFDEV"
  run ip -o link show "$VFDEV"
  assert_success
  assert_output --partial "mtu 1500"
  assert_output --partial 02:00:00:00:00:01
  run ip link show "npcrt$ID"
  assert_failure
  [ "$(vf_field 0 vlan)" = 0 ]
  [ "$(vf_field 0 mac)" = 00:00:00:00:00:00 ]
}
