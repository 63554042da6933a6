#!/usr/bin/env bats
# netplug driven by libcni itself (Debian's golang-github-appc-cni-dev, GOPATH mode, offline):
# AddNetworkList / CheckNetworkList / DelNetworkList and GC on conflists, as containerd and CRI-O do.
load helpers
load netplug-common

setup_file() {
  command -v go >/dev/null || skip "go is not installed (Debian golang-go)"
  [ -d /usr/share/gocode/src/github.com/containernetworking/cni/libcni ] || skip "golang-github-appc-cni-dev is not installed"
  export CNIDRIVER=$BATS_FILE_TMPDIR/cnidriver
  (cd "$BATS_TEST_DIRNAME/../libcni" &&
    GOCACHE=${GOCACHE:-$BUILDDIR/go-cache} GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= go build -o "$CNIDRIVER" .)
}

setup() {
  [ -x "${CNIDRIVER:-}" ] || skip "cnidriver was not built"
  np_setup; np_vf 0; np_netns pod; POD=$NSPATH
  export LIBCNI_CACHE=$T/libcni-cache
}
teardown() { np_npd_stop; np_teardown; }

drv() { "$CNIDRIVER" --conflist "$T/net.conflist" --cachedir "$LIBCNI_CACHE" "$@"; }

# conflist: netplug (capabilities deviceID + mac, host-local) chained with tuning (MTU).
write_conflist() {
  cat >"$T/net.conflist" <<JSON
{"cniVersion":"1.0.0","name":"npcni-libcni","plugins":[
  {"type":"netplug","capabilities":{"deviceID":true,"mac":true},"vlan":42,
   "ipam":{"type":"host-local","dataDir":"$T/ipam","ranges":[[{"subnet":"10.55.0.0/24","gateway":"10.55.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}},
  {"type":"tuning","mtu":1400}
]}
JSON
}

@test "netplug libcni: AddNetworkList, CheckNetworkList, DelNetworkList on a chained conflist" {
  write_conflist
  run drv validate
  assert_success
  run drv --netns "$POD" --id lc1 --ifname net1 --deviceid "$VF" --mac 02:55:00:00:00:01 \
    --args "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=p1;K8S_POD_INFRA_CONTAINER_ID=lc1" add
  assert_success
  echo "$output" | jq -e '.cniVersion == "1.0.0" and .interfaces[0].name == "net1" and .interfaces[0].mac == "02:55:00:00:00:01"'
  echo "$output" | jq -e '.ips[0].address | startswith("10.55.0.")'
  run ip -n "npcni-pod-$ID" -o link show net1
  assert_output --partial "mtu 1400"            # tuning ran on netplug's result
  assert_output --partial 02:55:00:00:00:01
  [ "$(vf_field 0 vlan)" = 42 ]
  run drv --netns "$POD" --id lc1 --ifname net1 --deviceid "$VF" --mac 02:55:00:00:00:01 check
  assert_success
  # CHECK notices a drifted MAC
  ip -n "npcni-pod-$ID" link set net1 address 02:55:00:00:00:99
  run drv --netns "$POD" --id lc1 --ifname net1 --deviceid "$VF" --mac 02:55:00:00:00:01 check
  assert_failure
  assert_output --partial "MAC"
  run drv --netns "$POD" --id lc1 --ifname net1 --deviceid "$VF" del
  assert_success
  ip link show "$VFDEV" >/dev/null
  [ "$(vf_field 0 vlan)" = 0 ]
  run drv --netns "$POD" --id lc1 --ifname net1 --deviceid "$VF" del
  assert_success
}

@test "netplug libcni: GC and STATUS on a 1.1.0 conflist" {
  np_vf 1; np_netns p1
  write_conflist
  run drv --netns "$POD" --id keep --ifname net1 --deviceid 0000:3b:02.0 add
  assert_success
  run drv --netns "/run/netns/npcni-p1-$ID" --id gone --ifname net1 --deviceid 0000:3b:02.1 add
  assert_success
  # GC and STATUS are 1.1.0 operations
  jq '.cniVersion = "1.1.0" | .plugins |= [.[0]]' "$T/net.conflist" >"$T/gc.conflist"
  run "$CNIDRIVER" --conflist "$T/gc.conflist" --valid keep/net1 gc
  assert_success
  [ -e "$NETPLUG_CACHE_DIR/keep-net1.json" ]
  [ ! -e "$NETPLUG_CACHE_DIR/gone-net1.json" ]
  ip link show "npcv1$ID" >/dev/null
  [ "$(ls "$T/ipam/npcni-libcni" | grep -c '^10\.')" = 1 ]
  run "$CNIDRIVER" --conflist "$T/gc.conflist" status
  assert_success
  run drv --netns "$POD" --id keep --ifname net1 --deviceid 0000:3b:02.0 del
  assert_success
}

@test "netplug libcni: a memif conflist on netplugd through libcni" {
  np_npd_start
  npctl network add lbr --type bridge
  cat >"$T/memif.conflist" <<JSON
{"cniVersion":"1.0.0","name":"npcni-lmemif","plugins":[
  {"type":"netplug","mode":"memif","network":"lbr","controlSocket":"$NPD_CTL","capabilities":{"CNIDeviceInfoFile":true}}
]}
JSON
  run "$CNIDRIVER" --conflist "$T/memif.conflist" --cachedir "$LIBCNI_CACHE" --netns "$POD" --id lm1 --ifname net1 \
    --args "K8S_POD_INFRA_CONTAINER_ID=lmsandbox" add
  assert_success
  echo "$output" | jq -e '.interfaces[0].name == "net1"'
  [ -S "$NETPLUG_PODS_DIR/lmsandbox/net1.sock" ]
  run npctl --json port show lm1-net1
  echo "$output" | jq -e '.result.network == "lbr"'
  run "$CNIDRIVER" --conflist "$T/memif.conflist" --cachedir "$LIBCNI_CACHE" --netns "$POD" --id lm1 --ifname net1 \
    --args "K8S_POD_INFRA_CONTAINER_ID=lmsandbox" check
  assert_success
  run "$CNIDRIVER" --conflist "$T/memif.conflist" --cachedir "$LIBCNI_CACHE" --netns "$POD" --id lm1 --ifname net1 \
    --args "K8S_POD_INFRA_CONTAINER_ID=lmsandbox" del
  assert_success
  run npctl port show lm1-net1
  assert_failure
  [ ! -e "$NETPLUG_PODS_DIR/lmsandbox" ]
}
