#!/usr/bin/env bats
# cgroup v2 behaviour that needs a pure unified hierarchy (every controller): run inside the
# test VM by tests/vm/run (4 CPUs, 2 MiB hugepages).  On the hybrid dev host every test skips.
# Each test asserts through the cgroup files and through what a process inside can do.
load helpers

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
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
  CG2=$(cgroup2_mount)
  [ -n "$CG2" ] || skip "no cgroup2 mount"
  for c in cpuset cpu memory pids hugetlb; do
    grep -qw $c "$CG2/cgroup.controllers" || skip "not a pure cgroup v2 host ($c missing at $CG2): run in tests/vm"
  done
  setup_bundle
  ID=cgv2-$$-$BATS_TEST_NUMBER
  CGD=$CG2/cnfrun/$ID
}

teardown() {
  cleanup_containers
  [ -n "${ID:-}" ] && rmdir "$CG2/cnfrun-iso-$ID" 2>/dev/null || true
}

ct_create() {
  cnf create -b "$BUNDLE" "$@" </dev/null >"$BATS_TEST_TMPDIR/create.out" 2>&1 || { cat "$BATS_TEST_TMPDIR/create.out"; return 1; }
}

# run a container to completion, keeping it (and its cgroup) until the test deletes it
run_kept() {
  ct_create "$ID"
  cnf start "$ID"
  wait_for 300 sh -c "[ \"\$($CNFRUN --root $ROOT state $ID | jq -r .status)\" = stopped ]"
}

@test "v2: cpuset pins the container: taskset inside shows only the allowed cpus" {
  update_config '.process.args = ["sh", "-c", "taskset -p $$"] | .linux.resources.cpu = {"cpus": "1-2", "mems": "0"}'
  run cnf run -b "$BUNDLE" "$ID"
  assert_success
  assert_output --regexp "current affinity mask: 6$"
  update_config '.process.args = ["sleep", "100"]'
  ct_create "$ID"
  assert_equal "$(cat "$CGD/cpuset.cpus")" 1-2
  assert_equal "$(cat "$CGD/cpuset.cpus.effective")" 1-2
  assert_equal "$(cat "$CGD/cpuset.mems")" 0
}

@test "v2: a memory limit OOM-kills; swap follows runc's memory+swap meaning" {
  update_config '.process.args = ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"] | .linux.resources.memory = {"limit": 33554432, "swap": 33554432} | .linux.resources.unified = {"memory.oom.group": "1"}'
  run_kept
  assert_equal "$(cat "$CGD/memory.max")" 33554432
  assert_equal "$(cat "$CGD/memory.swap.max")" 0
  assert_equal "$(cat "$CGD/memory.oom.group")" 1
  [ "$(awk '/^oom_kill / { print $2 }' "$CGD/memory.events")" -ge 1 ]
  cnf delete "$ID"
  [ ! -e "$CGD" ]
}

@test "v2: a pids limit stops fork" {
  update_config '.process.args = ["sh", "-c", "for i in $(seq 20); do sleep 30 & done; echo done"] | .linux.resources.pids = {"limit": 8}'
  run cnf run -b "$BUNDLE" "$ID"
  assert_output --partial "can't fork"
  update_config '.process.args = ["sleep", "100"]'
  ct_create "$ID"
  assert_equal "$(cat "$CGD/pids.max")" 8
}

@test "v2: hugetlb with rsvd: maps up to the limit, mmap fails beyond it" {
  update_config '.process.args = ["hugemap", "4"] | .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 8388608}]'
  run cnf run -b "$BUNDLE" "$ID"
  assert_success
  assert_output "mapped 4 pages"
  update_config '.process.args = ["hugemap", "5"]'
  run cnf run -b "$BUNDLE" "$ID"
  assert_equal "$status" 3
  assert_output "mmap 5 pages: Cannot allocate memory"
}

