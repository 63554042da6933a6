/* Unit tests of runtime/seccomp: validation messages, filter building from typed objects, and the
 * filters' real effect, observed in forked children that load them (unknown syscalls skipped,
 * each operator, MASKED_EQ, AND of arguments, errnoRet, defaultErrnoRet, arch list, flags, the
 * notify hand-over to a listener, and the shipped profiles). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "lib/json.h"
#include "lib/util.h"

/* ---- building typed objects by hand ---- */

static struct spec_seccomp *
sc_new (uint32_t def)
{
  struct spec_seccomp *sc = xzalloc (sizeof *sc);
  sc->default_action = def;
  return sc;
}

static struct spec_seccomp_syscall *
sc_rule (struct spec_seccomp *sc, uint32_t action, const char *names)
{
  struct spec_seccomp_syscall *r;
  char *copy = xstrdup (names), *save = NULL;
  sc->syscalls = xrealloc (sc->syscalls, (sc->n_syscalls + 1) * sizeof *sc->syscalls);
  r = &sc->syscalls[sc->n_syscalls++];
  memset (r, 0, sizeof *r);
  r->action = action;
  r->names = xzalloc (8 * sizeof (char *));
  for (char *t = strtok_r (copy, ",", &save); t && r->n_names < 7; t = strtok_r (NULL, ",", &save))
    r->names[r->n_names++] = xstrdup (t);
  free (copy);
  return r;
}

static void
sc_arg (struct spec_seccomp_syscall *r, unsigned index, int op, uint64_t v, uint64_t v2)
{
  r->args = xrealloc (r->args, (r->n_args + 1) * sizeof *r->args);
  r->args[r->n_args++] = (struct spec_seccomp_arg) { .index = index, .op = op, .value = v, .value_two = v2 };
}

static void
sc_errno (struct spec_seccomp_syscall *r, uint32_t e)
{
  r->has_errno_ret = true;
  r->errno_ret = e;
}

static char **
strv_add (char **v, size_t *n, const char *s)
{
  v = xrealloc (v, (*n + 2) * sizeof (char *));
  v[(*n)++] = xstrdup (s);
  v[*n] = NULL;
  return v;
}

static void
sc_free (struct spec_seccomp *sc)
{
  if (sc == NULL)
    return;
  for (size_t i = 0; i < sc->n_syscalls; i++)
    {
      for (size_t j = 0; j < sc->syscalls[i].n_names; j++)
        free (sc->syscalls[i].names[j]);
      free (sc->syscalls[i].names);
      free (sc->syscalls[i].args);
    }
  free (sc->syscalls);
  for (size_t i = 0; i < sc->n_architectures; i++)
    free (sc->architectures[i]);
  free (sc->architectures);
  for (size_t i = 0; i < sc->n_flags; i++)
    free (sc->flags[i]);
  free (sc->flags);
  free (sc->listener_path);
  free (sc->listener_metadata);
  free (sc);
}

