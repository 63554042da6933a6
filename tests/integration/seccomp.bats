#!/usr/bin/env bats
# linux.seccomp end to end: containers run under the shipped profiles and custom filters.
# The refused calls are made with the capability that would otherwise allow them, so that it is
# the filter that stops them; each refusal is checked against a run without the filter.
load helpers

PROBE=${PROBE:-$BUILDDIR/tests/integration/seccomp_probe}
AGENT=${AGENT:-$BUILDDIR/tests/integration/seccomp_agent}
PROFILES=$SRCDIR/seccomp-profiles

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
  cp "$PROBE" "$SHARED_ROOTFS/bin/seccomp_probe"
}

setup() {
  [ -x "$PROBE" ] || skip "seccomp_probe not built in $BUILDDIR"
  setup_bundle
}

teardown() {
  cleanup_containers
  [ -z "${AGENT_PID:-}" ] || kill "$AGENT_PID" 2>/dev/null || true
}

# Grant caps (the refused calls would succeed with them) and run ARGS.
with_caps_and_args() {
  local caps=$1; shift
  local args
  args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  update_config "
    .process.capabilities.bounding += $caps | .process.capabilities.effective += $caps |
    .process.capabilities.permitted += $caps | .process.args = $args"
}

# use_profile FILE: put FILE (an OCI seccomp object) under linux.seccomp.
use_profile() {
  jq --slurpfile p "$1" '.linux.seccomp = $p[0]' "$BUNDLE/config.json" > "$BUNDLE/config.json.new"
  mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

ADMIN_CAPS='["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]'
FORBIDDEN=(keyctl bpf ptrace mount unshare clone-newns clone-newnet clone-newuser)

@test "seccomp: without a filter the forbidden calls are reachable (control run)" {
  with_caps_and_args "$ADMIN_CAPS" seccomp_probe "${FORBIDDEN[@]}"
  run cnf run -b "$BUNDLE" sc-control
  echo "$output"
  assert_line "keyctl: ok"
  assert_line "bpf: errno 22 (Invalid argument)"
  assert_line "ptrace: ok"
  assert_line "mount: ok"
  assert_line "unshare: ok"
  assert_line "clone-newns: ok"
  assert_line "clone-newnet: ok"
}

@test "seccomp: default.json refuses keyctl, bpf, ptrace, mount, unshare and namespace-creating clone" {
  with_caps_and_args "$ADMIN_CAPS" seccomp_probe "${FORBIDDEN[@]}"
  use_profile "$PROFILES/default.json"
  run cnf run -b "$BUNDLE" sc-default
  echo "$output"
  assert_failure 1
  local c
  for c in "${FORBIDDEN[@]}"; do
    assert_line "$c: errno 1 (Operation not permitted)"
  done
  refute_line --partial ": ok"
}

@test "seccomp: default.json refuses busybox unshare and mount, allows ordinary work" {
  with_caps_and_args "$ADMIN_CAPS" sh -c 'unshare -m true; echo "unshare=$?"; mount -t tmpfs none /tmp; echo "mount=$?"; echo hello > /tmp/f && cat /tmp/f; seccomp_probe getpid clone getpgid'
  use_profile "$PROFILES/default.json"
  run cnf run -b "$BUNDLE" sc-busybox
  echo "$output"
  assert_success
  assert_line "unshare=1"
  assert_line "mount=1"
  assert_output --partial "unshare(0x20000): Operation not permitted"
  assert_line "hello"
  assert_line "getpid: ok"
  assert_line "clone: ok"
  assert_line "getpgid: ok"
}

@test "seccomp: without noNewPrivileges the filter still loads for a non-root user, and does not set no_new_privs" {
  # Loading a filter without no_new_privs needs CAP_SYS_ADMIN: the runtime must load it before
  # dropping capabilities in that case (as runc does).
  update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
  with_caps_and_args '[]' sh -c 'grep NoNewPrivs /proc/self/status; seccomp_probe getpid keyctl'
  use_profile "$PROFILES/default.json"
  run cnf run -b "$BUNDLE" sc-nonnp
  echo "$output"
  assert_line --regexp '^NoNewPrivs:[[:space:]]+0$'
  assert_line "getpid: ok"
  assert_line "keyctl: errno 1 (Operation not permitted)"
}

@test "seccomp: errnoRet is honoured (SCMP_ACT_ERRNO with errnoRet 38 gives ENOSYS)" {
  with_caps_and_args '[]' seccomp_probe getpgid getpid
  update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["getpgid", "cnf_not_a_syscall"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
  run cnf run -b "$BUNDLE" sc-errno
  echo "$output"
  assert_line "getpgid: errno 38 (Function not implemented)"
  assert_line "getpid: ok"
}

@test "seccomp: args with MASKED_EQ select calls (clone with CLONE_NEWNS refused, plain clone allowed)" {
  with_caps_and_args "$ADMIN_CAPS" seccomp_probe clone clone-newns unshare
  # Refuse clone when (flags & CLONE_NEWNS) == CLONE_NEWNS (0x20000 = 131072); unshare is not filtered.
  update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                  "args": [{"index": 0, "value": 131072, "valueTwo": 131072, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
  run cnf run -b "$BUNDLE" sc-masked
  echo "$output"
  assert_line "clone: ok"
  assert_line "clone-newns: errno 13 (Permission denied)"
  assert_line "unshare: ok"
}

@test "seccomp: an unknown action name is refused before anything runs" {
  update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}'
  run cnf run -b "$BUNDLE" sc-bad
  echo "$output"
  assert_failure
  assert_output --partial "defaultAction"
  [ ! -d "$ROOT/sc-bad" ]
}

@test "seccomp: SCMP_ACT_NOTIFY hands the fd and the state to the listener, which answers" {
  [ -x "$AGENT" ] || skip "seccomp_agent not built"
  local sock=$BATS_TEST_TMPDIR/agent.sock state=$BATS_TEST_TMPDIR/agent.state
  "$AGENT" "$sock" "$state" 66 &
  AGENT_PID=$!
  wait_for 50 test -S "$sock"
  with_caps_and_args '[]' seccomp_probe getpgid getpid
  update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$sock\",
    \"listenerMetadata\": \"cnf-test-meta\",
    \"syscalls\": [{\"names\": [\"getpgid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
  run cnf run -b "$BUNDLE" sc-notify
  echo "$output"
  assert_line "getpgid: errno 66 (Object is remote)"
  assert_line "getpid: ok"
  cat "$state"
  grep -q 'fd: received' "$state"
  head -n 1 "$state" | jq -e '.fds == ["seccompFd"] and .metadata == "cnf-test-meta" and .state.id == "sc-notify" and .pid > 0'
}

@test "seccomp: cnf-strict.json allows threads but no new processes, and kills on keyctl" {
  with_caps_and_args '[]' seccomp_probe getpid clone
  use_profile "$PROFILES/cnf-strict.json"
  run cnf run -b "$BUNDLE" sc-strict
  echo "$output"
  assert_line "getpid: ok"
  assert_line "clone: errno 1 (Operation not permitted)"

  with_caps_and_args '[]' seccomp_probe keyctl
  run cnf run -b "$BUNDLE" sc-strict2
  echo "status=$status output=$output"
  [[ "$output" != *"keyctl: ok"* ]]
  # Killed by SIGSYS (31): exit status 128 + 31
  assert_failure 159
}

# Free 2 MiB hugepages, raising vm.nr_hugepages (never lowering it, 512 at most) if needed.
ensure_hugepages() {
  local want=$1 d=/sys/kernel/mm/hugepages/hugepages-2048kB total free
  [ -d "$d" ] || return 1
  free=$(cat $d/free_hugepages)
  [ "$free" -ge "$want" ] && return 0
  total=$(cat $d/nr_hugepages)
  [ $((total + want - free)) -le 512 ] || return 1
  echo $((total + want - free)) > $d/nr_hugepages 2>/dev/null || return 1
  [ "$(cat $d/free_hugepages)" -ge "$want" ]
}

@test "seccomp: testpmd runs under cnf-dataplane.json (hugepages, lcores pinned, io forwarding on net_null)" {
  command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd (Debian package dpdk) not installed"
  ensure_hugepages 40 || skip "cannot get 80 MiB of free 2 MiB hugepages"
  local prefix=cnfsc$$
  # testpmd is linked against the host's libraries: bind /usr read-only; /lib and /lib64 are
  # merged-usr links.  A private hugetlbfs in the container's mount namespace holds the pages.
  rm -rf "$BUNDLE/rootfs"
  make_busybox_rootfs "$BUNDLE/rootfs"
  rm -rf "$BUNDLE/rootfs/usr"
  mkdir -p "$BUNDLE/rootfs/usr" "$BUNDLE/rootfs/dev/hugepages" "$BUNDLE/rootfs/var/run"
  [ -L /lib ] && ln -s usr/lib "$BUNDLE/rootfs/lib" || { mkdir -p "$BUNDLE/rootfs/lib"; }
  [ -L /lib64 ] && ln -s usr/lib64 "$BUNDLE/rootfs/lib64" || true
  update_config '.mounts += [
      {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro", "nosuid", "nodev"]},
      {"destination": "/dev/hugepages", "type": "hugetlbfs", "source": "nodev", "options": ["pagesize=2M"]}]
    | .process.capabilities.bounding += ["CAP_IPC_LOCK"] | .process.capabilities.effective += ["CAP_IPC_LOCK"]
    | .process.capabilities.permitted += ["CAP_IPC_LOCK"]'
  [ -L /lib ] || update_config '.mounts += [{"destination": "/lib", "type": "bind", "source": "/lib", "options": ["rbind", "ro"]}]'
  # The shell shows that the filter is in force (Seccomp: 2), then becomes a 6 s bounded testpmd.
  update_config ".process.args = [\"/bin/sh\", \"-c\", \"grep ^Seccomp: /proc/self/status; exec timeout -s INT 6 /usr/bin/dpdk-testpmd -l 0-1 --no-pci --vdev net_null0 -m 64 --huge-dir /dev/hugepages --file-prefix $prefix -- --total-num-mbufs=2048 --stats-period 2 --forward-mode=io\"]"
  use_profile "$PROFILES/cnf-dataplane.json"
  run timeout 60 "$CNFRUN" --root "$ROOT" run -b "$BUNDLE" sc-testpmd
  echo "$output" | tail -n 40
  assert_line --regexp '^Seccomp:[[:space:]]+2$'
  assert_output --partial "io packet forwarding"
  assert_output --partial "Bye"
  refute_output --partial "Operation not permitted"
  # Packets went through: the last stats block has a non-zero RX count for port 0.
  rx=$(echo "$output" | grep -o 'RX-packets: *[0-9]*' | tail -n 1 | grep -o '[0-9]*$')
  [ -n "$rx" ] && [ "$rx" -gt 0 ]
}