@test "v2: the device program refuses /dev/sda-style access and allows the listed devices" {
  update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
  update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 196, "access": "rw"}]'
  update_config '.process.args = ["sh", "-c", "mknod /dev/xsda b 8 0; mknod /dev/xvfio c 10 196; head -c1 /dev/xsda >/dev/null; echo sda=$?; head -c1 /dev/xvfio >/dev/null; echo vfio=$?; echo x > /dev/null; echo null=$?"]'
  run cnf run -b "$BUNDLE" "$ID"
  assert_success
  assert_line --partial "/dev/xsda: Operation not permitted"
  assert_line "sda=1"
  refute_line --partial "/dev/xvfio: Operation not permitted"
  assert_line "null=0"
}

@test "v2: update changes the limits live" {
  update_config '.process.args = ["sleep", "100"] | .linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 20} | .linux.resources.cpu = {"shares": 1024, "cpus": "0-3"}'
  ct_create "$ID"
  cnf start "$ID"
  assert_equal "$(cat "$CGD/cpu.weight")" 39
  run cnf update --memory 128M --memory-swap 256M --pids-limit 30 --cpu-quota 50000 --cpu-period 100000 --cpu-share 512 --cpuset-cpus 0 "$ID"
  assert_success
  assert_equal "$(cat "$CGD/memory.max")" 134217728
  assert_equal "$(cat "$CGD/memory.swap.max")" 134217728
  assert_equal "$(cat "$CGD/pids.max")" 30
  assert_equal "$(cat "$CGD/cpu.max")" "50000 100000"
  assert_equal "$(cat "$CGD/cpu.weight")" 20
  assert_equal "$(cat "$CGD/cpuset.cpus")" 0
  # period alone keeps the quota
  cnf update --cpu-period 200000 "$ID"
  assert_equal "$(cat "$CGD/cpu.max")" "50000 200000"
  echo '{"memory": {"limit": -1}, "pids": {"limit": 0}}' | cnf update -r - "$ID"
  assert_equal "$(cat "$CGD/memory.max")" max
  assert_equal "$(cat "$CGD/pids.max")" max
  run cnf events --stats "$ID"
  assert_success
  echo "$output" | jq -e '.data.memory.usage.usage > 0 and .data.pids.current == 1 and .data.cpu.usage.total >= 0'
}

@test "v2: pause freezes every process, resume thaws them" {
  update_config '.process.args = ["sh", "-c", "while :; do echo x >> /tmp/ticks; sleep 0.1; done"]'
  ct_create "$ID"
  cnf start "$ID"
  cnf pause "$ID"
  assert_equal "$(cnf state "$ID" | jq -r .status)" paused
  grep -qx "frozen 1" "$CGD/cgroup.events"
  pid=$(cnf state "$ID" | jq .pid)
  a=$(wc -l < /proc/$pid/root/tmp/ticks)
  sleep 1
  assert_equal "$(wc -l < /proc/$pid/root/tmp/ticks)" "$a"
  cnf resume "$ID"
  grep -qx "frozen 0" "$CGD/cgroup.events"
  sleep 1
  [ "$(wc -l < /proc/$pid/root/tmp/ticks)" -gt "$a" ]
}

@test "v2: CRI-O isolation annotations: isolated partition, cpu.max, IRQ masks; all undone by delete" {
  fake=$BATS_TEST_TMPDIR/irq
  mkdir -p "$fake/20" "$fake/21"
  echo f > "$fake/20/smp_affinity"
  echo 8 > "$fake/21/smp_affinity"
  echo f > "$fake/default_smp_affinity"
  export CNFRUN_IRQ_ROOT=$fake
  # On kernels without cpuset.cpus.exclusive the parent must be a partition root: the v2 root.
  update_config ".process.args = [\"sleep\", \"100\"] | .linux.cgroupsPath = \"/cnfrun-iso-$ID\" | .linux.resources.cpu = {\"cpus\": \"2-3\", \"quota\": 20000, \"period\": 100000} | .annotations = {\"cpu-load-balancing.crio.io\": \"disable\", \"cpu-quota.crio.io\": \"disable\", \"irq-load-balancing.crio.io\": \"disable\"}"
  ct_create "$ID"
  d=$CG2/cnfrun-iso-$ID
  assert_equal "$(cat "$d/cpuset.cpus.partition")" isolated
  assert_equal "$(cut -d' ' -f1 "$d/cpu.max")" max
  assert_equal "$(cat "$fake/20/smp_affinity")" 3
  assert_equal "$(cat "$fake/21/smp_affinity")" 8    # would be left with no cpu: untouched
  assert_equal "$(cat "$fake/default_smp_affinity")" 3
  [ -f "$ROOT/$ID/irq-masks" ]
  cnf delete --force "$ID"
  [ ! -e "$d" ]
  assert_equal "$(cat "$fake/20/smp_affinity")" f
  assert_equal "$(cat "$fake/default_smp_affinity")" f
  run cat "$CG2/cpuset.cpus.effective"
  assert_output 0-3
}