/* A test-local reader of a profile's JSON into the typed object (the real one is spec.c's). */
static struct spec_seccomp *
sc_from_json (const char *text)
{
  char eb[256];
  json_value *doc = json_parse (text, strlen (text), eb, sizeof eb), *v, *syscalls;
  struct spec_seccomp *sc;
  uint64_t u;

  if (doc == NULL)
    {
      fprintf (stderr, "profile: %s\n", eb);
      return NULL;
    }
  sc = xzalloc (sizeof *sc);
  if (seccomp_action_from_name (json_string (json_get (doc, "defaultAction")), &sc->default_action) < 0)
    goto bad;
  if (json_get_uint64 (json_get (doc, "defaultErrnoRet"), &u) == 0)
    sc->has_default_errno_ret = true, sc->default_errno_ret = (uint32_t) u;
  v = json_get (doc, "architectures");
  for (size_t i = 0; i < json_len (v); i++)
    sc->architectures = strv_add (sc->architectures, &sc->n_architectures, json_string (json_at (v, i)));
  v = json_get (doc, "flags");
  for (size_t i = 0; i < json_len (v); i++)
    sc->flags = strv_add (sc->flags, &sc->n_flags, json_string (json_at (v, i)));
  syscalls = json_get (doc, "syscalls");
  sc->syscalls = xzalloc ((json_len (syscalls) + 1) * sizeof *sc->syscalls);
  for (size_t i = 0; i < json_len (syscalls); i++)
    {
      json_value *o = json_at (syscalls, i), *names = json_get (o, "names"), *args = json_get (o, "args");
      struct spec_seccomp_syscall *r = &sc->syscalls[sc->n_syscalls++];
      if (seccomp_action_from_name (json_string (json_get (o, "action")), &r->action) < 0)
        goto bad;
      if (json_get_uint64 (json_get (o, "errnoRet"), &u) == 0)
        r->has_errno_ret = true, r->errno_ret = (uint32_t) u;
      for (size_t j = 0; j < json_len (names); j++)
        {
          if (json_string (json_at (names, j)) == NULL)
            goto bad;
          r->names = strv_add (r->names, &r->n_names, json_string (json_at (names, j)));
        }
      r->args = xzalloc ((json_len (args) + 1) * sizeof *r->args);
      for (size_t j = 0; j < json_len (args); j++)
        {
          json_value *a = json_at (args, j);
          struct spec_seccomp_arg *x = &r->args[r->n_args++];
          if (json_get_uint64 (json_get (a, "index"), &u) < 0)
            goto bad;
          x->index = (unsigned) u;
          if (json_get_uint64 (json_get (a, "value"), &x->value) < 0)
            goto bad;
          json_get_uint64 (json_get (a, "valueTwo"), &x->value_two);
          if (seccomp_operator_from_name (json_string (json_get (a, "op")), &x->op) < 0)
            goto bad;
        }
    }
  json_free (doc);
  return sc;
bad:
  json_free (doc);
  sc_free (sc);
  return NULL;
}

/* ---- running a filter for real ---- */

typedef int (*child_fn) (void);

/* Fork; the child sets no_new_privs, applies sc and returns fn()'s value as its exit status.
 * Returns that status, 100 + n if apply failed, or 200 + signal. */
static int
run_filtered (const struct spec_seccomp *sc, const char *state, child_fn fn)
{
  int st;
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      cnf_err err = NULL;
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      if (seccomp_apply (sc, state, &err) < 0)
        {
          fprintf (stderr, "child: %s\n", err->msg);
          _exit (101);
        }
      _exit (fn ());
    }
  assert_int_equal (waitpid (pid, &st, 0), pid);
  if (WIFSIGNALED (st))
    return 200 + WTERMSIG (st);
  return WEXITSTATUS (st);
}

/* The errno of a call (0 on success), squeezed into an exit status. */
static int
err_of (long r)
{
  return r < 0 ? (errno & 0xff) : 0;
}

/* fcntl(-1, cmd, arg) fails with EBADF unless the filter steps in: a side-effect-free probe. */
static int
fcntl_errno (unsigned long cmd, unsigned long arg)
{
  return err_of (syscall (SYS_fcntl, -1L, cmd, arg));
}

/* ---- tests ---- */

