#!/usr/bin/env bats
# netplugd ethdev ports, tested with a vdev stand-in (net_ring: what it transmits it receives),
# cross-connected with a testpmd memif client; PCI devices outside the allow-list are refused.
load helpers
load netplugd-helpers

setup() {
  [ -x "$NETPLUGD" ] || skip "netplugd not built (no DPDK)"
  command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed"
  NPD_DIR=$(mktemp -d /tmp/npd.XXXXXX)
  npd_start
}

teardown() {
  tp_stop A
  npd_stop
  rm -rf "$NPD_DIR"
}

@test "netplugd ethdev: net_ring vdev port loops traffic back to a memif client through an xconnect" {
  ctl port add r0 --type ethdev --devargs net_ring0
  ctl port add a --type memif
  ctl xconnect a r0
  run ctl --json port add x --type ethdev --devargs 0000:00:01.0
  assert_output --partial '"code":"invalid"'
  run ctl --json port add r1 --type ethdev --devargs net_ring0
  assert_output --partial '"code":"exists"'
  tp_start A "$NPD_DIR/sock/a.sock,mac=02:00:00:00:0a:0a"
  wait_for port_state_is a up
  tp_cmd A "start tx_first 2"
  wait_eq 64 npd_counter a tx_packets
  tp_cmd A stop
  [ "$(npd_counter r0 tx_packets)" = 64 ]
  [ "$(npd_counter r0 rx_packets)" = 64 ]
  [ "$(tp_stat A rx)" = 64 ]
  # the vdev is hot-unplugged with its port and can be added again
  ctl detach r0
  ctl port del r0
  ctl port add r0 --type ethdev --devargs net_ring0
}
