# helpers.bash — loaded by every bats file: assertions, binary paths, scratch dirs.
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

SRCDIR=${SRCDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
export CNFRUN=${CNFRUN:-$BUILDDIR/cnfrun}
export NETPLUG=${NETPLUG:-$BUILDDIR/netplug/cni/netplug}
export NETPLUGD=${NETPLUGD:-$BUILDDIR/netplugd}
export NETPLUGCTL=${NETPLUGCTL:-$BUILDDIR/netplugctl}

# make_busybox_rootfs DIR: a minimal rootfs from Debian's busybox-static, with applet links.
make_busybox_rootfs() {
  local dir=$1 a
  mkdir -p "$dir"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin,run}
  cp /bin/busybox "$dir/bin/busybox"
  # One process for all ~270 applet links: a process start costs up to 0.2 s in the TCG guest.
  /bin/busybox --list | perl -e 'chdir shift or die; for (<STDIN>) { chomp; -e or symlink("busybox", $_) or die "$_: $!" }' "$dir/bin"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'root:x:0:' > "$dir/etc/group"
}

# make_bundle DIR: DIR/rootfs (busybox) + DIR/config.json: a runc-like default config that
# runs `true`, without a terminal, with pid/net/mnt/ipc/uts/cgroup namespaces.
make_bundle() {
  local dir=$1
  mkdir -p "$dir"
  # With $SHARED_ROOTFS (made once per file) the bundle's rootfs is a symlink to it; a test that
  # needs a private rootfs replaces the link with make_busybox_rootfs.
  if [ -n "${SHARED_ROOTFS:-}" ]; then
    ln -sfn "$SHARED_ROOTFS" "$dir/rootfs"
  else
    make_busybox_rootfs "$dir/rootfs"
  fi
  cat > "$dir/config.json" <<'JSON'
{
  "ociVersion": "1.3.0",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["true"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "cnftest",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
    "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON
}

# update_config JQ-FILTER [DIR]: edit DIR/config.json (default $BUNDLE) in place.
update_config() {
  local f=${2:-$BUNDLE}/config.json
  jq "$1" "$f" > "$f.new" && mv "$f.new" "$f"
}

# Per-test scratch: $ROOT (state dir) and $BUNDLE; cnf wraps cnfrun with --root.
setup_bundle() {
  ROOT=$BATS_TEST_TMPDIR/root
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  mkdir -p "$ROOT"
  make_bundle "$BUNDLE"
}

cnf() { "$CNFRUN" --root "$ROOT" "$@"; }

# Remove every container left in $ROOT (teardown).
cleanup_containers() {
  local id
  [ -d "${ROOT:-/nonexistent}" ] || return 0
  for id in $(ls "$ROOT" 2>/dev/null); do
    "$CNFRUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
  done
}

# The cgroup2 mount point (pure v2: /sys/fs/cgroup; hybrid: /sys/fs/cgroup/unified).
cgroup2_mount() {
  awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

# Wait until a command succeeds (max N tenths of a second).
wait_for() {
  local n=$1; shift
  while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}

# create_ct ARGS...: `cnfrun create` with its stdio in a file and bats' fd 3 closed: the waiting
# init inherits create's stdio, and must not hold bats' capture pipes open.
create_ct() {
  local rc=0
  "$CNFRUN" --root "$ROOT" create "$@" </dev/null >"$BATS_TEST_TMPDIR/create.log" 2>&1 3>&- || rc=$?
  cat "$BATS_TEST_TMPDIR/create.log"
  return $rc
}

# Kill container processes first: a created container's init must not keep delete waiting.
kill_containers() {
  local id pid
  [ -d "${ROOT:-/nonexistent}" ] || return 0
  for id in $(ls "$ROOT" 2>/dev/null); do
    pid=$("$CNFRUN" --root "$ROOT" state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null)
    [ "${pid:-0}" -gt 1 ] && kill -9 "$pid" 2>/dev/null
  done
  cleanup_containers
}
