#!/usr/bin/env bats
# Fault injection for cnfrun: `create` SIGKILLed at each stage (CNFRUN_DEBUG_KILL_AT in the
# --enable-debug-stages build in ${BUILDDIR}-debug, see lib/debug_stage.h), after which
# `delete --force` leaves no process, mount, cgroup or state dir; and a full --root (a tmpfs of
# a few KiB): create fails naming ENOSPC and leaves no half-written state behind.
load helpers

DEBUG_BUILDDIR=${DEBUG_BUILDDIR:-${BUILDDIR}-debug}

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() {
  setup_bundle
  TAG=$(printf 'flt%04x%04x' $$ $RANDOM)
  CG2=$(cgroup2_mount)
  CGREL=/cnfrun-$TAG
  MNT=
  LINKS=
}

teardown() {
  kill_containers
  for l in ${LINKS:-}; do ip link del "$l" 2>/dev/null; done
  [ -n "$MNT" ] && umount -l "$MNT" 2>/dev/null
  [ -n "$CG2" ] && rmdir "$CG2$CGREL" 2>/dev/null
  true
}

# need_debug_build: point CNFRUN at the debug build's binary, or skip saying how to make it.
need_debug_build() {
  if ! grep -qs '^#define CNF_DEBUG_STAGES 1' "$DEBUG_BUILDDIR/config.h" || [ ! -x "$DEBUG_BUILDDIR/cnfrun" ]; then
    skip "no --enable-debug-stages build in $DEBUG_BUILDDIR (BUILDDIR=$DEBUG_BUILDDIR CONFIGURE_FLAGS=--enable-debug-stages scripts/build)"
  fi
  CNFRUN=$DEBUG_BUILDDIR/cnfrun
}

# fault_bundle: a container with something of every kind create makes: namespaces, a bind
# mount from the bundle, a cgroup of its own under the v2 mount, and host-side hooks.
fault_bundle() {
  mkdir -p "$BUNDLE/data" "$BUNDLE/hookout"
  update_config '.process.args = ["sleep", "1000"]
    | .mounts += [{"destination": "/mnt", "type": "bind", "source": "'"$BUNDLE"'/data", "options": ["rbind", "rw"]}]
    | .linux.cgroupsPath = "'"$CGREL"'"
    | .hooks = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo prestart >> '"$BUNDLE"'/hookout/ran"]}],
                "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "echo createRuntime >> '"$BUNDLE"'/hookout/ran"]}]}'
}

# assert_nothing_left ID: no process naming the id (init and stage-1 keep cnfrun's argv until
# exec; `sleep 1000` afterwards), no mount of the bundle or rootfs in the host's mount table,
# no cgroup, no state dir; `state` says it does not exist.
assert_nothing_left() {
  local id=$1 rootfs
  rootfs=$(realpath "$BUNDLE/rootfs")
  run pgrep -f -a -- "$id"
  assert_failure
  run grep -F -e " $BUNDLE" -e " $rootfs" /proc/self/mountinfo
  assert_failure
  [ ! -e "$CG2$CGREL" ] || fail "cgroup $CG2$CGREL is left"
  [ ! -e "$ROOT/$id" ] || fail "state dir $ROOT/$id is left: $(ls -la "$ROOT/$id")"
  run cnf state "$id"
  assert_failure
  assert_output --partial "container \"$id\" does not exist"
  run cnf list -q
  assert_success
  refute_output --partial "$id"
}

# kill_create STAGE: create with CNFRUN_DEBUG_KILL_AT=STAGE; sets ID.
kill_create() {
  ID=$TAG-$1
  CNFRUN_DEBUG_KILL_AT=$1 run create_ct -b "$BUNDLE" "$ID"
}

# A stage that kills the runtime parent: create dies by SIGKILL and leaves its state dir.
parent_killed_at() {
  kill_create "$1"
  assert_equal "$status" 137
  [ -d "$ROOT/$ID" ] || fail "no state dir after a kill at $1: the stage was not reached before the state was made?"
}

