#!/usr/bin/env bats
# `cnfrun spec` (compared with `runc spec`), `cnfrun features`, and config.json validation as a
# user meets it: a bad document fails create with its JSON path and leaves nothing behind.
load helpers

setup() {
  SPECDIR=$BATS_TEST_TMPDIR/spec
  RUNCDIR=$BATS_TEST_TMPDIR/runcspec
  mkdir -p "$SPECDIR" "$RUNCDIR"
}

teardown() { cleanup_containers; }

@test "spec: writes a valid config.json with runc's keys, namespaces, mounts and paths" {
  run "$CNFRUN" spec --bundle "$SPECDIR"
  assert_success
  jq -e . "$SPECDIR/config.json" >/dev/null
  (cd "$RUNCDIR" && runc spec)
  local f
  for f in 'keys' '.process | keys' '.linux | keys' '.root' '[.mounts[].destination]' '[.mounts[].type]' \
           '.linux.readonlyPaths' '.process.capabilities | del(.ambient)' '.process.args' '.process.env' \
           '.process.rlimits' '.process.terminal' '.linux.resources'; do
    assert_equal "$(jq -c "$f" "$SPECDIR/config.json")" "$(jq -c "$f" "$RUNCDIR/config.json")"
  done
  # As runc >= 1.2: no ambient set (it cannot be raised without inheritable) and the TPM masked.
  assert_equal "$(jq -c '.process.capabilities.ambient' "$SPECDIR/config.json")" null
  assert_equal "$(jq -c '.linux.maskedPaths - ["/sys/devices/virtual/tpm"]' "$SPECDIR/config.json")" \
               "$(jq -c '.linux.maskedPaths - ["/sys/devices/virtual/tpm"]' "$RUNCDIR/config.json")"
  jq -e '.linux.maskedPaths | index("/sys/devices/virtual/tpm")' "$SPECDIR/config.json" >/dev/null
  # runc >= 1.2 also lists the cgroup namespace; nothing else may differ.
  local ours runcs
  ours=$(jq -c '[.linux.namespaces[].type] - ["cgroup"] | sort' "$SPECDIR/config.json")
  runcs=$(jq -c '[.linux.namespaces[].type] - ["cgroup"] | sort' "$RUNCDIR/config.json")
  assert_equal "$ours" "$runcs"
  assert_equal "$(jq -r .ociVersion "$SPECDIR/config.json")" "1.3.0"
}

@test "spec: the current directory is the default bundle, go-runc style -bundle works too" {
  cd "$SPECDIR"
  run "$CNFRUN" spec
  assert_success
  [ -f "$SPECDIR/config.json" ]
  run "$CNFRUN" spec -bundle "$RUNCDIR"
  assert_success
  [ -f "$RUNCDIR/config.json" ]
}

@test "spec --rootless: a user namespace mapping the caller, no network namespace, like runc" {
  run "$CNFRUN" spec --rootless --bundle "$SPECDIR"
  assert_success
  (cd "$RUNCDIR" && runc spec --rootless)
  assert_equal "$(jq -c '[.linux.namespaces[].type] - ["cgroup"] | sort' "$SPECDIR/config.json")" \
               "$(jq -c '[.linux.namespaces[].type] - ["cgroup"] | sort' "$RUNCDIR/config.json")"
  run jq -r '[.linux.namespaces[].type] | index("network")' "$SPECDIR/config.json"
  assert_output null
  assert_equal "$(jq -c .linux.uidMappings "$SPECDIR/config.json")" "[{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}]"
  assert_equal "$(jq -c .linux.gidMappings "$SPECDIR/config.json")" "[{\"containerID\":0,\"hostID\":$(id -g),\"size\":1}]"
  assert_equal "$(jq -c .linux.uidMappings "$SPECDIR/config.json")" "$(jq -c .linux.uidMappings "$RUNCDIR/config.json")"
  assert_equal "$(jq -c .mounts "$SPECDIR/config.json")" "$(jq -c .mounts "$RUNCDIR/config.json")"
  assert_equal "$(jq -c .linux.resources "$SPECDIR/config.json")" "null"
}

@test "spec: refuses to overwrite an existing config.json" {
  echo '{"mine": true}' > "$SPECDIR/config.json"
  run "$CNFRUN" spec --bundle "$SPECDIR"
  assert_failure
  assert_output --partial "config.json exists: remove it first"
  assert_equal "$(cat "$SPECDIR/config.json")" '{"mine": true}'
}

@test "spec: a missing bundle directory and bad flags are errors" {
  run "$CNFRUN" spec --bundle "$SPECDIR/nope"
  assert_failure
  assert_output --partial "No such file or directory"
  run "$CNFRUN" spec --frobnicate
  assert_failure
  [ ! -e "$SPECDIR/config.json" ]
}

@test "spec: the default config runs a container" {
  ROOT=$BATS_TEST_TMPDIR/root
  mkdir -p "$ROOT"
  make_busybox_rootfs "$SPECDIR/rootfs"
  "$CNFRUN" spec --bundle "$SPECDIR"
  update_config '.process.terminal = false | .process.args = ["sh", "-c", "hostname; readlink /proc/self/ns/uts; grep CapBnd /proc/self/status"]' "$SPECDIR"
  run "$CNFRUN" --root "$ROOT" run --bundle "$SPECDIR" spec-default
  assert_success
  assert_line --index 0 cnfrun
  refute_line "$(readlink /proc/self/ns/uts)"
  # CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
  assert_line --regexp '^CapBnd:[[:space:]]+0000000020000420$'
}

