#!/usr/bin/env bats
# netplug end to end with cnfrun containers on netplugd: a tap port inside a container pinging
# another pod through netplugd's bridge, and a memif port used by testpmd inside a container,
# which finds its socket at /run/netplug/<ifname>.sock (cnfrun binds the pod's socket dir there).
load helpers
load netplug-common

setup() {
  np_setup
  [ -x "$CNFRUN" ] || skip "cnfrun is not built in $BUILDDIR"
  ROOT=$T/root
  mkdir -p "$ROOT"
}
teardown() { cleanup_containers; np_npd_stop; np_teardown; }

# pod_bundle DIR NETNS SANDBOX ARGS-JSON: a busybox bundle joining NETNS, with the netplug sandbox annotation.
pod_bundle() {
  make_bundle "$1"
  update_config '.linux.namespaces |= map(if .type == "network" then . + {path: "'"$2"'"} else . end)
    | .annotations = {"netplug.cnfrun.io/sandbox": "'"$3"'"} | .process.args = '"$4"'
    | .process.capabilities[] += ["CAP_NET_RAW"]' "$1"
}

@test "netplug e2e: a tap port inside a cnfrun container pings another pod through netplugd" {
  np_npd_start
  npctl network add br0 --type bridge
  np_netns a; NSA=$NSPATH
  np_netns b; NSB=$NSPATH
  conf=$(np_pconf tap '"network":"br0","ipam":{"type":"host-local","dataDir":"'"$T/ipam"'","ranges":[[{"subnet":"10.66.7.0/24"}]]}')
  run cni ADD pa eth1 "$NSA" "$conf"
  assert_success
  run cni ADD pb eth1 "$NSB" "$conf"
  assert_success
  ipb=$(echo "$output" | jq -r '.ips[0].address'); ipb=${ipb%/*}
  pod_bundle "$T/a" "$NSA" pa '["sh","-c","ip -o addr show eth1 && ping -c 3 -W 2 '"$ipb"'"]'
  run "$CNFRUN" --root "$ROOT" run -b "$T/a" npcni-e2e-a
  assert_success
  assert_output --partial "eth1"
  assert_output --partial "3 packets transmitted, 3 packets received"
  [ "$(npctl --json stats pa-eth1 | jq '.result.ports["pa-eth1"].rx_packets')" -ge 3 ]
  cni DEL pa eth1 "$NSA" "$conf"
  cni DEL pb eth1 "$NSB" "$conf"
}

@test "netplug e2e: testpmd in a cnfrun container drives a memif port from netplugd" {
  command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd is not installed (Debian dpdk)"
  np_npd_start
  np_netns m; NSM=$NSPATH
  conf=$(np_pconf memif)
  run cni ADD pm net1 "$NSM" "$conf" "K8S_POD_INFRA_CONTAINER_ID=sbm$ID"
  assert_success
  echo "$output" | jq -e '.interfaces[0].socketPath == "'"$NETPLUG_PODS_DIR/sbm$ID/net1.sock"'"'
  export CNFRUN_NETPLUG_PODS_DIR=$NETPLUG_PODS_DIR
  make_bundle "$T/m"
  # testpmd and its libraries come from the host, read-only; the socket from the pod's dir.
  update_config '.linux.namespaces |= map(if .type == "network" then . + {path: "'"$NSM"'"} else . end)
    | .annotations = {"io.kubernetes.cri.sandbox-id": "sbm'"$ID"'"}
    | .mounts += [{"destination":"/usr","type":"bind","source":"/usr","options":["rbind","ro"]},
                  {"destination":"/lib","type":"bind","source":"/lib","options":["rbind","ro"]},
                  {"destination":"/lib64","type":"bind","source":"/lib64","options":["rbind","ro"]}]
    | .process.capabilities.bounding += ["CAP_IPC_LOCK","CAP_SYS_NICE"] | .process.capabilities.effective += ["CAP_IPC_LOCK","CAP_SYS_NICE"]
    | .process.capabilities.permitted += ["CAP_IPC_LOCK","CAP_SYS_NICE"]
    | .process.rlimits = [{"type":"RLIMIT_NOFILE","hard":4096,"soft":4096}]
    | .process.args = ["sh","-c","ls -l /run/netplug/ && mkdir -p /var/run && /usr/bin/timeout -s INT 6 /usr/bin/dpdk-testpmd --lcores 0@0,1@0 --no-huge -m 64 --no-pci --no-shconf --file-prefix npcni'"$ID"' --vdev=net_memif0,role=client,socket=/run/netplug/net1.sock,socket-abstract=no -- --total-num-mbufs=2048 --forward-mode=txonly --stats-period 1 </dev/null; true"]' "$T/m"
  run "$CNFRUN" --root "$ROOT" run -b "$T/m" npcni-e2e-m
  echo "$output" | tail -30
  assert_output --partial "net1.sock"
  rx=$(npctl --json stats pm-net1 | jq '.result.ports["pm-net1"].rx_packets')
  [ "$rx" -gt 0 ]
  run cni DEL pm net1 "$NSM" "$conf"
  assert_success
  [ ! -e "$NETPLUG_PODS_DIR/sbm$ID" ]
}
