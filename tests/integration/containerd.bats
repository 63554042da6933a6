#!/usr/bin/env bats
# cnfrun under a real containerd (Debian's 1.6 package): a private daemon with its own root, state
# and socket, a busybox OCI image built here and imported (no registry), and `ctr run
# --runc-binary $CNFRUN`, so the real containerd-shim-runc-v2 calls cnfrun with --root
# /run/containerd/runc/<ns> --log <bundle>/log.json --log-format json.
#
# Hybrid hosts: the shim picks its cgroup code from what /sys/fs/cgroup is. On a hybrid host it
# would take the v1 path, which registers an OOM eventfd in the caller's v1 memory cgroup (a write
# under /sys/fs/cgroup/memory) and reads the v1 cgroups the container merely inherits, not the v2
# one cnfrun made. So here containerd runs in a private mount namespace whose /sys/fs/cgroup is the
# host's v2 mount: the shim then sees the cgroup cnfrun uses (pause/resume through cgroup.freeze,
# update and metrics through hugetlb). cpu, memory and pids are not on that mount: their update
# and metrics run in the pure v2 test VM (the default VM suite runs just those two tests:
# `tests/vm/run --filter 'update|metrics' tests/integration/containerd.bats`).
# `ctr` 1.6 has no update command: containerd-update.py makes the Tasks/Update call.
load helpers

setup_file() {
  command -v containerd >/dev/null && command -v containerd-shim-runc-v2 >/dev/null ||
    skip "containerd is not installed (scripts/install-deps)"
  # Short: the socket path must fit in sun_path.
  export CTD_DIR=$(mktemp -d /tmp/cnfctd.XXXXXX)
  export CTD_SOCK=$CTD_DIR/ctd.sock
  export CTD_NS=cnfrun-ctd-$$
  export CTD_IMAGE=cnfrun.test/busybox:$$
  export CTD_RUNC_ROOT=/run/containerd/runc/$CTD_NS
  # ctr asks for cpu shares 1024 by default; without a v2 cpu controller (hybrid host) cnfrun
  # rightly refuses that, so ask for none there.
  export CTD_RUN_OPTS=
  grep -qw cpu "$(cgroup2_mount)/cgroup.controllers" 2>/dev/null || CTD_RUN_OPTS="--cpu-shares 0"
  write_containerd_config "$CTD_DIR"
  start_containerd
  make_oci_image "$CTD_DIR/image" "$CTD_IMAGE" "$CTD_DIR/busybox-oci.tar"
  ctr images import "$CTD_DIR/busybox-oci.tar" >"$CTD_DIR/import.log" 2>&1 ||
    { cat "$CTD_DIR/import.log" >&3; return 1; }
}

teardown_file() {
  [ -n "${CTD_DIR:-}" ] || return 0
  stop_containerd
  rm -rf "$CTD_DIR" "$CTD_RUNC_ROOT"
  # cnfrun removes each container's cgroup; the namespace's parent (cgroupsPath /<ns>/<id>) and
  # the shims' directories under /run/containerd stay unless empty.
  rmdir "$(cgroup2_mount)/$CTD_NS" 2>/dev/null
  rmdir /run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
  true
}

teardown() {
  local id
  for id in $(ctr containers list -q 2>/dev/null); do
    ctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1
    ctr tasks delete -f "$id" >/dev/null 2>&1
    ctr containers delete "$id" >/dev/null 2>&1
  done
  true
}

ctr() { command ctr -a "$CTD_SOCK" -n "$CTD_NS" "$@"; }

# cnfrun on the shim's state, in containerd's mount namespace (where the state's cgroup paths are).
cnf_ctd() { nsenter --mount="/proc/$(cat "$CTD_DIR/containerd.pid")/ns/mnt" "$CNFRUN" --root "$CTD_RUNC_ROOT" "$@"; }

# write_containerd_config DIR: only the plugins ctr run needs (no CRI, no cgroup
# monitor, no /opt/containerd); everything under DIR.
write_containerd_config() {
  local d=$1
  cat > "$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri",
  "io.containerd.monitor.v1.cgroups", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$d/ctd.sock"
[ttrpc]
  address = "$d/ctd.ttrpc.sock"
[debug]
  address = ""
[metrics]
  address = ""
EOF
}

