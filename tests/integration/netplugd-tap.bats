#!/usr/bin/env bats
# netplugd tap ports: kernel interfaces backed by the forwarder, moved into network namespaces
# (as netplug does for pods without DPDK); two namespaces ping each other through a bridge.
load helpers
load netplugd-helpers

setup() {
  [ -x "$NETPLUGD" ] || skip "netplugd not built (no DPDK)"
  [ -c /dev/net/tun ] || skip "no /dev/net/tun"
  [ -x /bin/busybox ] || skip "no busybox (ping)"
  NPD_DIR=$(mktemp -d /tmp/npd.XXXXXX)
  NS_A=npdtap-a-$$ NS_B=npdtap-b-$$ NS_C=npdtap-c-$$
  TAP_A=npdta$$ TAP_B=npdtb$$ TAP_C=npdtc$$
  ip netns add "$NS_A"
  ip netns add "$NS_B"
  ip netns add "$NS_C"
  npd_start
}

teardown() {
  npd_stop
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  ip netns del "$NS_C" 2>/dev/null || true
  rm -rf "$NPD_DIR"
}

@test "netplugd tap: two netns ping each other through a bridge network" {
  ctl network add brtap
  ctl port add ta --type tap --ifname "$TAP_A" --network brtap
  ctl port add tb --type tap --ifname "$TAP_B" --network brtap
  run ctl --json port add tc --type tap --ifname "$TAP_A"
  assert_output --partial '"code":"exists"'
  ip link set "$TAP_A" netns "$NS_A"
  ip link set "$TAP_B" netns "$NS_B"
  ip -n "$NS_A" addr add 10.213.0.1/24 dev "$TAP_A"
  ip -n "$NS_B" addr add 10.213.0.2/24 dev "$TAP_B"
  ip -n "$NS_A" link set "$TAP_A" up
  ip -n "$NS_B" link set "$TAP_B" up
  run ip netns exec "$NS_A" /bin/busybox ping -c 3 -W 2 10.213.0.2
  assert_success
  assert_output --partial "3 packets received"
  # 3 echo requests + ARP at least went a -> b
  [ "$(npd_counter ta rx_packets)" -ge 4 ]
  [ "$(npd_counter tb tx_packets)" -ge 4 ]
  run ctl --json network list
  assert_output --partial '"macs":2'
  # removing the port removes the kernel interface
  ctl port del ta
  run ip -n "$NS_A" link show "$TAP_A"
  assert_failure
}

@test "netplugd tap: a trunk port carries 802.1Q-tagged VLANs to access ports; VLANs stay apart" {
  l2() { ip netns exec "$1" python3 "$BATS_TEST_DIRNAME/netplugd-l2.py" "${@:2}"; }
  ctl network add brv
  ctl port add ta --type tap --ifname "$TAP_A" --network brv --vlan 10
  ctl raw "{\"op\":\"port-add\",\"name\":\"tb\",\"type\":\"tap\",\"ifname\":\"$TAP_B\",\"network\":\"brv\",\"trunk\":true}"
  ctl port add tc --type tap --ifname "$TAP_C" --network brv --vlan 20
  run ctl --json port show tb
  assert_output --partial '"trunk":true'
  ip link set "$TAP_A" netns "$NS_A"
  ip link set "$TAP_B" netns "$NS_B"
  ip link set "$TAP_C" netns "$NS_C"
  ip -n "$NS_A" link set "$TAP_A" up
  ip -n "$NS_B" link set "$TAP_B" up
  ip -n "$NS_C" link set "$TAP_C" up
  # access VLAN 10 -> trunk: tagged 10; VLAN 20 port sees nothing
  l2 "$NS_B" recv "$TAP_B" 3 >"$NPD_DIR/b.out" &
  local p1=$!
  l2 "$NS_C" recv "$TAP_C" 3 >"$NPD_DIR/c.out" &
  local p2=$!
  sleep 0.5
  l2 "$NS_A" send "$TAP_A" 02:00:00:00:0a:01
  wait "$p1" "$p2"
  [ "$(cat "$NPD_DIR/b.out")" = "vlan=10 src=02:00:00:00:0a:01" ]
  [ "$(cat "$NPD_DIR/c.out")" = none ]
  # trunk, tagged 20 -> only the VLAN 20 access port, untagged
  l2 "$NS_A" recv "$TAP_A" 3 >"$NPD_DIR/a.out" &
  p1=$!
  l2 "$NS_C" recv "$TAP_C" 3 >"$NPD_DIR/c.out" &
  p2=$!
  sleep 0.5
  l2 "$NS_B" send "$TAP_B" 02:00:00:00:0b:01 20
  wait "$p1" "$p2"
  [ "$(cat "$NPD_DIR/c.out")" = "vlan=none src=02:00:00:00:0b:01" ]
  [ "$(cat "$NPD_DIR/a.out")" = none ]
}
