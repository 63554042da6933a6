#!/usr/bin/env bats
# cgroups on whatever hierarchy this machine has: on the hybrid dev host the v2 mount has only
# hugetlb, so this checks hugetlb limits (with .rsvd) and their enforcement, the eBPF device
# program, freeze, ps/events/update/kill --all, clean removal, and the errors for controllers
# the v2 hierarchy lacks.  The pure-v2 behaviour is in cgroup-v2.bats (run in the VM).
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
  # hugemap N: mmap N 2 MiB hugepages and touch them; exit 0, or 3 if mmap fails, 4 if the
  # size is unsupported.  SIGBUS on touch (no reservation limit) shows as 135.
  cat > "$BATS_FILE_TMPDIR/hugemap.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
int main (int argc, char **argv) {
  size_t n = strtoul (argv[1], NULL, 10), len = n << 21, i;
  char *p = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  if (p == MAP_FAILED) { printf ("mmap %zu pages: %s\n", n, strerror (errno)); return 3; }
  for (i = 0; i < len; i += 1 << 21) p[i] = 1;
  printf ("mapped %zu pages\n", n);
  return 0;
}
C
  gcc -static -O1 -o "$SHARED_ROOTFS/bin/hugemap" "$BATS_FILE_TMPDIR/hugemap.c"
}

setup() {
  setup_bundle
  CG2=$(cgroup2_mount)
  [ -n "$CG2" ] || skip "no cgroup2 mount"
  ID=cgh-$$-$BATS_TEST_NUMBER
}

teardown() { cleanup_containers; }

has_ctrl() { grep -qw "$1" "$CG2/cgroup.controllers"; }

# create with the init's stdio away from bats' pipes (a live init would hold them open)
ct_create() {
  cnf create -b "$BUNDLE" "$@" </dev/null >"$BATS_TEST_TMPDIR/create.out" 2>&1 || { cat "$BATS_TEST_TMPDIR/create.out"; return 1; }
}

@test "cgroup: default path below the v2 mount, init inside, removed by delete" {
  update_config '.process.args = ["sleep", "100"]'
  ct_create "$ID"
  [ -d "$CG2/cnfrun/$ID" ]
  pid=$(cnf state "$ID" | jq .pid)
  grep -qx "$pid" "$CG2/cnfrun/$ID/cgroup.procs"
  grep -q "0::/cnfrun/$ID\$" /proc/$pid/cgroup
  run cnf delete --force "$ID"
  assert_success
  [ ! -e "$CG2/cnfrun/$ID" ]
}

@test "cgroup: absolute cgroupsPath is taken below the v2 root" {
  update_config ".process.args = [\"sleep\", \"100\"] | .linux.cgroupsPath = \"/cnfrun-test-$ID/inner\""
  ct_create "$ID"
  [ -d "$CG2/cnfrun-test-$ID/inner" ]
  cnf delete --force "$ID"
  [ ! -e "$CG2/cnfrun-test-$ID/inner" ]
  rmdir "$CG2/cnfrun-test-$ID"
}

@test "cgroup: hugetlb limits set .max and .rsvd.max" {
  has_ctrl hugetlb || skip "no hugetlb controller on the v2 hierarchy"
  update_config '.process.args = ["sleep", "100"] | .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
  ct_create "$ID"
  assert_equal "$(cat "$CG2/cnfrun/$ID/hugetlb.2MB.max")" 4194304
  assert_equal "$(cat "$CG2/cnfrun/$ID/hugetlb.2MB.rsvd.max")" 4194304
  # update --resources changes both live
  echo '{"hugepageLimits": [{"pageSize": "2MB", "limit": 6291456}]}' | cnf update -r - "$ID"
  assert_equal "$(cat "$CG2/cnfrun/$ID/hugetlb.2MB.max")" 6291456
  assert_equal "$(cat "$CG2/cnfrun/$ID/hugetlb.2MB.rsvd.max")" 6291456
  # events --stats reports it in runc's shape
  run cnf events --stats "$ID"
  assert_success
  assert_equal "$(echo "$output" | jq -r '.type, .id, .data.hugetlb["2MB"].max' | tr '\n' ' ')" "stats $ID 6291456 "
}

# On a pure v2 host (the VM) cgroup-v2.bats covers this one and the device program.
pure_v2() { has_ctrl cpuset && has_ctrl memory && has_ctrl pids; }

@test "cgroup: hugetlb enforcement: up to the limit maps, beyond it mmap fails (no SIGBUS)" {
  has_ctrl hugetlb || skip "no hugetlb controller on the v2 hierarchy"
  pure_v2 && skip "covered by cgroup-v2.bats"
  free=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
  if [ "$free" -lt 4 ]; then
    # raise, never lower: other tests may hold hugepages
    echo $(( $(cat /proc/sys/vm/nr_hugepages) + 4 )) > /proc/sys/vm/nr_hugepages
    free=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
    [ "$free" -ge 4 ] || skip "fewer than 4 free 2 MiB hugepages"
  fi
  update_config '.process.args = ["hugemap", "2"] | .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
  run cnf run -b "$BUNDLE" "$ID"
  assert_success
  assert_output "mapped 2 pages"
  update_config '.process.args = ["hugemap", "3"]'
  run cnf run -b "$BUNDLE" "$ID-b"
  assert_equal "$status" 3
  assert_output "mmap 3 pages: Cannot allocate memory"
}

