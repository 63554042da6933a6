/* Unit tests of runtime/process (scheduler attr, ioprio encoding, memory policy masks, PATH lookup,
 * cwd check, affinity beyond 1,024 CPUs), runtime/caps (kernel cap check) and runtime/netdev names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include <cmocka.h>
#include "runtime/process.h"
#include "runtime/caps.h"
#include "runtime/netdev.h"
#include "lib/util.h"

#define SCHED_DEADLINE_ 6
#define SCHED_BATCH_ 3
#define SCHED_IDLE_ 5

static void
expect_err (int r, cnf_err *err, const char *needle)
{
  assert_int_equal (r, -1);
  assert_non_null (*err);
  if (strstr ((*err)->msg, needle) == NULL)
    fail_msg ("message \"%s\" lacks \"%s\"", (*err)->msg, needle);
  cnf_err_free (err);
}

static void
test_sched_attr (void **state)
{
  struct process_sched_attr a;
  struct spec_scheduler sc;
  cnf_err err = NULL;
  (void) state;

  memset (&sc, 0, sizeof sc);
  sc.present = true;
  sc.policy = SCHED_FIFO;
  sc.priority = 50;
  assert_int_equal (process_sched_attr_build (&sc, &a, &err), 0);
  assert_int_equal (a.size, 48);
  assert_int_equal (a.sched_policy, SCHED_FIFO);
  assert_int_equal (a.sched_priority, 50);
  assert_int_equal (a.sched_nice, 0);

  memset (&sc, 0, sizeof sc);
  sc.policy = SCHED_BATCH_;
  sc.nice = -5;
  sc.flags = 1; /* SCHED_FLAG_RESET_ON_FORK */
  assert_int_equal (process_sched_attr_build (&sc, &a, &err), 0);
  assert_int_equal (a.sched_nice, -5);
  assert_int_equal (a.sched_priority, 0);
  assert_int_equal (a.sched_flags, 1);

  memset (&sc, 0, sizeof sc);
  sc.policy = SCHED_DEADLINE_;
  sc.runtime = 10000000;
  sc.deadline = 30000000;
  sc.period = 100000000;
  assert_int_equal (process_sched_attr_build (&sc, &a, &err), 0);
  assert_int_equal (a.sched_policy, SCHED_DEADLINE_);
  assert_true (a.sched_runtime == 10000000 && a.sched_deadline == 30000000 && a.sched_period == 100000000);

  /* period 0 means "= deadline" */
  sc.period = 0;
  assert_int_equal (process_sched_attr_build (&sc, &a, &err), 0);
  sc.runtime = 40000000;
  expect_err (process_sched_attr_build (&sc, &a, &err), &err, "runtime <= deadline <= period");
  sc.runtime = 100;
  expect_err (process_sched_attr_build (&sc, &a, &err), &err, "at least 1024");
  sc.runtime = 2000;
  sc.deadline = 0;
  expect_err (process_sched_attr_build (&sc, &a, &err), &err, "needs a deadline");

  memset (&sc, 0, sizeof sc);
  sc.policy = SCHED_RR;
  expect_err (process_sched_attr_build (&sc, &a, &err), &err, "outside 1..99");
  sc.priority = 100;
  expect_err (process_sched_attr_build (&sc, &a, &err), &err, "outside 1..99");
  sc.policy = SCHED_OTHER;
  sc.priority = 3;
  expect_err (process_sched_attr_build (&sc, &a, &err), &err, "priority must be 0");
  sc.priority = 0;
  sc.nice = 20;
  expect_err (process_sched_attr_build (&sc, &a, &err), &err, "outside -20..19");
  sc.nice = 0;
  sc.policy = SCHED_IDLE_;
  assert_int_equal (process_sched_attr_build (&sc, &a, &err), 0);
  sc.policy = 42;
  expect_err (process_sched_attr_build (&sc, &a, &err), &err, "unknown policy");
}

