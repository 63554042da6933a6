#!/usr/bin/env bats
# process.terminal with --console-socket: the container's pty master arrives over the socket with
# SCM_RIGHTS (as runc sends it), the process has the slave as its controlling terminal and stdio,
# and consoleSize is applied.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() {
  setup_bundle
  SOCK=$BATS_TEST_TMPDIR/console.sock
  # A console-socket receiver, as containerd's shim is: accept, take the fd, copy the pty to a file.
  cat > "$BATS_TEST_TMPDIR/recv.py" <<'PY'
import os, socket, sys
path, out, namefile = sys.argv[1], sys.argv[2], sys.argv[3]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
open(path + ".ready", "w").close()
conn, _ = srv.accept()
msg, fds, flags, addr = socket.recv_fds(conn, 4096, 1)
with open(namefile, "w") as f:
    f.write("%s %d\n" % (msg.decode(), len(fds)))
master = fds[0]
with open(out, "wb") as f:
    while True:
        try:
            b = os.read(master, 4096)
        except OSError:
            break
        if not b:
            break
        f.write(b)
        f.flush()
PY
}

teardown() {
  kill_containers
  [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null || true
}

start_receiver() {
  python3 "$BATS_TEST_TMPDIR/recv.py" "$SOCK" "$BATS_TEST_TMPDIR/tty.out" "$BATS_TEST_TMPDIR/name" &
  RECV_PID=$!
  wait_for 50 test -e "$SOCK.ready"
}

@test "terminal: the pty master comes over --console-socket; the process runs on the slave" {
  start_receiver
  update_config '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 101}
    | .process.args = ["sh", "-c", "tty; stty size; ls -l /proc/self/fd/0 /proc/self/fd/1 | sed s/.*-\\>//; grep -o NoNewPrivs.* /proc/self/status; echo sid=$(cut -d\" \" -f6 /proc/self/stat) pid=$$"]'
  run create_ct -b "$BUNDLE" --console-socket "$SOCK" term1
  assert_success
  run cnf start term1
  assert_success
  wait_for 50 grep -q 'sid=' "$BATS_TEST_TMPDIR/tty.out"
  run cat "$BATS_TEST_TMPDIR/name"
  assert_output --regexp '^.+ 1$'
  run tr -d '\r' < "$BATS_TEST_TMPDIR/tty.out"
  assert_line --regexp '^/dev/pts/[0-9]+$'
  assert_line "33 101"
  assert_line --regexp '^ ?/dev/pts/[0-9]+$'
  # the shell is PID 1 and the session leader
  assert_line "sid=1 pid=1"
}

@test "terminal: --console-socket that does not exist fails create clearly" {
  update_config '.process.terminal = true'
  run ! create_ct -b "$BUNDLE" --console-socket "$BATS_TEST_TMPDIR/nope.sock" term2
  assert_failure
  assert_output --partial "nope.sock"
  run ! cnf state term2
  assert_failure
}

@test "terminal: a non-root process owns its pty and can use it" {
  start_receiver
  update_config '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}
    | .process.args = ["sh", "-c", "stat -c owner=%u $(tty); echo done-$(id -u)"]'
  run create_ct -b "$BUNDLE" --console-socket "$SOCK" term3
  assert_success
  run cnf start term3
  assert_success
  wait_for 50 grep -q 'done-' "$BATS_TEST_TMPDIR/tty.out"
  run tr -d '\r' < "$BATS_TEST_TMPDIR/tty.out"
  assert_line owner=1000
  assert_line done-1000
}