@test "faults: create killed after namespaces (init's pid not yet saved): delete --force leaves nothing" {
  need_debug_build
  fault_bundle
  parent_killed_at namespaces
  [ ! -e "$BUNDLE/hookout/ran" ]
  run cnf delete --force "$ID"
  assert_success
  assert_nothing_left "$ID"
}

@test "faults: create killed after the cgroup is made and entered: delete --force leaves nothing" {
  need_debug_build
  fault_bundle
  parent_killed_at cgroup
  [ -d "$CG2$CGREL" ]
  [ ! -e "$BUNDLE/hookout/ran" ]
  run cnf delete --force "$ID"
  assert_success
  assert_nothing_left "$ID"
}

@test "faults: create killed after the prestart/createRuntime hooks: delete --force leaves nothing" {
  need_debug_build
  fault_bundle
  parent_killed_at hooks
  run cat "$BUNDLE/hookout/ran"
  assert_output $'prestart\ncreateRuntime'
  run cnf delete --force "$ID"
  assert_success
  assert_nothing_left "$ID"
}

@test "faults: create killed after linux.netDevices moved in: the netdev is not lost, delete --force returns it" {
  need_debug_build
  fault_bundle
  DEV=flt${TAG: -6}a
  ip link add "$DEV" type veth peer name "flt${TAG: -6}b"
  LINKS="$DEV flt${TAG: -6}b"
  ip link set "$DEV" address 02:00:00:00:fa:01 mtu 1400
  update_config '.linux.netDevices = {"'"$DEV"'": {"name": "eth7"}}'
  parent_killed_at hooks
  run ip link show "$DEV"
  assert_failure                                  # in the container's netns
  pid=$(jq -r .pid "$ROOT/$ID/state.json")
  kill -0 "$pid"                                  # init holds the netns, and with it the device
  run cnf delete --force "$ID"
  assert_success
  run ip -o link show "$DEV"
  assert_success
  assert_output --partial "mtu 1400"
  assert_output --partial "02:00:00:00:fa:01"
  assert_nothing_left "$ID"
}

@test "faults: the container init killed after its mounts: create fails and leaves nothing" {
  need_debug_build
  fault_bundle
  kill_create mounts
  assert_equal "$status" 1
  assert_output --partial "exited during setup"
  # create cleaned up itself; delete --force of what is gone succeeds, as with runc
  assert_nothing_left "$ID"
  run cnf delete --force "$ID"
  assert_success
}

@test "faults: create killed with init blocked on the exec fifo: delete --force kills it and leaves nothing" {
  need_debug_build
  fault_bundle
  parent_killed_at fifo
  pid=$(jq -r .pid "$ROOT/$ID/state.json")
  [ "$pid" -gt 1 ]
  kill -0 "$pid"                                  # the init outlived its runtime
  run cnf state "$ID"
  assert_success
  run cnf delete --force "$ID"
  assert_success
  # gone, or a zombie waiting for whoever inherited it (not cnfrun's to reap)
  if [ -e "/proc/$pid/stat" ]; then
    awk '{ print $3, $4 }' "/proc/$pid/stat"; ps -o pid,ppid,stat,args -p "$(awk '{ print $4 }' "/proc/$pid/stat")"
    [ "$(awk '{ print $3 }' "/proc/$pid/stat")" = Z ] || fail "init $pid still runs"
  fi
  assert_nothing_left "$ID"
}

@test "faults: without a kill stage the debug build creates normally (the stages are not reached by accident)" {
  need_debug_build
  fault_bundle
  run create_ct -b "$BUNDLE" "$TAG-ok"
  assert_success
  run cnf state "$TAG-ok"
  assert_success
  echo "$output" | jq -e '.status == "created"'
  run cnf delete --force "$TAG-ok"
  assert_success
  ID=$TAG-ok
  assert_nothing_left "$ID"
}

