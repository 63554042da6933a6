#!/usr/bin/env bats
# netplugd memif data path with real DPDK clients: testpmd (net_memif, role=client,
# socket-abstract=no) on both ends, netplugd in the middle.  Traffic is bounded: testpmd sends a
# fixed number of 32-packet bursts (start tx_first N) and only receives otherwise.
load helpers
load netplugd-helpers

setup() {
  [ -x "$NETPLUGD" ] || skip "netplugd not built (no DPDK)"
  command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed"
  NPD_DIR=$(mktemp -d /tmp/npd.XXXXXX)
  npd_start
}

teardown() {
  tp_stop A; tp_stop B; tp_stop C
  npd_stop
  rm -rf "$NPD_DIR"
}

MAC_A=02:00:00:00:0a:0a
MAC_B=02:00:00:00:0b:0b

@test "netplugd memif: bridge forwards between two testpmd clients, counters match" {
  ctl network add br0
  ctl port add a --type memif --network br0
  ctl port add b --type memif --network br0
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A" --eth-peer=0,$MAC_B
  tp_start B "$NPD_DIR/sock/b.sock,mac=$MAC_B"
  wait_for port_state_is a up
  wait_for port_state_is b up
  tp_cmd B start
  tp_cmd A "start tx_first 4"
  wait_eq 128 npd_counter b tx_packets
  tp_cmd A stop; tp_cmd B stop
  [ "$(tp_stat A tx)" = 128 ]
  [ "$(tp_stat B rx)" = 128 ]
  [ "$(npd_counter a rx_packets)" = 128 ]
  [ "$(npd_counter b tx_packets)" = 128 ]
  [ "$(npd_counter a rx_bytes)" = "$(npd_counter b tx_bytes)" ]
  run ctl --json network list
  assert_output --partial '"macs":1'
}

@test "netplugd memif: MAC learning stops flooding" {
  ctl network add br0
  ctl port add a --type memif --network br0
  ctl port add b --type memif --network br0
  ctl port add c --type memif --network br0
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A" --eth-peer=0,$MAC_B
  tp_start B "$NPD_DIR/sock/b.sock,mac=$MAC_B" --eth-peer=0,02:00:00:00:ee:ee
  tp_start C "$NPD_DIR/sock/c.sock,mac=02:00:00:00:0c:0c"
  wait_for port_state_is a up; wait_for port_state_is b up; wait_for port_state_is c up
  tp_cmd C start
  # B talks first to an unknown MAC: flooded to A and C; netplugd learns B
  tp_cmd A start
  tp_cmd B "start tx_first 1"
  wait_eq 32 npd_counter c tx_packets
  [ "$(npd_counter a tx_packets)" = 32 ]
  # A now sends to B's MAC: unicast to B only, C sees nothing more
  tp_cmd A stop
  tp_cmd A "start tx_first 3"
  wait_eq 96 npd_counter b tx_packets
  sleep 0.3
  [ "$(npd_counter c tx_packets)" = 32 ]
  tp_cmd A stop; tp_cmd B stop; tp_cmd C stop
  [ "$(tp_stat C rx)" = 32 ]
  [ "$(tp_stat B rx)" = 96 ]
  [ "$(tp_stat A rx)" = 32 ]
  run ctl --json network list
  assert_output --partial '"macs":2'
}

@test "netplugd memif: xconnect forwards both ways without lookup" {
  ctl port add a --type memif
  ctl port add b --type memif
  ctl xconnect a b
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A"
  tp_start B "$NPD_DIR/sock/b.sock,mac=$MAC_B"
  wait_for port_state_is a up; wait_for port_state_is b up
  tp_cmd A "start tx_first 2"
  tp_cmd B "start tx_first 1"
  wait_eq 64 npd_counter b tx_packets
  wait_eq 32 npd_counter a tx_packets
  tp_cmd A stop; tp_cmd B stop
  [ "$(tp_stat B rx)" = 64 ]
  [ "$(tp_stat A rx)" = 32 ]
  run ctl --json network list
  assert_output --partial '"macs":0'
}