static void
test_ioprio (void **state)
{
  struct spec_io_priority io = { true, 1, 4 };
  cnf_err err = NULL;
  int v;
  (void) state;
  assert_int_equal (process_ioprio_value (&io, &v, &err), 0);
  assert_int_equal (v, (1 << 13) | 4);
  io.class = 2;
  io.priority = 7;
  assert_int_equal (process_ioprio_value (&io, &v, &err), 0);
  assert_int_equal (v, (2 << 13) | 7);
  io.class = 3;
  io.priority = 0;
  assert_int_equal (process_ioprio_value (&io, &v, &err), 0);
  assert_int_equal (v, 3 << 13);
  io.class = 2;
  io.priority = 8;
  expect_err (process_ioprio_value (&io, &v, &err), &err, "outside 0..7");
  io.class = 4;
  io.priority = 0;
  expect_err (process_ioprio_value (&io, &v, &err), &err, "unknown class");
}

static void
test_mempolicy (void **state)
{
  struct spec_memory_policy mp;
  struct process_mempolicy out;
  cnf_err err = NULL;
  (void) state;

  memset (&mp, 0, sizeof mp);
  mp.present = true;
  mp.mode = MPOL_BIND;
  mp.nodes = "0-1";
  mp.flags = MPOL_F_STATIC_NODES;
  assert_int_equal (process_mempolicy_build (&mp, &out, &err), 0);
  assert_int_equal (out.mode, MPOL_BIND | MPOL_F_STATIC_NODES);
  assert_non_null (out.nodes);
  assert_int_equal (out.nodes[0], 3);
  assert_int_equal (out.maxnode, sizeof (unsigned long) * CHAR_BIT + 1);
  process_mempolicy_free (&out);

  /* Node numbers beyond 1,023 size the mask dynamically too. */
  mp.mode = MPOL_INTERLEAVE;
  mp.flags = 0;
  mp.nodes = "0,1100";
  assert_int_equal (process_mempolicy_build (&mp, &out, &err), 0);
  assert_true (out.maxnode > 1100 + 1);
  assert_int_equal ((out.maxnode - 1) % (sizeof (unsigned long) * CHAR_BIT), 0);
  assert_true (out.nodes[1100 / (sizeof (unsigned long) * CHAR_BIT)] & (1UL << (1100 % (sizeof (unsigned long) * CHAR_BIT))));
  process_mempolicy_free (&out);

  mp.mode = MPOL_DEFAULT;
  mp.nodes = NULL;
  assert_int_equal (process_mempolicy_build (&mp, &out, &err), 0);
  assert_null (out.nodes);
  assert_int_equal (out.maxnode, 0);
  assert_int_equal (out.mode, MPOL_DEFAULT);
  mp.nodes = "0";
  expect_err (process_mempolicy_build (&mp, &out, &err), &err, "must be empty");
  mp.mode = MPOL_BIND;
  mp.nodes = "";
  expect_err (process_mempolicy_build (&mp, &out, &err), &err, "needs nodes");
  mp.nodes = "1-0";
  expect_err (process_mempolicy_build (&mp, &out, &err), &err, "linux.memoryPolicy.nodes");
  mp.mode = 99;
  mp.nodes = NULL;
  expect_err (process_mempolicy_build (&mp, &out, &err), &err, "unknown mode");
  mp.mode = MPOL_PREFERRED; /* empty = local allocation */
  assert_int_equal (process_mempolicy_build (&mp, &out, &err), 0);
}

static void
test_find_exec (void **state)
{
  char dir[] = "/tmp/cnf-proc-unit-XXXXXX", *p, *env[3];
  char exe[128], noexe[128];
  int fd;
  cnf_err err = NULL;
  (void) state;
  assert_non_null (mkdtemp (dir));
  snprintf (exe, sizeof exe, "%s/b/tool", dir);
  snprintf (noexe, sizeof noexe, "%s/a/tool", dir);
  assert_int_equal (mkdir_p_at (AT_FDCWD, exe, 0755, NULL), 0);
  rmdir (exe);
  assert_int_equal (mkdir_p_at (AT_FDCWD, noexe, 0755, NULL), 0);
  rmdir (noexe);
  fd = open (exe, O_CREAT | O_WRONLY, 0755);
  close (fd);
  fd = open (noexe, O_CREAT | O_WRONLY, 0644);
  close (fd);
  env[0] = "FOO=1";
  env[1] = xasprintf ("PATH=%s/a:%s/b", dir, dir);
  env[2] = NULL;
  /* The non-executable one earlier on PATH is skipped. */
  p = process_find_exec ("tool", env, &err);
  assert_non_null (p);
  assert_string_equal (p, exe);
  free (p);
  /* A slash means no lookup. */
  p = process_find_exec ("./x/y", env, &err);
  assert_string_equal (p, "./x/y");
  free (p);
  assert_null (process_find_exec ("nosuchtool", env, &err));
  assert_non_null (strstr (err->msg, "nosuchtool"));
  cnf_err_free (&err);
  assert_null (process_find_exec ("", env, &err));
  cnf_err_free (&err);
  /* No PATH in env: the default one (sh is in /bin). */
  free (env[1]);
  env[1] = NULL;
  p = process_find_exec ("sh", env, &err);
  assert_non_null (p);
  assert_true (strcmp (p, "/usr/bin/sh") == 0 || strcmp (p, "/bin/sh") == 0);
  free (p);
  rm_rf_at (AT_FDCWD, dir, NULL);
}

