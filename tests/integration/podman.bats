#!/usr/bin/env bats
# Debian's podman 4.3 drives cnfrun (`podman --runtime $CNFRUN`) through conmon: run, exec, stop,
# rm, --cpuset-cpus / --memory / --pids-limit, a failing create whose error comes back through
# cnfrun's JSON log, and --network on a CNI conflist whose plugin is netplug (a tap port on a
# netplugd bridge, host-local IPAM), called by podman as a Kubernetes runtime calls it.
# Runs only in the pure cgroup v2 guest: podman's default rlimits (nofile 1048576) exceed this
# host's hard limits and its bounding set lacks CAP_SYS_RESOURCE, and its cgroupfs manager would
# write into the host's v1 hierarchies.  tests/vm/run tests/integration/podman.bats
# No registry: every container runs `--rootfs` on a busybox-static tree.  Podman's storage, state,
# CNI config and plugin dir live under $BATS_FILE_TMPDIR; its containers.conf (CONTAINERS_CONF)
# also reaches `podman container cleanup`, which conmon runs when a container exits.
load helpers
load netplug-common

# Bats 1.8 reports a skip in setup_file as a failure: setup_file names the reason, setup skips.
setup_file() {
  export PM_SKIP=
  if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ]; then
    PM_SKIP="not a pure cgroup v2 host (podman's rlimits and cgroupfs manager need the guest): tests/vm/run $BATS_TEST_FILENAME"
  elif ! command -v podman >/dev/null; then
    PM_SKIP="podman is not installed (scripts/install-deps)"
  elif [ ! -x "$CNFRUN" ]; then
    PM_SKIP="cnfrun is not built in $BUILDDIR"
  fi
  [ -z "$PM_SKIP" ] || return 0
  local P=$BATS_FILE_TMPDIR f
  export PM=$P PM_ROOTFS=$P/rootfs
  make_busybox_rootfs "$PM_ROOTFS"
  mkdir -p "$P/cni-bin" "$P/net.d"
  for f in /usr/lib/cni/*; do ln -s "$f" "$P/cni-bin/"; done
  ln -s "$NETPLUG" "$P/cni-bin/netplug"
  # Podman knows runc's and crun's log format only by name: cnfrun is listed so that conmon
  # passes --log-format=json and podman reads the runtime's error from the JSON log.
  cat > "$P/containers.conf" <<CONF
[containers]
apparmor_profile = "unconfined"
[network]
network_backend = "cni"
cni_plugin_dirs = ["$P/cni-bin"]
network_config_dir = "$P/net.d"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$P/libpod-tmp"
static_dir = "$P/storage/libpod"
volume_path = "$P/storage/volumes"
runtime_supports_json = ["cnfrun"]
CONF
  cat > "$P/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$P/storage"
runroot = "$P/runroot"
CONF
  export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
  # podman's cgroupfs parent; removed in teardown_file only if this file made it.
  [ -d /sys/fs/cgroup/libpod_parent ] && export PM_OWN_PARENT=0 || export PM_OWN_PARENT=1
}

teardown_file() {
  if [ -z "${PM:-}" ]; then return 0; fi
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  if [ "${PM_OWN_PARENT:-0}" = 1 ] && [ -d /sys/fs/cgroup/libpod_parent ]; then
    find /sys/fs/cgroup/libpod_parent -depth -type d -exec rmdir {} + 2>/dev/null || true
  fi
}

setup() {
  [ -z "$PM_SKIP" ] || skip "$PM_SKIP"
  NPD_PID= NS_LIST=() LINKS=()
}
teardown() {
  # Containers on netplug go before netplugd: their CNI DEL needs it.
  [ -z "$NPD_PID" ] || pm rm --all --force --time 0 >/dev/null 2>&1 || true
  np_npd_stop
  np_teardown
}

pm() { podman --runtime "$CNFRUN" "$@"; }

# The container's cgroup as the host sees it (from its init's /proc/PID/cgroup).
ct_cgroup() {
  local pid
  pid=$(pm inspect --format '{{.State.Pid}}' "$1") && [ "$pid" -gt 0 ] &&
    echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
}

# A container init that ends with status 7 on SIGTERM (a plain `sleep` as PID 1 ignores it).
TERM7='trap "exit 7" TERM; sleep 1000 & wait'

@test "podman run -t: foreground output on a terminal (console socket) and exit code; --rm deletes cnfrun's state" {
  run pm run --rm -t --network none --cidfile "$PM/run.cid" --rootfs "$PM_ROOTFS" sh -c 'tty; echo hello from cnfrun; exit 3'
  assert_equal "$status" 3
  lines=("${lines[@]%$'\r'}")
  assert_line --index 0 --regexp '^/dev/pts/[0-9]+$'
  assert_line --index 1 "hello from cnfrun"
  [ ! -e "/run/cnfrun/$(cat "$PM/run.cid")" ] || fail "cnfrun state left: /run/cnfrun/$(cat "$PM/run.cid")"
}

@test "podman run -d --cpuset-cpus 1 --memory 64m --pids-limit 20: limits seen from inside and in the cgroup" {
  run pm run -d --name pmlim --network none --cpuset-cpus 1 --memory 64m --pids-limit 20 \
    --rootfs "$PM_ROOTFS" sh -c "$TERM7"
  assert_success
  echo "$output" > "$PM/pmlim.id"
  [ -d "/run/cnfrun/$output" ] || fail "no cnfrun state at /run/cnfrun/$output (podman passes no --root)"
  # Inside (the container's cgroup namespace shows its own cgroup as /).
  run pm exec pmlim sh -c 'grep Cpus_allowed_list /proc/1/status /proc/self/status; cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
  assert_success
  assert_line --index 0 --regexp '^/proc/1/status:Cpus_allowed_list:[[:space:]]+1$'
  assert_line --index 1 --regexp '^/proc/self/status:Cpus_allowed_list:[[:space:]]+1$'
  assert_line --index 2 '0::/'
  assert_line --index 3 67108864
  assert_line --index 4 20
  # Outside: a cgroup of its own below podman's parent, holding the same limits.
  cg=$(ct_cgroup pmlim)
  [[ $cg == /sys/fs/cgroup/libpod_parent/* ]] || fail "unexpected cgroup $cg"
  assert_equal "$(cat "$cg/cpuset.cpus")" 1
  assert_equal "$(cat "$cg/memory.max")" 67108864
  assert_equal "$(cat "$cg/pids.max")" 20
  echo "$cg" > "$PM/pmlim.cgroup"
}

@test "podman exec: output and exit code of the exec'd process, with and without a terminal" {
  run pm exec pmlim sh -c 'echo exec out; echo exec err >&2; exit 5'
  assert_equal "$status" 5
  assert_line "exec out"
  assert_line "exec err"
  run pm exec -t pmlim sh -c 'tty; exit 6'
  assert_equal "$status" 6
  assert_output --regexp '^/dev/pts/[0-9]+'
}

@test "podman stop: SIGTERM reaches the init, whose exit status podman records" {
  run pm stop --time 30 pmlim
  assert_success
  assert_equal "$(pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' pmlim)" "exited 7"
}

@test "podman rm: no cnfrun state and no cgroup left" {
  id=$(cat "$PM/pmlim.id")
  cg=$(cat "$PM/pmlim.cgroup")
  run pm rm pmlim
  assert_success
  assert_output pmlim
  [ ! -e "/run/cnfrun/$id" ] || fail "cnfrun state left: /run/cnfrun/$id"
  [ ! -e "$cg" ] || fail "cgroup left: $cg"
}

@test "podman run: a failing create shows cnfrun's error, read from its JSON log" {
  # The guest has CPUs 0-3: the kernel refuses cpuset.cpus 9 and cnfrun says where.
  run pm run --rm --name pmbad --cidfile "$PM/bad.cid" --network none --cpuset-cpus 9 --rootfs "$PM_ROOTFS" true
  assert_failure
  # podman prints the "msg" of cnfrun's JSON log line, not the raw line.
  assert_output --regexp 'cnfrun: .*write "9" to /sys/fs/cgroup/libpod_parent/libpod-[0-9a-f]+/cpuset.cpus: '
  refute_output --partial '"level"'
  id=$(cat "$PM/bad.cid")
  [ ! -e "/run/cnfrun/$id" ] || fail "cnfrun state left: /run/cnfrun/$id"
  [ -z "$(find /sys/fs/cgroup -name "libpod-$id*")" ] || fail "cgroup left: $(find /sys/fs/cgroup -name "libpod-$id*")"
}

@test "podman --network: netplug tap ports on a netplugd bridge, IPAM addresses, ping, CNI DEL on rm" {
  np_setup
  # netplugd opens /dev/net/tun for tap ports; the guest has no udev to load tun at boot.
  [ -e /dev/net/tun ] || modprobe tun
  np_npd_start
  # netplug runs with its default dirs: the DEL that `podman container cleanup` makes (started
  # by conmon, which passes on only CONTAINERS_CONF) must see what ADD saw.
  unset NETPLUG_SYSFS_ROOT NETPLUG_CACHE_DIR NETPLUG_VFOPS NETPLUG_DEVINFO_DIR NETPLUG_PODS_DIR
  npctl network add br0 --type bridge
  local ipam=$T/ipam net=cnfrun-pm$ID
  cat > "$PM/net.d/$net.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "$net",
 "plugins": [{"type": "netplug", "mode": "tap", "network": "br0", "controlSocket": "$NPD_CTL",
              "ipam": {"type": "host-local", "dataDir": "$ipam", "ranges": [[{"subnet": "10.89.$((0x${ID:0:2} % 200)).0/24"}]]}}]}
JSON
  run pm run -d --name pmnet1 --network "$net" --rootfs "$PM_ROOTFS" sh -c "$TERM7"
  assert_success
  id1=$output
  ip1=$(pm inspect --format "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" pmnet1)
  [[ $ip1 == 10.89.* ]] || fail "no IPAM address in podman inspect: '$ip1'"
  run pm exec pmnet1 ip -o -4 addr show eth0
  assert_success
  assert_output --partial "inet $ip1/24"
  # The port netplug asked netplugd for is named after the container (id[:40]-ifname).
  port=${id1:0:40}-eth0
  run npctl --json port show "$port"
  assert_success
  echo "$output" | jq -e '.result.type == "tap" and .result.network == "br0"'
  # A second container on the network pings the first through netplugd's bridge.
  run pm run --rm --network "$net" --cap-add NET_RAW --rootfs "$PM_ROOTFS" ping -c 3 -W 5 "$ip1"
  assert_success
  assert_output --partial "3 packets transmitted, 3 packets received"
  [ "$(npctl --json stats "$port" | jq --arg p "$port" '.result.ports[$p].rx_packets')" -ge 3 ]
  # rm stops the container; podman runs CNI DEL: the port, the address and podman's CNI cache go.
  run pm rm --force --time 0 pmnet1
  assert_success
  [ "$(npctl --json port list | jq '.result.ports | length')" = 0 ] || fail "ports left: $(npctl port list)"
  [ -z "$(ls "$ipam/$net" 2>/dev/null | grep '^10\.')" ] || fail "addresses left: $(ls "$ipam/$net")"
  [ -z "$(ls /var/lib/cni/results 2>/dev/null | grep -e "$id1")" ] || fail "CNI cache left: $(ls /var/lib/cni/results)"
  [ ! -e "/run/cnfrun/$id1" ] || fail "cnfrun state left: /run/cnfrun/$id1"
  rm "$PM/net.d/$net.conflist"
}
