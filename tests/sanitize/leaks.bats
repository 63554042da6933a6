#!/usr/bin/env bats
# LeakSanitizer over the container lifecycle (tests/sanitize/run runs it with the ASan cnfrun
# and ASAN_OPTIONS=detect_leaks=1:log_path=$LOGS/leaks).  Each test asserts that the commands
# it ran, the memfd re-exec'd copies included, left no leak report; a real leak names its
# allocation stack in the report file printed on failure.
load ../integration/helpers

setup_file() {
  export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
  make_busybox_rootfs "$SHARED_ROOTFS"
}

setup() {
  [ -n "${LOGS:-}" ] && [[ ${ASAN_OPTIONS:-} == *detect_leaks=1* ]] || skip "run by tests/sanitize/run (ASan build, LeakSanitizer on)"
  setup_bundle
  BEFORE=$(ls "$LOGS" | sort)
}
teardown() { kill_containers; }

# no_new_reports: fail with the report text when a process of this test wrote one.
no_new_reports() {
  local f new
  new=$(comm -13 <(echo "$BEFORE") <(ls "$LOGS" | sort) | grep '^leaks\.[0-9]' || true)
  for f in $new; do cat "$LOGS/$f" >&2; done
  [ -z "$new" ]
}

@test "leaks: create, start, state, exec, kill, delete" {
  update_config '.process.args = ["sleep", "100"]'
  create_ct -b "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" lk1
  cnf start lk1
  cnf state lk1 >/dev/null
  cnf list >/dev/null
  run cnf exec lk1 echo inside
  assert_success
  assert_output inside
  cnf kill lk1 KILL
  wait_for 50 sh -c "[ \"\$('$CNFRUN' --root '$ROOT' state lk1 | jq -r .status)\" = stopped ]"
  cnf delete lk1
  no_new_reports
}

@test "leaks: run to completion, and delete --force of a created container" {
  update_config '.process.args = ["true"]'
  cnf run -b "$BUNDLE" lk2
  create_ct -b "$BUNDLE" lk3
  cnf delete --force lk3
  no_new_reports
}

@test "leaks: refused commands (bad config, duplicate id, unknown container)" {
  update_config '.process.args = ["sleep", "100"]'
  create_ct -b "$BUNDLE" lk4
  run create_ct -b "$BUNDLE" lk4
  assert_failure
  run cnf start nosuch
  assert_failure
  update_config '.linux.namespaces += [{"type": "nosuch"}]'
  run create_ct -b "$BUNDLE" lk5
  assert_failure
  cnf delete --force lk4
  no_new_reports
}