static void
test_check_exec (void **state)
{
  cnf_err err = NULL;
  char *args[2] = { NULL, NULL }, *env[2] = { "PATH=/usr/bin:/bin", NULL };
  struct spec_process p = { 0 };
  (void) state;
  p.args = args;
  p.env = env;
  args[0] = "sh";
  assert_int_equal (process_check_exec (&p, &err), 0);
  args[0] = "/bin/sh";
  assert_int_equal (process_check_exec (&p, &err), 0);
  /* Relative with a slash: depends on the cwd, left to execve. */
  args[0] = "./not/here";
  assert_int_equal (process_check_exec (&p, &err), 0);
  args[0] = "/no/such/binary";
  expect_err (process_check_exec (&p, &err), &err, "exec \"/no/such/binary\": No such file or directory");
  args[0] = "no-such-tool";
  expect_err (process_check_exec (&p, &err), &err, "not found in PATH");
  args[0] = "/etc";
  expect_err (process_check_exec (&p, &err), &err, "not an executable file");
  args[0] = NULL;
  expect_err (process_check_exec (&p, &err), &err, "process.args is empty");
}

static void
test_cwd_check (void **state)
{
  cnf_err err = NULL;
  (void) state;
  assert_int_equal (process_check_cwd ("/", &err), 0);
  assert_int_equal (process_check_cwd ("/work/dir", &err), 0);
  expect_err (process_check_cwd ("(unreachable)/sys/fs/cgroup", &err), &err, "CVE-2024-21626");
  expect_err (process_check_cwd ("", &err), &err, "outside the container");
}

static void
test_affinity_big_list (void **state)
{
  cnf_err err = NULL;
  cpu_set_t orig;
  pid_t pid;
  int st;
  (void) state;
  assert_int_equal (sched_getaffinity (0, sizeof orig, &orig), 0);
  /* In a child: a list naming CPUs up to 2047 must be accepted (the offline ones are ignored by
   * the kernel as long as one listed CPU is usable), and CPU 0 alone must stick. */
  pid = fork ();
  if (pid == 0)
    {
      cpu_set_t now;
      if (process_set_affinity (0, "0-2047", &err) < 0)
        _exit (1);
      if (process_set_affinity (0, "0", &err) < 0)
        _exit (2);
      sched_getaffinity (0, sizeof now, &now);
      if (CPU_COUNT (&now) != 1 || !CPU_ISSET (0, &now))
        _exit (3);
      if (process_set_affinity (0, "2000-2047", &err) == 0)
        _exit (4); /* no such CPU online here */
      if (strstr (err->msg, "2000-2047") == NULL)
        _exit (5);
      _exit (0);
    }
  assert_int_equal (waitpid (pid, &st, 0), pid);
  assert_true (WIFEXITED (st));
  assert_int_equal (WEXITSTATUS (st), 0);
}

static void
test_caps_validate (void **state)
{
  struct spec_caps c;
  int known[] = { 0, 12 }, unknown[] = { 12, 62 };
  cnf_err err = NULL;
  (void) state;
  assert_true (caps_last_cap () >= 36);
  memset (&c, 0, sizeof c);
  c.present[CAP_SET_EFFECTIVE] = true;
  c.caps[CAP_SET_EFFECTIVE] = known;
  c.n_caps[CAP_SET_EFFECTIVE] = 2;
  assert_int_equal (caps_validate (&c, &err), 0);
  c.caps[CAP_SET_EFFECTIVE] = unknown;
  expect_err (caps_validate (&c, &err), &err, "capabilities.effective: capability 62 is not known to the running kernel");
}

