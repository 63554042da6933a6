#!/usr/bin/env bats
# netplug mode sriov with a DPDK-bound VF (vfio-pci / uio_pci_generic in the fake sysfs):
# nothing moves, PF-side settings apply, the result carries pciID, a device-info file is written.
load helpers
load netplug-common

setup() { np_setup; np_netns pod; POD=$NSPATH; }
teardown() { np_teardown; }

@test "netplug dpdk: vfio-pci VF: pciID, device-info (default dir), VF settings, DEL restores" {
  np_vf 4 vfio-pci
  conf=$(np_conf 1.1.0 '"vlan":12,"trust":"on"')
  run cni ADD d1 net1 "$POD" "$conf"
  assert_success
  echo "$output" | jq -e '.interfaces[0].name == "net1" and .interfaces[0].pciID == "'"$VF"'" and (.interfaces[0] | has("sandbox") | not)'
  echo "$output" | jq -e '(.ips[0] | has("interface") | not) and (.ips[0].address | startswith("10.77."))'
  f=$NETPLUG_DEVINFO_DIR/d1-net1-device.json
  jq -e '.type == "pci" and .version == "1.1.0" and .pci["pci-address"] == "'"$VF"'" and .pci["pf-pci-address"] == "'"$PF"'"' "$f"
  [ "$(vf_field 4 vlan)" = 12 ]
  [ "$(vf_field 4 trust)" = 1 ]
  [ "$(ip -n "npcni-pod-$ID" -o link show | wc -l)" = 1 ]   # nothing moved
  run cni CHECK d1 net1 "$POD" "$(echo "$conf" | jq -c --argjson p "$output" '. + {prevResult: $p}')"
  assert_success
  # CHECK notices the VF was rebound to a kernel driver
  ln -sfn ../../../bus/pci/drivers/iavf "$SYS/bus/pci/devices/$VF/driver"
  run cni CHECK d1 net1 "$POD" "$conf"
  assert_failure
  echo "$output" | jq -e '.code == 100'
  ln -sfn ../../../bus/pci/drivers/vfio-pci "$SYS/bus/pci/devices/$VF/driver"
  run cni DEL d1 net1 "$POD" "$conf"
  assert_success
  [ ! -e "$f" ]
  [ "$(vf_field 4 vlan)" = 0 ]
  [ "$(vf_field 4 trust)" = 0 ]
  run cni DEL d1 net1 "$POD" "$conf"
  assert_success
}

@test "netplug dpdk: uio_pci_generic VF, CNIDeviceInfoFile from runtimeConfig, cniVersion 1.0.0 drops pciID" {
  np_vf 5 uio_pci_generic
  path=$T/multus/devinfo/net1.json
  conf=$(np_conf 1.0.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$path"'"}')
  run cni ADD d2 net1 "$POD" "$conf"
  assert_success
  echo "$output" | jq -e '.cniVersion == "1.0.0" and (.interfaces[0] | has("pciID") | not)'
  jq -e '.type == "pci" and .pci["pci-address"] == "'"$VF"'"' "$path"
  run cni DEL d2 net1 "$POD" "$conf"
  assert_success
  [ ! -e "$path" ]
}

@test "netplug dpdk: an ADD failure at each step leaves the VF, the device-info and the pool as they were" {
  np_vf 6 vfio-pci
  conf=$(np_conf 1.1.0 '"vlan":77,"spoofchk":"off"')
  for n in 1 2 3 4 5 6; do
    NETPLUG_DEBUG_FAIL_AFTER=$n run cni ADD "f$n" net1 "$POD" "$conf"
    assert_failure
    echo "$output" | jq -e '.code == 199'
    [ ! -e "$NETPLUG_DEVINFO_DIR/f$n-net1-device.json" ]
    [ ! -e "$NETPLUG_CACHE_DIR/f$n-net1.json" ]
    if [ -f "$T/vf.json" ]; then
      [ "$(vf_field 6 vlan)" = 0 ]
      [ "$(vf_field 6 spoofchk)" = 1 ]
    fi
    run bash -c "ls '$T/ipam/npcni-net' 2>/dev/null | grep -c '^10\\.'"
    assert_output 0
  done
}

@test "netplug dpdk: a device without netdev and without a DPDK driver is refused" {
  np_vf 7 vfio-pci
  rm "$SYS/bus/pci/devices/$VF/driver"
  run cni ADD d3 net1 "$POD" "$(np_conf)"
  assert_failure
  echo "$output" | jq -e '.code == 100 and (.msg | contains("no netdev"))'
}
