#!/usr/bin/env bats
# netplug ADD SIGKILLed at each step (NETPLUG_DEBUG_KILL_AT in the --enable-debug-stages build in
# ${BUILDDIR}-debug): no undo runs, so a later DEL alone must put the VF back exactly (name, MAC,
# MTU, altname, host netns, fake-PF settings, address released) or remove the port completely.
load helpers
load netplug-common

DEBUG_BUILDDIR=${DEBUG_BUILDDIR:-${BUILDDIR}-debug}

setup() {
  if ! grep -qs '^#define CNF_DEBUG_STAGES 1' "$DEBUG_BUILDDIR/config.h" || [ ! -x "$DEBUG_BUILDDIR/netplug/cni/netplug" ]; then
    skip "no --enable-debug-stages build in $DEBUG_BUILDDIR (BUILDDIR=$DEBUG_BUILDDIR CONFIGURE_FLAGS=--enable-debug-stages scripts/build)"
  fi
  NETPLUG=$DEBUG_BUILDDIR/netplug/cni/netplug
  np_setup
  np_netns pod
  POD=$NSPATH
}
teardown() { np_npd_stop; np_teardown; }

# kill_add STAGE CID IFNAME CONF [CNI_ARGS]: ADD with NETPLUG_DEBUG_KILL_AT=STAGE dies by SIGKILL.
kill_add() {
  NETPLUG_DEBUG_KILL_AT=$1 run cni ADD "$2" "$3" "$POD" "$4" "${5:-}"
  assert_equal "$status" 137
  # what DEL will work from: a pending entry, written before the first change
  jq -e '.pending == true' "$NETPLUG_CACHE_DIR/$2-$3.json"
}

@test "netplug faults: sriov ADD killed after each step: DEL restores the VF completely" {
  np_vf 0
  conf=$(np_conf 1.1.0 '"vlan":300,"spoofchk":"off","trust":"on","mtu":1400,"mac":"02:aa:bb:cc:dd:02"')
  ip link property add dev "$VFDEV" altname "npcalt$ID"
  before=$(ip -o link show "$VFDEV" | sed 's/^[0-9]*: //')
  for stage in vf-saved vf-config move addresses; do
    kill_add "$stage" "k-$stage" net1 "$conf"
    case $stage in
      move|addresses) run ip link show "$VFDEV"; assert_failure ;;   # the kill left it in the pod
    esac
    run cni DEL "k-$stage" net1 "$POD" "$conf"
    assert_success
    # back in the host exactly as it was: name, MAC, MTU, altname, down
    [ "$(ip -o link show "$VFDEV" | sed 's/^[0-9]*: //')" = "$before" ] || fail "$stage: $(ip -o link show "$VFDEV")"
    run ip -o link show "$VFDEV"
    assert_output --partial "altname npcalt$ID"
    [ "$(ip -n "npcni-pod-$ID" -o link show | wc -l)" = 1 ]
    # the fake PF's VF settings are the defaults again
    [ "$(vf_field 0 vlan)" = 0 ]
    [ "$(vf_field 0 spoofchk)" = 1 ]
    [ "$(vf_field 0 trust)" = 0 ]
    [ "$(vf_field 0 mac)" = 00:00:00:00:00:00 ]
    [ ! -e "$NETPLUG_CACHE_DIR/k-$stage-net1.json" ]
    run bash -c "ls '$T/ipam/npcni-net' 2>/dev/null | grep -c '^10\\.'"
    assert_output 0
  done
  # and the VF is usable again
  run cni ADD again net1 "$POD" "$conf"
  assert_success
  run cni DEL again net1 "$POD" "$conf"
  assert_success
}

@test "netplug faults: port ADD killed after the port is made and after the tap move: DEL removes it all" {
  np_npd_start
  npctl network add br0 --type bridge
  conf=$(np_pconf tap '"network":"br0","ipam":{"type":"host-local","dataDir":"'"$T/ipam"'","ranges":[[{"subnet":"10.66.1.0/24"}]]}')
  for stage in port-add tap-move; do
    kill_add "$stage" "t-$stage" eth1 "$conf"
    [ "$(npctl --json port list | jq '.result.ports | length')" = 1 ]
    run cni DEL "t-$stage" eth1 "$POD" "$conf"
    assert_success
    [ "$(npctl --json port list | jq '.result.ports | length')" = 0 ]
    # no tap left in the pod or the host
    [ "$(ip -n "npcni-pod-$ID" -o link show | wc -l)" = 1 ]
    run bash -c "ip -o link show | grep -c nptap"
    assert_output 0
    [ ! -e "$NETPLUG_CACHE_DIR/t-$stage-eth1.json" ]
    run bash -c "ls '$T/ipam/npcni-tap' 2>/dev/null | grep -c '^10\\.'"
    assert_output 0
  done
  mconf=$(np_pconf memif '"network":"br0"')
  kill_add port-add m1 net1 "$mconf" "K8S_POD_INFRA_CONTAINER_ID=sbk"
  [ -S "$NETPLUG_PODS_DIR/sbk/net1.sock" ]
  run cni DEL m1 net1 "$POD" "$mconf"
  assert_success
  [ "$(npctl --json port list | jq '.result.ports | length')" = 0 ]
  [ ! -e "$NETPLUG_PODS_DIR/sbk" ]
  [ ! -e "$NETPLUG_DEVINFO_DIR/m1-net1-device.json" ]
  [ ! -e "$NETPLUG_CACHE_DIR/m1-net1.json" ]
}
