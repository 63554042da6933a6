#!/usr/bin/env bats
# Behaviours the OCI runtime-tools validation suite checks that no other file covers: operations
# refused in the wrong state leave the container as it was, config.json edits after create do not
# reach the container, failing poststart/poststop hooks only warn.  tests/integration/README.md maps
# every validation behaviour to the test that covers it.
load helpers

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() { setup_bundle; }
teardown() { kill_containers; }

# state_of ID: the state JSON, for comparing before and after a refused operation.
state_of() { cnf state "$1" | jq -S -c .; }
# refused_unchanged ID MESSAGE COMMAND...: `cnf COMMAND` fails saying MESSAGE, and ID's state is
# what it was before.
refused_unchanged() {
  local id=$1 msg=$2 before
  shift 2
  before=$(state_of "$id")
  run cnf "$@"
  assert_failure
  assert_output --partial "$msg"
  [ "$(state_of "$id")" = "$before" ]
}

wait_stopped() {
  wait_for 50 sh -c "[ \"\$('$CNFRUN' --root '$ROOT' state '$1' | jq -r .status)\" = stopped ]"
}

@test "oci: kill of a stopped container fails and leaves its state unchanged" {
  update_config '.process.args = ["true"]'
  create_ct -b "$BUNDLE" ks
  cnf start ks
  wait_stopped ks
  local before
  before=$(state_of ks)
  run cnf kill ks KILL
  assert_failure
  assert_output --partial 'container not running'
  [ "$(state_of ks)" = "$before" ]
  run cnf kill
  assert_failure
  assert_output --partial 'missing container id'
}

@test "oci: start of a running or stopped container fails and changes nothing; start needs an id" {
  update_config '.process.args = ["sleep", "100"]'
  create_ct -b "$BUNDLE" st
  cnf start st
  local pid
  pid=$(cnf state st | jq -r .pid)
  refused_unchanged st 'already running' start st
  kill -9 "$pid"
  wait_stopped st
  refused_unchanged st 'stopped' start st
  run cnf start
  assert_failure
  assert_output --partial 'missing container id'
}

@test "oci: delete of a running container fails and has no effect; delete needs an id" {
  update_config '.process.args = ["sleep", "100"]'
  create_ct -b "$BUNDLE" dr
  cnf start dr
  refused_unchanged dr 'not stopped' delete dr
  kill -0 "$(cnf state dr | jq -r .pid)"
  run cnf delete
  assert_failure
  assert_output --partial 'missing container id'
}

@test "oci: config.json edits after create do not affect the container (start hooks, exec, delete)" {
  local out=$BATS_TEST_TMPDIR/hooks
  mkdir -p "$out"
  update_config ".process.args = [\"sleep\", \"100\"] | .process.env += [\"FROM=create\"]
    | .hooks = {\"poststart\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo create > $out/poststart\"]}],
                \"poststop\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo create > $out/poststop\"]}]}"
  create_ct -b "$BUNDLE" cu
  # Rewrite everything the later operations read: process, capabilities, hooks.
  update_config ".process.env = [\"FROM=edited\"] | .process.capabilities.bounding += [\"CAP_SYS_ADMIN\"]
    | .process.capabilities.effective += [\"CAP_SYS_ADMIN\"] | .process.capabilities.permitted += [\"CAP_SYS_ADMIN\"]
    | .hooks.poststart[0].args[2] = \"echo edited > $out/poststart\" | .hooks.poststop[0].args[2] = \"echo edited > $out/poststop\""
  cnf start cu
  wait_for 50 test -s "$out/poststart"
  [ "$(cat "$out/poststart")" = create ]
  run cnf exec cu sh -c 'echo $FROM; grep CapEff /proc/self/status'
  assert_success
  assert_line --index 0 create
  assert_line --regexp 'CapEff:[[:space:]]+00000000200004eb'
  cnf kill cu KILL
  wait_stopped cu
  cnf delete cu
  [ "$(cat "$out/poststop")" = create ]
}

@test "oci: a failing poststart or poststop hook warns; the remaining hooks and the lifecycle go on" {
  local out=$BATS_TEST_TMPDIR/hooks
  mkdir -p "$out"
  update_config ".process.args = [\"sleep\", \"100\"]
    | .hooks = {\"poststart\": [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo ran > $out/poststart\"]}],
                \"poststop\": [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo ran > $out/poststop\"]}]}"
  create_ct -b "$BUNDLE" hf
  run cnf start hf
  assert_success
  assert_output --partial 'poststart hook #0 (/bin/false)'
  wait_for 50 test -s "$out/poststart"
  [ "$(cnf state hf | jq -r .status)" = running ]
  cnf kill hf KILL
  wait_stopped hf
  run cnf delete hf
  assert_success
  assert_output --partial 'poststop hook #0 (/bin/false)'
  [ -s "$out/poststop" ]
  [ ! -e "$ROOT/hf" ]
}

@test "oci: namespaces with a path are joined; a path to a namespace of another type is refused" {
  update_config '.process.args = ["sleep", "100"]'
  create_ct -b "$BUNDLE" nsa
  local pid
  pid=$(cnf state nsa | jq -r .pid)
  update_config "(.linux.namespaces[] | select(.type == \"network\")) |= {\"type\": \"network\", \"path\": \"/proc/$pid/ns/net\"}
    | (.linux.namespaces[] | select(.type == \"ipc\")) |= {\"type\": \"ipc\", \"path\": \"/proc/$pid/ns/ipc\"}
    | .process.args = [\"sh\", \"-c\", \"for n in net ipc uts; do readlink /proc/self/ns/\$n; done\"]"
  run cnf run -b "$BUNDLE" nsb
  assert_success
  assert_line --index 0 "$(readlink /proc/$pid/ns/net)"
  assert_line --index 1 "$(readlink /proc/$pid/ns/ipc)"
  refute_line "$(readlink /proc/$pid/ns/uts)"
  update_config "(.linux.namespaces[] | select(.type == \"network\")) |= {\"type\": \"network\", \"path\": \"/proc/$pid/ns/uts\"}"
  run cnf run -b "$BUNDLE" nsc
  assert_failure
  assert_output --partial 'network'
  [ ! -e "$ROOT/nsc" ]
}
