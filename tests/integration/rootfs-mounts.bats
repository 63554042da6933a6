#!/usr/bin/env bats
# rootfs: mounts[] with their options, default devices and /dev links, linux.devices, root.readonly,
# --no-pivot, the sandbox dir — each asserted from inside the container (mountinfo, ls -l /dev).
load helpers

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() {
  setup_bundle
  HOSTMNT=$BATS_TEST_TMPDIR/hostmnt
}

teardown() {
  cleanup_containers
  if [ -n "${HOSTMNT:-}" ] && mountpoint -q "$HOSTMNT/sub" 2>/dev/null; then umount -l "$HOSTMNT/sub"; fi
}

# run_in CMD: run the bundle with `sh -c CMD` and capture the output.
run_in() {
  update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg c "$1" '$c')]"
  run cnf run -b "$BUNDLE" "rootfs-$BATS_TEST_NUMBER"
}

# mnt_opts DEST: the per-mount options of DEST in the captured mountinfo output.
mnt_line() { printf '%s\n' "$output" | awk -v d="$1" '$5 == d { print }' | tail -n 1; }

@test "rootfs: the default mounts with their flags, in order" {
  run_in 'cat /proc/self/mountinfo'
  assert_success
  [ -n "$(mnt_line /)" ]
  [[ "$(mnt_line /proc)" == *" - proc proc "* ]]
  [[ "$(mnt_line /dev)" =~ \ /dev\ rw,nosuid\ .*-\ tmpfs\ tmpfs\ .*size=65536k,mode=755 ]]
  [[ "$(mnt_line /dev/pts)" =~ rw,nosuid,noexec.*-\ devpts\ devpts\ .*mode=620,ptmxmode=666 ]]
  [[ "$(mnt_line /dev/shm)" =~ rw,nosuid,nodev,noexec.*-\ tmpfs\ shm\  ]]
  [[ "$(mnt_line /dev/mqueue)" =~ nosuid,nodev,noexec.*-\ mqueue\  ]]
  [[ "$(mnt_line /sys)" =~ \ ro,nosuid,nodev,noexec.*-\ sysfs\ sysfs ]]
  # strictatime on /dev: no atime word in the per-mount options
  [[ "$(mnt_line /dev)" != *relatime* ]]
  # the old root is gone: no host path other than the rootfs source shows up as a mount point
  run_in 'awk "{print \$5}" /proc/self/mountinfo | grep -c -v -E "^/$|^/(proc|dev|sys)(/|$)"'
  assert_output 0
}

@test "rootfs: default devices, /dev links and ptmx" {
  run_in 'ls -l /dev; for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; echo x > /dev/null && head -c 4 /dev/zero | wc -c'
  assert_success
  assert_line --regexp '^crw-rw-rw- +1 root +root +1, +3 .* null$'
  assert_line --regexp '^crw-rw-rw- +1 root +root +1, +5 .* zero$'
  assert_line --regexp '^crw-rw-rw- +1 root +root +1, +7 .* full$'
  assert_line --regexp '^crw-rw-rw- +1 root +root +1, +8 .* random$'
  assert_line --regexp '^crw-rw-rw- +1 root +root +1, +9 .* urandom$'
  assert_line --regexp '^crw-rw-rw- +1 root +root +5, +0 .* tty$'
  assert_line 'pts/ptmx'
  assert_line '/proc/self/fd'
  assert_line '/proc/self/fd/0'
  assert_line '/proc/self/fd/1'
  assert_line '/proc/self/fd/2'
  assert_line 4
}

@test "rootfs: linux.devices with mode, uid and gid, in a new subdirectory" {
  update_config '.linux.devices = [{"path": "/dev/cnfnull", "type": "c", "major": 1, "minor": 3, "fileMode": 384, "uid": 7, "gid": 9},
                                   {"path": "/dev/sub/cnfzero", "type": "c", "major": 1, "minor": 5}]'
  run_in 'ls -ln /dev/cnfnull /dev/sub/cnfzero; head -c 3 /dev/sub/cnfzero | wc -c'
  assert_success
  assert_line --regexp '^crw------- +1 7 +9 +1, +3 .* /dev/cnfnull$'
  assert_line --regexp '^crw-rw-rw- +1 0 +0 +1, +5 .* /dev/sub/cnfzero$'
  assert_line 3
}

@test "rootfs: /dev/shm is provided when the config does not mount it" {
  update_config 'del(.mounts[] | select(.destination == "/dev/shm"))'
  run_in 'awk "\$5 == \"/dev/shm\"" /proc/self/mountinfo; stat -c %a /dev/shm'
  assert_success
  assert_line --regexp 'nosuid,nodev,noexec.* - tmpfs '
  assert_line 1777
}

