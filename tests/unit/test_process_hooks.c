/* Unit tests of runtime/hooks: state on stdin, args/env as given, exit status and signal in the
 * error, poststart/poststop failures only warn, timeout kills the hook in time, a hook that
 * ignores a large stdin does not wedge us. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "runtime/hooks.h"
#include "lib/util.h"

static char dir[64];

static int
setup (void **state)
{
  (void) state;
  strcpy (dir, "/tmp/cnf-hooks-unit-XXXXXX");
  assert_non_null (mkdtemp (dir));
  return 0;
}

static int
teardown (void **state)
{
  (void) state;
  rm_rf_at (AT_FDCWD, dir, NULL);
  return 0;
}

static char *
slurp (const char *name)
{
  char *path = xasprintf ("%s/%s", dir, name), *buf = NULL;
  size_t len;
  if (read_file_at (AT_FDCWD, path, &buf, &len, NULL) < 0)
    buf = NULL;
  free (path);
  return buf;
}

static void
test_poll_timeout (void **state)
{
  (void) state;
  assert_int_equal (hooks_poll_timeout (0, 1000, 5000), -1);
  assert_int_equal (hooks_poll_timeout (2, 1000, 1500), 1500);
  assert_int_equal (hooks_poll_timeout (2, 1000, 3000), 0);
  assert_int_equal (hooks_poll_timeout (2, 1000, 9000), 0);
}

static void
test_state_args_env (void **state)
{
  char *script = xasprintf ("cat > %s/stdin; echo \"$0 $1 $2\" > %s/args; env > %s/env", dir, dir, dir);
  char *args[] = { "myhook", "-c", script, "x", NULL };
  char *env[] = { "HOOKVAR=42", NULL };
  struct spec_hook h = { "/bin/sh", args, env, 5 };
  cnf_err err = NULL;
  char *s;
  (void) state;
  /* args[0] is argv[0] as given; sh -c puts the next arg in $0. */
  args[2] = xasprintf ("cat > %s/stdin; echo \"$0\" > %s/args; env > %s/env", dir, dir, dir);
  assert_int_equal (hooks_run (&h, 1, "prestart", "{\"id\":\"c1\",\"status\":\"created\"}", &err), 0);
  s = slurp ("stdin");
  assert_non_null (s);
  assert_string_equal (s, "{\"id\":\"c1\",\"status\":\"created\"}");
  free (s);
  s = slurp ("args");
  assert_string_equal (s, "x\n");
  free (s);
  s = slurp ("env");
  assert_non_null (strstr (s, "HOOKVAR=42"));
  assert_null (strstr (s, "HOME="));
  free (s);
  free (args[2]);
  free (script);
}

static void
test_failure_names_hook (void **state)
{
  char *ok_args[] = { "sh", "-c", "exit 0", NULL };
  char *bad_args[] = { "sh", "-c", "echo some diagnostics >&2; exit 3", NULL };
  char *sig_args[] = { "sh", "-c", "kill -9 $$", NULL };
  struct spec_hook hooks[3] = { { "/bin/sh", ok_args, NULL, 0 }, { "/bin/sh", bad_args, NULL, 0 }, { "/bin/sh", ok_args, NULL, 0 } };
  struct spec_hook sig = { "/bin/sh", sig_args, NULL, 0 };
  struct spec_hook missing = { "/nonexistent/hook", NULL, NULL, 0 };
  struct spec_hook relative = { "bin/sh", NULL, NULL, 0 };
  cnf_err err = NULL;
  (void) state;
  assert_int_equal (hooks_run (hooks, 3, "createRuntime", "{}", &err), -1);
  assert_non_null (strstr (err->msg, "createRuntime hook #1 (/bin/sh) failed: exit status 3"));
  assert_non_null (strstr (err->msg, "some diagnostics"));
  cnf_err_free (&err);
  assert_int_equal (hooks_run (&sig, 1, "poststart", "{}", &err), -1);
  assert_non_null (strstr (err->msg, "poststart hook #0 (/bin/sh) failed: killed by signal 9"));
  cnf_err_free (&err);
  assert_int_equal (hooks_run (&missing, 1, "poststop", "{}", &err), -1);
  assert_non_null (strstr (err->msg, "/nonexistent/hook"));
  assert_non_null (strstr (err->msg, "exit status 127"));
  cnf_err_free (&err);
  assert_int_equal (hooks_run (&relative, 1, "prestart", "{}", &err), -1);
  assert_non_null (strstr (err->msg, "must be absolute"));
  cnf_err_free (&err);
}

/* hooks_run stops at the first failure; hooks_run_warn (poststart, poststop) runs every hook. */
static void
test_warn_runs_the_rest (void **state)
{
  char *bad_args[] = { "sh", "-c", "exit 1", NULL };
  char *mark = xasprintf ("echo x >> %s/ran", dir);
  char *mark_args[] = { "sh", "-c", mark, NULL };
  struct spec_hook hooks[2] = { { "/bin/sh", bad_args, NULL, 0 }, { "/bin/sh", mark_args, NULL, 0 } };
  cnf_err err = NULL;
  char *ran;
  (void) state;
  assert_int_equal (hooks_run (hooks, 2, "createRuntime", "{}", &err), -1);
  cnf_err_free (&err);
  assert_null (slurp ("ran"));
  hooks_run_warn (hooks, 2, "poststart", "{}");
  hooks_run_warn (hooks, 2, "poststop", "{}");
  ran = slurp ("ran");
  assert_non_null (ran);
  assert_string_equal (ran, "x\nx\n");
  free (ran);
  free (mark);
}

static void
test_timeout (void **state)
{
  char *args[] = { "sh", "-c", "sleep 30", NULL };
  struct spec_hook h = { "/bin/sh", args, NULL, 1 };
  cnf_err err = NULL;
  long long t0 = now_ms (), dt;
  (void) state;
  assert_int_equal (hooks_run (&h, 1, "createContainer", "{}", &err), -1);
  dt = now_ms () - t0;
  assert_non_null (strstr (err->msg, "createContainer hook #0 (/bin/sh) timed out after 1 s"));
  assert_true (dt >= 900 && dt < 3000);
  cnf_err_free (&err);
}

static void
test_timeout_with_grandchild_holding_output (void **state)
{
  /* The hook exits at once but leaves a background child with stdout open: we must not wait for it. */
  char *args[] = { "sh", "-c", "sleep 20 & exit 0", NULL };
  struct spec_hook h = { "/bin/sh", args, NULL, 0 };
  cnf_err err = NULL;
  long long t0 = now_ms ();
  (void) state;
  assert_int_equal (hooks_run (&h, 1, "poststart", "{}", &err), 0);
  assert_true (now_ms () - t0 < 3000);
}

static void
test_large_state_not_read (void **state)
{
  char *args[] = { "sh", "-c", "exit 0", NULL };
  struct spec_hook h = { "/bin/sh", args, NULL, 5 };
  cnf_err err = NULL;
  size_t n = 1 << 20;
  char *big = xmalloc (n + 1);
  (void) state;
  memset (big, 'x', n);
  big[n] = '\0';
  assert_int_equal (hooks_run (&h, 1, "prestart", big, &err), 0);
  free (big);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_poll_timeout),
    cmocka_unit_test_setup_teardown (test_state_args_env, setup, teardown),
    cmocka_unit_test (test_failure_names_hook),
    cmocka_unit_test_setup_teardown (test_warn_runs_the_rest, setup, teardown),
    cmocka_unit_test (test_timeout),
    cmocka_unit_test (test_timeout_with_grandchild_holding_output),
    cmocka_unit_test (test_large_state_not_read),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