# start_containerd: in a private mount namespace (its mounts and the shims' die with it), on a
# hybrid host with the v2 mount at /sys/fs/cgroup (see the top of this file).
start_containerd() {
  local prep=""
  if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    local cg2
    cg2=$(cgroup2_mount)
    [ -n "$cg2" ] || skip "no cgroup2 mount"
    prep="mount --bind $cg2 /sys/fs/cgroup &&"
  fi
  unshare --mount --propagation private sh -c "$prep exec containerd --config $CTD_DIR/config.toml" \
    </dev/null >"$CTD_DIR/containerd.log" 2>&1 3>&- &
  echo $! > "$CTD_DIR/containerd.pid"
  if ! wait_for 100 ctr version >/dev/null 2>&1; then
    tail -20 "$CTD_DIR/containerd.log" >&3
    return 1
  fi
}

# The shims of this containerd: containerd-shim-runc-v2 processes whose -address is our socket.
our_shims() {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q "^/usr/bin/containerd-shim-runc-v2 .*-address $CTD_SOCK " &&
      echo "${p#/proc/}"
  done
}

stop_containerd() {
  local pid id shims
  ctr version >/dev/null 2>&1 && teardown
  # Containers left behind by a failed shim: cnfrun's own state under the shim's --root.
  for id in $(ls "$CTD_RUNC_ROOT" 2>/dev/null); do
    cnf_ctd delete --force "$id" >/dev/null 2>&1
  done
  shims=$(our_shims)
  pid=$(cat "$CTD_DIR/containerd.pid" 2>/dev/null)
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$shims" ] && kill $shims 2>/dev/null
  for pid in $pid $shims; do
    wait_for 50 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
  done
  true
}

# make_oci_image DIR NAME TAR: an OCI image layout (oci-layout, index.json, manifest, config,
# one gzip layer of a busybox-static rootfs) in DIR, tarred into TAR; NAME is the image's name.
make_oci_image() {
  local dir=$1 name=$2 tar=$3 layer diff_id layer_d config_d manifest_d
  mkdir -p "$dir/blobs/sha256"
  make_busybox_rootfs "$dir/rootfs"
  tar -C "$dir/rootfs" --numeric-owner --owner=0 --group=0 -cf "$dir/layer.tar" .
  diff_id=$(sha256sum < "$dir/layer.tar" | cut -d' ' -f1)
  gzip -n -c "$dir/layer.tar" > "$dir/layer.tar.gz"
  layer_d=$(add_blob "$dir" "$dir/layer.tar.gz")
  jq -n --arg d "sha256:$diff_id" '{architecture: "amd64", os: "linux",
      config: {Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
      rootfs: {type: "layers", diff_ids: [$d]}}' > "$dir/config.json"
  config_d=$(add_blob "$dir" "$dir/config.json")
  jq -n --arg c "$config_d" --argjson cs "$(stat -c %s "$dir/config.json")" \
        --arg l "$layer_d" --argjson ls "$(stat -c %s "$dir/layer.tar.gz")" '{schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]}' \
      > "$dir/manifest.json"
  manifest_d=$(add_blob "$dir" "$dir/manifest.json")
  jq -n --arg m "$manifest_d" --argjson ms "$(stat -c %s "$dir/manifest.json")" --arg n "$name" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
        platform: {architecture: "amd64", os: "linux"},
        annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": "latest"}}]}' \
      > "$dir/index.json"
  echo '{"imageLayoutVersion": "1.0.0"}' > "$dir/oci-layout"
  tar -C "$dir" -cf "$tar" oci-layout index.json blobs
}

# add_blob DIR FILE: copies FILE to DIR/blobs/sha256/<its digest>; prints sha256:<digest>.
add_blob() {
  local d
  d=$(sha256sum < "$2" | cut -d' ' -f1)
  cp "$2" "$1/blobs/sha256/$d"
  echo "sha256:$d"
}

# run_ct ID ARGS...: `ctr run` of the test image through cnfrun, in the foreground.
run_ct() {
  local id=$1; shift
  ctr run $CTD_RUN_OPTS --runc-binary "$CNFRUN" "$CTD_IMAGE" "$id" "$@" </dev/null
}

# start_ct ID ARGS...: a detached container (its stdio to /dev/null).
start_ct() {
  local id=$1; shift
  ctr run -d --null-io $CTD_RUN_OPTS --runc-binary "$CNFRUN" "$CTD_IMAGE" "$id" "$@" </dev/null 3>&-
}

task_status() { ctr tasks list | awk -v id="$1" '$1 == id { print $3 }'; }
task_pid() { ctr tasks list | awk -v id="$1" '$1 == id { print $2 }'; }

# The container's cgroup v2 directory, from its init's /proc/PID/cgroup.
task_cgroup() {
  local pid
  pid=$(task_pid "$1")
  echo "$(cgroup2_mount)$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")"
}