@test "rootfs: tmpfs data options and atime flags" {
  update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
                              "options": ["nosuid", "nodev", "noexec", "noatime", "nodiratime", "size=1m", "mode=1770"]}]'
  run_in 'cat /proc/self/mountinfo; stat -c %a /scratch'
  assert_success
  [[ "$(mnt_line /scratch)" =~ \ /scratch\ rw,nosuid,nodev,noexec,noatime,nodiratime\ .*-\ tmpfs\ tmpfs\ .*size=1024k,mode=1770 ]]
  assert_line 1770
}

@test "rootfs: bind mounts: ro with nosuid/nodev is enforced, rw writes reach the host" {
  mkdir -p "$HOSTMNT/ro" "$HOSTMNT/rw"
  echo hello > "$HOSTMNT/ro/file"
  echo single > "$HOSTMNT/single"
  update_config ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$HOSTMNT/ro\", \"options\": [\"rbind\", \"ro\", \"nosuid\", \"nodev\"]},
                             {\"destination\": \"/rwdata\", \"source\": \"$HOSTMNT/rw\", \"options\": [\"bind\", \"rw\"]},
                             {\"destination\": \"/etc/single\", \"type\": \"none\", \"source\": \"$HOSTMNT/single\", \"options\": [\"bind\", \"ro\"]}]"
  run_in 'cat /proc/self/mountinfo; cat /data/file /etc/single; touch /data/new 2>&1; echo out > /rwdata/new'
  assert_success
  [[ "$(mnt_line /data)" =~ \ /data\ ro,nosuid,nodev ]]
  [[ "$(mnt_line /rwdata)" =~ \ /rwdata\ rw ]]
  [[ "$(mnt_line /etc/single)" =~ \ /etc/single\ ro ]]
  assert_line hello
  assert_line single
  assert_line --partial 'Read-only file system'
  [ "$(cat "$HOSTMNT/rw/new")" = out ]
  [ ! -e "$HOSTMNT/ro/new" ]
}

@test "rootfs: rro makes sub-mounts read-only too, ro only the top" {
  mkdir -p "$HOSTMNT/sub"
  mount -t tmpfs -o size=1m cnf-rootfs-rro "$HOSTMNT/sub"
  update_config ".mounts += [{\"destination\": \"/top\", \"source\": \"$HOSTMNT\", \"options\": [\"rbind\", \"ro\"]},
                             {\"destination\": \"/rtop\", \"source\": \"$HOSTMNT\", \"options\": [\"rbind\", \"rro\"]}]"
  run_in 'touch /top/sub/a && echo top-sub-writable; touch /rtop/sub/b || echo rtop-sub-readonly; cat /proc/self/mountinfo'
  assert_success
  assert_line top-sub-writable
  assert_line rtop-sub-readonly
  [[ "$(mnt_line /rtop/sub)" =~ \ /rtop/sub\ ro ]]
  [[ "$(mnt_line /top/sub)" =~ \ /top/sub\ rw ]]
}

@test "rootfs: idmapped bind mount (uidMappings/gidMappings on the mount)" {
  mkdir -p "$HOSTMNT/idm"
  touch "$HOSTMNT/idm/owned"
  chown 0:0 "$HOSTMNT/idm/owned"
  update_config ".mounts += [{\"destination\": \"/idm\", \"source\": \"$HOSTMNT/idm\", \"options\": [\"bind\", \"idmap\"],
                              \"uidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 10}],
                              \"gidMappings\": [{\"containerID\": 0, \"hostID\": 3000, \"size\": 10}]}]"
  run_in 'stat -c "%u:%g" /idm/owned; grep " /idm " /proc/self/mountinfo'
  assert_success
  assert_line '2000:3000'
  assert_line --regexp 'idmapped'
}

@test "rootfs: cgroup2 and hugetlbfs mounts" {
  grep -q hugetlbfs /proc/filesystems || skip "no hugetlbfs"
  update_config '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup2", "source": "cgroup", "options": ["ro", "nosuid", "nodev", "noexec"]},
                             {"destination": "/hugepages", "type": "hugetlbfs", "source": "none", "options": ["pagesize=2M", "nosuid"]}]'
  run_in 'cat /proc/self/mountinfo'
  assert_success
  [[ "$(mnt_line /sys/fs/cgroup)" =~ ro,nosuid,nodev,noexec.*-\ cgroup2\ cgroup ]]
  [[ "$(mnt_line /hugepages)" =~ nosuid.*-\ hugetlbfs\ none\ .*pagesize=2M ]]
}

@test "rootfs: root.readonly leaves / read-only and /dev/shm writable" {
  update_config '.root.readonly = true'
  run_in 'touch /newfile 2>&1; touch /dev/shm/ok && echo shm-ok; awk "\$5 == \"/\" {print \$6}" /proc/self/mountinfo'
  assert_success
  assert_line --partial 'Read-only file system'
  assert_line shm-ok
  assert_line --regexp '^ro'
}

@test "rootfs: --no-pivot moves the rootfs on / and chroots" {
  update_config '.process.args = ["sh", "-c", "ls /bin/busybox && awk \"\\$5 == \\\"/\\\"\" /proc/self/mountinfo | wc -l"]'
  run "$CNFRUN" --root "$ROOT" run --no-pivot -b "$BUNDLE" nopivot
  assert_success
  assert_line /bin/busybox
}

@test "rootfs: the sandbox dir is bound on /run/netplug only when it exists" {
  export CNFRUN_NETPLUG_PODS_DIR=$BATS_TEST_TMPDIR/pods
  mkdir -p "$CNFRUN_NETPLUG_PODS_DIR/sbx1"
  echo sock > "$CNFRUN_NETPLUG_PODS_DIR/sbx1/memif.sock.info"
  update_config '.annotations = {"netplug.cnfrun.io/sandbox": "sbx1"}'
  run_in 'cat /run/netplug/memif.sock.info; grep " /run/netplug " /proc/self/mountinfo'
  assert_success
  assert_line sock
  update_config '.annotations = {"netplug.cnfrun.io/sandbox": "absent"}'
  run_in 'grep " /run/netplug " /proc/self/mountinfo || echo not-mounted'
  assert_success
  assert_output not-mounted
}

@test "rootfs: tmpcopyup copies the image's directory into the tmpfs; sync/dirsync reach the superblock" {
  rm -f "$BUNDLE/rootfs"
  make_busybox_rootfs "$BUNDLE/rootfs"
  update_config '.root.path = "rootfs"'
  mkdir -p "$BUNDLE/rootfs/etc/skel/sub"
  echo hi > "$BUNDLE/rootfs/etc/skel/sub/f"
  ln -s sub/f "$BUNDLE/rootfs/etc/skel/link"
  chmod 750 "$BUNDLE/rootfs/etc/skel"
  update_config '.mounts += [{"destination": "/etc/skel", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "sync", "dirsync"]}]'
  run_in 'cat /proc/self/mountinfo; cat /etc/skel/link; stat -c %a /etc/skel; echo new > /etc/skel/sub/g'
  assert_success
  [[ "$(mnt_line /etc/skel)" =~ -\ tmpfs\ tmpfs\ rw,sync,dirsync ]]
  assert_line hi
  assert_line 750
  # the writes went to the tmpfs, not to the image
  [ ! -e "$BUNDLE/rootfs/etc/skel/sub/g" ]
}

@test "rootfs: remount changes flags of an existing mount; relative bind sources come from the bundle" {
  mkdir -p "$BUNDLE/reldata"
  echo relsrc > "$BUNDLE/reldata/x"
  update_config '.mounts += [{"destination": "/proc", "options": ["remount", "nosuid", "nodev", "noexec"]},
                             {"destination": "/rel", "source": "reldata", "options": ["bind", "ro"]}]'
  update_config '.process.args = ["sh", "-c", "cat /proc/self/mountinfo; cat /rel/x"]'
  cd "$BUNDLE"
  run cnf run -b "$BUNDLE" remount
  assert_success
  [[ "$(mnt_line /proc)" =~ \ /proc\ rw,nosuid,nodev,noexec ]]
  [[ "$(mnt_line /rel)" =~ \ /rel\ ro ]]
  assert_line relsrc
}

@test "rootfs: mount propagation options and rootfsPropagation, nothing leaks to the host" {
  update_config '.mounts += [{"destination": "/shr", "type": "tmpfs", "source": "tmpfs", "options": ["shared"]},
                             {"destination": "/unb", "type": "tmpfs", "source": "tmpfs", "options": ["unbindable"]},
                             {"destination": "/prv", "type": "tmpfs", "source": "tmpfs", "options": ["rprivate"]}]'
  run_in 'cat /proc/self/mountinfo'
  assert_success
  [[ "$(mnt_line /shr)" =~ \ shared:[0-9]+\ - ]]
  [[ "$(mnt_line /unb)" =~ \ unbindable\ - ]]
  [[ "$(mnt_line /prv)" =~ relatime\ -\ tmpfs ]]
  update_config '.linux.rootfsPropagation = "rshared"'
  run_in 'cat /proc/self/mountinfo'
  assert_success
  [[ "$(mnt_line /)" =~ \ shared:[0-9]+\ - ]]
  [[ "$(mnt_line /proc)" =~ \ shared:[0-9]+\ - ]]
  # the container's mounts did not propagate into the host's namespace
  local rfs
  rfs=$(jq -r .root.path "$BUNDLE/config.json")
  [[ "$rfs" == /* ]] || rfs=$BUNDLE/$rfs
  run grep -c " $(readlink -f "$rfs")" /proc/self/mountinfo
  assert_output 0
  update_config '.linux.rootfsPropagation = "rslave"'
  run_in 'cat /proc/self/mountinfo'
  assert_success
  # a slave of the host's / (or private when the host's / is not shared): never shared back
  [[ "$(mnt_line /)" != *shared:* ]]
  if awk '$5 == "/" && $7 ~ /^shared:/' /proc/self/mountinfo | grep -q .; then
    [[ "$(mnt_line /)" =~ \ master:[0-9]+\ - ]]
  fi
}
