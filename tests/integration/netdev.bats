#!/usr/bin/env bats
# linux.netDevices: a host netdev (one end of a veth pair made here) moves into the container,
# renamed, with its permanent global IPv4/IPv6 addresses, up; delete returns it to the host under
# its own name; a missing device fails create and returns the ones already moved.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

# Unique per test run: interface names are at most 15 bytes.
setup() {
  setup_bundle
  SFX=$(printf '%04x' $((($$ + BATS_TEST_NUMBER) % 65536)))
  DEV=cnfnd${SFX}a
  PEER=cnfnd${SFX}b
  DEV2=cnfnd${SFX}c
  PEER2=cnfnd${SFX}d
  ip link add "$DEV" type veth peer name "$PEER"
  ip addr add 192.0.2.77/24 dev "$DEV"
  ip addr add 2001:db8:77::7/64 dev "$DEV" nodad
  ip link set "$DEV" up
}

teardown() {
  kill_containers
  ip link del "$DEV" 2>/dev/null || true
  ip link del "$PEER" 2>/dev/null || true
  ip link del "$DEV2" 2>/dev/null || true
  ip link del "$PEER2" 2>/dev/null || true
}

ct_pid() { "$CNFRUN" --root "$ROOT" state "$1" | jq -r .pid; }

@test "netDevices: moved in renamed with its addresses and up, returned on delete" {
  update_config ".process.args = [\"sleep\", \"100\"] | .linux.netDevices = {\"$DEV\": {\"name\": \"eth7\"}}"
  run create_ct -b "$BUNDLE" nd1
  assert_success
  # gone from the host
  run ip link show "$DEV"
  assert_failure
  pid=$(ct_pid nd1)
  run nsenter -t "$pid" -n ip -o addr show dev eth7
  assert_success
  assert_output --partial "inet 192.0.2.77/24"
  assert_output --partial "inet6 2001:db8:77::7/64"
  run nsenter -t "$pid" -n ip -o link show dev eth7
  assert_output --regexp '<[^>]*,UP[,>]'
  # and from the container's own view
  run nsenter -t "$pid" -n -m -p -r -w /bin/ip -o -4 addr show eth7
  assert_output --partial "192.0.2.77/24"

  run cnf delete --force nd1
  assert_success
  # back on the host under its own name, with its IPv4 address
  run ip -o addr show dev "$DEV"
  assert_success
  assert_output --partial "inet 192.0.2.77/24"
  assert_output --partial "inet6 2001:db8:77::7/64"
  run ip -o link show dev "$PEER"
  assert_success
}

@test "netDevices: without a name the device keeps its host name" {
  update_config ".process.args = [\"sleep\", \"100\"] | .linux.netDevices = {\"$DEV\": {}}"
  run create_ct -b "$BUNDLE" nd2
  assert_success
  pid=$(ct_pid nd2)
  run nsenter -t "$pid" -n ip -o -4 addr show dev "$DEV"
  assert_success
  assert_output --partial "192.0.2.77/24"
  run cnf delete --force nd2
  assert_success
  run ip link show "$DEV"
  assert_success
}

@test "netDevices: a missing device fails create and the already moved one comes back" {
  ip link add "$DEV2" type veth peer name "$PEER2"
  update_config ".process.args = [\"sleep\", \"100\"]
    | .linux.netDevices = {\"$DEV2\": {\"name\": \"eth8\"}, \"cnfnd-missing0\": {}}"
  run ! create_ct -b "$BUNDLE" nd3
  assert_failure
  assert_output --partial "\"cnfnd-missing0\": no such device in the host"
  run ! cnf state nd3
  assert_failure
  run ip link show "$DEV2"
  assert_success
}

@test "netDevices: run shows the device inside; delete after exit is clean" {
  update_config ".process.args = [\"ip\", \"-o\", \"-4\", \"addr\", \"show\", \"dev\", \"eth9\"] | .linux.netDevices = {\"$DEV\": {\"name\": \"eth9\"}}"
  run cnf run -b "$BUNDLE" nd4
  assert_success
  assert_output --partial "eth9"
  assert_output --partial "192.0.2.77/24"
}

@test "netDevices: a libnl that cannot be loaded fails create with the loader's reason; nothing is left" {
  # libnl is loaded only for netDevices; a file that is not a library stands in for a broken one
  # (LD_LIBRARY_PATH is searched first by dlopen, static build or not).
  mkdir "$BATS_TEST_TMPDIR/lib"
  echo "not a library" > "$BATS_TEST_TMPDIR/lib/libnl-route-3.so.200"
  update_config ".process.args = [\"sleep\", \"100\"] | .linux.netDevices = {\"$DEV\": {\"name\": \"eth7\"}}"
  run ! env LD_LIBRARY_PATH="$BATS_TEST_TMPDIR/lib" "$CNFRUN" --root "$ROOT" create -b "$BUNDLE" nd5
  assert_output --partial "linux.netDevices: cannot load libnl-route-3.so.200 (Debian package libnl-route-3-200): "
  assert_output --partial "$BATS_TEST_TMPDIR/lib/libnl-route-3.so.200"
  if file -L "$CNFRUN" | grep -q 'static-pie linked'; then
    assert_output --partial "needs the glibc cnfrun was built with ($(ldd --version | head -1 | awk '{ print $NF }'))"
  fi
  run ! cnf state nd5
  assert_output --partial "does not exist"
  [ ! -e "$ROOT/nd5" ]
  run ip -o -4 addr show dev "$DEV"
  assert_success
  assert_output --partial "192.0.2.77/24"
}
