#!/usr/bin/env bats
# netplugd control plane: operations, refusal of malformed requests (and that they change
# nothing), persistence across SIGKILL, 256 ports.
load helpers
load netplugd-helpers

setup() {
  [ -x "$NETPLUGD" ] || skip "netplugd not built (no DPDK)"
  NPD_DIR=$(mktemp -d /tmp/npd.XXXXXX)
  npd_start
}

teardown() {
  npd_stop
  rm -rf "$NPD_DIR"
}

snapshot() { ctl --json port list | sed 's/"state":"[a-z]*"//g'; ctl --json network list; cat "$NPD_DIR/state.json"; }

@test "netplugd: version, health, control socket mode 0600" {
  run ctl version
  assert_success
  assert_output --partial "protocol 1"
  run ctl --json health
  assert_output --partial '"status":"ok"'
  assert_output --partial '"workers":1'
  [ "$(stat -c %a "$NPD_DIR/ctl.sock")" = 600 ]
}

@test "netplugd: malformed and invalid requests are refused and change nothing" {
  ctl network add br0
  ctl port add p1 --type memif --network br0
  before=$(snapshot)
  run ctl --json raw '{"op":'
  assert_failure 1
  assert_output --partial '"code":"invalid"'
  run ctl --json raw '[1,2]'
  assert_output --partial '"code":"invalid"'
  run ctl --json raw '{"op":"frobnicate"}'
  assert_output --partial '"code":"invalid"'
  run ctl --json port del nosuch
  assert_failure 1
  assert_output --partial '"code":"not-found"'
  run ctl --json port show nosuch
  assert_output --partial '"code":"not-found"'
  run ctl --json port add p1 --type memif
  assert_output --partial '"code":"exists"'
  run ctl --json network add br0
  assert_output --partial '"code":"exists"'
  run ctl --json port add p2 --type memif --socket /tmp/outside.sock
  assert_output --partial '"code":"invalid"'
  assert_output --partial '.socket'
  run ctl --json port add p2 --type memif --socket "$NPD_DIR/sock/../escape.sock"
  assert_output --partial '"code":"invalid"'
  run ctl --json port add p2 --type memif --socket "$NPD_DIR/sock/p1.sock"
  assert_output --partial '"code":"exists"'
  run ctl --json port add 'bad/name' --type memif
  assert_output --partial '"code":"invalid"'
  run ctl --json port add p2 --type nosuchtype
  assert_output --partial '"code":"invalid"'
  run ctl --json port add p2 --type memif --network nosuch
  assert_output --partial '"code":"not-found"'
  run ctl --json port add p2 --type memif --vlan 5000
  assert_output --partial '"code":"invalid"'
  run ctl --json port add p2 --type memif --mac 01:00:5e:00:00:01
  assert_output --partial '"code":"invalid"'
  run ctl --json raw '{"op":"port-add","name":"p2","type":"memif","memif_id":-1}'
  assert_output --partial '"code":"invalid"'
  run ctl --json raw '{"op":"port-add","name":"p2","type":"memif","ring_size":1000}'
  assert_output --partial '"code":"invalid"'
  run ctl --json raw '{"op":"port-add","name":"p2","type":"tap"}'
  assert_output --partial '"code":"invalid"'
  run ctl --json network del br0
  assert_output --partial '"code":"busy"'
  run ctl --json attach p1 nosuch
  assert_output --partial '"code":"not-found"'
  run ctl --json raw "{\"op\":\"port-add\",\"name\":\"$(head -c 70000 /dev/zero | tr '\0' a)\"}"
  assert_output --partial '"code":"invalid"'
  after=$(snapshot)
  [ "$before" = "$after" ]
  [ ! -e "$NPD_DIR/sock/p2.sock" ]
  [ ! -e /tmp/outside.sock ]
}

@test "netplugd: xconnect takes exactly two ports; detach and delete" {
  ctl port add a --type memif
  ctl port add b --type memif
  ctl port add c --type memif
  run ctl --json xconnect a b
  assert_success
  assert_output --partial '"name":"xc-a-b"'
  run ctl --json attach c xc-a-b
  assert_output --partial '"code":"limit"'
  run ctl --json xconnect a c
  assert_output --partial '"code":"busy"'
  ctl detach a
  ctl detach b
  ctl network del xc-a-b
  # CNI-style long port names: the network name is shortened with a hash suffix
  local l1=0123456789012345678901234567890123456789-net1 l2=abcdefabcdefabcdefabcdefabcdefabcdefabcd-net2
  ctl port add "$l1" --type memif
  ctl port add "$l2" --type memif
  run ctl --json xconnect "$l1" "$l2"
  assert_success
  assert_output --regexp '"name":"xc-0123456789012345678901234-abcdefabcdefabcdefabcdef-[0-9a-f]{8}"'
  ctl port del a
  [ ! -e "$NPD_DIR/sock/a.sock" ]
  run ctl --json network list
  refute_output --partial xc-a-b
}