/* caps_apply in a child (this test runs as root): exact sets, and the ambient rule. */
static void
test_caps_apply_child (void **state)
{
  pid_t pid;
  int st;
  (void) state;
  if (geteuid () != 0)
    skip ();
  pid = fork ();
  if (pid == 0)
    {
      struct spec_caps c;
      int nbs[] = { 10 }, two[] = { 10, 5 };
      cnf_err err = NULL;
      char buf[4096] = "";
      int fd;
      ssize_t n;
      memset (&c, 0, sizeof c);
      c.present[CAP_SET_BOUNDING] = c.present[CAP_SET_PERMITTED] = c.present[CAP_SET_EFFECTIVE] = true;
      c.present[CAP_SET_AMBIENT] = true;
      c.caps[CAP_SET_BOUNDING] = two;
      c.n_caps[CAP_SET_BOUNDING] = 2;
      c.caps[CAP_SET_PERMITTED] = nbs;
      c.n_caps[CAP_SET_PERMITTED] = 1;
      c.caps[CAP_SET_EFFECTIVE] = nbs;
      c.n_caps[CAP_SET_EFFECTIVE] = 1;
      /* ambient without inheritable: refused, naming the capability */
      c.caps[CAP_SET_AMBIENT] = nbs;
      c.n_caps[CAP_SET_AMBIENT] = 1;
      if (caps_apply (&c, &err) == 0)
        _exit (1);
      if (strstr (err->msg, "ambient CAP_NET_BIND_SERVICE") == NULL)
        _exit (2);
      cnf_err_free (&err);
      fd = open ("/proc/self/status", O_RDONLY);
      n = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (n <= 0)
        _exit (3);
      if (strstr (buf, "CapEff:\t0000000000000400") == NULL || strstr (buf, "CapPrm:\t0000000000000400") == NULL
          || strstr (buf, "CapBnd:\t0000000000000420") == NULL || strstr (buf, "CapInh:\t0000000000000000") == NULL)
        _exit (4);
      _exit (0);
    }
  assert_int_equal (waitpid (pid, &st, 0), pid);
  assert_true (WIFEXITED (st));
  assert_int_equal (WEXITSTATUS (st), 0);
}

static void
test_close_fds_listing (void **state)
{
  int fd = open ("/dev/null", O_RDONLY);
  (void) state;
  assert_true (fd >= 0);
  assert_int_equal (dup2 (fd, 150), 150);
  assert_int_equal (dup2 (fd, 260), 260);
  assert_int_equal (dup2 (fd, 4000), 4000);
  assert_int_equal (process_close_fds_listing (200, ~0U), 0);
  assert_true (fcntl (150, F_GETFD) >= 0);
  assert_int_equal (fcntl (260, F_GETFD), -1);
  assert_int_equal (fcntl (4000, F_GETFD), -1);
  close (150);
  close (fd);
}

static void
test_netdev_names (void **state)
{
  cnf_err err = NULL;
  (void) state;
  assert_int_equal (netdev_check_name ("eth1", &err), 0);
  assert_int_equal (netdev_check_name ("abcdefghijklmno", &err), 0);
  expect_err (netdev_check_name ("abcdefghijklmnop", &err), &err, "1..15 bytes");
  expect_err (netdev_check_name ("", &err), &err, "1..15 bytes");
  expect_err (netdev_check_name ("a/b", &err), &err, "invalid interface name");
  expect_err (netdev_check_name ("..", &err), &err, "invalid interface name");
  expect_err (netdev_check_name ("a b", &err), &err, "invalid interface name");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sched_attr),     cmocka_unit_test (test_ioprio),
    cmocka_unit_test (test_mempolicy),      cmocka_unit_test (test_find_exec),
    cmocka_unit_test (test_cwd_check),      cmocka_unit_test (test_check_exec),      cmocka_unit_test (test_affinity_big_list),
    cmocka_unit_test (test_caps_validate),  cmocka_unit_test (test_caps_apply_child),  cmocka_unit_test (test_netdev_names),  cmocka_unit_test (test_close_fds_listing),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