@test "cgroup: a controller the v2 hierarchy lacks fails before anything is created" {
  for ctl in memory cpuset pids cpu; do
    has_ctrl $ctl && continue
    case $ctl in
      memory) res='{"memory": {"limit": 67108864}}' ;;
      cpuset) res='{"cpu": {"cpus": "0"}}' ;;
      pids) res='{"pids": {"limit": 10}}' ;;
      cpu) res='{"cpu": {"shares": 512}}' ;;
    esac
    update_config ".linux.resources = $res"
    run cnf create -b "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "$ctl is not enabled on the cgroup v2 hierarchy at $CG2"
    [ ! -e "$CG2/cnfrun/$ID" ]
    [ ! -e "$ROOT/$ID" ]
    tested=1
  done
  [ -n "${tested:-}" ] || skip "this v2 hierarchy has every controller (pure v2 host)"
}

@test "cgroup: a failed create (unknown unified file) leaves no cgroup behind" {
  has_ctrl hugetlb || skip "no hugetlb controller on the v2 hierarchy"
  update_config '.linux.resources.unified = {"hugetlb.2MB.nosuchfile": "1"}'
  run cnf create -b "$BUNDLE" "$ID"
  assert_failure
  assert_output --partial "hugetlb.2MB.nosuchfile"
  [ ! -e "$CG2/cnfrun/$ID" ]
  [ ! -e "$ROOT/$ID" ]
  # unified names may not escape the cgroup dir
  update_config '.linux.resources.unified = {"../cgroup.procs": "1"}'
  run cnf create -b "$BUNDLE" "$ID"
  assert_failure
  # (the spec parser may refuse it first; either way it names the file)
  assert_output --regexp '(is not a cgroup v2 file name|invalid cgroup file name)'
  assert_output --partial '../cgroup.procs'
}

@test "cgroup: --systemd-cgroup with a libsystemd that cannot be loaded fails create; nothing is left" {
  # libsystemd is loaded at the scope's start, after the init exists: that init must go too.
  # A file that is not a library stands in for a broken one (dlopen searches LD_LIBRARY_PATH).
  mkdir "$BATS_TEST_TMPDIR/lib"
  echo "not a library" > "$BATS_TEST_TMPDIR/lib/libsystemd.so.0"
  update_config '.process.args = ["sleep", "100"] | .linux.cgroupsPath = "system.slice:cnfrun:'"$ID"'"'
  run ! env LD_LIBRARY_PATH="$BATS_TEST_TMPDIR/lib" "$CNFRUN" --root "$ROOT" --systemd-cgroup create -b "$BUNDLE" "$ID" </dev/null
  assert_output --partial "--systemd-cgroup: cannot load libsystemd.so.0 (Debian package libsystemd0): "
  assert_output --partial "$BATS_TEST_TMPDIR/lib/libsystemd.so.0"
  [ ! -e "$ROOT/$ID" ]
  [ ! -e "$CG2/system.slice/cnfrun-$ID.scope" ]
  run pgrep -f -- "-b $BUNDLE $ID"
  assert_failure
}

@test "cgroup: the eBPF device program refuses a block device and allows the listed one" {
  pure_v2 && skip "covered by cgroup-v2.bats"
  update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
  update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "b", "major": 7, "minor": 0, "access": "r"}]'
  update_config '.process.args = ["sh", "-c", "mknod /dev/xsda b 8 0; mknod /dev/xloop0 b 7 0; head -c1 /dev/xsda >/dev/null; echo sda=$?; head -c1 /dev/xloop0 > /dev/null; echo loop0=$?; echo x > /dev/null; echo null=$?"]'
  run cnf run -b "$BUNDLE" "$ID"
  assert_success
  assert_line --partial "/dev/xsda: Operation not permitted"
  assert_line "sda=1"
  refute_line --partial "/dev/xloop0: Operation not permitted"
  assert_line "null=0"
}

@test "cgroup: pause freezes, resume thaws; ps lists the pids; kill --all empties the cgroup" {
  update_config '.process.args = ["sh", "-c", "sleep 100 & sleep 100 & wait"]'
  ct_create "$ID"
  cnf start "$ID"
  run cnf pause "$ID"
  assert_success
  assert_equal "$(cnf state "$ID" | jq -r .status)" paused
  grep -qx "frozen 1" "$CG2/cnfrun/$ID/cgroup.events"
  run cnf pause "$ID"
  assert_failure
  cnf resume "$ID"
  assert_equal "$(cnf state "$ID" | jq -r .status)" running
  grep -qx "frozen 0" "$CG2/cnfrun/$ID/cgroup.events"
  wait_for 30 sh -c "[ \$($CNFRUN --root $ROOT ps --format json $ID | jq length) = 3 ]"
  pid=$(cnf state "$ID" | jq .pid)
  run cnf ps --format json "$ID"
  assert_success
  echo "$output" | jq -e "index($pid) != null"
  run cnf ps "$ID"
  assert_success
  assert_line --index 0 --regexp 'PID'
  assert_line --partial "sleep 100"
  run cnf kill --all "$ID" KILL
  assert_success
  wait_for 50 grep -qx "populated 0" "$CG2/cnfrun/$ID/cgroup.events"
  cnf delete "$ID"
  [ ! -e "$CG2/cnfrun/$ID" ]
}

@test "cgroup: irq-load-balancing needs the cpuset controller (clear error, nothing changed)" {
  has_ctrl cpuset && skip "cpuset present: covered in cgroup-v2.bats"
  fake=$BATS_TEST_TMPDIR/irq
  mkdir -p "$fake/5"
  echo 3 > "$fake/5/smp_affinity"
  echo 3 > "$fake/default_smp_affinity"
  update_config '.process.args = ["sleep", "100"] | .annotations = {"irq-load-balancing.crio.io": "disable"}'
  CNFRUN_IRQ_ROOT=$fake run cnf create -b "$BUNDLE" "$ID"
  assert_failure
  assert_output --partial "needs the cpuset controller"
  assert_equal "$(cat "$fake/5/smp_affinity")" 3
  [ ! -e "$CG2/cnfrun/$ID" ]
}