@test "netplugd memif: after SIGKILL and restart, the same clients reconnect to the same sockets and traffic resumes" {
  ctl network add br0
  ctl port add a --type memif --network br0
  ctl port add b --type memif --network br0
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A" --eth-peer=0,$MAC_B
  tp_start B "$NPD_DIR/sock/b.sock,mac=$MAC_B"
  wait_for port_state_is a up
  wait_for port_state_is b up
  tp_cmd B start
  tp_cmd A "start tx_first 1"
  wait_eq 32 npd_counter b tx_packets
  tp_cmd A stop; tp_cmd B stop
  kill -9 "$NPD_PID"
  wait "$NPD_PID" 2>/dev/null || true
  npd_start
  run ctl --json network list
  assert_output --partial '"ports":["a","b"]'
  # the 22.11 memif client does not reconnect by itself: restarting its port does. Restart it
  # only once its interrupt thread has handled the disconnect, so the two never race.
  wait_for tp_link_down A
  wait_for tp_link_down B
  tp_cmd A "port stop 0"; tp_cmd A "port start 0"
  tp_cmd B "port stop 0"; tp_cmd B "port start 0"
  wait_for port_state_is a up
  wait_for port_state_is b up
  tp_cmd B start
  tp_cmd A "start tx_first 2"
  wait_eq 64 npd_counter b tx_packets
  tp_cmd A stop; tp_cmd B stop
  [ "$(npd_counter a rx_packets)" = 64 ]
}

@test "netplugd memif: per-network MAC limit and aging" {
  ctl network add br0 --mac-limit 1 --aging 6
  ctl port add a --type memif --network br0
  ctl port add b --type memif --network br0
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A"
  tp_start B "$NPD_DIR/sock/b.sock,mac=$MAC_B"
  wait_for port_state_is a up; wait_for port_state_is b up
  tp_cmd B start
  tp_cmd A "start tx_first 1"
  wait_eq 32 npd_counter b tx_packets
  run ctl --json network list
  assert_output --partial '"macs":1'
  tp_cmd B stop
  tp_cmd B "start tx_first 1"
  wait_eq 32 npd_counter a tx_packets
  tp_cmd A stop; tp_cmd B stop
  # the second source was not learned (limit 1) but its frames were still forwarded
  run ctl --json stats b
  assert_output --partial '"mac-limit":32'
  # after the aging time (6 s, swept once a second) the table is empty again
  wait_macs0() { ctl --json network list | grep -q '"macs":0'; }
  local i
  for i in $(seq 40); do wait_macs0 && break; sleep 0.25; done
  wait_macs0
}

@test "netplugd memif: a client that disconnects leaves the port waiting; removal while connected" {
  ctl network add br0
  ctl port add a --type memif --network br0
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A"
  wait_for port_state_is a up
  tp_stop A
  wait_for port_state_is a waiting
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A"
  wait_for port_state_is a up
  tp_cmd A "start tx_first 1"
  ctl port del a
  tp_cmd A stop
  run ctl --json health
  assert_output --partial '"ports":0'
}

@test "netplugd memif: a hostile client's bad handshake fields and descriptors are refused, netplugd survives" {
  ctl network add br0
  ctl port add a --type memif --network br0
  evil() { timeout 10 python3 "$BATS_TEST_DIRNAME/netplugd-memif-evil.py" "$NPD_DIR/sock/a.sock" "$1"; }
  run evil ok
  assert_output connected
  run evil bad-id
  assert_output "disconnected: no such interface id"
  run evil bad-version
  assert_output "disconnected: incompatible memif version"
  run evil region-too-big
  assert_output "disconnected: region file smaller than announced"
  run evil region-no-fd
  assert_output "disconnected: region without a file descriptor"
  run evil ring-outside
  assert_output "disconnected: ring outside its region"
  run evil ring-bad-region
  assert_output "disconnected: ring in an unknown region"
  # a descriptor pointing outside the region is consumed and counted, never copied
  run evil bad-desc
  assert_output "connected; tail 1"
  run ctl --json stats a
  assert_output --partial '"bad-descriptor":1'
  assert_output --partial '"rx_packets":0'
  run ctl --json health
  assert_output --partial '"status":"ok"'
  wait_for port_state_is a waiting
}

