# netplug-common.bash — shared by tests/integration/netplug-*.bats: a fake PCI tree in sysfs
# layout whose VF net/ entries name real veths, test netns, and a CNI invoker that drives the
# plugin through env + stdin exactly as libcni does.

np_setup() {
  if [ ! -x "$NETPLUG" ] || [ -d "$NETPLUG" ]; then NETPLUG=$BUILDDIR/netplug/cni/netplug; fi
  export NETPLUG
  [ -x "$NETPLUG" ] || fail "netplug binary not built: $NETPLUG"
  ID=$(printf '%04x' $(( (RANDOM << 1 ^ $$) & 0xffff )))
  T=$BATS_TEST_TMPDIR
  SYS=$T/sys
  export NETPLUG_SYSFS_ROOT=$SYS NETPLUG_CACHE_DIR=$T/cache NETPLUG_VFOPS=fake:$T/vf.json NETPLUG_DEVINFO_DIR=$T/devinfo
  export NETPLUG_PODS_DIR=$T/pods
  unset NETPLUG_DEBUG_FAIL_AFTER NETPLUG_FAKE_VF_FAIL
  export CNI_PATH=$(dirname "$NETPLUG"):/usr/lib/cni
  PF=0000:3b:00.0
  NS_LIST=()
  LINKS=()
}

np_teardown() {
  local n l
  for l in "${LINKS[@]}"; do ip link del "$l" 2>/dev/null || true; done
  for n in "${NS_LIST[@]}"; do ip netns del "$n" 2>/dev/null || true; done
}

# np_netns NAME: create netns npcni-NAME-$ID (path in $NSPATH), removed in teardown.
np_netns() {
  local n=npcni-$1-$ID
  ip netns add "$n"
  ip -n "$n" link set lo up
  NS_LIST+=("$n")
  NSPATH=/run/netns/$n
}

# np_pf: the fake PF with netdev name npcpf$ID (a dummy in the host, so the name exists).
np_pf() {
  mkdir -p "$SYS/bus/pci/devices/$PF/net/npcpf$ID" "$SYS/bus/pci/drivers/ice"
  ln -sfn ../../../bus/pci/drivers/ice "$SYS/bus/pci/devices/$PF/driver"
}

# np_vf INDEX [DRIVER]: VF 0000:3b:02.INDEX of the PF; with a netdev driver its net/ entry is a
# veth npcv<INDEX>$ID in the host whose peer npcp<INDEX>$ID sits in netns npcni-peer-$ID.
# Sets VF (the BDF), VFDEV (host name), PEER.
np_vf() {
  local i=$1 drv=${2:-iavf}
  VF=0000:3b:02.$i
  local d=$SYS/bus/pci/devices/$VF
  [ -d "$SYS/bus/pci/devices/$PF" ] || np_pf
  mkdir -p "$d" "$SYS/bus/pci/drivers/$drv" "$SYS/kernel/iommu_groups/4$i"
  ln -sfn "../$PF" "$d/physfn"
  ln -sfn "../$VF" "$SYS/bus/pci/devices/$PF/virtfn$i"
  ln -sfn "../../../bus/pci/drivers/$drv" "$d/driver"
  ln -sfn "../../../kernel/iommu_groups/4$i" "$d/iommu_group"
  VFDEV=npcv$i$ID
  PEER=npcp$i$ID
  case $drv in
    vfio-pci|uio_pci_generic|igb_uio) VFDEV= ;;
    *)
      mkdir -p "$d/net/$VFDEV"
      [ -e "/run/netns/npcni-peer-$ID" ] || np_netns peer
      ip link add "$VFDEV" type veth peer name "$PEER" netns "npcni-peer-$ID"
      LINKS+=("$VFDEV")
      ip link set "$VFDEV" address "02:00:00:00:0$i:01" mtu 1500
      ip -n "npcni-peer-$ID" link set "$PEER" up
      ;;
  esac
}

# cni CMD CONTAINERID IFNAME NETNS CONFIG-JSON [CNI_ARGS]: run the plugin like libcni.
cni() {
  local cmd=$1 cid=$2 ifn=$3 ns=$4 conf=$5 args=${6:-}
  CNI_COMMAND=$cmd CNI_CONTAINERID=$cid CNI_IFNAME=$ifn CNI_NETNS=$ns CNI_ARGS=$args "$NETPLUG" <<<"$conf" 2>>"$T/stderr"
}

# np_conf [VERSION] [EXTRA-JSON-MEMBERS]: a mode sriov config for $VF with host-local IPAM.
np_conf() {
  local v=${1:-1.1.0} extra=${2:-}
  cat <<JSON
{"cniVersion":"$v","name":"npcni-net","type":"netplug","deviceID":"$VF"${extra:+,$extra},
 "ipam":{"type":"host-local","dataDir":"$T/ipam","ranges":[[{"subnet":"10.77.$((0x${ID:0:2} % 200)).0/24","rangeStart":"10.77.$((0x${ID:0:2} % 200)).10","gateway":"10.77.$((0x${ID:0:2} % 200)).1"}]],
  "routes":[{"dst":"0.0.0.0/0"}]}}
JSON
}

# The fake VF state of VF index N as one jq value.
vf_field() { jq -r ".vfs[\"npcpf$ID/$1\"].$2" "$T/vf.json"; }

# np_npd_start: a netplugd of our own (no hugepages, --no-pci, unique file prefix) whose socket
# dir holds $NETPLUG_PODS_DIR; sets NPD_CTL. Skips when netplugd is not built (no DPDK).
np_npd_start() {
  [ -x "$NETPLUGD" ] || skip "netplugd is not built in $BUILDDIR (configure found no libdpdk)"
  NPD=$T/npd
  mkdir -p "$NPD/sock"
  export NETPLUG_PODS_DIR=$NPD/sock/pods
  NPD_CTL=$NPD/ctl.sock
  "$NETPLUGD" -l 0,1 -m 128 --no-huge --mbufs 4095 --file-prefix "npcni$ID" --socket-dir "$NPD/sock" \
    --ctl-socket "$NPD_CTL" --state-file "$NPD/state.json" >>"$NPD/log" 2>&1 &
  NPD_PID=$!
  local i
  for i in $(seq 150); do
    "$NETPLUGCTL" --socket "$NPD_CTL" health >/dev/null 2>&1 && return 0
    kill -0 "$NPD_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$NPD/log" >&2
  return 1
}

np_npd_stop() {
  if [ -n "${NPD_PID:-}" ]; then
    kill "$NPD_PID" 2>/dev/null || true
    wait "$NPD_PID" 2>/dev/null || true
    NPD_PID=
  fi
}

npctl() { "$NETPLUGCTL" --socket "$NPD_CTL" "$@"; }

# np_pconf MODE [EXTRA-JSON-MEMBERS]: a config for a netplugd port.
np_pconf() {
  local mode=$1 extra=${2:-}
  echo '{"cniVersion":"1.1.0","name":"npcni-'"$mode"'","type":"netplug","mode":"'"$mode"'","controlSocket":"'"$NPD_CTL"'"'"${extra:+,$extra}"'}'
}