@test "containerd: run to completion passes output and the exit code" {
  ID=run-$$
  run run_ct $ID sh -c 'echo hello from pid $$ in $(readlink /proc/self/ns/pid)'
  assert_success
  assert_output --regexp "^hello from pid 1 in pid:\[[0-9]+\]$"
  [ "${output##* }" != "$(readlink /proc/self/ns/pid)" ]
  # The shim called cnfrun with --log-format json: its log.json lines are runc's shape.
  run run_ct $ID-3 sh -c 'echo failing >&2; exit 3'
  assert_failure 3
  assert_output failing
}

@test "containerd: detached run, exec with output and exit codes" {
  ID=exec-$$
  start_ct $ID sleep 1000
  [ "$(task_status $ID)" = RUNNING ]
  # The shim's runc root is cnfrun's state: cnfrun itself sees a running container there.
  run cnf_ctd state $ID
  assert_success
  [ "$(jq -r .status <<<"$output")" = running ]
  [ "$(jq -r .pid <<<"$output")" = "$(task_pid $ID)" ]
  # ctr tasks ps: the shim runs `cnfrun ps --format json`.
  run ctr tasks ps $ID
  assert_success
  assert_line --regexp "^$(task_pid $ID) "
  run ctr tasks exec --exec-id x1 $ID sh -c 'echo exec in $(readlink /proc/self/ns/pid) as pid $$; cat /proc/1/comm'
  assert_success
  assert_line --index 0 "exec in $(readlink /proc/$(task_pid $ID)/ns/pid) as pid 2"
  assert_line --index 1 sleep
  run ctr tasks exec --exec-id x2 $ID sh -c 'exit 42'
  assert_failure 42
  run ctr tasks exec --exec-id x3 $ID /no/such/binary
  assert_failure
  assert_output --partial 'OCI runtime exec failed: exec failed: exec "/no/such/binary": No such file or directory'
}

@test "containerd: a terminal through the shim's console socket" {
  ID=tty-$$
  # ctr -t needs a terminal of its own: script(1) gives it one. (Its output starts with a
  # stray "^@", with runc too.)
  run script -qec "ctr -a $CTD_SOCK -n $CTD_NS run -t --rm $CTD_RUN_OPTS --runc-binary $CNFRUN $CTD_IMAGE $ID sh -c 'test -t 0 && test -t 1 && echo tty \$(tty); exit 5'" /dev/null </dev/null
  assert_failure 5
  assert_line --regexp 'tty /dev/pts/[0-9]+'
  [ ! -e "$CTD_RUNC_ROOT/$ID" ]
}

@test "containerd: kill delivers the signal; the task's exit status is reported" {
  ID=kill-$$
  start_ct $ID sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
  [ "$(task_status $ID)" = RUNNING ]
  ctr tasks kill $ID
  wait_for 100 sh -c "[ \"\$(ctr -a $CTD_SOCK -n $CTD_NS tasks list | awk '\$1 == \"$ID\" {print \$3}')\" = STOPPED ]"
  # ctr (1.6) reports the exit status of the deleted task as a warning.
  run ctr tasks delete $ID
  assert_output --partial "task $ID exit with non-zero exit code 7"
  # -a: the shim runs `cnfrun kill --all`.
  ID=kill9-$$
  start_ct $ID sh -c 'sleep 1000 & wait'
  ctr tasks kill -a -s SIGKILL $ID
  wait_for 100 sh -c "[ \"\$(ctr -a $CTD_SOCK -n $CTD_NS tasks list | awk '\$1 == \"$ID\" {print \$3}')\" = STOPPED ]"
  run ctr tasks delete $ID
  assert_output --partial "task $ID exit with non-zero exit code 137"
}

@test "containerd: pause freezes the container, resume thaws it" {
  ID=pause-$$
  start_ct $ID sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done'
  pid=$(task_pid $ID)
  wait_for 50 test -s /proc/$pid/root/tmp/count
  run ctr tasks pause $ID
  assert_success
  [ "$(task_status $ID)" = PAUSED ]
  grep -qx 'frozen 1' "$(task_cgroup $ID)/cgroup.events"
  [ "$(cnf_ctd state $ID | jq -r .status)" = paused ]
  a=$(cat /proc/$pid/root/tmp/count); sleep 0.5; b=$(cat /proc/$pid/root/tmp/count)
  [ "$a" = "$b" ]
  run ctr tasks resume $ID
  assert_success
  [ "$(task_status $ID)" = RUNNING ]
  grep -qx 'frozen 0' "$(task_cgroup $ID)/cgroup.events"
  wait_for 50 sh -c "[ \$(cat /proc/$pid/root/tmp/count) -gt $b ]"
}

# update_ct ID JSON: containerd's Tasks/Update with JSON as the LinuxResources.
update_ct() {
  echo "$2" > "$BATS_TEST_TMPDIR/res.json"
  /usr/bin/python3 "$BATS_TEST_DIRNAME/containerd-update.py" "$CTD_SOCK" "$CTD_NS" "$1" "$BATS_TEST_TMPDIR/res.json"
}

