#!/usr/bin/env bats
# The container lifecycle as containerd and a shell user drive it: create/start/run/state/kill/
# delete/list/exec, exit codes, error messages clients match, and nothing left behind on failure.
load helpers

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() { setup_bundle; }
teardown() { cleanup_containers; }

@test "--version prints the version, spec and libseccomp lines" {
  run "$CNFRUN" --version
  assert_success
  assert_line --index 0 --regexp '^cnfrun version [0-9]+\.[0-9]+\.[0-9]+$'
  assert_line "spec: 1.3.0"
  assert_line --regexp '^commit: '
  assert_line --regexp '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "run: output and the container's exit code" {
  update_config '.process.args = ["sh", "-c", "echo hello from $(hostname); exit 3"]'
  run cnf run -b "$BUNDLE" t1
  assert_equal "$status" 3
  assert_output "hello from cnftest"
  # run removes the container after it exits
  run cnf state t1
  assert_failure
  assert_output --partial 'container "t1" does not exist'
}

@test "run: a process killed by a signal exits 128+signal, like runc" {
  # runc refuses a symlinked rootfs: name the real directory
  update_config '.process.args = ["sleep", "100"] | .root.path = "'"$SHARED_ROOTFS"'"'
  cnf run -b "$BUNDLE" sig &
  rpid=$!
  wait_for 100 sh -c "[ \"\$('$CNFRUN' --root '$ROOT' state sig 2>/dev/null | jq -r .status)\" = running ]"
  cnf kill sig KILL
  rc=0; wait $rpid || rc=$?
  assert_equal "$rc" 137
  runc --root "$ROOT/runc" run -b "$BUNDLE" sigrunc &
  rpid=$!
  wait_for 100 sh -c "[ \"\$(runc --root '$ROOT/runc' state sigrunc 2>/dev/null | jq -r .status)\" = running ]"
  runc --root "$ROOT/runc" kill sigrunc KILL
  rc=0; wait $rpid || rc=$?
  assert_equal "$rc" 137
}

@test "the container is PID 1 in new pid, net, ipc, uts, mount and cgroup namespaces" {
  update_config '.process.args = ["sh", "-c", "echo pid=$$; for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done"]'
  run cnf run -b "$BUNDLE" ns
  assert_success
  assert_line --index 0 "pid=1"
  for n in pid net ipc uts mnt cgroup; do
    host=$(readlink /proc/self/ns/$n)
    refute_line "$host"
  done
}