# ping-pong: both clients in io mode send every frame back, 32 frames circulate for ever
pingpong_start() {
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A" --eth-peer=0,$MAC_B --forward-mode=io
  tp_start B "$NPD_DIR/sock/b.sock,mac=$MAC_B" --eth-peer=0,$MAC_A --forward-mode=io
  wait_for port_state_is a up
  wait_for port_state_is b up
  tp_cmd B start
  tp_cmd A "start tx_first 1"
}

pingpong_check() { # after both stopped: everything received on one port went out of the other
  tp_cmd A stop; tp_cmd B stop
  sleep 0.3
  run ctl --json stats
  refute_output --regexp '"(no-network|no-buffer|tx-full|bad-descriptor|too-big|hairpin|peer-down)":[1-9]'
  [ "$(npd_counter a rx_packets)" = "$(npd_counter b tx_packets)" ]
  [ "$(npd_counter b rx_packets)" = "$(npd_counter a tx_packets)" ]
  [ "$(npd_counter a rx_bytes)" = "$(npd_counter b tx_bytes)" ]
}

@test "netplugd memif: adding and removing ports while traffic flows loses nothing on other ports" {
  ctl network add br0
  ctl port add a --type memif --network br0
  ctl port add b --type memif --network br0
  pingpong_start
  wait_for counter_above b tx_packets 1000
  local i before
  for i in $(seq 10); do ctl port add "x$i" --type memif --network br0 >/dev/null; done
  for i in $(seq 10); do ctl port del "x$i" >/dev/null; done
  before=$(npd_counter b tx_packets)
  sleep 0.3
  [ "$(npd_counter b tx_packets)" -gt "$before" ]
  pingpong_check
}

@test "netplugd memif: two workers, ports on different workers, frames handed over between them" {
  npd_stop
  npd_start -l '0@0,1@1,2@1'
  run ctl --json health
  assert_output --partial '"workers":2'
  ctl network add br0
  ctl port add a --type memif --network br0
  ctl port add b --type memif --network br0
  run ctl --json port show b
  assert_output --partial '"worker":1'
  pingpong_start
  wait_for counter_above b tx_packets 200
  pingpong_check
}

@test "netplugd memif: access VLANs split a bridge" {
  ctl network add br0
  ctl port add a --type memif --network br0 --vlan 10
  ctl port add b --type memif --network br0 --vlan 10
  ctl port add c --type memif --network br0 --vlan 20
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A"
  tp_start B "$NPD_DIR/sock/b.sock,mac=$MAC_B"
  tp_start C "$NPD_DIR/sock/c.sock,mac=02:00:00:00:0c:0c"
  wait_for port_state_is a up; wait_for port_state_is b up; wait_for port_state_is c up
  tp_cmd B start; tp_cmd C start
  tp_cmd A "start tx_first 1"
  wait_eq 32 npd_counter b tx_packets
  sleep 0.2
  [ "$(npd_counter c tx_packets)" = 0 ]
  tp_cmd C stop
  tp_cmd C "start tx_first 1"
  wait_eq 32 npd_counter c rx_packets
  sleep 0.2
  [ "$(npd_counter a tx_packets)" = 0 ]
  [ "$(npd_counter b tx_packets)" = 32 ]
  tp_cmd A stop; tp_cmd B stop; tp_cmd C stop
}
