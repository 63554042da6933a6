#!/usr/bin/env bats
# The container process as process.* and linux.{personality,memoryPolicy} configure it, asserted
# from inside the container: user and groups, the five capability sets, no_new_privs, rlimits,
# umask, cwd, env/HOME, PATH lookup, fd hygiene, CPU affinity, scheduler, I/O priority,
# oom_score_adj, personality and the NUMA memory policy.
load helpers
bats_require_minimum_version 1.5.0

# use_private_rootfs: a rootfs of this test's own (for tests that write into it).
use_private_rootfs() {
  make_busybox_rootfs "$BUNDLE/rootfs"
  update_config '.root.path = "rootfs"'
}

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() { setup_bundle; }
teardown() { kill_containers; }

# status_field NAME: the value of NAME from $output (a /proc/self/status dump).
status_field() {
  echo "$output" | awk -v k="$1:" '$1 == k { $1 = ""; sub(/^[ \t]+/, ""); print; exit }'
}

@test "process: bounding/effective/permitted sets exactly as configured, the others empty" {
  update_config '.process.args = ["cat", "/proc/self/status"]
    | .process.capabilities = {"bounding": ["CAP_KILL", "CAP_NET_ADMIN"], "effective": ["CAP_KILL", "CAP_NET_ADMIN"], "permitted": ["CAP_KILL", "CAP_NET_ADMIN"]}'
  run cnf run -b "$BUNDLE" pcaps
  assert_success
  # CAP_KILL = 5, CAP_NET_ADMIN = 12
  assert_equal "$(status_field CapBnd)" 0000000000001020
  assert_equal "$(status_field CapEff)" 0000000000001020
  assert_equal "$(status_field CapPrm)" 0000000000001020
  assert_equal "$(status_field CapInh)" 0000000000000000
  assert_equal "$(status_field CapAmb)" 0000000000000000
  assert_equal "$(status_field NoNewPrivs)" 1
}

@test "process: a non-root user with additional gids keeps an ambient capability" {
  update_config '.process.args = ["cat", "/proc/self/status"]
    | .process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20]}
    | .process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"], "effective": ["CAP_NET_BIND_SERVICE"], "permitted": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]}'
  run cnf run -b "$BUNDLE" puser
  assert_success
  assert_equal "$(status_field Uid)" "1000 1000 1000 1000"
  assert_equal "$(status_field Gid)" "1001 1001 1001 1001"
  assert_equal "$(status_field Groups)" "10 20"
  # CAP_NET_BIND_SERVICE = 10; CAP_KILL stays in the bounding set only
  assert_equal "$(status_field CapAmb)" 0000000000000400
  assert_equal "$(status_field CapEff)" 0000000000000400
  assert_equal "$(status_field CapPrm)" 0000000000000400
  assert_equal "$(status_field CapInh)" 0000000000000400
  assert_equal "$(status_field CapBnd)" 0000000000000420
}

@test "process: a non-root user without ambient capabilities has none after exec" {
  update_config '.process.args = ["cat", "/proc/self/status"]
    | .process.user = {"uid": 1000, "gid": 1000}'
  run cnf run -b "$BUNDLE" pnoamb
  assert_success
  assert_equal "$(status_field CapEff)" 0000000000000000
  assert_equal "$(status_field CapPrm)" 0000000000000000
  assert_equal "$(status_field Groups)" ""
}

@test "process: noNewPrivileges false leaves no_new_privs clear" {
  update_config '.process.args = ["cat", "/proc/self/status"] | .process.noNewPrivileges = false'
  run cnf run -b "$BUNDLE" pnnp
  assert_success
  assert_equal "$(status_field NoNewPrivs)" 0
}

@test "process: rlimits are set; the message names the rlimit when one cannot be" {
  update_config '.process.args = ["cat", "/proc/self/limits"]
    | .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_MSGQUEUE", "soft": 4096, "hard": 8192}]'
  run cnf run -b "$BUNDLE" prl
  assert_success
  assert_line --regexp '^Max open files +100 +200 +files'
  assert_line --regexp '^Max core file size +0 +0 +bytes'
  assert_line --regexp '^Max msgqueue size +4096 +8192 +bytes'
  # Raising a hard limit needs CAP_SYS_RESOURCE, which this host's bounding set lacks.
  hard=$(ulimit -Hn)
  update_config ".process.args = [\"true\"] | .process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 64, \"hard\": $((hard + 1000))}]"
  run ! cnf run -b "$BUNDLE" prl2
  assert_failure
  assert_output --partial RLIMIT_NOFILE
}