@test "v2: IRQ masks of a crashed run are restored by the next cnfrun call" {
  fake=$BATS_TEST_TMPDIR/irq
  mkdir -p "$fake/30"
  echo f > "$fake/30/smp_affinity"
  echo f > "$fake/default_smp_affinity"
  export CNFRUN_IRQ_ROOT=$fake
  update_config '.process.args = ["sleep", "100"] | .linux.resources.cpu = {"cpus": "1"} | .annotations = {"irq-load-balancing.crio.io": "disable"}'
  ct_create "$ID"
  assert_equal "$(cat "$fake/30/smp_affinity")" d
  # the container dies behind cnfrun's back, as after a crash; its cgroup empties
  echo 1 > "$CGD/cgroup.kill"
  wait_for 50 grep -qx "populated 0" "$CGD/cgroup.events"
  cnf ps --format json "$ID"
  assert_equal "$(cat "$fake/30/smp_affinity")" f
  [ ! -f "$ROOT/$ID/irq-masks" ]
}

@test "v2: nothing is left in the cgroup tree after delete, or after a failed create" {
  update_config '.process.args = ["sh", "-c", "sleep 100 & sleep 100 & wait"] | .linux.resources.pids = {"limit": 10}'
  ct_create "$ID"
  cnf start "$ID"
  mkdir "$CGD/sub"     # a child cgroup made from inside must not block delete
  cnf delete --force "$ID"
  [ ! -e "$CGD" ]
  # cpu 7 does not exist in the 4-cpu guest: cpuset.cpus is refused after the mkdir
  update_config '.process.args = ["true"] | .linux.resources.cpu = {"cpus": "7"}'
  run cnf create -b "$BUNDLE" "$ID"
  assert_failure
  assert_output --partial "cpuset.cpus"
  [ ! -e "$CGD" ]
  [ ! -e "$ROOT/$ID" ]
}

@test "v2: --systemd-cgroup makes a transient scope with the limits (needs systemd as PID 1)" {
  [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm)" = systemd ] || skip "systemd is not PID 1 (tests/vm/run --systemd)"
  update_config ".process.args = [\"sleep\", \"100\"] | .linux.cgroupsPath = \"system.slice:cnfrun:$ID\" | .linux.resources.memory = {\"limit\": 67108864} | .linux.resources.pids = {\"limit\": 20} | .linux.resources.hugepageLimits = [{\"pageSize\": \"2MB\", \"limit\": 4194304}]"
  cnf() { "$CNFRUN" --root "$ROOT" --systemd-cgroup "$@"; }
  ct_create "$ID"
  d=$CG2/system.slice/cnfrun-$ID.scope
  [ -d "$d" ]
  assert_equal "$(systemctl show -p MemoryMax --value cnfrun-$ID.scope)" 67108864
  assert_equal "$(cat "$d/memory.max")" 67108864
  assert_equal "$(cat "$d/pids.max")" 20
  assert_equal "$(cat "$d/hugetlb.2MB.max")" 4194304
  pid=$(cnf state "$ID" | jq .pid)
  grep -qx "$pid" "$d/cgroup.procs"
  cnf delete --force "$ID"
  wait_for 50 sh -c "[ ! -e $d ]"
}