@test "create, start, state, kill, delete move through created, running and stopped" {
  update_config '.process.args = ["sleep", "100"] | .annotations = {"org.example/key": "value"}'
  # A created init keeps the caller's stdio (as runc's does): never capture it with `run`.
  cnf create -b "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" life >/dev/null 2>&1
  run cnf state life
  assert_success
  [ "$(echo "$output" | jq -r .status)" = created ]
  pid=$(echo "$output" | jq -r .pid)
  [ "$pid" -gt 0 ]
  [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
  [ "$(echo "$output" | jq -r '.annotations["org.example/key"]')" = value ]
  [ "$(echo "$output" | jq -r .bundle)" = "$BUNDLE" ]
  [ "$(echo "$output" | jq -r .rootfs)" = "$SHARED_ROOTFS" ] # the link, resolved
  # Before start, the init is cnfrun itself, running from a sealed memfd (CVE-2019-5736).
  run readlink /proc/$pid/exe
  assert_output --regexp '^/memfd:cnfrun'
  # ...and sealed against writes (F_GET_SEALS = 1034: SEAL|SHRINK|GROW|WRITE = 15).
  run python3 -c 'import fcntl, os, sys; print(fcntl.fcntl(os.open(sys.argv[1], os.O_RDONLY), 1034) & 15)' /proc/$pid/exe
  assert_output 15
  run cnf start life
  assert_success
  [ "$(cnf state life | jq -r .status)" = running ]
  # seen from the host, the path is relative to the container's root
  [ "$(readlink /proc/$pid/exe)" = /bin/busybox ]
  run cnf delete life
  assert_failure
  assert_output --partial "not stopped"
  run cnf kill life KILL
  assert_success
  wait_for 50 sh -c "[ \"\$('$CNFRUN' --root '$ROOT' state life | jq -r .status)\" = stopped ]"
  run cnf kill life
  assert_failure
  assert_output --partial "container not running"
  run cnf delete life
  assert_success
  [ ! -e "$ROOT/life" ]
}

@test "state JSON has the same keys as runc's" {
  update_config '.process.args = ["sleep", "100"] | .root.path = "'"$SHARED_ROOTFS"'"'
  cnf create -b "$BUNDLE" keys
  ours=$(cnf state keys | jq -c 'keys')
  runc --root "$ROOT/runc" create -b "$BUNDLE" keysrunc
  theirs=$(runc --root "$ROOT/runc" state keysrunc | jq -c 'keys')
  runc --root "$ROOT/runc" delete --force keysrunc
  # runc omits empty annotations; cnfrun always prints the (spec-required) object
  [ "$(echo "$ours" | jq -c '. - ["annotations"]')" = "$(echo "$theirs" | jq -c '. - ["annotations"]')" ]
}

@test "clients' error substrings: does not exist, container not running" {
  run cnf state nope
  assert_failure
  assert_output --partial 'container "nope" does not exist'
  run cnf kill nope
  assert_failure
  assert_output --partial 'does not exist'
  run cnf delete nope
  assert_failure
  assert_output --partial 'does not exist'
  run cnf delete --force nope
  assert_success
  run cnf start nope
  assert_failure
  assert_output --partial 'does not exist'
}

@test "kill accepts names with and without SIG, and numbers" {
  update_config '.process.args = ["sh", "-c", "trap \"exit 42\" USR1; while :; do sleep 0.1; done"]'
  cnf run -d -b "$BUNDLE" k
  run cnf kill k SIGFOO
  assert_failure
  assert_output --partial 'unknown signal'
  run cnf kill k 10
  assert_success
  wait_for 50 sh -c "[ \"\$('$CNFRUN' --root '$ROOT' state k | jq -r .status)\" = stopped ]"
  cnf delete k
  cnf run -d -b "$BUNDLE" k2
  run cnf kill k2 usr1
  assert_success
  run cnf kill --all k2 SIGKILL
  [ "$status" -eq 0 ] || [[ "$output" == *"container not running"* ]]
}

@test "a duplicate id is refused and the first container is untouched" {
  update_config '.process.args = ["sleep", "100"]'
  cnf create -b "$BUNDLE" dup
  run cnf create -b "$BUNDLE" dup
  assert_failure
  assert_output --partial 'already exists'
  [ "$(cnf state dup | jq -r .status)" = created ]
}

@test "two concurrent creates of one id: exactly one wins" {
  update_config '.process.args = ["sleep", "100"]'
  # (bats runs with errexit: record the status explicitly)
  (if cnf create -b "$BUNDLE" race >"$BATS_TEST_TMPDIR/a" 2>&1; then echo 0; else echo 1; fi > "$BATS_TEST_TMPDIR/ra") &
  p1=$!
  (if cnf create -b "$BUNDLE" race >"$BATS_TEST_TMPDIR/b" 2>&1; then echo 0; else echo 1; fi > "$BATS_TEST_TMPDIR/rb") &
  p2=$!
  wait $p1 $p2
  [ $(( $(cat "$BATS_TEST_TMPDIR/ra") + $(cat "$BATS_TEST_TMPDIR/rb") )) -eq 1 ]
  [ "$(cnf state race | jq -r .status)" = created ]
}

@test "list: table, json and quiet" {
  update_config '.process.args = ["sleep", "100"]'
  cnf create -b "$BUNDLE" l1
  cnf create -b "$BUNDLE" l2
  run cnf list -q
  assert_success
  assert_line l1
  assert_line l2
  run cnf list --format json
  assert_success
  [ "$(echo "$output" | jq -r 'map(.id) | sort | join(",")')" = "l1,l2" ]
  [ "$(echo "$output" | jq -r '.[0].status')" = created ]
  run cnf list
  assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
  run cnf list --format yaml
  assert_failure
  assert_output --partial -- '--format'
}

@test "exec joins every namespace, passes env, cwd and user, and returns the exit code" {
  update_config '.process.args = ["sleep", "100"]'
  cnf run -d -b "$BUNDLE" ex
  pid=$(cnf state ex | jq -r .pid)
  run cnf exec ex sh -c 'hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid'
  assert_success
  assert_line --index 0 cnftest
  assert_line --index 1 "$(readlink /proc/$pid/ns/net)"
  assert_line --index 2 "$(readlink /proc/$pid/ns/mnt)"
  assert_line --index 3 "$(readlink /proc/$pid/ns/pid)"
  run cnf exec --env FOO=bar --cwd /tmp --user 1000:1000 ex sh -c 'echo $FOO $(pwd) $(id -u):$(id -g)'
  assert_success
  assert_output "bar /tmp 1000:1000"
  run cnf exec ex sh -c 'exit 7'
  assert_equal "$status" 7
  cnf exec -d --pid-file "$BATS_TEST_TMPDIR/epid" ex sleep 30 >/dev/null 2>&1
  [ -s "$BATS_TEST_TMPDIR/epid" ]
  grep -q sleep /proc/$(cat "$BATS_TEST_TMPDIR/epid")/cmdline
  run cnf exec ex /nonexistent
  assert_failure
  assert_output --partial 'exec failed'
  assert_output --partial '/nonexistent' 
  run cnf exec nope true
  assert_failure
  assert_output --partial 'does not exist'
}

@test "exec --process takes a process.json" {
  update_config '.process.args = ["sleep", "100"]'
  cnf run -d -b "$BUNDLE" exp
  cat > "$BATS_TEST_TMPDIR/p.json" <<'JSON'
{"args": ["sh", "-c", "echo $X; pwd"], "env": ["X=from-process-json"], "cwd": "/dev", "user": {"uid": 0, "gid": 0}}
JSON
  run cnf exec --process "$BATS_TEST_TMPDIR/p.json" exp
  assert_success
  assert_line --index 0 from-process-json
  assert_line --index 1 /dev
}

@test "exec in a stopped container fails with container not running" {
  update_config '.process.args = ["true"]'
  cnf run -d -b "$BUNDLE" stopped
  wait_for 50 sh -c "[ \"\$('$CNFRUN' --root '$ROOT' state stopped | jq -r .status)\" = stopped ]"
  run cnf exec stopped true
  assert_failure
  assert_output --partial 'container not running'
}

@test "only stdio reaches the container process (CVE-2024-21626)" {
  update_config '.process.args = ["sh", "-c", "ls /proc/self/fd"]'
  exec 7</dev/null
  run cnf run -b "$BUNDLE" fds
  exec 7<&-
  assert_success
  # 0 1 2 and the fd ls itself opens on /proc/self/fd
  [ "$(echo "$output" | wc -l)" -le 4 ]
  refute_line 7
}

@test "--preserve-fds passes extra fds" {
  update_config '.process.args = ["sh", "-c", "cat <&3"]'
  echo preserved > "$BATS_TEST_TMPDIR/in"
  run cnf run --preserve-fds 1 -b "$BUNDLE" pf 3<"$BATS_TEST_TMPDIR/in"
  assert_success
  assert_output preserved
}

@test "bad config.json: error with the JSON path, non-zero exit, nothing left" {
  echo '{"ociVersion": "1.3.0", "process": ' > "$BUNDLE/config.json"
  run cnf create -b "$BUNDLE" bad1
  assert_failure
  assert_output --partial 'config.json'
  [ ! -e "$ROOT/bad1" ]
  make_bundle "$BUNDLE"
  update_config 'del(.process)'
  run cnf create -b "$BUNDLE" bad2
  assert_failure
  assert_output --partial '.process'
  [ ! -e "$ROOT/bad2" ]
  make_bundle "$BUNDLE"
  update_config '.linux.namespaces += [{"type": "bogus"}]'
  run cnf create -b "$BUNDLE" bad3
  assert_failure
  assert_output --partial 'namespaces'
  assert_output --partial 'bogus'
  [ ! -e "$ROOT/bad3" ]
  make_bundle "$BUNDLE"
  update_config '.process.capabilities.bounding += ["CAP_NOPE"]'
  run cnf create -b "$BUNDLE" bad4
  assert_failure
  assert_output --partial 'CAP_NOPE'
  [ ! -e "$ROOT/bad4" ]
}

@test "a failing create leaves no state dir, process or cgroup" {
  update_config '.process.args = ["sleep", "100"] | .mounts += [{"destination": "/x", "type": "nosuchfs", "source": "none"}]'
  run cnf create -b "$BUNDLE" fail1
  assert_failure
  [ ! -e "$ROOT/fail1" ]
  run pgrep -f "sleep 100"
  refute_output --partial "$(pgrep -f 'cnfrun.*fail1' || echo none)"
  cg=$(cgroup2_mount)
  run find "$cg" -name 'fail1*'
  assert_output ""
}

@test "create fails when process.args[0] is no executable in the container (as runc)" {
  update_config '.process.args = ["/no/such/binary"]'
  run create_ct -b "$BUNDLE" noexe1
  assert_failure
  assert_output --partial 'exec "/no/such/binary": No such file or directory'
  [ ! -e "$ROOT/noexe1" ]
  update_config '.process.args = ["no-such-tool"]'
  run create_ct -b "$BUNDLE" noexe2
  assert_failure
  assert_output --partial 'exec "no-such-tool": not found in PATH'
  [ ! -e "$ROOT/noexe2" ]
  update_config '.process.args = ["/etc"]'
  run create_ct -b "$BUNDLE" noexe3
  assert_failure
  assert_output --partial 'exec "/etc": not an executable file'
  # Found along the config's PATH, it is created.
  update_config '.process.args = ["true"]'
  create_ct -b "$BUNDLE" exe4
  [ "$(cnf state exe4 | jq -r .status)" = created ]
}

@test "create killed with SIGKILL mid-way: delete --force removes everything" {
  # a duration no other process on the host uses, so that only this hook is killed below
  local nap=29.$$
  update_config '.process.args = ["sleep", "100"] | .hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "'"$nap"'"]}]'
  cnf create -b "$BUNDLE" killed &
  cpid=$!
  wait_for 100 sh -c "[ -n \"\$(jq -r '.pid // 0' '$ROOT/killed/state.json' 2>/dev/null | grep -v '^0$')\" ]"
  init=$(jq -r .pid "$ROOT/killed/state.json")
  kill -9 $cpid
  wait $cpid || true
  pkill -9 -f -x "sleep $nap" || true
  run cnf delete --force killed
  assert_success
  [ ! -e "$ROOT/killed" ]
  ! kill -0 "$init" 2>/dev/null
  cg=$(cgroup2_mount)
  run find "$cg" -name 'killed*'
  assert_output ""
}

@test "--log-format json writes {level,msg,time} lines that containerd reads" {
  run cnf --log "$BATS_TEST_TMPDIR/log.json" --log-format json state missing
  assert_failure
  line=$(tail -n 1 "$BATS_TEST_TMPDIR/log.json")
  [ "$(echo "$line" | jq -r .level)" = error ]
  echo "$line" | jq -r .msg | grep -q 'does not exist'
  echo "$line" | jq -r .time | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
  run cnf --log-format xml state missing
  assert_failure
  assert_output --partial -- '--log-format'
}

@test "go-runc single-dash long flags are accepted" {
  update_config '.process.args = ["sleep", "100"]'
  "$CNFRUN" -root "$ROOT" create -bundle "$BUNDLE" -pid-file "$BATS_TEST_TMPDIR/p" -no-new-keyring sd >/dev/null 2>&1
  [ -s "$BATS_TEST_TMPDIR/p" ]
  run "$CNFRUN" -root "$ROOT" delete -force sd
  assert_success
}

@test "bad flags are named in the error" {
  run cnf create --bogus x
  assert_failure
  assert_output --partial -- '--bogus'
  run cnf create -b "$BUNDLE"
  assert_failure
  assert_output --partial 'missing container id'
  run cnf frobnicate
  assert_failure
  assert_output --partial 'unknown command'
  run cnf create --preserve-fds lots -b "$BUNDLE" x
  assert_failure
  assert_output --partial -- '--preserve-fds'
}
