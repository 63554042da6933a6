#!/usr/bin/env bats
# CVE regression tests: each sets up a published container-escape attack against cnfrun and shows
# that it fails; where the defence could silently stop working, a control run shows the same
# attack succeeding without it.  The attacker is tests/integration/cve_probe.c (static).
# The path attacks (CVE-2021-30465, CVE-2025-31133, the /dev symlink, redirected sysctl writes)
# live in rootfs-security.bats, the default seccomp refusals in seccomp.bats.
load helpers
bats_require_minimum_version 1.5.0

CVE_PROBE=${CVE_PROBE:-$BUILDDIR/tests/integration/cve_probe}

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
  cp "$CVE_PROBE" "$SHARED_ROOTFS/bin/cve_probe"
  # Merged-usr links: a test that binds the host's /usr can run the (dynamic) cnfrun binary.
  ln -s usr/lib "$SHARED_ROOTFS/lib"
  ln -s usr/lib64 "$SHARED_ROOTFS/lib64"
}

setup() {
  [ -x "$CVE_PROBE" ] || skip "cve_probe not built in $BUILDDIR"
  setup_bundle
  # A private /tmp per container: the shared rootfs stays untouched.
  update_config '.mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
}

teardown() {
  [ -z "${BG_PID:-}" ] || kill "$BG_PID" 2>/dev/null || true
  kill_containers
  [ -z "${USERNS_DIR:-}" ] || rm -rf "$USERNS_DIR"
}

