#!/usr/bin/env bats
# OCI hooks: every kind runs, in order, with the container state on stdin and its args/env as
# configured; createContainer/startContainer run inside the container's mount namespace; a
# failing or timed-out hook fails create and leaves nothing behind.
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

setup() {
  setup_bundle
  # Hooks that run in the container write into the rootfs: give this test its own copy.
  use_private_rootfs
  OUT=$BATS_TEST_TMPDIR/out
  mkdir -p "$OUT" "$BUNDLE/rootfs/hookout"
}
teardown() { kill_containers; }

# host_hook KIND: a hook run by the runtime on the host: saves stdin, argv and env.
host_hook() {
  printf '{"path": "/bin/sh", "args": ["sh", "-c", "cat > %s/%s.state; echo \\"$0 $1\\" > %s/%s.args; env > %s/%s.env; echo %s >> %s/order", "arg-%s", "two"], "env": ["HOOK_KIND=%s"]}' \
    "$OUT" "$1" "$OUT" "$1" "$OUT" "$1" "$1" "$OUT" "$1" "$1"
}
# cc_hook: createContainer: its path resolves in the runtime's filesystem (before pivot_root),
# but it runs in the container's namespaces; it records its netns to prove which.
cc_hook() {
  printf '{"path": "/bin/sh", "args": ["sh", "-c", "cat > %s/createContainer.state; readlink /proc/self/ns/net > %s/createContainer.netns; echo createContainer >> %s/order"]}' \
    "$OUT" "$OUT" "$OUT"
}
# sc_hook: startContainer: resolves and runs in the container (after pivot_root).
sc_hook() {
  printf '{"path": "/bin/sh", "args": ["sh", "-c", "cat > /hookout/startContainer.state; echo startContainer >> /hookout/order"]}'
}

@test "hooks: all six kinds run in order with the state on stdin" {
  update_config ".process.args = [\"sleep\", \"1\"]
    | .hooks = {\"prestart\": [$(host_hook prestart)], \"createRuntime\": [$(host_hook createRuntime)],
                \"createContainer\": [$(cc_hook)], \"startContainer\": [$(sc_hook)],
                \"poststart\": [$(host_hook poststart)], \"poststop\": [$(host_hook poststop)]}"
  run create_ct -b "$BUNDLE" hk1
  assert_success
  # create ran prestart, createRuntime (host) and createContainer (container)
  [ -s "$OUT/prestart.state" ]
  [ -s "$OUT/createRuntime.state" ]
  [ -s "$OUT/createContainer.state" ]
  [ ! -e "$BUNDLE/rootfs/hookout/startContainer.state" ]
  [ ! -e "$OUT/poststart.state" ]
  run jq -r '.ociVersion, .id, .status, .bundle, (.pid > 0)' "$OUT/createRuntime.state"
  assert_success
  assert_line --index 1 hk1
  assert_line --index 2 creating
  assert_line --index 3 "$BUNDLE"
  assert_line --index 4 true
  run jq -r .id "$OUT/createContainer.state"
  assert_output hk1
  # createContainer ran in the container's network namespace, the host hooks did not
  pid=$(cnf state hk1 | jq -r .pid)
  assert_equal "$(cat "$OUT/createContainer.netns")" "$(readlink /proc/$pid/ns/net)"
  [ "$(cat "$OUT/createContainer.netns")" != "$(readlink /proc/self/ns/net)" ]
  # args and env exactly as configured (no inherited environment)
  run cat "$OUT/prestart.args"
  assert_output "arg-prestart two"
  run cat "$OUT/prestart.env"
  assert_line HOOK_KIND=prestart
  refute_line --regexp '^HOME='

  run cnf start hk1
  assert_success
  wait_for 50 test -e "$OUT/poststart.state"
  [ -s "$BUNDLE/rootfs/hookout/startContainer.state" ]
  run jq -r .status "$OUT/poststart.state"
  assert_output running
  # let the container exit, then delete runs poststop
  wait_for 50 sh -c "\"$CNFRUN\" --root \"$ROOT\" state hk1 | jq -e '.status == \"stopped\"'"
  run cnf delete hk1
  assert_success
  [ -s "$OUT/poststop.state" ]
  run jq -r .id "$OUT/poststop.state"
  assert_output hk1
  run cat "$OUT/order"
  assert_output "$(printf 'prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop')"
  run cat "$BUNDLE/rootfs/hookout/order"
  assert_output startContainer
}

@test "hooks: a createRuntime hook that times out fails create in time and leaves nothing behind" {
  update_config '.process.args = ["true"]
    | .hooks = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 30"], "timeout": 1}]}'
  start=$(date +%s)
  run create_ct -b "$BUNDLE" hk2
  end=$(date +%s)
  assert_failure
  assert_output --partial "createRuntime hook #0 (/bin/sh) timed out after 1 s"
  [ $((end - start)) -lt 10 ]
  run ! cnf state hk2
  assert_failure
  assert_output --partial 'container "hk2" does not exist'
  # the hook's sleep was killed
  run pgrep -f "^sh -c sleep 30$"
  assert_failure
}

@test "hooks: a failing prestart hook fails create, naming the hook and its exit status" {
  update_config '.process.args = ["true"]
    | .hooks = {"prestart": [{"path": "/bin/true"}, {"path": "/bin/sh", "args": ["sh", "-c", "echo hook-says-no >&2; exit 4"]}]}'
  run ! create_ct -b "$BUNDLE" hk3
  assert_failure
  assert_output --partial "prestart hook #1 (/bin/sh) failed: exit status 4"
  assert_output --partial "hook-says-no"
  run ! cnf state hk3
  assert_failure
}

@test "hooks: a failing createContainer hook fails create" {
  update_config '.process.args = ["true"]
    | .hooks = {"createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 9"]}]}'
  run ! create_ct -b "$BUNDLE" hk4
  assert_failure
  assert_output --partial "createContainer hook #0 (/bin/sh) failed: exit status 9"
  run ! cnf state hk4
  assert_failure
}
