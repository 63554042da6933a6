# helpers.bash — loaded by every bats file: assertions, binary paths, scratch dirs.
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

SRCDIR=${SRCDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
export CNFRUN=${CNFRUN:-$BUILDDIR/cnfrun}
export NETPLUG=${NETPLUG:-$BUILDDIR/netplug}
export NETPLUGD=${NETPLUGD:-$BUILDDIR/netplugd}
export NETPLUGCTL=${NETPLUGCTL:-$BUILDDIR/netplugctl}

# make_busybox_rootfs DIR: a minimal rootfs from Debian's busybox-static, with applet links.
make_busybox_rootfs() {
  local dir=$1 a
  mkdir -p "$dir"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin,run}
  cp /bin/busybox "$dir/bin/busybox"
  for a in $(/bin/busybox --list); do
    [ -e "$dir/bin/$a" ] || ln -s busybox "$dir/bin/$a"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'root:x:0:' > "$dir/etc/group"
}
