/* Unit tests of runtime/state (serialization, ids, locking, atomic files) and runtime/signals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <cmocka.h>
#include "runtime/state.h"
#include "runtime/signals.h"
#include "lib/util.h"

static char root[64];

static int
setup (void **state)
{
  strcpy (root, "/tmp/cnfrun-unit-XXXXXX");
  assert_non_null (mkdtemp (root));
  return 0;
}

static int
teardown (void **state)
{
  rm_rf_at (AT_FDCWD, root, NULL);
  return 0;
}

static void
test_ids (void **state)
{
  cnf_err err = NULL;
  assert_int_equal (state_check_id ("abc-1.2_3+x", &err), 0);
  assert_int_equal (state_check_id ("..", &err), -1);
  cnf_err_free (&err);
  assert_int_equal (state_check_id ("a/b", &err), -1);
  assert_non_null (strstr (err->msg, "a/b"));
  cnf_err_free (&err);
  assert_int_equal (state_check_id ("", &err), -1);
  cnf_err_free (&err);
}

static void
test_roundtrip (void **state)
{
  struct cnf_state st, st2;
  cnf_err err = NULL;
  char *json;
  assert_int_equal (state_create_dir (root, "c1", &st, &err), 0);
  st.pid = 4242;
  st.pid_start = 99;
  st.status = ST_CREATED;
  st.bundle = xstrdup ("/b");
  st.rootfs = xstrdup ("/b/rootfs");
  st.created = xstrdup ("2026-01-01T00:00:00.000000000Z");
  st.cgroup_path = xstrdup ("/sys/fs/cgroup/x");
  st.annotations = json_parse ("{\"k\":\"v\"}", 9, NULL, 0);
  st.n_netdevs = 1;
  st.netdevs = xzalloc (sizeof *st.netdevs);
  st.netdevs[0].host_name = xstrdup ("eth9");
  st.netdevs[0].ct_name = xstrdup ("net1");
  assert_int_equal (state_save (&st, &err), 0);
  state_free (&st);

  assert_int_equal (state_load_nolock (root, "c1", &st2, &err), 0);
  assert_int_equal (st2.pid, 4242);
  assert_true (st2.pid_start == 99);
  assert_int_equal (st2.status, ST_CREATED);
  assert_string_equal (st2.bundle, "/b");
  assert_string_equal (st2.cgroup_path, "/sys/fs/cgroup/x");
  assert_int_equal (st2.n_netdevs, 1);
  assert_string_equal (st2.netdevs[0].ct_name, "net1");
  json = state_to_oci_json (&st2, false);
  assert_non_null (strstr (json, "\"ociVersion\":\"1.3.0\""));
  assert_non_null (strstr (json, "\"annotations\":{\"k\":\"v\"}"));
  assert_non_null (strstr (json, "\"status\":\"created\""));
  free (json);
  /* pid 4242 with start time 99 is not alive: refresh says stopped, and OCI pid is 0 */
  assert_int_equal (state_refresh (&st2), ST_STOPPED);
  json = state_to_oci_json (&st2, false);
  assert_non_null (strstr (json, "\"pid\":0"));
  free (json);
  assert_int_equal (state_destroy (root, &st2, &err), 0);
  state_free (&st2);
  assert_int_equal (state_load (root, "c1", &st2, &err), -1);
  assert_non_null (strstr (err->msg, "container \"c1\" does not exist"));
  assert_int_equal (err->sys_errno, ENOENT);
  cnf_err_free (&err);
}

static void
test_duplicate_and_lock (void **state)
{
  struct cnf_state a, b;
  cnf_err err = NULL;
  int fd;
  assert_int_equal (state_create_dir (root, "dup", &a, &err), 0);
  assert_int_equal (state_create_dir (root, "dup", &b, &err), -1);
  assert_non_null (strstr (err->msg, "already exists"));
  cnf_err_free (&err);
  /* The creator holds an exclusive lock: another open file description cannot take it. */
  fd = openat (AT_FDCWD, root, O_RDONLY);
  close (fd);
  {
    char p[128];
    snprintf (p, sizeof p, "%s/dup", root);
    fd = open (p, O_RDONLY | O_DIRECTORY);
    assert_int_equal (flock (fd, LOCK_EX | LOCK_NB), -1);
    close (fd);
  }
  /* An interrupted create (no state.json) still loads, as "creating". */
  assert_int_equal (state_load_nolock (root, "dup", &b, &err), 0);
  assert_int_equal (b.status, ST_CREATING);
  state_free (&b);
  state_free (&a);
}

static void
test_corrupt_state (void **state)
{
  struct cnf_state a;
  cnf_err err = NULL;
  assert_int_equal (state_create_dir (root, "bad", &a, &err), 0);
  assert_int_equal (write_file_atomic_at (a.dirfd, "state.json", "{nope", 5, 0600, &err), 0);
  state_free (&a);
  assert_int_equal (state_load_nolock (root, "bad", &a, &err), -1);
  assert_non_null (strstr (err->msg, "corrupt"));
  cnf_err_free (&err);
}

static void
test_signals (void **state)
{
  assert_int_equal (signal_parse ("KILL"), SIGKILL);
  assert_int_equal (signal_parse ("SIGKILL"), SIGKILL);
  assert_int_equal (signal_parse ("sigterm"), SIGTERM);
  assert_int_equal (signal_parse ("9"), 9);
  assert_int_equal (signal_parse ("SIGRTMIN+2"), SIGRTMIN + 2);
  assert_int_equal (signal_parse ("RTMAX-1"), SIGRTMAX - 1);
  assert_int_equal (signal_parse ("0"), -1);
  assert_int_equal (signal_parse ("999"), -1);
  assert_int_equal (signal_parse ("SIGFOO"), -1);
  assert_int_equal (signal_parse ("RTMIN+99"), -1);
  assert_string_equal (signal_name (SIGHUP), "SIGHUP");
  assert_null (signal_name (SIGRTMIN));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ids),
    cmocka_unit_test_setup_teardown (test_roundtrip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_duplicate_and_lock, setup, teardown),
    cmocka_unit_test_setup_teardown (test_corrupt_state, setup, teardown),
    cmocka_unit_test (test_signals),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