# tiny_root OPTS: $ROOT becomes a fresh tmpfs mounted with OPTS (unmounted in teardown).
tiny_root() {
  ROOT=$BATS_TEST_TMPDIR/tiny
  mkdir -p "$ROOT"
  mount -t tmpfs -o "$1,mode=0700" "tmpfs-$TAG" "$ROOT"
  MNT=$ROOT
}

# create_enospc OPTS WHAT: create on a --root mounted with OPTS fails naming ENOSPC (and WHAT
# ran out), and leaves nothing; state and list read the root as before.
create_enospc() {
  tiny_root "$1"
  ID=$TAG-full
  run create_ct -b "$BUNDLE" "$ID"
  assert_failure
  assert_output --partial "No space left on device"
  assert_output --partial "$2"
  run ls -A "$ROOT"
  assert_output ""
  assert_nothing_left "$ID"
  umount "$ROOT"
  MNT=
}

@test "faults: disk full: the state dir, the config copy, the exec fifo or the state save: clean ENOSPC, nothing left" {
  update_config '.process.args = ["sleep", "1000"] | .linux.cgroupsPath = "'"$CGREL"'"'
  # one inode more each time: the state dir, the config copy (temp file), the exec fifo, and
  # the state file's temp file
  create_enospc size=8k,nr_inodes=1 "create state dir"
  create_enospc size=8k,nr_inodes=2 "create config.json"
  create_enospc size=8k,nr_inodes=3 "create exec fifo"
  create_enospc size=8k,nr_inodes=4 "save state of container"
  # room for the config copy's page, not for the state file's
  create_enospc size=4k "write state.json"
}

@test "faults: disk full: a config larger than the root (big annotations) fails cleanly" {
  update_config '.process.args = ["sleep", "1000"] | .linux.cgroupsPath = "'"$CGREL"'"
    | .annotations = {"big": ("x" * 20000)}'
  create_enospc size=12k "write config.json"
}

@test "faults: disk full: a --pid-file that cannot be written fails create and leaves nothing" {
  update_config '.process.args = ["sleep", "1000"] | .linux.cgroupsPath = "'"$CGREL"'"'
  pidmnt=$BATS_TEST_TMPDIR/pidfs
  mkdir -p "$pidmnt"
  mount -t tmpfs -o size=4k,nr_inodes=1 "tmpfs-$TAG" "$pidmnt"
  MNT=$pidmnt
  ID=$TAG-pid
  run create_ct -b "$BUNDLE" --pid-file "$pidmnt/pid" "$ID"
  assert_failure
  assert_output --partial "--pid-file"
  assert_output --partial "No space left on device"
  assert_nothing_left "$ID"
}

@test "faults: disk full: the same tiny root with room enough creates, and state/list read it" {
  update_config '.process.args = ["sleep", "1000"] | .linux.cgroupsPath = "'"$CGREL"'"'
  tiny_root size=12k,nr_inodes=8
  run create_ct -b "$BUNDLE" "$TAG-fits"
  assert_success
  run cnf list -q
  assert_output "$TAG-fits"
  run cnf delete --force "$TAG-fits"
  assert_success
  ID=$TAG-fits
  assert_nothing_left "$ID"
}

@test "faults: a truncated or empty state file: list and state still work, delete --force removes it" {
  for id in "$TAG-trunc" "$TAG-empty"; do mkdir -m 0700 "$ROOT/$id"; done
  printf '{"id": "%s", "pid": 12' "$TAG-trunc" > "$ROOT/$TAG-trunc/state.json"
  : > "$ROOT/$TAG-empty/state.json"
  run cnf list
  assert_success
  for id in "$TAG-trunc" "$TAG-empty"; do
    run cnf state "$id"
    assert_failure
    assert_output --partial "state of container \"$id\" is corrupt"
    run cnf delete "$id"                            # without --force it stays an error
    assert_failure
    [ -d "$ROOT/$id" ]
    run cnf delete --force "$id"
    assert_success
    assert_output --partial "removing its state dir"
    [ ! -e "$ROOT/$id" ]
  done
}
