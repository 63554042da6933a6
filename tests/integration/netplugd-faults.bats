#!/usr/bin/env bats
# netplugd SIGKILLed under traffic, with hugepages: it restarts with its ports from the state
# file, the clients' traffic resumes, the socket dir holds exactly the configured ports'
# sockets, and no hugepage file with its --file-prefix is left in a hugetlbfs, after the kill or
# after a clean stop.
load helpers
load netplugd-helpers

MAC_A=02:00:00:00:0a:0a
MAC_B=02:00:00:00:0b:0b

setup() {
  [ -x "$NETPLUGD" ] || skip "netplugd not built (no DPDK)"
  command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed"
  NPD_DIR=$(mktemp -d /tmp/npd.XXXXXX)
  # netplugd -m 128: 64 pages of 2 MiB (the clients run without hugepages)
  hugepages_reserve 64 || skip "cannot reserve 128 MiB of hugepages"
  # A hugetlbfs of our own for EAL's --huge-dir: where named hugepage files would be left.
  HUGE=$NPD_DIR/huge
  mkdir -p "$HUGE"
  mount -t hugetlbfs -o pagesize=2M "hugetlbfs-$NPD_PREFIX" "$HUGE"
  export NPD_HUGE=1
}

teardown() {
  tp_stop A; tp_stop B
  npd_stop
  if [ -n "${HUGE:-}" ]; then rm -f "$HUGE"/*; umount "$HUGE"; fi
  hugepages_release
  rm -rf "$NPD_DIR"
}

# no_huge_files: nothing named after netplugd's --file-prefix in our hugetlbfs.
no_huge_files() {
  run find "$HUGE" -name "$NPD_PREFIX*"
  assert_output ""
}

# sockets_are NAMES...: the socket dir holds exactly these sockets.
sockets_are() {
  local want got
  want=$(printf '%s.sock\n' "$@" | sort)
  got=$(ls -A "$NPD_DIR/sock" | sort)
  assert_equal "$got" "$want"
  for n in "$@"; do [ -S "$NPD_DIR/sock/$n.sock" ]; done
}

# flow_a_to_b: once both memif ports are up, A sends without pause (txonly) and B receives;
# returns when netplugd has forwarded more than 1000 frames to b.
flow_a_to_b() {
  wait_for port_state_is a up
  wait_for port_state_is b up
  tp_cmd B start
  tp_cmd A "set fwd txonly"
  tp_cmd A start
  wait_for counter_above b tx_packets 1000
}

# revive_or_reconnect NAME SOCKARGS [testpmd args]: reconnect a live client, restart a dead one.
revive_or_reconnect() {
  local name=$1
  if tp_alive "$name"; then
    wait_for tp_link_down "$name"
    tp_cmd "$name" "port stop 0"
    tp_cmd "$name" "port start 0"
  else
    echo "# testpmd $name died with netplugd: started again" >&3
    tp_stop "$name"
    tp_start "$@"
  fi
}

@test "netplugd faults: SIGKILL under traffic with hugepages: restart with its ports, no stale socket, no hugepage file" {
  npd_start -- --huge-dir "$HUGE"
  grep -q "128 MiB hugepages" "$NPD_DIR/netplugd.log" || fail "netplugd did not use hugepages: $(cat "$NPD_DIR/netplugd.log")"
  ctl network add br0
  ctl port add a --type memif --network br0
  ctl port add b --type memif --network br0
  ctl port add c --type memif --network br0
  tp_start A "$NPD_DIR/sock/a.sock,mac=$MAC_A" --eth-peer=0,$MAC_B
  tp_start B "$NPD_DIR/sock/b.sock,mac=$MAC_B"
  flow_a_to_b
  kill -9 "$NPD_PID"                              # while A sends
  wait "$NPD_PID" 2>/dev/null || true
  NPD_PID=
  no_huge_files
  for c in A B; do if tp_alive $c; then tp_cmd $c stop; fi; done

  npd_start -- --huge-dir "$HUGE"
  run ctl --json network list
  assert_output --partial '"ports":["a","b","c"]'
  sockets_are a b c
  ctl port del c
  sockets_are a b
  # The 22.11 memif client does not reconnect by itself: restarting its port does. Its interrupt
  # thread unmaps the regions when the server dies, under a data path that may still be polling
  # them, so a client can also crash here (a DPDK client bug, not netplugd's): a crashed client
  # is started again on the same socket, as its pod would be.
  revive_or_reconnect A "$NPD_DIR/sock/a.sock,mac=$MAC_A" --eth-peer=0,$MAC_B
  revive_or_reconnect B "$NPD_DIR/sock/b.sock,mac=$MAC_B"
  flow_a_to_b
  tp_cmd A stop; tp_cmd B stop
  [ "$(npd_counter a rx_packets)" -gt 1000 ]

  tp_stop A; tp_stop B
  kill "$NPD_PID"                                 # a clean stop
  wait "$NPD_PID"
  NPD_PID=
  no_huge_files
}
