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
  NS_A=npdtap-a-$$ NS_B=npdtap-b-$$
  TAP_A=npdta$$ TAP_B=npdtb$$
  ip netns add "$NS_A"
  ip netns add "$NS_B"
  npd_start
}

teardown() {
  npd_stop
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
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
