#!/usr/bin/env bats
# rootfs security: maskedPaths, readonlyPaths, linux.sysctl through the container's procfs, and the
# path attacks — symlinked mount targets, a /dev symlink, a swapped /dev/null (CVE-2025-31133),
# a redirected /proc/sys write — asserted from inside the container and on the host.
load helpers

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() {
  setup_bundle
  HOSTDIR=$BATS_TEST_TMPDIR/host-target
  mkdir -p "$HOSTDIR"
}

teardown() { cleanup_containers; }

run_in() {
  update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg c "$1" '$c')]"
  run cnf run -b "$BUNDLE" "rootfs-sec-$BATS_TEST_NUMBER"
}

# A rootfs of this test's own, which the test may booby-trap.
private_rootfs() {
  rm -f "$BUNDLE/rootfs"
  make_busybox_rootfs "$BUNDLE/rootfs"
  update_config '.root.path = "rootfs"'
}

@test "rootfs: masked paths: files read empty as /dev/null, directories are empty read-only tmpfs" {
  run_in 'wc -c < /proc/keys; stat -c "%F %t:%T" /proc/keys; ls -A /sys/firmware | wc -l; ls -A /proc/acpi | wc -l;
          touch /proc/acpi/x 2>&1; grep -E " /(proc/acpi|sys/firmware) " /proc/self/mountinfo'
  assert_success
  assert_line --index 0 0
  assert_line --index 1 'character special file 1:3'
  assert_line --index 2 0
  assert_line --index 3 0
  assert_line --partial 'Read-only file system'
  assert_line --regexp ' /proc/acpi ro,.* - tmpfs '
  assert_line --regexp ' /sys/firmware ro,.* - tmpfs '
}

@test "rootfs: readonly paths cannot be written" {
  update_config '.linux.readonlyPaths += ["/etc"]'
  run_in 'echo x > /proc/sys/kernel/domainname 2>&1; touch /etc/new 2>&1; grep -E " /(proc/sys|etc) " /proc/self/mountinfo'
  assert_success
  assert_line --index 0 --partial 'Read-only file system'
  assert_line --index 1 --partial 'Read-only file system'
  assert_line --regexp ' /etc ro,'
  assert_line --regexp ' /proc/sys ro,'
}

@test "rootfs: linux.sysctl is applied inside the container, not on the host" {
  local host_fwd
  host_fwd=$(cat /proc/sys/net/ipv4/conf/lo/forwarding)
  update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.conf.lo.forwarding": "1", "kernel.shm_rmid_forced": "1"}'
  run_in 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/lo/forwarding /proc/sys/kernel/shm_rmid_forced'
  assert_success
  assert_output $'1\n1\n1'
  [ "$(cat /proc/sys/net/ipv4/conf/lo/forwarding)" = "$host_fwd" ]
}

