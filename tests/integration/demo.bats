#!/usr/bin/env bats
# The README's first command end to end (scripts/demo, with the freshly built binaries): netplugd
# with a bridge, two pods with netplug tap ports, two cnfrun containers with a pinned CPU and a
# hugetlb limit, one pinging the other through netplugd, counters printed, everything removed.
# On this hybrid-cgroup host it pins with execCPUAffinity and says why; in the pure cgroup v2
# guest (tests/vm/run runs this file by default) it pins with a cpuset.
load helpers

setup() {
  [ -x "$NETPLUGD" ] || skip "netplugd not built (no DPDK)"
  # The test VM has no udev to load tun for netplugd's tap ports.
  [ -e /dev/net/tun ] || modprobe tun
}

@test "demo: two pinned containers with a hugetlb limit ping each other through netplugd, then nothing is left" {
  netns_before=$(ls /run/netns 2>/dev/null | sort)
  run env DEMO_NO_BUILD=1 DEMO_FROM_BUILD=1 BUILDDIR="$BUILDDIR" "$SRCDIR/scripts/demo"
  assert_success
  assert_output --partial "hostname:     cnfrun-demo-b"
  assert_output --partial "PID:          1"
  assert_output --regexp "pinned to: +CPU [0-9]+"
  assert_output --regexp "hugetlb 2MB: +max 8388608 bytes, rsvd.max 8388608"
  assert_output --regexp "netplug port: .*inet 10\.99\.0\.3/24"
  assert_output --partial "3 packets received, 0% packet loss"
  assert_output --regexp "a-eth1 +[1-9][0-9]*"
  assert_output --partial "container b exited with status 0"
  cg2=$(cgroup2_mount)
  if grep -qw cpuset "$cg2/cgroup.controllers"; then
    refute_output --partial "skipped: cpuset pinning"
  else
    assert_output --partial "skipped: cpuset pinning"
  fi
  # cleaned up: no demo container state, netns, netplugd or work dir
  assert_equal "$(ls /run/netns 2>/dev/null | sort)" "$netns_before"
  run pgrep -f 'file-prefix cnfdemo'
  assert_failure
  run sh -c 'ls -d /tmp/cnfrun-demo.* 2>/dev/null'
  assert_output ""
}