@test "process: umask, cwd, env and a HOME from the container's /etc/passwd" {
  use_private_rootfs
  mkdir -p "$BUNDLE/rootfs/work/dir"
  update_config '.process.args = ["sh", "-c", "umask; pwd; echo FOO=$FOO; echo HOME=$HOME"]
    | .process.cwd = "/work/dir" | .process.user.umask = 63 | .process.env += ["FOO=bar baz"]'
  run cnf run -b "$BUNDLE" penv
  assert_success
  assert_line --index 0 0077
  assert_line --index 1 /work/dir
  assert_line --index 2 "FOO=bar baz"
  assert_line --index 3 "HOME=/root"
}

@test "process: args[0] is looked up along the container's PATH; a missing one fails naming it" {
  use_private_rootfs
  mkdir -p "$BUNDLE/rootfs/opt/tools"
  printf '#!/bin/sh\necho from-opt-tools\n' > "$BUNDLE/rootfs/opt/tools/mytool"
  chmod 755 "$BUNDLE/rootfs/opt/tools/mytool"
  update_config '.process.args = ["mytool"] | .process.env = ["PATH=/opt/tools:/bin"]'
  run cnf run -b "$BUNDLE" ppath
  assert_success
  assert_output from-opt-tools
  update_config '.process.args = ["no-such-tool-xyz"]'
  run ! cnf run -b "$BUNDLE" ppath2
  assert_failure
  assert_output --partial no-such-tool-xyz
}

@test "process: inherited fds are closed, --preserve-fds passes fd 3 through" {
  echo preserved-token > "$BATS_TEST_TMPDIR/tok"
  update_config '.process.args = ["sh", "-c", "cat <&3; if [ -e /proc/self/fd/5 ]; then echo fd5-leaked; else echo fd5-closed; fi"]'
  run cnf run -b "$BUNDLE" --preserve-fds 1 pfds 3<"$BATS_TEST_TMPDIR/tok" 5<"$BATS_TEST_TMPDIR/tok"
  assert_success
  assert_line --index 0 preserved-token
  assert_line --index 1 fd5-closed
  # Without --preserve-fds, fd 3 is closed too.
  update_config '.process.args = ["sh", "-c", "if [ -e /proc/self/fd/3 ]; then echo fd3-leaked; else echo fd3-closed; fi"]'
  run cnf run -b "$BUNDLE" pfds2 3<"$BATS_TEST_TMPDIR/tok"
  assert_success
  assert_output fd3-closed
}

