#!/usr/bin/env bats
# The test VM is a real pure cgroup v2 container host: unified hierarchy with every controller
# delegated, 4 CPUs, hugepages, a writable root that is the host's, module autoloading, and
# Debian's runc and crun running busybox bundles with cgroup limits.
# Runs inside the guest: tests/vm/run tests/vm/smoke.bats
load ../integration/helpers

setup_file() {
  if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ]; then
    skip "not a pure cgroup v2 host: run it in the guest with tests/vm/run $BATS_TEST_FILENAME"
  fi
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() { CG=; ROOT=; }

# Every exec costs ~0.1 s under TCG: only the runtime tests build a bundle.
runtime_bundle() {
  setup_bundle
  # Debian's crun 1.8 accepts only 1.0.x specs; runc refuses a symlinked rootfs.
  update_config ".ociVersion = \"1.0.2\" | .root.path = \"$SHARED_ROOTFS\""
}

teardown() {
  local rt
  for rt in runc crun; do
    [ -n "$ROOT" ] && [ -e "$ROOT/$rt/vmsmoke-$rt" ] || continue
    "$rt" --root "$ROOT/$rt" delete --force "vmsmoke-$rt" >/dev/null 2>&1 || true
  done
  [ -z "$CG" ] || rmdir "/sys/fs/cgroup/$CG" 2>/dev/null || true
}

@test "cgroup2 at /sys/fs/cgroup with cpuset cpu io memory hugetlb pids delegated" {
  run findmnt -n -o FSTYPE /sys/fs/cgroup
  assert_success
  assert_output cgroup2
  assert_equal "$(cgroup2_mount)" /sys/fs/cgroup
  local c
  for c in cpuset cpu io memory hugetlb pids; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || fail "controller $c missing: $(cat /sys/fs/cgroup/cgroup.controllers)"
    grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control || fail "controller $c not in the root's subtree_control"
  done
  # No v1 hierarchy anywhere.
  run awk '$3 == "cgroup"' /proc/self/mounts
  assert_output ""
}

@test "4 CPUs, all in the root cpuset" {
  assert_equal "$(nproc)" 4
  assert_equal "$(cat /sys/fs/cgroup/cpuset.cpus.effective)" 0-3
  run taskset -pc $$
  assert_output --partial "current affinity list: 0-3"
}

@test "2 MiB hugepages reserved at boot, hugetlbfs mounted, hugetlb files in the root" {
  local n
  n=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)
  [ "$n" -gt 0 ] || fail "no 2 MiB hugepages reserved"
  assert_equal "$(findmnt -n -o FSTYPE /dev/hugepages)" hugetlbfs
  mkdir "/sys/fs/cgroup/vmsmoke-hp"
  CG=vmsmoke-hp
  [ -f /sys/fs/cgroup/vmsmoke-hp/hugetlb.2MB.max ] || fail "hugetlb.2MB.max missing"
  [ -f /sys/fs/cgroup/vmsmoke-hp/hugetlb.2MB.rsvd.max ] || fail "hugetlb.2MB.rsvd.max missing"
}

@test "the root is the host's tree under a writable RAM overlay; /tmp and /run are fresh tmpfs" {
  assert_equal "$(findmnt -n -o FSTYPE /)" overlay
  [ -x "$SRCDIR/tests/vm/run" ] || fail "source tree not visible at $SRCDIR"
  echo probe > /etc/vmsmoke-probe
  assert_equal "$(cat /etc/vmsmoke-probe)" probe
  rm /etc/vmsmoke-probe
  assert_equal "$(findmnt -n -o FSTYPE /tmp)" tmpfs
  assert_equal "$(findmnt -n -o FSTYPE /run)" tmpfs
}

@test "kernel modules load on demand (veth pair in a scratch netns)" {
  run unshare -n sh -c 'ip link add vmsmoke0 type veth peer name vmsmoke1 && ip -o link show vmsmoke1'
  assert_success
  assert_output --partial vmsmoke1
}

# run_bundle RUNTIME: RUNTIME run of the busybox bundle: output and exit code come back.
run_bundle() {
  local rt=$1
  runtime_bundle
  update_config '.process.args = ["sh", "-c", "echo hello from $(hostname) in $(cat /proc/self/cgroup); exit 7"]'
  run "$rt" --root "$ROOT/$rt" run -b "$BUNDLE" "vmsmoke-$rt"
  assert_equal "$status" 7
  assert_output "hello from cnftest in 0::/"
}

# limits_bundle RUNTIME: a detached container in cgroup /vmsmoke-RUNTIME with cpuset, memory and
# pids limits: the runtime wrote them into a pure v2 cgroup and the init is in it.
limits_bundle() {
  local rt=$1 pid
  runtime_bundle
  CG=vmsmoke-$rt
  update_config ".process.args = [\"sleep\", \"60\"] | .linux.cgroupsPath = \"/$CG\"
    | .linux.resources = {\"cpu\": {\"cpus\": \"1-2\"}, \"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 42}}"
  "$rt" --root "$ROOT/$rt" run -d -b "$BUNDLE" "vmsmoke-$rt" < /dev/null > "$BATS_TEST_TMPDIR/out" 2>&1 ||
    fail "$rt run -d failed: $(cat "$BATS_TEST_TMPDIR/out")"
  assert_equal "$(cat /sys/fs/cgroup/$CG/pids.max)" 42
  assert_equal "$(cat /sys/fs/cgroup/$CG/memory.max)" 67108864
  assert_equal "$(cat /sys/fs/cgroup/$CG/cpuset.cpus.effective)" 1-2
  pid=$("$rt" --root "$ROOT/$rt" state "vmsmoke-$rt" | jq -r .pid)
  grep -qx "$pid" /sys/fs/cgroup/$CG/cgroup.procs || fail "init $pid not in /$CG"
  run taskset -pc "$pid"
  assert_output --partial "current affinity list: 1,2"
  "$rt" --root "$ROOT/$rt" kill "vmsmoke-$rt" KILL
  wait_for 100 sh -c "! kill -0 $pid 2>/dev/null"
  "$rt" --root "$ROOT/$rt" delete "vmsmoke-$rt"
  [ ! -d "/sys/fs/cgroup/$CG" ] || fail "$rt left /$CG behind"
  CG=
}

@test "runc runs a busybox bundle" { run_bundle runc; }
@test "crun runs a busybox bundle" { run_bundle crun; }
@test "runc puts a container under cpuset, memory and pids limits" { limits_bundle runc; }
@test "crun puts a container under cpuset, memory and pids limits" { limits_bundle crun; }