@test "netplugd: SIGKILL and restart restore networks, ports and attachments" {
  ctl network add br0 --mac-limit 16 --aging 30
  ctl port add m1 --type memif --network br0 --vlan 10 --memif-id 3
  ctl port add m2 --type memif --socket "$NPD_DIR/sock/pod2/net1.sock"
  ctl raw '{"op":"port-add","name":"m3","type":"memif","owner":{"container_id":"abc","ifname":"net1"}}'
  ctl xconnect m2 m3
  kill -9 "$NPD_PID"
  wait "$NPD_PID" 2>/dev/null || true
  npd_start
  run ctl --json port show m1
  assert_output --partial '"network":"br0"'
  assert_output --partial '"vlan":10'
  assert_output --partial '"memif_id":3'
  run ctl --json port show m3
  assert_output --partial '"container_id":"abc"'
  assert_output --partial '"network":"xc-m2-m3"'
  run ctl --json network list
  assert_output --partial '"mac_limit":16'
  assert_output --partial '"ports":["m2","m3"]'
  [ -S "$NPD_DIR/sock/pod2/net1.sock" ]
  [ -S "$NPD_DIR/sock/m1.sock" ]
}

@test "netplugd: 256 memif ports can be created, listed and removed" {
  ctl network add big
  local i
  for i in $(seq 1 256); do
    ctl port add "p$i" --type memif --network big >/dev/null
  done
  run ctl --json health
  assert_output --partial '"ports":256'
  [ "$(ctl port list | tail -n +2 | wc -l)" = 256 ]
  [ "$(ls "$NPD_DIR/sock" | wc -l)" = 256 ]
  for i in $(seq 1 256); do
    ctl port del "p$i" >/dev/null
  done
  run ctl --json health
  assert_output --partial '"ports":0'
  [ "$(ls "$NPD_DIR/sock" | wc -l)" = 0 ]
}

@test "netplugd: Prometheus metrics are off by default and served on a unix socket when asked" {
  [ ! -e "$NPD_DIR/metrics.sock" ]
  npd_stop
  npd_start --metrics "unix:$NPD_DIR/metrics.sock"
  ctl network add br0
  ctl port add m1 --type memif --network br0
  [ "$(stat -c %a "$NPD_DIR/metrics.sock")" = 600 ]
  run curl -sf --unix-socket "$NPD_DIR/metrics.sock" http://localhost/metrics
  assert_success
  assert_output --partial 'netplugd_ports 1'
  assert_output --partial 'netplugd_port_rx_packets_total{port="m1"} 0'
  assert_output --partial 'netplugd_port_drops_total{port="m1",cause="tx-full"} 0'
  assert_output --partial 'netplugd_network_macs{network="br0"} 0'
  assert_output --partial 'netplugd_worker_busy_ratio{lcore="1"}'
}

@test "netplugd: config file sets the directories; flags override it; bad keys are refused" {
  npd_stop
  mkdir -p "$NPD_DIR/cfg-sock"
  cat >"$NPD_DIR/netplugd.json" <<JSON
{"lcores": "0,1", "memory": 128, "socket_dir": "$NPD_DIR/cfg-sock", "ctl_socket": "$NPD_DIR/cfg.sock",
 "state_file": "$NPD_DIR/cfg-state.json", "hugepages": false, "file_prefix": "$NPD_PREFIX", "mbufs": 4095}
JSON
  "$NETPLUGD" --config "$NPD_DIR/netplugd.json" --state-file "$NPD_DIR/flag-state.json" >"$NPD_DIR/cfg.log" 2>&1 &
  NPD_PID=$!
  wait_for "$NETPLUGCTL" --socket "$NPD_DIR/cfg.sock" health
  "$NETPLUGCTL" --socket "$NPD_DIR/cfg.sock" port add c1 --type memif
  [ -S "$NPD_DIR/cfg-sock/c1.sock" ]
  [ -f "$NPD_DIR/flag-state.json" ]
  [ ! -e "$NPD_DIR/cfg-state.json" ]
  npd_stop
  echo '{"lcores": "0,1", "bogus": 1}' >"$NPD_DIR/bad.json"
  run "$NETPLUGD" --config "$NPD_DIR/bad.json"
  assert_failure 2
  assert_output --partial "bogus"
}