# start_ct ID [ARGS...]: run a detached container (default: sleep) with bats' fds closed.
start_ct() {
  local id=$1; shift
  local args='["sleep", "1000"]'
  [ $# -eq 0 ] || args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
  update_config ".process.args = $args"
  "$CNFRUN" --root "$ROOT" run -d -b "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/run-$id.log" 2>&1 3>&-
}

# bg_exec ARGS...: `cnfrun exec ARGS` in the background (BG_PID), output in exec.log.
bg_exec() {
  "$CNFRUN" --root "$ROOT" exec "$@" </dev/null >"$BATS_TEST_TMPDIR/exec.log" 2>&1 3>&- &
  BG_PID=$!
}

# ns_pid HOSTPID: the pid of HOSTPID in its own (innermost) pid namespace.
ns_pid() { awk '$1 == "NSpid:" { print $NF }' "/proc/$1/status"; }

@test "CVE-2019-5736: the runtime binary run as /proc/self/exe in the container cannot be overwritten" {
  local sum
  sum=$(sha256sum < "$CNFRUN")
  # cnfrun is dynamically linked: the container gets the host's libraries, read-only.
  [ -L /lib ] || skip "needs a merged-usr host"
  update_config '.mounts += [{"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro", "nosuid", "nodev"]}]'
  start_ct c5736 sh -c 'mkfifo /tmp/log && exec sleep 1000'
  wait_for 50 cnf exec c5736 test -p /tmp/log
  # The container execs the runtime itself (args[0] = /proc/self/exe, as a "#!/proc/self/exe"
  # image would), which blocks opening its --log FIFO: the attacker's window.
  bg_exec --pid-file "$BATS_TEST_TMPDIR/victim.pid" c5736 /proc/self/exe --log /tmp/log state nope
  wait_for 100 test -s "$BATS_TEST_TMPDIR/victim.pid"
  local victim
  victim=$(ns_pid "$(cat "$BATS_TEST_TMPDIR/victim.pid")")
  run cnf exec c5736 cve_probe exe-write "$victim" /tmp/log
  echo "$output"
  assert_success
  assert_line --regexp '^exe-target: /memfd:cnfrun'
  assert_line 'victim-exited: yes'
  # The executable is the memfd: busy while it runs; once nothing runs it, the seals refuse.
  refute_line --regexp -- '-(write|truncate): ok$'
  assert_line --regexp '^running-(open-wr: errno 26|write: errno 1) '
  assert_line 'exited-open-wr: ok'
  assert_line 'exited-write: errno 1 (Operation not permitted)'
  assert_line 'exited-truncate: errno 1 (Operation not permitted)'
  [ "$(sha256sum < "$CNFRUN")" = "$sum" ]
}

@test "CVE-2019-5736 control: the same attack overwrites a copy of cnfrun that runs without the memfd" {
  # `cnfrun state` does not re-execute itself: /proc/PID/exe is the file on disk.
  local copy=$BATS_TEST_TMPDIR/cnfrun-copy fifo=$BATS_TEST_TMPDIR/log sum
  cp "$CNFRUN" "$copy"
  sum=$(sha256sum < "$copy")
  mkfifo "$fifo"
  "$copy" --log "$fifo" state nope </dev/null >/dev/null 2>&1 3>&- &
  BG_PID=$!
  run "$CVE_PROBE" exe-write "$BG_PID" "$fifo"
  echo "$output"
  assert_line "exe-target: $copy"
  assert_line 'exited-write: ok'
  [ "$(sha256sum < "$copy")" != "$sum" ]
}

@test "ptrace and /proc/PID access to the runtime's exec process are refused from inside the container" {
  # The container turns /etc/passwd into a FIFO: `cnfrun exec` (no HOME in the env) then blocks
  # reading it with the container's user, capabilities and seccomp already applied, just before
  # execve: a process of the container with the same privileges attacks it there.
  update_config '.mounts += [{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}]'
  start_ct cptrace sh -c 'mkfifo /etc/passwd && exec sleep 1000'
  wait_for 50 cnf exec --env HOME=/ cptrace test -p /etc/passwd
  bg_exec --pid-file "$BATS_TEST_TMPDIR/victim.pid" cptrace true
  local victim="" p ctns
  ctns=$(readlink "/proc/$(cnf state cptrace | jq -r .pid)/ns/pid")
  wait_for 100 sh -c "for p in /proc/[0-9]*; do [ \"\$(readlink \$p/ns/pid)\" = '$ctns' ] && readlink \$p/exe | grep -q memfd:cnfrun && exit 0; done; exit 1"
  for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/ns/pid")" = "$ctns" ] && readlink "$p/exe" | grep -q memfd:cnfrun; then victim=${p#/proc/}; fi
  done
  [ -n "$victim" ]
  run cnf exec --env HOME=/ cptrace cve_probe runtime "$(ns_pid "$victim")"
  echo "$output"
  assert_success
  assert_line 'readlink-exe: errno 13 (Permission denied)'
  assert_line 'open-exe: errno 13 (Permission denied)'
  assert_line 'readlink-fd: errno 13 (Permission denied)'
  assert_line 'open-mem: errno 13 (Permission denied)'
  assert_line 'ptrace-attach: errno 1 (Operation not permitted)'
  # Control: the same probe against the container's own init (same user and capabilities) works.
  run cnf exec --env HOME=/ cptrace cve_probe runtime 1
  echo "$output"
  assert_line 'readlink-exe: /bin/busybox'
  assert_line --regexp '^readlink-fd: /'
  assert_line 'open-mem: ok'
  assert_line 'ptrace-attach: ok'
  # Let the exec go on: it finishes normally.
  cnf exec --env HOME=/ cptrace sh -c 'echo root:x:0:0:root:/root:/bin/sh > /etc/passwd'
  wait "$BG_PID"
  BG_PID=
}

@test "ptrace and /proc/PID access to a created container's waiting init are refused from an exec" {
  update_config '.process.args = ["sleep", "1000"]'
  create_ct -b "$BUNDLE" cwait
  run cnf exec --env HOME=/ cwait cve_probe runtime 1
  echo "$output"
  assert_success
  assert_line 'readlink-exe: errno 13 (Permission denied)'
  assert_line 'open-mem: errno 13 (Permission denied)'
  assert_line 'ptrace-attach: errno 1 (Operation not permitted)'
}

# cwd_attack N...: for each N, try process.cwd = /proc/self/fd/N through `run` and print a line
# "N: STATUS OUTPUT"; host directories are open on fds 7 to 9 of cnfrun.
cwd_attack_run() {
  local n out rc
  for n in "$@"; do
    update_config ".process.cwd = \"/proc/self/fd/$n\" | .process.args = [\"sh\", \"-c\", \"echo escaped; ls\"]"
    rc=0
    out=$("$CNFRUN" --root "$ROOT" run -b "$BUNDLE" "cwd$n" 2>&1 7<"$BATS_TEST_TMPDIR" 8<"$BATS_TEST_TMPDIR/host" 9</) || rc=$?
    echo "$n: $rc $out"
  done
}

@test "CVE-2024-21626: process.cwd through any leaked fd (/proc/self/fd/N) is refused by create" {
  mkdir -p "$BATS_TEST_TMPDIR/host"
  touch "$BATS_TEST_TMPDIR/host/host-secret"
  run cwd_attack_run $(seq 3 20)
  echo "$output"
  refute_output --partial escaped
  refute_output --partial host-secret
  run grep -c -E '^[0-9]+: [1-9][0-9]* .*cwd' <<<"$output"
  assert_output 18
  # Deliberately preserved host directories are entered, then caught by the check after chdir.
  update_config '.process.cwd = "/proc/self/fd/4"'
  run ! cnf run --preserve-fds 3 -b "$BUNDLE" cwdp 4<"$BATS_TEST_TMPDIR/host"
  refute_output --partial escaped
  assert_output --partial "outside the container's root"
}

@test "CVE-2024-21626: exec --cwd through any leaked fd is refused; the container stays put" {
  mkdir -p "$BATS_TEST_TMPDIR/host"
  touch "$BATS_TEST_TMPDIR/host/host-secret"
  start_ct cexec
  local n rc out bad=0
  for n in $(seq 3 20); do
    rc=0
    out=$("$CNFRUN" --root "$ROOT" exec --cwd "/proc/self/fd/$n" cexec sh -c 'echo escaped; ls' 2>&1 \
          7<"$BATS_TEST_TMPDIR" 8<"$BATS_TEST_TMPDIR/host" 9</ 3>&-) || rc=$?
    echo "$n: $rc $out"
    [ "$rc" -ne 0 ] && [[ "$out" == *cwd* ]] && [[ "$out" != *escaped* ]] || bad=$((bad + 1))
  done
  [ "$bad" -eq 0 ]
  run ! "$CNFRUN" --root "$ROOT" exec --preserve-fds 2 --cwd /proc/self/fd/4 cexec sh -c 'echo escaped; ls' \
        4<"$BATS_TEST_TMPDIR/host" 3>&-
  refute_output --partial escaped
  assert_output --partial "outside the container's root"
  # Control: a cwd inside the container works.
  run cnf exec --cwd /tmp cexec pwd
  assert_success
  assert_output /tmp
}

@test "CVE-2019-16884: a mount over the init's /proc/PID/oom_score_adj cannot redirect the runtime's write" {
  # A createContainer hook (in the container's mount namespace, before pivot_root) binds a host
  # decoy over the init's oom_score_adj in the container's procfs; cnfrun writes through its
  # trusted host procfs handle, so the decoy stays untouched and the real value is set.
  local decoy=$BATS_TEST_TMPDIR/decoy
  echo 0 > "$decoy"
  update_config ".process.oomScoreAdj = 345 | .process.args = [\"sleep\", \"1000\"]
    | .hooks = {\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\",
        \"mount --bind $decoy $SHARED_ROOTFS/proc/1/oom_score_adj\"]}]}"
  create_ct -b "$BUNDLE" c16884
  cnf start c16884
  local pid
  pid=$(cnf state c16884 | jq -r .pid)
  [ "$(cat /proc/$pid/oom_score_adj)" = 345 ]
  [ "$(cat "$decoy")" = 0 ]
  # The decoy really is what the container sees at that path: the hook did redirect it.
  run cnf exec c16884 cat /proc/1/oom_score_adj
  assert_output 0
}

@test "CVE-2025-52881: a sysctl file bind-mounted over in the container's procfs is refused, the decoy untouched" {
  local decoy=$BATS_TEST_TMPDIR/decoy
  echo 0 > "$decoy"
  update_config ".linux.sysctl = {\"net.ipv4.ip_forward\": \"1\"}
    | .hooks = {\"createContainer\": [{\"path\": \"/bin/mount\", \"args\": [\"mount\", \"--bind\", \"$decoy\", \"$SHARED_ROOTFS/proc/sys/net/ipv4/ip_forward\"]}]}"
  run cnf run -b "$BUNDLE" c52881
  assert_failure
  assert_output --partial 'linux.sysctl'
  assert_output --partial 'cross-device'
  [ "$(cat "$decoy")" = 0 ]
  # Control: without the redirect the same sysctl is written.
  update_config 'del(.hooks) | .process.args = ["cat", "/proc/sys/net/ipv4/ip_forward"]'
  run cnf run -b "$BUNDLE" c52881b
  assert_success
  assert_output 1
}

# spec_bundle: $BUNDLE/config.json as `cnfrun spec` writes it (runc's default maskedPaths and
# readonlyPaths, a read-only root), on this file's rootfs, with a tmpfs /tmp, without a terminal.
spec_bundle() {
  rm -f "$BUNDLE/config.json"
  (cd "$BUNDLE" && "$CNFRUN" spec)
  update_config ".root.path = \"$SHARED_ROOTFS\" | .process.terminal = false
    | .mounts += [{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\"]}]"
}

# run_sh ID SCRIPT: run SCRIPT with sh in the container; `run` captures status and output.
run_sh() {
  update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg c "$2" '$c')]"
  run cnf run -b "$BUNDLE" "$1"
  echo "$output"
}

with_sys_admin() {
  update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
    | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
}

@test "masked and read-only paths of the default spec: /proc/kcore, /proc/sysrq-trigger, /sys/firmware, /proc/sys and /sys refuse" {
  spec_bundle
  local masked ro p expect=""
  masked=$(jq -r '.linux.maskedPaths[]' "$BUNDLE/config.json")
  ro=$(jq -r '.linux.readonlyPaths[]' "$BUNDLE/config.json")
  for p in /proc/kcore /sys/firmware /proc/keys /proc/timer_list; do grep -qx "$p" <<<"$masked"; done
  for p in /proc/sys /proc/sysrq-trigger; do grep -qx "$p" <<<"$ro"; done
  # Every masked path the host has reads as /dev/null (a file) or an empty directory; every
  # read-only path the host has refuses writes.  (This kernel may lack kcore or sysrq-trigger.)
  for p in $masked; do
    if [ -d "$p" ]; then expect+="$p 0"$'\n'; elif [ -e "$p" ]; then expect+="$p 1:3 0"$'\n'; fi
  done
  [ -e /proc/kcore ] || echo "# /proc/kcore is absent on this kernel" >&3
  [ -e /proc/sysrq-trigger ] || echo "# /proc/sysrq-trigger is absent on this kernel" >&3
  run_sh cmask "for p in $(echo $masked); do
      if [ -d \$p ]; then echo \$p \$(ls -A \$p | wc -l); elif [ -e \$p ]; then echo \$p \$(stat -c %t:%T \$p) \$(head -c 64 \$p | wc -c); fi
    done
    # 'h' only prints sysrq help to the kernel log, should the write ever get through.
    [ ! -e /proc/sysrq-trigger ] || { echo h > /proc/sysrq-trigger || echo sysrq-refused; }
    echo 1 > /proc/sys/vm/drop_caches || echo procsys-refused
    echo 0 > /sys/kernel/mm/transparent_hugepage/khugepaged/defrag || echo sys-refused
    umount /proc/keys || echo umount-refused
    mount -o remount,rw /proc/sys || echo remount-refused
    mount -o remount,rw /sys || echo sys-remount-refused"
  assert_success
  while read -r p; do [ -z "$p" ] || assert_line "$p"; done <<<"$expect"
  [ ! -e /proc/sysrq-trigger ] || assert_line sysrq-refused
  assert_line procsys-refused
  assert_line sys-refused
  assert_line umount-refused
  assert_line remount-refused
  assert_line sys-remount-refused
  assert_output --partial 'Read-only file system'
}

@test "masks are only as strong as CAP_SYS_ADMIN: with it, umount lifts one (control)" {
  spec_bundle
  with_sys_admin
  run_sh cmaskc 'stat -c %t:%T /proc/keys; umount /proc/keys && echo unmasked; stat -c %F /proc/keys'
  assert_line --index 0 1:3
  assert_line unmasked
  assert_line 'regular empty file'
}

@test "mount, umount and bind mounts without CAP_SYS_ADMIN are refused; with it they work (control)" {
  spec_bundle
  run_sh cmnt 'mkdir -p /tmp/m
    mount -t tmpfs none /tmp/m || echo tmpfs-refused
    mount --bind / /tmp/m || echo bind-refused
    umount /proc || echo umount-refused
    mount -t proc proc /tmp/m || echo proc-refused'
  assert_success
  assert_line tmpfs-refused
  assert_line bind-refused
  assert_line umount-refused
  assert_line proc-refused
  with_sys_admin
  run_sh cmntc 'mkdir -p /tmp/m; mount -t tmpfs none /tmp/m && echo tmpfs-mounted'
  assert_line tmpfs-mounted
}

@test "a nested user namespace cannot lift the masks: masked mounts are locked, a fresh procfs or sysfs is refused" {
  spec_bundle
  # An unprivileged user: mapping root needs CAP_SETFCAP, which the container lacks.
  update_config '.process.user = {"uid": 1000, "gid": 1000}'
  local ns='unshare -U -r -m -p -n -f'
  run_sh cnest "$ns sh -c 'echo uid=\$(id -u); umount /proc/keys || echo umount-locked
      mount -t proc proc /tmp || echo proc-refused
      mount -t sysfs -o ro sysfs /tmp || echo sysfs-refused'"
  [[ "$output" == *uid=0* ]] || skip "user namespaces are not available to the container"
  assert_success
  assert_line umount-locked
  assert_line proc-refused
  assert_line sysfs-refused
  # Control: without maskedPaths and readonlyPaths the same procfs mount is allowed.
  update_config 'del(.linux.maskedPaths) | del(.linux.readonlyPaths)'
  run_sh cnestc "$ns sh -c 'mount -t proc proc /tmp && echo proc-mounted'"
  assert_line proc-mounted
}

@test "a user-namespaced container's root is an unprivileged host uid: its capabilities stop at the namespace" {
  # The bundle lives where host uid 100000 can reach it (bats' scratch dirs are 0700).
  USERNS_DIR=$(mktemp -d /tmp/cnf-cve-userns.XXXXXX)
  chmod 755 "$USERNS_DIR"
  BUNDLE=$USERNS_DIR/bundle
  SHARED_ROOTFS='' make_bundle "$BUNDLE"
  cp "$CVE_PROBE" "$BUNDLE/rootfs/bin/cve_probe"
  chown -R 100000:100000 "$BUNDLE/rootfs"
  echo host-only > "$USERNS_DIR/secret"
  chmod 600 "$USERNS_DIR/secret"
  local caps='["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_SYS_MODULE", "CAP_SYS_TIME", "CAP_CHOWN", "CAP_SETUID", "CAP_SETGID"]'
  update_config ".linux.namespaces += [{\"type\": \"user\"}]
    | .linux.uidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]
    | .linux.gidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]
    | .process.capabilities = {\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps}
    | .mounts += [{\"destination\": \"/secret\", \"source\": \"$USERNS_DIR/secret\", \"options\": [\"bind\", \"ro\"]}]
    | .process.args = [\"sleep\", \"1000\"]"
  "$CNFRUN" --root "$ROOT" run -d -b "$BUNDLE" cuserns </dev/null >"$BATS_TEST_TMPDIR/run.log" 2>&1 3>&- || { cat "$BATS_TEST_TMPDIR/run.log"; false; }
  local pid
  pid=$(cnf state cuserns | jq -r .pid)
  # Seen from the host, the container's root is uid 100000.
  run awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status"
  assert_output 100000
  # Its root has CAP_SYS_ADMIN over its own mount namespace, so it can lift the masks (as with
  # runc): what stops it is that its capabilities do not count for the host's objects.
  run cnf exec cuserns sh -c 'id -u
    cat /secret || echo secret-refused
    umount /proc/sys && umount /proc/keys && echo masks-lifted
    echo 7 > /proc/sys/kernel/printk || echo printk-refused
    echo 1 > /proc/sys/vm/drop_caches || echo dropcaches-refused
    cve_probe settime'
  echo "$output"
  assert_line --index 0 0
  assert_line secret-refused
  assert_line masks-lifted
  assert_line printk-refused
  assert_line dropcaches-refused
  assert_line 'settime: errno 1 (Operation not permitted)'
  [ "$(cat "$USERNS_DIR/secret")" = host-only ]
}