@test "features: a runtime-spec features document CRI-O accepts" {
  run "$CNFRUN" features
  assert_success
  echo "$output" | jq -e . >/dev/null
  assert_equal "$(echo "$output" | jq -r .ociVersionMin)" "1.0.0"
  assert_equal "$(echo "$output" | jq -r .ociVersionMax)" "1.3.0"
  assert_equal "$(echo "$output" | jq -c '.hooks | length')" 6
  assert_equal "$(echo "$output" | jq -c '.linux.namespaces | sort')" \
               '["cgroup","ipc","mount","network","pid","time","user","uts"]'
  echo "$output" | jq -e '.linux.capabilities | index("CAP_CHECKPOINT_RESTORE") and index("CAP_NET_ADMIN")' >/dev/null
  echo "$output" | jq -e '.mountOptions | index("rbind") and index("nosymfollow") and index("rshared")' >/dev/null
  echo "$output" | jq -e '.linux.cgroup.v2 == true and .linux.cgroup.v1 == false and .linux.cgroup.rdma == true' >/dev/null
  echo "$output" | jq -e '.linux.netDevices.enabled == true' >/dev/null
  echo "$output" | jq -e '.linux.apparmor.enabled == false and .linux.selinux.enabled == false and .linux.intelRdt.enabled == false' >/dev/null
  echo "$output" | jq -e '.linux.memoryPolicy.modes | index("MPOL_BIND") and index("MPOL_PREFERRED_MANY")' >/dev/null
  echo "$output" | jq -e '.linux.seccomp.enabled == true and (.linux.seccomp.actions | index("SCMP_ACT_ERRNO"))' >/dev/null
  echo "$output" | jq -e '.annotations["io.github.cnfrun.version"] | length > 0' >/dev/null
}

@test "features: rro and idmap mount options are announced exactly when the kernel has mount_setattr" {
  run "$CNFRUN" features
  assert_success
  local major minor want
  IFS=. read -r major minor _ < <(uname -r)
  if [ "$major" -gt 5 ] || { [ "$major" -eq 5 ] && [ "$minor" -ge 12 ]; }; then want=true; else want=false; fi
  assert_equal "$(echo "$output" | jq '.mountOptions | index("rro") != null')" "$want"
  assert_equal "$(echo "$output" | jq '.mountOptions | index("idmap") != null')" "$want"
  assert_equal "$(echo "$output" | jq '.mountOptions | index("rnosuid") != null')" "$want"
  # every option is listed once
  assert_equal "$(echo "$output" | jq '.mountOptions | length == (unique | length)')" true
  # mountExtensions describe the runtime, "irrespective of the host" (features-linux.md)
  assert_equal "$(echo "$output" | jq '.linux.mountExtensions.idmap.enabled')" true
}

# bad_create FILTER ID EXPECTED: create fails with EXPECTED and leaves no state behind.
bad_create() {
  update_config "$1"
  run cnf create --bundle "$BUNDLE" "$2"
  assert_failure
  assert_output --partial "$3"
  [ ! -e "$ROOT/$2" ]
  run cnf state "$2"
  assert_failure
}

@test "create: an invalid config.json is reported with its JSON path, before any side effect" {
  setup_bundle
  local orig=$BUNDLE/config.json.orig
  cp "$BUNDLE/config.json" "$orig"
  bad_create '.linux.namespaces += [{"type": "foo"}]' sp1 \
    'config.json: .linux.namespaces[6].type: unknown namespace type "foo"'
  cp "$orig" "$BUNDLE/config.json"
  bad_create '.process.capabilities.bounding[1] = "CAP_FOO"' sp2 \
    'config.json: .process.capabilities.bounding[1]: unknown capability "CAP_FOO"'
  cp "$orig" "$BUNDLE/config.json"
  bad_create 'del(.ociVersion)' sp3 'config.json: .ociVersion: missing'
  cp "$orig" "$BUNDLE/config.json"
  bad_create 'del(.process)' sp4 'config.json: .process: missing'
  cp "$orig" "$BUNDLE/config.json"
  bad_create '.process.args = []' sp5 'config.json: .process.args: must be a non-empty array of strings'
  cp "$orig" "$BUNDLE/config.json"
  bad_create '.process.user.uid = "root"' sp6 'config.json: .process.user.uid: must be a number, not a string'
  cp "$orig" "$BUNDLE/config.json"
  bad_create '.linux.timeOffsets = {"monotonic": {"secs": 5}}' sp7 \
    'config.json: .linux.timeOffsets: requires a time namespace in linux.namespaces'
  cp "$orig" "$BUNDLE/config.json"
  bad_create '.linux.namespaces += [{"type": "user"}]' sp8 \
    'config.json: .linux.uidMappings: required when a new user namespace is created'
  cp "$orig" "$BUNDLE/config.json"
  bad_create '.ociVersion = "2.0.0"' sp9 'config.json: .ociVersion: unsupported version "2.0.0"'
  echo '{"ociVersion": "1.3.0",' > "$BUNDLE/config.json"
  run cnf create --bundle "$BUNDLE" sp10
  assert_failure
  assert_output --partial 'config.json: parse error'
  [ ! -e "$ROOT/sp10" ]
}

@test "create: unknown fields are ignored" {
  setup_bundle
  update_config '.futureField = {"a": 1} | .linux.futureLinux = [1] | .process.futureProcess = "x"'
  run cnf run --bundle "$BUNDLE" sp-unknown
  assert_success
}