has_v2_controllers() {
  local c
  for c in "$@"; do grep -qw "$c" "$(cgroup2_mount)/cgroup.controllers" || return 1; done
}

@test "containerd: update changes the container's cgroup limits" {
  ID=update-$$
  has_v2_controllers hugetlb || skip "no hugetlb controller at $(cgroup2_mount)"
  start_ct $ID sleep 1000
  cg=$(task_cgroup $ID)
  run update_ct $ID '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
  assert_success
  [ "$(cat "$cg/hugetlb.2MB.max")" = 4194304 ]
  # A value cnfrun rejects comes back as its error, through the shim.
  run update_ct $ID '{"hugepageLimits": [{"pageSize": "3MB", "limit": 4194304}]}'
  assert_failure
  assert_output --partial 3MB
  has_v2_controllers memory pids cpu ||
    skip "hugetlb update passed; memory, pids and cpu are not on this host's cgroup v2 mount (hybrid): they run in tests/vm"
  run update_ct $ID '{"memory": {"limit": 67108864}, "pids": {"limit": 42}, "cpu": {"quota": 50000, "period": 100000}}'
  assert_success
  [ "$(cat "$cg/memory.max")" = 67108864 ]
  [ "$(cat "$cg/pids.max")" = 42 ]
  [ "$(cat "$cg/cpu.max")" = "50000 100000" ]
}

@test "containerd: metrics report the container's cgroup" {
  ID=metrics-$$
  has_v2_controllers hugetlb || skip "no hugetlb controller at $(cgroup2_mount)"
  start_ct $ID sh -c 'sleep 1000 & sleep 1000 & wait'
  update_ct $ID '{"hugepageLimits": [{"pageSize": "2MB", "limit": 8388608}]}'
  # The shim reads the cgroup cnfrun made (containerd's cgroup v2 reader).
  run ctr tasks metrics --format json $ID
  assert_success
  [ "$(jq '.hugetlb[] | select(.pagesize == "2MB") | .max' <<<"$output")" = 8388608 ]
  has_v2_controllers memory pids cpu ||
    skip "hugetlb metrics passed; cpu, memory and pids are not on this host's cgroup v2 mount (hybrid): they run in tests/vm"
  wait_for 50 sh -c "[ \$(cat $(task_cgroup $ID)/pids.current) = 3 ]"
  run ctr tasks metrics --format json $ID
  assert_success
  [ "$(jq .pids.current <<<"$output")" = 3 ]
  [ "$(jq .memory.usage <<<"$output")" -gt 0 ]
  [ "$(jq .cpu.usage_usec <<<"$output")" -gt 0 ]
  run ctr tasks metrics $ID
  assert_success
  assert_line --regexp '^pids\.current +3 *$'
}

@test "containerd: delete leaves no cnfrun state" {
  ID=delete-$$
  start_ct $ID sleep 1000
  [ -d "$CTD_RUNC_ROOT/$ID" ]
  cg=$(task_cgroup $ID)
  [ -d "$cg" ]
  ctr tasks kill -s SIGKILL $ID
  wait_for 100 sh -c "[ \"\$(ctr -a $CTD_SOCK -n $CTD_NS tasks list | awk '\$1 == \"$ID\" {print \$3}')\" = STOPPED ]"
  ctr tasks delete $ID || true
  run ctr containers delete $ID
  assert_success
  [ ! -e "$CTD_RUNC_ROOT/$ID" ]
  [ ! -e "$cg" ]
  run cnf_ctd list -q
  assert_success
  ! grep -qx "$ID" <<<"$output"
}

@test "containerd: a failing create shows cnfrun's own error (the JSON log path)" {
  ID=fail-$$
  # The shim wraps cnfrun's last "error" line of log.json as "OCI runtime create failed: MSG";
  # without that line it could only say "exit status 1".
  run run_ct $ID /no/such/binary
  assert_failure
  assert_output --partial 'OCI runtime create failed: exec "/no/such/binary": No such file or directory'
  [ ! -e "$CTD_RUNC_ROOT/$ID" ]
  ctr containers delete $ID
  # A config cnfrun rejects: a namespace path that does not exist.
  run ctr run $CTD_RUN_OPTS --runc-binary "$CNFRUN" --with-ns network:/no/such/netns "$CTD_IMAGE" $ID-ns true </dev/null
  assert_failure
  assert_output --regexp 'OCI runtime create failed: .*/no/such/netns'
  [ ! -e "$CTD_RUNC_ROOT/$ID-ns" ]
}