static void
test_names_and_features (void **state)
{
  uint32_t a;
  int op;
  bool found = false;
  (void) state;
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_ERRNO", &a), 0);
  assert_int_equal (a, SCMP_ACT_ERRNO (0));
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_KILL_PROCESS", &a), 0);
  assert_int_equal (a, SCMP_ACT_KILL_PROCESS);
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_NOPE", &a), -1);
  assert_int_equal (seccomp_operator_from_name ("SCMP_CMP_MASKED_EQ", &op), 0);
  assert_int_equal (op, SCMP_CMP_MASKED_EQ);
  assert_int_equal (seccomp_operator_from_name ("SCMP_CMP_XX", &op), -1);
  assert_string_equal (seccomp_action_name (SCMP_ACT_ERRNO (38)), "SCMP_ACT_ERRNO");

  size_t n = 0;
  for (const char *const *p = seccomp_supported_operators (); *p; p++)
    n++;
  assert_int_equal (n, 7);
  n = 0;
  for (const char *const *p = seccomp_supported_actions (); *p; p++)
    {
      n++;
      found |= strcmp (*p, "SCMP_ACT_NOTIFY") == 0;
    }
  assert_true (n >= 7);
  assert_true (found); /* this kernel (>= 5.5) and libseccomp >= 2.5 have it */
  found = false;
  for (const char *const *p = seccomp_supported_archs (); *p; p++)
    found |= strcmp (*p, "SCMP_ARCH_X86_64") == 0;
  assert_true (found);
  found = false;
  for (const char *const *p = seccomp_supported_flags (); *p; p++)
    {
      found |= strcmp (*p, "SECCOMP_FILTER_FLAG_TSYNC") == 0;
      if (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR < 6)
        assert_string_not_equal (*p, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    }
  assert_true (found);
  n = 0;
  for (const char *const *p = seccomp_known_flags (); *p; p++)
    n++;
  assert_int_equal (n, 4);
}

static void
expect_invalid (struct spec_seccomp *sc, const char *needle)
{
  cnf_err err = NULL;
  assert_int_equal (seccomp_validate (sc, "config.json", &err), -1);
  assert_non_null (err);
  if (strstr (err->msg, needle) == NULL)
    fail_msg ("message \"%s\" lacks \"%s\"", err->msg, needle);
  cnf_err_free (&err);
  sc_free (sc);
}

static void
test_validate (void **state)
{
  struct spec_seccomp *sc;
  struct spec_seccomp_syscall *r;
  cnf_err err = NULL;
  (void) state;

  sc = sc_new (SCMP_ACT_ALLOW);
  sc->architectures = strv_add (NULL, &sc->n_architectures, "SCMP_ARCH_X86_64");
  sc->architectures = strv_add (sc->architectures, &sc->n_architectures, "SCMP_ARCH_VAX");
  expect_invalid (sc, ".linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");

  sc = sc_new (SCMP_ACT_ALLOW);
  sc->flags = strv_add (NULL, &sc->n_flags, "SECCOMP_FILTER_FLAG_BOGUS");
  expect_invalid (sc, ".linux.seccomp.flags[0]: unknown flag");

  sc = sc_new (0x12345678);
  expect_invalid (sc, ".linux.seccomp.defaultAction: unknown seccomp action");

  sc = sc_new (SCMP_ACT_ALLOW);
  sc->has_default_errno_ret = true;
  sc->default_errno_ret = 5;
  expect_invalid (sc, ".linux.seccomp.defaultAction: errnoRet is only valid");

  sc = sc_new (SCMP_ACT_ALLOW);
  r = sc_rule (sc, SCMP_ACT_ERRNO (0), "getpgid");
  sc_arg (r, 6, SCMP_CMP_EQ, 1, 0);
  expect_invalid (sc, ".linux.seccomp.syscalls[0].args[0].index: 6 is out of range");

  sc = sc_new (SCMP_ACT_ALLOW);
  sc_rule (sc, SCMP_ACT_ALLOW, "getpid");
  r = sc_rule (sc, SCMP_ACT_ERRNO (0), "getpgid");
  sc_arg (r, 0, 99, 1, 0);
  expect_invalid (sc, ".linux.seccomp.syscalls[1].args[0].op: unknown operator 99");

  sc = sc_new (SCMP_ACT_ALLOW);
  r = sc_rule (sc, SCMP_ACT_KILL_PROCESS, "getpgid");
  sc_errno (r, 3);
  expect_invalid (sc, ".linux.seccomp.syscalls[0].action: errnoRet is only valid");

  sc = sc_new (SCMP_ACT_ALLOW);
  sc_rule (sc, SCMP_ACT_NOTIFY, "getpgid");
  expect_invalid (sc, ".linux.seccomp.listenerPath: required");

  sc = sc_new (SCMP_ACT_NOTIFY);
  expect_invalid (sc, "SCMP_ACT_NOTIFY cannot be the default action");

  sc = sc_new (SCMP_ACT_ALLOW);
  sc_rule (sc, SCMP_ACT_ERRNO (0), "");
  expect_invalid (sc, ".linux.seccomp.syscalls[0].names: must list at least one syscall");

#if SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR < 6
  /* This libseccomp cannot set WAIT_KILLABLE_RECV: a clear error, not a silent drop. */
  sc = sc_new (SCMP_ACT_ALLOW);
  sc->flags = strv_add (NULL, &sc->n_flags, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  expect_invalid (sc, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported by this build");
#endif

  /* A valid object passes. */
  sc = sc_new (SCMP_ACT_ERRNO (0));
  sc_rule (sc, SCMP_ACT_ALLOW, "read,write");
  assert_int_equal (seccomp_validate (sc, "config.json", &err), 0);
  assert_null (err);
  assert_int_equal (seccomp_validate (NULL, "config.json", &err), 0);
  sc_free (sc);
}

static void
test_build_archs_flags (void **state)
{
  struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
  void *ctx = NULL;
  uint32_t v = 0;
  cnf_err err = NULL;
  (void) state;

  sc_rule (sc, SCMP_ACT_ERRNO (0), "getpgid");
  sc->architectures = strv_add (NULL, &sc->n_architectures, "SCMP_ARCH_X86_64");
  sc->architectures = strv_add (sc->architectures, &sc->n_architectures, "SCMP_ARCH_X86");
  sc->architectures = strv_add (sc->architectures, &sc->n_architectures, "SCMP_ARCH_X32");
  sc->flags = strv_add (NULL, &sc->n_flags, "SECCOMP_FILTER_FLAG_TSYNC");
  sc->flags = strv_add (sc->flags, &sc->n_flags, "SECCOMP_FILTER_FLAG_LOG");
  sc->flags = strv_add (sc->flags, &sc->n_flags, "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  if (seccomp_build (sc, &ctx, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_int_equal (seccomp_arch_exist (ctx, SCMP_ARCH_X86), 0);
  assert_int_equal (seccomp_arch_exist (ctx, SCMP_ARCH_X32), 0);
  assert_int_equal (seccomp_arch_exist (ctx, SCMP_ARCH_AARCH64), -EEXIST);
  assert_int_equal (seccomp_attr_get (ctx, SCMP_FLTATR_CTL_TSYNC, &v), 0);
  assert_int_equal (v, 1);
  assert_int_equal (seccomp_attr_get (ctx, SCMP_FLTATR_CTL_LOG, &v), 0);
  assert_int_equal (v, 1);
  assert_int_equal (seccomp_attr_get (ctx, SCMP_FLTATR_CTL_SSB, &v), 0);
  assert_int_equal (v, 1);
  /* noNewPrivileges is left to the process setup, never implied by the filter. */
  assert_int_equal (seccomp_attr_get (ctx, SCMP_FLTATR_CTL_NNP, &v), 0);
  assert_int_equal (v, 0);
  seccomp_release (ctx);
  sc_free (sc);
}

static int
child_getpgid_errno (void)
{
  return err_of (syscall (SYS_getpgid, 0));
}

static void
test_unknown_syscall_skipped (void **state)
{
  struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
  struct spec_seccomp_syscall *r = sc_rule (sc, SCMP_ACT_ERRNO (0), "cnf_no_such_syscall,getpgid");
  (void) state;
  sc_errno (r, 42);
  assert_int_equal (run_filtered (sc, NULL, child_getpgid_errno), 42);
  sc_free (sc);
}

static void
test_errno_defaults (void **state)
{
  struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
  struct spec_seccomp_syscall *r;
  (void) state;
  /* SCMP_ACT_ERRNO without errnoRet: EPERM. */
  sc_rule (sc, SCMP_ACT_ERRNO (0), "getpgid");
  assert_int_equal (run_filtered (sc, NULL, child_getpgid_errno), EPERM);
  sc_free (sc);
  /* errnoRet 38 is ENOSYS. */
  sc = sc_new (SCMP_ACT_ALLOW);
  r = sc_rule (sc, SCMP_ACT_ERRNO (0), "getpgid");
  sc_errno (r, 38);
  assert_int_equal (run_filtered (sc, NULL, child_getpgid_errno), ENOSYS);
  sc_free (sc);
  /* defaultAction ERRNO with defaultErrnoRet, and an allow-list that lets the child exit
   * (sigaltstack: the ASan runtime of an --enable-sanitizers build calls it on the way out). */
  sc = sc_new (SCMP_ACT_ERRNO (0));
  sc->has_default_errno_ret = true;
  sc->default_errno_ret = 61; /* ENODATA */
  sc_rule (sc, SCMP_ACT_ALLOW, "exit,exit_group,write,rt_sigreturn,sigaltstack");
  assert_int_equal (run_filtered (sc, NULL, child_getpgid_errno), ENODATA);
  sc_free (sc);
  /* defaultAction ERRNO without defaultErrnoRet: EPERM. */
  sc = sc_new (SCMP_ACT_ERRNO (0));
  sc_rule (sc, SCMP_ACT_ALLOW, "exit,exit_group,write,rt_sigreturn,sigaltstack");
  assert_int_equal (run_filtered (sc, NULL, child_getpgid_errno), EPERM);
  sc_free (sc);
}

static void
test_kill_process (void **state)
{
  struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
  (void) state;
  sc_rule (sc, SCMP_ACT_KILL_PROCESS, "getpgid");
  assert_int_equal (run_filtered (sc, NULL, child_getpgid_errno), 200 + SIGSYS);
  sc_free (sc);
}

/* Each operator on fcntl's cmd (arg 1) against 100: filtered calls fail with 77, others with EBADF. */
static int
child_operator (void)
{
  int got = 0;
  unsigned long vals[] = { 99, 100, 101 };
  for (int i = 0; i < 3; i++)
    {
      int e = fcntl_errno (vals[i], 0);
      if (e == 77)
        got |= 1 << i;
      else if (e != EBADF)
        return 99;
    }
  return got;
}

static void
test_operators (void **state)
{
  const struct { int op; int expect; } cases[] = {
    /* bit 0: cmd 99, bit 1: cmd 100, bit 2: cmd 101 */
    { SCMP_CMP_NE, 1 | 4 }, { SCMP_CMP_LT, 1 }, { SCMP_CMP_LE, 1 | 2 },
    { SCMP_CMP_EQ, 2 },     { SCMP_CMP_GE, 2 | 4 }, { SCMP_CMP_GT, 4 },
  };
  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
      struct spec_seccomp_syscall *r = sc_rule (sc, SCMP_ACT_ERRNO (0), "fcntl");
      sc_errno (r, 77);
      sc_arg (r, 1, cases[i].op, 100, 0);
      int got = run_filtered (sc, NULL, child_operator);
      if (got != cases[i].expect)
        fail_msg ("operator %d: got mask %d, expected %d", cases[i].op, got, cases[i].expect);
      sc_free (sc);
    }
}

static int
child_masked (void)
{
  /* (arg2 & 0xf0) == 0x30 */
  int a = fcntl_errno (1, 0x35), b = fcntl_errno (1, 0x3f), c = fcntl_errno (1, 0x45), d = fcntl_errno (1, 0x135);
  return (a == 77) | (b == 77) << 1 | (c == EBADF) << 2 | (d == 77) << 3;
}

static void
test_masked_eq (void **state)
{
  struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
  struct spec_seccomp_syscall *r = sc_rule (sc, SCMP_ACT_ERRNO (0), "fcntl");
  (void) state;
  sc_errno (r, 77);
  sc_arg (r, 2, SCMP_CMP_MASKED_EQ, 0xf0, 0x30);
  assert_int_equal (run_filtered (sc, NULL, child_masked), 15);
  sc_free (sc);
}

static int
child_and (void)
{
  int a = fcntl_errno (100, 5), b = fcntl_errno (100, 6), c = fcntl_errno (101, 5);
  return (a == 77) | (b == EBADF) << 1 | (c == EBADF) << 2;
}

static void
test_args_and (void **state)
{
  struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
  struct spec_seccomp_syscall *r = sc_rule (sc, SCMP_ACT_ERRNO (0), "fcntl");
  (void) state;
  sc_errno (r, 77);
  sc_arg (r, 1, SCMP_CMP_EQ, 100, 0);
  sc_arg (r, 2, SCMP_CMP_EQ, 5, 0);
  assert_int_equal (run_filtered (sc, NULL, child_and), 7);
  sc_free (sc);
}

static int
child_same_index (void)
{
  int a = fcntl_errno (100, 0), b = fcntl_errno (200, 0), c = fcntl_errno (300, 0);
  return (a == 77) | (b == 77) << 1 | (c == EBADF) << 2;
}

static void
test_args_same_index (void **state)
{
  /* Two conditions on one argument cannot both hold as equalities: like runc, they are ORed. */
  struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
  struct spec_seccomp_syscall *r = sc_rule (sc, SCMP_ACT_ERRNO (0), "fcntl");
  (void) state;
  sc_errno (r, 77);
  sc_arg (r, 1, SCMP_CMP_EQ, 100, 0);
  sc_arg (r, 1, SCMP_CMP_EQ, 200, 0);
  assert_int_equal (run_filtered (sc, NULL, child_same_index), 7);
  sc_free (sc);
}

static int
child_notify (void)
{
  return err_of (syscall (SYS_getpgid, 0));
}

static void
test_notify_listener (void **state)
{
  char dir[] = "/tmp/cnf-seccomp-unit-XXXXXX", path[128], buf[4096];
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  struct spec_seccomp *sc = sc_new (SCMP_ACT_ALLOW);
  union { char b[CMSG_SPACE (sizeof (int))]; struct cmsghdr al; } u;
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
  struct seccomp_notif *req = NULL;
  struct seccomp_notif_resp *resp = NULL;
  int lfd, cfd, nfd = -1, st;
  ssize_t n;
  pid_t pid;
  (void) state;

  assert_non_null (mkdtemp (dir));
  snprintf (path, sizeof path, "%s/agent.sock", dir);
  strcpy (sa.sun_path, path);
  lfd = socket (AF_UNIX, SOCK_STREAM, 0);
  assert_true (lfd >= 0);
  assert_int_equal (bind (lfd, (struct sockaddr *) &sa, sizeof sa), 0);
  assert_int_equal (listen (lfd, 1), 0);

  sc_rule (sc, SCMP_ACT_NOTIFY, "getpgid");
  sc->listener_path = xstrdup (path);
  sc->listener_metadata = xstrdup ("cnf-meta=1");

  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      cnf_err err = NULL;
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      if (seccomp_listener_prepare (sc, &err) < 0
          || seccomp_apply (sc, "{\"ociVersion\":\"1.3.0\",\"id\":\"sc1\",\"status\":\"creating\",\"pid\":4242}",
                            &err) < 0)
        {
          fprintf (stderr, "child: %s\n", err->msg);
          _exit (101);
        }
      _exit (child_notify ());
    }
  cfd = accept (lfd, NULL, NULL);
  assert_true (cfd >= 0);
  n = recvmsg (cfd, &mh, MSG_CMSG_CLOEXEC);
  assert_true (n > 0);
  buf[n] = '\0';
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&nfd, CMSG_DATA (c), sizeof nfd);
  assert_true (nfd >= 0);
  /* Read to EOF: the runtime closes the connection after one message. */
  while (n < (ssize_t) sizeof buf - 1)
    {
      ssize_t m = read (cfd, buf + n, sizeof buf - 1 - (size_t) n);
      if (m <= 0)
        break;
      n += m;
    }
  buf[n] = '\0';
  json_value *msg = json_parse (buf, (size_t) n, NULL, 0);
  assert_non_null (msg);
  assert_string_equal (json_string (json_at (json_get (msg, "fds"), 0)), "seccompFd");
  assert_string_equal (json_string (json_get (msg, "metadata")), "cnf-meta=1");
  assert_string_equal (json_string (json_get (json_get (msg, "state"), "id")), "sc1");
  int64_t p = 0;
  assert_int_equal (json_get_int64 (json_get (msg, "pid"), &p), 0);
  assert_int_equal (p, 4242);
  json_free (msg);

  /* Act as the agent: answer the child's getpgid with errno 66. */
  assert_int_equal (seccomp_notify_alloc (&req, &resp), 0);
  assert_int_equal (seccomp_notify_receive (nfd, req), 0);
  assert_int_equal (req->pid, pid);
  assert_int_equal (req->data.nr, seccomp_syscall_resolve_name ("getpgid"));
  resp->id = req->id;
  resp->val = 0;
  resp->error = -66;
  resp->flags = 0;
  assert_int_equal (seccomp_notify_respond (nfd, resp), 0);
  seccomp_notify_free (req, resp);
  assert_int_equal (waitpid (pid, &st, 0), pid);
  assert_true (WIFEXITED (st));
  assert_int_equal (WEXITSTATUS (st), 66);
  close (nfd);
  close (cfd);
  close (lfd);
  unlink (path);
  rmdir (dir);
  sc_free (sc);
}

static struct spec_seccomp *
load_profile (const char *name)
{
  cnf_err err = NULL;
  char *text = NULL;
  struct spec_seccomp *sc;
  setenv ("CNFRUN_SECCOMP_PROFILES", CNF_SRCDIR "/seccomp-profiles", 1);
  if (seccomp_profile_load (name, &text, &err) < 0)
    fail_msg ("%s", err->msg);
  sc = sc_from_json (text);
  free (text);
  if (sc == NULL)
    fail_msg ("profile %s does not parse into a seccomp object", name);
  if (seccomp_validate (sc, name, &err) < 0)
    fail_msg ("%s", err->msg);
  return sc;
}

static void
test_profile_lookup (void **state)
{
  cnf_err err = NULL;
  char *text = NULL;
  (void) state;
  setenv ("CNFRUN_SECCOMP_PROFILES", CNF_SRCDIR "/seccomp-profiles", 1);
  assert_int_equal (seccomp_profile_load ("../etc/passwd", &text, &err), -1);
  cnf_err_free (&err);
  assert_int_equal (seccomp_profile_load ("no-such-profile", &text, &err), -1);
  assert_non_null (strstr (err->msg, "no-such-profile"));
  cnf_err_free (&err);
  assert_int_equal (seccomp_profile_load ("default", &text, &err), 0);
  assert_non_null (strstr (text, "defaultAction"));
  free (text);
}

/* Under default.json: every forbidden call is refused with EPERM, ordinary ones work.  Each failure
 * sets one bit of the exit status. */
static int
child_default_profile (void)
{
  int bad = 0;
  long r;
  if (syscall (SYS_getpid) <= 0)
    bad |= 1;
  r = syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -2, 1);
  if (!(r < 0 && errno == EPERM))
    bad |= 2;
  r = syscall (SYS_bpf, 0x7fff, NULL, 0);
  if (!(r < 0 && errno == EPERM))
    bad |= 4;
  r = syscall (SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
  if (!(r < 0 && errno == EPERM))
    bad |= 8;
  r = mount ("none", "/", "tmpfs", MS_RDONLY | MS_REMOUNT, NULL);
  if (!(r < 0 && errno == EPERM))
    bad |= 16;
  r = syscall (SYS_unshare, CLONE_NEWUTS);
  if (!(r < 0 && errno == EPERM))
    bad |= 32;
  r = syscall (SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
  if (r == 0)
    _exit (0);
  if (!(r < 0 && errno == EPERM))
    bad |= 64;
  /* A plain fork works (glibc's fork is clone without namespace flags). */
  pid_t pid = fork ();
  if (pid == 0)
    _exit (0);
  if (pid < 0 || waitpid (pid, NULL, 0) != pid)
    bad |= 128;
  return bad;
}

static void
test_profile_default (void **state)
{
  struct spec_seccomp *sc = load_profile ("default");
  (void) state;
  /* This test runs as root with every capability: without the filter these calls would succeed. */
  assert_int_equal (run_filtered (sc, NULL, child_default_profile), 0);
  sc_free (sc);
}

static int
child_dataplane_profile (void)
{
  int bad = 0, mode = 0;
  long r;
  unsigned long mask[16] = { 0 };
  if (syscall (SYS_get_mempolicy, &mode, mask, 1024UL, NULL, 0UL) < 0)
    bad |= 1;
  if (syscall (SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0UL) < 0)
    bad |= 2;
  r = syscall (SYS_io_uring_setup, 1, NULL);
  if (!(r < 0 && errno == EPERM))
    bad |= 4;
  r = syscall (SYS_keyctl, 0, -2, 1);
  if (!(r < 0 && errno == EPERM))
    bad |= 8;
  r = syscall (SYS_unshare, CLONE_NEWNET);
  if (!(r < 0 && errno == EPERM))
    bad |= 16;
  r = syscall (SYS_sched_getaffinity, 0, sizeof mask, mask);
  if (r < 0 || syscall (SYS_sched_setaffinity, 0, sizeof mask, mask) < 0)
    bad |= 32;
  return bad;
}

static void
test_profile_dataplane (void **state)
{
  struct spec_seccomp *sc = load_profile ("cnf-dataplane");
  (void) state;
  assert_int_equal (run_filtered (sc, NULL, child_dataplane_profile), 0);
  sc_free (sc);
}

#include <pthread.h>
static void *
thread_fn (void *arg)
{
  return arg;
}

static int
child_strict_profile (void)
{
  int bad = 0;
  long r;
  pthread_t t;
  if (syscall (SYS_getpid) <= 0)
    bad |= 1;
  r = syscall (SYS_unshare, CLONE_NEWUTS);
  if (!(r < 0 && errno == EPERM))
    bad |= 2;
  /* No new processes, threads only. */
  r = syscall (SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (r == 0)
    _exit (0);
  if (!(r < 0 && errno == EPERM))
    bad |= 4;
  if (pthread_create (&t, NULL, thread_fn, NULL) != 0 || pthread_join (t, NULL) != 0)
    bad |= 8;
  r = socket (AF_PACKET, SOCK_RAW, 0);
  if (!(r < 0 && errno == EPERM))
    bad |= 16;
  if ((r = socket (AF_UNIX, SOCK_STREAM, 0)) < 0)
    bad |= 32;
  return bad;
}

static int
child_keyctl (void)
{
  syscall (SYS_keyctl, 0, -2, 1);
  return 0;
}

static void
test_profile_strict (void **state)
{
  struct spec_seccomp *sc = load_profile ("cnf-strict");
  void *ctx = NULL;
  cnf_err err = NULL;
  (void) state;
  if (seccomp_build (sc, &ctx, &err) < 0)
    fail_msg ("%s", err->msg);
  seccomp_release (ctx);
  assert_int_equal (run_filtered (sc, NULL, child_strict_profile), 0);
  /* The attack primitives kill the process. */
  assert_int_equal (run_filtered (sc, NULL, child_keyctl), 200 + SIGSYS);
  sc_free (sc);
}

/* The shipped profiles through the real config parser: spec_load_buf() accepts them under
 * linux.seccomp, and the typed result validates and builds. */
static void
test_profiles_through_spec_parser (void **state)
{
  const char *names[] = { "default", "cnf-dataplane", "cnf-strict" };
  (void) state;
  setenv ("CNFRUN_SECCOMP_PROFILES", CNF_SRCDIR "/seccomp-profiles", 1);
  for (size_t i = 0; i < 3; i++)
    {
      cnf_err err = NULL;
      char *text = NULL, *cfg;
      struct spec *s = NULL;
      void *ctx = NULL;
      if (seccomp_profile_load (names[i], &text, &err) < 0)
        fail_msg ("%s", err->msg);
      cfg = xasprintf ("{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, "
                       "\"process\": {\"args\": [\"true\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}}, "
                       "\"linux\": {\"seccomp\": %s}}", text);
      if (spec_load_buf (names[i], cfg, strlen (cfg), &s, &err) < 0)
        fail_msg ("%s: %s", names[i], err->msg);
      assert_non_null (s->linux_.seccomp);
      assert_true (s->linux_.seccomp->n_syscalls > 3);
      if (seccomp_validate (s->linux_.seccomp, names[i], &err) < 0 || seccomp_build (s->linux_.seccomp, &ctx, &err) < 0)
        fail_msg ("%s: %s", names[i], err->msg);
      seccomp_release (ctx);
      spec_free (s);
      free (cfg);
      free (text);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_names_and_features),
    cmocka_unit_test (test_validate),
    cmocka_unit_test (test_build_archs_flags),
    cmocka_unit_test (test_unknown_syscall_skipped),
    cmocka_unit_test (test_errno_defaults),
    cmocka_unit_test (test_kill_process),
    cmocka_unit_test (test_operators),
    cmocka_unit_test (test_masked_eq),
    cmocka_unit_test (test_args_and),
    cmocka_unit_test (test_args_same_index),
    cmocka_unit_test (test_notify_listener),
    cmocka_unit_test (test_profile_lookup),
    cmocka_unit_test (test_profile_default),
    cmocka_unit_test (test_profile_dataplane),
    cmocka_unit_test (test_profile_strict),
    cmocka_unit_test (test_profiles_through_spec_parser),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
