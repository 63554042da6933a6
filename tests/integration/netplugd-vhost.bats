#!/usr/bin/env bats
# netplugd vhost-user ports (rte_vhost, netplugd as client): a testpmd virtio_user server on
# the container side exchanges traffic with a testpmd memif client through a bridge.
load helpers
load netplugd-helpers

setup() {
  [ -x "$NETPLUGD" ] || skip "netplugd not built (no DPDK)"
  command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed"
  hugepages_reserve 40 || skip "cannot reserve 80 MiB of hugepages for virtio_user"
  NPD_DIR=$(mktemp -d /tmp/npd.XXXXXX)
  npd_start
}

teardown() {
  tp_stop A; tp_stop V
  npd_stop
  rm -rf "$NPD_DIR"
  hugepages_release
}

@test "netplugd vhost-user: traffic both ways between virtio_user and memif through a bridge; restart reconnects" {
  ctl network add br0
  ctl port add v1 --type vhost-user --network br0
  ctl port add a --type memif --network br0
  tp_start A "$NPD_DIR/sock/a.sock,mac=02:00:00:00:0a:0a" --eth-peer=0,02:00:00:00:0b:0b
  tpv_start V "$NPD_DIR/sock/v1.sock" 02:00:00:00:0b:0b
  wait_for port_state_is a up
  wait_for port_state_is v1 up
  tp_cmd V start
  tp_cmd A "start tx_first 2"
  wait_eq 64 npd_counter v1 tx_packets
  tp_cmd A stop; tp_cmd V stop
  [ "$(tp_stat V rx)" = 64 ]
  tp_cmd A start
  tp_cmd V "start tx_first 1"
  wait_eq 32 npd_counter v1 rx_packets
  wait_eq 32 npd_counter a tx_packets
  tp_cmd A stop; tp_cmd V stop
  [ "$(tp_stat A rx)" = 32 ]
  # netplugd restarts: as the vhost-user client it reconnects to the waiting virtio_user
  kill -9 "$NPD_PID"
  wait "$NPD_PID" 2>/dev/null || true
  npd_start
  wait_for port_state_is v1 up || wait_for port_state_is v1 up
  run ctl --json port show v1
  assert_output --partial '"network":"br0"'
  # removing a connected vhost-user port completes and leaves the other port alone
  run timeout 10 "$NETPLUGCTL" --socket "$NPD_DIR/ctl.sock" port del v1
  assert_success
  run ctl --json health
  assert_output --partial '"ports":1'
}
