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