@test "process: execCPUAffinity.final pins the process" {
  [ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
  update_config '.process.args = ["cat", "/proc/self/status"] | .process.execCPUAffinity = {"final": "1"}'
  run cnf run -b "$BUNDLE" paff
  assert_success
  assert_equal "$(status_field Cpus_allowed_list)" 1
  # A list naming CPUs far beyond 1,024 is accepted: the mask is sized dynamically.
  update_config '.process.execCPUAffinity = {"final": "0-4095"}'
  run cnf run -b "$BUNDLE" paff2
  assert_success
  assert_equal "$(status_field Cpus_allowed_list)" "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status)"
}

# sched_fields: "policy rt_priority nice" of the container process from its /proc/self/stat.
sched_fields() {
  echo "$output" | sed 's/^.*) //' | awk '{ print $39, $38, $17 }'
}

@test "process: scheduler SCHED_BATCH with nice, and SCHED_FIFO with a priority" {
  update_config '.process.args = ["cat", "/proc/self/stat"] | .process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
  run cnf run -b "$BUNDLE" psched
  assert_success
  assert_equal "$(sched_fields)" "3 0 7"
  update_config '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 12}'
  run cnf run -b "$BUNDLE" psched2
  assert_success
  assert_equal "$(sched_fields)" "1 12 0"
  update_config '.process.scheduler = {"policy": "SCHED_RR", "priority": 0}'
  run ! cnf run -b "$BUNDLE" psched3
  assert_failure
  assert_output --partial "scheduler"
}

@test "process: ioPriority" {
  update_config '.process.args = ["ionice", "-p", "1"] | .process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
  run cnf run -b "$BUNDLE" pio
  assert_success
  assert_output --regexp 'best-effort: prio 6'
  update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
  run cnf run -b "$BUNDLE" pio2
  assert_success
  assert_output --regexp '^idle'
}

@test "process: oomScoreAdj" {
  update_config '.process.args = ["cat", "/proc/self/oom_score_adj"] | .process.oomScoreAdj = 517'
  run cnf run -b "$BUNDLE" poom
  assert_success
  assert_output 517
}

@test "linux.personality LINUX32 makes uname -m report a 32-bit machine" {
  [ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
  update_config '.process.args = ["uname", "-m"] | .linux.personality = {"domain": "LINUX32"}'
  run cnf run -b "$BUNDLE" ppers
  assert_success
  assert_output i686
}

@test "linux.memoryPolicy MPOL_BIND to node 0 shows in numa_maps" {
  [ -e /proc/self/numa_maps ] || skip "kernel without NUMA"
  update_config '.process.args = ["cat", "/proc/self/numa_maps"] | .linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
  run cnf run -b "$BUNDLE" pmpol
  assert_success
  assert_output --partial " bind:0 "
  update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
  run cnf run -b "$BUNDLE" pmpol2
  assert_success
  assert_output --partial " interleave=static:0 "
  # A node that does not exist fails with a clear message.
  update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "63"}'
  run ! cnf run -b "$BUNDLE" pmpol3
  assert_failure
  assert_output --partial memoryPolicy
}

@test "process: a cwd through a leaked host fd is refused (CVE-2024-21626)" {
  mkdir -p "$BATS_TEST_TMPDIR/hostdir"
  # fd 7 is an inherited host directory; without --preserve-fds it is closed before chdir.
  update_config '.process.args = ["sh", "-c", "echo escaped; pwd"] | .process.cwd = "/proc/self/fd/7"'
  run ! cnf run -b "$BUNDLE" pcve1 7<"$BATS_TEST_TMPDIR/hostdir"
  refute_output --partial escaped
  assert_output --partial cwd
  # Even a deliberately preserved host directory fd is caught by the cwd check after chdir.
  run ! cnf run -b "$BUNDLE" --preserve-fds 5 pcve2 7<"$BATS_TEST_TMPDIR/hostdir"
  refute_output --partial escaped
  assert_output --partial "outside the container's root"
}

@test "process: SCHED_DEADLINE with runtime, deadline and period" {
  update_config '.process.args = ["cat", "/proc/self/stat"]
    | .process.scheduler = {"policy": "SCHED_DEADLINE", "runtime": 1000000, "deadline": 10000000, "period": 10000000}'
  run cnf run -b "$BUNDLE" pdl
  if [ "$status" -ne 0 ] && [[ "$output" == *"sched_setattr"*"Device or resource busy"* ]]; then
    skip "no deadline bandwidth available on this host"
  fi
  assert_success
  assert_equal "$(sched_fields)" "6 0 0"
}

@test "exec: the exec process gets the same setup (user, caps, no_new_privs, cwd)" {
  update_config '.process.args = ["sleep", "100"]'
  "$CNFRUN" --root "$ROOT" run -d -b "$BUNDLE" pexec </dev/null >/dev/null 2>&1 3>&-
  run cnf exec --user 1000:1000 --cwd /tmp pexec sh -c 'cat /proc/self/status; pwd'
  assert_success
  assert_equal "$(status_field Uid)" "1000 1000 1000 1000"
  assert_equal "$(status_field Gid)" "1000 1000 1000 1000"
  assert_equal "$(status_field CapEff)" 0000000000000000
  assert_equal "$(status_field NoNewPrivs)" 1
  assert_line /tmp
  run cnf exec pexec cat /proc/self/status
  assert_success
  # the 8 capabilities of the test config: AUDIT_WRITE KILL NET_BIND_SERVICE CHOWN DAC_OVERRIDE FOWNER SETGID SETUID
  assert_equal "$(status_field CapEff)" 00000000200004eb
}