@test "rootfs: a sysctl write is never redirected through a mount over /proc/sys" {
  # A createContainer hook binds a host directory holding a decoy "ip_forward" over
  # /proc/sys/net/ipv4 in the container's mount namespace, before the sysctl writes.
  private_rootfs
  echo 0 > "$HOSTDIR/ip_forward"
  local rootfs=$BUNDLE/rootfs
  update_config ".hooks = {\"createContainer\": [{\"path\": \"/bin/mount\", \"args\": [\"mount\", \"--bind\", \"$HOSTDIR\", \"$rootfs/proc/sys/net/ipv4\"]}]}
                 | .linux.sysctl = {\"net.ipv4.ip_forward\": \"1\"}"
  run_in 'true'
  assert_failure
  assert_output --partial 'linux.sysctl'
  assert_output --partial 'cross-device'
  [ "$(cat "$HOSTDIR/ip_forward")" = 0 ]
  ! grep -q "$rootfs/proc" /proc/self/mountinfo
  # /proc replaced by something that is not procfs
  update_config 'del(.hooks) | (.mounts[] | select(.destination == "/proc")) |= {"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}'
  run_in 'true'
  assert_failure
  assert_output --partial 'not the root of a procfs'
}

@test "rootfs: symlinked mount targets stay inside the rootfs" {
  private_rootfs
  ln -s "$HOSTDIR" "$BUNDLE/rootfs/evil"
  ln -s "../../../../../../../../../..$HOSTDIR" "$BUNDLE/rootfs/evilrel"
  echo data > "$BATS_TEST_TMPDIR/srcfile"
  update_config ".mounts += [{\"destination\": \"/evil/sub\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=64k\"]},
                             {\"destination\": \"/evilrel/file\", \"source\": \"$BATS_TEST_TMPDIR/srcfile\", \"options\": [\"bind\"]}]"
  run_in "grep -c ' $HOSTDIR/sub ' /proc/self/mountinfo; cat $HOSTDIR/file"
  assert_success
  assert_output $'1\ndata'
  # The host directory the links point at was never touched: everything was created under the rootfs.
  run ls -A "$HOSTDIR"
  assert_output ''
  [ -d "$BUNDLE/rootfs$HOSTDIR/sub" ]
  [ -f "$BUNDLE/rootfs$HOSTDIR/file" ]
  ! grep -q " $HOSTDIR" /proc/self/mountinfo
}

@test "rootfs: a /dev symlink in the image cannot redirect device setup (CVE-2026-41579-style)" {
  private_rootfs
  rmdir "$BUNDLE/rootfs/dev"
  ln -s "$HOSTDIR" "$BUNDLE/rootfs/dev"
  update_config 'del(.mounts[] | select(.destination | startswith("/dev")))'
  run_in 'true'
  assert_failure
  assert_output --partial '/dev'
  run ls -A "$HOSTDIR"
  assert_output ''
  # With the usual /dev tmpfs the link is still refused for device nodes.
  update_config '.mounts += [{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}]'
  run_in 'true'
  assert_failure
  run ls -A "$HOSTDIR"
  assert_output ''
}

@test "rootfs: maskedPaths refuse a /dev/null swapped for a symlink or a file (CVE-2025-31133)" {
  private_rootfs
  local before
  before=$(cat /proc/sys/kernel/core_pattern)
  update_config ".hooks = {\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"rm -f $BUNDLE/rootfs/dev/null && ln -s /proc/sys/kernel/core_pattern $BUNDLE/rootfs/dev/null\"]}]}"
  run_in 'echo "|/tmp/pwn" > /proc/keys'
  assert_failure
  assert_output --partial '/dev/null'
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
  update_config ".hooks = {\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"rm -f $BUNDLE/rootfs/dev/null && echo fake > $BUNDLE/rootfs/dev/null\"]}]}"
  run_in 'true'
  assert_failure
  assert_output --partial 'not the null device'
}

@test "rootfs: mounts[] into procfs are refused, even through a symlink; lxcfs-style files are allowed" {
  private_rootfs
  echo 0 > "$HOSTDIR/ip_forward"
  update_config ".mounts += [{\"destination\": \"/proc/sys/net/ipv4\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\"]}]"
  run_in 'true'
  assert_failure
  assert_output --partial 'inside procfs: refused'
  ln -s /proc/sys/kernel "$BUNDLE/rootfs/kern"
  update_config "del(.mounts[] | select(.destination == \"/proc/sys/net/ipv4\"))
                 | .mounts += [{\"destination\": \"/kern/domainname\", \"source\": \"$HOSTDIR/ip_forward\", \"options\": [\"bind\"]}]"
  run_in 'true'
  assert_failure
  assert_output --partial 'inside procfs: refused'
  echo "42.00 1.00" > "$HOSTDIR/uptime"
  update_config "del(.mounts[] | select(.destination == \"/kern/domainname\"))
                 | .mounts += [{\"destination\": \"/proc/uptime\", \"source\": \"$HOSTDIR/uptime\", \"options\": [\"bind\", \"ro\"]}]"
  run_in 'cat /proc/uptime'
  assert_success
  assert_output '42.00 1.00'
}

@test "rootfs: a mount target swapped for a symlink during create never mounts outside the rootfs (CVE-2021-30465)" {
  private_rootfs
  local r=$BUNDLE/rootfs i ok=0 swapper log=$BATS_TEST_TMPDIR/where
  mkdir -p "$HOSTDIR/t"   # what an escaped mount would land on
  # The hook runs in the container's mount namespace before pivot_root and logs where the tmpfs is.
  update_config ".mounts += [{\"destination\": \"/swap/t\", \"type\": \"tmpfs\", \"source\": \"cnfswap\", \"options\": [\"size=12k\"]}]
                 | .hooks = {\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"grep ' - tmpfs cnfswap ' /proc/self/mountinfo | cut -d' ' -f5 >> $log\"]}]}"
  ( set +e
    while :; do
      rm -rf "$r/swap"; mkdir -p "$r/swap/t"
      rm -rf "$r/swap"; ln -sn "$HOSTDIR" "$r/swap"
    done ) >/dev/null 2>&1 &
  swapper=$!
  for i in $(seq 1 25); do
    run cnf run -b "$BUNDLE" "swap-$i"
    [ "$status" -eq 0 ] && ok=$((ok + 1))
  done
  kill "$swapper" || true
  wait "$swapper" 2>/dev/null || true
  echo "# $ok of 25 runs succeeded; mount points seen: $(sort "$log" 2>/dev/null | uniq -c | tr '\n' ' ')" >&3
  # Every mount landed inside the rootfs (directly, or where the symlink points inside it).
  if [ -s "$log" ]; then
    run grep -v -x -e "$r/swap/t" -e "$r$HOSTDIR/t" "$log"
    assert_output ''
  fi
  [ "$ok" -gt 0 ]
  run ls -A "$HOSTDIR/t"
  assert_output ''
  ! grep -q cnfswap /proc/self/mountinfo
}
